//! Checking a sender: which `Authentication-Results` headers count, how one result is judged
//! for the configured mode, and relaxed domain alignment (RFC 7489 §3.1).

use super::parse::{Lexer, Token};
use super::{
    parse_authentication_results, AuthResults, AuthVerdict, MethodResult, ParseError,
    SenderAuthMode, MAX_HEADERS,
};

/// One header per trusted authserv-id: the topmost one, parsed or not.
pub(super) fn topmost_trusted_headers(
    ar_headers: &[&str],
    trusted: &[String],
) -> Vec<(String, Result<AuthResults, ParseError>)> {
    let mut counted: Vec<(String, Result<AuthResults, ParseError>)> = Vec::new();
    for header in ar_headers.iter().take(MAX_HEADERS) {
        let Some(id) = authserv_id(header) else {
            continue;
        };
        let is_trusted = trusted.iter().any(|t| t.trim().eq_ignore_ascii_case(&id));
        if is_trusted && !counted.iter().any(|(seen, _)| *seen == id) {
            counted.push((id, parse_authentication_results(header)));
        }
    }
    counted
}

/// The authserv-id of a header even when the rest of it is malformed, so that a broken
/// trusted header still hides the (possibly forged) ones below it.
fn authserv_id(header: &str) -> Option<String> {
    let mut lexer = Lexer::new(header);
    match lexer.next_token() {
        Ok(Some(Token::Word(id) | Token::Quoted(id))) => Some(id.to_ascii_lowercase()),
        _ => None,
    }
}

pub(super) fn no_trusted_header_detail(ar_headers: &[&str], trusted: &[String]) -> String {
    let trusted_list = if trusted.is_empty() {
        "none configured".to_string()
    } else {
        trusted.join(", ")
    };
    let unreadable = ar_headers
        .iter()
        .take(MAX_HEADERS)
        .filter(|header| authserv_id(header).is_none())
        .count();
    let mut detail =
        format!("no Authentication-Results from a trusted authserv-id (trusted: {trusted_list})");
    if unreadable > 0 {
        detail.push_str(&format!("; {unreadable} header(s) could not be parsed"));
    }
    detail
}

pub(super) fn judge_header(
    id: &str,
    parsed: &Result<AuthResults, ParseError>,
    from_domain: &str,
    mode: SenderAuthMode,
) -> AuthVerdict {
    let results = match parsed {
        Ok(results) => results,
        Err(error) => {
            return AuthVerdict::fail(format!(
                "Authentication-Results by {id} could not be parsed: {error}"
            ))
        }
    };
    let method = mode.method();
    let candidates: Vec<&MethodResult> = results
        .results
        .iter()
        .filter(|result| result.method == method)
        .collect();
    if candidates.is_empty() {
        return AuthVerdict::fail(format!(
            "no {method} result in Authentication-Results by {id}"
        ));
    }
    // Several results (one per DKIM signature): the pass, else the most telling failure.
    candidates
        .iter()
        .map(|result| judge_result(result, from_domain, mode, id))
        .min_by_key(|(outcome, _)| *outcome)
        .map(|(_, verdict)| verdict)
        .unwrap_or_else(|| AuthVerdict::fail("no result"))
}

/// How one result fared, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Outcome {
    Passed,
    PassedForAnotherDomain,
    Failed,
}

fn judge_result(
    result: &MethodResult,
    from_domain: &str,
    mode: SenderAuthMode,
    id: &str,
) -> (Outcome, AuthVerdict) {
    let identity = checked_identity(result, mode);
    let shown = describe(result, identity.clone());
    if result.result != "pass" {
        return (
            Outcome::Failed,
            AuthVerdict::fail(format!("{shown} by {id}")),
        );
    }
    match mode {
        SenderAuthMode::Dmarc => judge_dmarc(identity, from_domain, &shown, id),
        _ => judge_aligned(identity, from_domain, &shown, id),
    }
}

/// The property that names the authenticated domain for this mode.
fn checked_identity(result: &MethodResult, mode: SenderAuthMode) -> Option<(&str, String)> {
    let names: &[&str] = match mode {
        SenderAuthMode::Dmarc => &["header.from"],
        SenderAuthMode::Dkim => &["header.d", "header.i"],
        SenderAuthMode::Spf => &["smtp.mailfrom", "smtp.mfrom"],
        SenderAuthMode::None => &[],
    };
    names.iter().find_map(|name| {
        let value = result.property(name)?;
        let domain = normalise_domain(value.rsplit('@').next().unwrap_or(value));
        (!domain.is_empty()).then_some((*name, domain))
    })
}

