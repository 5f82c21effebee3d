//! The daemon: the one place that wires IMAP → pipeline → store, per mailbox.
//!
//! Each `[[mailboxes]]` entry runs in its own task: connect, catch up on the
//! backlog (UIDs above the stored checkpoint, in bounded batches), then wait
//! with IDLE (re-issued every 25 minutes) or poll. A message is flagged or
//! moved only after its records are committed. Errors reconnect with capped
//! exponential backoff and jitter ([`crate::retry`]); a failed login waits
//! longer. A cancellation (SIGTERM/SIGINT) lets the batch in hand finish.
//! Beside the mailboxes, the sender ([`crate::sending::run`]) queues
//! digests when they fall due and works the outbox.
//!
//! Memory is bounded by a byte budget, not by the mail: every message's
//! size is read before any body, a message over `max_message_bytes` is
//! quarantined from its header alone, and batches are cut by bytes as well
//! as by count ([`batches`]).

mod batches;

use crate::config::{Mailbox, Settings};
use crate::dns_auth::DnsAuth;
use crate::imap::{IdleOutcome, ImapError, ImapSession, RawMail};
use crate::ingest::plan::{IngestPlan, Outcome};
use crate::ingest::{plan_message_verified, plan_oversized};
use crate::leasing::{self, MailboxLease};
use crate::memory;
use crate::retry::Policy;
use crate::store::{Applied, FolderMessage, FolderRef, LeaseHolder, Store, StoreError, SyncError};
use anyhow::Context;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

/// Messages fetched per round trip and committed per transaction, at most
/// (fewer when `security.max_in_flight_bytes` says so).
const BATCH: usize = 200;
/// Committed messages acknowledged per `UID MOVE`/`UID STORE`: each MOVE
/// makes the server expunge, at a fixed cost per command that grows with
/// the source folder (Dovecot, Maildir: ~0.2 s per MOVE from a
/// 100,000-message INBOX, BENCHMARKS.md "The 100,000 backlog's extra
/// cost"), so a round is acknowledged with one command per target folder.
const ACK_BATCH: usize = ROUND;
/// UIDs whose sizes are fetched, cut into batches and processed at a time:
/// what a pass keeps per message until its end (size, batch, outcome) is
/// bounded by this, not by the backlog (a 100,000 backlog's peak RSS was 6
/// MB over the 10,000 one's, BENCHMARKS.md run L100).
const ROUND: usize = 10_000;
/// IDLE is re-issued before the 29-minute limit of RFC 2177.
const IDLE_RENEW: Duration = Duration::from_secs(25 * 60);
/// How often the write-ahead log is checkpointed in the background.
const CHECKPOINT_EVERY: Duration = Duration::from_secs(2);

/// What one pass over a mailbox did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PassReport {
    /// Messages committed in this pass.
    pub processed: usize,
    /// Of those, how many went to quarantine.
    pub quarantined: usize,
}

/// What `run --once` did with one mailbox, by name.
pub(crate) type OncePass = (String, OnceOutcome);

/// What `run --once` did with one mailbox.
#[derive(Debug)]
pub(crate) enum OnceOutcome {
    /// One pass, with its report.
    Served(PassReport),
    /// Another daemon held the mailbox's lease the whole time.
    HeldElsewhere,
    /// The lease was lost during the pass (this process was paused or cut
    /// off past it and another daemon took the mailbox over): what was
    /// committed before stays, the rest is the new holder's. Not a failure.
    LostMidPass,
}

