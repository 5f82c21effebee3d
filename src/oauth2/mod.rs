//! OAuth2 access tokens for XOAUTH2 (IMAP and SMTP) from a refresh token.
//!
//! A [`TokenSource`] belongs to one `oauth2 = { … }` entry (a mailbox or
//! `[smtp]`, [`OAuth2Settings`]); [`TokenSource::shared`] gives every
//! connection of the process the same one and its cache. It hands out the cached access token
//! while more than five minutes of it remain ([`token::usable`], against
//! [`crate::clock::now`]), else asks the token endpoint for a new one
//! ([`http`]). After a refused login the caller asks for a fresh token
//! ([`TokenSource::refreshed`]) and logs in once more. A rotated refresh
//! token is kept in memory and written back to `refresh_token_file`
//! ([`write_back`]); with `refresh_token_env` a warning says the variable is
//! now stale. Secrets stay in [`SecretString`]s: no log line holds a token.

mod http;
pub(crate) mod token;
mod write_back;

use crate::config::{OAuth2Settings, SecretSource};
use chrono::{DateTime, Utc};
use secrecy::SecretString;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use token::{AnswerError, Grant, RefreshRequest};

/// Why no access token could be had. Never holds a secret.
#[derive(Debug, thiserror::Error)]
pub(crate) enum OAuth2Error {
    /// The refresh token or client secret cannot be read.
    #[error("{key}: cannot load the {what}: {message}")]
    Secret {
        /// The config key.
        key: String,
        /// "refresh token" or "client secret".
        what: &'static str,
        /// Which variable or file, and why.
        message: String,
    },
    /// No answer from the endpoint (refused, timed out, TLS): retry later.
    #[error("{key}: cannot reach the token endpoint {url}: {message}")]
    Unreachable {
        /// The config key.
        key: String,
        /// The token endpoint.
        url: String,
        /// The cause.
        message: String,
    },
    /// The endpoint answered without a token.
    #[error("{key}: {answer}")]
    Answer {
        /// The config key.
        key: String,
        /// What it said.
        answer: AnswerError,
    },
}

impl OAuth2Error {
    /// True when retrying soon may work (network, 5xx); false when the
    /// configuration or the refresh token must change.
    pub(crate) fn is_transient(&self) -> bool {
        match self {
            OAuth2Error::Secret { .. } => false,
            OAuth2Error::Unreachable { .. } => true,
            OAuth2Error::Answer { answer, .. } => answer.is_transient(),
        }
    }
}

/// An access token and whether it was fetched just now (a refused login
/// with a just-fetched token is not worth a second refresh).
pub(crate) struct AccessToken {
    /// The bearer token.
    pub secret: SecretString,
    /// True when this call asked the endpoint for it.
    pub fresh: bool,
}

/// Access tokens for one `oauth2` entry, cached; cheap to clone.
#[derive(Clone)]
pub(crate) struct TokenSource {
    inner: Arc<Inner>,
}

struct Inner {
    settings: OAuth2Settings,
    /// Held across a refresh, so concurrent callers refresh once.
    state: tokio::sync::Mutex<State>,
}

#[derive(Default)]
struct State {
    /// The cached access token and its end.
    access: Option<(SecretString, DateTime<Utc>)>,
    /// A refresh token the endpoint rotated to (newer than the configured one).
    rotated: Option<SecretString>,
}

impl std::fmt::Debug for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSource")
            .field("key", &self.inner.settings.key)
            .field("token_url", &self.inner.settings.token_url)
            .finish_non_exhaustive()
    }
}

impl TokenSource {
    /// A source with an empty cache (no I/O until the first token).
    pub(crate) fn new(settings: OAuth2Settings) -> TokenSource {
        TokenSource {
            inner: Arc::new(Inner {
                settings,
                state: tokio::sync::Mutex::new(State::default()),
            }),
        }
    }

