//! Holding a mailbox's lease while the daemon serves it: wait for it, renew
//! it in the background, give it back at the end. A lease that is lost (the
//! daemon was paused or cut off past its expiry and another took over)
//! stops the serving at once, and every commit checks the lease's fencing
//! number, so two daemons never file one mailbox's mail at the same time.

use crate::store::{Lease, LeaseHolder, Store};
use std::future::Future;
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How long a lease lasts unless renewed: a dead daemon's mailbox is taken
/// over within this (plus one retry).
pub(crate) const LEASE_TTL: Duration = Duration::from_secs(30);
/// How often the holder renews it (a third of the TTL: two renewals may
/// fail before it runs out).
pub(crate) const RENEW_EVERY: Duration = Duration::from_secs(10);
/// How often a waiting daemon tries to take a held lease.
pub(crate) const RETRY_EVERY: Duration = Duration::from_secs(1);

/// One mailbox's lease as seen by the daemon serving it.
pub(crate) struct MailboxLease<'a> {
    /// The database holding the leases.
    pub store: &'a Store,
    /// The configured mailbox name.
    pub mailbox: &'a str,
    /// This daemon.
    pub holder: &'a LeaseHolder,
}

impl MailboxLease<'_> {
    /// Waits for the lease (until `cancel`, or `patience` when given), then
    /// runs `serve` with it and a token that fires when the lease is lost
    /// or `cancel` fires; gives the lease back afterwards. `Ok(None)` when
    /// the lease was not obtained.
    pub(crate) async fn hold<T, F, Fut>(
        &self,
        cancel: &CancellationToken,
        patience: Option<Duration>,
        serve: F,
    ) -> anyhow::Result<Option<T>>
    where
        F: FnOnce(Lease, CancellationToken) -> Fut,
        Fut: Future<Output = T>,
    {
        let Some(lease) = self.wait(cancel, patience).await? else {
            return Ok(None);
        };
        let serving = cancel.child_token();
        let stop_renewing = CancellationToken::new();
        let renewer = self.renew_until(lease, serving.clone(), stop_renewing.clone());
        let (result, ()) = tokio::join!(
            async {
                let result = serve(lease, serving.clone()).await;
                stop_renewing.cancel();
                result
            },
            renewer
        );
        if let Err(error) = self.store.release_lease(self.mailbox, lease).await {
            tracing::warn!(mailbox = %self.mailbox, error = %error, "cannot give the lease back; it runs out by itself");
        }
        Ok(Some(result))
    }

    /// Tries to take the lease every [`RETRY_EVERY`] until it is ours. A
    /// database error (SQLite busy past its timeout, PostgreSQL gone) is
    /// logged and tried again at the same pace, so a mailbox whose holder
    /// died is still taken over within a second or two of the lease
    /// running out; with `patience`, the last error is returned when it
    /// runs out.
    async fn wait(
        &self,
        cancel: &CancellationToken,
        patience: Option<Duration>,
    ) -> anyhow::Result<Option<Lease>> {
        let started = tokio::time::Instant::now();
        let mut told = false;
        loop {
            let failed = match self
                .store
                .take_lease(self.mailbox, self.holder, LEASE_TTL)
                .await
            {
                Ok(Some(lease)) => {
                    tracing::info!(mailbox = %self.mailbox, fence = lease.fence, "lease taken");
                    return Ok(Some(lease));
                }
                Ok(None) => None,
                Err(error) => Some(error),
            };
            if patience.is_some_and(|limit| started.elapsed() >= limit) {
                if let Some(error) = failed {
                    return Err(error.into());
                }
                tracing::warn!(mailbox = %self.mailbox, "another daemon serves this mailbox; skipped");
                return Ok(None);
            }
            match &failed {
                Some(error) => {
                    tracing::warn!(mailbox = %self.mailbox, error = %error, "cannot take the mailbox's lease; trying again")
                }
                None if !told => {
                    tracing::info!(mailbox = %self.mailbox, "another daemon serves this mailbox; waiting for its lease");
                    told = true;
                }
                None => {}
            }
            tokio::select! {
                _ = cancel.cancelled() => return Ok(None),
                _ = tokio::time::sleep(RETRY_EVERY) => {}
            }
        }
    }

    /// Renews the lease every [`RENEW_EVERY`] until `stop`; cancels
    /// `serving` when the lease turns out lost. A database error is logged
    /// and retried: if it lasts, the lease runs out and the fence check
    /// refuses the next commit.
    async fn renew_until(&self, lease: Lease, serving: CancellationToken, stop: CancellationToken) {
        loop {
            tokio::select! {
                _ = stop.cancelled() => return,
                _ = tokio::time::sleep(RENEW_EVERY) => {}
            }
            match self.store.renew_lease(self.mailbox, lease, LEASE_TTL).await {
                Ok(true) => {}
                Ok(false) => {
                    tracing::warn!(mailbox = %self.mailbox, fence = lease.fence, "lease lost to another daemon; stopping this mailbox");
                    serving.cancel();
                    return;
                }
                Err(error) => {
                    tracing::warn!(mailbox = %self.mailbox, error = %error, "cannot renew the lease");
                }
            }
        }
    }
}
