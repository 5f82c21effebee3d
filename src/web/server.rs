//! The axum side: the router, the shared state, the error pages and the
//! security headers every response carries.

use super::pages::layout;
use super::{auth, calendar, handlers, quarantine};
use crate::config::{Settings, Web};
use crate::store::{Store, StoreError};
use anyhow::Context;
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::net::SocketAddr;
use std::sync::Arc;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// What every handler gets.
#[derive(Clone)]
pub(super) struct AppState {
    /// The configuration.
    pub settings: Arc<Settings>,
    /// The database.
    pub store: Store,
    /// `[web]`.
    pub web: Arc<Web>,
    /// Wakes the sign-in link sender.
    pub links: Arc<Notify>,
}

/// Serves the web app on `[web] listen` until `cancel` fires, with its
/// sender of sign-in links beside it.
pub async fn serve(
    settings: Arc<Settings>,
    store: Store,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let web = settings
        .web
        .as_ref()
        .context("no [web] section: nothing to serve")?;
    let listener = tokio::net::TcpListener::bind(web.listen)
        .await
        .with_context(|| format!("cannot listen on {} (web.listen)", web.listen))?;
    serve_on(listener, settings, store, cancel).await
}

/// [`serve`] on a socket already bound (`bench web` binds port 0).
pub async fn serve_on(
    listener: tokio::net::TcpListener,
    settings: Arc<Settings>,
    store: Store,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    let web = settings
        .web
        .clone()
        .context("no [web] section: nothing to serve")?;
    let address = listener.local_addr()?;
    tracing::info!(%address, base_url = %web.base_url, "web app listening");
    let links = Arc::new(Notify::new());
    let sender = {
        let (settings, store, cancel, links) = (
            settings.clone(),
            store.clone(),
            cancel.clone(),
            links.clone(),
        );
        tokio::spawn(async move {
            crate::sending::run_signin_links(&settings, &store, &cancel, &links).await
        })
    };
    let state = AppState {
        settings,
        store,
        web: Arc::new(web),
        links,
    };
    let app = router(state).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(cancel.clone().cancelled_owned())
        .await
        .context("the web server failed")?;
    cancel.cancel();
    sender.await.context("the sign-in link sender crashed")?;
    Ok(())
}

fn router(state: AppState) -> Router {
    Router::new()
        .route("/signin", get(auth::ask).post(auth::request))
        .route("/signin/confirm", post(auth::confirm))
        .route("/signin/{token}", get(auth::open_link))
        .route("/signout", post(auth::sign_out))
        .route("/", get(handlers::home))
        .route("/leads", get(handlers::leads))
        .route("/leads/{id}", get(handlers::lead))
        .route("/leads/{id}/act", post(handlers::act))
        .route("/calendar", get(calendar::page))
        .route("/calendar/new", post(calendar::renew))
        .route("/calendar/revoke", post(calendar::revoke))
        .route("/ics/{file}", get(calendar::feed))
        .route("/team", get(handlers::team))
        .route("/mailboxes", get(handlers::mailboxes))
        .route("/quarantine", get(quarantine::list))
        .route("/quarantine/{id}", get(quarantine::show))
        .route("/quarantine/{id}/release", post(quarantine::release))
        .route("/quarantine/{id}/dismiss", post(quarantine::dismiss))
        .fallback(handlers::not_found)
        .layer(axum::middleware::map_response(secure_headers))
        .with_state(state)
}

/// No framing, no outside resources, no caching of pages with CRM data.
async fn secure_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    let fixed = [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    ];
    for (name, value) in fixed {
        headers
            .entry(name)
            .or_insert(HeaderValue::from_static(value));
    }
    response
}

/// Why a request failed, as the page the user sees.
#[derive(Debug)]
pub(super) enum WebError {
    /// No such page, or not one of theirs (the same answer on purpose).
    NotFound,
    /// A form without its CSRF token, or with another session's.
    Forbidden,
    /// Too many sign-in requests.
    TooMany,
    /// A form that cannot be read or an action the record refuses.
    BadRequest(String),
    /// Something broke; logged, not shown.
    Internal(anyhow::Error),
}

impl From<StoreError> for WebError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::LeadNotFound { .. } => WebError::NotFound,
            refused if refused.is_refused_request() => WebError::BadRequest(refused.to_string()),
            other => WebError::Internal(other.into()),
        }
    }
}

impl From<anyhow::Error> for WebError {
    fn from(error: anyhow::Error) -> Self {
        WebError::Internal(error)
    }
}

impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        let (status, title, text) = match self {
            WebError::NotFound => (
                StatusCode::NOT_FOUND,
                "Not found",
                "There is nothing here for you.".to_string(),
            ),
            WebError::Forbidden => (
                StatusCode::FORBIDDEN,
                "Form expired",
                "This form is not from your current session: reload the page and try again."
                    .to_string(),
            ),
            WebError::TooMany => (
                StatusCode::TOO_MANY_REQUESTS,
                "Too many requests",
                "Too many sign-in links were asked for: wait 15 minutes and try again.".to_string(),
            ),
            WebError::BadRequest(why) => (StatusCode::BAD_REQUEST, "Not done", why),
            WebError::Internal(error) => {
                let error = crate::telemetry::error_text(&error);
                tracing::error!(error, "web request failed");
                (
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "Something went wrong",
                    "The request failed; it is in the log. Try again later.".to_string(),
                )
            }
        };
        (status, layout::problem(title, &text, None)).into_response()
    }
}
