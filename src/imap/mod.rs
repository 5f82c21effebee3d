//! The IMAP adapter: connect, select, fetch by UID, flag or move, IDLE.
//!
//! A thin layer over async-imap that converts wire types into ours
//! ([`RawMail`], [`FolderState`], [`ImapError`]) and knows nothing of the CRM.
//! The daemon drives it: `connect` → `select` → `uids_after` → `sizes`
//! (`RFC822.SIZE`, so no body is fetched before its size is known) →
//! `fetch` / `fetch_headers` in batches → `mark_seen` / `move_to` (UID
//! sets) after each commit → `idle` (or sleep) → again.
//!
//! - `connect`: TCP (15 s limit), TLS per [`TlsMode`](crate::config::TlsMode)
//!   verified against the webpki roots plus `ca_file`, the greeting, then
//!   LOGIN or AUTHENTICATE XOAUTH2.
//! - Every command runs under a stall timer (no byte for 60 s → [`ImapError::Io`]);
//!   after an I/O or parse error the session refuses further commands, so the
//!   caller reconnects instead of reading a desynchronised stream.
//! - Untagged responses are drained after every command; a new-mail
//!   notice (`EXISTS`) seen outside IDLE makes the next `idle` return
//!   [`IdleOutcome::Changed`] at once, so no arrival is missed between a
//!   pass and the IDLE that follows it.

mod connect;
mod error;
mod idle;
mod mail;
mod names;
mod stream;
mod tls;

pub use error::ImapError;

use crate::config::Mailbox;
use async_imap::types::{Capabilities, UnsolicitedResponse};
use std::time::Duration;
use tracing::{debug, instrument, trace};

/// How long a command may go without a byte from the server.
const COMMAND_STALL: Duration = Duration::from_secs(60);

/// One message fetched from the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawMail {
    /// The message's UID in the selected folder.
    pub uid: u32,
    /// The RFC 5322 bytes, exactly as stored on the server; only the
    /// header block when `whole` is false.
    pub raw: Vec<u8>,
    /// The server's arrival time (INTERNALDATE), when it sent one.
    pub internal_date: Option<chrono::DateTime<chrono::Utc>>,
    /// False when only the header block was fetched (the message is over
    /// the size limit and was never downloaded whole).
    pub whole: bool,
    /// The whole message's size: `raw.len()` when whole, else the server's
    /// `RFC822.SIZE`.
    pub size: u64,
}

/// The selected folder's identity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderState {
    /// UIDVALIDITY: when it changes, every stored UID is void.
    pub uid_validity: u32,
    /// The UID the next arriving message will get, when the server says.
    pub uid_next: Option<u32>,
    /// How many messages the folder holds.
    pub exists: u32,
}

/// Why [`ImapSession::idle`] returned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdleOutcome {
    /// The server announced new mail (or did before IDLE began).
    Changed,
    /// The timeout passed without news: re-IDLE (or poll).
    TimedOut,
    /// The cancellation token fired.
    Cancelled,
}

/// A logged-in IMAP connection to one mailbox.
pub struct ImapSession {
    session: connect::Session,
    /// `host:port`, for errors and logs.
    addr: String,
    /// The mailbox's configured name, for logs.
    name: String,
    capabilities: Capabilities,
    /// The server announced new mail outside IDLE since the last search.
    pending_change: bool,
    /// An I/O or parse error left the stream in an unknown state.
    broken: bool,
}

impl ImapSession {
    /// Connects and logs in: TCP (15 s limit), TLS per `mailbox.tls`
    /// (implicit, STARTTLS, or none on loopback) verified against the
    /// webpki roots plus `mailbox.ca_file`, the greeting, then LOGIN with the
    /// password, or AUTHENTICATE XOAUTH2 when `oauth2_token` is set.
    #[instrument(skip_all, fields(mailbox = %mailbox.name, host = %mailbox.host, port = mailbox.port))]
    pub async fn connect(mailbox: &Mailbox) -> Result<ImapSession, ImapError> {
        let addr = format!("{}:{}", mailbox.host, mailbox.port);
        let mut session = connect::open(mailbox, &addr).await?;
        session.as_mut().set_stall_limit(Some(COMMAND_STALL));
        let capabilities = session
            .capabilities()
            .await
            .map_err(|e| ImapError::from_imap(e, &addr, "read the capabilities"))?;
        let mut this = ImapSession {
            session,
            addr,
            name: mailbox.name.clone(),
            capabilities,
            pending_change: false,
            broken: false,
        };
        this.drain();
        debug!(
            tls = ?mailbox.tls,
            idle = this.supports_idle(),
            r#move = this.supports_move(),
            "imap logged in"
        );
        Ok(this)
    }

