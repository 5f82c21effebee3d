//! The pages' handlers: read through the `Store` functions the CLI uses,
//! keep what the user may see, render.

use super::access::{may_reassign, may_see, team_of};
use super::actions::{self, ActionForm, LeadAction};
use super::listing::ListQuery;
use super::pages;
use super::server::{AppState, WebError};
use super::session::{Posted, Session};
use crate::store::{LeadFilter, LeadView};
use axum::extract::{Path, Query, State};
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

/// The lead `id` when `session`'s user may see it; else "not found".
async fn visible_lead(state: &AppState, session: &Session, id: i64) -> Result<LeadView, WebError> {
    let lead = state.store.lead(id).await?.ok_or(WebError::NotFound)?;
    if !may_see(&state.settings, &session.user, lead.owner.as_deref()) {
        return Err(WebError::NotFound);
    }
    Ok(lead)
}

/// `GET /leads/{id}`: a lead's page.
pub(super) async fn lead(
    State(state): State<AppState>,
    session: Session,
    Path(id): Path<String>,
) -> Result<Markup, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    let lead = visible_lead(&state, &session, id).await?;
    let timeline = state.store.timeline(id).await?;
    let assignable = if may_reassign(&session.user) {
        team_of(&state.settings, &session.user)
            .into_iter()
            .filter(|u| u.active)
            .collect()
    } else {
        Vec::new()
    };
    let view = pages::lead::LeadPage {
        lead: &lead,
        timeline: &timeline,
        assignable,
        now: crate::clock::now(),
    };
    Ok(pages::lead::render(&state.settings, session.nav(), &view))
}

/// `POST /leads/{id}/act`: one action, by the signed-in user, then back
/// to the lead's page.
pub(super) async fn act(
    State(state): State<AppState>,
    Path(id): Path<String>,
    Posted(session, form): Posted<ActionForm>,
) -> Result<Response, WebError> {
    let id: i64 = id.parse().map_err(|_| WebError::NotFound)?;
    visible_lead(&state, &session, id).await?;
    let user = &session.user;
    let action = actions::read(&form, &state.settings, user, crate::clock::now())
        .map_err(WebError::BadRequest)?;
    let actor = user.email.as_ref();
    match action {
        LeadAction::Reply(reply) => state.store.act(id, &reply, actor).await?,
        LeadAction::Note(text) => state.store.add_note(id, &text, actor).await?,
        LeadAction::Owner(owner) => {
            let allowed = may_reassign(user)
                && team_of(&state.settings, user)
                    .iter()
                    .any(|u| u.active && u.email.as_ref() == owner);
            if !allowed {
                return Err(WebError::BadRequest(format!(
                    "you cannot hand leads to {owner}"
                )));
            }
            state.store.change_owner(id, &owner, actor).await?
        }
    }
    Ok(Redirect::to(&format!("/leads/{id}")).into_response())
}

/// Anything else.
pub(super) async fn not_found() -> WebError {
    WebError::NotFound
}
