//! The Calendar page: the user's secret feed of next actions. Only the
//! token's hash is kept, so the URL is shown once, when it is made; a new
//! one replaces it (the old stops working), and the feed can be turned off.

use super::layout::{csrf_field, page, Nav};
use super::local;
use chrono::{DateTime, Utc};
use maud::{html, Markup};

/// The page; `new_url` is the feed's URL right after it was made.
pub fn render(nav: Nav<'_>, created: Option<DateTime<Utc>>, new_url: Option<&str>) -> Markup {
    let zone = nav.user.calendar.time_zone;
    page(
        "Calendar",
        Some(nav),
        html! {
            h1 { "Calendar feed" }
            p { "Subscribe to your open next actions from any calendar app (times in " (zone) "). Anyone with the URL can read it: keep it to yourself." }
            @if let Some(url) = new_url {
                p.flash { "Your feed URL (shown only now; copy it): " br; code #feed-url { (url) } }
            } @else if let Some(at) = created {
                p { "Your feed was made " (local(at, zone)) ". Its URL is shown only when it is made: make a new one to see it again." }
            } @else {
                p { "You have no feed." }
            }
            form method="post" action="/calendar/new" {
                (csrf_field(nav.csrf))
                button type="submit" id="new-feed" { @if created.is_some() { "Make a new URL (the old one stops working)" } @else { "Make my feed URL" } }
            }
            @if created.is_some() {
                form method="post" action="/calendar/revoke" {
                    (csrf_field(nav.csrf))
                    button type="submit" id="revoke-feed" { "Turn the feed off" }
                }
            }
        },
    )
}