/// Runs every mailbox until `cancel` fires (or one pass each with `once`,
/// returning what each pass did).
pub(crate) async fn run(
    settings: Arc<Settings>,
    store: Store,
    once: bool,
    cancel: CancellationToken,
) -> anyhow::Result<Vec<OncePass>> {
    anyhow::ensure!(
        !settings.mailboxes.is_empty(),
        "no [[mailboxes]] configured: nothing to watch"
    );
    forget_unconfigured_webhooks(&settings, &store).await;
    let mut tasks = tokio::task::JoinSet::new();
    // Mail a pass committed may have queued a confirmation: wake the sender.
    let outbox_wake = Arc::new(Notify::new());
    let holder = Arc::new(LeaseHolder::this_process());
    for mailbox in settings.mailboxes.clone() {
        let (settings, store, cancel) = (settings.clone(), store.clone(), cancel.clone());
        let (wake, holder) = (outbox_wake.clone(), holder.clone());
        tasks.spawn(async move {
            let name = mailbox.name.clone();
            let lease = MailboxLease {
                store: &store,
                mailbox: &mailbox.name,
                holder: &holder,
            };
            let result = if once {
                serve_once_leased(&lease, &mailbox, &settings, &cancel).await
            } else {
                serve_leased_forever(&lease, &mailbox, &settings, &cancel, &wake)
                    .await
                    .map(|()| OnceOutcome::HeldElsewhere)
            };
            result
                .map(|report| (name.clone(), report))
                .with_context(|| format!("mailbox {name}"))
        });
    }
    if !once {
        let (store, cancel) = (store.clone(), cancel.clone());
        tasks.spawn(async move {
            checkpoint_wal(&store, &cancel).await;
            Ok((String::new(), OnceOutcome::HeldElsewhere))
        });
    }
    if !once {
        let (settings, store, cancel) = (settings.clone(), store.clone(), cancel.clone());
        let wake = outbox_wake.clone();
        tasks.spawn(async move {
            crate::sending::run(&settings, &store, &cancel, &wake).await;
            Ok((String::new(), OnceOutcome::HeldElsewhere))
        });
    }
    if !once && !settings.webhooks.is_empty() {
        let (settings, store, cancel) = (settings.clone(), store.clone(), cancel.clone());
        tasks.spawn(async move {
            crate::webhook_sender::run(&settings, &store, &cancel).await;
            Ok((String::new(), OnceOutcome::HeldElsewhere))
        });
    }
    let mut failures = Vec::new();
    let mut passes = Vec::new();
    while let Some(joined) = tasks.join_next().await {
        match joined.context("a mailbox task crashed")? {
            Ok(pass) if once => passes.push(pass),
            Ok(_) => {}
            Err(error) => {
                tracing::error!(
                    error = crate::telemetry::error_text(&error),
                    "mailbox failed"
                );
                failures.push(crate::telemetry::error_text(&error));
            }
        }
    }
    passes.sort_by(|a, b| a.0.cmp(&b.0));
    if once && !cancel.is_cancelled() {
        crate::sending::run_once(&settings, &store).await;
        if !settings.webhooks.is_empty() {
            crate::webhook_sender::run_once(&settings, &store).await;
        }
    }
    anyhow::ensure!(failures.is_empty(), "{}", failures.join("; "));
    Ok(passes)
}

/// Webhooks taken out of the config lose their queues (logged), so events
/// stop piling up for a receiver nobody will send to.
async fn forget_unconfigured_webhooks(settings: &Settings, store: &Store) {
    let names: Vec<String> = settings.webhooks.iter().map(|h| h.name.clone()).collect();
    match store.forget_webhooks_except(&names).await {
        Ok(0) => {}
        Ok(dropped) => {
            tracing::warn!(
                dropped,
                "webhooks no longer configured: their queued deliveries dropped"
            )
        }
        Err(error) => tracing::warn!(error = %error, "cannot forget unconfigured webhooks"),
    }
}

/// Checkpoints the WAL every [`CHECKPOINT_EVERY`] until cancelled, so
/// commits seldom do it themselves; a failure is logged and retried.
async fn checkpoint_wal(store: &Store, cancel: &CancellationToken) {
    loop {
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(CHECKPOINT_EVERY) => {}
        }
        if let Err(error) = store.checkpoint().await {
            tracing::warn!(error = %error, "cannot checkpoint the database's write-ahead log");
        }
    }
}

