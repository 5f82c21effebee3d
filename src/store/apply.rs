//! Applying an ingest plan: one transaction, deduplicated by message key.
//! Any error rolls the whole message back; nothing is half-written.

use super::deferred::Deferring;
use super::known_contacts::KnownContacts;
use super::leads::FirstEntry;
use super::mailboxes::{self, Checkpoint};
use super::ops::Change;
use super::processed::Finished;
use super::quarantine::{self, Held};
use super::thread_keys::KnownThreads;
use super::{mail, processed, Conn, Store, StoreError};
use crate::domain::{EmailAddress, QuarantineReason};
use crate::ingest::plan::{Action, Fallback, IngestPlan, Outcome, TimelineDraft};
use chrono::{DateTime, Utc};
use std::collections::HashMap;

/// What applying a plan did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    /// The outcome (`Duplicate` when the key had been processed before).
    pub outcome: Outcome,
    /// The leads touched, in order (for a duplicate: those recorded then).
    pub lead_ids: Vec<i64>,
    /// The quarantine entry written (the message itself, or its bad commands).
    pub quarantine_id: Option<i64>,
    /// For a duplicate: the outcome recorded when the message was first
    /// processed, so a re-seen message is filed where that outcome says
    /// (a quarantined one back to quarantine, not to the processed folder).
    pub recorded: Option<Outcome>,
}

impl Applied {
    /// The outcome that decides where the message is filed: its own, or
    /// for a duplicate the one recorded the first time.
    pub fn filing_outcome(&self) -> Outcome {
        match (self.outcome, self.recorded) {
            (Outcome::Duplicate, Some(recorded)) => recorded,
            (outcome, _) => outcome,
        }
    }
}

/// How many new messages a transaction holding rows back applies at least
/// for it to read their contacts and companies first ([`KnownContacts`]:
/// two statements, which a few messages would not win back).
const READ_CONTACTS_FROM: usize = 8;

/// The message being applied and what applying it has touched so far.
pub(super) struct Ctx<'a> {
    /// The plan.
    pub plan: &'a IngestPlan,
    /// The message's bytes, or its header block when it was too large to
    /// fetch (a bounded excerpt is kept in quarantine rows).
    pub raw: &'a [u8],
    /// The whole message's size in bytes.
    pub size: u64,
    /// The wall clock at the start of the transaction.
    pub now: DateTime<Utc>,
    /// Who gives the message's commands (timeline actor).
    pub actor: Option<String>,
    /// The rep whose digest shows the message's quarantine entries.
    pub user: Option<String>,
    /// The leads touched, in order, without repeats.
    pub lead_ids: Vec<i64>,
    /// Commands that could not be read or applied.
    pub rejected: Vec<String>,
    /// The quarantine row written, if any.
    pub quarantine_id: Option<i64>,
    /// The leads of the batch's references, read when the batch began.
    pub known: &'a KnownThreads,
}

impl<'a> Ctx<'a> {
    fn new(message: &Pending<'a>, known: &'a KnownThreads, now: DateTime<Utc>) -> Self {
        let plan = message.plan;
        let from = plan.sender.clone();
        let actor = match &plan.action {
            Action::Outbound(mail) => Some(mail.rep.to_string()),
            _ => from.as_ref().map(EmailAddress::to_string),
        };
        let user = plan_user(&plan.action).or(from).map(|u| u.to_string());
        Ctx {
            plan,
            raw: message.raw,
            size: message.size,
            now,
            actor,
            user,
            lead_ids: Vec::new(),
            rejected: Vec::new(),
            quarantine_id: None,
            known,
        }
    }

    /// Records that the message touched a lead.
    pub(super) fn touch(&mut self, lead_id: i64) {
        if !self.lead_ids.contains(&lead_id) {
            self.lead_ids.push(lead_id);
        }
    }

    /// One of the message's entries, to be written with the lead it creates.
    pub(super) fn first_entry<'e>(&self, entry: &'e TimelineDraft) -> FirstEntry<'e>
    where
        'a: 'e,
    {
        let plan: &'a IngestPlan = self.plan;
        FirstEntry {
            entry,
            message_key: plan.key.as_str(),
        }
    }

    /// A change made by the message: at its date, by its sender, with its key.
    pub(super) fn change(&self) -> Change<'_> {
        Change {
            at: self.plan.occurred_at,
            actor: self.actor.as_deref(),
            message_key: Some(self.plan.key.as_str()),
        }
    }
}

