//! Sender authentication (DESIGN §2 step 4): reads RFC 8601 `Authentication-Results` headers
//! written by our own trusted receivers and decides whether a user's or partner's From passes
//! the configured DMARC / DKIM / SPF check.
//!
//! Pure and bounded: each header is read up to [`MAX_HEADER_BYTES`], at most
//! [`MAX_HEADERS`] headers are looked at, and nothing here can panic.
//!
//! # Layout
//!
//! - this file: the public types, [`check_sender`] and [`parse_authentication_results`].
//! - `parse`: the RFC 8601 tokens and grammar.
//! - `check`: which headers count, judging one result, and relaxed domain alignment.

use std::fmt;

mod check;
mod parse;

#[cfg(test)]
mod tests;

use check::{judge_header, no_trusted_header_detail, normalise_domain, topmost_trusted_headers};
use parse::{leading_version, parse_results, tokenize, Token};

/// Longest header value parsed; the rest is ignored.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Most `Authentication-Results` headers looked at, from the top.
pub const MAX_HEADERS: usize = 64;
/// Deepest comment nesting accepted.
const MAX_COMMENT_DEPTH: usize = 32;

pub use crate::config::SenderAuthMode;

/// The outcome of checking a message's sender.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthVerdict {
    /// Whether the From identity may be trusted.
    pub passed: bool,
    /// Why, e.g. "dmarc=pass (header.from=acme.test) by mx.acme.test".
    pub detail: String,
}

impl AuthVerdict {
    fn pass(detail: impl Into<String>) -> Self {
        AuthVerdict {
            passed: true,
            detail: detail.into(),
        }
    }

    fn fail(detail: impl Into<String>) -> Self {
        AuthVerdict {
            passed: false,
            detail: detail.into(),
        }
    }
}

/// One parsed `Authentication-Results` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthResults {
    /// Who wrote the header, lowercase (e.g. "mx.acme.test").
    pub authserv_id: String,
    /// The optional header version (1 when absent).
    pub version: Option<u32>,
    /// Every `method=result`; empty for `none`.
    pub results: Vec<MethodResult>,
}

/// One `method=result` with its reason and `ptype.property=value` pairs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodResult {
    /// Lowercase method without its version, e.g. "dkim".
    pub method: String,
    /// Lowercase result, e.g. "pass".
    pub result: String,
    /// The `reason=` text, if any.
    pub reason: Option<String>,
    /// Properties in order, names lowercase: ("header.d", "acme.test").
    pub properties: Vec<(String, String)>,
}

impl MethodResult {
    /// The first value of a property such as "header.d".
    pub fn property(&self, name: &str) -> Option<&str> {
        self.properties
            .iter()
            .find(|(property, _)| property.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Why an `Authentication-Results` value could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// The value is empty or only comments.
    Empty,
    /// The value does not start with an authserv-id.
    MissingAuthservId,
    /// Something other than `;` follows the authserv-id (and version).
    ExpectedSemicolon(String),
    /// A `(` comment is never closed, or nests too deep.
    UnterminatedComment,
    /// A `"` quoted string is never closed.
    UnterminatedQuotedString,
    /// A result is not `method=result`.
    MalformedResult(String),
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::Empty => write!(f, "empty value"),
            ParseError::MissingAuthservId => write!(f, "no authserv-id"),
            ParseError::ExpectedSemicolon(found) => {
                write!(f, "expected ';' after the authserv-id, found {found:?}")
            }
            ParseError::UnterminatedComment => write!(f, "unterminated comment"),
            ParseError::UnterminatedQuotedString => write!(f, "unterminated quoted string"),
            ParseError::MalformedResult(found) => write!(f, "malformed result {found:?}"),
        }
    }
}

impl std::error::Error for ParseError {}

/// The authserv-id that results verified by leadmail itself carry in
/// verdicts ([`check_sender_verified`]); never read from a message.
pub const VERIFIED_HERE: &str = "leadmail (verified here)";

/// Checks the From domain against the configured mode. `ar_headers`: raw values of every
/// Authentication-Results header, topmost first. Only the TOPMOST header from each trusted
/// authserv-id counts (headers lower down may have been forged by the sender).
pub fn check_sender(
    ar_headers: &[&str],
    from_domain: &str,
    mode: SenderAuthMode,
    trusted_authserv_ids: &[String],
) -> AuthVerdict {
    check_sender_verified(ar_headers, None, from_domain, mode, trusted_authserv_ids)
}

/// [`check_sender`], also believing `verified_here`: the results leadmail
/// worked out itself over DNS (an RFC 8601 value, see `crate::dns_auth`)
/// for a message that no trusted receiver judged. Whatever authserv-id that
/// value names, it is judged as [`VERIFIED_HERE`].
pub fn check_sender_verified(
    ar_headers: &[&str],
    verified_here: Option<&str>,
    from_domain: &str,
    mode: SenderAuthMode,
    trusted_authserv_ids: &[String],
) -> AuthVerdict {
    if mode == SenderAuthMode::None {
        return AuthVerdict::pass("sender authentication is off (sender_auth = \"none\")");
    }
    let from_domain = normalise_domain(from_domain);
    if from_domain.is_empty() {
        return AuthVerdict::fail("no From domain to authenticate");
    }
    let mut counted = topmost_trusted_headers(ar_headers, trusted_authserv_ids);
    if let Some(value) = verified_here {
        counted.push((
            VERIFIED_HERE.to_string(),
            parse_authentication_results(value),
        ));
    }
    if counted.is_empty() {
        return AuthVerdict::fail(no_trusted_header_detail(ar_headers, trusted_authserv_ids));
    }
    let verdicts: Vec<AuthVerdict> = counted
        .iter()
        .map(|(id, parsed)| judge_header(id, parsed, &from_domain, mode))
        .collect();
    let passing = verdicts.iter().find(|verdict| verdict.passed);
    passing.cloned().unwrap_or_else(|| {
        let details: Vec<&str> = verdicts.iter().map(|v| v.detail.as_str()).collect();
        AuthVerdict::fail(details.join("; "))
    })
}

/// True when a trusted receiver wrote an `Authentication-Results` header
/// (its topmost one counts, readable or not): its word stands and nothing
/// needs verifying here.
pub fn judged_by_trusted_receiver(ar_headers: &[&str], trusted_authserv_ids: &[String]) -> bool {
    !topmost_trusted_headers(ar_headers, trusted_authserv_ids).is_empty()
}

/// Parses one `Authentication-Results` value (RFC 8601 §2.2): authserv-id, optional
/// version, then `;`-separated `method=result` entries with `reason=` and properties, or
/// `none`. Comments are skipped, quoted strings unquoted, names and results lowercased.
pub fn parse_authentication_results(value: &str) -> Result<AuthResults, ParseError> {
    let tokens = tokenize(value)?;
    let mut rest = tokens.as_slice();
    let authserv_id = match rest.first() {
        Some(Token::Word(id) | Token::Quoted(id)) => id.to_ascii_lowercase(),
        Some(_) => return Err(ParseError::MissingAuthservId),
        None => return Err(ParseError::Empty),
    };
    rest = &rest[1..];
    let version = leading_version(&mut rest);
    match rest.first() {
        None | Some(Token::Semicolon) => {}
        Some(other) => return Err(ParseError::ExpectedSemicolon(other.to_string())),
    }
    Ok(AuthResults {
        authserv_id,
        version,
        results: parse_results(rest)?,
    })
}
