//! The TOML configuration, validated once into [`Settings`].
//!
//! Unknown keys are errors that name the key; every validation error names
//! the key it is about. Secrets are never in the file's values: only the name
//! of an environment variable or a file that holds them.

use crate::domain::schedule::WorkCalendar;
use crate::domain::EmailAddress;
use chrono::NaiveTime;
use chrono_tz::Tz;
use secrecy::SecretString;
use serde::Deserialize;
use std::path::{Path, PathBuf};

mod oauth2;
mod raw;

/// A configuration problem, naming the key it is about.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config file {path}: {source}")]
    Read {
        /// The config file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The TOML is malformed or has an unknown key.
    #[error("cannot parse config file {path}: {message}")]
    Parse {
        /// The config file.
        path: PathBuf,
        /// The parser's message (it names the key and the line).
        message: String,
    },
    /// A value is not acceptable.
    #[error("config key `{key}`: {message}")]
    Invalid {
        /// The dotted key, e.g. `users[0].time_zone`.
        key: String,
        /// What is wrong with it.
        message: String,
    },
}

impl ConfigError {
    fn invalid(key: impl Into<String>, message: impl Into<String>) -> Self {
        ConfigError::Invalid {
            key: key.into(),
            message: message.into(),
        }
    }
}

pub use crate::domain::access::Role;

/// A sales rep.
#[derive(Debug, Clone)]
pub struct User {
    /// The rep's main address.
    pub email: EmailAddress,
    /// Display name.
    pub name: String,
    /// Other addresses the rep sends from.
    pub aliases: Vec<EmailAddress>,
    /// Admin, team lead or user.
    pub role: Role,
    /// Team name, if any.
    pub team: Option<String>,
    /// Time zone and workday start.
    pub calendar: WorkCalendar,
    /// Local time of the morning digest.
    pub digest_at: NaiveTime,
    /// Inactive users get no digest and own nothing new.
    pub active: bool,
}

impl User {
    /// True when `address` is this rep's main address or an alias.
    pub fn owns_address(&self, address: &EmailAddress) -> bool {
        self.email.same_mailbox(address) || self.aliases.iter().any(|a| a.same_mailbox(address))
    }
}

/// A partner who refers leads.
#[derive(Debug, Clone)]
pub struct Partner {
    /// The partner's name (lead source `partner:<name>`).
    pub name: String,
    /// Addresses the partner writes from.
    pub emails: Vec<EmailAddress>,
    /// Domains the partner writes from.
    pub domains: Vec<String>,
    /// The rep who gets the partner's leads.
    pub owner: EmailAddress,
}

/// Labels of a form's fields as form builders print them, matched case-insensitively: the
/// defaults of a configured source's `[sources.fields]` and of partners' labelled lines
/// ([`FieldLabels::default_labels`]), and what a forwarded form mail's submitter is read from
/// (`ingest::route::original`).
pub const NAME_FIELD_LABELS: &[&str] = &[
    "name",
    "contact",
    "your name",
    "full name",
    "nom",
    "nom complet",
    "nombre",
    "nome",
    "naam",
    "vorname und name",
];
/// See [`NAME_FIELD_LABELS`].
pub const EMAIL_FIELD_LABELS: &[&str] = &[
    "email",
    "e-mail",
    "email address",
    "e-mail address",
    "your email",
    "your e-mail",
    "mail",
    "e-mail-adresse",
    "courriel",
    "adresse e-mail",
    "adresse email",
    "correo",
    "correo electrónico",
    "indirizzo email",
];
/// See [`NAME_FIELD_LABELS`].
pub const PHONE_FIELD_LABELS: &[&str] = &[
    "phone",
    "telephone",
    "mobile",
    "telefone",
    "telefon",
    "telefoon",
];
/// See [`NAME_FIELD_LABELS`].
pub const COMPANY_FIELD_LABELS: &[&str] = &[
    "company",
    "organisation",
    "organization",
    "empresa",
    "firma",
    "bedrijf",
];
/// See [`NAME_FIELD_LABELS`].
pub const MESSAGE_FIELD_LABELS: &[&str] =
    &["message", "comments", "mensagem", "nachricht", "bericht"];

