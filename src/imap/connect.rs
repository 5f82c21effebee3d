//! Opening a session: TCP, TLS (implicit or STARTTLS), the greeting, login.

use super::error::{is_temporary, server_text, ImapError};
use super::stream::Stream;
use super::tls::{handshake, tls_connector};
use crate::config::{Mailbox, TlsMode};
use crate::oauth2::{OAuth2Error, TokenSource};
use async_imap::imap_proto::{Response, Status};
use secrecy::{ExposeSecret, SecretString};
use std::io;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tracing::warn;

/// An authenticated async-imap session over our stream.
pub(super) type Session = async_imap::Session<Stream>;
type Client = async_imap::Client<Stream>;

/// Limit of the TCP connect and of the TLS handshake.
pub(super) const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// Stall limit until logged in (a server may delay failed logins).
const LOGIN_STALL: Duration = Duration::from_secs(30);

/// What we log in with.
enum Credentials {
    Password(SecretString),
    OAuth2(SecretString),
}

/// Connects, secures, reads the greeting and logs in. With `oauth2`, a
/// login refused with a cached token is tried once more with a new one.
pub(super) async fn open(mailbox: &Mailbox, addr: &str) -> Result<Session, ImapError> {
    let (first, fresh) = credentials(mailbox, false).await?;
    match open_with(mailbox, addr, first).await {
        Err(error) if error.is_auth() && mailbox.oauth2.is_some() && !fresh => {
            warn!(mailbox = %mailbox.name, "imap login refused with the cached OAuth2 token; refreshing it and retrying once");
            let (second, _) = credentials(mailbox, true).await?;
            open_with(mailbox, addr, second).await
        }
        other => other,
    }
}

/// One connection and login with `credentials`.
async fn open_with(
    mailbox: &Mailbox,
    addr: &str,
    credentials: Credentials,
) -> Result<Session, ImapError> {
    let tls = match mailbox.tls {
        TlsMode::None => None,
        TlsMode::Implicit | TlsMode::Starttls => Some(tls_connector(mailbox)?),
    };
    let tcp = tcp_connect(mailbox, addr).await?;
    let stream = match (&tls, mailbox.tls) {
        (Some(connector), TlsMode::Implicit) => {
            Stream::tls(handshake(connector, mailbox, addr, tcp).await?, LOGIN_STALL)
        }
        _ => Stream::plain(tcp, LOGIN_STALL),
    };
    let mut client = Client::new(stream);
    read_greeting(&mut client, addr).await?;
    if let (Some(connector), TlsMode::Starttls) = (&tls, mailbox.tls) {
        client = starttls(client, connector, mailbox, addr).await?;
    }
    login(client, mailbox, credentials, addr).await
}

/// The refresh-token grant's access token (a new one when `refresh`), a
/// given OAuth2 token, or the password; and whether it was fetched just now.
async fn credentials(mailbox: &Mailbox, refresh: bool) -> Result<(Credentials, bool), ImapError> {
    let config = |message: String| ImapError::Config {
        mailbox: mailbox.name.clone(),
        message,
    };
    if let Some(settings) = &mailbox.oauth2 {
        let source = TokenSource::shared(settings);
        let token = match refresh {
            true => source.refreshed().await,
            false => source.access_token().await,
        };
        return token
            .map(|t| (Credentials::OAuth2(t.secret), t.fresh))
            .map_err(|e| oauth2_error(e, mailbox));
    }
    match (&mailbox.oauth2_token, &mailbox.password) {
        (Some(token), _) => token
            .load()
            .map(|t| (Credentials::OAuth2(t), false))
            .map_err(|e| config(format!("cannot load the OAuth2 token: {e:#}"))),
        (None, Some(password)) => password
            .load()
            .map(|p| (Credentials::Password(p), false))
            .map_err(|e| config(format!("cannot load the password: {e:#}"))),
        (None, None) => Err(config(
            "neither a password nor an OAuth2 token is configured".into(),
        )),
    }
}

