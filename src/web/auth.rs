//! Sign-in by mail: ask for a link, open it, press the button, sign out.

use super::pages::signin;
use super::server::{AppState, WebError};
use super::session::{active_user, request_cookie, Posted, PrePosted, PRE_COOKIE, SESSION_COOKIE};
use super::{signin as rules, tokens};
use axum::extract::{ConnectInfo, Path, State};
use axum::http::header::SET_COOKIE;
use axum::http::HeaderMap;
use axum::response::{AppendHeaders, IntoResponse, Redirect, Response};
use serde::Deserialize;
use std::net::SocketAddr;

/// `POST /signin`.
#[derive(Deserialize)]
pub(super) struct AskForm {
    email: String,
}

/// `POST /signin/confirm`.
#[derive(Deserialize)]
pub(super) struct ConfirmForm {
    token: String,
}

/// A form without fields but its CSRF token.
#[derive(Deserialize)]
pub(super) struct Empty {}

/// The browser's pre-session token, or a new one with its cookie.
fn pre_token(state: &AppState, headers: &HeaderMap) -> (String, Option<String>) {
    match request_cookie(headers, PRE_COOKIE) {
        Some(token) => (token, None),
        None => {
            let token = tokens::new_token();
            let cookie = tokens::set_cookie(PRE_COOKIE, &token, state.web.secure(), 3600);
            (token, Some(cookie))
        }
    }
}

/// A page with the pre-session cookie set when it was missing.
fn with_pre(cookie: Option<String>, page: maud::Markup) -> Response {
    let headers: Vec<_> = cookie.into_iter().map(|c| (SET_COOKIE, c)).collect();
    (AppendHeaders(headers), page).into_response()
}

/// `GET /signin`: the form.
pub(super) async fn ask(State(state): State<AppState>, headers: HeaderMap) -> Response {
    let (pre, cookie) = pre_token(&state, &headers);
    with_pre(cookie, signin::ask(&tokens::csrf_of(&pre), None))
}

/// `POST /signin`: queues a link when the address is an active user's;
/// the same answer either way, within the rate limits.
pub(super) async fn request(
    State(state): State<AppState>,
    ConnectInfo(client): ConnectInfo<SocketAddr>,
    PrePosted(form): PrePosted<AskForm>,
) -> Result<Response, WebError> {
    let now = crate::clock::now();
    let address = rules::normalized_address(&form.email);
    let client = client.ip().to_string();
    let (per_address, per_client) = state
        .store
        .signin_requests_since(&address, &client, rules::window_start(now))
        .await?;
    if !rules::allowed(per_address, per_client) {
        tracing::warn!(%client, "sign-in requests over the limit");
        return Err(WebError::TooMany);
    }
    let user = active_user(&state, &address)
        .await
        .map_err(|_| WebError::Internal(anyhow::anyhow!("cannot read the users")))?;
    let token = tokens::new_token();
    let link_hash = tokens::hash(&token);
    let expires = rules::link_expiry(now);
    let draft = user.as_ref().map(|user| {
        let link = format!("{}/signin/{token}", state.web.base_url);
        let domain = state
            .settings
            .smtp
            .as_ref()
            .map(|s| s.from_domain())
            .unwrap_or_else(|| "localhost".into());
        rules::link_mail(user, &link, &link_hash, &domain, expires)
    });
    let link = draft
        .as_ref()
        .map(|draft| (link_hash.as_str(), expires, draft));
    state
        .store
        .record_signin_request(&address, &client, link, now)
        .await?;
    if draft.is_some() {
        state.links.notify_one();
    }
    Ok(signin::sent().into_response())
}

/// `GET /signin/{token}`: the page whose button signs in; using the link
/// up takes a POST.
pub(super) async fn open_link(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Result<Response, WebError> {
    let valid = tokens::looks_like_token(&token)
        && state
            .store
            .signin_link_user(&tokens::hash(&token), crate::clock::now())
            .await?
            .is_some();
    if !valid {
        return Ok((axum::http::StatusCode::NOT_FOUND, signin::bad_link()).into_response());
    }
    let (pre, cookie) = pre_token(&state, &headers);
    Ok(with_pre(
        cookie,
        signin::confirm(&token, &tokens::csrf_of(&pre)),
    ))
}

/// `POST /signin/confirm`: uses the link up and opens a session.
pub(super) async fn confirm(
    State(state): State<AppState>,
    PrePosted(form): PrePosted<ConfirmForm>,
) -> Result<Response, WebError> {
    let now = crate::clock::now();
    let session = tokens::new_token();
    let lifetime = chrono::Duration::days(i64::from(state.web.session_days));
    let user = if tokens::looks_like_token(&form.token) {
        let link_hash = tokens::hash(&form.token);
        state
            .store
            .use_signin_link(&link_hash, &tokens::hash(&session), now + lifetime, now)
            .await?
    } else {
        None
    };
    let Some(user) = user else {
        return Ok((axum::http::StatusCode::NOT_FOUND, signin::bad_link()).into_response());
    };
    tracing::info!(%user, "signed in on the web");
    let secure = state.web.secure();
    let cookies = [
        (
            SET_COOKIE,
            tokens::set_cookie(SESSION_COOKIE, &session, secure, lifetime.num_seconds()),
        ),
        (SET_COOKIE, tokens::set_cookie(PRE_COOKIE, "", secure, 0)),
    ];
    Ok((AppendHeaders(cookies), Redirect::to("/")).into_response())
}

/// `POST /signout`: the session stops working, here and wherever its cookie is.
pub(super) async fn sign_out(
    State(state): State<AppState>,
    Posted(session, Empty {}): Posted<Empty>,
) -> Result<Response, WebError> {
    state
        .store
        .revoke_session(&session.token_hash, crate::clock::now())
        .await?;
    let cookie = tokens::set_cookie(SESSION_COOKIE, "", state.web.secure(), 0);
    Ok((
        AppendHeaders([(SET_COOKIE, cookie)]),
        Redirect::to("/signin"),
    )
        .into_response())
}
