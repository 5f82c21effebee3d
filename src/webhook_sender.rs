//! The webhook side wired: events from the store, signed envelopes POSTed
//! with reqwest, each answer judged by [`crate::webhook`] and recorded.
//!
//! Each round claims the events it POSTs, so two daemons on one database do
//! not both send one. At least once: an event is marked delivered only after a 2xx, so a
//! receiver that took it but answered too late gets it again, with the same
//! event id. One lead's events go out in order: a failed one holds back the
//! later ones of its lead until it is delivered or parked.

use crate::clock;
use crate::config::{Settings, Webhook};
use crate::retry::Policy;
use crate::store::{DueEvent, Store};
use crate::webhook::{self, Attempt, Envelope, Next};
use chrono::{DateTime, Duration, Utc};
use secrecy::ExposeSecret;
use tokio_util::sync::CancellationToken;

/// How often the daemon looks for due events when nothing wakes it.
const TICK: std::time::Duration = std::time::Duration::from_secs(1);
/// Events claimed per webhook and round (POSTed one after another; the
/// claim lasts long enough for all of them to time out).
const BATCH: i64 = 25;
/// Delivered events are forgotten after this many days.
const KEEP_DAYS: i64 = 7;

/// The daemon's webhook worker: looks for due events every second (one
/// indexed query per webhook) and delivers them, until cancelled.
pub(crate) async fn run(settings: &Settings, store: &Store, cancel: &CancellationToken) {
    let client = match client() {
        Ok(client) => client,
        Err(error) => {
            tracing::error!(error = %error, "cannot set up HTTP: no webhooks");
            return;
        }
    };
    while !cancel.is_cancelled() {
        round(settings, store, &client, clock::now()).await;
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(TICK) => {}
        }
    }
}

/// What `run --once` does: one round of deliveries.
pub(crate) async fn run_once(settings: &Settings, store: &Store) {
    match client() {
        Ok(client) => round(settings, store, &client, clock::now()).await,
        Err(error) => tracing::error!(error = %error, "cannot set up HTTP: no webhooks"),
    }
}

fn client() -> reqwest::Result<reqwest::Client> {
    reqwest::Client::builder()
        .user_agent(concat!("leadmail/", env!("CARGO_PKG_VERSION")))
        .redirect(reqwest::redirect::Policy::none())
        .build()
}

/// Every webhook once: new events queued, due ones sent; then old
/// delivered events forgotten. Errors are logged; the next round tries again.
async fn round(settings: &Settings, store: &Store, client: &reqwest::Client, now: DateTime<Utc>) {
    for hook in &settings.webhooks {
        if let Err(error) = deliver_due(store, client, hook, now).await {
            tracing::warn!(webhook = %hook.name, error = crate::telemetry::error_text(&error), "cannot work the webhook queue");
        }
    }
    if let Err(error) = store
        .prune_webhook_events(now - Duration::days(KEEP_DAYS))
        .await
    {
        tracing::warn!(error = %error, "cannot forget old webhook events");
    }
}

/// Queues `hook`'s new events and sends its due ones in order.
async fn deliver_due(
    store: &Store,
    client: &reqwest::Client,
    hook: &Webhook,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    store
        .enqueue_webhook_events(&hook.name, &hook.events, now)
        .await?;
    let secret = hook.secret.load()?;
    let claimed_until = now + Duration::seconds(BATCH * (hook.timeout_secs as i64 + 5));
    let events = store
        .claim_webhook_events(&hook.name, now, claimed_until, BATCH)
        .await?;
    // A claim holds at most one event per lead (a later one waits while an
    // older one is pending), so each can be sent whatever the others do.
    for event in events {
        let body = envelope_body(store, &event).await?;
        let attempt = post(
            client,
            hook,
            &event,
            secret.expose_secret().as_bytes(),
            &body,
        )
        .await;
        let next = judge(hook, &event, &attempt, clock::now());
        record(store, hook, &event, &next).await?;
    }
    Ok(())
}

/// The JSON body: the envelope with the change and the lead's current view.
async fn envelope_body(store: &Store, event: &DueEvent) -> anyhow::Result<Vec<u8>> {
    let change = serde_json::from_str(&event.data).unwrap_or(serde_json::Value::Null);
    let view = match event.lead_id {
        Some(lead) => store
            .lead(lead)
            .await?
            .map(serde_json::to_value)
            .transpose()?,
        None => None,
    };
    let envelope = Envelope::new(event.id, &event.event_type, &event.created_at, change, view);
    Ok(serde_json::to_vec(&envelope)?)
}

/// One signed POST; the answer's status or why there was none.
async fn post(
    client: &reqwest::Client,
    hook: &Webhook,
    event: &DueEvent,
    secret: &[u8],
    body: &[u8],
) -> Attempt {
    let timestamp = clock::now().timestamp();
    let sent = client
        .post(&hook.url)
        .timeout(std::time::Duration::from_secs(hook.timeout_secs))
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header(webhook::headers::EVENT_ID, format!("evt_{}", event.id))
        .header(webhook::headers::EVENT_TYPE, &event.event_type)
        .header(webhook::headers::TIMESTAMP, timestamp.to_string())
        .header(
            webhook::headers::SIGNATURE,
            webhook::signature(secret, timestamp, body),
        )
        .body(body.to_vec())
        .send()
        .await;
    match sent {
        Ok(response) => Attempt::Answered(response.status().as_u16()),
        Err(error) if error.is_timeout() => Attempt::Failed(format!(
            "no answer within {} s (timed out)",
            hook.timeout_secs
        )),
        Err(error) if error.is_connect() => {
            Attempt::Failed(format!("cannot connect: {}", root_cause(&error)))
        }
        Err(error) => Attempt::Failed(root_cause(&error)),
    }
}

/// The innermost cause's text (reqwest's own is "error sending request").
fn root_cause(error: &(dyn std::error::Error + 'static)) -> String {
    let mut cause = error;
    while let Some(inner) = cause.source() {
        cause = inner;
    }
    cause.to_string()
}

fn judge(hook: &Webhook, event: &DueEvent, attempt: &Attempt, now: DateTime<Utc>) -> Next {
    let first = event
        .first_tried_at
        .as_deref()
        .and_then(|at| at.parse::<DateTime<Utc>>().ok())
        .unwrap_or(now);
    let attempts = u32::try_from(event.attempts).unwrap_or(u32::MAX);
    let policy = Policy::starting_at(hook.retry_first_secs);
    webhook::next_after(attempt, attempts, first, now, |n| policy.wait(n))
}

async fn record(
    store: &Store,
    hook: &Webhook,
    event: &DueEvent,
    next: &Next,
) -> anyhow::Result<()> {
    let now = clock::now();
    match next {
        Next::Delivered => {
            tracing::info!(webhook = %hook.name, event = event.id, kind = %event.event_type, "webhook delivered");
            store
                .mark_webhook_delivered(&hook.name, event.id, now)
                .await?;
        }
        Next::Retry(at, why) => {
            tracing::warn!(webhook = %hook.name, event = event.id, error = %why, retry_at = %at, "webhook not delivered; will retry");
            store
                .mark_webhook_failed(&hook.name, event.id, why, now, Some(*at))
                .await?;
        }
        Next::Parked(why) => {
            tracing::error!(webhook = %hook.name, event = event.id, error = %why, "webhook parked: `leadmail webhooks retry` sends it again");
            store
                .mark_webhook_failed(&hook.name, event.id, why, now, None)
                .await?;
        }
    }
    Ok(())
}
