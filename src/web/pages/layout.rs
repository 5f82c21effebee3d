//! The frame of every page: head, a navigation bar for a signed-in user,
//! the sign-out form, and the little CSS that makes it usable on a phone.

use crate::config::User;
use crate::domain::access::Role;
use maud::{html, Markup, DOCTYPE};

/// The style sheet, inline: one request per page, no build step.
const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:0;color:#222;background:#fafafa}\
header{background:#234;color:#fff;padding:.5em 1em;display:flex;flex-wrap:wrap;gap:.8em;align-items:center}\
header a{color:#fff}header form{margin-left:auto}\
main{padding:1em;max-width:60em;margin:auto}\
table{border-collapse:collapse;width:100%}td,th{text-align:left;padding:.3em;border-bottom:1px solid #ddd;vertical-align:top}\
.overdue{color:#a00}.muted{color:#777}.flash{background:#efe;padding:.5em;border:1px solid #aca}\
.error{background:#fee;padding:.5em;border:1px solid #caa}\
form.inline{display:inline}input,select,button,textarea{font-size:1em;margin:.15em 0}\
.actions form{margin:.3em 0}.timeline li{margin-bottom:.8em}pre{white-space:pre-wrap;word-break:break-word}\
@media(max-width:40em){td,th{display:block;border:0}tr{display:block;border-bottom:1px solid #ccc}}";

/// Who is signed in, for the navigation bar.
#[derive(Debug, Clone, Copy)]
pub struct Nav<'a> {
    /// The user.
    pub user: &'a User,
    /// Their session's CSRF token (for the sign-out form).
    pub csrf: &'a str,
}

/// A whole page: `title`, the navigation when someone is signed in, `body`.
pub fn page(title: &str, nav: Option<Nav<'_>>, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="referrer" content="no-referrer";
                title { (title) " · leadmail" }
                style { (maud::PreEscaped(STYLE)) }
            }
            body {
                @if let Some(nav) = nav { (navigation(nav)) }
                main { (body) }
            }
        }
    }
}

fn navigation(nav: Nav<'_>) -> Markup {
    let role = nav.user.role;
    html! {
        header {
            a href="/" { "My day" }
            a href="/leads" { "Leads & Prospects" }
            @if role != Role::User { a href="/team" { "Team" } }
            a href="/quarantine" { "Quarantine" }
            @if role == Role::Admin { a href="/mailboxes" { "Mailboxes" } }
            a href="/calendar" { "Calendar" }
            form method="post" action="/signout" {
                (csrf_field(nav.csrf))
                span.muted { (nav.user.name) " " }
                button type="submit" { "Sign out" }
            }
        }
    }
}

/// The hidden field every POST form carries.
pub fn csrf_field(csrf: &str) -> Markup {
    html! { input type="hidden" name="csrf" value=(csrf); }
}

/// A page that says what went wrong (404, 403, 429, 500).
pub fn problem(title: &str, text: &str, nav: Option<Nav<'_>>) -> Markup {
    page(
        title,
        nav,
        html! { h1 { (title) } p { (text) } p { a href="/" { "Back" } } },
    )
}
