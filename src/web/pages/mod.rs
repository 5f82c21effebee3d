//! The pages, pure: data in, `maud` markup out. Everything from mail is
//! text that maud escapes; nothing here reads the store or the clock.

pub mod calendar;
pub mod day;
pub mod layout;
pub mod lead;
pub mod leads;
pub mod mailboxes;
pub mod quarantine;
pub mod signin;
pub mod team;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use maud::{html, Markup};

/// A link to a lead's page.
pub fn lead_link(id: i64, title: &str) -> Markup {
    html! { a href={ "/leads/" (id) } { (title) } }
}

/// A due time in the user's zone, marked when it is past.
pub fn due_text(due: DateTime<Utc>, zone: Tz, now: DateTime<Utc>) -> Markup {
    let text = local(due, zone);
    html! {
        @if due < now { span.overdue { (text) " (overdue)" } } @else { span { (text) } }
    }
}

/// `2026-11-23 09:00` in `zone`.
pub fn local(at: DateTime<Utc>, zone: Tz) -> String {
    at.with_timezone(&zone).format("%Y-%m-%d %H:%M").to_string()
}