/// No token: an unreachable endpoint is retried soon like a dropped
/// connection; a refusal (revoked refresh token) is a refused login.
fn oauth2_error(error: OAuth2Error, mailbox: &Mailbox) -> ImapError {
    let message = error.to_string();
    match error {
        OAuth2Error::Secret { .. } => ImapError::Config {
            mailbox: mailbox.name.clone(),
            message,
        },
        error if error.is_transient() => ImapError::Connect {
            addr: mailbox
                .oauth2
                .as_ref()
                .map(|o| o.token_url.clone())
                .unwrap_or_default(),
            source: io::Error::other(message),
        },
        _ => ImapError::Auth {
            addr: format!("{}:{}", mailbox.host, mailbox.port),
            user: mailbox.username.clone(),
            message,
        },
    }
}

async fn tcp_connect(mailbox: &Mailbox, addr: &str) -> Result<TcpStream, ImapError> {
    let connect = TcpStream::connect((mailbox.host.as_str(), mailbox.port));
    let tcp = match tokio::time::timeout(CONNECT_TIMEOUT, connect).await {
        Ok(result) => result,
        Err(_) => Err(io::Error::new(
            io::ErrorKind::TimedOut,
            format!("timed out after {} s", CONNECT_TIMEOUT.as_secs()),
        )),
    }
    .map_err(|source| ImapError::Connect {
        addr: addr.to_string(),
        source,
    })?;
    // IMAP is request/response: Nagle + delayed ACK would stall each command.
    let _ = tcp.set_nodelay(true);
    Ok(tcp)
}

/// Reads the server's greeting; async-imap does not, and would otherwise
/// take it for the answer to the first command.
async fn read_greeting(client: &mut Client, addr: &str) -> Result<(), ImapError> {
    let response = client
        .read_response()
        .await
        .map_err(|source| ImapError::Io {
            addr: addr.to_string(),
            source,
        })?
        .ok_or_else(|| ImapError::Io {
            addr: addr.to_string(),
            source: io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "connection closed before the greeting",
            ),
        })?;
    let refused = |message: String| ImapError::Unavailable {
        addr: addr.to_string(),
        command: "read the greeting".into(),
        message,
    };
    let protocol = |message: String| ImapError::Protocol {
        addr: addr.to_string(),
        command: "read the greeting".into(),
        message,
    };
    match response.parsed() {
        Response::Data {
            status: Status::Ok, ..
        } => Ok(()),
        Response::Data {
            status: Status::Bye,
            outcome,
        } => Err(refused(
            outcome.information.as_deref().unwrap_or("BYE").to_string(),
        )),
        Response::Data {
            status: Status::PreAuth,
            ..
        } => Err(protocol(
            "pre-authenticated connections (PREAUTH) are not supported".into(),
        )),
        other => Err(protocol(format!("unexpected greeting {other:?}"))),
    }
}

/// STARTTLS, then the handshake; never falls back to plain text.
async fn starttls(
    mut client: Client,
    connector: &TlsConnector,
    mailbox: &Mailbox,
    addr: &str,
) -> Result<Client, ImapError> {
    if let Err(error) = client.run_command_and_check_ok("STARTTLS", None).await {
        return Err(match error {
            async_imap::error::Error::No(raw) | async_imap::error::Error::Bad(raw) => {
                ImapError::Tls {
                    addr: addr.to_string(),
                    source: io::Error::other(format!(
                        "the server refused STARTTLS: {}",
                        server_text(&raw)
                    )),
                }
            }
            other => ImapError::from_imap(other, addr, "start TLS"),
        });
    }
    // Anything the server sent after its OK is dropped with the plain
    // stream's buffer (no plaintext injection into the TLS session).
    let tcp = client
        .into_inner()
        .into_plain()
        .ok_or_else(|| ImapError::Tls {
            addr: addr.to_string(),
            source: io::Error::other("STARTTLS on a stream that is already TLS"),
        })?;
    let tls = handshake(connector, mailbox, addr, tcp).await?;
    Ok(Client::new(Stream::tls(tls, LOGIN_STALL)))
}

