//! Sender authentication done here, over DNS (DKIM, DMARC, SPF with `mail-auth`), for mail
//! that no trusted receiver judged: leadmail behind an MTA that writes no
//! `Authentication-Results` (`security.verify_here`).
//!
//! The adapter only gathers evidence: it returns an RFC 8601 value that the pure pipeline
//! judges like a trusted receiver's header ([`crate::ingest::plan_message_verified`]).
//!
//! - DKIM: every `DKIM-Signature` is verified against the key its `d=`/`s=` publish.
//! - SPF: only where the topmost `Received` header was written by one of
//!   `security.trusted_receivers` (its `by` host), which gives the SMTP client's IP and
//!   HELO; the `Return-Path` gives the envelope sender. Without that, SPF is not claimed.
//! - DMARC: from the DKIM (and SPF, when checked) results and the From domain's record.

use crate::config::Security;
use crate::ingest::auth::judged_by_trusted_receiver;
use mail_auth::hickory_resolver::config::{NameServerConfig, ResolverConfig, ResolverOpts};
use mail_auth::spf::verify::SpfParameters;
use mail_auth::{
    AuthenticatedMessage, AuthenticationResults, DkimOutput, DmarcResult, MessageAuthenticator,
    SpfOutput,
};
use mail_parser::{HeaderName, HeaderValue, MessageParser};
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

/// The authserv-id written into the results made here (never trusted when
/// found in a message: only the value handed to the pipeline counts).
const HOSTNAME: &str = "leadmail.verify-here";
/// Messages verified at once in a batch.
const CONCURRENCY: usize = 16;
/// How long one DNS query may take, and how often it is tried.
const DNS_TIMEOUT: Duration = Duration::from_secs(2);
const DNS_ATTEMPTS: usize = 2;

/// Verifies senders over DNS; built once per daemon or CLI run.
pub(crate) struct DnsAuth {
    authenticator: MessageAuthenticator,
    trusted_authserv_ids: Vec<String>,
    trusted_receivers: Vec<String>,
}

/// Why the resolver could not be set up.
#[derive(Debug, thiserror::Error)]
#[error("cannot set up DNS for security.verify_here ({source})")]
pub(crate) struct DnsSetupError {
    #[source]
    source: mail_auth::hickory_resolver::net::NetError,
}

impl DnsAuth {
    /// The verifier `security` asks for: `None` unless `verify_here` is on.
    pub(crate) fn from_settings(security: &Security) -> Result<Option<DnsAuth>, DnsSetupError> {
        if !security.verify_here {
            return Ok(None);
        }
        let authenticator = match security.dns_servers.as_slice() {
            [] => MessageAuthenticator::new_system_conf(),
            servers => MessageAuthenticator::new(resolver_config(servers), resolver_opts()),
        }
        .map_err(|source| DnsSetupError { source })?;
        Ok(Some(DnsAuth {
            authenticator,
            trusted_authserv_ids: security.trusted_authserv_ids.clone(),
            trusted_receivers: security.trusted_receivers.clone(),
        }))
    }

    /// The results for each message, in order (see [`DnsAuth::verify`]);
    /// [`CONCURRENCY`] messages at a time.
    pub(crate) async fn verify_all(&self, raws: &[&[u8]]) -> Vec<Option<String>> {
        let mut results = Vec::with_capacity(raws.len());
        for chunk in raws.chunks(CONCURRENCY) {
            let pending: Vec<_> = chunk.iter().map(|raw| self.verify(raw)).collect();
            results.extend(futures::future::join_all(pending).await);
        }
        results
    }

    /// The RFC 8601 value of what was verified here for one message; `None`
    /// when a trusted receiver already judged it, or it has no From domain
    /// or cannot be read as a message (the pipeline says why).
    pub(crate) async fn verify(&self, raw: &[u8]) -> Option<String> {
        let headers = MessageParser::default().parse_headers(raw)?;
        let ar_values: Vec<&str> = headers
            .header_values(HeaderName::Other("Authentication-Results".into()))
            .filter_map(HeaderValue::as_text)
            .collect();
        if judged_by_trusted_receiver(&ar_values, &self.trusted_authserv_ids) {
            return None;
        }
        let envelope = self.envelope(&headers);
        let message = AuthenticatedMessage::parse(raw)?;
        let from_domain = message
            .from
            .first()?
            .rsplit_once('@')?
            .1
            .to_ascii_lowercase();
        Some(self.results(&message, &from_domain, envelope).await)
    }

