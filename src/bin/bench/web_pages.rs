//! `bench web`'s moving parts: the readers and their sessions, the web app
//! in process, the timed requests, and `leadmail serve` and `leadmail run`
//! (the daemon with the web app on) with their RSS.

use super::stats::{ms, percentile};
use anyhow::Context;
use leadmail::config::Settings;
use leadmail::domain::access::Role;
use leadmail::store::{LeadSearch, Store};
use leadmail::web::tokens;
use serde::Serialize;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

/// A signed-in user whose pages are timed.
pub struct Reader {
    role: &'static str,
    /// The session cookie's token.
    token: String,
    /// One of their leads, for the lead page.
    lead: i64,
}

/// How many requests of each page: `n`, or fewer (at least 5) once a
/// page has taken `secs`.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub n: usize,
    pub secs: f64,
}

/// One page's round trips.
#[derive(Debug, Serialize)]
pub struct Timing {
    pub role: &'static str,
    pub path: String,
    /// Timed requests.
    pub requests: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// The Leads page's "N found", else 0.
    pub rows: usize,
    pub bytes: usize,
}

/// The first rep, team lead and admin of the config, each with a new
/// session (made through the store) and one of their leads.
pub async fn readers(settings: &Settings, store: &Store) -> anyhow::Result<Vec<Reader>> {
    let now = leadmail::clock::now();
    let mut readers = Vec::new();
    for (role, name) in [
        (Role::User, "user"),
        (Role::TeamLead, "team_lead"),
        (Role::Admin, "admin"),
    ] {
        let user = settings
            .users
            .iter()
            .find(|u| u.role == role)
            .with_context(|| format!("no {name} in the config"))?;
        let email = user.email.to_string();
        let token = tokens::new_token();
        let expires = now + chrono::Duration::days(1);
        store
            .seed_session(&email, &tokens::hash(&token), now, expires)
            .await?;
        let theirs = LeadSearch {
            owner: Some(email),
            per_page: 1,
            ..LeadSearch::default()
        };
        let lead = store
            .search_leads(&theirs)
            .await?
            .leads
            .first()
            .map(|l| l.id);
        let lead = lead.with_context(|| format!("the {name} has no open lead"))?;
        readers.push(Reader {
            role: name,
            token,
            lead,
        });
    }
    Ok(readers)
}

/// The pages timed for `reader`: My day, the Leads page with a few
/// filters, searches, sorts and pages, and one of their leads.
fn paths(reader: &Reader) -> Vec<String> {
    let mut paths: Vec<String> = [
        "/",
        "/leads",
        "/leads?sort=activity",
        "/leads?q=marta",
        "/leads?q=marta+costa&status=all",
        "/leads?kind=lead&step=Demo&sort=title",
        "/leads?status=all&sort=created&page=3",
    ]
    .map(String::from)
    .to_vec();
    paths.push(format!("/leads/{}", reader.lead));
    paths
}

/// Each reader's pages, timed within `budget` after two untimed requests.
pub async fn time_pages(
    base: &str,
    readers: &[Reader],
    budget: Budget,
) -> anyhow::Result<Vec<Timing>> {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()?;
    let mut timings = Vec::new();
    for reader in readers {
        let cookie = format!("lm_session={}", reader.token);
        for path in paths(reader) {
            let url = format!("{base}{path}");
            let mut samples = Vec::with_capacity(budget.n);
            let mut body = String::new();
            let began = Instant::now();
            for i in 0..budget.n + 2 {
                let spent = began.elapsed().as_secs_f64();
                if samples.len() >= 5 && spent > budget.secs {
                    break;
                }
                let start = Instant::now();
                let reply = client.get(&url).header("cookie", &cookie).send().await?;
                let status = reply.status();
                body = reply.text().await?;
                anyhow::ensure!(status == 200, "GET {path} as {}: {status}", reader.role);
                if i >= 2 {
                    samples.push(ms(start.elapsed()));
                }
            }
            timings.push(timing(reader.role, path, &samples, &body));
        }
    }
    Ok(timings)
}

fn timing(role: &'static str, path: String, samples: &[f64], body: &str) -> Timing {
    let rows = body
        .split_once(" found</p>")
        .and_then(|(before, _)| before.rsplit('>').next()?.trim().parse().ok());
    Timing {
        role,
        path,
        requests: samples.len(),
        p50_ms: percentile(samples, 50.0),
        p99_ms: percentile(samples, 99.0),
        max_ms: percentile(samples, 100.0),
        rows: rows.unwrap_or(0),
        bytes: body.len(),
    }
}

/// The web app served in this process, on its own runtime and thread.
pub struct InProcess {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    cancel: CancellationToken,
    thread: std::thread::JoinHandle<anyhow::Result<()>>,
}

