//! [`ImapError`]: what went wrong, split by what the caller should do.

use std::io;

/// An IMAP failure, split by what the caller should do about it.
///
/// Messages are lowercase, start with "cannot", name the server as
/// `host:port` and never contain a password or token.
#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    /// The mailbox configuration cannot be used (missing secret, bad CA
    /// file). Fix the config; retrying does not help.
    #[error("cannot use mailbox {mailbox}: {message}")]
    Config {
        /// The mailbox's name.
        mailbox: String,
        /// What is wrong.
        message: String,
    },
    /// No TCP connection (refused, unreachable, timed out): retry soon.
    #[error("cannot connect to {addr}: {source}")]
    Connect {
        /// `host:port`.
        addr: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
    /// TLS failed for good (untrusted or wrong certificate, STARTTLS
    /// refused): an operator must look; never falls back to plain text.
    #[error("cannot establish TLS with {addr}: {source}")]
    Tls {
        /// `host:port`.
        addr: String,
        /// The TLS error.
        #[source]
        source: io::Error,
    },
    /// The server rejected the credentials: retry slowly.
    #[error("cannot log in to {addr} as {user}: {message}")]
    Auth {
        /// `host:port`.
        addr: String,
        /// The login name.
        user: String,
        /// The server's answer.
        message: String,
    },
    /// The server said it is temporarily unable (`[UNAVAILABLE]`,
    /// `[INUSE]`, `[LIMIT]`, `[SERVERBUG]`, `* BYE` greeting): retry soon.
    #[error("cannot {command} on {addr}: server temporarily unavailable: {message}")]
    Unavailable {
        /// `host:port`.
        addr: String,
        /// What we were doing.
        command: String,
        /// The server's answer.
        message: String,
    },
    /// The server refused a command (`NO`/`BAD`) or answered something we
    /// cannot read: a configuration problem (unknown folder) or a bug.
    #[error("cannot {command} on {addr}: {message}")]
    Protocol {
        /// `host:port`.
        addr: String,
        /// What we were doing.
        command: String,
        /// The server's answer or what was wrong with it.
        message: String,
    },
    /// The connection dropped or stalled: reconnect.
    #[error("cannot talk to {addr}: {source}")]
    Io {
        /// `host:port`.
        addr: String,
        /// The I/O error.
        #[source]
        source: io::Error,
    },
}

impl ImapError {
    /// True when the server rejected the credentials (retry slowly, alert).
    pub fn is_auth(&self) -> bool {
        matches!(self, ImapError::Auth { .. })
    }

    /// True when retrying soon may succeed: connection refused or dropped,
    /// a stalled server, a temporary server error.
    pub fn is_transient(&self) -> bool {
        matches!(
            self,
            ImapError::Connect { .. } | ImapError::Io { .. } | ImapError::Unavailable { .. }
        )
    }

    /// Maps an async-imap error of `command` on `addr`.
    pub(super) fn from_imap(error: async_imap::error::Error, addr: &str, command: &str) -> Self {
        use async_imap::error::Error as E;
        let addr = addr.to_string();
        let command = command.to_string();
        match error {
            E::Io(source) => ImapError::Io { addr, source },
            E::ConnectionLost => ImapError::Io {
                addr,
                source: io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "connection closed by the server",
                ),
            },
            E::No(raw) | E::Bad(raw) if is_temporary(&raw) => ImapError::Unavailable {
                addr,
                command,
                message: server_text(&raw),
            },
            E::No(raw) | E::Bad(raw) => ImapError::Protocol {
                addr,
                command,
                message: server_text(&raw),
            },
            other => ImapError::Protocol {
                addr,
                command,
                message: other.to_string(),
            },
        }
    }
}

/// True when an async-imap error leaves the connection in an unknown state
/// (I/O failure, unreadable response): the session must not be reused.
pub(super) fn breaks_session(error: &async_imap::error::Error) -> bool {
    use async_imap::error::Error as E;
    matches!(error, E::Io(_) | E::ConnectionLost | E::Parse(_))
}

/// Response codes (RFC 5530) that mean "try again later".
const TEMPORARY_CODES: [&str; 4] = ["[UNAVAILABLE]", "[INUSE]", "[LIMIT]", "[SERVERBUG]"];

/// True when a `NO`/`BAD` text carries a temporary response code.
pub(super) fn is_temporary(raw: &str) -> bool {
    TEMPORARY_CODES.iter().any(|code| raw.contains(code))
}

/// The server's words from async-imap's `code: …, info: Some("…")` text.
///
/// async-imap formats `NO`/`BAD` answers with `Debug`; this keeps the
/// response code (when imap-proto knows it) and the human text.
pub(super) fn server_text(raw: &str) -> String {
    let info = raw
        .split_once("info: Some(\"")
        .and_then(|(_, rest)| rest.strip_suffix("\")"))
        .map(|s| s.replace("\\\"", "\"").replace("\\\\", "\\"));
    let code = raw
        .strip_prefix("code: Some(")
        .and_then(|rest| rest.split_once("), info:"))
        .map(|(code, _)| code);
    match (code, info) {
        (Some(code), Some(info)) => format!("[{code}] {info}"),
        (None, Some(info)) => info,
        (Some(code), None) => format!("[{code}]"),
        (None, None) => raw.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn server_text_keeps_the_human_words_of_a_no() {
        let raw = r#"code: None, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")"#;
        assert_eq!(
            server_text(raw),
            "[AUTHENTICATIONFAILED] Authentication failed."
        );
    }

    #[test]
    fn server_text_names_a_known_response_code() {
        let raw = r#"code: Some(TryCreate), info: Some("Mailbox doesn't exist: \"X\"")"#;
        assert_eq!(server_text(raw), "[TryCreate] Mailbox doesn't exist: \"X\"");
    }

    #[test]
    fn an_unavailable_login_is_transient_not_an_auth_failure() {
        let error = ImapError::from_imap(
            async_imap::error::Error::No(
                r#"code: None, info: Some("[UNAVAILABLE] Temporary authentication failure.")"#
                    .into(),
            ),
            "h:1",
            "log in",
        );
        assert!(error.is_transient());
        assert!(!error.is_auth());
    }

    #[test]
    fn a_lost_connection_is_transient() {
        let error = ImapError::from_imap(async_imap::error::Error::ConnectionLost, "h:1", "select");
        assert!(error.is_transient());
        assert_eq!(
            error.to_string(),
            "cannot talk to h:1: connection closed by the server"
        );
    }
}