/// `run --once` for one mailbox: waits up to two lease lifetimes for the
/// mailbox's lease (another daemon serving it meanwhile), then one pass. A
/// lease lost during the pass (found by a commit, or by the renewal, which
/// stops the pass) ends it like `run` would, without an error: the mailbox
/// has a live holder.
async fn serve_once_leased(
    lease: &MailboxLease<'_>,
    mailbox: &Mailbox,
    settings: &Arc<Settings>,
    cancel: &CancellationToken,
) -> anyhow::Result<OnceOutcome> {
    let patience = Some(leasing::LEASE_TTL * 2);
    let served = lease
        .hold(cancel, patience, |held, serving| async move {
            let pass = serve_once(mailbox, settings, lease.store, &serving, Some(held.fence)).await;
            let lost = match &pass {
                Ok(_) => serving.is_cancelled() && !cancel.is_cancelled(),
                Err(error) => lease_lost(error).is_some(),
            };
            if lost {
                tracing::warn!(mailbox = %mailbox.name, fence = held.fence, "lease lost during the pass; another daemon serves this mailbox now");
                return Ok(OnceOutcome::LostMidPass);
            }
            pass.map(OnceOutcome::Served)
        })
        .await?;
    served.unwrap_or(Ok(OnceOutcome::HeldElsewhere))
}

/// The daemon for one mailbox: holds its lease and serves it until
/// cancelled; a lost lease is waited for again.
async fn serve_leased_forever(
    lease: &MailboxLease<'_>,
    mailbox: &Mailbox,
    settings: &Arc<Settings>,
    cancel: &CancellationToken,
    wake: &Notify,
) -> anyhow::Result<()> {
    while !cancel.is_cancelled() {
        let served = lease
            .hold(cancel, None, |held, serving| async move {
                serve_forever(mailbox, settings, lease.store, &serving, wake, held.fence).await
            })
            .await;
        if let Err(error) = served {
            // Waiting without patience retries database errors itself, so
            // this is a guard against a tight loop, not the usual path.
            tracing::warn!(mailbox = %mailbox.name, error = crate::telemetry::error_text(&error), "cannot take the mailbox's lease");
            tokio::select! {
                _ = cancel.cancelled() => {}
                _ = tokio::time::sleep(leasing::RETRY_EVERY * 5) => {}
            }
        }
    }
    Ok(())
}

/// One connection, one backlog pass, logout (`run --once`), committing
/// under the lease's `fence`.
async fn serve_once(
    mailbox: &Mailbox,
    settings: &Arc<Settings>,
    store: &Store,
    cancel: &CancellationToken,
    fence: Option<i64>,
) -> anyhow::Result<PassReport> {
    let report = async {
        let mut session = ImapSession::connect(mailbox).await?;
        let report = sync_pass(&mut session, mailbox, settings, store, cancel, true, fence).await;
        let _ = session.logout().await;
        report
    }
    .await;
    // A lost lease is not the mailbox's failure (as in `serve_forever`).
    let failure = report.as_ref().err().filter(|e| lease_lost(e).is_none());
    record(store, mailbox, failure).await;
    report
}

