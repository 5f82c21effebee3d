//! The pure part of the refresh-token grant (RFC 6749 §6): the request's
//! form body, the endpoint's answer read into a grant or a named refusal,
//! and when a cached access token is too close to its end to use.

use chrono::{DateTime, Duration, Utc};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

/// A cached access token is refreshed when less than this validity remains.
pub(crate) const REFRESH_MARGIN: Duration = Duration::minutes(5);

/// What one refresh sends: every value but `client_id` and `scope` is secret.
pub(crate) struct RefreshRequest<'a> {
    /// The refresh token.
    pub refresh_token: &'a SecretString,
    /// The OAuth client's id.
    pub client_id: &'a str,
    /// The client secret (confidential clients only).
    pub client_secret: Option<&'a SecretString>,
    /// The scopes asked for (space-separated), if any.
    pub scope: Option<&'a str>,
}

/// The `application/x-www-form-urlencoded` body of a refresh request.
pub(crate) fn form_body(request: &RefreshRequest<'_>) -> SecretString {
    let mut fields = vec![
        ("grant_type", "refresh_token"),
        ("refresh_token", request.refresh_token.expose_secret()),
        ("client_id", request.client_id),
    ];
    if let Some(secret) = request.client_secret {
        fields.push(("client_secret", secret.expose_secret()));
    }
    if let Some(scope) = request.scope {
        fields.push(("scope", scope));
    }
    let body = fields
        .iter()
        .map(|(key, value)| format!("{}={}", form_encode(key), form_encode(value)))
        .collect::<Vec<_>>()
        .join("&");
    SecretString::from(body)
}

/// Form encoding (WHATWG urlencoded): unreserved bytes kept, space as `+`.
fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        match byte {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'*' => {
                out.push(byte as char)
            }
            b' ' => out.push('+'),
            other => out.push_str(&format!("%{other:02X}")),
        }
    }
    out
}

/// A new access token (and maybe a rotated refresh token).
pub(crate) struct Grant {
    /// The access token for XOAUTH2.
    pub access_token: SecretString,
    /// When it stops working, by the answer's `expires_in`; an answer
    /// without one gives a token used for a single login.
    pub expires_at: DateTime<Utc>,
    /// A new refresh token, when the provider rotated it.
    pub refresh_token: Option<SecretString>,
}

/// Why the endpoint's answer gave no token. Never holds a secret.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum AnswerError {
    /// An OAuth2 error answer (RFC 6749 §5.2): retrying will not help.
    #[error("token endpoint said {code}{}: {hint}", description_suffix(.description))]
    Refused {
        /// The `error` code, e.g. `invalid_grant`.
        code: String,
        /// The `error_description`, cleaned and cut short.
        description: Option<String>,
        /// What to do about it.
        hint: &'static str,
    },
    /// An HTTP error without an OAuth2 error body (a 5xx, a proxy page).
    #[error("token endpoint answered HTTP {status}")]
    Http {
        /// The status code.
        status: u16,
    },
    /// A success status whose body is not a usable token answer.
    #[error("token endpoint sent an answer leadmail cannot read: {0}")]
    Unreadable(String),
}

impl AnswerError {
    /// True when a later retry may succeed (a 5xx or 429), false when the
    /// configuration or the refresh token must change.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            AnswerError::Http { status } => *status >= 500 || *status == 429,
            AnswerError::Refused { code, .. } => code == "temporarily_unavailable",
            AnswerError::Unreadable(_) => true,
        }
    }
}

fn description_suffix(description: &Option<String>) -> String {
    description
        .as_deref()
        .map(|d| format!(" ({d})"))
        .unwrap_or_default()
}

/// The JSON fields of a token or error answer that leadmail reads.
#[derive(Deserialize)]
struct Answer {
    access_token: Option<String>,
    expires_in: Option<serde_json::Value>,
    refresh_token: Option<String>,
    error: Option<String>,
    error_description: Option<String>,
}

/// Reads the endpoint's answer (`status`, body) received at `now`.
pub(crate) fn parse_answer(
    status: u16,
    body: &[u8],
    now: DateTime<Utc>,
) -> Result<Grant, AnswerError> {
    let success = (200..300).contains(&status);
    let Ok(answer) = serde_json::from_slice::<Answer>(body) else {
        return Err(match success {
            true => AnswerError::Unreadable("the body is not a JSON object".into()),
            false => AnswerError::Http { status },
        });
    };
    if let Some(code) = &answer.error {
        return Err(refused(
            code,
            answer.error_description.as_deref().map(clean),
        ));
    }
    if !success {
        return Err(AnswerError::Http { status });
    }
    grant(answer, now)
}

fn grant(answer: Answer, now: DateTime<Utc>) -> Result<Grant, AnswerError> {
    let token = answer
        .access_token
        .filter(|t| !t.is_empty())
        .ok_or_else(|| AnswerError::Unreadable("no access_token".into()))?;
    let lifetime = match &answer.expires_in {
        None => 0,
        Some(value) => seconds(value)
            .ok_or_else(|| AnswerError::Unreadable("expires_in is not a number".into()))?,
    };
    Ok(Grant {
        access_token: SecretString::from(token),
        expires_at: now + Duration::seconds(lifetime),
        refresh_token: answer
            .refresh_token
            .filter(|t| !t.is_empty())
            .map(SecretString::from),
    })
}

/// `expires_in` as seconds: a JSON number, or a string of digits (some
/// older endpoints send one).
fn seconds(value: &serde_json::Value) -> Option<i64> {
    let n = match value {
        serde_json::Value::Number(n) => n.as_i64()?,
        serde_json::Value::String(s) => s.trim().parse().ok()?,
        _ => return None,
    };
    Some(n.clamp(0, 10 * 365 * 24 * 3600))
}

