//! `status` (what the daemon did, from the database) and `doctor` (can it
//! work: config, database, IMAP, SMTP), one line per item.

use super::print_json;
use crate::config::OAuth2Settings;
use crate::config::{Mailbox, Settings};
use crate::imap::ImapSession;
use crate::oauth2::TokenSource;
use crate::smtp::Mailer;
use crate::store::{LeaseView, MailboxState, Store, StoreTotals};
use serde::Serialize;
use std::time::Duration;

/// One mailbox in `status --json`: its config joined with its stored state.
#[derive(Debug, Serialize)]
struct MailboxStatus {
    mailbox: String,
    folder: String,
    /// Still in the config (a removed mailbox keeps its stored state).
    configured: bool,
    /// `host:port` when configured.
    server: Option<String>,
    uid_validity: Option<u32>,
    last_uid: Option<u32>,
    processed: i64,
    last_sync_at: Option<String>,
    last_error: Option<String>,
    last_error_at: Option<String>,
    /// The daemon holding the mailbox's lease now (none when no daemon runs).
    held_by: Option<Holder>,
}

/// Which daemon serves a mailbox, from its lease.
#[derive(Debug, Serialize)]
struct Holder {
    host: String,
    pid: i64,
    since: String,
}

#[derive(Debug, Serialize)]
struct Status {
    mailboxes: Vec<MailboxStatus>,
    totals: StoreTotals,
}

/// `status [--json]`.
pub(super) async fn status(settings: &Settings, store: &Store, json: bool) -> anyhow::Result<()> {
    let states = store.mailbox_states().await?;
    let mut mailboxes = join_states(&settings.mailboxes, states);
    add_holders(&mut mailboxes, store.current_leases().await?);
    let status = Status {
        mailboxes,
        totals: store.totals().await?,
    };
    if json {
        return print_json(&status);
    }
    for mailbox in &status.mailboxes {
        outln!("{}", mailbox_line(mailbox));
    }
    let t = &status.totals;
    outln!(
        "database: {} messages, {} open leads, {} open prospects, {} in quarantine",
        t.messages,
        t.open_leads,
        t.open_prospects,
        t.quarantined
    );
    Ok(())
}

fn join_states(mailboxes: &[Mailbox], states: Vec<MailboxState>) -> Vec<MailboxStatus> {
    let mut rows: Vec<MailboxStatus> = mailboxes
        .iter()
        .map(|m| {
            let state = states
                .iter()
                .find(|s| s.mailbox == m.name && s.folder == m.folder);
            row(&m.name, &m.folder, Some(m), state)
        })
        .collect();
    for state in &states {
        let configured = mailboxes
            .iter()
            .any(|m| m.name == state.mailbox && m.folder == state.folder);
        if !configured {
            rows.push(row(&state.mailbox, &state.folder, None, Some(state)));
        }
    }
    rows
}

/// Says which daemon holds each mailbox (leases are per configured name).
fn add_holders(mailboxes: &mut [MailboxStatus], leases: Vec<LeaseView>) {
    for lease in leases {
        for mailbox in mailboxes.iter_mut().filter(|m| m.mailbox == lease.mailbox) {
            mailbox.held_by = Some(Holder {
                host: lease.host.clone(),
                pid: lease.pid,
                since: lease.since.clone(),
            });
        }
    }
}

fn row(
    name: &str,
    folder: &str,
    config: Option<&Mailbox>,
    state: Option<&MailboxState>,
) -> MailboxStatus {
    let synced = state.filter(|s| s.uid_validity != 0);
    MailboxStatus {
        mailbox: name.to_string(),
        folder: folder.to_string(),
        configured: config.is_some(),
        server: config.map(|m| format!("{}:{}", m.host, m.port)),
        uid_validity: synced.map(|s| s.uid_validity),
        last_uid: synced.map(|s| s.last_uid),
        processed: state.map_or(0, |s| s.processed),
        last_sync_at: state.and_then(|s| s.last_sync_at.clone()),
        last_error: state.and_then(|s| s.last_error.clone()),
        last_error_at: state.and_then(|s| s.last_error_at.clone()),
        held_by: None,
    }
}

fn mailbox_line(m: &MailboxStatus) -> String {
    let checkpoint = match (m.uid_validity, m.last_uid) {
        (Some(validity), Some(uid)) => format!("UIDVALIDITY {validity} UID {uid}"),
        _ => "no checkpoint yet".to_string(),
    };
    let error = match (&m.last_error, &m.last_error_at) {
        (Some(error), Some(at)) => format!("; last error at {at}: {error}"),
        (Some(error), None) => format!("; last error: {error}"),
        _ => String::new(),
    };
    let gone = if m.configured {
        ""
    } else {
        " (no longer configured)"
    };
    let holder = m.held_by.as_ref().map_or_else(
        || ", served by no daemon now".to_string(),
        |h| format!(", served by {} pid {} since {}", h.host, h.pid, h.since),
    );
    format!(
        "mailbox {} ({}){gone}: last sync {}, {checkpoint}, {} processed{holder}{error}",
        m.mailbox,
        m.folder,
        m.last_sync_at.as_deref().unwrap_or("never"),
        m.processed
    )
}

