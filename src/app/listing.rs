//! Read-only listings: human lines or the `--json` contract of DESIGN §6b.

use super::{print_json, UsageError};
use crate::store::{LeadView, Store};

/// Prints leads, one line each or as JSON.
pub(super) fn print_leads(leads: &[LeadView], json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(&leads);
    }
    if leads.is_empty() {
        outln!("(none)");
    }
    for lead in leads {
        outln!("{}", lead_line(lead));
    }
    Ok(())
}

fn lead_line(lead: &LeadView) -> String {
    let contact = lead
        .contacts
        .first()
        .map(|c| c.emails.first().cloned().unwrap_or_default())
        .unwrap_or_default();
    let next = lead
        .next_action
        .as_ref()
        .map_or("NO NEXT ACTION".to_string(), |n| {
            format!("next {} {}", n.due_at, n.kind)
        });
    format!(
        "#{:<5} {:<8} {:<9} {:<40} {:<30} {} [{}]",
        lead.id,
        lead.kind,
        lead.status,
        truncate(&lead.title, 40),
        truncate(&contact, 30),
        next,
        lead.source
    )
}

fn truncate(text: &str, width: usize) -> String {
    if text.chars().count() <= width {
        text.to_string()
    } else {
        let cut: String = text.chars().take(width - 1).collect();
        format!("{cut}…")
    }
}

/// Prints one lead in full, as JSON with or without `--json` (every field
/// named).
pub(super) async fn show(store: &Store, id: i64) -> anyhow::Result<()> {
    let lead = store
        .lead(id)
        .await?
        .ok_or_else(|| UsageError(format!("there is no lead {id}")))?;
    print_json(&lead)
}

/// `timeline ID`.
pub(super) async fn timeline(store: &Store, id: i64, json: bool) -> anyhow::Result<()> {
    if store.lead(id).await?.is_none() {
        return Err(UsageError(format!("there is no lead {id}")).into());
    }
    let entries = store.timeline(id).await?;
    if json {
        return print_json(&entries);
    }
    for e in entries {
        let actor = e.actor.clone().unwrap_or_default();
        outln!(
            "{} {:<13} {:<30} {}",
            e.occurred_at,
            e.kind,
            truncate(&actor, 30),
            e.subject
        );
        let body: String = e
            .body
            .lines()
            .take(6)
            .map(|l| format!("    {l}\n"))
            .collect();
        super::out::text(&body)?;
        for a in &e.attachments {
            let kept = if a.stored { " (kept)" } else { "" };
            outln!(
                "    attachment: {} ({}, {} bytes){kept}",
                a.name,
                a.mime_type,
                a.size
            );
        }
    }
    Ok(())
}

/// `contacts list`.
pub(super) async fn contacts(store: &Store, json: bool) -> anyhow::Result<()> {
    let contacts = store.list_contacts().await?;
    if json {
        return print_json(&contacts);
    }
    for c in contacts {
        let bounced = if c.bounced { " BOUNCED" } else { "" };
        let name = c.name.clone().unwrap_or_default();
        outln!(
            "#{:<5} {:<25} {}{bounced}",
            c.id,
            truncate(&name, 25),
            c.emails.join(", ")
        );
    }
    Ok(())
}

/// `quarantine list`.
pub(super) async fn quarantine(store: &Store, json: bool) -> anyhow::Result<()> {
    let entries = store.list_quarantine().await?;
    if json {
        return print_json(&entries);
    }
    for q in entries {
        let from = q.from.clone().unwrap_or_default();
        outln!(
            "#{:<5} {:<15} {:<30} {}",
            q.id,
            q.reason,
            truncate(&from, 30),
            q.detail
        );
    }
    Ok(())
}
