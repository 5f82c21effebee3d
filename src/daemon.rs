//! The daemon: the one place that wires IMAP → pipeline → store, per mailbox.
//!
//! Each `[[mailboxes]]` entry runs in its own task: connect, catch up on the
//! backlog (UIDs above the stored checkpoint, in bounded batches), then wait
//! with IDLE (re-issued every 25 minutes) or poll. A message is flagged or
//! moved only after its records are committed. Errors reconnect with capped
//! exponential backoff and jitter; a failed login waits longer. A
//! cancellation (SIGTERM/SIGINT) lets the message in hand finish.

use crate::config::{Mailbox, Settings};
use crate::imap::{IdleOutcome, ImapError, ImapSession, RawMail};
use crate::ingest::plan::Outcome;
use crate::ingest::plan_message;
use crate::store::{Checkpoint, Store};
use anyhow::Context;
use chrono::Utc;
use std::sync::Arc;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// Messages fetched per round trip during a backlog (bounds memory).
const BATCH: usize = 200;
/// IDLE is re-issued before the 29-minute limit of RFC 2177.
const IDLE_RENEW: Duration = Duration::from_secs(25 * 60);
/// The longest wait between reconnection attempts.
const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// What one pass over a mailbox did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    /// Messages committed in this pass.
    pub processed: usize,
    /// Of those, how many went to quarantine.
    pub quarantined: usize,
}

/// Runs every mailbox until `cancel` fires (or one pass each with `once`).
pub async fn run(
    settings: Arc<Settings>,
    store: Store,
    once: bool,
    cancel: CancellationToken,
) -> anyhow::Result<()> {
    anyhow::ensure!(
        !settings.mailboxes.is_empty(),
        "no [[mailboxes]] configured: nothing to watch"
    );
    let mut tasks = tokio::task::JoinSet::new();
    for mailbox in settings.mailboxes.clone() {
        let (settings, store, cancel) = (settings.clone(), store.clone(), cancel.clone());
        tasks.spawn(async move {
            let name = mailbox.name.clone();
            let result = if once {
                serve_once(&mailbox, &settings, &store, &cancel)
                    .await
                    .map(|_| ())
            } else {
                serve_forever(&mailbox, &settings, &store, &cancel).await;
                Ok(())
            };
            result.with_context(|| format!("mailbox {name}"))
        });
    }
    let mut failures = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        if let Err(error) = joined.context("a mailbox task crashed")? {
            tracing::error!(error = format!("{error:#}"), "mailbox failed");
            failures.push(format!("{error:#}"));
        }
    }
    anyhow::ensure!(failures.is_empty(), "{}", failures.join("; "));
    Ok(())
}

/// One connection, one backlog pass, logout (`run --once`).
pub async fn serve_once(
    mailbox: &Mailbox,
    settings: &Settings,
    store: &Store,
    cancel: &CancellationToken,
) -> anyhow::Result<PassReport> {
    let mut session = ImapSession::connect(mailbox).await?;
    let report = sync_pass(&mut session, mailbox, settings, store, cancel, true).await;
    record(store, mailbox, report.as_ref().err()).await;
    let _ = session.logout().await;
    report
}

/// Reconnects forever with backoff; returns when cancelled.
async fn serve_forever(
    mailbox: &Mailbox,
    settings: &Settings,
    store: &Store,
    cancel: &CancellationToken,
) {
    let mut attempt: u32 = 0;
    while !cancel.is_cancelled() {
        match watch(mailbox, settings, store, cancel, &mut attempt).await {
            Ok(()) => return,
            Err(error) => {
                let wait = backoff(
                    attempt,
                    error
                        .downcast_ref::<ImapError>()
                        .is_some_and(ImapError::is_auth),
                );
                tracing::warn!(mailbox = %mailbox.name, error = format!("{error:#}"), retry_in_secs = wait.as_secs(), "mailbox error");
                record(store, mailbox, Some(&error)).await;
                attempt = attempt.saturating_add(1);
                tokio::select! {
                    _ = cancel.cancelled() => return,
                    _ = tokio::time::sleep(wait) => {}
                }
            }
        }
    }
}

/// Connects, catches up, then waits for new mail until cancelled or an error.
async fn watch(
    mailbox: &Mailbox,
    settings: &Settings,
    store: &Store,
    cancel: &CancellationToken,
    attempt: &mut u32,
) -> anyhow::Result<()> {
    let mut session = ImapSession::connect(mailbox).await?;
    tracing::info!(mailbox = %mailbox.name, host = %mailbox.host, "connected");
    let mut first_pass = true;
    loop {
        sync_pass(&mut session, mailbox, settings, store, cancel, first_pass).await?;
        first_pass = false;
        *attempt = 0;
        record(store, mailbox, None).await;
        if cancel.is_cancelled() {
            let _ = session.logout().await;
            return Ok(());
        }
        session = match wait_for_mail(session, mailbox, cancel).await? {
            Some(session) => session,
            None => return Ok(()),
        };
    }
}

/// IDLE where supported and wanted, else sleep the poll interval. `None` when cancelled.
async fn wait_for_mail(
    session: ImapSession,
    mailbox: &Mailbox,
    cancel: &CancellationToken,
) -> anyhow::Result<Option<ImapSession>> {
    if mailbox.idle && session.supports_idle() {
        let (session, outcome) = session.idle(IDLE_RENEW, cancel).await?;
        if outcome == IdleOutcome::Cancelled {
            let _ = session.logout().await;
            return Ok(None);
        }
        return Ok(Some(session));
    }
    tokio::select! {
        _ = cancel.cancelled() => {
            let _ = session.logout().await;
            Ok(None)
        }
        _ = tokio::time::sleep(Duration::from_secs(mailbox.poll_interval_secs)) => Ok(Some(session)),
    }
}

