//! A lead's page: who and what, the whole timeline (with attachment
//! metadata), and a form for each action.

use super::layout::{csrf_field, page, Nav};
use super::{due_text, local};
use crate::config::{Settings, User};
use crate::domain::{LeadKind, LeadStatus};
use crate::store::{AttachmentView, LeadView, TimelineView};
use chrono::{DateTime, Utc};
use maud::{html, Markup};

/// What the lead page shows.
pub struct LeadPage<'a> {
    /// The lead.
    pub lead: &'a LeadView,
    /// Its timeline, oldest first.
    pub timeline: &'a [TimelineView],
    /// The users it may be handed to (empty: no owner form).
    pub assignable: Vec<&'a User>,
    /// Now, for "overdue".
    pub now: DateTime<Utc>,
}

/// The page.
pub fn render(settings: &Settings, nav: Nav<'_>, view: &LeadPage<'_>) -> Markup {
    let lead = view.lead;
    let title = format!("#{} {}", lead.id, lead.title);
    page(
        &title,
        Some(nav),
        html! {
            h1 { (title) }
            (facts(nav, view))
            section.actions { h2 { "Actions" } (actions(settings, nav, view)) }
            section { h2 { "Timeline" } (timeline(view.timeline, nav.user)) }
        },
    )
}

fn facts(nav: Nav<'_>, view: &LeadPage<'_>) -> Markup {
    let lead = view.lead;
    let zone = nav.user.calendar.time_zone;
    html! {
        table #facts {
            tr { th { "Status" } td #status { (lead.kind) " · " (lead.status) @if let Some(until) = lead.standby_until { " until " (local(until, zone)) } } }
            tr { th { "Step" } td #step { (lead.step.as_deref().unwrap_or("—")) } }
            tr { th { "Owner" } td #owner { (lead.owner.as_deref().unwrap_or("unassigned")) } }
            tr { th { "Source" } td { (lead.source) } }
            @if let Some(company) = &lead.company {
                tr { th { "Company" } td { (company.name) @if let Some(domain) = &company.domain { " (" (domain) ")" } } }
            }
            @for contact in &lead.contacts {
                tr { th { "Contact" } td.contact {
                    (contact.name.as_deref().unwrap_or(""))
                    @if let Some(title) = &contact.title { ", " (title) }
                    @for email in &contact.emails { br; a href={ "mailto:" (email) } { (email) } }
                    @if let Some(phone) = &contact.phone { br; a href={ "tel:" (phone) } { (phone) } }
                } }
            }
            @if let Some(amount) = &lead.amount { tr { th { "Amount" } td { (amount.value) " " (amount.currency) } } }
            @if !lead.tags.is_empty() { tr { th { "Tags" } td { (lead.tags.join(", ")) } } }
            @if !lead.flags.is_empty() { tr { th { "Flags" } td { (lead.flags.join(", ")) } } }
            tr { th { "Next action" } td #next-action {
                @match &lead.next_action {
                    Some(next) => { (due_text(next.due_at, zone, view.now)) " · " (next.kind) " · " (next.note) }
                    None => { "none" }
                }
            } }
            tr { th { "Created" } td { (local(lead.created_at, zone)) } }
        }
    }
}

/// One small form posting `action` to the lead, with `fields` before its button.
fn form(nav: Nav<'_>, lead: &LeadView, action: &str, label: &str, fields: Markup) -> Markup {
    html! {
        form method="post" action={ "/leads/" (lead.id) "/act" } {
            (csrf_field(nav.csrf))
            input type="hidden" name="action" value=(action);
            (fields) " "
            button type="submit" name="do" value=(action) { (label) }
        }
    }
}

fn actions(settings: &Settings, nav: Nav<'_>, view: &LeadPage<'_>) -> Markup {
    let lead = view.lead;
    let open = lead.status.is_open();
    let none = html! {};
    html! {
        @if open && lead.next_action.is_some() {
            (form(nav, lead, "done", "Next action done", none.clone()))
        }
        @if open {
            (form(nav, lead, "snooze", "Snooze", html! { input type="text" name="when" placeholder="2d, monday, 2026-12-01" required size="14"; }))
            (form(nav, lead, "next", "Set next action", html! { input type="text" name="what" placeholder="friday 14:00 call back" required size="24"; }))
        }
        @if lead.kind == LeadKind::Lead {
            (form(nav, lead, "step", "Move to step", html! {
                select name="step" { @for step in &settings.crm.steps { option value=(step) selected[lead.step.as_deref() == Some(step.as_str())] { (step) } } }
            }))
        }
        @if open && lead.kind == LeadKind::Lead {
            (form(nav, lead, "won", "Won", html! { input type="text" name="reason" placeholder="how (optional)" size="16"; }))
            (form(nav, lead, "lost", "Lost", html! { input type="text" name="reason" placeholder="why" required size="16"; }))
            @if lead.status == LeadStatus::Todo {
                (form(nav, lead, "standby", "Standby until", html! { input type="text" name="when" placeholder="2w, 2027-01-10" required size="14"; }))
            }
        }
        @if open && lead.kind == LeadKind::Prospect {
            (form(nav, lead, "convert", "Convert to a lead", none.clone()))
        }
        @if open {
            (form(nav, lead, "cancel", "Cancel (never contact again)", html! { input type="text" name="reason" placeholder="why" size="16"; }))
        }
        @if !view.assignable.is_empty() {
            (form(nav, lead, "owner", "Change owner", html! {
                select name="owner" { @for user in &view.assignable { option value=(user.email) selected[lead.owner.as_deref() == Some(user.email.as_ref())] { (user.name) } } }
            }))
        }
        (form(nav, lead, "amount", "Set amount", html! {
            input type="text" name="amount" value=(lead.amount.as_ref().map(|a| format!("{} {}", a.value, a.currency)).unwrap_or_default()) placeholder="5000 EUR" required size="12";
        }))
        (form(nav, lead, "tags", "Set tags", html! {
            input type="text" name="tags" value=(lead.tags.join(", ")) placeholder="vip, renewal" size="24";
        }))
        (form(nav, lead, "note", "Add note", html! { br; textarea name="text" rows="3" cols="40" required {} br; }))
    }
}

fn timeline(entries: &[TimelineView], user: &User) -> Markup {
    let zone = user.calendar.time_zone;
    html! {
        ol.timeline #timeline reversed {
            @for entry in entries.iter().rev() {
                li {
                    strong { (entry.kind.as_str().replace('_', " ")) } " · " (local(entry.occurred_at, zone))
                    @if let Some(actor) = &entry.actor { " · " span.actor { (actor) } }
                    br; em { (entry.subject) }
                    @if !entry.body.is_empty() { pre { (entry.body) } }
                    @if !entry.attachments.is_empty() { ul { @for a in &entry.attachments { li { (attachment(a)) } } } }
                }
            }
        }
    }
}

fn attachment(a: &AttachmentView) -> Markup {
    html! {
        "📎 " (a.name) " (" (a.mime_type) ", " (a.size) " bytes"
        @if a.stored { ", kept" }
        @if let Some(note) = &a.note { ", " (note) }
        ") " span.muted { "sha256 " (a.sha256[..12.min(a.sha256.len())]) "…" }
    }
}