/// Label synonyms per lead field for a form source.
#[derive(Debug, Clone, Default)]
pub struct FieldLabels {
    /// Labels of the submitter's name.
    pub name: Vec<String>,
    /// Labels of the submitter's address.
    pub email: Vec<String>,
    /// Labels of the phone number.
    pub phone: Vec<String>,
    /// Labels of the company.
    pub company: Vec<String>,
    /// Labels of the free text.
    pub message: Vec<String>,
}

impl FieldLabels {
    /// The labels form builders print (the `*_FIELD_LABELS` lists): for partners'
    /// labelled lines, and a source whose `[sources.fields]` leaves a field out.
    pub fn default_labels() -> Self {
        let list = |l: &[&str]| l.iter().map(|s| s.to_string()).collect();
        Self {
            name: list(NAME_FIELD_LABELS),
            email: list(EMAIL_FIELD_LABELS),
            phone: list(PHONE_FIELD_LABELS),
            company: list(COMPANY_FIELD_LABELS),
            message: list(MESSAGE_FIELD_LABELS),
        }
    }

    /// Every label of every field.
    pub fn all(&self) -> Vec<&str> {
        [
            &self.name,
            &self.email,
            &self.phone,
            &self.company,
            &self.message,
        ]
        .into_iter()
        .flatten()
        .map(String::as_str)
        .collect()
    }

    /// Like [`FieldLabels::value`], for one-line fields (name, email, phone,
    /// company): only the value's first line counts.
    pub fn line_value(&self, fields: &[(String, String)], labels: &[String]) -> Option<String> {
        self.value(fields, labels)
            .and_then(|v| v.lines().next().map(|l| l.trim().to_string()))
            .filter(|v| !v.is_empty())
    }

    /// The first non-empty value among `fields` whose label is one of `labels`.
    pub fn value(&self, fields: &[(String, String)], labels: &[String]) -> Option<String> {
        fields
            .iter()
            .find(|(label, value)| !value.trim().is_empty() && is_field_label(label, labels))
            .map(|(_, value)| value.trim().to_string())
    }
}

/// Whether a form's printed `label` ("E-Mail:", "ИМЯ") is one of `labels`, in any case and
/// any script.
pub fn is_field_label<S: AsRef<str>>(label: &str, labels: &[S]) -> bool {
    let label = label.trim().trim_end_matches(':').trim().to_lowercase();
    labels.iter().any(|l| l.as_ref().to_lowercase() == label)
}

/// A robot (web form, marketplace) that mails structured submissions.
#[derive(Debug, Clone)]
pub struct Source {
    /// The source's name (lead source `form:<name>`).
    pub name: String,
    /// Addresses the robot sends from.
    pub from: Vec<EmailAddress>,
    /// The rep who gets its leads.
    pub owner: EmailAddress,
    /// Label synonyms per field.
    pub fields: FieldLabels,
    /// Believe its From without sender authentication (a web server without
    /// DMARC); off by default, and `doctor` warns when it is on.
    pub trust_unauthenticated: bool,
}

/// `[crm]`: the CRM addresses and the team's pipeline.
#[derive(Debug, Clone)]
pub struct Crm {
    /// The CRM address(es), plus tags allowed.
    pub addresses: Vec<EmailAddress>,
    /// Our own domains: never prospects or leads.
    pub company_domains: Vec<String>,
    /// Unknown senders make a `direct` lead (true) or go to quarantine.
    pub public_inquiries: bool,
    /// The pipeline steps, in order.
    pub steps: Vec<String>,
    /// Days without activity after which a lead is stale.
    pub stale_after_days: u32,
    /// Default time zone for users without one.
    pub time_zone: Tz,
    /// Country calling code for national phone numbers (e.g. "351").
    pub default_country_code: Option<String>,
}

