//! Microbenchmarks without a server: the pure pipeline, and the store
//! applying plans to a fresh SQLite file.

use super::stats::median;
use anyhow::Context;
use chrono::{DateTime, TimeZone, Utc};
use leadmail::config::Settings;
use leadmail::ingest::plan::IngestPlan;
use leadmail::ingest::plan_message;
use leadmail::store::{FolderMessage, FolderRef};
use leadmail::synth::Sizes;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::hint::black_box;
use std::path::Path;
use std::time::Instant;

/// Loads a leadmail config.
pub fn settings(path: &Path) -> anyhow::Result<Settings> {
    Settings::load(path).with_context(|| format!("cannot load {}", path.display()))
}

/// After every generated Date, so none counts as in the future.
fn arrival() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2027, 6, 1, 12, 0, 0)
        .single()
        .expect("a valid date")
}

fn corpus(n: usize, seed: u64, sizes: Sizes) -> Vec<Vec<u8>> {
    (0..n)
        .map(|i| leadmail::synth::generate_sized(seed, i, sizes).bytes)
        .collect()
}

/// Plans the corpus `runs` times on this thread; the median rate, and
/// which rules fired.
pub fn pipeline(settings: &Settings, n: usize, seed: u64, runs: usize, sizes: Sizes) -> Value {
    let mails = corpus(n, seed, sizes);
    let bytes: usize = mails.iter().map(Vec::len).sum();
    let mut secs = Vec::with_capacity(runs);
    let mut rules = BTreeMap::<&'static str, usize>::new();
    for run in 0..runs.max(1) {
        let start = Instant::now();
        for raw in &mails {
            let plan = plan_message(raw, settings, arrival());
            if run == 0 {
                *rules.entry(plan.rule).or_default() += 1;
            }
            black_box(plan);
        }
        secs.push(start.elapsed().as_secs_f64());
    }
    let rate = n as f64 / median(&secs);
    let parse_rate = parse_only_rate(&mails, runs);
    eprintln!(
        "bench pipeline: {n} messages ({:.1} MB), median of {} runs: {rate:.0} msg/s, {:.1} MB/s \
         (mail-parser's parse alone: {parse_rate:.0} msg/s)",
        bytes as f64 / 1e6,
        secs.len(),
        bytes as f64 / 1e6 / median(&secs)
    );
    json!({ "messages": n, "bytes": bytes, "runs_secs": secs, "median_secs": median(&secs),
            "parse_only_messages_per_sec": parse_rate,
            "messages_per_sec": rate, "rules": rules })
}

/// The pipeline's ceiling: messages/second of mail-parser parsing the
/// corpus and nothing else (median of `runs` passes, this thread).
fn parse_only_rate(mails: &[Vec<u8>], runs: usize) -> f64 {
    let mut secs = Vec::with_capacity(runs);
    for _ in 0..runs.max(1) {
        let start = Instant::now();
        for raw in mails {
            black_box(mail_parser::MessageParser::default().parse(raw.as_slice()));
        }
        secs.push(start.elapsed().as_secs_f64());
    }
    mails.len() as f64 / median(&secs)
}

/// What `bench store` measures.
pub struct StoreRun {
    pub n: usize,
    pub seed: u64,
    pub runs: usize,
    /// Messages per transaction.
    pub batch: usize,
    /// A PostgreSQL server to make each run's database on (else SQLite).
    pub postgres: Option<String>,
}

/// Applies the planned corpus to a fresh database `runs` times, `batch`
/// messages per transaction; the median rate and the statements (round
/// trips) per message.
pub async fn store(settings: &Settings, run: StoreRun) -> anyhow::Result<Value> {
    let StoreRun {
        n,
        seed,
        runs,
        batch,
        ..
    } = run;
    let mails = corpus(n, seed, Sizes::Standard);
    let plans: Vec<IngestPlan> = mails
        .iter()
        .map(|raw| plan_message(raw, settings, arrival()))
        .collect();
    let mut secs = Vec::with_capacity(runs);
    let mut statements = 0;
    for attempt in 0..runs.max(1) {
        let dir = std::env::temp_dir().join(format!(
            "leadmail-bench-store-{}-{attempt}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let mut settings = settings.clone();
        settings.database_url = match &run.postgres {
            Some(server) => new_postgres_database(server, &format!("store_{attempt}")).await?,
            None => format!("sqlite://{}", dir.join("bench.db").display()),
        };
        let store = leadmail::app::open_store(&settings).await?;
        let before = leadmail::store::statements_run();
        let start = Instant::now();
        apply_all(&store, &mails, &plans, batch).await?;
        secs.push(start.elapsed().as_secs_f64());
        statements = leadmail::store::statements_run() - before;
        let totals = store.totals().await?;
        store.close().await;
        let _ = std::fs::remove_dir_all(&dir);
        anyhow::ensure!(
            totals.messages == n as i64,
            "the store holds {} processed messages after applying {n}",
            totals.messages
        );
    }
    let rate = n as f64 / median(&secs);
    let per_message = statements as f64 / n as f64;
    let backend = if run.postgres.is_some() {
        "postgres"
    } else {
        "sqlite"
    };
    eprintln!(
        "bench store ({backend}): {n} messages, {batch} per transaction, median of {} runs: \
         {rate:.0} msg/s, {per_message:.2} statements per message",
        secs.len()
    );
    Ok(
        json!({ "backend": backend, "messages": n, "batch": batch, "runs_secs": secs,
               "median_secs": median(&secs), "messages_per_sec": rate,
               "statements_per_message": per_message }),
    )
}

/// A new database `bench_NAME_PID` on the PostgreSQL server at `server`
/// (dropped first if a earlier run left it); its URL.
pub async fn new_postgres_database(server: &str, name: &str) -> anyhow::Result<String> {
    use sqlx::Connection as _;
    let name = format!("bench_{name}_{}", std::process::id());
    let mut conn = sqlx::PgConnection::connect(server)
        .await
        .context("cannot connect to --postgres")?;
    for sql in [
        format!("DROP DATABASE IF EXISTS {name}"),
        format!("CREATE DATABASE {name}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .context("cannot create the benchmark's database")?;
    }
    let (base, _) = server
        .split('?')
        .next()
        .unwrap_or(server)
        .rsplit_once('/')
        .context("--postgres: a URL like postgres://user:pass@127.0.0.1:PORT/db")?;
    Ok(format!("{base}/{name}"))
}

async fn apply_all(
    store: &leadmail::store::Store,
    mails: &[Vec<u8>],
    plans: &[IngestPlan],
    batch: usize,
) -> anyhow::Result<()> {
    if batch <= 1 {
        for (raw, plan) in mails.iter().zip(plans) {
            store.apply(plan, raw, "bench").await?;
        }
        return Ok(());
    }
    let folder = FolderRef {
        mailbox: "bench",
        folder: "INBOX",
        uid_validity: 1,
        fence: None,
    };
    let messages: Vec<FolderMessage<'_>> = mails
        .iter()
        .zip(plans)
        .enumerate()
        .map(|(i, (raw, plan))| FolderMessage {
            plan,
            raw,
            size: raw.len() as u64,
            uid: i as u32 + 1,
        })
        .collect();
    for chunk in messages.chunks(batch) {
        store.apply_batch_from_mailbox(&folder, chunk).await?;
    }
    Ok(())
}
