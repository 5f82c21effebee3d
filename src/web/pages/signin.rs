//! The sign-in pages: ask for a link, "check your mail" (the same answer
//! whether or not the address is a user's), and the page a link opens,
//! whose button signs in (a POST, so a link scanner that only GETs the
//! link cannot use it up).

use super::layout::{csrf_field, page};
use maud::{html, Markup};

/// The form that asks for a link.
pub fn ask(csrf: &str, note: Option<&str>) -> Markup {
    page(
        "Sign in",
        None,
        html! {
            h1 { "Sign in to leadmail" }
            @if let Some(note) = note { p.error { (note) } }
            p { "Type your work address: we mail you a link that signs you in." }
            form method="post" action="/signin" {
                (csrf_field(csrf))
                label { "Address " input type="email" name="email" required autocomplete="email"; }
                " "
                button type="submit" { "Mail me a link" }
            }
        },
    )
}

/// The answer to every accepted request.
pub fn sent() -> Markup {
    page(
        "Check your mail",
        None,
        html! {
            h1 { "Check your mail" }
            p { "If this address belongs to a leadmail user, a sign-in link is on its way. It works once, for 15 minutes." }
        },
    )
}

/// The page a link opens: one button that signs in.
pub fn confirm(token: &str, csrf: &str) -> Markup {
    page(
        "Sign in",
        None,
        html! {
            h1 { "Sign in to leadmail" }
            form method="post" action="/signin/confirm" {
                (csrf_field(csrf))
                input type="hidden" name="token" value=(token);
                button type="submit" id="sign-in" { "Sign in" }
            }
        },
    )
}

/// A link that is used, expired, or was never made.
pub fn bad_link() -> Markup {
    page(
        "Link not valid",
        None,
        html! {
            h1 { "This link does not work" }
            p { "A sign-in link works once, for 15 minutes. " a href="/signin" { "Ask for a new one" } "." }
        },
    )
}
