//! `bench web` (issue 18): My day, the Leads page and a lead's page over
//! the seeded database of `bench digest` (`digest_data`, 100,000 leads
//! over 1,000 users by default), for a rep, a team lead and an admin.
//!
//! The web app runs in this process on its own multi-threaded runtime (as
//! in the daemon), on a real loopback socket (127.0.0.1, port 0); each
//! reader gets a session made through the store, and a real HTTP client
//! (reqwest, keep-alive) requests each page N times in turn. The time
//! reported is the request's round trip on loopback, which is the
//! server's time plus well under a millisecond of client and socket.
//! Then `leadmail serve` (the web app alone) runs on the same database,
//! the same pages are requested from it, and its peak and current RSS are
//! read from /proc. With `--mailbox`, `leadmail run` (the daemon with the
//! web app on) follows on the same database, watching that mailbox: the
//! pages are requested while it files the mailbox's backlog, and its RSS
//! is read once the backlog is in.

use super::digest_data;
use super::web_pages::{self, Reader, Timing};
use anyhow::Context;
use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use leadmail::config::Settings;
use leadmail::store::Store;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

/// `bench web` options.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The seeded database: users, leads, seed, backend.
    #[command(flatten)]
    data: digest_data::DataArgs,
    /// Requests of each page (after two untimed ones).
    #[arg(long, default_value_t = 100)]
    requests: usize,
    /// Fewer requests (at least 5) of a page once it has taken this long.
    #[arg(long, default_value_t = 15.0)]
    page_secs: f64,
    /// The seed's day (default today, UTC: the server reads the real clock).
    #[arg(long)]
    date: Option<NaiveDate>,
    /// Where the config and database go (kept, and reused when seeded
    /// before); default a temp dir, removed.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// The `leadmail` binary whose `serve` is measured for RSS (default:
    /// the one next to this binary; skipped when there is none).
    #[arg(long)]
    leadmail: Option<PathBuf>,
    /// A TOML file holding one `[[mailboxes]]` table: then `leadmail run`
    /// watches it with the web app on, and its RSS is measured too.
    #[arg(long, requires = "backlog")]
    mailbox: Option<PathBuf>,
    /// How many messages that mailbox holds: `leadmail run` is measured
    /// once it has applied them all.
    #[arg(long)]
    backlog: Option<i64>,
}

/// Seeds (or reuses), measures in process, then `leadmail serve`; the report.
pub async fn run(args: &Args) -> anyhow::Result<Value> {
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("leadmail-bench-web-{}", std::process::id()))
    });
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let database = match &args.data.postgres {
        Some(server) => super::micro::new_postgres_database(server, "web").await?,
        None => format!("sqlite://{}", dir.join("web.db").display()),
    };
    let config = write_config(&dir, &database, args.data.users)?;
    let settings = Arc::new(super::micro::settings(&config)?);
    let store = leadmail::app::open_store(&settings).await?;
    let seeded = seed(args, &store).await?;
    let readers = web_pages::readers(&settings, &store).await?;
    store.close().await;
    let report = measure(args, &settings, &config, &readers).await;
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    Ok(
        json!({ "users": args.data.users, "leads": args.data.leads, "requests": args.requests,
               "backend": if args.data.postgres.is_some() { "postgres" } else { "sqlite" },
               "nproc": std::thread::available_parallelism().map_or(0, usize::from),
               "seed": seeded, "pages": report? }),
    )
}

/// The in-process timings, then `leadmail serve`'s, then (with
/// `--mailbox`) `leadmail run`'s.
async fn measure(
    args: &Args,
    settings: &Arc<Settings>,
    config: &Path,
    readers: &[Reader],
) -> anyhow::Result<Value> {
    let server = web_pages::InProcess::start(settings.clone())?;
    let budget = web_pages::Budget {
        n: args.requests,
        secs: args.page_secs,
    };
    let in_process = web_pages::time_pages(&server.base, readers, budget).await;
    server.stop();
    let in_process = in_process?;
    print_timings("in process", &in_process);
    let Some(binary) = leadmail_binary(args) else {
        return Ok(json!({ "in_process": in_process, "serve": null, "run": null }));
    };
    let quick = web_pages::Budget {
        n: (args.requests / 5).max(5),
        secs: args.page_secs / 5.0,
    };
    let listen = settings.web.as_ref().context("no [web]")?.listen;
    let serve = web_pages::serve_rss(&binary, config, listen, readers, quick).await?;
    let run = match (&args.mailbox, args.backlog) {
        (Some(mailbox), Some(backlog)) => {
            let daemon = Daemon {
                binary: &binary,
                config,
                mailbox,
                backlog,
            };
            Some(daemon.measure(settings, listen, readers, quick).await?)
        }
        _ => None,
    };
    Ok(json!({ "in_process": in_process, "serve": serve, "run": run }))
}

