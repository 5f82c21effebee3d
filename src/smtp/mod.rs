//! The SMTP adapter: a lettre transport built from `[smtp]`, for digests and
//! confirmations. Knows nothing of the CRM; callers hand it finished bytes.

mod compose;

pub use compose::compose;

use crate::config::{Smtp, TlsMode};
use anyhow::Context;
use lettre::address::Envelope;
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::transport::smtp::PoolConfig;
use lettre::{Address, AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use secrecy::ExposeSecret;
use std::time::Duration;

/// How long one SMTP exchange may take before it counts as failed.
const TIMEOUT: Duration = Duration::from_secs(30);

/// A pooled connection to the configured SMTP server.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    /// `host:port`, for errors.
    addr: String,
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
    /// Builds the transport (TLS per `smtp.tls`, trusting the webpki roots
    /// plus `ca_file`; AUTH when a username is set). Connects lazily.
    pub fn new(smtp: &Smtp) -> anyhow::Result<Mailer> {
        let addr = format!("{}:{}", smtp.host, smtp.port);
        let mut builder = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(&smtp.host)
            .port(smtp.port)
            .timeout(Some(TIMEOUT))
            .tls(tls(smtp)?)
            .pool_config(PoolConfig::new().max_size(2));
        if let Some(username) = &smtp.username {
            let password = smtp
                .password
                .as_ref()
                .context("[smtp] username is set but no password or password_file")?
                .load()
                .context("cannot load the SMTP password")?;
            builder = builder.credentials(Credentials::new(
                username.clone(),
                password.expose_secret().to_string(),
            ));
        }
        Ok(Mailer {
            transport: builder.build(),
            addr,
        })
    }

    /// Connects, greets (and authenticates) without sending anything.
    pub async fn check(&self) -> Result<(), SendError> {
        match self.transport.test_connection().await {
            Ok(true) => Ok(()),
            Ok(false) => Err(self.error("the server did not answer NOOP".into(), false)),
            Err(e) => Err(self.failure(&e)),
        }
    }

    /// Sends finished message bytes from `from` to `to`.
    pub async fn send(&self, from: &str, to: &[String], raw: &[u8]) -> Result<(), SendError> {
        let envelope = envelope(from, to).map_err(|m| self.error(m, true))?;
        self.transport
            .send_raw(&envelope, raw)
            .await
            .map(|_| ())
            .map_err(|e| self.failure(&e))
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

fn envelope(from: &str, to: &[String]) -> Result<Envelope, String> {
    let parse = |a: &str| {
        a.parse::<Address>()
            .map_err(|e| format!("bad address {a:?}: {e}"))
    };
    let recipients = to.iter().map(|a| parse(a)).collect::<Result<Vec<_>, _>>()?;
    Envelope::new(Some(parse(from)?), recipients).map_err(|e| e.to_string())
}

/// Implicit TLS, STARTTLS (required, never opportunistic) or none.
fn tls(smtp: &Smtp) -> anyhow::Result<Tls> {
    if smtp.tls == TlsMode::None {
        return Ok(Tls::None);
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
    Ok(match smtp.tls {
        TlsMode::Implicit => Tls::Wrapper(params),
        _ => Tls::Required(params),
    })
}