    /// Selects `folder` (UTF-8, as configured) read-write.
    #[instrument(skip_all, fields(mailbox = %self.name, folder = %folder))]
    pub async fn select(&mut self, folder: &str) -> Result<FolderState, ImapError> {
        self.usable()?;
        let result = self.session.select(names::encode_folder(folder)).await;
        let selected = self.check(result, || format!("select folder {folder}"))?;
        self.drain();
        self.pending_change = false;
        let uid_validity = selected
            .uid_validity
            .ok_or_else(|| self.protocol(format!("select folder {folder}"), "no UIDVALIDITY"))?;
        let state = FolderState {
            uid_validity,
            uid_next: selected.uid_next,
            exists: selected.exists,
        };
        debug!(?state.uid_validity, ?state.uid_next, state.exists, "imap folder selected");
        Ok(state)
    }

    /// True when the server offers IDLE (RFC 2177).
    pub fn supports_idle(&self) -> bool {
        self.capabilities.has_str("IDLE")
    }

    /// True when the server offers MOVE (RFC 6851).
    pub fn supports_move(&self) -> bool {
        self.capabilities.has_str("MOVE")
    }

    /// Says goodbye (LOGOUT) and closes the connection.
    pub async fn logout(mut self) -> Result<(), ImapError> {
        self.usable()?;
        let result = self.session.logout().await;
        self.check(result, || "log out".into())?;
        debug!(mailbox = %self.name, "imap logged out");
        Ok(())
    }

    /// Fails when an earlier error left the connection unusable.
    fn usable(&self) -> Result<(), ImapError> {
        if self.broken {
            return Err(ImapError::Io {
                addr: self.addr.clone(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotConnected,
                    "the connection is unusable after an earlier error; reconnect",
                ),
            });
        }
        Ok(())
    }

    /// Maps an async-imap result, marking the session broken when the
    /// error leaves the stream in an unknown state.
    fn check<T>(
        &mut self,
        result: Result<T, async_imap::error::Error>,
        command: impl FnOnce() -> String,
    ) -> Result<T, ImapError> {
        result.map_err(|error| {
            self.broken |= error::breaks_session(&error);
            ImapError::from_imap(error, &self.addr, &command())
        })
    }

    fn protocol(&self, command: String, message: &str) -> ImapError {
        ImapError::Protocol {
            addr: self.addr.clone(),
            command,
            message: message.to_string(),
        }
    }

    /// Empties the unsolicited-response channel (it holds 100 and drops
    /// the rest), noting new-mail announcements.
    fn drain(&mut self) {
        let rx = &self.session.unsolicited_responses;
        while let Ok(response) = rx.try_recv() {
            self.pending_change |= announces_mail(&response);
            trace!(mailbox = %self.name, ?response, "imap unsolicited response");
        }
    }
}

impl std::fmt::Debug for ImapSession {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImapSession")
            .field("addr", &self.addr)
            .field("name", &self.name)
            .field("idle", &self.supports_idle())
            .field("move", &self.supports_move())
            .field("broken", &self.broken)
            .finish_non_exhaustive()
    }
}

/// True for `EXISTS` and a non-zero `RECENT`: new mail may have arrived.
fn announces_mail(response: &UnsolicitedResponse) -> bool {
    match response {
        UnsolicitedResponse::Exists(_) => true,
        UnsolicitedResponse::Recent(n) => *n > 0,
        _ => false,
    }
}
