//! The CLI commands: the one place that wires files, the pipeline and the store.

/// `println!` for one line of human output: control and bidi characters in
/// it are shown escaped ([`out::line`]), and a closed stdout (e.g.
/// `leadmail leads list | head`) is an error instead of a panic.
macro_rules! outln {
    ($($arg:tt)*) => {{
        $crate::app::out::line(&format!($($arg)*))?
    }};
}

mod database;
mod digest;
mod export;
mod health;
mod import;
mod ingest;
mod leads;
mod listing;
mod out;
mod people;
mod quarantine;
mod webhooks;

use crate::cli::{Command, ContactsCommand, QuarantineCommand};
use crate::config::Settings;
use crate::daemon::OnceOutcome;
use crate::store::{Store, StoreError, UserRecord};
use anyhow::Context;

/// A mistake in how a command was called (exit code 2).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// The exit code for an error, one rule for every command: 2 when the
/// command as typed cannot be done (bad arguments, a configuration error,
/// an id that does not exist, a change the record's state refuses, e.g.
/// converting a lead); 1 when something failed that may work on a retry
/// (database, network, a server).
pub fn exit_code(error: &anyhow::Error) -> u8 {
    let usage = error.chain().any(|e| {
        e.is::<UsageError>()
            || e.is::<crate::resolve::Refused>()
            || e.is::<crate::config::ConfigError>()
            || e.downcast_ref::<crate::store::StoreError>()
                .is_some_and(crate::store::StoreError::is_refused_request)
    });
    if usage {
        2
    } else {
        1
    }
}

pub use database::database;

/// Runs one command.
pub async fn dispatch(command: Command, settings: Settings) -> anyhow::Result<()> {
    let command = match command {
        // Names its databases itself; the configuration is not used.
        Command::Db(command) => return database(command).await,
        command => command,
    };
    match &command {
        Command::Explain { file } => return ingest::explain(file, &settings).await,
        Command::Doctor => return health::doctor(&settings).await,
        _ => {}
    }
    let store = if only_reads(&command) {
        open_for_reading(&settings).await?
    } else {
        open_store(&settings).await?
    };
    match command {
        Command::Run { once } => run(settings, store, once).await,
        Command::Serve => serve(settings, store).await,
        Command::Explain { .. } | Command::Doctor | Command::Db(_) => Ok(()),
        Command::Eval {
            corpus,
            fixtures,
            misses,
        } => evaluate(&corpus, &fixtures, misses),
        Command::Status { json } => health::status(&settings, &store, json).await,
        Command::Digest(cmd) => digest::digest(cmd, &settings, &store).await,
        Command::Ingest(args) => ingest::run(&args, &settings, &store).await,
        Command::Leads(cmd) => leads::leads(cmd, &settings, &store).await,
        Command::Prospects(cmd) => leads::prospects(cmd, &settings, &store).await,
        Command::Export(args) => export::export(&args, &store).await,
        Command::Import(args) => import::import(&args, &settings, &store).await,
        Command::Timeline { id, json } => listing::timeline(&settings, &store, id, json).await,
        Command::Contacts(ContactsCommand::List { json }) => listing::contacts(&store, json).await,
        Command::Quarantine(cmd) => quarantine::quarantine(cmd, &settings, &store).await,
        Command::Users(cmd) => people::users(cmd, &settings, &store).await,
        Command::Partners(cmd) => people::partners(cmd, &settings, &store).await,
        Command::Webhooks(cmd) => webhooks::webhooks(cmd, &store).await,
    }
}

/// `eval CORPUS`: prints the evaluation table; fails when a row misses its
/// bar. Needs no configuration.
pub fn evaluate(
    corpus: &std::path::Path,
    fixtures: &std::path::Path,
    misses: usize,
) -> anyhow::Result<()> {
    let report = crate::eval::evaluate(corpus, fixtures)?;
    out::text(&report.table())?;
    if misses > 0 {
        out::text(&report.misses(misses))?;
    }
    let failures = report.failures();
    anyhow::ensure!(
        failures.is_empty(),
        "{} row(s) below their bar",
        failures.len()
    );
    Ok(())
}

/// `run [--once]`: the daemon, stopped cleanly by SIGTERM or SIGINT.
async fn run(settings: Settings, store: Store, once: bool) -> anyhow::Result<()> {
    if settings.mailboxes.is_empty() {
        return Err(UsageError(
            "no [[mailboxes]] configured: `run` has nothing to watch (add one; see config/leadmail.example.toml)".into(),
        )
        .into());
    }
    let cancel = tokio_util::sync::CancellationToken::new();
    tokio::spawn(cancel_on_signal(cancel.clone()));
    let settings = std::sync::Arc::new(settings);
    // The web app runs beside the daemon's tasks, stopped by the same signal.
    let web = (!once && settings.web.is_some()).then(|| {
        let (settings, store, cancel) = (settings.clone(), store.clone(), cancel.clone());
        tokio::spawn(async move {
            // A web app that cannot start (its port taken) stops the daemon too.
            let served = crate::web::serve(settings, store, cancel.clone()).await;
            if served.is_err() {
                cancel.cancel();
            }
            served
        })
    });
    let result = crate::daemon::run(settings, store.clone(), once, cancel.clone()).await;
    if let Some(web) = web {
        cancel.cancel();
        web.await.context("the web app crashed")??;
    }
    store.close().await;
    for (mailbox, pass) in result? {
        match pass {
            OnceOutcome::Served(report) => outln!(
                "mailbox {mailbox}: {} message(s) filed, {} to quarantine",
                report.processed,
                report.quarantined
            ),
            OnceOutcome::HeldElsewhere => {
                outln!("mailbox {mailbox}: skipped, another daemon serves it")
            }
            OnceOutcome::LostMidPass => outln!(
                "mailbox {mailbox}: lease lost during the pass, another daemon serves it now \
                 (what this pass committed stays filed)"
            ),
        }
    }
    Ok(())
}

