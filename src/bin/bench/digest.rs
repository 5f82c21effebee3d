//! `bench digest`: the morning digests of N users over M leads (issue 7),
//! on a fresh SQLite file seeded from a seed (`digest_data`). Times building
//! every user's digest through the daemon's code (`sending::DigestRows`,
//! `sending::digest_draft`: rows → sections → subject, text and HTML), and
//! with `--smtp 127.0.0.1:PORT` sending them the daemon's way: queued in the
//! outbox (`Store::queue_mails`, as many to a transaction as the daemon), then `sending::deliver_due` until it is empty.

use super::digest_data;
use super::stats::median;
use anyhow::Context;
use chrono::{DateTime, Days, NaiveDate, TimeZone, Utc};
use leadmail::config::{Settings, User};
use leadmail::digest::content::DigestCounts;
use leadmail::digest::schedule::digest_instant;
use leadmail::digest::RenderedDigest;
use leadmail::sending::{deliver_due, digest_draft, Delivery, DigestRows, QUEUE_BATCH};
use leadmail::smtp::Mailer;
use leadmail::store::{OutboxDraft, Store};
use lettre::message::Mailbox;
use serde_json::{json, Value};
use std::path::PathBuf;
use std::time::Instant;

/// `bench digest` options.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The seeded database: users, leads, seed, backend.
    #[command(flatten)]
    data: digest_data::DataArgs,
    /// Timed runs of each step; the median is reported.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// The digests' local day.
    #[arg(long, default_value = "2026-11-23")]
    date: NaiveDate,
    /// An SMTP receiver on loopback, `127.0.0.1:PORT` (scripts/smtp.sh, no
    /// TLS): also time sending the digests to it.
    #[arg(long)]
    smtp: Option<String>,
    /// Where the config and database go (kept); default a temp dir, removed.
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Write every digest built (subject, text, HTML) to this file, to
    /// compare two builds' output.
    #[arg(long)]
    dump: Option<PathBuf>,
}

/// The digests of one run: each user's rendering, and what they hold.
struct Built<'a> {
    /// The outbox drafts, of the digests the daemon would send.
    digests: Vec<(&'a User, OutboxDraft)>,
    bytes: usize,
    empty: usize,
    counts: DigestCounts,
    team_rows: usize,
    /// Reading the rows (`DigestRows::load`), part of the build.
    load_secs: f64,
}

/// Seeds, builds `runs` times, sends `runs` times with `--smtp`; the report.
pub async fn run(args: &Args) -> anyhow::Result<Value> {
    let port = smtp_port(args.smtp.as_deref())?;
    let dir = args.dir.clone().unwrap_or_else(|| {
        std::env::temp_dir().join(format!("leadmail-bench-digest-{}", std::process::id()))
    });
    for file in ["digest.db", "digest.db-wal", "digest.db-shm"] {
        let _ = std::fs::remove_file(dir.join(file));
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let database = match &args.data.postgres {
        Some(server) => super::micro::new_postgres_database(server, "digest").await?,
        None => format!("sqlite://{}", dir.join("digest.db").display()),
    };
    let settings = settings(&dir, &database, args, port)?;
    let store = leadmail::app::open_store(&settings).await?;
    let report = measure(args, &settings, &store, port.is_some()).await;
    store.close().await;
    if args.dir.is_none() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    report
}

/// The SMTP receiver's port; only 127.0.0.1 is accepted.
fn smtp_port(smtp: Option<&str>) -> anyhow::Result<Option<u16>> {
    let Some(addr) = smtp else {
        return Ok(None);
    };
    let port = addr
        .strip_prefix("127.0.0.1:")
        .and_then(|p| p.parse().ok())
        .with_context(|| format!("--smtp {addr:?}: give 127.0.0.1:PORT"))?;
    Ok(Some(port))
}

/// Writes DIR/leadmail.toml (the database URL, the users, SMTP on
/// loopback) and loads it.
fn settings(
    dir: &std::path::Path,
    database: &str,
    args: &Args,
    port: Option<u16>,
) -> anyhow::Result<Settings> {
    let toml =
        digest_data::config_toml(database, args.data.users, ("127.0.0.1", port.unwrap_or(25)));
    let path = dir.join("leadmail.toml");
    std::fs::write(&path, toml).with_context(|| format!("cannot write {}", path.display()))?;
    // Private like any leadmail config (else `Settings::load` warns).
    std::fs::set_permissions(&path, std::os::unix::fs::PermissionsExt::from_mode(0o600))?;
    super::micro::settings(&path)
}

async fn measure(
    args: &Args,
    settings: &Settings,
    store: &Store,
    send: bool,
) -> anyhow::Result<Value> {
    let seeded = seed(args, store).await?;
    let mut secs = Vec::new();
    let mut reads = Vec::new();
    let mut built = None;
    for run in 1..=args.runs.max(1) {
        let start = Instant::now();
        let digests = build_all(settings, store, args.date).await?;
        secs.push(start.elapsed().as_secs_f64());
        reads.push(digests.load_secs);
        eprintln!(
            "bench digest: build run {run}: {:.3} s (reading the rows {:.3} s)",
            secs[run - 1],
            digests.load_secs
        );
        built = Some(digests);
    }
    let built = built.context("no run")?;
    if let Some(path) = &args.dump {
        dump(path, &built)?;
    }
    let sending = if send {
        Some(send_runs(args, settings, store, &built).await?)
    } else {
        None
    };
    let mut report = report(args, seeded, &secs, &built, sending);
    report["build"]["read_rows_secs"] = json!(reads);
    Ok(report)
}

/// Seeds the database; the seeding's seconds and the resulting totals.
async fn seed(args: &Args, store: &Store) -> anyhow::Result<Value> {
    let start = Instant::now();
    let data = digest_data::seed(
        args.data.seed,
        args.data.users,
        args.data.leads,
        morning(args.date),
    );
    let generated = start.elapsed().as_secs_f64();
    store
        .seed(&data)
        .await
        .context("cannot seed the database")?;
    let secs = start.elapsed().as_secs_f64();
    let totals = store.totals().await?;
    eprintln!(
        "bench digest: seeded {} users, {} leads ({} open leads, {} open prospects, {} timeline \
         entries) in {secs:.1} s ({generated:.1} s generating)",
        args.data.users,
        args.data.leads,
        totals.open_leads,
        totals.open_prospects,
        totals.timeline_entries
    );
    Ok(
        json!({ "secs": secs, "generate_secs": generated, "open_leads": totals.open_leads,
               "open_prospects": totals.open_prospects, "quarantined": totals.quarantined,
               "timeline_entries": totals.timeline_entries }),
    )
}

/// 06:00 UTC on `day`: the seed's clock, before every user's digest time.
fn morning(day: NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&day.and_hms_opt(6, 0, 0).unwrap_or_default())
}