/// The rep a plan is about: the BCC sender, the new lead's owner, or the
/// user named by a quarantine.
fn plan_user(action: &Action) -> Option<EmailAddress> {
    let user = match action {
        Action::Outbound(mail) => Some(&mail.rep),
        Action::Lead(mail) => mail.new_lead.owner.as_ref(),
        Action::Quarantine(draft) => draft.user.as_ref(),
        Action::Thread(thread) => match &thread.fallback {
            Fallback::NewLead(mail) => mail.new_lead.owner.as_ref(),
            Fallback::Quarantine(draft) => draft.user.as_ref(),
            Fallback::Record => None,
        },
        Action::DigestReply(reply) => Some(&reply.user),
        Action::Record | Action::Bounce(_) => None,
    };
    user.cloned()
}

impl Store {
    /// Applies a plan in one transaction (see [`apply_in`]); a key seen
    /// before writes nothing and reports `Duplicate`. `origin`
    /// says where the bytes came from (mailbox name, file path…).
    pub async fn apply(
        &self,
        plan: &IngestPlan,
        raw: &[u8],
        origin: &str,
    ) -> Result<Applied, StoreError> {
        self.apply_once(plan, raw, origin, None)
            .await
            .map_err(|error| error.in_message(plan.key.as_str()))
    }

    /// Like [`Store::apply`] for a message read from an IMAP folder: the
    /// folder's checkpoint advances in the same transaction (also for a
    /// duplicate), so a crash can neither skip nor repeat it.
    pub async fn apply_from_mailbox(
        &self,
        plan: &IngestPlan,
        raw: &[u8],
        checkpoint: &Checkpoint,
    ) -> Result<Applied, StoreError> {
        let folder = FolderRef {
            mailbox: &checkpoint.mailbox,
            folder: &checkpoint.folder,
            uid_validity: checkpoint.uid_validity,
            fence: checkpoint.fence,
        };
        let origin = folder.origin(checkpoint.uid);
        self.apply_once(plan, raw, &origin, Some(checkpoint))
            .await
            .map_err(|error| error.in_message(plan.key.as_str()))
    }

    /// Applies the messages of one fetched batch in ONE transaction (one
    /// fsync), in order, and advances the folder's checkpoint to the last
    /// UID. Any error rolls the whole batch back; the caller can then apply
    /// the messages one by one to find the culprit.
    pub async fn apply_batch_from_mailbox(
        &self,
        folder: &FolderRef<'_>,
        messages: &[FolderMessage<'_>],
    ) -> Result<Vec<Applied>, StoreError> {
        self.apply_batch_holding(folder, messages, true).await
    }

    /// [`Store::apply_batch_from_mailbox`], holding rows back to write
    /// them at once ([`Deferring`]) or, not `hold`ing, writing each row
    /// when it is added (what the tests compare it with).
    pub(super) async fn apply_batch_holding(
        &self,
        folder: &FolderRef<'_>,
        messages: &[FolderMessage<'_>],
        hold: bool,
    ) -> Result<Vec<Applied>, StoreError> {
        let Some(last) = messages.last() else {
            return Ok(Vec::new());
        };
        let origins: Vec<String> = messages.iter().map(|m| folder.origin(m.uid)).collect();
        let pending: Vec<Pending<'_>> = messages
            .iter()
            .zip(&origins)
            .map(|(message, origin)| Pending {
                plan: message.plan,
                raw: message.raw,
                size: message.size,
                origin,
            })
            .collect();
        let tx = self.begin_write().await?;
        let mut tx = match hold {
            true => Deferring::new(tx),
            false => Deferring::immediate(tx),
        };
        let applied = apply_in(&mut tx, &pending, crate::clock::now()).await?;
        let checkpoint = folder.checkpoint(last.uid);
        mailboxes::advance(&mut tx, &checkpoint, new_messages(&applied)).await?;
        tx.commit().await?;
        Ok(applied)
    }

    async fn apply_once(
        &self,
        plan: &IngestPlan,
        raw: &[u8],
        origin: &str,
        checkpoint: Option<&Checkpoint>,
    ) -> Result<Applied, StoreError> {
        let mut tx = Deferring::new(self.begin_write().await?);
        let pending = Pending {
            plan,
            raw,
            size: raw.len() as u64,
            origin,
        };
        let applied = apply_in(&mut tx, &[pending], crate::clock::now())
            .await?
            .remove(0);
        if let Some(checkpoint) = checkpoint {
            let new = new_messages(std::slice::from_ref(&applied));
            mailboxes::advance(&mut tx, checkpoint, new).await?;
        }
        if applied.outcome == Outcome::Duplicate && checkpoint.is_none() {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(applied)
    }
}

/// How many of these messages were new (not seen before).
fn new_messages(applied: &[Applied]) -> usize {
    applied
        .iter()
        .filter(|a| a.outcome != Outcome::Duplicate)
        .count()
}

/// A folder of a configured mailbox, as the daemon reads it.
#[derive(Debug, Clone, Copy)]
pub struct FolderRef<'a> {
    /// The configured mailbox name.
    pub mailbox: &'a str,
    /// The IMAP folder.
    pub folder: &'a str,
    /// The folder's UIDVALIDITY.
    pub uid_validity: u32,
    /// The fencing number of the daemon's lease on the mailbox.
    pub fence: Option<i64>,
}

impl FolderRef<'_> {
    /// The checkpoint of the message with this UID.
    pub fn checkpoint(&self, uid: u32) -> Checkpoint {
        Checkpoint {
            mailbox: self.mailbox.to_string(),
            folder: self.folder.to_string(),
            uid_validity: self.uid_validity,
            uid,
            fence: self.fence,
        }
    }

    /// Where a message came from, as recorded with it.
    fn origin(&self, uid: u32) -> String {
        format!("imap:{}/{}/{uid}", self.mailbox, self.folder)
    }
}

/// One message of a batch: its plan, its bytes and its UID.
#[derive(Debug, Clone, Copy)]
pub struct FolderMessage<'a> {
    /// The message's plan.
    pub plan: &'a IngestPlan,
    /// The message's bytes (only its header block when it was over the
    /// size limit and never fetched whole).
    pub raw: &'a [u8],
    /// The whole message's size (`raw.len()` when `raw` is all of it).
    pub size: u64,
    /// Its UID in the folder.
    pub uid: u32,
}