/// `[security]`.
#[derive(Debug, Clone)]
pub struct Security {
    /// Which check a user or partner From must pass.
    pub sender_auth: SenderAuthMode,
    /// authserv-ids whose Authentication-Results we trust.
    pub trusted_authserv_ids: Vec<String>,
    /// Verify DKIM, DMARC (and SPF where a trusted receiver's Received
    /// header gives the client IP) here, over DNS, for mail that no trusted
    /// receiver has judged.
    pub verify_here: bool,
    /// The DNS servers for `verify_here`; empty: the system's resolv.conf.
    pub dns_servers: Vec<std::net::SocketAddr>,
    /// Host names (lowercase) whose `Received: … by HOST` header is believed
    /// for the SMTP client's IP, HELO and the Return-Path (SPF here).
    pub trusted_receivers: Vec<String>,
    /// Larger messages are quarantined unparsed.
    pub max_message_bytes: usize,
    /// Timeline bodies are cut above this many bytes, with a marker.
    pub max_body_bytes: usize,
    /// More header fields than this: quarantined unparsed.
    pub max_header_count: usize,
    /// A header line longer than this (bytes): quarantined unparsed.
    pub max_header_line_bytes: usize,
    /// The daemon's budget for mail bytes held at once per mailbox
    /// (fetched, not yet committed); a single larger message is held alone.
    pub max_in_flight_bytes: usize,
}

impl Security {
    /// The header-block bounds checked before parsing.
    pub fn header_bounds(&self) -> HeaderBounds {
        HeaderBounds {
            max_count: self.max_header_count,
            max_line_bytes: self.max_header_line_bytes,
        }
    }
}

/// Where a secret comes from.
#[derive(Debug, Clone)]
pub enum SecretSource {
    /// An environment variable's name.
    Env(String),
    /// A file path.
    File(PathBuf),
}

impl SecretSource {
    /// Reads the secret; the error names the variable or file, never the value.
    pub fn load(&self) -> anyhow::Result<SecretString> {
        let value = match self {
            SecretSource::Env(name) => std::env::var(name)
                .map_err(|_| anyhow::anyhow!("environment variable {name} is not set"))?,
            SecretSource::File(path) => {
                warn_if_others_can_read(path, "secret file");
                std::fs::read_to_string(path)
                    .map_err(|e| {
                        anyhow::anyhow!("cannot read secret file {}: {e}", path.display())
                    })?
                    .trim_end_matches(['\r', '\n'])
                    .to_string()
            }
        };
        Ok(SecretString::from(value))
    }
}

/// `oauth2 = { … }`: where and how to refresh.
#[derive(Debug, Clone)]
pub struct OAuth2Settings {
    /// The config key, e.g. `mailboxes[0].oauth2`, for messages.
    pub key: String,
    /// The token endpoint (https, or http on loopback).
    pub token_url: String,
    /// The OAuth client's id.
    pub client_id: String,
    /// The client secret; public clients have none.
    pub client_secret: Option<SecretSource>,
    /// Where the refresh token is kept.
    pub refresh_token: SecretSource,
    /// Scopes to ask for, space-separated.
    pub scope: Option<String>,
}

/// Secrets (or a config that may hold them) should not be readable by
/// other users: warn, naming the file and its mode, without refusing.
fn warn_if_others_can_read(path: &Path, what: &str) {
    use std::os::unix::fs::PermissionsExt;
    let Ok(meta) = std::fs::metadata(path) else {
        return;
    };
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o004 != 0 {
        tracing::warn!(
            "{what} {} is readable by every user (mode {mode:o}); run: chmod o-rwx {}",
            path.display(),
            path.display()
        );
    }
}

/// TLS mode of a server connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TlsMode {
    /// TLS from the first byte.
    Implicit,
    /// Plain, then STARTTLS.
    Starttls,
    /// No TLS (loopback only).
    None,
}

/// One `[[mailboxes]]` entry (used by the daemon).
#[derive(Debug, Clone)]
pub struct Mailbox {
    /// A short name for logs and status.
    pub name: String,
    /// IMAP server host.
    pub host: String,
    /// IMAP server port.
    pub port: u16,
    /// TLS mode.
    pub tls: TlsMode,
    /// Extra trust root.
    pub ca_file: Option<PathBuf>,
    /// Login name.
    pub username: String,
    /// Where the password comes from.
    pub password: Option<SecretSource>,
    /// Where an OAuth2 access token comes from (XOAUTH2, refreshed elsewhere).
    pub oauth2_token: Option<SecretSource>,
    /// The refresh-token grant leadmail runs itself (XOAUTH2).
    pub oauth2: Option<OAuth2Settings>,
    /// The folder to watch.
    pub folder: String,
    /// Move processed mail here (else only flag `\Seen`).
    pub processed_folder: Option<String>,
    /// Move quarantined mail here.
    pub quarantine_folder: Option<String>,
    /// Use IMAP IDLE where the server supports it.
    pub idle: bool,
    /// Poll interval where IDLE is off or unsupported.
    pub poll_interval_secs: u64,
    /// Admins are told when the mailbox has not synced for this long (and
    /// at once when its login fails); 0 tells them at the first error.
    pub alert_after_minutes: u64,
}

