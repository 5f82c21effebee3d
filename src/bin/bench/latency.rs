//! Arrival-to-commit latency under IDLE: `leadmail run` watches a mailbox
//! while this APPENDs generated messages one at a time at random intervals.
//!
//! The daemon runs with JSON logs; a thread stamps each line as it arrives:
//! `processed` (after the commit) with the message key, and the IDLE
//! module's debug line `imap idle ended` (the server announced new mail).

use super::fetch::login;
use super::stats::{median, ms, percentile};
use anyhow::Context;
use leadmail::config::Settings;
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::{Duration, Instant};

/// Options of `bench latency`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The leadmail config; its only mailbox must be `user`'s INBOX, plaintext.
    #[arg(long)]
    config: PathBuf,
    /// The Dovecot user whose INBOX the daemon watches.
    #[arg(long)]
    user: String,
    /// The `scripts/dovecot.sh start` directory (for IMAP_PORT, IMAP_PASSWORD).
    #[arg(long)]
    dovecot_dir: PathBuf,
    #[arg(long, default_value_t = 1000)]
    n: usize,
    #[arg(long, default_value_t = 2)]
    seed: u64,
    /// Shortest and longest pause between APPENDs, in ms.
    #[arg(long, default_value_t = 50)]
    min_ms: u64,
    #[arg(long, default_value_t = 300)]
    max_ms: u64,
    /// The leadmail binary (default: next to this one).
    #[arg(long)]
    leadmail: Option<PathBuf>,
    /// Keep the daemon's log here.
    #[arg(long)]
    log: Option<PathBuf>,
}

/// A stamped log line of the daemon.
enum Event {
    Processed(String, Instant),
    IdleWoke(Instant),
    Connected,
}

pub async fn run(args: &Args) -> anyhow::Result<Value> {
    let settings = Settings::load(&args.config).context("cannot load the config")?;
    let env = dovecot_env(&args.dovecot_dir)?;
    let port: u16 = env.get("IMAP_PORT").context("no IMAP_PORT")?.parse()?;
    let password = env.get("IMAP_PASSWORD").context("no IMAP_PASSWORD")?;
    let (mut daemon, events) = spawn_daemon(args)?;
    let result = measure(args, &settings, port, password, &events).await;
    stop(&mut daemon);
    result
}

async fn measure(
    args: &Args,
    settings: &Settings,
    port: u16,
    password: &str,
    events: &Receiver<Event>,
) -> anyhow::Result<Value> {
    wait_for(events, Duration::from_secs(30), |e| {
        matches!(e, Event::Connected)
    })
    .context("the daemon did not connect within 30 s")?;
    let mut imap = login("127.0.0.1", port, &args.user, password).await?;
    // Warm-up: one message through the whole path before measuring.
    let warm = leadmail::synth::generate(args.seed, args.n);
    imap.append("INBOX", None, None, &warm.bytes).await?;
    let key = plan_key(&warm.bytes, settings);
    wait_for(
        events,
        Duration::from_secs(30),
        |e| matches!(e, Event::Processed(k, _) if *k == key),
    )
    .context("the warm-up message was not processed within 30 s")?;
    let mut rng = leadmail::synth::Rng::new(args.seed, u64::MAX);
    let mut appended = Vec::with_capacity(args.n);
    let mut seen = Vec::new();
    for index in 0..args.n {
        let pause = rng.range(args.min_ms, args.max_ms.max(args.min_ms));
        tokio::time::sleep(Duration::from_millis(pause)).await;
        let mail = leadmail::synth::generate(args.seed, index);
        imap.append("INBOX", None, None, &mail.bytes).await?;
        appended.push((plan_key(&mail.bytes, settings), Instant::now()));
        seen.extend(events.try_iter());
    }
    let _ = imap.logout().await;
    let deadline = Instant::now() + Duration::from_secs(30);
    while done(&seen) < appended.len() && Instant::now() < deadline {
        if let Ok(event) = events.recv_timeout(Duration::from_millis(100)) {
            seen.push(event);
        }
    }
    Ok(report(&appended, &seen))
}

fn done(seen: &[Event]) -> usize {
    seen.iter()
        .filter(|e| matches!(e, Event::Processed(..)))
        .count()
}

