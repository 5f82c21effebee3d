//! The pages' handlers: read through the `Store` functions the CLI uses,
//! keep what the user may see, render.

use super::access::{may_reassign, may_see, team_of, visible_owners};
use super::actions::{self, ActionForm, LeadAction};
use super::day::live_digest;
use super::listing::ListQuery;
use super::pages;
use super::server::{AppState, WebError};
use super::session::{Posted, Session};
use crate::store::LeadView;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use maud::Markup;

/// `GET /`: My day, the user's digest built now (its team table counted
/// in SQL: [`live_digest`]).
pub(super) async fn home(
    State(state): State<AppState>,
    session: Session,
) -> Result<Markup, WebError> {
    let now = crate::clock::now();
    let digest = live_digest(&state.settings, &state.store, &session.user, now).await?;
    Ok(pages::day::render(session.nav(), &digest))
}

/// `GET /team`: per-rep counts, for team leads and admins.
pub(super) async fn team(
    State(state): State<AppState>,
    session: Session,
) -> Result<Markup, WebError> {
    if !may_reassign(&session.user) {
        return Err(WebError::NotFound);
    }
    let now = crate::clock::now();
    let digest = live_digest(&state.settings, &state.store, &session.user, now).await?;
    let reps: Vec<String> = team_of(&state.settings, &session.user)
        .iter()
        .map(|u| u.email.to_string())
        .collect();
    let mut activity = state.store.user_activity(now).await?;
    activity.retain(|a| reps.contains(&a.email));
    Ok(pages::team::render(session.nav(), &digest.team, &activity))
}

/// `GET /mailboxes`: the `status` view and webhook deliveries, for admins.
pub(super) async fn mailboxes(
    State(state): State<AppState>,
    session: Session,
) -> Result<Markup, WebError> {
    if session.user.role != crate::domain::access::Role::Admin {
        return Err(WebError::NotFound);
    }
    let store = &state.store;
    let (states, leases, totals) = (
        store.mailbox_states().await?,
        store.current_leases().await?,
        store.totals().await?,
    );
    let mut deliveries = store.webhook_deliveries(None).await?;
    deliveries.truncate(100);
    let view = pages::mailboxes::MailboxesView {
        states: &states,
        leases: &leases,
        totals: &totals,
        deliveries: &deliveries,
    };
    Ok(pages::mailboxes::render(session.nav(), &view))
}

/// `GET /leads`: Leads & Prospects.
pub(super) async fn leads(
    State(state): State<AppState>,
    session: Session,
    Query(query): Query<ListQuery>,
) -> Result<Markup, WebError> {
    let visible = visible_owners(&state.settings, &session.user);
    let found = state.store.search_leads(&query.search(visible)).await?;
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
        LeadAction::Amount(value, currency) => {
            state.store.set_amount(id, value, &currency, actor).await?
        }
        LeadAction::Tags(tags) => state.store.set_tags(id, &tags, actor).await?,
    }
    let back = match form.back.as_str() {
        "/" => "/".to_string(),
        _ => format!("/leads/{id}"),
    };
    Ok(Redirect::to(&back).into_response())
}

/// Anything else.
pub(super) async fn not_found() -> WebError {
    WebError::NotFound
}
