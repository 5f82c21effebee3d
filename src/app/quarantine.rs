//! `quarantine list|show|release|dismiss`: what was put aside, and a
//! person's decision about it, taken by [`crate::resolve`] (shared with
//! the web app).

use super::print_json;
use crate::cli::QuarantineCommand;
use crate::config::Settings;
use crate::store::{QuarantineEntry, QuarantineView, Store};

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
            crate::resolve::dismiss(settings, store, id, &reason, &actor.actor).await?;
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
    crate::resolve::entry(store, id).await
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

async fn release(
    settings: &Settings,
    store: &Store,
    id: i64,
    reason: &str,
    actor: &str,
) -> anyhow::Result<()> {
    let released = crate::resolve::release(settings, store, id, reason, actor).await?;
    let leads: Vec<String> = released.lead_ids.iter().map(i64::to_string).collect();
    let filed = match released.refiled {
        true => format!("filed as {}", released.outcome.as_str()),
        false => "its message was filed before; the entry is closed".to_string(),
    };
    outln!(
        "quarantine #{id}: released, {filed} (leads: {})",
        leads.join(", ")
    );
    Ok(())
}
