//! Read-only listings: human lines or the `--json` contract of DESIGN §6b.

use super::{print_json, UsageError};
use crate::config::Settings;
use crate::domain::EmailAddress;
use crate::store::{LeadView, Store};
use chrono::{DateTime, Utc};

/// A time as the lead's owner reads it: `2026-11-24 09:00 Europe/Lisbon`
/// (the CRM's zone for a lead without an owner who is a user).
pub(super) fn owner_time(settings: &Settings, owner: Option<&str>, at: DateTime<Utc>) -> String {
    let owner = owner.and_then(|o| EmailAddress::parse(o).ok());
    in_zone(settings.calendar_of(owner.as_ref()).time_zone, at)
}

/// `2026-11-24 09:00 Europe/Lisbon`: an instant as read in `zone`, naming it.
pub(super) fn in_zone(zone: chrono_tz::Tz, at: DateTime<Utc>) -> String {
    format!(
        "{} {}",
        at.with_timezone(&zone).format("%Y-%m-%d %H:%M"),
        zone.name()
    )
}

/// Prints leads, one line each (times in each owner's zone) or as JSON.
pub(super) fn print_leads(
    settings: &Settings,
    leads: &[LeadView],
    json: bool,
) -> anyhow::Result<()> {
    if json {
        return print_json(&leads);
    }
    if leads.is_empty() {
        outln!("(none)");
    }
    for lead in leads {
        outln!("{}", lead_line(settings, lead));
    }
    Ok(())
}

fn lead_line(settings: &Settings, lead: &LeadView) -> String {
    let contact = lead
        .contacts
        .first()
        .map(|c| c.emails.first().cloned().unwrap_or_default())
        .unwrap_or_default();
    let next = lead
        .next_action
        .as_ref()
        .map_or("NO NEXT ACTION".to_string(), |n| {
            format!(
                "next {} {}",
                owner_time(settings, lead.owner.as_deref(), n.due_at),
                n.kind
            )
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
pub(super) async fn show(
    settings: &Settings,
    store: &Store,
    id: i64,
    json: bool,
) -> anyhow::Result<()> {
    let lead = store
        .lead(id)
        .await?
        .ok_or_else(|| UsageError(format!("there is no lead {id}")))?;
    if json {
        return print_json(&lead);
    }
    for line in lead_card(settings, &lead) {
        outln!("{line}");
    }
    Ok(())
}

/// One lead for a person to read, a field a line, times in the owner's zone.
fn lead_card(settings: &Settings, lead: &LeadView) -> Vec<String> {
    let time = |at| owner_time(settings, lead.owner.as_deref(), at);
    let mut lines = vec![
        format!("#{} {} \u{2014} {}", lead.id, lead.kind, lead.title),
        format!(
            "status:   {}{}",
            lead.status,
            lead.standby_until
                .map(|until| format!(" until {}", time(until)))
                .unwrap_or_default()
        ),
        format!("step:     {}", lead.step.as_deref().unwrap_or("-")),
        format!("source:   {}", lead.source),
        format!("owner:    {}", lead.owner.as_deref().unwrap_or("(nobody)")),
    ];
    if let Some(company) = &lead.company {
        let domain = company
            .domain
            .as_deref()
            .map(|d| format!(" ({d})"))
            .unwrap_or_default();
        lines.push(format!("company:  {}{domain}", company.name));
    }
    for contact in &lead.contacts {
        let details: Vec<&str> = [
            contact.name.as_deref(),
            contact.title.as_deref(),
            contact.phone.as_deref(),
        ]
        .into_iter()
        .flatten()
        .collect();
        lines.push(format!(
            "contact:  {} <{}>",
            details.join(", "),
            contact.emails.join(", ")
        ));
    }
    lines.push(match &lead.next_action {
        Some(next) => format!(
            "next:     {} due {} {}",
            next.kind,
            time(next.due_at),
            next.note
        ),
        None => "next:     NO NEXT ACTION".to_string(),
    });
    if let Some(amount) = &lead.amount {
        lines.push(format!("amount:   {} {}", amount.value, amount.currency));
    }
    if !lead.tags.is_empty() || !lead.flags.is_empty() {
        lines.push(format!(
            "tags:     {}  flags: {}",
            lead.tags.join(", "),
            lead.flags.join(", ")
        ));
    }
    lines.push(format!("created:  {}", time(lead.created_at)));
    lines.push(format!("activity: {}", time(lead.last_activity_at)));
    lines
}

/// `timeline ID` (times in the lead owner's zone).
pub(super) async fn timeline(
    settings: &Settings,
    store: &Store,
    id: i64,
    json: bool,
) -> anyhow::Result<()> {
    let Some(lead) = store.lead(id).await? else {
        return Err(UsageError(format!("there is no lead {id}")).into());
    };
    let entries = store.timeline(id).await?;
    if json {
        return print_json(&entries);
    }
    for e in entries {
        let actor = e.actor.clone().unwrap_or_default();
        outln!(
            "{} {:<13} {:<30} {}",
            owner_time(settings, lead.owner.as_deref(), e.occurred_at),
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
