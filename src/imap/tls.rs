//! TLS: the trust store (webpki roots plus `ca_file`) and the handshake.

use super::connect::CONNECT_TIMEOUT;
use super::error::ImapError;
use crate::config::Mailbox;
use std::io;
use std::sync::Arc;
use tokio::net::TcpStream;
use tokio_rustls::client::TlsStream;
use tokio_rustls::rustls::pki_types::pem::PemObject;
use tokio_rustls::rustls::pki_types::{CertificateDer, ServerName};
use tokio_rustls::rustls::{self, ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

/// A connector trusting the webpki roots plus the mailbox's `ca_file`.
pub(super) fn tls_connector(mailbox: &Mailbox) -> Result<TlsConnector, ImapError> {
    let config_error = |message: String| ImapError::Config {
        mailbox: mailbox.name.clone(),
        message,
    };
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    if let Some(path) = &mailbox.ca_file {
        let certs = CertificateDer::pem_file_iter(path)
            .map_err(|e| config_error(format!("cannot read ca_file {}: {e}", path.display())))?;
        let mut added = 0;
        for cert in certs {
            let cert = cert.map_err(|e| {
                config_error(format!("cannot parse ca_file {}: {e}", path.display()))
            })?;
            roots.add(cert).map_err(|e| {
                config_error(format!(
                    "cannot use a certificate of ca_file {}: {e}",
                    path.display()
                ))
            })?;
            added += 1;
        }
        if added == 0 {
            return Err(config_error(format!(
                "ca_file {} holds no PEM certificate",
                path.display()
            )));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| config_error(format!("cannot set up TLS: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(TlsConnector::from(Arc::new(config)))
}

/// The TLS handshake, verifying the certificate against `mailbox.host`.
pub(super) async fn handshake(
    connector: &TlsConnector,
    mailbox: &Mailbox,
    addr: &str,
    tcp: TcpStream,
) -> Result<TlsStream<TcpStream>, ImapError> {
    let tls_error = |source: io::Error| ImapError::Tls {
        addr: addr.to_string(),
        source,
    };
    let name = ServerName::try_from(mailbox.host.clone()).map_err(|e| {
        tls_error(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("{:?} is not a valid TLS server name: {e}", mailbox.host),
        ))
    })?;
    let result = tokio::time::timeout(CONNECT_TIMEOUT, connector.connect(name, tcp)).await;
    match result {
        Ok(Ok(tls)) => Ok(tls),
        // A certificate or protocol verdict: permanent.
        Ok(Err(e)) if e.get_ref().is_some_and(|inner| inner.is::<rustls::Error>()) => {
            Err(tls_error(e))
        }
        // The connection dropped during the handshake: transient.
        Ok(Err(source)) => Err(ImapError::Io {
            addr: addr.to_string(),
            source,
        }),
        Err(_) => Err(ImapError::Io {
            addr: addr.to_string(),
            source: io::Error::new(
                io::ErrorKind::TimedOut,
                format!(
                    "TLS handshake timed out after {} s",
                    CONNECT_TIMEOUT.as_secs()
                ),
            ),
        }),
    }
}
