//! IMAP IDLE (RFC 2177): wait for new mail, a deadline or cancellation.

use super::{announces_mail, IdleOutcome, ImapError, ImapSession, COMMAND_STALL};
use async_imap::error::Error as ImapLibError;
use async_imap::extensions::idle::{Handle, IdleResponse};
use async_imap::imap_proto::{MailboxDatum, Response};
use std::time::Duration;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;
use tracing::{debug, instrument, trace};

type IdleHandle = Handle<super::stream::Stream>;

impl ImapSession {
    /// IDLEs until the server announces new mail, `timeout` passes (keep it
    /// under 29 minutes) or `cancel` fires; then sends DONE and hands the
    /// session back. Returns `Changed` at once when new mail was announced
    /// since the last `uids_after`.
    #[instrument(skip_all, fields(mailbox = %self.name, timeout_secs = timeout.as_secs()))]
    pub async fn idle(
        mut self,
        timeout: Duration,
        cancel: &CancellationToken,
    ) -> Result<(ImapSession, IdleOutcome), ImapError> {
        self.usable()?;
        if !self.supports_idle() {
            return Err(self.protocol("idle".into(), "the server does not support IDLE"));
        }
        self.drain();
        if std::mem::take(&mut self.pending_change) {
            debug!("imap change announced before idle");
            return Ok((self, IdleOutcome::Changed));
        }
        if cancel.is_cancelled() {
            return Ok((self, IdleOutcome::Cancelled));
        }
        let deadline = Instant::now() + timeout;
        let unsolicited = self.session.unsolicited_responses.clone();
        let addr = self.addr.clone();
        let fail = |error| ImapError::from_imap(error, &addr, "idle");
        let mut handle = self.session.idle();
        handle.init().await.map_err(fail)?;
        // Announcements that came with the IDLE command's continuation.
        let mut outcome = IdleOutcome::Changed;
        let mut announced = false;
        while let Ok(response) = unsolicited.try_recv() {
            announced |= announces_mail(&response);
        }
        if !announced {
            handle.as_mut().set_stall_limit(None);
            let waited = wait(&mut handle, deadline, cancel).await;
            handle.as_mut().set_stall_limit(Some(COMMAND_STALL));
            outcome = waited.map_err(fail)?;
        }
        let session = handle.done().await.map_err(fail)?;
        let mut this = ImapSession { session, ..self };
        this.drain();
        debug!(?outcome, "imap idle ended");
        Ok((this, outcome))
    }
}

/// Waits in IDLE for a new-mail announcement, the deadline or `cancel`;
/// other news (flag changes, expunges, keep-alives) keeps it waiting.
async fn wait(
    handle: &mut IdleHandle,
    deadline: Instant,
    cancel: &CancellationToken,
) -> Result<IdleOutcome, ImapLibError> {
    loop {
        let remaining = deadline.saturating_duration_since(Instant::now());
        if remaining.is_zero() {
            return Ok(IdleOutcome::TimedOut);
        }
        // `_stop` must live while waiting: dropping it ends the wait.
        let (response, _stop) = handle.wait_with_timeout(remaining);
        let response = tokio::select! {
            _ = cancel.cancelled() => return Ok(IdleOutcome::Cancelled),
            response = response => response?,
        };
        match response {
            IdleResponse::NewData(data) if is_new_mail(data.parsed()) => {
                return Ok(IdleOutcome::Changed)
            }
            IdleResponse::NewData(data) => trace!(response = ?data.parsed(), "imap idle news"),
            IdleResponse::Timeout => return Ok(IdleOutcome::TimedOut),
            // We never stop the wait ourselves: the stream ended.
            IdleResponse::ManualInterrupt => return Err(ImapLibError::ConnectionLost),
        }
    }
}

/// True for `* n EXISTS` and a non-zero `* n RECENT`.
fn is_new_mail(response: &Response<'_>) -> bool {
    match response {
        Response::MailboxData(MailboxDatum::Exists(_)) => true,
        Response::MailboxData(MailboxDatum::Recent(n)) => n > &0,
        _ => false,
    }
}
