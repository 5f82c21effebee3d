//! The pages' handlers: read through the `Store` functions the CLI uses,
//! keep what the user may see, render.

use super::access::may_see;
use super::listing::ListQuery;
use super::pages;
use super::server::{AppState, WebError};
use super::session::Session;
use crate::store::{LeadFilter, LeadView};
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;

/// `GET /`: the user's day.
pub(super) async fn home(_session: Session) -> Response {
    Redirect::to("/leads").into_response()
}

/// Every lead and prospect `session`'s user may see.
pub(super) async fn visible_leads(
    state: &AppState,
    session: &Session,
) -> Result<Vec<LeadView>, WebError> {
    let all = state.store.list_leads(&LeadFilter::default()).await?;
    Ok(all
        .into_iter()
        .filter(|lead| may_see(&state.settings, &session.user, lead.owner.as_deref()))
        .collect())
}

/// `GET /leads`: Leads & Prospects.
pub(super) async fn leads(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Markup, WebError> {
    let found = query.apply(visible_leads(&state, &session).await?);
    let now = crate::clock::now();
    Ok(pages::leads::list(
        &state.settings,
        session.nav(),
        &query,
        &found,
        now,
    ))
}

/// Anything else.
pub(super) async fn not_found() -> WebError {
    WebError::NotFound
}