/// `leadmail run` with the web app on, over the seeded database and a
/// mailbox holding `backlog` messages.
struct Daemon<'a> {
    binary: &'a Path,
    /// The web benchmark's config, to which the mailbox is added.
    config: &'a Path,
    /// The `[[mailboxes]]` table.
    mailbox: &'a Path,
    backlog: i64,
}

impl Daemon<'_> {
    /// Its RSS and the pages' timings while it files the backlog.
    async fn measure(
        &self,
        settings: &Settings,
        listen: std::net::SocketAddr,
        readers: &[Reader],
        budget: web_pages::Budget,
    ) -> anyhow::Result<Value> {
        let config = self.config.with_file_name("leadmail-run.toml");
        let mut toml = std::fs::read_to_string(self.config)?;
        toml.push('\n');
        toml.push_str(
            &std::fs::read_to_string(self.mailbox)
                .with_context(|| format!("cannot read {}", self.mailbox.display()))?,
        );
        std::fs::write(&config, toml)?;
        std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
        let store = leadmail::app::open_store(settings).await?;
        let want = store.totals().await?.messages + self.backlog;
        let filed = wait_for_messages(&store, want);
        let report = web_pages::run_rss(self.binary, &config, listen, readers, budget, filed).await;
        store.close().await;
        report
    }
}

/// Polls the store until it holds `want` messages (10 minutes at most).
async fn wait_for_messages(store: &Store, want: i64) -> anyhow::Result<()> {
    let deadline = Instant::now() + std::time::Duration::from_secs(600);
    loop {
        let have = store.totals().await?.messages;
        if have >= want {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "leadmail run filed {have} of {want} messages in 10 minutes"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}

pub(super) fn print_timings(what: &str, timings: &[Timing]) {
    for t in timings {
        eprintln!(
            "bench web ({what}): {:<9} {:<40} {:>4} x  p50 {:>7.2} ms  p99 {:>7.2} ms  \
             max {:>7.2} ms  ({} found, {} KB)",
            t.role,
            t.path,
            t.requests,
            t.p50_ms,
            t.p99_ms,
            t.max_ms,
            t.rows,
            t.bytes / 1024
        );
    }
}

/// `--leadmail`, else `leadmail` next to this binary, if it exists.
fn leadmail_binary(args: &Args) -> Option<PathBuf> {
    let next_to_us = std::env::current_exe()
        .ok()
        .and_then(|exe| Some(exe.parent()?.join("leadmail")));
    args.leadmail.clone().or(next_to_us).filter(|p| p.exists())
}

/// DIR/leadmail.toml: the digest benchmark's config (database, users)
/// with a `[web]` section on a free loopback port, private.
fn write_config(dir: &Path, database: &str, users: usize) -> anyhow::Result<PathBuf> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port();
    let mut toml = digest_data::config_toml(database, users, ("127.0.0.1", 25));
    toml.push_str(&format!(
        "\n[web]\nlisten = \"127.0.0.1:{port}\"\nbase_url = \"http://127.0.0.1:{port}\"\n"
    ));
    let path = dir.join("leadmail.toml");
    std::fs::write(&path, toml).with_context(|| format!("cannot write {}", path.display()))?;
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    Ok(path)
}

/// Seeds the database unless it holds leads already; what it holds.
async fn seed(args: &Args, store: &Store) -> anyhow::Result<Value> {
    let before = store.totals().await?;
    let start = Instant::now();
    let fresh = before.open_leads + before.open_prospects == 0;
    if fresh {
        let day = args
            .date
            .unwrap_or_else(|| leadmail::clock::now().date_naive());
        let data = digest_data::seed(
            args.data.seed,
            args.data.users,
            args.data.leads,
            morning(day),
        );
        store
            .seed(&data)
            .await
            .context("cannot seed the database")?;
    }
    let secs = start.elapsed().as_secs_f64();
    let totals = store.totals().await?;
    eprintln!(
        "bench web: {} {} open leads and {} open prospects ({} timeline entries) in {secs:.1} s",
        if fresh { "seeded" } else { "reused" },
        totals.open_leads,
        totals.open_prospects,
        totals.timeline_entries
    );
    Ok(
        json!({ "reused": !fresh, "secs": secs, "open_leads": totals.open_leads,
               "open_prospects": totals.open_prospects,
               "timeline_entries": totals.timeline_entries }),
    )
}

/// 06:00 UTC on `day`, the seed's clock.
fn morning(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(6, 0, 0).unwrap_or_default())
}