/// Processes every message above the checkpoint, in UID order, in batches.
async fn sync_pass(
    session: &mut ImapSession,
    mailbox: &Mailbox,
    settings: &Settings,
    store: &Store,
    cancel: &CancellationToken,
    sweep: bool,
) -> anyhow::Result<PassReport> {
    let folder = session.select(&mailbox.folder).await?;
    let mut after = store
        .resume_uid(&mailbox.name, &mailbox.folder, folder.uid_validity)
        .await?;
    let mut report = PassReport::default();
    if sweep {
        reacknowledge(
            session,
            mailbox,
            settings,
            store,
            folder.uid_validity,
            after,
        )
        .await?;
    }
    while !cancel.is_cancelled() {
        let batch = session.fetch_after(after, BATCH).await?;
        let Some(last) = batch.last().map(|m| m.uid) else {
            break;
        };
        for mail in batch {
            if cancel.is_cancelled() {
                break;
            }
            let checkpoint = Checkpoint {
                mailbox: mailbox.name.clone(),
                folder: mailbox.folder.clone(),
                uid_validity: folder.uid_validity,
                uid: mail.uid,
            };
            let outcome = process(session, mailbox, settings, store, &mail, &checkpoint).await?;
            report.processed += 1;
            report.quarantined += usize::from(outcome == Outcome::Quarantined);
        }
        after = last;
    }
    Ok(report)
}

/// Acknowledges messages at or below the checkpoint that a crash left
/// unacknowledged (committed, not yet flagged or moved). Their records are
/// already there, so applying them again reports a duplicate and only the
/// acknowledgement happens.
async fn reacknowledge(
    session: &mut ImapSession,
    mailbox: &Mailbox,
    settings: &Settings,
    store: &Store,
    uid_validity: u32,
    up_to: u32,
) -> anyhow::Result<()> {
    let uids = session
        .unacknowledged_uids(up_to, mailbox.processed_folder.is_none())
        .await?;
    for chunk in uids.chunks(BATCH) {
        for mail in session.fetch(chunk).await? {
            let checkpoint = Checkpoint {
                mailbox: mailbox.name.clone(),
                folder: mailbox.folder.clone(),
                uid_validity,
                uid: mail.uid,
            };
            let outcome = process(session, mailbox, settings, store, &mail, &checkpoint).await?;
            tracing::info!(mailbox = %mailbox.name, uid = mail.uid, outcome = outcome.as_str(), "acknowledged again after an interrupted run");
        }
    }
    Ok(())
}

/// Plans, commits, then (only then) acknowledges one message on the server.
async fn process(
    session: &mut ImapSession,
    mailbox: &Mailbox,
    settings: &Settings,
    store: &Store,
    mail: &RawMail,
    checkpoint: &Checkpoint,
) -> anyhow::Result<Outcome> {
    let arrived_at = mail.internal_date.unwrap_or_else(Utc::now);
    let plan = plan_message(&mail.raw, settings, arrived_at);
    let applied = store
        .apply_from_mailbox(&plan, &mail.raw, checkpoint)
        .await?;
    tracing::info!(mailbox = %mailbox.name, uid = mail.uid, key = %plan.key, outcome = applied.outcome.as_str(), rule = plan.rule, "processed");
    acknowledge(session, mailbox, mail.uid, applied.outcome).await?;
    Ok(applied.outcome)
}

/// Quarantined mail to the quarantine folder, the rest to the processed
/// folder, or only `\Seen` where no folder is configured. Never deletes.
async fn acknowledge(
    session: &mut ImapSession,
    mailbox: &Mailbox,
    uid: u32,
    outcome: Outcome,
) -> Result<(), ImapError> {
    let target = match outcome {
        Outcome::Quarantined => mailbox.quarantine_folder.as_deref(),
        _ => mailbox.processed_folder.as_deref(),
    };
    match target {
        Some(folder) => session.move_to(uid, folder).await,
        None => session.mark_seen(uid).await,
    }
}

async fn record(store: &Store, mailbox: &Mailbox, error: Option<&anyhow::Error>) {
    let text = error.map(|e| format!("{e:#}"));
    if let Err(e) = store
        .record_sync(&mailbox.name, &mailbox.folder, text.as_deref(), Utc::now())
        .await
    {
        tracing::warn!(mailbox = %mailbox.name, error = %e, "cannot record the sync state");
    }
}

/// Exponential backoff with jitter, capped; a failed login waits at least a minute.
pub fn backoff(attempt: u32, auth_failed: bool) -> Duration {
    let base = Duration::from_secs(1u64 << attempt.min(8)).min(MAX_BACKOFF);
    let jitter_ms =
        u64::from(Utc::now().timestamp_subsec_millis()) % (base.as_millis() as u64 / 4 + 1);
    let wait = base + Duration::from_millis(jitter_ms);
    if auth_failed {
        wait.max(Duration::from_secs(60))
    } else {
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_is_capped_and_is_slow_after_a_failed_login() {
        assert!(
            backoff(0, false) >= Duration::from_secs(1)
                && backoff(0, false) < Duration::from_secs(2)
        );
        assert!(backoff(3, false) >= Duration::from_secs(8));
        assert!(backoff(30, false) <= MAX_BACKOFF + MAX_BACKOFF / 4 + Duration::from_millis(1));
        assert!(backoff(0, true) >= Duration::from_secs(60));
    }
}
