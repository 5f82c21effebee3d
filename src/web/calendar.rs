//! The calendar feed's handlers: the page that makes or revokes a user's
//! secret URL, and `GET /ics/<token>.ics` itself (no session: the token is
//! the key; an unknown or revoked one is 404).

use super::ics::{self, FeedOwner};
use super::pages;
use super::server::{AppState, WebError};
use super::session::{active_user, Posted, Session};
use super::tokens;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;
use serde::Deserialize;

/// A form with nothing but its CSRF token.
#[derive(Deserialize)]
pub(super) struct Empty {}

/// `GET /calendar`.
pub(super) async fn page(
    State(state): State<AppState>,
    session: Session,
) -> Result<Markup, WebError> {
    let created = state
        .store
        .feed_created(session.user.email.as_ref())
        .await?;
    Ok(pages::calendar::render(session.nav(), created, None))
}

/// `POST /calendar/new`: a new token; the page shows its URL once.
pub(super) async fn renew(
    State(state): State<AppState>,
    Posted(session, Empty {}): Posted<Empty>,
) -> Result<Markup, WebError> {
    let token = tokens::new_token();
    let now = crate::clock::now();
    let email = session.user.email.as_ref();
    state
        .store
        .replace_feed(email, &tokens::hash(&token), now)
        .await?;
    let url = format!("{}/ics/{token}.ics", state.web.base_url);
    Ok(pages::calendar::render(
        session.nav(),
        Some(now),
        Some(&url),
    ))
}

/// `POST /calendar/revoke`.
pub(super) async fn revoke(
    State(state): State<AppState>,
    Posted(session, Empty {}): Posted<Empty>,
) -> Result<Response, WebError> {
    state.store.revoke_feed(session.user.email.as_ref()).await?;
    Ok(Redirect::to("/calendar").into_response())
}

/// `GET /ics/{token}.ics`.
pub(super) async fn feed(
    State(state): State<AppState>,
    Path(file): Path<String>,
) -> Result<Response, WebError> {
    let token = file
        .strip_suffix(".ics")
        .filter(|t| tokens::looks_like_token(t))
        .ok_or(WebError::NotFound)?;
    let email = state
        .store
        .feed_user(&tokens::hash(token))
        .await?
        .ok_or(WebError::NotFound)?;
    let user = active_user(&state, &email)
        .await
        .map_err(|_| WebError::NotFound)?
        .ok_or(WebError::NotFound)?;
    let actions = state.store.feed_actions(user.email.as_ref()).await?;
    let domain = state.settings.smtp.as_ref().map(|s| s.from_domain());
    let owner = FeedOwner {
        name: &user.name,
        zone: user.calendar.time_zone,
        base_url: &state.web.base_url,
        domain: domain.as_deref().unwrap_or("leadmail.invalid"),
    };
    let body = ics::feed(&owner, &actions, crate::clock::now());
    Ok((
        [(header::CONTENT_TYPE, "text/calendar; charset=utf-8")],
        body,
    )
        .into_response())
}