/// LOGIN, or AUTHENTICATE XOAUTH2 with a token.
async fn login(
    client: Client,
    mailbox: &Mailbox,
    credentials: Credentials,
    addr: &str,
) -> Result<Session, ImapError> {
    let user = mailbox.username.as_str();
    let result = match &credentials {
        Credentials::Password(password) => client.login(user, password.expose_secret()).await,
        Credentials::OAuth2(token) => {
            let auth = XOAuth2 {
                user,
                token,
                sent: false,
            };
            client.authenticate("XOAUTH2", auth).await
        }
    };
    result.map_err(|(error, _client)| login_error(error, addr, user))
}

/// Classifies a failed login: rejected credentials vs. everything else.
fn login_error(error: async_imap::error::Error, addr: &str, user: &str) -> ImapError {
    use async_imap::error::Error as E;
    let auth = |message: String| ImapError::Auth {
        addr: addr.to_string(),
        user: user.to_string(),
        message,
    };
    match error {
        E::No(raw) if !is_temporary(&raw) => auth(server_text(&raw)),
        E::Validate(_) => {
            auth("the password contains a line break, which LOGIN cannot send".into())
        }
        other => ImapError::from_imap(other, addr, "log in"),
    }
}

/// SASL XOAUTH2: the token once; an empty answer to the server's error
/// challenge so it ends the exchange with `NO`.
struct XOAuth2<'a> {
    user: &'a str,
    token: &'a SecretString,
    sent: bool,
}

impl async_imap::Authenticator for XOAuth2<'_> {
    type Response = Vec<u8>;

    fn process(&mut self, _challenge: &[u8]) -> Vec<u8> {
        if std::mem::replace(&mut self.sent, true) {
            return Vec::new();
        }
        format!(
            "user={}\x01auth=Bearer {}\x01\x01",
            self.user,
            self.token.expose_secret()
        )
        .into_bytes()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_imap::Authenticator;

    #[test]
    fn xoauth2_sends_the_token_once_then_an_empty_answer() {
        let token = SecretString::from("tok");
        let mut auth = XOAuth2 {
            user: "crm@acme.test",
            token: &token,
            sent: false,
        };
        assert_eq!(
            auth.process(b""),
            b"user=crm@acme.test\x01auth=Bearer tok\x01\x01".to_vec()
        );
        assert!(auth.process(b"{\"status\":\"401\"}").is_empty());
    }

    #[test]
    fn a_refused_refresh_is_a_refused_login_and_an_unreachable_endpoint_is_transient() {
        let text = "[[mailboxes]]\nname = \"m\"\nhost = \"h\"\nusername = \"u\"\n\
            oauth2 = { token_url = \"https://t/token\", client_id = \"c\", refresh_token_env = \"R\" }\n";
        let settings = crate::config::tests::with_extra(text);
        let mailbox = &settings.mailboxes[0];
        let refused = OAuth2Error::Answer {
            key: "mailboxes[0].oauth2".into(),
            answer: crate::oauth2::token::parse_answer(
                400,
                br#"{"error":"invalid_grant"}"#,
                "2026-11-23T11:00:00Z".parse().unwrap(),
            )
            .err()
            .unwrap(),
        };
        let error = oauth2_error(refused, mailbox);
        assert!(error.is_auth(), "{error}");
        assert!(error.to_string().contains("invalid_grant"), "{error}");
        let unreachable = OAuth2Error::Unreachable {
            key: "k".into(),
            url: "https://t/token".into(),
            message: "connection refused".into(),
        };
        assert!(oauth2_error(unreachable, mailbox).is_transient());
        let secret = OAuth2Error::Secret {
            key: "k".into(),
            what: "refresh token",
            message: "environment variable R is not set".into(),
        };
        let error = oauth2_error(secret, mailbox);
        assert!(!error.is_auth() && !error.is_transient(), "{error}");
    }

    #[test]
    fn a_rejected_login_is_an_auth_error() {
        let raw = r#"code: None, info: Some("[AUTHENTICATIONFAILED] Authentication failed.")"#;
        let error = login_error(async_imap::error::Error::No(raw.into()), "h:1", "u");
        assert!(error.is_auth());
        assert_eq!(
            error.to_string(),
            "cannot log in to h:1 as u: [AUTHENTICATIONFAILED] Authentication failed."
        );
    }
}
