//! The SMTP adapter: up to `[smtp] connections` reused connections to the
//! server, for digests and confirmations. Knows nothing of the CRM; callers
//! hand it finished bytes.
//!
//! The connection is opened here (lettre's `AsyncSmtpConnection` over our
//! own TCP socket) rather than by lettre's pooled transport, so that the
//! socket has `TCP_NODELAY`: lettre writes a message's final `.` line
//! apart from its body, and with Nagle's algorithm that write waited for
//! the server's delayed ACK, 40 ms a message (BENCHMARKS.md, digest).
//! Implicit TLS connects through lettre (Nagle applies there).

mod compose;

pub use compose::compose;

use crate::config::{Smtp, TlsMode};
use crate::oauth2::TokenSource;
use anyhow::Context;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::{Credentials, Mechanism};
use lettre::transport::smtp::client::{AsyncSmtpConnection, Certificate, TlsParameters};
use lettre::transport::smtp::extension::ClientId;
use lettre::Address;
use secrecy::ExposeSecret;
use std::future::Future;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{Mutex, MutexGuard};

/// How long one SMTP exchange may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Connections to the configured SMTP server, each opened on first use and
/// reused while it works; concurrent sends use different ones (at most
/// `[smtp] connections` at once). Cheap to clone (clones share them).
#[derive(Clone)]
pub struct Mailer {
    server: Arc<Server>,
    connections: Arc<[Mutex<Option<AsyncSmtpConnection>>]>,
    /// Where a send waits when every connection is busy (round robin).
    next: Arc<AtomicUsize>,
}

/// One connection's slot, held for one message.
type Slot<'a> = MutexGuard<'a, Option<AsyncSmtpConnection>>;

/// Where and how to connect.
struct Server {
    host: String,
    port: u16,
    /// `host:port`, for errors.
    addr: String,
    tls: TlsMode,
    tls_parameters: Option<TlsParameters>,
    auth: Option<Auth>,
    hello: ClientId,
}

/// How the connection logs in.
enum Auth {
    /// AUTH PLAIN or LOGIN.
    Password(Credentials),
    /// AUTH XOAUTH2 as `user` with an access token from `source`.
    OAuth2 { user: String, source: TokenSource },
}

/// One AUTH attempt's inputs.
struct Login {
    credentials: Credentials,
    mechanisms: &'static [Mechanism],
    /// A cached OAuth2 token: a refusal is worth one more try with a new one.
    retry_if_refused: bool,
}

/// A failed AUTH: worth one more try with a new token, or not.
enum AuthFailure {
    Retry(SendError),
    Final(SendError),
}

/// Why a message was not accepted.
#[derive(Debug, thiserror::Error)]
#[error("SMTP server {addr}: {message}")]
pub struct SendError {
    /// `host:port`.
    pub addr: String,
    /// The cause, without secrets.
    pub message: String,
    /// The server refused for good (5xx); retrying will not help.
    pub permanent: bool,
}

impl Mailer {
    /// Reads the settings (TLS per `smtp.tls`, trusting the webpki roots
    /// plus `ca_file`; AUTH when a username is set: XOAUTH2 with `oauth2`,
    /// else PLAIN/LOGIN with the password). Connects lazily.
    pub fn new(smtp: &Smtp) -> anyhow::Result<Mailer> {
        let auth = auth(smtp)?;
        let server = Server {
            host: smtp.host.clone(),
            port: smtp.port,
            addr: format!("{}:{}", smtp.host, smtp.port),
            tls: smtp.tls,
            tls_parameters: tls_parameters(smtp)?,
            auth,
            hello: ClientId::default(),
        };
        let connections = (0..smtp.connections.max(1))
            .map(|_| Mutex::new(None))
            .collect();
        Ok(Mailer {
            server: Arc::new(server),
            connections,
            next: Arc::new(AtomicUsize::new(0)),
        })
    }

    /// How many messages may be sent at once (one per connection).
    pub fn parallelism(&self) -> usize {
        self.connections.len()
    }

