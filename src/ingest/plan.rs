//! What the pipeline decided for one message: the plan the store applies.
//!
//! A plan names intents ("find the open lead of this contact, else create
//! this lead") rather than row ids, so the pipeline stays pure and the store
//! resolves them inside one transaction.

use crate::domain::{
    EmailAddress, LeadKind, LeadSource, MessageKey, QuarantineReason, TimelineKind,
};
use chrono::{DateTime, Utc};
use serde::Serialize;

pub use crate::commands::{Command, Commands, NextActionDraft};

/// The pipeline's decision for one message.
#[derive(Debug, Clone, Serialize)]
pub struct IngestPlan {
    /// Normalised Message-ID, or a hash of the bytes.
    pub key: MessageKey,
    /// The From address as written (for listings), if any.
    pub from: Option<String>,
    /// The From's address, parsed once by the pipeline (none when the
    /// From holds no usable one): whom the store credits with the message.
    pub sender: Option<EmailAddress>,
    /// The subject as written.
    pub subject: String,
    /// When the message was written (its Date, else its arrival).
    pub occurred_at: DateTime<Utc>,
    /// Which rule fired (stable identifier, e.g. `rep_forward`).
    pub rule: &'static str,
    /// Why, in words.
    pub reason: String,
    /// What to do.
    pub action: Action,
    /// The message's attachments (metadata; bytes only when they are kept).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attachments: Vec<AttachmentDraft>,
    /// SHA-256 of what the message says (see `ParsedMail::fingerprint`);
    /// none for mail quarantined unread. A known key with another
    /// fingerprint is not a duplicate but a reused Message-ID.
    #[serde(skip)]
    pub fingerprint: Option<String>,
}

impl IngestPlan {
    /// Every contact the plan would create or update, wherever it sits.
    pub fn contacts(&self) -> Vec<&ContactDraft> {
        match &self.action {
            Action::Lead(mail) => mail.contacts.iter().collect(),
            Action::Outbound(mail) => mail.groups.iter().flat_map(|g| &g.contacts).collect(),
            Action::Thread(thread) => {
                let mut all: Vec<&ContactDraft> = thread.sender.iter().collect();
                if let Fallback::NewLead(mail) = &thread.fallback {
                    all.extend(&mail.contacts);
                }
                all
            }
            _ => Vec::new(),
        }
    }
}

/// One attachment of the message, recorded with the processed message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentDraft {
    /// The file name, sanitised (no separators or control characters, bounded).
    pub name: String,
    /// `type/subtype`, lower-cased.
    pub mime_type: String,
    /// Decoded size in bytes.
    pub size: u64,
    /// SHA-256 of the decoded bytes, lower-case hex.
    pub sha256: String,
    /// Why the bytes were not kept although `[attachments] dir` is set.
    pub note: Option<String>,
    /// The bytes and the file to write them to, when they are kept.
    #[serde(skip)]
    pub save: Option<SaveTo>,
}

/// Where an attachment's bytes go (a file named by their SHA-256).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SaveTo {
    /// The target file.
    pub path: std::path::PathBuf,
    /// The decoded bytes.
    pub bytes: Vec<u8>,
}

/// The final result of applying a plan, as reported by `ingest --json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// A new lead was created.
    CreatedLead,
    /// A new prospect was created.
    CreatedProspect,
    /// The message went onto an existing lead or prospect.
    Appended,
    /// Automated mail, recorded only.
    Automated,
    /// A delivery failure was recorded.
    Bounce,
    /// The message was put aside.
    Quarantined,
    /// The message had been processed before.
    Duplicate,
}

impl Outcome {
    /// The stable text name.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::CreatedLead => "created_lead",
            Outcome::CreatedProspect => "created_prospect",
            Outcome::Appended => "appended",
            Outcome::Automated => "automated",
            Outcome::Bounce => "bounce",
            Outcome::Quarantined => "quarantined",
            Outcome::Duplicate => "duplicate",
        }
    }
}

/// What to do with the message.
///
/// One plan exists per message in flight, so the size difference between
/// variants costs nothing worth a `Box`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Put it aside with a reason (the raw bytes are kept).
    Quarantine(QuarantineDraft),
    /// Automated mail with nothing to file: record it as processed.
    Record,
    /// A lead-making mail (forward, partner, form, direct inquiry).
    Lead(LeadMail),
    /// A rep's BCC'd outbound mail.
    Outbound(OutboundMail),
    /// A mail that belongs to an existing thread, lead or contact if one is
    /// found; otherwise the fallback applies.
    Thread(ThreadMail),
    /// A delivery failure.
    Bounce(BounceMail),
    /// A user's reply to their digest: commands on their leads, then a
    /// confirmation mail.
    DigestReply(DigestReplyMail),
}

/// What a reply to a digest asks for.
#[derive(Debug, Clone, Serialize)]
pub struct DigestReplyMail {
    /// The user who replied (authenticated).
    pub user: EmailAddress,
    /// The commands read, in order.
    pub commands: Vec<crate::commands::reply::ReplyCommand>,
    /// Lines that looked like commands but could not be read, with why.
    pub not_understood: Vec<String>,
    /// The reply's Message-ID (`<…>`), which the confirmation answers.
    pub reply_message_id: Option<String>,
    /// The confirmation's Message-ID, fixed here so a reprocessed reply
    /// cannot queue a second one.
    pub confirmation_id: String,
    /// The user's time zone name, for the dates in the confirmation.
    pub time_zone: String,
}