/// Reconnects forever with backoff; returns when cancelled or the lease
/// with this `fence` is lost: found so by the renewal (which cancels) or by
/// a commit (which fails with [`StoreError::LeaseLost`]; retrying it could
/// only fail again until the renewal noticed).
async fn serve_forever(
    mailbox: &Mailbox,
    settings: &Arc<Settings>,
    store: &Store,
    cancel: &CancellationToken,
    wake: &Notify,
    fence: i64,
) {
    let mut attempt: u32 = 0;
    let served = Served {
        mailbox,
        settings,
        store,
        fence,
    };
    while !cancel.is_cancelled() {
        match watch(&served, cancel, wake, &mut attempt).await {
            Ok(()) => return,
            Err(error) => {
                if let Some(current) = lease_lost(&error) {
                    // Not a mailbox failure (another daemon serves it):
                    // nothing recorded, and back to waiting for the lease.
                    tracing::warn!(mailbox = %mailbox.name, fence, current_fence = current, "lease lost at commit; stopping this mailbox");
                    return;
                }
                let wait = reconnect_wait(attempt, &error);
                tracing::warn!(mailbox = %mailbox.name, error = crate::telemetry::error_text(&error), retry_in_secs = wait.as_secs(), "mailbox error");
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

/// A mailbox being served under a lease.
struct Served<'a> {
    mailbox: &'a Mailbox,
    settings: &'a Arc<Settings>,
    store: &'a Store,
    fence: i64,
}

/// Connects, catches up, then waits for new mail until cancelled or an error.
async fn watch(
    served: &Served<'_>,
    cancel: &CancellationToken,
    wake: &Notify,
    attempt: &mut u32,
) -> anyhow::Result<()> {
    let Served {
        mailbox,
        settings,
        store,
        fence,
    } = *served;
    let mut session = ImapSession::connect(mailbox).await?;
    tracing::info!(mailbox = %mailbox.name, host = %mailbox.host, "connected");
    let mut first_pass = true;
    loop {
        let report = sync_pass(
            &mut session,
            mailbox,
            settings,
            store,
            cancel,
            first_pass,
            Some(fence),
        )
        .await?;
        if report.processed > 0 {
            wake.notify_one();
        }
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

/// Processes every message above the checkpoint, in UID order: one search,
/// then the found UIDs in batches ([`FolderReader::process`]), and again
/// until a search finds nothing new.
async fn sync_pass(
    session: &mut ImapSession,
    mailbox: &Mailbox,
    settings: &Arc<Settings>,
    store: &Store,
    cancel: &CancellationToken,
    sweep: bool,
    fence: Option<i64>,
) -> anyhow::Result<PassReport> {
    let folder = session.select(&mailbox.folder).await?;
    let mut after = store
        .resume_uid(&mailbox.name, &mailbox.folder, folder.uid_validity)
        .await?;
    let dns_auth = DnsAuth::from_settings(&settings.security)?.map(Arc::new);
    let reader = FolderReader {
        mailbox,
        settings,
        store,
        uid_validity: folder.uid_validity,
        fence,
        dns_auth,
    };
    if sweep {
        reader.reacknowledge(session, after).await?;
    }
    let mut report = PassReport::default();
    while !cancel.is_cancelled() {
        let uids = session.uids_after(after).await?;
        let Some(&last) = uids.last() else {
            break;
        };
        for round in uids.chunks(ROUND) {
            if cancel.is_cancelled() {
                break;
            }
            for (_, outcome) in reader.process(session, round, cancel).await? {
                report.processed += 1;
                report.quarantined += usize::from(outcome == Outcome::Quarantined);
            }
        }
        after = last;
    }
    Ok(report)
}

/// One fetched batch with its plans.
struct Planned {
    mails: Vec<RawMail>,
    plans: Vec<IngestPlan>,
    /// The mail bytes it holds.
    bytes: u64,
}

/// One selected folder of a mailbox: turns fetched batches into commits,
/// then acknowledgements.
struct FolderReader<'a> {
    mailbox: &'a Mailbox,
    settings: &'a Arc<Settings>,
    store: &'a Store,
    uid_validity: u32,
    fence: Option<i64>,
    /// Verifies senders here when `security.verify_here` asks for it.
    dns_auth: Option<Arc<DnsAuth>>,
}

impl FolderReader<'_> {
    fn folder(&self) -> FolderRef<'_> {
        FolderRef {
            mailbox: &self.mailbox.name,
            folder: &self.mailbox.folder,
            uid_validity: self.uid_validity,
            fence: self.fence,
        }
    }

    /// Acknowledges messages at or below the checkpoint that a crash left
    /// unacknowledged (committed, not yet flagged or moved). Their records
    /// are already there, so applying them again reports a duplicate and
    /// only the acknowledgement happens.
    async fn reacknowledge(&self, session: &mut ImapSession, up_to: u32) -> anyhow::Result<()> {
        let uids = session
            .unacknowledged_uids(up_to, self.mailbox.processed_folder.is_none())
            .await?;
        let never = CancellationToken::new();
        for (uid, outcome) in self.process(session, &uids, &never).await? {
            tracing::info!(mailbox = %self.mailbox.name, uid, outcome = outcome.as_str(), "acknowledged again after an interrupted run");
        }
        Ok(())
    }

    /// The batch bounds: [`BATCH`] messages, half the in-flight budget in
    /// bytes (two batches overlap), the size limit.
    fn limits(&self) -> batches::BatchLimits {
        let security = &self.settings.security;
        batches::BatchLimits::new(
            BATCH,
            security.max_in_flight_bytes as u64,
            security.max_message_bytes as u64,
        )
    }

    /// Fetches, plans, commits and acknowledges these UIDs (sorted), as a
    /// pipeline: first their sizes, cut into batches by count and bytes
    /// ([`batches::batches`]); then while batch k commits, batch k+1 is
    /// fetched and planned (on a blocking thread) — unless the two together
    /// are over `security.max_in_flight_bytes`, when k+1 is fetched after k
    /// is committed and dropped. Acknowledgements wait until [`ACK_BATCH`]
    /// committed messages (or the end) so the server expunges rarely; none
    /// is sent before its message's commit. Stops early when cancelled,
    /// after the batch in hand.
    async fn process(
        &self,
        session: &mut ImapSession,
        uids: &[u32],
        cancel: &CancellationToken,
    ) -> anyhow::Result<Vec<(u32, Outcome)>> {
        let sizes = session.sizes(uids).await?;
        let all = batches::batches(&sizes, self.limits());
        let budget = self.settings.security.max_in_flight_bytes as u64;
        let mut upcoming = all.iter();
        let mut next = self.fetch_batch(session, upcoming.next()).await?;
        let mut done = Vec::with_capacity(uids.len());
        let mut unacknowledged = 0;
        while let Some(batch) = next.take() {
            let following = upcoming.next().filter(|_| !cancel.is_cancelled());
            let overlap = following.is_some_and(|f| batch.bytes.saturating_add(f.bytes) <= budget);
            let (committed, prefetched) = if overlap {
                let (committed, fetched) =
                    tokio::join!(self.commit(&batch), self.fetch_batch(session, following));
                (committed, Some(fetched))
            } else {
                (self.commit(&batch).await, None)
            };
            drop(batch);
            let committed = match committed {
                Ok(outcomes) => outcomes,
                Err(error) => {
                    // What is committed is still acknowledged when possible.
                    let _ =
                        acknowledge(session, self.mailbox, &done[done.len() - unacknowledged..])
                            .await;
                    return Err(error);
                }
            };
            unacknowledged += committed.len();
            done.extend(committed);
            memory::release_free_memory();
            next = match prefetched {
                Some(fetched) => fetched?,
                None => self.fetch_batch(session, following).await?,
            };
            if unacknowledged >= ACK_BATCH || next.is_none() {
                acknowledge(session, self.mailbox, &done[done.len() - unacknowledged..]).await?;
                unacknowledged = 0;
            }
        }
        Ok(done)
    }

    /// Fetches and plans `batch` (nothing when `None`): its whole messages
    /// with one `UID FETCH`, the header blocks of those over the size limit
    /// with another, in UID order; the plans are made on a blocking thread
    /// so a commit running meanwhile is not held up.
    async fn fetch_batch(
        &self,
        session: &mut ImapSession,
        batch: Option<&batches::Batch>,
    ) -> anyhow::Result<Option<Planned>> {
        let Some(batch) = batch else {
            return Ok(None);
        };
        let mut mails = session.fetch(&batch.whole).await?;
        mails.extend(session.fetch_headers(&batch.headers_only).await?);
        mails.sort_by_key(|mail| mail.uid);
        let fetched: u64 = mails.iter().map(|mail| mail.raw.len() as u64).sum();
        tracing::debug!(mailbox = %self.mailbox.name, whole = batch.whole.len(), headers_only = batch.headers_only.len(), bytes = fetched, "fetched a batch");
        let verified = self.verify_here(&mails).await;
        let settings = Arc::clone(self.settings);
        let planned = tokio::task::spawn_blocking(move || {
            let plans = mails
                .iter()
                .zip(verified)
                .map(|(mail, verified)| plan(mail, verified.as_deref(), &settings))
                .collect();
            Planned {
                mails,
                plans,
                bytes: fetched,
            }
        })
        .await
        .context("the planning thread failed")?;
        Ok(Some(planned))
    }

    /// Commits the batch in one transaction. When it cannot be committed
    /// as a whole, its messages are committed one by one, so one bad
    /// message names itself.
    async fn commit(&self, batch: &Planned) -> anyhow::Result<Vec<(u32, Outcome)>> {
        let messages: Vec<FolderMessage<'_>> = batch
            .mails
            .iter()
            .zip(&batch.plans)
            .map(|(mail, plan)| FolderMessage {
                plan,
                raw: &mail.raw,
                size: mail.size,
                uid: mail.uid,
            })
            .collect();
        let outcomes = match self
            .store
            .apply_batch_from_mailbox(&self.folder(), &messages)
            .await
        {
            Ok(applied) => applied.iter().map(Applied::filing_outcome).collect(),
            Err(error @ StoreError::LeaseLost { .. }) => return Err(error.into()),
            Err(error) => {
                tracing::warn!(mailbox = %self.mailbox.name, error = %error, "a batch failed to commit; committing its messages one by one");
                self.apply_one_by_one(&messages).await?
            }
        };
        let outcomes: Vec<(u32, Outcome)> = messages.iter().map(|m| m.uid).zip(outcomes).collect();
        for (message, (uid, outcome)) in messages.iter().zip(&outcomes) {
            tracing::info!(mailbox = %self.mailbox.name, uid, key = %message.plan.key, outcome = outcome.as_str(), rule = message.plan.rule, "processed");
        }
        Ok(outcomes)
    }

    /// The sender results verified here for each whole message (none when
    /// `security.verify_here` is off).
    async fn verify_here(&self, mails: &[RawMail]) -> Vec<Option<String>> {
        match &self.dns_auth {
            Some(dns_auth) => {
                let whole: Vec<&[u8]> = mails
                    .iter()
                    .map(|mail| if mail.whole { &mail.raw[..] } else { &[][..] })
                    .collect();
                dns_auth.verify_all(&whole).await
            }
            None => vec![None; mails.len()],
        }
    }

    async fn apply_one_by_one(
        &self,
        messages: &[FolderMessage<'_>],
    ) -> anyhow::Result<Vec<Outcome>> {
        let folder = self.folder();
        let mut outcomes = Vec::with_capacity(messages.len());
        for message in messages {
            let applied = self
                .store
                .apply_batch_from_mailbox(&folder, std::slice::from_ref(message))
                .await?;
            outcomes.extend(applied.iter().map(Applied::filing_outcome));
        }
        Ok(outcomes)
    }
}

/// A message's plan, at its arrival time (INTERNALDATE) or now; from its
/// header alone when only that was fetched (over the size limit).
fn plan(mail: &RawMail, verified_here: Option<&str>, settings: &Settings) -> IngestPlan {
    let arrived_at = mail.internal_date.unwrap_or_else(crate::clock::now);
    if mail.whole {
        plan_message_verified(&mail.raw, settings, arrived_at, verified_here)
    } else {
        plan_oversized(&mail.raw, mail.size, settings, arrived_at)
    }
}

/// Quarantined mail to the quarantine folder, the rest to the processed
/// folder, or only `\Seen` where no folder is configured: one command per
/// destination. Never deletes.
async fn acknowledge(
    session: &mut ImapSession,
    mailbox: &Mailbox,
    outcomes: &[(u32, Outcome)],
) -> Result<(), ImapError> {
    let (quarantined, others): (Vec<_>, Vec<_>) = outcomes
        .iter()
        .partition(|(_, outcome)| *outcome == Outcome::Quarantined);
    let uids = |list: Vec<&(u32, Outcome)>| list.iter().map(|(uid, _)| *uid).collect::<Vec<_>>();
    for (uids, target) in [
        (uids(quarantined), mailbox.quarantine_folder.as_deref()),
        (uids(others), mailbox.processed_folder.as_deref()),
    ] {
        match target {
            Some(folder) => session.move_to(&uids, folder).await?,
            None => session.mark_seen(&uids).await?,
        }
    }
    Ok(())
}

async fn record(store: &Store, mailbox: &Mailbox, error: Option<&anyhow::Error>) {
    let text = error.map(crate::telemetry::error_text);
    let failure = error.zip(text.as_deref()).map(|(error, text)| SyncError {
        text,
        login_refused: error.chain().any(|cause| {
            cause
                .downcast_ref::<ImapError>()
                .is_some_and(ImapError::is_auth)
        }),
    });
    if let Err(e) = store
        .record_sync(&mailbox.name, &mailbox.folder, failure, crate::clock::now())
        .await
    {
        tracing::warn!(mailbox = %mailbox.name, error = %e, "cannot record the sync state");
    }
}

/// When `error` is a commit refused for a lost lease: `Some` of the
/// mailbox's fencing number now (itself `None` when it has no lease).
fn lease_lost(error: &anyhow::Error) -> Option<Option<i64>> {
    error.chain().find_map(|cause| match cause.downcast_ref() {
        Some(StoreError::LeaseLost { current, .. }) => Some(*current),
        _ => None,
    })
}

/// How long to wait before reconnecting after `error`, the `attempt`-th
/// failure in a row: [`Policy::LOGIN`] when the server refused the
/// credentials, else [`Policy::RECONNECT`].
fn reconnect_wait(attempt: u32, error: &anyhow::Error) -> Duration {
    let refused_login = error
        .downcast_ref::<ImapError>()
        .is_some_and(ImapError::is_auth);
    let policy = if refused_login {
        Policy::LOGIN
    } else {
        Policy::RECONNECT
    };
    policy.wait(attempt)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_login_waits_at_least_a_minute_other_errors_from_a_second() {
        let refused = anyhow::Error::new(ImapError::Auth {
            addr: "imap.acme.test:993".into(),
            user: "crm".into(),
            message: "AUTHENTICATIONFAILED".into(),
        });
        let dropped = anyhow::anyhow!("connection reset");
        for _ in 0..50 {
            assert!(reconnect_wait(0, &refused) >= Duration::from_secs(60));
            assert!(reconnect_wait(0, &dropped) < Duration::from_secs(2));
        }
    }

    #[test]
    fn a_commit_refused_for_a_lost_lease_is_told_apart_from_other_failures() {
        let lost = |current| {
            anyhow::Error::new(StoreError::LeaseLost {
                mailbox: "crm".into(),
                fence: 1,
                current,
            })
            .context("a batch")
        };
        assert_eq!(lease_lost(&lost(Some(2))), Some(Some(2)));
        assert_eq!(lease_lost(&lost(None)), Some(None));
        assert_eq!(lease_lost(&anyhow::anyhow!("connection reset")), None);
        let other = StoreError::LeadNotFound { lead_id: 4 };
        assert_eq!(lease_lost(&anyhow::Error::new(other)), None);
    }
}