/// `[smtp]`: how digests are sent.
#[derive(Debug, Clone)]
pub struct Smtp {
    /// SMTP server host.
    pub host: String,
    /// SMTP server port.
    pub port: u16,
    /// TLS mode.
    pub tls: TlsMode,
    /// Login name (no AUTH when absent).
    pub username: Option<String>,
    /// Where the password comes from.
    pub password: Option<SecretSource>,
    /// The refresh-token grant for XOAUTH2 (with `username`), instead of a password.
    pub oauth2: Option<OAuth2Settings>,
    /// The From of digests and confirmations, parsed at load time (its
    /// address is also the SMTP envelope sender).
    pub from: lettre::message::Mailbox,
    /// Extra trust root.
    pub ca_file: Option<PathBuf>,
    /// Connections used at once to send (each reused); 1 to 32.
    pub connections: usize,
}

impl Smtp {
    /// The domain of `from`, lower-cased: the right side of the
    /// Message-IDs leadmail gives its digests and confirmations.
    pub fn from_domain(&self) -> String {
        self.from.email.domain().to_ascii_lowercase()
    }
}

/// `[digest]`.
#[derive(Debug, Clone)]
pub struct DigestSettings {
    /// Send digests at all.
    pub enabled: bool,
    /// Do not send empty digests.
    pub skip_empty: bool,
}

/// Which check a user/partner From must pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SenderAuthMode {
    /// `dmarc=pass` for the From domain.
    Dmarc,
    /// `dkim=pass` with a signing domain aligned with the From domain.
    Dkim,
    /// `spf=pass` with an envelope-from domain aligned with the From domain.
    Spf,
    /// No check: every From is believed.
    None,
}

impl SenderAuthMode {
    /// The method name as it appears in `Authentication-Results`.
    pub fn method(self) -> &'static str {
        match self {
            SenderAuthMode::Dmarc => "dmarc",
            SenderAuthMode::Dkim => "dkim",
            SenderAuthMode::Spf => "spf",
            SenderAuthMode::None => "none",
        }
    }
}

/// The configured bounds of a header block (read by the pipeline's
/// `ingest::header_bounds::check`).
#[derive(Debug, Clone, Copy)]
pub struct HeaderBounds {
    /// `security.max_header_count`.
    pub max_count: usize,
    /// `security.max_header_line_bytes` (line ending not counted).
    pub max_line_bytes: usize,
}

/// The validated configuration.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The database URL (`sqlite://…` resolved against the config's folder).
    pub database_url: String,
    /// `[crm]`.
    pub crm: Crm,
    /// `[security]`.
    pub security: Security,
    /// The reps.
    pub users: Vec<User>,
    /// The partners.
    pub partners: Vec<Partner>,
    /// The form sources.
    pub sources: Vec<Source>,
    /// The mailboxes the daemon watches.
    pub mailboxes: Vec<Mailbox>,
    /// How digests are sent.
    pub smtp: Option<Smtp>,
    /// Digest options.
    pub digest: DigestSettings,
    /// `[attachments]`: where attachment bytes are kept, if anywhere.
    pub attachments: AttachmentSettings,
    /// `[[webhooks]]`: where events are POSTed.
    pub webhooks: Vec<Webhook>,
    /// `[web]`: the web app, when configured.
    pub web: Option<Web>,
}

/// `[web]`: where the web app listens and the URL its links start with.
#[derive(Debug, Clone)]
pub struct Web {
    /// The socket address to listen on (`127.0.0.1:8080`).
    pub listen: std::net::SocketAddr,
    /// The public URL of the app, without a trailing `/`.
    pub base_url: String,
    /// How long a session lasts, in days.
    pub session_days: u32,
}

impl Web {
    /// Whether cookies must be `Secure` (the app is reached over https).
    pub fn secure(&self) -> bool {
        self.base_url.starts_with("https://")
    }
}

