//! The Team page: per-rep counts (the digest's team table) and each rep's
//! activity (`users list`'s figures: open, overdue, replied, last mail and
//! digest).

use super::day::team_table;
use super::layout::{page, Nav};
use crate::digest::model::RepCounts;
use crate::store::UserActivity;
use maud::{html, Markup};

/// The page.
pub fn render(nav: Nav<'_>, counts: &[RepCounts], activity: &[UserActivity]) -> Markup {
    page(
        "Team",
        Some(nav),
        html! {
            h1 { "Team" }
            (team_table(counts))
            h2 { "Activity" }
            table {
                thead { tr { th { "Rep" } th { "Open leads" } th { "Overdue" } th { "Replied" } th { "Last mail" } th { "Last digest" } } }
                tbody {
                    @for rep in activity {
                        tr {
                            td { (rep.email) } td { (rep.open_leads) } td { (rep.overdue) } td { (rep.replied) }
                            td { (rep.last_mail_at.as_deref().unwrap_or("—")) }
                            td { (rep.last_digest_at.as_deref().unwrap_or("—")) }
                        }
                    }
                }
            }
        },
    )
}
