//! The listings' JSON shapes (DESIGN §6b): field names are a contract —
//! more may be added, none renamed. Times serialise as RFC 3339 (UTC, `Z`).

use crate::domain::{LeadKind, LeadStatus, QuarantineReason, TimelineKind};
use chrono::{DateTime, Utc};
use serde::Serialize;

/// Which leads `list_leads` returns; `None` fields do not filter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LeadFilter {
    /// Prospects or leads only.
    pub kind: Option<LeadKind>,
    /// One status only.
    pub status: Option<LeadStatus>,
    /// One owner's (user e-mail) only.
    pub owner: Option<String>,
    /// Open ones (todo, standby) only.
    pub open_only: bool,
}

/// A lead or prospect (`leads list|show --json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct LeadView {
    /// Its id.
    pub id: i64,
    /// `prospect` or `lead`.
    pub kind: LeadKind,
    /// Title, from the first message's cleaned subject.
    pub title: String,
    /// `todo`, `standby`, `won`, `lost` or `cancelled`.
    pub status: LeadStatus,
    /// The pipeline step, or null before the rep sets one.
    pub step: Option<String>,
    /// For a lead on standby: when it comes back to `todo` (else null).
    pub standby_until: Option<DateTime<Utc>>,
    /// `bcc`, `forward`, `partner:<name>`, `form:<name>`, `direct`, `manual`.
    pub source: String,
    /// The owning user's e-mail, or null.
    pub owner: Option<String>,
    /// Its company, or null.
    pub company: Option<CompanyView>,
    /// Its contacts, primary first.
    pub contacts: Vec<LeadContactView>,
    /// The open next action, or null (a problem for an open lead).
    pub next_action: Option<NextActionView>,
    /// Tags, sorted.
    pub tags: Vec<String>,
    /// Flags such as `replied`, sorted.
    pub flags: Vec<String>,
    /// The expected amount, or null.
    pub amount: Option<AmountView>,
    /// When it was created (the first message's date).
    pub created_at: DateTime<Utc>,
    /// The latest activity on its timeline.
    pub last_activity_at: DateTime<Utc>,
}

/// A company inside a lead or contact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CompanyView {
    /// Display name.
    pub name: String,
    /// Domain, or null for a company known by name only.
    pub domain: Option<String>,
}

/// A contact inside a lead.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeadContactView {
    /// Name, when known.
    pub name: Option<String>,
    /// Addresses, oldest first.
    pub emails: Vec<String>,
    /// Phone, when known.
    pub phone: Option<String>,
    /// Job title, when known.
    pub title: Option<String>,
}

/// A lead's open next action.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NextActionView {
    /// When it falls due.
    pub due_at: DateTime<Utc>,
    /// call, email, meeting…
    pub kind: String,
    /// What to do.
    pub note: String,
}

/// A lead's expected amount.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AmountView {
    /// The value.
    pub value: f64,
    /// ISO currency code.
    pub currency: String,
}

/// One timeline entry (`timeline ID --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TimelineView {
    /// What kind of activity.
    pub kind: TimelineKind,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// Who did it, when known.
    pub actor: Option<String>,
    /// Subject line.
    pub subject: String,
    /// Text.
    pub body: String,
    /// The message it came from, if any.
    pub message_id: Option<String>,
    /// The message's attachments (on the message's first entry only).
    pub attachments: Vec<AttachmentView>,
}

/// An attachment of a message (metadata; the bytes only when kept).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttachmentView {
    /// The file name, sanitised.
    pub name: String,
    /// `type/subtype`.
    pub mime_type: String,
    /// Decoded size in bytes.
    pub size: u64,
    /// SHA-256 of the decoded bytes (hex): the file name in `[attachments] dir`.
    pub sha256: String,
    /// True when the bytes were written to `[attachments] dir`.
    pub stored: bool,
    /// Why the bytes were not kept (over `max_bytes`), if so.
    pub note: Option<String>,
}

/// A contact (`contacts list --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ContactView {
    /// Its id.
    pub id: i64,
    /// Name, when known.
    pub name: Option<String>,
    /// Addresses, oldest first.
    pub emails: Vec<String>,
    /// Phone, when known.
    pub phone: Option<String>,
    /// Job title, when known.
    pub title: Option<String>,
    /// Company, or null.
    pub company: Option<CompanyView>,
    /// True when any of its addresses bounced.
    pub bounced: bool,
}

/// A held message (`quarantine list --json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuarantineView {
    /// Its id (for `quarantine release ID`).
    pub id: i64,
    /// The message key (normalised Message-ID or byte hash).
    pub message_id: String,
    /// The From address as written.
    pub from: Option<String>,
    /// Subject.
    pub subject: String,
    /// Why it is held.
    pub reason: QuarantineReason,
    /// What a human needs to act.
    pub detail: String,
    /// When leadmail put it aside.
    pub received_at: DateTime<Utc>,
    /// `held`, `released` or `dismissed`.
    pub status: String,
    /// When it was released or dismissed.
    pub resolved_at: Option<DateTime<Utc>>,
    /// Who released or dismissed it.
    pub resolved_by: Option<String>,
    /// Why they did.
    pub resolution_note: Option<String>,
}
