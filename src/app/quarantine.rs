//! `quarantine list|show|release|dismiss`: what was put aside, and a
//! person's decision about it. A release files the message again through
//! the same pipeline, vouched for (its sender taken as authenticated; an
//! unknown sender as a public inquiry); the bytes come from the database
//! when it kept them whole, else from the mailbox's quarantine folder.

use super::{print_json, UsageError};
use crate::cli::QuarantineCommand;
use crate::config::Settings;
use crate::domain::access::{may_resolve_quarantine, Actor};
use crate::domain::EmailAddress;
use crate::imap::ImapSession;
use crate::ingest::auth::SenderAuthMode;
use crate::ingest::plan_message;
use crate::store::{QuarantineEntry, QuarantineView, Release, Store, OPERATOR};
use anyhow::Context;

/// Runs a `quarantine` subcommand.
pub(super) async fn quarantine(
    command: QuarantineCommand,
    settings: &Settings,
    store: &Store,
) -> anyhow::Result<()> {
    match command {
        QuarantineCommand::List { all, json } => list(store, all, json).await,
        QuarantineCommand::Show { id, json } => show(store, id, json).await,
        QuarantineCommand::Release { id, reason, actor } => {
            release(settings, store, id, &reason, &actor.actor).await
        }
        QuarantineCommand::Dismiss { id, reason, actor } => {
            let entry = entry(store, id).await?;
            may_resolve(settings, &entry, &actor.actor)?;
            store.dismiss_quarantined(id, &actor.actor, &reason).await?;
            outln!("quarantine #{id}: dismissed (the message stays unfiled)");
            Ok(())
        }
    }
}

async fn list(store: &Store, all: bool, json: bool) -> anyhow::Result<()> {
    let entries = store.list_quarantine(all).await?;
    if json {
        return print_json(&entries);
    }
    for q in &entries {
        outln!("{}", line(q));
    }
    Ok(())
}

fn line(q: &QuarantineView) -> String {
    let from = q.from.clone().unwrap_or_default();
    let status = match q.status.as_str() {
        "held" => String::new(),
        other => format!(" [{other} by {}]", q.resolved_by.as_deref().unwrap_or("?")),
    };
    format!(
        "#{:<5} {:<17} {:<30} {}{status}",
        q.id, q.reason, from, q.detail
    )
}

async fn entry(store: &Store, id: i64) -> anyhow::Result<QuarantineEntry> {
    store
        .quarantine_entry(id)
        .await?
        .ok_or_else(|| UsageError(format!("there is no quarantine entry {id}")).into())
}

async fn show(store: &Store, id: i64, json: bool) -> anyhow::Result<()> {
    let entry = entry(store, id).await?;
    if json {
        return print_json(&entry);
    }
    let q = &entry.view;
    outln!("#{} {} ({})", q.id, q.reason, q.status);
    outln!("message:  {}", q.message_id);
    outln!("from:     {}", q.from.as_deref().unwrap_or("-"));
    outln!("subject:  {}", q.subject);
    outln!("detail:   {}", q.detail);
    outln!("received: {}", q.received_at);
    outln!("rep:      {}", entry.user.as_deref().unwrap_or("-"));
    outln!(
        "size:     {} bytes ({} kept in the database)",
        entry.size,
        entry.kept_bytes
    );
    if let (Some(by), Some(at)) = (&q.resolved_by, &q.resolved_at) {
        let why = q.resolution_note.as_deref().unwrap_or("");
        outln!("resolved: {} by {by} at {at}: {why}", q.status);
    }
    outln!("headers:");
    super::out::text(&header_block(&entry.kept))?;
    Ok(())
}

/// The message's header block, as text (never its body).
fn header_block(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let end = text
        .find("\r\n\r\n")
        .or_else(|| text.find("\n\n"))
        .unwrap_or(text.len());
    text[..end]
        .lines()
        .map(|line| format!("  {line}"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The access rule for resolving an entry, for `--as`.
fn may_resolve(settings: &Settings, entry: &QuarantineEntry, actor: &str) -> anyhow::Result<()> {
    if actor == OPERATOR {
        return Ok(());
    }
    let user = EmailAddress::parse(actor)
        .ok()
        .and_then(|address| settings.user(&address))
        .ok_or_else(|| UsageError(format!("--as {actor}: not a leadmail user")))?;
    let email = user.email.to_string();
    let who = Actor {
        email: &email,
        role: user.role,
        team: user.team.as_deref(),
    };
    may_resolve_quarantine(&who, entry.user.as_deref(), entry.view.reason).map_err(|why| {
        UsageError(format!(
            "cannot resolve quarantine entry {}: {why}",
            entry.view.id
        ))
        .into()
    })
}

async fn release(
    settings: &Settings,
    store: &Store,
    id: i64,
    reason: &str,
    actor: &str,
) -> anyhow::Result<()> {
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
    let leads: Vec<String> = applied.lead_ids.iter().map(i64::to_string).collect();
    let filed = match held_itself {
        true => format!("filed as {}", applied.outcome.as_str()),
        false => "its message was filed before; the entry is closed".to_string(),
    };
    outln!(
        "quarantine #{id}: released, {filed} (leads: {})",
        leads.join(", ")
    );
    Ok(())
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
    Err(UsageError(format!(
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