/// A quarantine entry.
#[derive(Debug, Clone, Serialize)]
pub struct QuarantineDraft {
    /// Why.
    pub reason: QuarantineReason,
    /// Details a human can act on (which check failed, which command…).
    pub detail: String,
    /// The rep the message is from, so their digest can show it.
    pub user: Option<EmailAddress>,
}

/// A company as seen in a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CompanyDraft {
    /// Display name.
    pub name: String,
    /// Registrable domain, when not a free-mail one.
    pub domain: Option<String>,
}

/// A person as seen in a message.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ContactDraft {
    /// Their address.
    pub email: EmailAddress,
    /// Their name, when known.
    pub name: Option<String>,
    /// Phone, E.164 where possible.
    pub phone: Option<String>,
    /// Job title.
    pub title: Option<String>,
    /// Their company.
    pub company: Option<CompanyDraft>,
}

impl ContactDraft {
    /// How to name the contact's side in titles: company, else name, else address.
    pub fn company_or_name(&self) -> String {
        self.company
            .as_ref()
            .map(|c| c.name.clone())
            .or_else(|| self.name.clone())
            .unwrap_or_else(|| self.email.to_string())
    }

    /// The contact's name, else their address.
    pub fn name_or_email(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.email.to_string())
    }
}

/// A lead or prospect to create when no open one matches.
#[derive(Debug, Clone, Serialize)]
pub struct NewLead {
    /// Prospect or lead.
    pub kind: LeadKind,
    /// Title, from the cleaned subject.
    pub title: String,
    /// How it reached us.
    pub source: LeadSource,
    /// The rep who owns it.
    pub owner: Option<EmailAddress>,
    /// The first next action (every open lead has one).
    pub first_action: NextActionDraft,
}

/// A timeline entry to write (the message key is added by the store).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TimelineDraft {
    /// What kind of activity.
    pub kind: TimelineKind,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Who did it (an address or a name).
    pub actor: Option<String>,
    /// Subject line.
    pub subject: String,
    /// Cleaned text (no quoted history).
    pub body: String,
}

/// A mail that makes or feeds a lead.
#[derive(Debug, Clone, Serialize)]
pub struct LeadMail {
    /// The people, primary contact first.
    pub contacts: Vec<ContactDraft>,
    /// The lead to create when none of them has an open one.
    pub new_lead: NewLead,
    /// Timeline entries, in order.
    pub entries: Vec<TimelineDraft>,
    /// The rep's commands.
    pub commands: Commands,
}

/// One company's share of a BCC'd outbound mail.
#[derive(Debug, Clone, Serialize)]
pub struct OutboundGroup {
    /// The recipients of that company (or the single free-mail recipient).
    pub contacts: Vec<ContactDraft>,
    /// The prospect to create when none of them has an open lead.
    pub new_prospect: NewLead,
}

/// A rep's BCC'd mail.
#[derive(Debug, Clone, Serialize)]
pub struct OutboundMail {
    /// The sending rep.
    pub rep: EmailAddress,
    /// One group per recipient company.
    pub groups: Vec<OutboundGroup>,
    /// The `email_out` entry written on every lead touched.
    pub entry: TimelineDraft,
    /// Commands (from plus tags) applied to every lead touched.
    pub commands: Commands,
}

/// What to do when a thread mail matches nothing.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "otherwise", rename_all = "snake_case")]
pub enum Fallback {
    /// Create a lead.
    NewLead(LeadMail),
    /// Put it aside.
    Quarantine(QuarantineDraft),
    /// Record it as processed (automated mail).
    Record,
}

/// A mail that belongs on an existing lead if one is found.
#[derive(Debug, Clone, Serialize)]
pub struct ThreadMail {
    /// A `crm+lead-N@` routing token.
    pub routing_lead: Option<i64>,
    /// In-Reply-To and References, newest first.
    pub references: Vec<MessageKey>,
    /// The sender as a contact, matched by address when no thread matches
    /// (only for mail from people, not for automated mail... see `match_sender`).
    pub sender: Option<ContactDraft>,
    /// Also match the open lead of the sender's contact.
    pub match_sender: bool,
    /// The entry to append.
    pub entry: TimelineDraft,
    /// Flag a matched prospect `replied`.
    pub flag_replied: bool,
    /// Commands to apply to the matched lead.
    pub commands: Commands,
    /// What to do when nothing matches.
    pub fallback: Fallback,
}

/// One failed recipient.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BouncedAddress {
    /// The address that failed.
    pub address: EmailAddress,
    /// Permanent failure.
    pub hard: bool,
    /// The DSN status or diagnostic, for the timeline.
    pub detail: String,
    /// The bounce came from an authenticated reporting MTA of the address's
    /// domain or of ours, so it counts without naming one of our messages.
    pub vouched: bool,
}

/// A delivery failure.
#[derive(Debug, Clone, Serialize)]
pub struct BounceMail {
    /// Who could not be reached.
    pub recipients: Vec<BouncedAddress>,
    /// The `bounce` entry for the leads of those contacts.
    pub entry: TimelineDraft,
    /// The Message-IDs of the returned message: a recipient is marked only
    /// when one of them is on a timeline of its contact (or it is `vouched`).
    pub originals: Vec<MessageKey>,
}