    /// A free connection's slot, else a wait for one (round robin).
    async fn slot(&self) -> Slot<'_> {
        if let Some(free) = self
            .connections
            .iter()
            .find_map(|slot| slot.try_lock().ok())
        {
            return free;
        }
        let next = self.next.fetch_add(1, Ordering::Relaxed) % self.connections.len();
        self.connections[next].lock().await
    }

    /// Connects, greets (and authenticates) and says NOOP, sending nothing.
    pub async fn check(&self) -> Result<(), SendError> {
        let mut connection = self.server.connect().await?;
        let answered = self
            .server
            .within(connection.test_connected(), "NOOP")
            .await?;
        let _ = self.server.within(connection.quit(), "QUIT").await;
        match answered {
            true => Ok(()),
            false => Err(self
                .server
                .error("the server did not answer NOOP".into(), false)),
        }
    }

    /// Sends finished message bytes from `from` to `to`, over the open
    /// connection when it still works, else a new one (also when the open
    /// one fails: the server may have closed it while idle). After a
    /// failure the connection is dropped, so the next message starts clean.
    pub async fn send(&self, from: &Address, to: &[String], raw: &[u8]) -> Result<(), SendError> {
        let envelope = envelope(from, to).map_err(|m| self.server.error(m, true))?;
        let mut slot = self.slot().await;
        if let Some(open) = slot.take().filter(|open| !open.has_broken()) {
            if let Ok(connection) = self.server.deliver(open, &envelope, raw).await {
                *slot = Some(connection);
                return Ok(());
            }
        }
        let fresh = self.server.connect().await?;
        *slot = Some(self.server.deliver(fresh, &envelope, raw).await?);
        Ok(())
    }
}

impl Server {
    /// A connection, logged in when configured; with `oauth2`, a login
    /// refused with a cached token is tried once more with a new one.
    async fn connect(&self) -> Result<AsyncSmtpConnection, SendError> {
        let mut connection = self.open().await?;
        match self.authenticate(&mut connection, false).await {
            Ok(()) => Ok(connection),
            Err(AuthFailure::Final(error)) => Err(error),
            Err(AuthFailure::Retry(error)) => {
                tracing::warn!(server = %self.addr, %error, "smtp login refused with the cached OAuth2 token; refreshing it and retrying once");
                let mut connection = self.open().await?;
                match self.authenticate(&mut connection, true).await {
                    Ok(()) => Ok(connection),
                    Err(AuthFailure::Retry(error) | AuthFailure::Final(error)) => Err(error),
                }
            }
        }
    }

    /// TCP with `TCP_NODELAY` (plain, or STARTTLS, required), or implicit
    /// TLS through lettre.
    async fn open(&self) -> Result<AsyncSmtpConnection, SendError> {
        let mut connection = match (self.tls, &self.tls_parameters) {
            (TlsMode::Implicit, Some(params)) => self.connect_implicit_tls(params.clone()).await?,
            _ => self.connect_plain().await?,
        };
        if let (TlsMode::Starttls, Some(params)) = (self.tls, &self.tls_parameters) {
            self.within(connection.starttls(params.clone(), &self.hello), "STARTTLS")
                .await?
                .map_err(|e| self.failure(&e))?;
        }
        Ok(connection)
    }

    /// AUTH as configured; `refresh` asks for a new OAuth2 token first.
    async fn authenticate(
        &self,
        connection: &mut AsyncSmtpConnection,
        refresh: bool,
    ) -> Result<(), AuthFailure> {
        let Some(login) = self.login(refresh).await? else {
            return Ok(());
        };
        let answer = self
            .within(
                connection.auth(login.mechanisms, &login.credentials),
                "AUTH",
            )
            .await
            .map_err(AuthFailure::Final)?;
        match answer {
            Ok(_) => Ok(()),
            Err(e) if login.retry_if_refused && refused_login(&e) => {
                Err(AuthFailure::Retry(self.failure(&e)))
            }
            Err(e) => Err(AuthFailure::Final(self.failure(&e))),
        }
    }

    /// What AUTH sends: the password, or the OAuth2 access token (cached,
    /// or new when `refresh`); `None` without a username.
    async fn login(&self, refresh: bool) -> Result<Option<Login>, AuthFailure> {
        let (user, source) = match &self.auth {
            None => return Ok(None),
            Some(Auth::Password(credentials)) => {
                return Ok(Some(Login {
                    credentials: credentials.clone(),
                    mechanisms: &[Mechanism::Plain, Mechanism::Login],
                    retry_if_refused: false,
                }))
            }
            Some(Auth::OAuth2 { user, source }) => (user, source),
        };
        let token = match refresh {
            true => source.refreshed().await,
            false => source.access_token().await,
        }
        .map_err(|e| AuthFailure::Final(self.error(e.to_string(), !e.is_transient())))?;
        Ok(Some(Login {
            credentials: Credentials::new(user.clone(), token.secret.expose_secret().to_string()),
            mechanisms: &[Mechanism::Xoauth2],
            retry_if_refused: !token.fresh,
        }))
    }

