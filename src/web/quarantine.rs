//! The Quarantine pages' handlers: an admin sees every held entry, a rep
//! the entries of their own mail; release and dismiss go through
//! `resolve`, the CLI's rules and code.

use super::pages;
use super::server::{AppState, WebError};
use super::session::{Posted, Session};
use crate::domain::access::Role;
use crate::resolve::{self, Refused};
use crate::store::QuarantineEntry;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;
use serde::Deserialize;

/// The release and dismiss forms.
#[derive(Deserialize)]
pub(super) struct ReasonForm {
    reason: String,
}

fn is_admin(session: &Session) -> bool {
    session.user.role == Role::Admin
}

/// Whether the entry is one the user may look at.
fn visible(session: &Session, entry: &QuarantineEntry) -> bool {
    let own = entry
        .user
        .as_deref()
        .is_some_and(|u| u.eq_ignore_ascii_case(session.user.email.as_ref()));
    is_admin(session) || own
}

/// `GET /quarantine`.
pub(super) async fn list(
    State(state): State<AppState>,
    session: Session,
) -> Result<Markup, WebError> {
    let mut entries = state.store.list_quarantine(false).await?;
    if !is_admin(&session) {
        let mut mine = Vec::new();
        for q in entries {
            let entry = state.store.quarantine_entry(q.id).await?;
            if entry.is_some_and(|e| visible(&session, &e)) {
                mine.push(q);
            }
        }
        entries = mine;
    }
    Ok(pages::quarantine::list(session.nav(), &entries))
}

async fn visible_entry(
    state: &AppState,
    session: &Session,
    id: &str,
) -> Result<QuarantineEntry, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let entry = state
        .store
        .quarantine_entry(id)
        .await?
        .ok_or(WebError::NotFound)?;
    if !visible(session, &entry) {
        return Err(WebError::NotFound);
    }
    Ok(entry)
}

/// `GET /quarantine/{id}`.
pub(super) async fn show(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Markup, WebError> {
    let entry = visible_entry(&state, &session, &id).await?;
    Ok(pages::quarantine::show(session.nav(), &entry))
}

/// `POST /quarantine/{id}/release`: files the message, then shows the lead it became.
pub(super) async fn release(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted(session, form): Posted<ReasonForm>,
) -> Result<Response, WebError> {
    let entry = visible_entry(&state, &session, &id).await?;
    let id = entry.view.id;
    let actor = session.user.email.as_ref();
    let released = resolve::release(&state.settings, &state.store, id, form.reason.trim(), actor)
        .await
        .map_err(refused)?;
    let to = match released.lead_ids.first() {
        Some(lead) => format!("/leads/{lead}"),
        None => format!("/quarantine/{id}"),
    };
    Ok(Redirect::to(&to).into_response())
}

/// `POST /quarantine/{id}/dismiss`.
pub(super) async fn dismiss(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted(session, form): Posted<ReasonForm>,
) -> Result<Response, WebError> {
    let entry = visible_entry(&state, &session, &id).await?;
    let id = entry.view.id;
    let actor = session.user.email.as_ref();
    resolve::dismiss(&state.settings, &state.store, id, form.reason.trim(), actor)
        .await
        .map_err(refused)?;
    Ok(Redirect::to(&format!("/quarantine/{id}")).into_response())
}

/// A refusal by the rules is the user's to read; anything else is a failure.
fn refused(error: anyhow::Error) -> WebError {
    let refusal = error
        .chain()
        .find_map(|e| e.downcast_ref::<Refused>())
        .map(|r| r.0.clone());
    match (refusal, error.downcast_ref::<crate::store::StoreError>()) {
        (Some(why), _) => WebError::BadRequest(why),
        (None, Some(store)) if store.is_refused_request() => {
            WebError::BadRequest(store.to_string())
        }
        _ => WebError::Internal(error),
    }
}
