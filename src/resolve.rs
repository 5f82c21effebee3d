//! Resolving quarantine entries, one rule and one path for `quarantine
//! release|dismiss` and the web app: who may (`domain::access`'s
//! `may_resolve_quarantine`), and a release that files the message again
//! through the same pipeline, vouched for (its sender taken as
//! authenticated; an unknown sender as a public inquiry). The bytes come
//! from the database when it kept them whole, else from a mailbox's
//! quarantine folder.

use crate::config::Settings;
use crate::domain::access::{may_resolve_quarantine, Actor};
use crate::domain::EmailAddress;
use crate::imap::ImapSession;
use crate::ingest::auth::SenderAuthMode;
use crate::ingest::plan::Outcome;
use crate::ingest::plan_message;
use crate::store::{QuarantineEntry, Release, Store, OPERATOR};
use anyhow::Context;

/// A resolution the rules or the entry refuse (the CLI's exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// What a release did.
#[derive(Debug, Clone)]
pub struct Released {
    /// True when the message was filed now (false: it was filed before
    /// and only the entry, e.g. a bad command's, was closed).
    pub refiled: bool,
    /// How it was filed.
    pub outcome: Outcome,
    /// The leads it touched.
    pub lead_ids: Vec<i64>,
}

/// The entry `id`, or a refusal naming it.
pub async fn entry(store: &Store, id: i64) -> anyhow::Result<QuarantineEntry> {
    store
        .quarantine_entry(id)
        .await?
        .ok_or_else(|| Refused(format!("there is no quarantine entry {id}")).into())
}

/// Whether `actor` (a user's address, or the operator) may resolve `entry`.
pub fn may_resolve(
    settings: &Settings,
    entry: &QuarantineEntry,
    actor: &str,
) -> Result<(), Refused> {
    if actor == OPERATOR {
        return Ok(());
    }
    let user = EmailAddress::parse(actor)
        .ok()
        .and_then(|address| settings.user(&address))
        .ok_or_else(|| Refused(format!("--as {actor}: not a leadmail user")))?;
    let email = user.email.to_string();
    let who = Actor {
        email: &email,
        role: user.role,
        team: user.team.as_deref(),
    };
    may_resolve_quarantine(&who, entry.user.as_deref(), entry.view.reason).map_err(|why| {
        Refused(format!(
            "cannot resolve quarantine entry {}: {why}",
            entry.view.id
        ))
    })
}

/// Dismisses entry `id` for `reason`: the message stays unfiled.
pub async fn dismiss(
    settings: &Settings,
    store: &Store,
    id: i64,
    reason: &str,
    actor: &str,
) -> anyhow::Result<()> {
    let entry = entry(store, id).await?;
    may_resolve(settings, &entry, actor)?;
    store.dismiss_quarantined(id, actor, reason).await?;
    Ok(())
}

/// Releases entry `id` for `reason`: its message is filed again, vouched for.
pub async fn release(
    settings: &Settings,
    store: &Store,
    id: i64,
    reason: &str,
    actor: &str,
) -> anyhow::Result<Released> {
    let entry = entry(store, id).await?;
    may_resolve(settings, &entry, actor)?;
    let held_itself = entry.message_outcome.as_deref() == Some("quarantined");
    let raw = match held_itself {
        true => Some(whole_message(settings, &entry).await?),
        false => None,
    };
    let vouched = vouched_for(settings);
    let plan = raw
        .as_ref()
        .map(|raw| plan_message(raw, &vouched, entry.view.received_at));
    let refile = plan.as_ref().zip(raw.as_deref());
    let release = Release {
        actor,
        note: reason,
        refile,
    };
    let applied = store.release_quarantined(id, release).await?;
    Ok(Released {
        refiled: held_itself,
        outcome: applied.outcome,
        lead_ids: applied.lead_ids,
    })
}

/// The settings a release plans with: the sender counts as authenticated
/// (the person releasing vouches for it), and an unknown sender as a
/// public inquiry.
fn vouched_for(settings: &Settings) -> Settings {
    let mut vouched = settings.clone();
    vouched.security.sender_auth = SenderAuthMode::None;
    vouched.crm.public_inquiries = true;
    vouched
}

/// The message's whole bytes: from the database when it kept them all,
/// else read back from a configured mailbox's quarantine folder.
async fn whole_message(settings: &Settings, entry: &QuarantineEntry) -> anyhow::Result<Vec<u8>> {
    if entry.kept_bytes == entry.size {
        return Ok(entry.kept.clone());
    }
    for mailbox in settings
        .mailboxes
        .iter()
        .filter(|m| m.quarantine_folder.is_some())
    {
        if let Some(raw) = read_back(mailbox, entry).await? {
            return Ok(raw);
        }
    }
    Err(Refused(format!(
        "cannot release quarantine entry {}: the database keeps {} of its {} bytes and no configured quarantine folder holds Message-ID {}",
        entry.view.id, entry.kept_bytes, entry.size, entry.view.message_id
    ))
    .into())
}

/// The message with the entry's Message-ID and size in this mailbox's
/// quarantine folder, if it is there.
async fn read_back(
    mailbox: &crate::config::Mailbox,
    entry: &QuarantineEntry,
) -> anyhow::Result<Option<Vec<u8>>> {
    let Some(folder) = mailbox.quarantine_folder.as_deref() else {
        return Ok(None);
    };
    let mut session = ImapSession::connect(mailbox).await.with_context(|| {
        format!(
            "cannot read the quarantine folder of mailbox {}",
            mailbox.name
        )
    })?;
    session.select(folder).await?;
    let uids = session.uids_with_message_id(&entry.view.message_id).await?;
    let found = session
        .fetch(&uids)
        .await?
        .into_iter()
        .find(|mail| mail.raw.len() as u64 == entry.size)
        .map(|mail| mail.raw);
    let _ = session.logout().await;
    Ok(found)
}
