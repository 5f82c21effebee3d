//! The signed-in user of a request (from the session cookie) and forms
//! whose CSRF token is checked before a handler sees them.

use super::pages::layout::Nav;
use super::server::{AppState, WebError};
use super::tokens;
use crate::config::User;
use crate::domain::EmailAddress;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Redirect, Response};
use serde::de::DeserializeOwned;

/// The session cookie.
pub(super) const SESSION_COOKIE: &str = "lm_session";
/// The cookie that ties the sign-in forms to the browser that loaded them.
pub(super) const PRE_COOKIE: &str = "lm_pre";
/// The largest form body read.
const MAX_FORM_BYTES: usize = 64 * 1024;

/// A signed-in, active user.
#[derive(Debug, Clone)]
pub(super) struct Session {
    /// Who.
    pub user: User,
    /// The stored hash of the session's token (to sign out).
    pub token_hash: String,
    /// The CSRF token the session's forms carry.
    pub csrf: String,
}

impl Session {
    /// The navigation bar's view of it.
    pub(super) fn nav(&self) -> Nav<'_> {
        Nav {
            user: &self.user,
            csrf: &self.csrf,
        }
    }
}

/// A cookie of the request.
pub(super) fn request_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(|value| tokens::cookie(value, name).map(str::to_string))
        .filter(|value| tokens::looks_like_token(value))
}

impl FromRequestParts<AppState> for Session {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let to_signin = || Redirect::to("/signin").into_response();
        let token = request_cookie(&parts.headers, SESSION_COOKIE).ok_or_else(to_signin)?;
        let token_hash = tokens::hash(&token);
        let now = crate::clock::now();
        let email = state
            .store
            .session_user(&token_hash, now)
            .await
            .map_err(|e| WebError::from(e).into_response())?
            .ok_or_else(to_signin)?;
        let user = active_user(state, &email).await?.ok_or_else(to_signin)?;
        Ok(Session {
            user,
            token_hash,
            csrf: tokens::csrf_of(&token),
        })
    }
}

/// The configured user with this address when they are active (in the
/// config and not deactivated with `users deactivate`).
pub(super) async fn active_user(state: &AppState, email: &str) -> Result<Option<User>, Response> {
    let Ok(address) = EmailAddress::parse(email) else {
        return Ok(None);
    };
    let Some(user) = state
        .settings
        .user_by_address(&address)
        .filter(|u| u.active)
    else {
        return Ok(None);
    };
    let deactivated = state
        .store
        .deactivated_users()
        .await
        .map_err(|e| WebError::from(e).into_response())?;
    Ok((!deactivated.contains(&user.email.to_string())).then(|| user.clone()))
}

/// A signed-in user's form, its CSRF token checked.
pub(super) struct Posted<T>(pub Session, pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for Posted<T> {
    type Rejection = Response;

    async fn from_request(request: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = request.into_parts();
        let session = Session::from_request_parts(&mut parts, state).await?;
        let fields = checked_form(body, &session.csrf).await?;
        Ok(Posted(session, fields))
    }
}

/// A sign-in form (before any session), its CSRF token checked against
/// the browser's `lm_pre` cookie.
pub(super) struct PrePosted<T>(pub T);

impl<T: DeserializeOwned> FromRequest<AppState> for PrePosted<T> {
    type Rejection = Response;

    async fn from_request(request: Request, _state: &AppState) -> Result<Self, Response> {
        let (parts, body) = request.into_parts();
        let pre = request_cookie(&parts.headers, PRE_COOKIE)
            .ok_or_else(|| WebError::Forbidden.into_response())?;
        Ok(PrePosted(checked_form(body, &tokens::csrf_of(&pre)).await?))
    }
}

/// The form in `body` when its `csrf` field is `expected`.
async fn checked_form<T: DeserializeOwned>(
    body: axum::body::Body,
    expected: &str,
) -> Result<T, Response> {
    let bytes = axum::body::to_bytes(body, MAX_FORM_BYTES)
        .await
        .map_err(|_| WebError::BadRequest("the form is too large".into()).into_response())?;
    let csrf = form_urlencoded::parse(&bytes)
        .find(|(key, _)| key == "csrf")
        .map(|(_, value)| value);
    if !csrf.is_some_and(|value| tokens::same(&value, expected)) {
        return Err(WebError::Forbidden.into_response());
    }
    serde_urlencoded::from_bytes(&bytes).map_err(|error| {
        WebError::BadRequest(format!("cannot read the form: {error}")).into_response()
    })
}
