//! The Quarantine pages: the held entries a user may resolve, one entry
//! (its header block, never its body) with release and dismiss forms.

use super::layout::{csrf_field, page, Nav};
use crate::store::{QuarantineEntry, QuarantineView};
use maud::{html, Markup};

/// The list.
pub fn list(nav: Nav<'_>, entries: &[QuarantineView]) -> Markup {
    page(
        "Quarantine",
        Some(nav),
        html! {
            h1 { "Quarantine" }
            @if entries.is_empty() { p { "Nothing held for you." } }
            table #quarantine {
                @for q in entries {
                    tr {
                        td { a href={ "/quarantine/" (q.id) } { "#" (q.id) } }
                        td { (q.reason.as_str()) }
                        td { (q.from.as_deref().unwrap_or("")) br; em { (q.subject) } }
                        td.muted { (q.detail) }
                    }
                }
            }
        },
    )
}

/// One entry.
pub fn show(nav: Nav<'_>, entry: &QuarantineEntry) -> Markup {
    let q = &entry.view;
    page(
        &format!("Quarantine #{}", q.id),
        Some(nav),
        html! {
            h1 { "Quarantine #" (q.id) }
            table {
                tr { th { "Reason" } td { (q.reason.as_str()) " (" (q.status) ")" } }
                tr { th { "From" } td { (q.from.as_deref().unwrap_or("")) } }
                tr { th { "Subject" } td { (q.subject) } }
                tr { th { "Detail" } td { (q.detail) } }
                tr { th { "Received" } td { (q.received_at.to_rfc3339()) } }
                tr { th { "Size" } td { (entry.size) " bytes" } }
                @if let (Some(by), Some(note)) = (&q.resolved_by, &q.resolution_note) {
                    tr { th { "Resolved" } td { (q.status) " by " (by) ": " (note) } }
                }
            }
            h2 { "Headers" }
            pre { (header_block(&entry.kept)) }
            @if q.status == "held" {
                @for (action, label) in [("release", "Release (file it, vouched for)"), ("dismiss", "Dismiss (leave it unfiled)")] {
                    form method="post" action={ "/quarantine/" (q.id) "/" (action) } {
                        (csrf_field(nav.csrf))
                        input type="text" name="reason" placeholder="why" required size="24";
                        " " button type="submit" id=(action) { (label) }
                    }
                }
            }
        },
    )
}

/// The message's header block (never its body).
fn header_block(raw: &[u8]) -> String {
    let text = String::from_utf8_lossy(raw);
    let end = text
        .find("\r\n\r\n")
        .or_else(|| text.find("\n\n"))
        .unwrap_or(text.len());
    text[..end].to_string()
}