/// `serve`: the web app alone, stopped cleanly by SIGTERM or SIGINT.
async fn serve(settings: Settings, store: Store) -> anyhow::Result<()> {
    if settings.web.is_none() {
        return Err(UsageError(
            "no [web] section: `serve` has nothing to serve (add one; see config/leadmail.example.toml)".into(),
        )
        .into());
    }
    let cancel = tokio_util::sync::CancellationToken::new();
    tokio::spawn(cancel_on_signal(cancel.clone()));
    let result = crate::web::serve(std::sync::Arc::new(settings), store.clone(), cancel).await;
    store.close().await;
    result
}

async fn cancel_on_signal(cancel: tokio_util::sync::CancellationToken) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut term) = signal(SignalKind::terminate()) else {
        return;
    };
    tokio::select! {
        _ = term.recv() => {}
        _ = tokio::signal::ctrl_c() => {}
    }
    tracing::info!("stopping: finishing the message in hand");
    cancel.cancel();
}

/// True for the commands that only read the database (they open it
/// read-only, so they work on a database this process cannot write).
fn only_reads(command: &Command) -> bool {
    use crate::cli::{
        DigestCommand, LeadsCommand, PartnersCommand, ProspectsCommand, UsersCommand,
    };
    matches!(
        command,
        Command::Status { .. }
            | Command::Export(_)
            | Command::Timeline { .. }
            | Command::Contacts(ContactsCommand::List { .. })
            | Command::Quarantine(QuarantineCommand::List { .. } | QuarantineCommand::Show { .. })
            | Command::Leads(LeadsCommand::List { .. } | LeadsCommand::Show { .. })
            | Command::Prospects(ProspectsCommand::List { .. })
            | Command::Users(UsersCommand::List { .. })
            | Command::Partners(PartnersCommand::List { .. })
            | Command::Webhooks(crate::cli::WebhooksCommand::List { .. })
            | Command::Digest(DigestCommand::Preview { .. } | DigestCommand::Outbox { .. })
    )
}

/// Opens the database read-only; a missing or not yet migrated one is
/// opened as [`open_store`] does (created, migrated, users synced).
async fn open_for_reading(settings: &Settings) -> anyhow::Result<Store> {
    match Store::open_read_only(&settings.database_url).await {
        Err(StoreError::NotMigrated { .. }) => open_store(settings).await,
        opened => {
            let url = crate::domain::url::redact_password(&settings.database_url);
            opened.with_context(|| format!("cannot read the database at {url}"))
        }
    }
}

/// Opens the database, applies migrations and syncs the users from the config.
pub async fn open_store(settings: &Settings) -> anyhow::Result<Store> {
    let url = &settings.database_url;
    let shown = crate::domain::url::redact_password(url);
    let store = Store::open(url)
        .await
        .map_err(|e| not_writable(e, &format!("cannot use the database at {shown}")))?;
    store
        .sync_users(&user_records(settings))
        .await
        .map_err(|e| not_writable(e, "cannot sync users from the config"))?;
    Ok(store)
}

/// The error with `context`, or with what to do when the database is
/// read-only.
fn not_writable(error: StoreError, context: &str) -> anyhow::Error {
    let context = if error.is_read_only() {
        "the database is read-only and this command writes (listings, show, timeline, \
         export, status and digest preview work on a read-only database)"
    } else {
        context
    };
    anyhow::Error::new(error).context(context.to_string())
}

pub(crate) fn user_records(settings: &Settings) -> Vec<UserRecord> {
    settings
        .users
        .iter()
        .map(|u| UserRecord {
            email: u.email.to_string(),
            name: u.name.clone(),
            role: u.role.as_str().to_string(),
            team: u.team.clone(),
            time_zone: u.calendar.time_zone.name().to_string(),
            workday_start: u.calendar.workday_start.format("%H:%M").to_string(),
            digest_at: u.digest_at.format("%H:%M").to_string(),
            active: u.active,
        })
        .collect()
}

/// Prints values as a pretty JSON array or object; DEL, C1 and bidi
/// characters in its strings are written as `\uXXXX` escapes.
fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let json = serde_json::to_string_pretty(value)?;
    out::text(&out::json_escaped(&json))?;
    Ok(())
}

/// True when the error is only stdout having been closed by the reader.
pub fn is_broken_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|e| {
        e.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