impl InProcess {
    /// Opens the store and serves on a new loopback port (two worker threads).
    pub fn start(settings: Arc<Settings>) -> anyhow::Result<InProcess> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let base = format!("http://{}", listener.local_addr()?);
        let cancel = CancellationToken::new();
        let stop = cancel.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let store = leadmail::app::open_store(&settings).await?;
                let listener = tokio::net::TcpListener::from_std(listener)?;
                leadmail::web::serve_on(listener, settings, store, stop).await
            })
        });
        Ok(InProcess {
            base,
            cancel,
            thread,
        })
    }

    /// Stops serving and waits for the thread.
    pub fn stop(self) {
        self.cancel.cancel();
        match self.thread.join() {
            Ok(Err(error)) => eprintln!("bench web: the web app failed: {error:#}"),
            Err(_) => eprintln!("bench web: the web app panicked"),
            Ok(Ok(())) => {}
        }
    }
}

/// `leadmail serve` on the config's `[web] listen`: the pages requested
/// within `budget`, then its peak and current RSS (`VmHWM`, `VmRSS`).
pub async fn serve_rss(
    leadmail: &Path,
    config: &Path,
    listen: SocketAddr,
    readers: &[Reader],
    budget: Budget,
) -> anyhow::Result<Value> {
    let child = spawn(leadmail, config, "serve")?;
    let measured = measure_child(&child, listen, readers, budget, async { Ok(()) }).await;
    stop(child);
    let (idle, timings, after) = measured?;
    super::web::print_timings("leadmail serve", &timings);
    eprintln!(
        "bench web: leadmail serve RSS: {:.1} MB at start, after the pages {:.1} MB (peak {:.1} MB)",
        mb(idle.1),
        mb(after.1),
        mb(after.0)
    );
    Ok(
        json!({ "pages": timings, "start_rss_kb": idle.1, "rss_kb": after.1,
               "peak_rss_kb": after.0 }),
    )
}

/// `leadmail run` (the daemon with the web app on) on `config`, whose
/// mailbox holds a backlog: the pages requested within `budget` while it
/// files the backlog, then, once `filed` is done (the backlog is in the
/// database), its peak and current RSS and how long the backlog took.
pub async fn run_rss(
    leadmail: &Path,
    config: &Path,
    listen: SocketAddr,
    readers: &[Reader],
    budget: Budget,
    filed: impl std::future::Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<Value> {
    let start = Instant::now();
    let child = spawn(leadmail, config, "run")?;
    let measured = measure_child(&child, listen, readers, budget, filed).await;
    let secs = start.elapsed().as_secs_f64();
    stop(child);
    let (idle, timings, after) = measured?;
    super::web::print_timings("leadmail run", &timings);
    eprintln!(
        "bench web: leadmail run RSS: {:.1} MB with the web app up, {:.1} MB once its backlog \
         was filed ({secs:.1} s; peak {:.1} MB)",
        mb(idle.1),
        mb(after.1),
        mb(after.0)
    );
    Ok(
        json!({ "pages": timings, "start_rss_kb": idle.1, "rss_kb": after.1,
               "peak_rss_kb": after.0, "secs": secs }),
    )
}

/// `leadmail --config CONFIG SUBCOMMAND`, its log beside the config.
fn spawn(leadmail: &Path, config: &Path, subcommand: &str) -> anyhow::Result<Child> {
    let log = std::fs::File::create(config.with_extension(format!("{subcommand}.log")))?;
    Command::new(leadmail)
        .arg("--config")
        .arg(config)
        .arg(subcommand)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .with_context(|| format!("cannot run {}", leadmail.display()))
}

/// RSS (`VmHWM`, `VmRSS`) once the app answers, the pages' timings, and
/// the RSS after both the pages and `after`.
async fn measure_child(
    child: &Child,
    listen: SocketAddr,
    readers: &[Reader],
    budget: Budget,
    after: impl std::future::Future<Output = anyhow::Result<()>>,
) -> anyhow::Result<((u64, u64), Vec<Timing>, (u64, u64))> {
    let base = format!("http://{listen}");
    wait_until_up(&base).await?;
    let idle = proc_status_kb(child.id())?;
    let timings = time_pages(&base, readers, budget).await?;
    after.await?;
    Ok((idle, timings, proc_status_kb(child.id())?))
}

/// SIGTERM, then waits for the process.
fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let _ = child.wait();
}

fn mb(kb: u64) -> f64 {
    kb as f64 / 1024.0
}

/// Polls `/signin` until it answers (60 s at most).
async fn wait_until_up(base: &str) -> anyhow::Result<()> {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let reply = reqwest::get(format!("{base}/signin")).await;
        if reply.is_ok_and(|r| r.status() == 200) {
            return Ok(());
        }
        anyhow::ensure!(
            Instant::now() < deadline,
            "leadmail serve did not answer in 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// `VmHWM` and `VmRSS` of process `pid`, in KB.
fn proc_status_kb(pid: u32) -> anyhow::Result<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
            .with_context(|| format!("no {name} in /proc/{pid}/status"))
    };
    Ok((field("VmHWM:")?, field("VmRSS:")?))
}