/// A plan to apply, with its bytes and where they came from.
#[derive(Clone, Copy)]
pub(super) struct Pending<'a> {
    pub plan: &'a IngestPlan,
    pub raw: &'a [u8],
    pub size: u64,
    pub origin: &'a str,
}

/// Applies plans in order inside the caller's transaction: their
/// processed-message records are claimed first (a key seen before writes
/// nothing and reports `Duplicate`), then each one's contacts, companies,
/// leads, timeline, commands and quarantine rows are written, then their
/// records with their outcomes, then their attachments. Each kind of
/// record is written for all plans at once, so a batch costs a few round
/// trips more than its messages' own rows; on a [`Deferring`] transaction
/// their timeline entries, contact links and activity (and on PostgreSQL
/// their new companies, contacts and leads) are written at once too, when
/// read or at commit. An error names the message it happened in.
pub(super) async fn apply_in(
    conn: &mut Conn,
    pending: &[Pending<'_>],
    now: DateTime<Utc>,
) -> Result<Vec<Applied>, StoreError> {
    let records: Vec<(&IngestPlan, &str)> = pending.iter().map(|p| (p.plan, p.origin)).collect();
    let claims = processed::claim(conn, &records, now).await?;
    let new_plans: Vec<&IngestPlan> = pending
        .iter()
        .zip(&claims)
        .filter_map(|(p, claim)| claim.claimed().then_some(p.plan))
        .collect();
    let known = KnownThreads::read(conn, &new_plans).await?;
    if conn.deferred().is_some() && new_plans.len() >= READ_CONTACTS_FROM {
        let contacts = KnownContacts::read(conn, &new_plans).await?;
        if let Some(held) = conn.deferred() {
            held.keep_contacts(contacts);
        }
    }
    let mut applied: Vec<Applied> = Vec::with_capacity(pending.len());
    // Where each message applied here is in `applied`, by key, for its copies.
    let mut applied_here: HashMap<&str, usize> = HashMap::new();
    for (message, claim) in pending.iter().zip(&claims) {
        let key = message.plan.key.as_str();
        let claimed = claim.claimed();
        let done = match (claimed, applied_here.get(key)) {
            (true, _) => apply_claimed(conn, message, &known, now).await,
            (false, Some(&first)) => {
                let earlier = pending[first].plan.fingerprint.as_deref();
                let first: &Applied = &applied[first];
                let seen = Seen {
                    lead_ids: first.lead_ids.clone(),
                    recorded: first.filing_outcome(),
                };
                seen_before(conn, message, earlier, seen, now).await
            }
            (false, None) => stored_duplicate(conn, message, now).await,
        };
        if claimed {
            applied_here.insert(key, applied.len());
        }
        applied.push(done.map_err(|error| error.in_message(key))?);
    }
    let finished: Vec<Finished<'_>> = pending
        .iter()
        .zip(&applied)
        .zip(&claims)
        .filter(|(_, claim)| claim.claimed())
        .map(|((p, a), claim)| Finished {
            plan: p.plan,
            origin: p.origin,
            claim: *claim,
            outcome: a.outcome,
            lead_ids: a.lead_ids.as_slice(),
        })
        .collect();
    processed::finish(conn, &finished, now).await?;
    // Their rows name their records.
    super::attachments::record(conn, &new_plans).await?;
    Ok(applied)
}

/// Applies a plan whose record this transaction claimed: what the message
/// says, without the record's outcome (the caller writes it).
async fn apply_claimed(
    conn: &mut Conn,
    message: &Pending<'_>,
    known: &KnownThreads,
    now: DateTime<Utc>,
) -> Result<Applied, StoreError> {
    let plan = message.plan;
    let mut ctx = Ctx::new(message, known, now);
    let outcome = mail::dispatch(conn, &mut ctx).await?;
    report_rejected(conn, &mut ctx, outcome).await?;
    tracing::debug!(key = %plan.key, outcome = outcome.as_str(), leads = ?ctx.lead_ids, "applied");
    Ok(Applied {
        outcome,
        lead_ids: ctx.lead_ids,
        quarantine_id: ctx.quarantine_id,
        recorded: None,
    })
}

/// A message whose key was processed in an earlier transaction.
async fn stored_duplicate(
    conn: &mut Conn,
    message: &Pending<'_>,
    now: DateTime<Utc>,
) -> Result<Applied, StoreError> {
    let key = message.plan.key.as_str();
    let (recorded, earlier) = processed::recorded(conn, key).await?;
    let seen = Seen {
        lead_ids: processed::lead_ids(conn, key).await?,
        recorded,
    };
    seen_before(conn, message, earlier.as_deref(), seen, now).await
}

/// What was recorded for a message seen before: its leads and outcome.
struct Seen {
    lead_ids: Vec<i64>,
    recorded: Outcome,
}

/// A message whose key was processed before, by a message with the
/// `earlier` fingerprint: a duplicate when both say the same, else a
/// reused Message-ID (a forgery or a broken client), put aside for a look.
async fn seen_before(
    conn: &mut Conn,
    message: &Pending<'_>,
    earlier: Option<&str>,
    seen: Seen,
    now: DateTime<Utc>,
) -> Result<Applied, StoreError> {
    let plan = message.plan;
    match (earlier, plan.fingerprint.as_deref()) {
        (Some(earlier), Some(now_says)) if earlier != now_says => {
            reused_key(conn, message, earlier, now_says, now).await
        }
        _ => Ok(duplicate(plan, seen.lead_ids, seen.recorded)),
    }
}

/// Holds a message that reuses a known Message-ID with other content, once:
/// the same copy seen again finds its entry.
async fn reused_key(
    conn: &mut Conn,
    message: &Pending<'_>,
    earlier: &str,
    now_says: &str,
    now: DateTime<Utc>,
) -> Result<Applied, StoreError> {
    let plan = message.plan;
    let detail = format!(
        "Message-ID {} was processed before with other content (fingerprint {} then, {} now); this message was not filed",
        plan.key,
        &earlier[..earlier.len().min(16)],
        &now_says[..now_says.len().min(16)]
    );
    tracing::warn!(key = %plan.key, "a known Message-ID with other content: put aside");
    let id = match quarantine::held_with(conn, plan.key.as_str(), &detail).await? {
        Some(id) => id,
        None => {
            let held = Held {
                reason: QuarantineReason::ReusedMessageId,
                detail: &detail,
                user: None,
            };
            let bytes = (message.raw, message.size);
            quarantine::hold_bytes(conn, plan, bytes, held, now).await?
        }
    };
    Ok(Applied {
        outcome: Outcome::Quarantined,
        lead_ids: Vec::new(),
        quarantine_id: Some(id),
        recorded: None,
    })
}

/// The report of a message processed before, which touched these leads
/// and was filed with this outcome.
fn duplicate(plan: &IngestPlan, lead_ids: Vec<i64>, recorded: Outcome) -> Applied {
    tracing::debug!(key = %plan.key, leads = ?lead_ids, recorded = recorded.as_str(), "already processed");
    Applied {
        outcome: Outcome::Duplicate,
        lead_ids,
        quarantine_id: None,
        recorded: Some(recorded),
    }
}

/// Commands that could not be read or applied go to quarantine as
/// `bad_command` (the message itself was processed), for the rep to see.
async fn report_rejected(
    conn: &mut Conn,
    ctx: &mut Ctx<'_>,
    outcome: Outcome,
) -> Result<(), StoreError> {
    if ctx.rejected.is_empty() || outcome == Outcome::Quarantined {
        return Ok(());
    }
    let detail = format!(
        "{}; the rest of the message was processed ({})",
        ctx.rejected.join("; "),
        leads_text(&ctx.lead_ids)
    );
    let held = Held {
        reason: QuarantineReason::BadCommand,
        detail: &detail,
        user: ctx.user.as_deref(),
    };
    ctx.quarantine_id = Some(quarantine::hold(conn, ctx, held).await?);
    Ok(())
}

/// "lead 4", "leads 4, 7" or "no lead".
fn leads_text(ids: &[i64]) -> String {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    match ids.len() {
        0 => "no lead".to_string(),
        1 => format!("lead {}", list.join("")),
        _ => format!("leads {}", list.join(", ")),
    }
}