/// One `[[webhooks]]` entry: signed JSON events POSTed to `url`.
#[derive(Debug, Clone)]
pub struct Webhook {
    /// Its name in `webhooks list` and the logs (unique).
    pub name: String,
    /// Where events are POSTed (http or https).
    pub url: String,
    /// The event types it gets (all of [`crate::webhook::EVENT_TYPES`] when
    /// the file names none).
    pub events: Vec<String>,
    /// The HMAC-SHA256 key the signature is made with.
    pub secret: SecretSource,
    /// How long one POST may take before it counts as failed.
    pub timeout_secs: u64,
    /// The wait before the first retry (doubling, jittered, at most an hour).
    pub retry_first_secs: u64,
}

/// `[attachments]`: metadata is always recorded; bytes only with a `dir`.
#[derive(Debug, Clone, Default)]
pub struct AttachmentSettings {
    /// Where attachment files are written (named by their SHA-256); none: not kept.
    pub dir: Option<PathBuf>,
    /// An attachment larger than this (decoded bytes) is not written.
    pub max_bytes: u64,
}

impl Settings {
    /// Reads and validates a config file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        warn_if_others_can_read(path, "config file");
        let base = path.parent().unwrap_or(Path::new("."));
        Self::from_toml(&text, base).map_err(|e| match e {
            ConfigError::Parse { message, .. } => ConfigError::Parse {
                path: path.to_path_buf(),
                message,
            },
            other => other,
        })
    }

    /// Parses TOML text; relative paths are resolved against `base`.
    pub fn from_toml(text: &str, base: &Path) -> Result<Self, ConfigError> {
        let file: raw::File = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: PathBuf::from("<inline>"),
            message: e.to_string().trim().replace('\n', " "),
        })?;
        raw::validate(file, base)
    }

    /// The user whose address or alias this is.
    pub fn user_by_address(&self, address: &EmailAddress) -> Option<&User> {
        self.users.iter().find(|u| u.owns_address(address))
    }

    /// The user with this main address.
    pub fn user(&self, email: &EmailAddress) -> Option<&User> {
        self.users.iter().find(|u| u.email.same_mailbox(email))
    }

    /// True when the address is one of the CRM addresses (ignoring `+tag`).
    pub fn is_crm_address(&self, address: &EmailAddress) -> bool {
        self.crm.addresses.iter().any(|a| a.same_mailbox(address))
    }

    /// True when the address belongs to one of our own domains.
    pub fn is_company_address(&self, address: &EmailAddress) -> bool {
        self.crm
            .company_domains
            .iter()
            .any(|d| address.is_in_domain(d))
    }

    /// True for our own addresses: a user's address or alias, the CRM
    /// address in any `+tag` form, and any address at our own domains.
    /// None of them is ever a contact, a prospect or a lead.
    pub fn is_own_address(&self, address: &EmailAddress) -> bool {
        self.is_crm_address(address)
            || self.is_company_address(address)
            || self.user_by_address(address).is_some()
    }

    /// What the configuration believes without proof, for `doctor`: form
    /// sources whose From is taken without sender authentication.
    pub fn trust_warnings(&self) -> Vec<String> {
        self.sources
            .iter()
            .enumerate()
            .filter(|(_, source)| source.trust_unauthenticated)
            .map(|(i, source)| {
                format!(
                    "sources[{i}].trust_unauthenticated = true: anyone can forge a From of {:?} and create leads owned by {}",
                    source.name, source.owner
                )
            })
            .collect()
    }

    /// The calendar of a user, or the CRM default for someone else.
    pub fn calendar_of(&self, email: Option<&EmailAddress>) -> WorkCalendar {
        email
            .and_then(|e| self.user(e))
            .map(|u| u.calendar)
            .unwrap_or(WorkCalendar {
                time_zone: self.crm.time_zone,
                workday_start: NaiveTime::from_hms_opt(9, 0, 0).unwrap_or_default(),
            })
    }

    /// The step of the team's pipeline that matches `name` (case-insensitive).
    pub fn step_named(&self, name: &str) -> Option<&str> {
        let name = name.trim();
        self.crm
            .steps
            .iter()
            .find(|s| s.eq_ignore_ascii_case(name))
            .map(String::as_str)
    }
}

#[cfg(test)]
pub(crate) mod tests;