    /// One message over `connection`; the connection back when it was accepted.
    async fn deliver(
        &self,
        mut connection: AsyncSmtpConnection,
        envelope: &Envelope,
        raw: &[u8],
    ) -> Result<AsyncSmtpConnection, SendError> {
        self.within(connection.send(envelope, raw), "send a message")
            .await?
            .map_err(|e| self.failure(&e))?;
        Ok(connection)
    }

    async fn connect_plain(&self) -> Result<AsyncSmtpConnection, SendError> {
        let tcp = self
            .within(
                tokio::net::TcpStream::connect((self.host.as_str(), self.port)),
                "connect",
            )
            .await?
            .map_err(|e| self.error(format!("cannot connect: {e}"), false))?;
        tcp.set_nodelay(true)
            .map_err(|e| self.error(format!("cannot set TCP_NODELAY: {e}"), false))?;
        self.within(
            AsyncSmtpConnection::connect_with_transport(Box::new(tcp), &self.hello),
            "greeting and EHLO",
        )
        .await?
        .map_err(|e| self.failure(&e))
    }

    async fn connect_implicit_tls(
        &self,
        params: TlsParameters,
    ) -> Result<AsyncSmtpConnection, SendError> {
        AsyncSmtpConnection::connect_tokio1(
            (self.host.as_str(), self.port),
            Some(TIMEOUT),
            &self.hello,
            Some(params),
            None,
        )
        .await
        .map_err(|e| self.failure(&e))
    }

    /// Runs one exchange under [`TIMEOUT`]; running out is a transient failure.
    async fn within<T>(&self, step: impl Future<Output = T>, what: &str) -> Result<T, SendError> {
        tokio::time::timeout(TIMEOUT, step).await.map_err(|_| {
            self.error(
                format!("{what}: no answer within {} s", TIMEOUT.as_secs()),
                false,
            )
        })
    }

    fn failure(&self, error: &lettre::transport::smtp::Error) -> SendError {
        let mut message = error.to_string();
        let mut source = std::error::Error::source(error);
        while let Some(cause) = source {
            message.push_str(&format!(": {cause}"));
            source = cause.source();
        }
        self.error(message, error.is_permanent())
    }

    fn error(&self, message: String, permanent: bool) -> SendError {
        SendError {
            addr: self.addr.clone(),
            message,
            permanent,
        }
    }
}

/// A refused login: 535, or the error challenge (334) a server such as
/// Gmail sends first for a bad XOAUTH2 token, which lettre does not answer.
fn refused_login(error: &lettre::transport::smtp::Error) -> bool {
    error.status().is_some_and(|code| code.to_string() == "535")
        || (error.is_client() && error.to_string().contains("does not expect a challenge"))
}

/// PLAIN/LOGIN with the password, or XOAUTH2, when a username is set.
fn auth(smtp: &Smtp) -> anyhow::Result<Option<Auth>> {
    let Some(username) = &smtp.username else {
        return Ok(None);
    };
    if let Some(oauth2) = &smtp.oauth2 {
        return Ok(Some(Auth::OAuth2 {
            user: username.clone(),
            source: TokenSource::shared(oauth2),
        }));
    }
    let password = smtp
        .password
        .as_ref()
        .context("[smtp] username is set but no password, password_file or oauth2")?
        .load()
        .context("cannot load the SMTP password")?;
    Ok(Some(Auth::Password(Credentials::new(
        username.clone(),
        password.expose_secret().to_string(),
    ))))
}

fn envelope(from: &Address, to: &[String]) -> Result<Envelope, String> {
    let parse = |a: &str| {
        a.parse::<Address>()
            .map_err(|e| format!("bad address {a:?}: {e}"))
    };
    let recipients = to.iter().map(|a| parse(a)).collect::<Result<Vec<_>, _>>()?;
    Envelope::new(Some(from.clone()), recipients).map_err(|e| e.to_string())
}

/// The TLS parameters for implicit TLS or STARTTLS (required, never
/// opportunistic); `None` without TLS.
fn tls_parameters(smtp: &Smtp) -> anyhow::Result<Option<TlsParameters>> {
    if smtp.tls == TlsMode::None {
        return Ok(None);
    }
    let mut params = TlsParameters::builder(smtp.host.clone());
    if let Some(ca_file) = &smtp.ca_file {
        let pem = std::fs::read(ca_file)
            .with_context(|| format!("cannot read [smtp] ca_file {}", ca_file.display()))?;
        let certificate = Certificate::from_pem(&pem).with_context(|| {
            format!(
                "[smtp] ca_file {} is not a PEM certificate",
                ca_file.display()
            )
        })?;
        params = params.add_root_certificate(certificate);
    }
    let params = params
        .build_rustls()
        .context("cannot set up TLS for SMTP")?;
    Ok(Some(params))
}
