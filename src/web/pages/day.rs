//! My day: the user's digest, live — the same sections the morning mail
//! has (`digest::sections`), each lead linked to its page and each due
//! next action with a "done" button and a "snooze" form (tomorrow by
//! default), posted to the lead page's action handler.

use super::layout::{csrf_field, page, Nav};
use crate::digest::content::Digest;
use crate::digest::model::RepCounts;
use crate::digest::sections::{laid_out, Item, Section};
use maud::{html, Markup};

/// The page.
pub fn render(nav: Nav<'_>, digest: &Digest) -> Markup {
    let sections = laid_out(digest);
    page(
        "My day",
        Some(nav),
        html! {
            h1 { "My day" }
            p.muted { (digest.day.format("%A %-d %B %Y")) " · " (digest.time_zone) }
            @if sections.is_empty() { p #nothing { "Nothing due and nothing new. Have a good day." } }
            @for (section, items) in &sections {
                section.day-section {
                    h2 { (section.title(digest)) " (" (count(*section, items, digest)) ")" }
                    @if *section == Section::Team { (team_table(&digest.team)) }
                    @for item in items { (item_html(nav, *section, item)) }
                }
            }
        },
    )
}

fn count(section: Section, items: &[Item], digest: &Digest) -> usize {
    match section {
        Section::Team => digest.team.len(),
        _ => items.len(),
    }
}

fn item_html(nav: Nav<'_>, section: Section, item: &Item) -> Markup {
    let due = matches!(section, Section::Overdue | Section::Today);
    html! {
        div.item {
            strong {
                @match item.lead_id {
                    Some(id) => a href={ "/leads/" (id) } { (item.headline) },
                    None => a href="/quarantine" { (item.headline) },
                }
            }
            @for line in &item.details { br; span.muted { (line) } }
            @if let (true, Some(id)) = (due, item.lead_id) {
                form.inline method="post" action={ "/leads/" (id) "/act" } {
                    (csrf_field(nav.csrf))
                    input type="hidden" name="action" value="done";
                    input type="hidden" name="back" value="/";
                    " " button type="submit" { "Done" }
                }
                form.inline method="post" action={ "/leads/" (id) "/act" } {
                    (csrf_field(nav.csrf))
                    input type="hidden" name="action" value="snooze";
                    input type="hidden" name="back" value="/";
                    " " input type="text" name="when" value="tomorrow" size="9" aria-label="Snooze until";
                    " " button type="submit" { "Snooze" }
                }
            }
        }
    }
}

/// Per-rep counts, as in the team lead's digest.
pub fn team_table(rows: &[RepCounts]) -> Markup {
    html! {
        table.team {
            thead { tr { th { "Rep" } th { "Overdue" } th { "Today" } th { "New" } th { "No next action" } th { "Quiet" } } }
            tbody {
                @for row in rows {
                    tr {
                        td { a href={ "/leads?owner=" (row.email) } { (row.name) } }
                        td { (row.overdue) } td { (row.today) } td { (row.new) } td { (row.no_next_action) } td { (row.stale) }
                    }
                }
            }
        }
    }
}