/// DMARC already checked alignment, but for which From? A pass counts only
/// when its `header.from` names our From domain: one without it could be
/// about another From field of the same message.
fn judge_dmarc(
    identity: Option<(&str, String)>,
    from_domain: &str,
    shown: &str,
    id: &str,
) -> (Outcome, AuthVerdict) {
    match identity {
        Some((_, domain)) if domain == from_domain => (
            Outcome::Passed,
            AuthVerdict::pass(format!("{shown} by {id}")),
        ),
        Some((_, domain)) => (
            Outcome::PassedForAnotherDomain,
            AuthVerdict::fail(format!(
                "{shown} by {id} is for header.from={domain}, not {from_domain}"
            )),
        ),
        None => (
            Outcome::Failed,
            AuthVerdict::fail(format!(
                "{shown} by {id} names no header.from, so it may be about another From than {from_domain}"
            )),
        ),
    }
}

fn judge_aligned(
    identity: Option<(&str, String)>,
    from_domain: &str,
    shown: &str,
    id: &str,
) -> (Outcome, AuthVerdict) {
    match identity {
        Some((_, domain)) if aligned(&domain, from_domain) => (
            Outcome::Passed,
            AuthVerdict::pass(format!("{shown} by {id}")),
        ),
        Some((name, domain)) => (
            Outcome::PassedForAnotherDomain,
            AuthVerdict::fail(format!(
                "{shown} by {id}, but {name}={domain} is not aligned with {from_domain}"
            )),
        ),
        None => (
            Outcome::Failed,
            AuthVerdict::fail(format!(
                "{shown} by {id}, but it names no domain to align with {from_domain}"
            )),
        ),
    }
}

/// "dkim=fail (reason=\"bad signature\"; header.d=acme.test)".
fn describe(result: &MethodResult, identity: Option<(&str, String)>) -> String {
    let mut notes = Vec::new();
    if let Some(reason) = &result.reason {
        notes.push(format!("reason=\"{reason}\""));
    }
    if let Some((name, domain)) = identity {
        notes.push(format!("{name}={domain}"));
    }
    let base = format!("{}={}", result.method, result.result);
    if notes.is_empty() {
        base
    } else {
        format!("{base} ({})", notes.join("; "))
    }
}

pub(super) fn normalise_domain(domain: &str) -> String {
    domain
        .trim()
        .trim_matches(['<', '>', '"'])
        .trim_end_matches('.')
        .to_ascii_lowercase()
}

/// Relaxed alignment: the same domain, or both under the same organisational domain.
fn aligned(domain: &str, from_domain: &str) -> bool {
    if domain == from_domain {
        return true;
    }
    match (
        organisational_domain(domain),
        organisational_domain(from_domain),
    ) {
        (Some(left), Some(right)) => left == right,
        _ => false,
    }
}

/// Second-level labels under which registrations sit one level deeper ("co.uk", "com.au").
const SECOND_LEVEL_SUFFIXES: [&str; 16] = [
    "co", "com", "net", "org", "gov", "edu", "ac", "or", "ne", "go", "gob", "mil", "nom", "ltd",
    "plc", "sch",
];

/// The registered domain under its public suffix, by a small built-in rule (last two labels,
/// or three under "co.uk"-style suffixes) rather than the full Public Suffix List. `None` for
/// a bare public suffix, which never aligns with anything but itself.
fn organisational_domain(domain: &str) -> Option<String> {
    let labels: Vec<&str> = domain.split('.').collect();
    if labels.len() < 2 || labels.iter().any(|label| label.is_empty()) {
        return None;
    }
    let top = labels[labels.len() - 1];
    let second = labels[labels.len() - 2];
    let deeper = top.len() == 2 && SECOND_LEVEL_SUFFIXES.contains(&second);
    let keep = if deeper { 3 } else { 2 };
    (labels.len() >= keep).then(|| labels[labels.len() - keep..].join("."))
}
