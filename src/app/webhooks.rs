//! `webhooks list|retry`: what was delivered to the team's other tools,
//! what waits, and sending parked events again.

use super::{print_json, UsageError};
use crate::cli::WebhooksCommand;
use crate::store::Store;

/// Runs a `webhooks` subcommand.
pub(super) async fn webhooks(command: WebhooksCommand, store: &Store) -> anyhow::Result<()> {
    match command {
        WebhooksCommand::List { state, json } => list(store, state.as_deref(), json).await,
        WebhooksCommand::Retry { ids, all } => retry(store, &ids, all).await,
    }
}

async fn list(store: &Store, state: Option<&str>, json: bool) -> anyhow::Result<()> {
    let deliveries = store.webhook_deliveries(state).await?;
    if json {
        return print_json(&deliveries);
    }
    if deliveries.is_empty() {
        outln!("no webhook deliveries");
    }
    for d in &deliveries {
        let lead = d
            .lead_id
            .map(|id| format!(" lead {id}"))
            .unwrap_or_default();
        let when = match d.state.as_str() {
            "delivered" => format!("at {}", d.delivered_at.as_deref().unwrap_or("?")),
            "pending" => format!("next try {}", d.next_attempt_at),
            _ => String::new(),
        };
        outln!(
            "evt_{:<6} {:<18} {:<10} {:<9} {} attempt(s) {when}{lead}",
            d.event_id,
            d.event_type,
            d.webhook,
            d.state,
            d.attempts
        );
        if let Some(error) = d.last_error.as_deref().filter(|_| d.state != "delivered") {
            outln!("           last error: {error}");
        }
    }
    Ok(())
}

async fn retry(store: &Store, ids: &[i64], all: bool) -> anyhow::Result<()> {
    if ids.is_empty() && !all {
        return Err(UsageError("name the event ids to send again, or --all".into()).into());
    }
    let retried = store
        .retry_webhook_deliveries(ids, crate::clock::now())
        .await?;
    let deliveries = if retried == 1 {
        "delivery"
    } else {
        "deliveries"
    };
    outln!("{retried} parked {deliveries} will be sent again by the daemon");
    Ok(())
}
