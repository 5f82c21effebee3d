//! The Mailboxes page: what `leadmail status` says (each mailbox's sync,
//! checkpoint and last error, who holds it, the database's totals) and the
//! webhook deliveries.

use super::layout::{page, Nav};
use crate::store::{DeliveryView, LeaseView, MailboxState, StoreTotals};
use maud::{html, Markup};

/// What the page shows.
pub struct MailboxesView<'a> {
    /// Each mailbox's stored state.
    pub states: &'a [MailboxState],
    /// Which daemon holds which mailbox.
    pub leases: &'a [LeaseView],
    /// The database's totals.
    pub totals: &'a StoreTotals,
    /// The latest webhook deliveries.
    pub deliveries: &'a [DeliveryView],
}

/// The page.
pub fn render(nav: Nav<'_>, view: &MailboxesView<'_>) -> Markup {
    let t = view.totals;
    page(
        "Mailboxes",
        Some(nav),
        html! {
            h1 { "Mailboxes" }
            table #mailboxes {
                thead { tr { th { "Mailbox" } th { "Last sync" } th { "Checkpoint" } th { "Processed" } th { "Held by" } th { "Last error" } } }
                tbody { @for state in view.states { (mailbox_row(state, view.leases)) } }
            }
            p { (t.messages) " messages, " (t.open_leads) " open leads, " (t.open_prospects) " open prospects, " (t.quarantined) " in quarantine" }
            h2 { "Webhook deliveries" }
            @if view.deliveries.is_empty() { p.muted { "None." } }
            table #deliveries {
                @for d in view.deliveries {
                    tr {
                        td { "evt_" (d.event_id) } td { (d.webhook) } td { (d.event_type) } td { (d.state) }
                        td { (d.attempts) " attempt(s)" } td { (d.last_error.as_deref().unwrap_or("")) }
                    }
                }
            }
        },
    )
}

fn mailbox_row(state: &MailboxState, leases: &[LeaseView]) -> Markup {
    let holder = leases.iter().find(|l| l.mailbox == state.mailbox);
    html! {
        tr {
            td { (state.mailbox) " / " (state.folder) }
            td { (state.last_sync_at.as_deref().unwrap_or("never")) }
            td { (state.uid_validity) ":" (state.last_uid) }
            td { (state.processed) }
            td { @if let Some(l) = holder { (l.host) " pid " (l.pid) } @else { "—" } }
            td.error-text { (state.last_error.as_deref().unwrap_or("")) }
        }
    }
}