/// How long a server check may take.
const CHECK_TIMEOUT: Duration = Duration::from_secs(20);

/// `doctor`: every check prints `ok` or `FAIL` with its cause; fails when any did.
pub(super) async fn doctor(settings: &Settings) -> anyhow::Result<()> {
    outln!("ok    config: {}", config_summary(settings));
    for warning in settings.trust_warnings() {
        outln!("warn  config: {warning}");
    }
    let mut failed = 0;
    failed += report("database", check_database(settings).await)?;
    for mailbox in &settings.mailboxes {
        let what = format!("imap {}", mailbox.name);
        if !oauth2_ok(&mailbox.name, mailbox.oauth2.as_ref()).await? {
            failed += 1;
            outln!("skip  {what}: no OAuth2 access token to log in with");
            continue;
        }
        failed += report(&what, check_mailbox(mailbox).await)?;
    }
    match &settings.smtp {
        Some(smtp) if !oauth2_ok("smtp", smtp.oauth2.as_ref()).await? => {
            failed += 1;
            outln!("skip  smtp: no OAuth2 access token to log in with");
        }
        Some(smtp) => failed += report("smtp", check_smtp(smtp).await)?,
        None => outln!("skip  smtp: no [smtp] section, digests cannot be sent"),
    }
    anyhow::ensure!(failed == 0, "{failed} check(s) failed");
    Ok(())
}

/// For an `oauth2` entry, one refresh at the token endpoint, reported as
/// `oauth2 NAME`; true when there is nothing to check or it worked.
async fn oauth2_ok(name: &str, oauth2: Option<&OAuth2Settings>) -> anyhow::Result<bool> {
    let Some(oauth2) = oauth2 else {
        return Ok(true);
    };
    let refreshed = TokenSource::shared(oauth2)
        .refreshed()
        .await
        .map(|_| format!("{} issued an access token", oauth2.token_url))
        .map_err(anyhow::Error::from);
    Ok(report(&format!("oauth2 {name}"), refreshed)? == 0)
}

fn report(what: &str, result: anyhow::Result<String>) -> anyhow::Result<usize> {
    match result {
        Ok(detail) => {
            outln!("ok    {what}: {detail}");
            Ok(0)
        }
        Err(error) => {
            outln!("FAIL  {what}: {}", crate::telemetry::error_text(&error));
            Ok(1)
        }
    }
}

fn config_summary(settings: &Settings) -> String {
    format!(
        "{} users, {} partners, {} form sources, {} mailboxes, smtp {}",
        settings.users.len(),
        settings.partners.len(),
        settings.sources.len(),
        settings.mailboxes.len(),
        if settings.smtp.is_some() {
            "configured"
        } else {
            "not configured"
        }
    )
}

async fn check_database(settings: &Settings) -> anyhow::Result<String> {
    let store = super::open_store(settings).await?;
    let totals = store.totals().await?;
    let (schema, _) = store.schema_versions().await?;
    let server = store.server_version().await?;
    store.close().await;
    Ok(format!(
        "{} ({server}, schema version {schema}, migrated, writable): {} messages, {} open leads",
        crate::domain::url::redact_password(&settings.database_url),
        totals.messages,
        totals.open_leads
    ))
}

async fn check_mailbox(mailbox: &Mailbox) -> anyhow::Result<String> {
    let check = async {
        let mut session = ImapSession::connect(mailbox).await?;
        let folder = session.select(&mailbox.folder).await?;
        let idle = session.supports_idle();
        let _ = session.logout().await;
        Ok::<_, anyhow::Error>(format!(
            "{}@{}:{} logged in, {} has {} messages (UIDVALIDITY {}), {}",
            mailbox.username,
            mailbox.host,
            mailbox.port,
            mailbox.folder,
            folder.exists,
            folder.uid_validity,
            if idle && mailbox.idle {
                "IDLE"
            } else {
                "polling"
            }
        ))
    };
    tokio::time::timeout(CHECK_TIMEOUT, check)
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {}s", CHECK_TIMEOUT.as_secs()))?
}

async fn check_smtp(smtp: &crate::config::Smtp) -> anyhow::Result<String> {
    let mailer = Mailer::new(smtp)?;
    tokio::time::timeout(CHECK_TIMEOUT, mailer.check())
        .await
        .map_err(|_| anyhow::anyhow!("no answer within {}s", CHECK_TIMEOUT.as_secs()))??;
    Ok(format!(
        "{}:{} accepted the connection{}",
        smtp.host,
        smtp.port,
        if smtp.oauth2.is_some() {
            " and the XOAUTH2 login"
        } else if smtp.username.is_some() {
            " and the login"
        } else {
            ""
        }
    ))
}
