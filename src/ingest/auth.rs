//! Sender authentication (DESIGN §2 step 4): reads RFC 8601 `Authentication-Results` headers
//! written by our own trusted receivers and decides whether a user's or partner's From passes
//! the configured DMARC / DKIM / SPF check.
//!
//! Pure and bounded: each header is read up to [`MAX_HEADER_BYTES`], at most
//! [`MAX_HEADERS`] headers are looked at, and nothing here can panic.

use std::fmt;

/// Longest header value parsed; the rest is ignored.
pub const MAX_HEADER_BYTES: usize = 16 * 1024;
/// Most `Authentication-Results` headers looked at, from the top.
pub const MAX_HEADERS: usize = 64;
/// Deepest comment nesting accepted.
const MAX_COMMENT_DEPTH: usize = 32;

/// Which check a user/partner From must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderAuthMode {
    /// `dmarc=pass` for the From domain.
    Dmarc,
    /// `dkim=pass` with a signing domain aligned with the From domain.
    Dkim,
    /// `spf=pass` with an envelope-from domain aligned with the From domain.
    Spf,
    /// No check: every From is believed.
    None,
}

impl SenderAuthMode {
    /// The method name as it appears in `Authentication-Results`.
    pub fn method(self) -> &'static str {
        match self {
            SenderAuthMode::Dmarc => "dmarc",
            SenderAuthMode::Dkim => "dkim",
            SenderAuthMode::Spf => "spf",
            SenderAuthMode::None => "none",
        }
    }
}

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

