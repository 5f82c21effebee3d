//! `oauth2 = { … }` on a mailbox or `[smtp]`: the refresh-token grant,
//! with presets for Google and Microsoft 365, validated into [`OAuth2Settings`].

use super::raw::{is_loopback, secret};
use super::{ConfigError, OAuth2Settings};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// Google's token endpoint (developers.google.com/identity/protocols/oauth2).
const GOOGLE_TOKEN_URL: &str = "https://oauth2.googleapis.com/token";

/// What the token is for: Microsoft's preset asks for that service's scope.
#[derive(Debug, Clone, Copy)]
pub(super) enum Service {
    /// A mailbox the daemon reads.
    Imap,
    /// `[smtp]`, which sends digests.
    Smtp,
}

/// The table as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct OAuth2Raw {
    provider: Option<String>,
    tenant: Option<String>,
    token_url: Option<String>,
    client_id: String,
    client_secret_env: Option<String>,
    client_secret_file: Option<PathBuf>,
    refresh_token_env: Option<String>,
    refresh_token_file: Option<PathBuf>,
    scope: Option<String>,
}

/// Validates the table at `key` (e.g. `mailboxes[0].oauth2`).
pub(super) fn validate(
    key: &str,
    raw: OAuth2Raw,
    service: Service,
    base: &Path,
) -> Result<OAuth2Settings, ConfigError> {
    let field = |name: &str| format!("{key}.{name}");
    let (token_url, preset_scope) = endpoint(key, &raw, service)?;
    check_token_url(&field("token_url"), &token_url)?;
    if raw.client_id.trim().is_empty() {
        return Err(ConfigError::invalid(field("client_id"), "is empty"));
    }
    let refresh_token = secret(
        &field("refresh_token_env"),
        raw.refresh_token_env,
        raw.refresh_token_file,
        base,
    )?
    .ok_or_else(|| {
        ConfigError::invalid(
            field("refresh_token_env"),
            "set refresh_token_env or refresh_token_file",
        )
    })?;
    Ok(OAuth2Settings {
        key: key.to_string(),
        token_url,
        client_id: raw.client_id,
        client_secret: secret(
            &field("client_secret_env"),
            raw.client_secret_env,
            raw.client_secret_file,
            base,
        )?,
        refresh_token,
        scope: raw.scope.or(preset_scope),
    })
}

/// The token URL (given, or from `provider`) and the preset's scope.
fn endpoint(
    key: &str,
    raw: &OAuth2Raw,
    service: Service,
) -> Result<(String, Option<String>), ConfigError> {
    let field = |name: &str| format!("{key}.{name}");
    if raw.tenant.is_some() && raw.provider.as_deref() != Some("microsoft") {
        return Err(ConfigError::invalid(
            field("tenant"),
            "only goes with provider = \"microsoft\"",
        ));
    }
    match (raw.provider.as_deref(), &raw.token_url) {
        (Some(_), Some(_)) => Err(ConfigError::invalid(
            field("token_url"),
            "give either provider or token_url, not both",
        )),
        (None, Some(url)) => Ok((url.trim().to_string(), None)),
        (None, None) => Err(ConfigError::invalid(
            field("token_url"),
            "set provider = \"google\" or \"microsoft\", or token_url",
        )),
        (Some("google"), None) => Ok((GOOGLE_TOKEN_URL.to_string(), None)),
        (Some("microsoft"), None) => microsoft(&field("tenant"), raw.tenant.as_deref(), service),
        (Some(other), None) => Err(ConfigError::invalid(
            field("provider"),
            format!("{other:?} is not a known provider (\"google\" or \"microsoft\"); give token_url instead"),
        )),
    }
}

/// Microsoft identity platform v2.0 (learn.microsoft.com, "OAuth 2.0
/// authorization code flow" and "Authenticate an IMAP, POP or SMTP
/// connection using OAuth"): the tenant's token endpoint and the service's
/// scope plus `offline_access`.
fn microsoft(
    key: &str,
    tenant: Option<&str>,
    service: Service,
) -> Result<(String, Option<String>), ConfigError> {
    let tenant = tenant.unwrap_or("common");
    let plain = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
    if tenant.is_empty() || !tenant.chars().all(plain) {
        return Err(ConfigError::invalid(
            key,
            format!("{tenant:?} is not a tenant id or domain (e.g. \"common\", \"organizations\", \"contoso.onmicrosoft.com\")"),
        ));
    }
    let scope = match service {
        Service::Imap => "https://outlook.office.com/IMAP.AccessAsUser.All offline_access",
        Service::Smtp => "https://outlook.office.com/SMTP.Send offline_access",
    };
    Ok((
        format!("https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token"),
        Some(scope.to_string()),
    ))
}

/// An `https://` URL, or `http://` to a loopback host (tests, a local proxy):
/// a refresh token never crosses a network in the clear.
fn check_token_url(key: &str, url: &str) -> Result<(), ConfigError> {
    let parsed = reqwest::Url::parse(url)
        .map_err(|e| ConfigError::invalid(key, format!("{url:?} is not a URL: {e}")))?;
    let host = parsed.host_str().unwrap_or_default();
    match parsed.scheme() {
        "https" if !host.is_empty() => Ok(()),
        "http" if is_loopback(host) => Ok(()),
        "http" => Err(ConfigError::invalid(
            key,
            format!("{url:?}: plain http is only allowed to a loopback host; use https"),
        )),
        _ => Err(ConfigError::invalid(
            key,
            format!("{url:?} is not an http(s) URL"),
        )),
    }
}