/// Every user's digest for local `day`, at their digest time, the way the
/// daemon's round builds them (`DigestRows` read once, then each digest);
/// the outbox draft is made too.
async fn build_all<'a>(
    settings: &'a Settings,
    store: &Store,
    day: NaiveDate,
) -> anyhow::Result<Built<'a>> {
    let mut built = Built {
        digests: Vec::with_capacity(settings.users.len()),
        bytes: 0,
        empty: 0,
        counts: DigestCounts::default(),
        team_rows: 0,
        load_secs: 0.0,
    };
    let users: Vec<(&User, DateTime<Utc>)> = settings
        .users
        .iter()
        .map(|user| {
            let now = digest_instant(user.calendar.time_zone, day, user.digest_at);
            (user, now)
        })
        .collect();
    let start = Instant::now();
    let rows = DigestRows::load(settings, store, &users).await?;
    built.load_secs = start.elapsed().as_secs_f64();
    for (user, _) in users {
        let (digest, rendered) = rows.digest(settings, user)?;
        let draft = digest_draft(settings, user, day, rendered)?;
        built.bytes +=
            draft.subject.len() + draft.text.len() + draft.html.as_ref().map_or(0, String::len);
        built.empty += usize::from(digest.is_empty());
        add_counts(&mut built.counts, digest.counts());
        built.team_rows += digest.team.len();
        if !(digest.is_empty() && settings.digest.skip_empty) {
            built.digests.push((user, draft));
        }
    }
    Ok(built)
}

/// Writes the digests one after the other, each under its user's address.
fn dump(path: &std::path::Path, built: &Built<'_>) -> anyhow::Result<()> {
    let mut out = String::new();
    for (user, draft) in &built.digests {
        out.push_str(&format!(
            "=== {}\nSubject: {}\n\n{}\n{}\n",
            user.email,
            draft.subject,
            draft.text,
            draft.html.as_deref().unwrap_or_default()
        ));
    }
    std::fs::write(path, out).with_context(|| format!("cannot write {}", path.display()))
}

fn add_counts(sum: &mut DigestCounts, one: DigestCounts) {
    sum.overdue += one.overdue;
    sum.today += one.today;
    sum.new_leads += one.new_leads;
    sum.replied += one.replied;
    sum.no_next_action += one.no_next_action;
    sum.stale += one.stale;
    sum.quarantined += one.quarantined;
}