    async fn results(
        &self,
        message: &AuthenticatedMessage<'_>,
        from_domain: &str,
        envelope: Option<Envelope>,
    ) -> String {
        let dkim = self.authenticator.verify_dkim(message).await;
        let mut results =
            AuthenticationResults::new(HOSTNAME).with_dkim_results(&dkim, from_domain);
        let (spf, mail_from_domain) = match &envelope {
            Some(envelope) => {
                let spf = self.spf(envelope).await;
                results = results.with_spf_mailfrom_result(
                    &spf,
                    envelope.ip,
                    &envelope.mail_from,
                    &envelope.helo,
                );
                (spf, envelope.mail_from_domain())
            }
            None => (SpfOutput::new(String::new()), String::new()),
        };
        let dmarc = self
            .authenticator
            .verify_dmarc(mail_auth::dmarc::verify::DmarcParameters {
                message,
                dkim_output: &dkim,
                dkim2_output: None,
                rfc5321_mail_from_domain: &mail_from_domain,
                spf_output: &spf,
            })
            .await;
        if dmarc.result() != DmarcResult::None || has_dkim_pass(&dkim) || envelope.is_some() {
            results = results.with_dmarc_result(&dmarc);
        }
        results.to_string().replace("\r\n\t", " ")
    }

    async fn spf(&self, envelope: &Envelope) -> SpfOutput {
        self.authenticator
            .verify_spf(SpfParameters::verify_mail_from(
                envelope.ip,
                &envelope.helo,
                HOSTNAME,
                &envelope.mail_from,
            ))
            .await
    }

    /// The SMTP facts a trusted receiver's topmost `Received` header gives:
    /// client IP and HELO, with the `Return-Path` as envelope sender.
    fn envelope(&self, headers: &mail_parser::Message<'_>) -> Option<Envelope> {
        let received = headers.received()?;
        let by = received.by()?.to_string().to_ascii_lowercase();
        if !self.trusted_receivers.contains(&by) {
            return None;
        }
        let ip = received.from_ip()?;
        let helo = received
            .helo()
            .or_else(|| received.from())
            .map(|host| host.to_string())
            .unwrap_or_default();
        let mail_from = match headers.return_path() {
            HeaderValue::Text(text) => text.trim_matches(['<', '>', ' ']).to_string(),
            _ => String::new(),
        };
        Some(Envelope {
            ip,
            helo,
            mail_from,
        })
    }
}

/// What the SMTP session of a message was, as our receiver recorded it.
struct Envelope {
    ip: IpAddr,
    helo: String,
    mail_from: String,
}

impl Envelope {
    /// The envelope sender's domain, or the HELO name for a null sender.
    fn mail_from_domain(&self) -> String {
        self.mail_from
            .rsplit_once('@')
            .map_or(self.helo.as_str(), |(_, domain)| domain)
            .to_ascii_lowercase()
    }
}

fn has_dkim_pass(dkim: &[DkimOutput<'_>]) -> bool {
    dkim.iter()
        .any(|output| *output.result() == mail_auth::DkimResult::Pass)
}

fn resolver_config(servers: &[SocketAddr]) -> ResolverConfig {
    let name_servers = servers
        .iter()
        .map(|server| {
            let mut config = NameServerConfig::udp_and_tcp(server.ip());
            for connection in &mut config.connections {
                connection.port = server.port();
            }
            config
        })
        .collect();
    ResolverConfig::from_parts(None, Vec::new(), name_servers)
}

fn resolver_opts() -> ResolverOpts {
    let mut options = ResolverOpts::default();
    options.timeout = DNS_TIMEOUT;
    options.attempts = DNS_ATTEMPTS;
    options
}
