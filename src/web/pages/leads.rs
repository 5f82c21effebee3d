//! The Leads & Prospects page: the filter form and one page of results.

use super::layout::{page, Nav};
use super::{due_text, lead_link};
use crate::config::Settings;
use crate::domain::LeadStatus;
use crate::store::LeadPage;
use crate::web::listing::ListQuery;
use chrono::{DateTime, Utc};
use maud::{html, Markup};

/// The page for `query` showing `found`.
pub fn list(
    settings: &Settings,
    nav: Nav<'_>,
    query: &ListQuery,
    found: &LeadPage,
    now: DateTime<Utc>,
) -> Markup {
    let zone = nav.user.calendar.time_zone;
    page(
        "Leads & Prospects",
        Some(nav),
        html! {
            h1 { "Leads & Prospects" }
            (filters(settings, query))
            p.muted { (found.total) " found" }
            table #leads {
                thead { tr { th { "#" } th { "Lead" } th { "Status" } th { "Next action" } th { "Owner" } } }
                tbody {
                    @for lead in &found.leads {
                        tr {
                            td { (lead.id) }
                            td {
                                (lead_link(lead.id, &lead.title))
                                @if let Some(company) = &lead.company { br; span.muted { (company.name) } }
                                @for contact in lead.contacts.iter().take(1) {
                                    br; span.muted { (contact.name.as_deref().or(contact.emails.first().map(String::as_str)).unwrap_or("")) }
                                }
                            }
                            td { (lead.kind) " · " (lead.status) @if let Some(step) = &lead.step { " · " (step) } }
                            td { @if let Some(next) = &lead.next_action { (due_text(next.due_at, zone, now)) " " (next.note) } }
                            td { (lead.owner.as_deref().unwrap_or("unassigned")) }
                        }
                    }
                }
            }
            (pager(query, found))
        },
    )
}

fn filters(settings: &Settings, query: &ListQuery) -> Markup {
    let statuses = ["open", "all"]
        .into_iter()
        .chain(LeadStatus::ALL.iter().map(|s| s.as_str()));
    html! {
        form method="get" action="/leads" {
            input type="search" name="q" value=(query.q) placeholder="name, company, address, phone";
            select name="kind" {
                (option("", "leads & prospects", &query.kind))
                (option("lead", "leads", &query.kind))
                (option("prospect", "prospects", &query.kind))
            }
            select name="status" { @for s in statuses { (option(s, s, &query.status)) } }
            select name="step" {
                (option("", "any step", &query.step))
                @for step in &settings.crm.steps { (option(step, step, &query.step)) }
            }
            select name="owner" {
                (option("", "any owner", &query.owner))
                (option("none", "unassigned", &query.owner))
                @for user in &settings.users { (option(user.email.as_ref(), &user.name, &query.owner)) }
            }
            input type="text" name="source" value=(query.source) placeholder="source" size="10";
            input type="text" name="tag" value=(query.tag) placeholder="tag" size="8";
            select name="sort" {
                (option("", "by due date", &query.sort))
                (option("activity", "by last activity", &query.sort))
                (option("created", "newest first", &query.sort))
                (option("title", "by title", &query.sort))
            }
            button type="submit" { "Filter" }
        }
    }
}

fn option(value: &str, label: &str, current: &str) -> Markup {
    html! { option value=(value) selected[value == current] { (label) } }
}

fn pager(query: &ListQuery, found: &LeadPage) -> Markup {
    html! {
        @if found.pages > 1 {
            p {
                @if found.page > 1 { a href={ "/leads?" (query.with_page(found.page - 1)) } { "← previous" } " " }
                "page " (found.page) " of " (found.pages)
                @if found.page < found.pages { " " a href={ "/leads?" (query.with_page(found.page + 1)) } { "next →" } }
            }
        }
    }
}
