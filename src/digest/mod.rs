//! The morning digest, pure: rows + user + clock → [`content::Digest`] →
//! subject, text and HTML; when it is due; and the confirmation of the
//! commands a user sends back. No I/O: the store fills the rows, the SMTP
//! adapter sends, the daemon schedules (DESIGN §3, §4).
//!
//! # Layout
//!
//! - [`model`]: the input rows ([`model::DigestInput`]) the store fills.
//! - [`content`]: rows → sections ([`content::build`]), and the per-rep
//!   tally ([`content::Rules::tally`]) with the same rules.
//! - [`sections`], [`words`]: the wording both parts share (titles, items,
//!   subject, localised dates).
//! - [`render_text`], [`render_html`]: the two parts of the mail.
//! - [`schedule`]: which local day's digest is due now.
//! - [`alert`]: the mails admins get when a mailbox is down, and back.
//! - [`receipt`]: the mail a rep gets when their mail could not be filed.
//! - [`confirmation`]: the answer to a reply's commands (the commands
//!   themselves are read by [`crate::commands::reply`]; the Message-IDs and
//!   `X-Leadmail` header are [`crate::domain::ids`]).

pub mod alert;
pub mod confirmation;
pub mod content;
pub mod model;
pub mod receipt;
pub mod render_html;
pub mod render_text;
pub mod schedule;
pub mod sections;
pub mod words;

#[cfg(test)]
mod tests;

use content::Digest;

/// A digest ready to be put in a multipart/alternative mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedDigest {
    /// "Your day: 3 overdue, 5 today, 2 new leads".
    pub subject: String,
    /// The text/plain part.
    pub text: String,
    /// The text/html part.
    pub html: String,
}

/// Renders the subject and both parts of a digest (its sections' items
/// worked out once for both).
pub fn render(digest: &Digest) -> RenderedDigest {
    let sections = sections::laid_out(digest);
    RenderedDigest {
        subject: words::subject(digest),
        text: render_text::text_part(digest, &sections),
        html: render_html::html_part(digest, &sections),
    }
}