/// Checks the From domain against the configured mode. `ar_headers`: raw values of every
/// Authentication-Results header, topmost first. Only the TOPMOST header from each trusted
/// authserv-id counts (headers lower down may have been forged by the sender).
pub fn check_sender(
    ar_headers: &[&str],
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
    let counted = topmost_trusted_headers(ar_headers, trusted_authserv_ids);
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

// ----------------------------------------------------------------------------------------
// Which headers count.

/// One header per trusted authserv-id: the topmost one, parsed or not.
fn topmost_trusted_headers(
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

fn no_trusted_header_detail(ar_headers: &[&str], trusted: &[String]) -> String {
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

// ----------------------------------------------------------------------------------------
// Judging one header.

fn judge_header(
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

/// DMARC already checked alignment; `header.from`, when given, must be our From domain.
fn judge_dmarc(
    identity: Option<(&str, String)>,
    from_domain: &str,
    shown: &str,
    id: &str,
) -> (Outcome, AuthVerdict) {
    match identity {
        Some((_, domain)) if domain != from_domain => (
            Outcome::PassedForAnotherDomain,
            AuthVerdict::fail(format!(
                "{shown} by {id} is for header.from={domain}, not {from_domain}"
            )),
        ),
        _ => (
            Outcome::Passed,
            AuthVerdict::pass(format!("{shown} by {id}")),
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

// ----------------------------------------------------------------------------------------
// Domains and relaxed alignment (RFC 7489 §3.1).

fn normalise_domain(domain: &str) -> String {
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

// ----------------------------------------------------------------------------------------
// Tokens and grammar.

#[derive(Debug, Clone, PartialEq, Eq)]
enum Token {
    Word(String),
    Quoted(String),
    Semicolon,
    Equals,
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Token::Word(word) => write!(f, "{word}"),
            Token::Quoted(text) => write!(f, "\"{text}\""),
            Token::Semicolon => write!(f, ";"),
            Token::Equals => write!(f, "="),
        }
    }
}

fn tokenize(value: &str) -> Result<Vec<Token>, ParseError> {
    let mut lexer = Lexer::new(value);
    let mut tokens = Vec::new();
    while let Some(token) = lexer.next_token()? {
        tokens.push(token);
    }
    Ok(tokens)
}

/// Splits a header value into words, quoted strings, `;` and `=`, skipping CFWS.
struct Lexer<'v> {
    chars: std::iter::Peekable<std::str::Chars<'v>>,
}

impl<'v> Lexer<'v> {
    fn new(value: &'v str) -> Self {
        let mut end = value.len().min(MAX_HEADER_BYTES);
        while !value.is_char_boundary(end) {
            end -= 1;
        }
        Lexer {
            chars: value[..end].chars().peekable(),
        }
    }

    fn next_token(&mut self) -> Result<Option<Token>, ParseError> {
        self.skip_cfws()?;
        let Some(&next) = self.chars.peek() else {
            return Ok(None);
        };
        let token = match next {
            ';' => self.single(Token::Semicolon),
            '=' => self.single(Token::Equals),
            '"' => Token::Quoted(self.quoted()?),
            _ => Token::Word(self.word()),
        };
        Ok(Some(token))
    }

    fn single(&mut self, token: Token) -> Token {
        self.chars.next();
        token
    }

    fn skip_cfws(&mut self) -> Result<(), ParseError> {
        loop {
            match self.chars.peek() {
                Some(c) if c.is_whitespace() => {
                    self.chars.next();
                }
                Some('(') => self.skip_comment()?,
                _ => return Ok(()),
            }
        }
    }

    fn skip_comment(&mut self) -> Result<(), ParseError> {
        let mut depth = 0usize;
        while let Some(c) = self.chars.next() {
            match c {
                '\\' => {
                    self.chars.next();
                }
                '(' if depth >= MAX_COMMENT_DEPTH => return Err(ParseError::UnterminatedComment),
                '(' => depth += 1,
                ')' => depth -= 1,
                _ => {}
            }
            if depth == 0 {
                return Ok(());
            }
        }
        Err(ParseError::UnterminatedComment)
    }

    fn quoted(&mut self) -> Result<String, ParseError> {
        self.chars.next();
        let mut text = String::new();
        while let Some(c) = self.chars.next() {
            match c {
                '"' => return Ok(text),
                '\\' => text.extend(self.chars.next()),
                _ => text.push(c),
            }
        }
        Err(ParseError::UnterminatedQuotedString)
    }

    fn word(&mut self) -> String {
        let mut word = String::new();
        while let Some(&c) = self.chars.peek() {
            if c.is_whitespace() || matches!(c, ';' | '=' | '(' | '"') {
                break;
            }
            word.push(c);
            self.chars.next();
        }
        word
    }
}

/// An all-digit word right after the authserv-id is the header version.
fn leading_version(rest: &mut &[Token]) -> Option<u32> {
    let Some(Token::Word(word)) = rest.first() else {
        return None;
    };
    let version = word.parse().ok()?;
    *rest = &rest[1..];
    Some(version)
}

/// `; resinfo; resinfo …` or `; none`.
fn parse_results(tokens: &[Token]) -> Result<Vec<MethodResult>, ParseError> {
    let mut results = Vec::new();
    for segment in tokens.split(|token| *token == Token::Semicolon) {
        match segment {
            [] => {}
            [Token::Word(none)] if none.eq_ignore_ascii_case("none") => {}
            _ => results.push(parse_result(segment)?),
        }
    }
    Ok(results)
}

/// `method[/version]=result [reason=value] [ptype.property=value …]`.
fn parse_result(segment: &[Token]) -> Result<MethodResult, ParseError> {
    let malformed = || {
        let shown: Vec<String> = segment.iter().map(Token::to_string).collect();
        ParseError::MalformedResult(shown.join(" "))
    };
    let [Token::Word(method), Token::Equals, Token::Word(result), rest @ ..] = segment else {
        return Err(malformed());
    };
    let method = method.split('/').next().unwrap_or_default().trim();
    if method.is_empty() {
        return Err(malformed());
    }
    let mut parsed = MethodResult {
        method: method.to_ascii_lowercase(),
        result: result.to_ascii_lowercase(),
        reason: None,
        properties: Vec::new(),
    };
    read_properties(rest, &mut parsed);
    Ok(parsed)
}

/// `name=value` pairs; a stray word (a non-standard extension) is skipped.
fn read_properties(mut rest: &[Token], parsed: &mut MethodResult) {
    while !rest.is_empty() {
        if let [Token::Word(name), Token::Equals, Token::Word(value) | Token::Quoted(value), tail @ ..] =
            rest
        {
            let name = name.to_ascii_lowercase();
            if name == "reason" {
                parsed.reason = Some(value.clone());
            } else {
                parsed.properties.push((name, value.clone()));
            }
            rest = tail;
        } else {
            rest = &rest[1..];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MX: &str = "mx.acme.test";

    fn trusted() -> Vec<String> {
        vec![MX.to_string()]
    }

    fn check(headers: &[&str], mode: SenderAuthMode) -> AuthVerdict {
        check_sender(headers, "acme.test", mode, &trusted())
    }

    #[test]
    fn a_dmarc_pass_from_a_trusted_authserv_id_passes() {
        let verdict = check(
            &["mx.acme.test; dkim=pass header.d=acme.test; dmarc=pass (p=reject) header.from=acme.test"],
            SenderAuthMode::Dmarc,
        );
        assert!(verdict.passed);
        assert_eq!(
            verdict.detail,
            "dmarc=pass (header.from=acme.test) by mx.acme.test"
        );
    }

    #[test]
    fn a_header_from_an_untrusted_authserv_id_is_ignored() {
        let verdict = check(
            &["mx.evil.test; dmarc=pass header.from=acme.test"],
            SenderAuthMode::Dmarc,
        );
        assert!(!verdict.passed);
        assert_eq!(
            verdict.detail,
            "no Authentication-Results from a trusted authserv-id (trusted: mx.acme.test)"
        );
    }

    #[test]
    fn a_forged_header_below_the_trusted_one_is_ignored() {
        let headers = [
            "mx.acme.test; dmarc=fail (p=reject) header.from=acme.test",
            "mx.acme.test; dmarc=pass header.from=acme.test",
        ];
        let verdict = check(&headers, SenderAuthMode::Dmarc);
        assert!(!verdict.passed);
        assert!(
            verdict.detail.starts_with("dmarc=fail"),
            "{}",
            verdict.detail
        );
    }

    #[test]
    fn a_broken_trusted_header_still_hides_the_forged_ones_below_it() {
        let headers = [
            "mx.acme.test; dmarc=pass (unclosed",
            "mx.acme.test; dmarc=pass header.from=acme.test",
        ];
        let verdict = check(&headers, SenderAuthMode::Dmarc);
        assert!(!verdict.passed);
        assert!(
            verdict
                .detail
                .contains("could not be parsed: unterminated comment"),
            "{}",
            verdict.detail
        );
    }

    #[test]
    fn each_trusted_authserv_id_counts_its_own_topmost_header() {
        let ids = vec!["mx.acme.test".to_string(), "filter.acme.test".to_string()];
        let headers = [
            "filter.acme.test; spf=fail smtp.mailfrom=acme.test",
            "mx.acme.test; spf=pass smtp.mailfrom=bounces.acme.test",
        ];
        let verdict = check_sender(&headers, "acme.test", SenderAuthMode::Spf, &ids);
        assert!(verdict.passed, "{}", verdict.detail);
    }

    #[test]
    fn dkim_alignment_accepts_the_organisational_domain_and_its_subdomains_only() {
        let dkim = |d: &str, from: &str| {
            let header = format!("mx.acme.test; dkim=pass header.d={d}");
            check_sender(&[&header], from, SenderAuthMode::Dkim, &trusted()).passed
        };
        assert!(dkim("acme.test", "acme.test"));
        assert!(dkim("mail.acme.test", "acme.test"));
        assert!(dkim("acme.test", "sales.acme.test"));
        assert!(dkim("ACME.test.", "acme.test"));
        assert!(!dkim("acme.test.evil", "acme.test"));
        assert!(!dkim("mailchimp.test", "acme.test"));
        assert!(dkim("mail.acme.co.uk", "acme.co.uk"));
        assert!(!dkim("co.uk", "acme.co.uk"));
        assert!(!dkim("other.co.uk", "acme.co.uk"));
    }

    #[test]
    fn dkim_falls_back_to_the_domain_of_header_i() {
        let verdict = check(
            &["mx.acme.test; dkim=pass header.i=@news.acme.test"],
            SenderAuthMode::Dkim,
        );
        assert!(verdict.passed, "{}", verdict.detail);
    }

    #[test]
    fn a_dkim_pass_for_another_domain_says_it_is_not_aligned() {
        let verdict = check(
            &["mx.acme.test; dkim=pass header.d=esp.test; dkim=fail header.d=acme.test"],
            SenderAuthMode::Dkim,
        );
        assert!(!verdict.passed);
        assert_eq!(
            verdict.detail,
            "dkim=pass (header.d=esp.test) by mx.acme.test, but header.d=esp.test is not aligned with acme.test"
        );
    }

    #[test]
    fn spf_checks_the_domain_of_smtp_mailfrom() {
        let pass = check(
            &["mx.acme.test; spf=pass smtp.mailfrom=alice@acme.test"],
            SenderAuthMode::Spf,
        );
        assert!(pass.passed);
        let other = check(
            &["mx.acme.test; spf=pass smtp.mailfrom=x@esp.test"],
            SenderAuthMode::Spf,
        );
        assert!(!other.passed);
    }

    #[test]
    fn failure_details_name_the_failing_method_and_reason() {
        let verdict = check(
            &["mx.acme.test; dkim=fail reason=\"signature verification failed\" header.d=acme.test"],
            SenderAuthMode::Dkim,
        );
        assert!(!verdict.passed);
        assert_eq!(
            verdict.detail,
            "dkim=fail (reason=\"signature verification failed\"; header.d=acme.test) by mx.acme.test"
        );
        let missing = check(
            &["mx.acme.test; spf=pass smtp.mailfrom=acme.test"],
            SenderAuthMode::Dmarc,
        );
        assert_eq!(
            missing.detail,
            "no dmarc result in Authentication-Results by mx.acme.test"
        );
    }

    #[test]
    fn a_dmarc_pass_for_another_from_domain_fails() {
        let verdict = check(
            &["mx.acme.test; dmarc=pass header.from=evil.test"],
            SenderAuthMode::Dmarc,
        );
        assert!(!verdict.passed);
        assert!(
            verdict.detail.contains("not acme.test"),
            "{}",
            verdict.detail
        );
    }

    #[test]
    fn comments_quoted_strings_versions_and_case_are_understood() {
        let parsed = parse_authentication_results(
            "MX.Acme.Test (our \\) (nested) mx) 1; DKIM/1 = PASS (good (sig)) \
             header.d=\"acme.test\" reason=\"ok; fine\";\r\n\tSPF=SoftFail smtp.mailfrom=a@b.test;",
        )
        .expect("parses");
        assert_eq!(parsed.authserv_id, "mx.acme.test");
        assert_eq!(parsed.version, Some(1));
        let dkim = &parsed.results[0];
        assert_eq!(
            (dkim.method.as_str(), dkim.result.as_str()),
            ("dkim", "pass")
        );
        assert_eq!(dkim.property("header.d"), Some("acme.test"));
        assert_eq!(dkim.reason.as_deref(), Some("ok; fine"));
        assert_eq!(parsed.results[1].result, "softfail");
    }

    #[test]
    fn none_means_no_results() {
        let parsed = parse_authentication_results("mx.acme.test 1; none").expect("parses");
        assert!(parsed.results.is_empty());
        let verdict = check(&["mx.acme.test; none"], SenderAuthMode::Dkim);
        assert!(!verdict.passed);
    }

    #[test]
    fn vendor_extensions_do_not_break_parsing() {
        let header = "mx.acme.test; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=acme.test; \
                      dkim=pass (signature was verified) header.d=acme.test;dmarc=pass action=none \
                      header.from=acme.test;compauth=pass reason=100";
        let verdict = check(&[header], SenderAuthMode::Dmarc);
        assert!(verdict.passed, "{}", verdict.detail);
    }

    #[test]
    fn garbage_is_not_a_pass_and_says_why() {
        for garbage in [
            "",
            "   ",
            "; dmarc=pass",
            "(only a comment)",
            "mx.acme.test dmarc=pass",
            "mx.acme.test; =pass",
        ] {
            let verdict = check(&[garbage], SenderAuthMode::Dmarc);
            assert!(!verdict.passed, "{garbage:?}");
            assert!(!verdict.detail.is_empty());
        }
        let verdict = check(&["mx.acme.test; dmarc"], SenderAuthMode::Dmarc);
        assert!(
            verdict.detail.contains("malformed result"),
            "{}",
            verdict.detail
        );
        let unparsable = check(&["; ;", "(x"], SenderAuthMode::Dmarc);
        assert!(
            unparsable
                .detail
                .ends_with("2 header(s) could not be parsed"),
            "{}",
            unparsable.detail
        );
    }

    #[test]
    fn sender_auth_none_always_passes() {
        let verdict = check_sender(&[], "", SenderAuthMode::None, &[]);
        assert!(verdict.passed);
    }

    #[test]
    fn hostile_input_never_panics() {
        let long = "a".repeat(MAX_HEADER_BYTES * 2);
        let deep = format!("mx.acme.test; dkim=pass {}", "(".repeat(10_000));
        let many = format!(
            "mx.acme.test; {}",
            "dkim=pass header.d=acme.test; ".repeat(5_000)
        );
        let samples = [
            long.as_str(),
            deep.as_str(),
            many.as_str(),
            "mx.acme.test; dkim=pass header.d=\"unterminated",
            "mx.acme.test; dkim=pass header.d=é\u{0}\\",
            "\"mx.acme.test\"; dkim=pass header.d=acme.test ))))",
            "mx.acme.test; dkim=pass header.d",
            "mx.acme.test; dkim=pass header.d=@",
            "mx.acme.test 99999999999999999999; none",
        ];
        for sample in samples {
            for mode in [
                SenderAuthMode::Dmarc,
                SenderAuthMode::Dkim,
                SenderAuthMode::Spf,
            ] {
                let _ = check(&[sample], mode);
            }
            let _ = parse_authentication_results(sample);
        }
        let headers: Vec<&str> = std::iter::repeat_n(samples[2], 1_000).collect();
        let _ = check(&headers, SenderAuthMode::Dkim);
    }
}