/// Per message: APPEND done → commit, and the IDLE wake-up that followed the
/// APPEND → commit.
fn report(appended: &[(String, Instant)], seen: &[Event]) -> Value {
    let commits: HashMap<&str, Instant> = seen
        .iter()
        .filter_map(|e| match e {
            Event::Processed(key, at) => Some((key.as_str(), *at)),
            _ => None,
        })
        .collect();
    let wakes: Vec<Instant> = seen
        .iter()
        .filter_map(|e| match e {
            Event::IdleWoke(at) => Some(*at),
            _ => None,
        })
        .collect();
    let (mut to_commit, mut from_wake, mut missing) = (Vec::new(), Vec::new(), 0);
    for (key, at) in appended {
        let Some(commit) = commits.get(key.as_str()) else {
            missing += 1;
            continue;
        };
        to_commit.push(ms(commit.saturating_duration_since(*at)));
        if let Some(wake) = wakes.iter().find(|w| *w >= at && *w <= commit) {
            from_wake.push(ms(commit.saturating_duration_since(*wake)));
        }
    }
    let summary = |v: &[f64]| json!({ "count": v.len(), "p50_ms": median(v), "p99_ms": percentile(v, 99.0), "max_ms": percentile(v, 100.0) });
    eprintln!(
        "bench latency: {} appended, {missing} not processed; APPEND→commit p50 {:.0} ms p99 {:.0} ms max {:.0} ms; IDLE wake→commit ({} msgs) p50 {:.1} ms p99 {:.1} ms",
        appended.len(),
        median(&to_commit),
        percentile(&to_commit, 99.0),
        percentile(&to_commit, 100.0),
        from_wake.len(),
        median(&from_wake),
        percentile(&from_wake, 99.0)
    );
    json!({ "appended": appended.len(), "missing": missing,
            "append_to_commit": summary(&to_commit), "idle_wake_to_commit": summary(&from_wake) })
}

/// The key the daemon will log for these bytes.
fn plan_key(raw: &[u8], settings: &Settings) -> String {
    leadmail::ingest::plan_message(raw, settings, leadmail::clock::now())
        .key
        .to_string()
}

fn wait_for(
    events: &Receiver<Event>,
    limit: Duration,
    wanted: impl Fn(&Event) -> bool,
) -> anyhow::Result<()> {
    let deadline = Instant::now() + limit;
    loop {
        let left = deadline.saturating_duration_since(Instant::now());
        let event = events.recv_timeout(left).context("timed out")?;
        if wanted(&event) {
            return Ok(());
        }
    }
}

/// Starts `leadmail run` with JSON logs and a thread that stamps its lines.
fn spawn_daemon(args: &Args) -> anyhow::Result<(Child, Receiver<Event>)> {
    let binary = match &args.leadmail {
        Some(path) => path.clone(),
        None => std::env::current_exe()?.with_file_name("leadmail"),
    };
    let mut child = Command::new(&binary)
        .arg("--config")
        .arg(&args.config)
        .args(["--log-format", "json", "run"])
        .env("RUST_LOG", "info,leadmail::imap::idle=debug")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {}", binary.display()))?;
    let stderr = child.stderr.take().context("no stderr pipe")?;
    let mut log = match &args.log {
        Some(path) => Some(std::fs::File::create(path)?),
        None => None,
    };
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            let at = Instant::now();
            if let Some(log) = log.as_mut() {
                let _ = writeln!(log, "{line}");
            }
            if let Some(event) = parse(&line, at) {
                if tx.send(event).is_err() {
                    return;
                }
            }
        }
    });
    Ok((child, rx))
}

fn parse(line: &str, at: Instant) -> Option<Event> {
    let value: Value = serde_json::from_str(line).ok()?;
    let fields = value.get("fields")?;
    match fields.get("message")?.as_str()? {
        "processed" => Some(Event::Processed(
            fields.get("key")?.as_str()?.to_string(),
            at,
        )),
        "imap idle ended" => Some(Event::IdleWoke(at)),
        "connected" => Some(Event::Connected),
        _ => None,
    }
}

/// SIGTERM, then SIGKILL after 10 s.
fn stop(child: &mut Child) {
    let _ = Command::new("kill")
        .arg("-TERM")
        .arg(child.id().to_string())
        .status();
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

fn dovecot_env(dir: &std::path::Path) -> anyhow::Result<HashMap<String, String>> {
    let path = dir.join("env");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read {}", path.display()))?;
    Ok(text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect())
}
