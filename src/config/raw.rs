//! The configuration file as written, and its validation into `Settings`.

use super::oauth2::Service;
use super::*;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct File {
    database: DatabaseRaw,
    crm: CrmRaw,
    #[serde(default)]
    security: SecurityRaw,
    #[serde(default)]
    users: Vec<UserRaw>,
    #[serde(default)]
    partners: Vec<PartnerRaw>,
    #[serde(default)]
    sources: Vec<SourceRaw>,
    #[serde(default)]
    mailboxes: Vec<MailboxRaw>,
    smtp: Option<SmtpRaw>,
    #[serde(default)]
    digest: DigestRaw,
    #[serde(default)]
    attachments: AttachmentsRaw,
    #[serde(default)]
    webhooks: Vec<WebhookRaw>,
    web: Option<WebRaw>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WebRaw {
    #[serde(default = "default_web_listen")]
    listen: String,
    base_url: String,
    #[serde(default = "default_session_days")]
    session_days: u32,
}

fn default_web_listen() -> String {
    "127.0.0.1:8080".into()
}

fn default_session_days() -> u32 {
    30
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct WebhookRaw {
    name: Option<String>,
    url: String,
    #[serde(default)]
    events: Vec<String>,
    secret_env: Option<String>,
    secret_file: Option<PathBuf>,
    #[serde(default = "default_webhook_timeout")]
    timeout_secs: u64,
    #[serde(default = "default_webhook_retry_first")]
    retry_first_secs: u64,
}

fn default_webhook_timeout() -> u64 {
    10
}

fn default_webhook_retry_first() -> u64 {
    10
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AttachmentsRaw {
    dir: Option<PathBuf>,
    #[serde(default = "default_attachment_max_bytes")]
    max_bytes: u64,
}

impl Default for AttachmentsRaw {
    fn default() -> Self {
        Self {
            dir: None,
            max_bytes: default_attachment_max_bytes(),
        }
    }
}

/// 10 MiB: a brochure or a signed contract, not a video.
fn default_attachment_max_bytes() -> u64 {
    10 * 1024 * 1024
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DatabaseRaw {
    url: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CrmRaw {
    addresses: Vec<String>,
    #[serde(default)]
    company_domains: Vec<String>,
    #[serde(default)]
    public_inquiries: bool,
    #[serde(default = "default_steps")]
    steps: Vec<String>,
    #[serde(default = "default_stale_days")]
    stale_after_days: u32,
    #[serde(default = "default_time_zone")]
    time_zone: String,
    default_country_code: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SecurityRaw {
    #[serde(default = "default_sender_auth")]
    sender_auth: String,
    #[serde(default)]
    trusted_authserv_ids: Vec<String>,
    #[serde(default)]
    verify_here: bool,
    #[serde(default)]
    dns_servers: Vec<String>,
    #[serde(default)]
    trusted_receivers: Vec<String>,
    #[serde(default = "default_max_bytes")]
    max_message_bytes: usize,
    #[serde(default = "default_max_body_bytes")]
    max_body_bytes: usize,
    #[serde(default = "default_max_header_count")]
    max_header_count: usize,
    #[serde(default = "default_max_header_line_bytes")]
    max_header_line_bytes: usize,
    #[serde(default = "default_max_in_flight_bytes")]
    max_in_flight_bytes: usize,
}

impl Default for SecurityRaw {
    fn default() -> Self {
        Self {
            sender_auth: default_sender_auth(),
            trusted_authserv_ids: Vec::new(),
            verify_here: false,
            dns_servers: Vec::new(),
            trusted_receivers: Vec::new(),
            max_message_bytes: default_max_bytes(),
            max_body_bytes: default_max_body_bytes(),
            max_header_count: default_max_header_count(),
            max_header_line_bytes: default_max_header_line_bytes(),
            max_in_flight_bytes: default_max_in_flight_bytes(),
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UserRaw {
    email: String,
    name: String,
    #[serde(default)]
    aliases: Vec<String>,
    #[serde(default = "default_role")]
    role: Role,
    team: Option<String>,
    time_zone: Option<String>,
    #[serde(default = "default_workday_start")]
    workday_start: String,
    #[serde(default = "default_digest_at")]
    digest_at: String,
    #[serde(default = "yes")]
    active: bool,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartnerRaw {
    name: String,
    #[serde(default)]
    emails: Vec<String>,
    #[serde(default)]
    domains: Vec<String>,
    owner: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SourceRaw {
    name: String,
    from: Vec<String>,
    owner: String,
    #[serde(default)]
    fields: FieldsRaw,
    #[serde(default)]
    trust_unauthenticated: bool,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct FieldsRaw {
    #[serde(default)]
    name: Vec<String>,
    #[serde(default)]
    email: Vec<String>,
    #[serde(default)]
    phone: Vec<String>,
    #[serde(default)]
    company: Vec<String>,
    #[serde(default)]
    message: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MailboxRaw {
    name: String,
    host: String,
    port: Option<u16>,
    #[serde(default = "default_imap_tls")]
    tls: TlsMode,
    ca_file: Option<PathBuf>,
    username: String,
    password_env: Option<String>,
    password_file: Option<PathBuf>,
    oauth2_token_env: Option<String>,
    oauth2_token_file: Option<PathBuf>,
    oauth2: Option<super::oauth2::OAuth2Raw>,
    #[serde(default = "default_folder")]
    folder: String,
    processed_folder: Option<String>,
    quarantine_folder: Option<String>,
    #[serde(default = "yes")]
    idle: bool,
    #[serde(default = "default_poll")]
    poll_interval_secs: u64,
    #[serde(default = "default_alert_after")]
    alert_after_minutes: u64,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SmtpRaw {
    host: String,
    port: Option<u16>,
    #[serde(default = "default_smtp_tls")]
    tls: TlsMode,
    ca_file: Option<PathBuf>,
    username: Option<String>,
    password_env: Option<String>,
    password_file: Option<PathBuf>,
    oauth2: Option<super::oauth2::OAuth2Raw>,
    from: String,
    #[serde(default = "default_smtp_connections")]
    connections: usize,
}

fn default_smtp_connections() -> usize {
    4
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct DigestRaw {
    #[serde(default = "yes")]
    enabled: bool,
    #[serde(default = "yes")]
    skip_empty: bool,
}

impl Default for DigestRaw {
    fn default() -> Self {
        Self {
            enabled: true,
            skip_empty: true,
        }
    }
}

fn default_steps() -> Vec<String> {
    ["Contacted", "Demo", "Proposal", "Negotiation"]
        .map(String::from)
        .to_vec()
}
fn default_stale_days() -> u32 {
    14
}
fn default_time_zone() -> String {
    "UTC".into()
}
fn default_sender_auth() -> String {
    "dmarc".into()
}
/// Timeline bodies above this are cut, with a marker (64 KiB of text).
fn default_max_body_bytes() -> usize {
    64 * 1024
}

/// Real mail carries tens of header fields (a long relay path: ~100).
fn default_max_header_count() -> usize {
    1000
}
/// RFC 5322 caps a line at 998 bytes; broken mailers write unfolded
/// References or DKIM lines of a few KiB. 64 KiB leaves room for both.
fn default_max_header_line_bytes() -> usize {
    64 * 1024
}
/// Mail bytes a mailbox holds at once (fetched, not yet committed): 32 MiB.
fn default_max_in_flight_bytes() -> usize {
    32 * 1024 * 1024
}

fn default_max_bytes() -> usize {
    25 * 1024 * 1024
}
fn default_role() -> Role {
    Role::User
}
fn default_workday_start() -> String {
    "09:00".into()
}
fn default_digest_at() -> String {
    "07:30".into()
}
fn yes() -> bool {
    true
}
fn default_imap_tls() -> TlsMode {
    TlsMode::Implicit
}
fn default_smtp_tls() -> TlsMode {
    TlsMode::Starttls
}
fn default_folder() -> String {
    "INBOX".into()
}
fn default_poll() -> u64 {
    60
}

fn default_alert_after() -> u64 {
    30
}

/// Validates the raw file into settings; every error names its key.
pub(super) fn validate(file: File, base: &Path) -> Result<Settings, ConfigError> {
    let crm = validate_crm(file.crm)?;
    let users = validate_users(file.users, crm.time_zone)?;
    let known = |key: &str, email: &str| owner_address(key, email, &users);
    let partners = file
        .partners
        .into_iter()
        .enumerate()
        .map(|(i, p)| validate_partner(i, p, &known))
        .collect::<Result<Vec<_>, _>>()?;
    let sources = file
        .sources
        .into_iter()
        .enumerate()
        .map(|(i, s)| validate_source(i, s, &known))
        .collect::<Result<Vec<_>, _>>()?;
    let mailboxes = file
        .mailboxes
        .into_iter()
        .enumerate()
        .map(|(i, m)| validate_mailbox(i, m, base))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Settings {
        database_url: resolve_database_url(&file.database.url, base)?,
        crm,
        security: validate_security(file.security)?,
        users,
        partners,
        sources,
        mailboxes,
        smtp: file.smtp.map(|s| validate_smtp(s, base)).transpose()?,
        digest: DigestSettings {
            enabled: file.digest.enabled,
            skip_empty: file.digest.skip_empty,
        },
        attachments: AttachmentSettings {
            dir: file.attachments.dir.map(|d| base.join(d)),
            max_bytes: file.attachments.max_bytes,
        },
        webhooks: validate_webhooks(file.webhooks, base)?,
        web: file.web.map(validate_web).transpose()?,
    })
}

/// `[web]`: a socket address to listen on and the absolute http(s) URL
/// the links in mails and feeds start with.
fn validate_web(raw: WebRaw) -> Result<Web, ConfigError> {
    let listen = raw.listen.parse().map_err(|_| {
        ConfigError::invalid(
            "web.listen",
            format!(
                "{:?} is not an address and port like \"127.0.0.1:8080\"",
                raw.listen
            ),
        )
    })?;
    let base_url = raw.base_url.trim().trim_end_matches('/').to_string();
    let scheme_ok = base_url.starts_with("https://") || base_url.starts_with("http://");
    let host_ok = base_url
        .split("://")
        .nth(1)
        .is_some_and(|rest| !rest.is_empty());
    if !scheme_ok || !host_ok || base_url.chars().any(char::is_whitespace) {
        return Err(ConfigError::invalid(
            "web.base_url",
            format!(
                "{:?} is not an http(s) URL like \"https://crm.acme.test\"",
                raw.base_url
            ),
        ));
    }
    if !(1..=365).contains(&raw.session_days) {
        return Err(ConfigError::invalid(
            "web.session_days",
            "must be between 1 and 365",
        ));
    }
    Ok(Web {
        listen,
        base_url,
        session_days: raw.session_days,
    })
}

fn validate_webhooks(raw: Vec<WebhookRaw>, base: &Path) -> Result<Vec<Webhook>, ConfigError> {
    let mut webhooks: Vec<Webhook> = Vec::with_capacity(raw.len());
    for (i, raw) in raw.into_iter().enumerate() {
        let webhook = validate_webhook(i, raw, base)?;
        if webhooks.iter().any(|w| w.name == webhook.name) {
            return Err(ConfigError::invalid(
                format!("webhooks[{i}].name"),
                format!(
                    "{:?} names two webhooks: give each its own name",
                    webhook.name
                ),
            ));
        }
        webhooks.push(webhook);
    }
    Ok(webhooks)
}

fn validate_webhook(i: usize, raw: WebhookRaw, base: &Path) -> Result<Webhook, ConfigError> {
    let key = |field: &str| format!("webhooks[{i}].{field}");
    let url = raw.url.trim().to_string();
    let host = crate::webhook::url_host(&url).ok_or_else(|| {
        ConfigError::invalid(
            key("url"),
            format!("{url:?} is not an http:// or https:// URL"),
        )
    })?;
    if url.to_ascii_lowercase().starts_with("http://") && !is_loopback(&host) {
        return Err(ConfigError::invalid(
            key("url"),
            format!("plain http:// is only allowed for loopback hosts, not {host:?}: use https://"),
        ));
    }
    if let Some(unknown) = raw
        .events
        .iter()
        .find(|event| !crate::webhook::EVENT_TYPES.contains(&event.as_str()))
    {
        return Err(ConfigError::invalid(
            key("events"),
            format!(
                "{unknown:?} is not one of {}",
                crate::webhook::EVENT_TYPES.join(", ")
            ),
        ));
    }
    let secret =
        secret(&key("secret_env"), raw.secret_env, raw.secret_file, base)?.ok_or_else(|| {
            ConfigError::invalid(
                key("secret_env"),
                "set secret_env or secret_file: events are signed",
            )
        })?;
    if raw.timeout_secs == 0 || raw.retry_first_secs == 0 {
        return Err(ConfigError::invalid(
            key("timeout_secs"),
            "timeout_secs and retry_first_secs must be at least 1",
        ));
    }
    Ok(Webhook {
        name: raw.name.unwrap_or(host),
        url,
        events: match raw.events.is_empty() {
            true => crate::webhook::EVENT_TYPES
                .iter()
                .map(|e| e.to_string())
                .collect(),
            false => raw.events,
        },
        secret,
        timeout_secs: raw.timeout_secs,
        retry_first_secs: raw.retry_first_secs,
    })
}

fn address(key: &str, text: &str) -> Result<EmailAddress, ConfigError> {
    EmailAddress::parse(text).map_err(|e| ConfigError::invalid(key, e.to_string()))
}

fn addresses(key: &str, texts: &[String]) -> Result<Vec<EmailAddress>, ConfigError> {
    texts
        .iter()
        .enumerate()
        .map(|(i, t)| address(&format!("{key}[{i}]"), t))
        .collect()
}

fn owner_address(key: &str, text: &str, users: &[User]) -> Result<EmailAddress, ConfigError> {
    let email = address(key, text)?;
    if users.iter().any(|u| u.email.same_mailbox(&email)) {
        Ok(email)
    } else {
        Err(ConfigError::invalid(
            key,
            format!("{email} is not a configured user (add it under [[users]])"),
        ))
    }
}

fn time_zone(key: &str, name: &str) -> Result<Tz, ConfigError> {
    name.parse::<Tz>()
        .map_err(|_| ConfigError::invalid(key, format!("{name:?} is not an IANA time zone")))
}

fn clock(key: &str, text: &str) -> Result<NaiveTime, ConfigError> {
    NaiveTime::parse_from_str(text, "%H:%M")
        .map_err(|_| ConfigError::invalid(key, format!("{text:?} is not a time like \"09:00\"")))
}

fn domains(key: &str, list: Vec<String>) -> Result<Vec<String>, ConfigError> {
    list.into_iter()
        .enumerate()
        .map(|(i, d)| {
            let d = d.trim().trim_start_matches('@').to_ascii_lowercase();
            if d.contains('.') && !d.contains(char::is_whitespace) {
                Ok(d)
            } else {
                Err(ConfigError::invalid(
                    format!("{key}[{i}]"),
                    format!("{d:?} is not a domain"),
                ))
            }
        })
        .collect()
}

fn validate_crm(raw: CrmRaw) -> Result<Crm, ConfigError> {
    if raw.addresses.is_empty() {
        return Err(ConfigError::invalid(
            "crm.addresses",
            "at least one CRM address is needed",
        ));
    }
    if raw.steps.is_empty() {
        return Err(ConfigError::invalid(
            "crm.steps",
            "at least one pipeline step is needed",
        ));
    }
    let default_country_code = raw
        .default_country_code
        .map(|c| c.trim().trim_start_matches('+').to_string());
    if let Some(code) = &default_country_code {
        if code.is_empty() || code.len() > 3 || !code.chars().all(|c| c.is_ascii_digit()) {
            return Err(ConfigError::invalid(
                "crm.default_country_code",
                format!("{code:?} is not a country calling code like \"351\""),
            ));
        }
    }
    Ok(Crm {
        addresses: addresses("crm.addresses", &raw.addresses)?,
        company_domains: domains("crm.company_domains", raw.company_domains)?,
        public_inquiries: raw.public_inquiries,
        steps: raw.steps,
        stale_after_days: raw.stale_after_days,
        time_zone: time_zone("crm.time_zone", &raw.time_zone)?,
        default_country_code,
    })
}

fn validate_security(raw: SecurityRaw) -> Result<Security, ConfigError> {
    let sender_auth = match raw.sender_auth.to_ascii_lowercase().as_str() {
        "dmarc" => SenderAuthMode::Dmarc,
        "dkim" => SenderAuthMode::Dkim,
        "spf" => SenderAuthMode::Spf,
        "none" => SenderAuthMode::None,
        other => {
            return Err(ConfigError::invalid(
                "security.sender_auth",
                format!("{other:?} is not one of dmarc, dkim, spf, none"),
            ))
        }
    };
    if sender_auth != SenderAuthMode::None
        && raw.trusted_authserv_ids.is_empty()
        && !raw.verify_here
    {
        return Err(ConfigError::invalid(
            "security.trusted_authserv_ids",
            "needed unless sender_auth = \"none\" or verify_here = true: name the receiving server(s) whose Authentication-Results to trust",
        ));
    }
    let dns_servers = dns_servers(&raw.dns_servers)?;
    if raw.max_message_bytes < 1024 {
        return Err(ConfigError::invalid(
            "security.max_message_bytes",
            "must be at least 1024",
        ));
    }
    if raw.max_body_bytes < 256 {
        return Err(ConfigError::invalid(
            "security.max_body_bytes",
            "must be at least 256",
        ));
    }
    check_header_bounds(&raw)?;
    if raw.max_in_flight_bytes < 1024 * 1024 {
        return Err(ConfigError::invalid(
            "security.max_in_flight_bytes",
            "must be at least 1048576 (1 MiB)",
        ));
    }
    Ok(Security {
        sender_auth,
        trusted_authserv_ids: raw.trusted_authserv_ids,
        verify_here: raw.verify_here,
        dns_servers,
        trusted_receivers: raw
            .trusted_receivers
            .iter()
            .map(|host| host.trim().trim_end_matches('.').to_ascii_lowercase())
            .collect(),
        max_message_bytes: raw.max_message_bytes,
        max_body_bytes: raw.max_body_bytes,
        max_header_count: raw.max_header_count,
        max_header_line_bytes: raw.max_header_line_bytes,
        max_in_flight_bytes: raw.max_in_flight_bytes,
    })
}

/// Bounds so low that ordinary mail would be quarantined are a mistake.
fn check_header_bounds(raw: &SecurityRaw) -> Result<(), ConfigError> {
    if raw.max_header_count < 50 {
        return Err(ConfigError::invalid(
            "security.max_header_count",
            "must be at least 50",
        ));
    }
    if raw.max_header_line_bytes < 998 {
        return Err(ConfigError::invalid(
            "security.max_header_line_bytes",
            "must be at least 998 (the RFC 5322 line limit)",
        ));
    }
    Ok(())
}

fn validate_users(raw: Vec<UserRaw>, default_tz: Tz) -> Result<Vec<User>, ConfigError> {
    let mut users: Vec<User> = Vec::with_capacity(raw.len());
    for (i, u) in raw.into_iter().enumerate() {
        let key = |field: &str| format!("users[{i}].{field}");
        let email = address(&key("email"), &u.email)?;
        if users.iter().any(|other| other.owns_address(&email)) {
            return Err(ConfigError::invalid(
                key("email"),
                format!("{email} is listed twice"),
            ));
        }
        let tz = match &u.time_zone {
            Some(name) => time_zone(&key("time_zone"), name)?,
            None => default_tz,
        };
        users.push(User {
            aliases: addresses(&key("aliases"), &u.aliases)?,
            email,
            name: u.name,
            role: u.role,
            team: u.team,
            calendar: WorkCalendar {
                time_zone: tz,
                workday_start: clock(&key("workday_start"), &u.workday_start)?,
            },
            digest_at: clock(&key("digest_at"), &u.digest_at)?,
            active: u.active,
        });
    }
    Ok(users)
}

type OwnerCheck<'a> = dyn Fn(&str, &str) -> Result<EmailAddress, ConfigError> + 'a;

fn validate_partner(i: usize, raw: PartnerRaw, owner: &OwnerCheck) -> Result<Partner, ConfigError> {
    let key = |field: &str| format!("partners[{i}].{field}");
    if raw.emails.is_empty() && raw.domains.is_empty() {
        return Err(ConfigError::invalid(
            key("emails"),
            format!(
                "partner {:?} needs at least one of emails or domains",
                raw.name
            ),
        ));
    }
    let owner = owner(&key("owner"), &raw.owner).map_err(|e| name_partner(e, &raw.name))?;
    Ok(Partner {
        emails: addresses(&key("emails"), &raw.emails)?,
        domains: domains(&key("domains"), raw.domains)?,
        name: raw.name,
        owner,
    })
}

fn name_partner(error: ConfigError, partner: &str) -> ConfigError {
    match error {
        ConfigError::Invalid { key, message } => ConfigError::Invalid {
            key,
            message: format!("partner {partner:?}: {message}"),
        },
        other => other,
    }
}

fn validate_source(i: usize, raw: SourceRaw, owner: &OwnerCheck) -> Result<Source, ConfigError> {
    let key = |field: &str| format!("sources[{i}].{field}");
    let f = raw.fields;
    let defaults = FieldLabels::default_labels();
    Ok(Source {
        from: addresses(&key("from"), &raw.from)?,
        owner: owner(&key("owner"), &raw.owner).map_err(|e| name_partner(e, &raw.name))?,
        name: raw.name,
        trust_unauthenticated: raw.trust_unauthenticated,
        fields: FieldLabels {
            name: or_default(f.name, defaults.name),
            email: or_default(f.email, defaults.email),
            phone: or_default(f.phone, defaults.phone),
            company: or_default(f.company, defaults.company),
            message: or_default(f.message, defaults.message),
        },
    })
}

fn or_default(list: Vec<String>, default: Vec<String>) -> Vec<String> {
    if list.is_empty() {
        default
    } else {
        list
    }
}

pub(super) fn secret(
    key: &str,
    env: Option<String>,
    file: Option<PathBuf>,
    base: &Path,
) -> Result<Option<SecretSource>, ConfigError> {
    match (env, file) {
        (Some(_), Some(_)) => Err(ConfigError::invalid(
            key,
            "give either *_env or *_file, not both",
        )),
        (Some(name), None) => Ok(Some(SecretSource::Env(name))),
        (None, Some(path)) => Ok(Some(SecretSource::File(base.join(path)))),
        (None, None) => Ok(None),
    }
}

/// `localhost` or a loopback IP (`[::1]` too).
pub(super) fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_matches(['[', ']'])
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn check_plain_tls(key: &str, tls: TlsMode, host: &str) -> Result<(), ConfigError> {
    if tls == TlsMode::None && !is_loopback(host) {
        return Err(ConfigError::invalid(
            key,
            format!("tls = \"none\" is only allowed for loopback hosts, not {host:?}"),
        ));
    }
    Ok(())
}

fn validate_mailbox(i: usize, raw: MailboxRaw, base: &Path) -> Result<Mailbox, ConfigError> {
    let key = |field: &str| format!("mailboxes[{i}].{field}");
    check_plain_tls(&key("tls"), raw.tls, &raw.host)?;
    let password = secret(
        &key("password_env"),
        raw.password_env,
        raw.password_file,
        base,
    )?;
    let oauth2_token = secret(
        &key("oauth2_token_env"),
        raw.oauth2_token_env,
        raw.oauth2_token_file,
        base,
    )?;
    let oauth2 = raw
        .oauth2
        .map(|o| super::oauth2::validate(&key("oauth2"), o, Service::Imap, base))
        .transpose()?;
    check_one_login(
        &key,
        password.is_some(),
        oauth2_token.is_some(),
        oauth2.is_some(),
    )?;
    Ok(Mailbox {
        port: raw.port.unwrap_or(if raw.tls == TlsMode::Implicit {
            993
        } else {
            143
        }),
        name: raw.name,
        host: raw.host,
        tls: raw.tls,
        ca_file: raw.ca_file.map(|p| base.join(p)),
        username: raw.username,
        password,
        oauth2_token,
        oauth2,
        folder: raw.folder,
        processed_folder: raw.processed_folder,
        quarantine_folder: raw.quarantine_folder,
        idle: raw.idle,
        poll_interval_secs: raw.poll_interval_secs.max(1),
        alert_after_minutes: raw.alert_after_minutes,
    })
}

/// A mailbox logs in one way: a password, a given OAuth2 token, or `oauth2`.
fn check_one_login(
    key: &dyn Fn(&str) -> String,
    password: bool,
    token: bool,
    oauth2: bool,
) -> Result<(), ConfigError> {
    match (password, token, oauth2) {
        (false, false, false) => Err(ConfigError::invalid(
            key("password_env"),
            "set password_env, password_file, oauth2 = { ... }, oauth2_token_env or oauth2_token_file",
        )),
        (_, _, true) if password || token => Err(ConfigError::invalid(
            key("oauth2"),
            "oauth2 refreshes its own tokens: remove password_* and oauth2_token_* from this mailbox",
        )),
        _ => Ok(()),
    }
}

fn validate_smtp(raw: SmtpRaw, base: &Path) -> Result<Smtp, ConfigError> {
    check_plain_tls("smtp.tls", raw.tls, &raw.host)?;
    if !(1..=32).contains(&raw.connections) {
        return Err(ConfigError::invalid(
            "smtp.connections",
            format!("{} is not between 1 and 32", raw.connections),
        ));
    }
    let password = secret(
        "smtp.password_env",
        raw.password_env,
        raw.password_file,
        base,
    )?;
    let oauth2 = raw
        .oauth2
        .map(|o| super::oauth2::validate("smtp.oauth2", o, Service::Smtp, base))
        .transpose()?;
    if oauth2.is_some() && password.is_some() {
        return Err(ConfigError::invalid(
            "smtp.oauth2",
            "give either oauth2 or password_env/password_file, not both",
        ));
    }
    if oauth2.is_some() && raw.username.is_none() {
        return Err(ConfigError::invalid(
            "smtp.username",
            "oauth2 needs the username to log in as (the mailbox's address)",
        ));
    }
    Ok(Smtp {
        port: raw.port.unwrap_or(match raw.tls {
            TlsMode::Implicit => 465,
            TlsMode::Starttls => 587,
            TlsMode::None => 25,
        }),
        password,
        oauth2,
        host: raw.host,
        tls: raw.tls,
        username: raw.username,
        from: mailbox("smtp.from", &raw.from)?,
        ca_file: raw.ca_file.map(|p| base.join(p)),
        connections: raw.connections,
    })
}

/// A `Name <addr>` or bare address, parsed once here for every sender.
fn mailbox(key: &str, text: &str) -> Result<lettre::message::Mailbox, ConfigError> {
    text.parse().map_err(|error| {
        ConfigError::invalid(
            key,
            format!("{text:?} is not an address like \"leadmail <crm@acme.test>\": {error}"),
        )
    })
}

/// `sqlite://file.db` relative to the config's folder; `postgres://` and
/// `postgresql://` URLs unchanged.
fn resolve_database_url(url: &str, base: &Path) -> Result<String, ConfigError> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Ok(url.to_string());
    }
    let Some(path) = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
    else {
        return Err(ConfigError::invalid(
            "database.url",
            format!(
                "{:?}: a database URL starts with sqlite:// or postgres://",
                crate::domain::url::redact_password(url)
            ),
        ));
    };
    let (file, query) = path.split_once('?').unwrap_or((path, ""));
    if file.is_empty() {
        return Err(ConfigError::invalid(
            "database.url",
            "no database file given",
        ));
    }
    let full = if file == ":memory:" || Path::new(file).is_absolute() {
        PathBuf::from(file)
    } else {
        base.join(file)
    };
    let query = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    Ok(format!("sqlite://{}{query}", full.display()))
}

/// `security.dns_servers`: "IP" (port 53) or "IP:PORT" / "[IPv6]:PORT".
fn dns_servers(raw: &[String]) -> Result<Vec<std::net::SocketAddr>, ConfigError> {
    raw.iter()
        .map(|text| {
            let text = text.trim();
            text.parse::<std::net::SocketAddr>()
                .or_else(|_| {
                    text.parse::<std::net::IpAddr>()
                        .map(|ip| std::net::SocketAddr::new(ip, 53))
                })
                .map_err(|_| {
                    ConfigError::invalid(
                        "security.dns_servers",
                        format!("{text:?} is not an IP address or IP:PORT"),
                    )
                })
        })
        .collect()
}