/// Sends the built digests `runs` times, each run as the next day's (one
/// digest per user and day): queue all, then deliver until the outbox is empty.
async fn send_runs(
    args: &Args,
    settings: &Settings,
    store: &Store,
    built: &Built<'_>,
) -> anyhow::Result<Value> {
    let smtp = settings.smtp.as_ref().context("no [smtp] in the config")?;
    let mailer = Mailer::new(smtp)?;
    let mut runs = Vec::new();
    for run in 1..=args.runs.max(1) {
        let day = args
            .date
            .checked_add_days(Days::new(run as u64))
            .context("date out of range")?;
        let start = Instant::now();
        queue_all(settings, store, built, day).await?;
        let queued = start.elapsed().as_secs_f64();
        let sent = deliver_all(store, &mailer, &smtp.from).await?;
        let total = start.elapsed().as_secs_f64();
        anyhow::ensure!(
            sent == built.digests.len(),
            "sent {sent} of {} digests",
            built.digests.len()
        );
        eprintln!(
            "bench digest: send run {run}: {sent} digests in {total:.3} s (queue {queued:.3} s, \
             deliver {:.3} s)",
            total - queued
        );
        runs.push(
            json!({ "sent": sent, "queue_secs": queued, "deliver_secs": total - queued,
                          "secs": total }),
        );
    }
    Ok(Value::Array(runs))
}

/// Queues every built digest again as `day`'s, [`QUEUE_BATCH`] to a
/// transaction as the daemon does.
async fn queue_all(
    settings: &Settings,
    store: &Store,
    built: &Built<'_>,
    day: NaiveDate,
) -> anyhow::Result<()> {
    for chunk in built.digests.chunks(QUEUE_BATCH) {
        let drafts = chunk
            .iter()
            .map(|(user, first)| {
                let rendered = RenderedDigest {
                    subject: first.subject.clone(),
                    text: first.text.clone(),
                    html: first.html.clone().unwrap_or_default(),
                };
                digest_draft(settings, user, day, rendered)
            })
            .collect::<anyhow::Result<Vec<_>>>()?;
        let fresh = store.queue_mails(&drafts, leadmail::clock::now()).await?;
        anyhow::ensure!(
            fresh.iter().all(|f| *f),
            "a digest for {day} was queued before"
        );
    }
    Ok(())
}

/// `deliver_due` until nothing is due; a failed mail ends the benchmark.
async fn deliver_all(store: &Store, mailer: &Mailer, from: &Mailbox) -> anyhow::Result<usize> {
    let mut sent = 0;
    loop {
        let Delivery {
            sent: now_sent,
            failed,
        } = deliver_due(store, mailer, from, leadmail::clock::now()).await?;
        anyhow::ensure!(
            failed == 0,
            "{failed} digest(s) not accepted by the SMTP receiver"
        );
        if now_sent == 0 {
            return Ok(sent);
        }
        sent += now_sent;
    }
}

fn report(
    args: &Args,
    seeded: Value,
    secs: &[f64],
    built: &Built<'_>,
    sending: Option<Value>,
) -> Value {
    let nproc = std::thread::available_parallelism().map_or(0, usize::from);
    let c = built.counts;
    eprintln!(
        "bench digest: {} users, {} leads, nproc {nproc}: build median of {} runs {:.3} s; \
         {:.1} MB of digests ({} empty); items: overdue {} today {} new {} replied {} \
         no-next-action {} stale {} quarantined {}, team rows {}",
        args.data.users,
        args.data.leads,
        secs.len(),
        median(secs),
        built.bytes as f64 / 1e6,
        built.empty,
        c.overdue,
        c.today,
        c.new_leads,
        c.replied,
        c.no_next_action,
        c.stale,
        c.quarantined,
        built.team_rows
    );
    let send = sending.map(|runs| send_summary(&runs));
    json!({ "users": args.data.users, "leads": args.data.leads, "nproc": nproc, "seed": seeded,
            "build": { "runs_secs": secs, "median_secs": median(secs) },
            "digest_bytes": built.bytes, "empty_digests": built.empty,
            "items": { "overdue": c.overdue, "today": c.today, "new_leads": c.new_leads,
                       "replied": c.replied, "no_next_action": c.no_next_action,
                       "stale": c.stale, "quarantined": c.quarantined,
                       "team_rows": built.team_rows },
            "send": send })
}

fn send_summary(runs: &Value) -> Value {
    let runs_of = |key: &str| -> Vec<f64> {
        runs.as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r[key].as_f64())
            .collect()
    };
    let total = runs_of("secs");
    eprintln!(
        "bench digest: send median of {} runs {:.3} s (queue {:.3} s, deliver {:.3} s)",
        total.len(),
        median(&total),
        median(&runs_of("queue_secs")),
        median(&runs_of("deliver_secs"))
    );
    json!({ "runs": runs, "median_secs": median(&total),
            "median_queue_secs": median(&runs_of("queue_secs")),
            "median_deliver_secs": median(&runs_of("deliver_secs")) })
}