fn refused(code: &str, description: Option<String>) -> AnswerError {
    let code = clean(code);
    let hint = match code.as_str() {
        "invalid_grant" => {
            "the refresh token was revoked or expired; obtain a new one (README: OAuth2)"
        }
        "invalid_client" => {
            "the client_id or client secret is wrong or the client was deleted (README: OAuth2)"
        }
        "unauthorized_client" => "this OAuth client may not use refresh tokens (README: OAuth2)",
        "invalid_scope" => "the scope is not one this refresh token was granted (README: OAuth2)",
        "temporarily_unavailable" => "the provider is busy; leadmail retries later",
        _ => "the token endpoint refused the refresh request (README: OAuth2)",
    };
    AnswerError::Refused {
        code,
        description,
        hint,
    }
}

/// Server text for a log line: control characters dropped, at most 200 chars.
fn clean(text: &str) -> String {
    text.chars().filter(|c| !c.is_control()).take(200).collect()
}

/// True when a token valid until `expires_at` may still be used at `now`
/// (more than [`REFRESH_MARGIN`] left).
pub(crate) fn usable(expires_at: DateTime<Utc>, now: DateTime<Utc>) -> bool {
    expires_at - now > REFRESH_MARGIN
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().into()
    }

    #[test]
    fn the_form_body_carries_the_grant_and_encodes_every_value() {
        let refresh = SecretString::from("1//0g+x/y=z");
        let secret = SecretString::from("s3cr&t");
        let body = form_body(&RefreshRequest {
            refresh_token: &refresh,
            client_id: "abc.apps.example",
            client_secret: Some(&secret),
            scope: Some("https://mail.google.com/ offline_access"),
        });
        assert_eq!(
            body.expose_secret(),
            "grant_type=refresh_token&refresh_token=1%2F%2F0g%2Bx%2Fy%3Dz\
             &client_id=abc.apps.example&client_secret=s3cr%26t\
             &scope=https%3A%2F%2Fmail.google.com%2F+offline_access"
        );
    }

    #[test]
    fn a_public_client_sends_no_secret_and_no_scope_unless_given() {
        let refresh = SecretString::from("r");
        let body = form_body(&RefreshRequest {
            refresh_token: &refresh,
            client_id: "c",
            client_secret: None,
            scope: None,
        });
        assert_eq!(
            body.expose_secret(),
            "grant_type=refresh_token&refresh_token=r&client_id=c"
        );
    }

    #[test]
    fn a_token_answer_gives_the_token_its_end_and_a_rotated_refresh_token() {
        let now = at("2026-11-23T11:00:00Z");
        let body = br#"{"access_token":"ya29.a","expires_in":3599,"token_type":"Bearer","refresh_token":"r2"}"#;
        let grant = parse_answer(200, body, now).unwrap();
        assert_eq!(grant.access_token.expose_secret(), "ya29.a");
        assert_eq!(grant.expires_at, at("2026-11-23T11:59:59Z"));
        assert_eq!(grant.refresh_token.unwrap().expose_secret(), "r2");
    }

    #[test]
    fn expires_in_may_be_a_string_and_without_it_the_token_is_for_one_login() {
        let now = at("2026-11-23T11:00:00Z");
        let grant = parse_answer(200, br#"{"access_token":"t","expires_in":"60"}"#, now).unwrap();
        assert_eq!(grant.expires_at, at("2026-11-23T11:01:00Z"));
        assert!(grant.refresh_token.is_none());
        let grant = parse_answer(200, br#"{"access_token":"t"}"#, now).unwrap();
        assert!(!usable(grant.expires_at, now));
    }

    #[test]
    fn invalid_grant_names_the_cause_and_what_to_do() {
        let body = br#"{"error":"invalid_grant","error_description":"Token has been expired or revoked."}"#;
        let error = parse_answer(400, body, at("2026-11-23T11:00:00Z"))
            .err()
            .unwrap();
        assert_eq!(
            error.to_string(),
            "token endpoint said invalid_grant (Token has been expired or revoked.): \
             the refresh token was revoked or expired; obtain a new one (README: OAuth2)"
        );
        assert!(!error.is_transient());
    }

    #[test]
    fn a_server_error_without_json_is_transient_and_prints_no_body() {
        let error = parse_answer(503, b"<html>secret-ish</html>", at("2026-11-23T11:00:00Z"))
            .err()
            .unwrap();
        assert_eq!(error, AnswerError::Http { status: 503 });
        assert!(error.is_transient());
        let error = parse_answer(401, b"nope", at("2026-11-23T11:00:00Z"))
            .err()
            .unwrap();
        assert!(!error.is_transient());
    }

    #[test]
    fn a_success_without_a_token_is_unreadable_without_echoing_the_body() {
        let error = parse_answer(200, br#"{"token":"leak"}"#, at("2026-11-23T11:00:00Z"))
            .err()
            .unwrap();
        assert!(matches!(error, AnswerError::Unreadable(_)));
        assert!(!error.to_string().contains("leak"));
    }

    #[test]
    fn a_token_is_refreshed_when_five_minutes_or_less_remain() {
        let now = at("2026-11-23T11:00:00Z");
        assert!(usable(at("2026-11-23T11:05:01Z"), now));
        assert!(!usable(at("2026-11-23T11:05:00Z"), now));
        assert!(!usable(at("2026-11-23T10:59:00Z"), now));
    }
}