    /// The process's one source for these settings, so every connection
    /// of a mailbox (and `doctor`) shares its cache. Sources are told apart
    /// by their key, endpoint, client and where the refresh token lives.
    pub(crate) fn shared(settings: &OAuth2Settings) -> TokenSource {
        static SOURCES: OnceLock<Mutex<HashMap<String, TokenSource>>> = OnceLock::new();
        let id = format!(
            "{}\n{}\n{}\n{:?}",
            settings.key, settings.token_url, settings.client_id, settings.refresh_token
        );
        let mut sources = SOURCES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        sources
            .entry(id)
            .or_insert_with(|| TokenSource::new(settings.clone()))
            .clone()
    }

    /// The cached token while usable at leadmail's clock, else a new one.
    pub(crate) async fn access_token(&self) -> Result<AccessToken, OAuth2Error> {
        self.token_at(crate::clock::now(), false).await
    }

    /// A new token from the endpoint, whatever the cache holds (after a
    /// refused login, and for `doctor`).
    pub(crate) async fn refreshed(&self) -> Result<AccessToken, OAuth2Error> {
        self.token_at(crate::clock::now(), true).await
    }

    /// The token at `now`; `force` skips the cache.
    pub(crate) async fn token_at(
        &self,
        now: DateTime<Utc>,
        force: bool,
    ) -> Result<AccessToken, OAuth2Error> {
        let mut state = self.inner.state.lock().await;
        if let Some(secret) = cached(&state, now, force) {
            return Ok(AccessToken {
                secret,
                fresh: false,
            });
        }
        state.access = None;
        let grant = self.fetch(&state, now).await?;
        if let Some(rotated) = grant.refresh_token {
            write_back::keep_rotated(&self.inner.settings, &rotated);
            state.rotated = Some(rotated);
        }
        state.access = Some((grant.access_token.clone(), grant.expires_at));
        tracing::debug!(key = %self.inner.settings.key, expires_at = %grant.expires_at, "oauth2 access token refreshed");
        Ok(AccessToken {
            secret: grant.access_token,
            fresh: true,
        })
    }

    /// One refresh request with the newest refresh token.
    async fn fetch(&self, state: &State, now: DateTime<Utc>) -> Result<Grant, OAuth2Error> {
        let settings = &self.inner.settings;
        let secret = |what: &'static str, source: &SecretSource| {
            source.load().map_err(|e| OAuth2Error::Secret {
                key: settings.key.clone(),
                what,
                message: format!("{e:#}"),
            })
        };
        let refresh_token = match &state.rotated {
            Some(rotated) => rotated.clone(),
            None => secret("refresh token", &settings.refresh_token)?,
        };
        let client_secret = settings
            .client_secret
            .as_ref()
            .map(|s| secret("client secret", s))
            .transpose()?;
        let body = token::form_body(&RefreshRequest {
            refresh_token: &refresh_token,
            client_id: &settings.client_id,
            client_secret: client_secret.as_ref(),
            scope: settings.scope.as_deref(),
        });
        let (status, answer) =
            http::post_form(&settings.token_url, body)
                .await
                .map_err(|message| OAuth2Error::Unreachable {
                    key: settings.key.clone(),
                    url: settings.token_url.clone(),
                    message,
                })?;
        token::parse_answer(status, &answer, now).map_err(|answer| OAuth2Error::Answer {
            key: settings.key.clone(),
            answer,
        })
    }
}

/// The cached access token when it may be used at `now` and not forced.
fn cached(state: &State, now: DateTime<Utc>, force: bool) -> Option<SecretString> {
    match &state.access {
        Some((secret, expires_at)) if !force && token::usable(*expires_at, now) => {
            Some(secret.clone())
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use secrecy::ExposeSecret;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text).unwrap().into()
    }

    #[test]
    fn the_cache_serves_until_five_minutes_before_the_end_unless_forced() {
        let state = State {
            access: Some((SecretString::from("t1"), at("2026-11-23T12:00:00Z"))),
            rotated: None,
        };
        let hit = cached(&state, at("2026-11-23T11:54:00Z"), false).unwrap();
        assert_eq!(hit.expose_secret(), "t1");
        assert!(cached(&state, at("2026-11-23T11:55:00Z"), false).is_none());
        assert!(cached(&state, at("2026-11-23T11:00:00Z"), true).is_none());
        assert!(cached(&State::default(), at("2026-11-23T11:00:00Z"), false).is_none());
    }
}
