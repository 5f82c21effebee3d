//! Several `leadmail run` on one database (issue 17): start each with a log
//! file of its own, signal them, read their JSON log lines, and read who
//! holds which mailbox (`status --json`) and the lease history (the
//! database, through the library).

use super::App;
use leadmail::store::{LeaseTakeover, Store};
use std::future::Future;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::Duration;

/// Starts `command` (a `leadmail … run`) with `RUST_LOG=leadmail=info`,
/// its stderr into the file `log`.
pub fn spawn(mut command: Command, log: &Path) -> Child {
    let file = std::fs::File::create(log).expect("a log file");
    command
        .env("RUST_LOG", "leadmail=info")
        .stdout(Stdio::null())
        .stderr(file)
        .spawn()
        .expect("start the daemon")
}

/// Sends `kill WHICH PID` (`-TERM`, `-STOP`, `-CONT`).
pub fn signal(which: &str, pid: u32) {
    let _ = Command::new("kill")
        .args([which, &pid.to_string()])
        .status();
}

/// One `leadmail --log-format json run`, its log in a file of its own.
pub struct Daemon {
    /// The process.
    pub child: Child,
    /// Its log (one JSON object per line).
    pub log: PathBuf,
}

impl Daemon {
    /// Starts `leadmail run` with the config file `config`, logging to
    /// `daemon-NAME.log` in the app's folder.
    pub fn start(app: &App, config: &Path, name: &str) -> Daemon {
        let log = app.dir.path().join(format!("daemon-{name}.log"));
        let command = app.command_with_config(config, &["--log-format", "json", "run"]);
        Daemon {
            child: spawn(command, &log),
            log,
        }
    }

    /// Its process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Its log so far, as text.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Its log lines so far (those that are JSON: a line being written is
    /// left out).
    pub fn lines(&self) -> Vec<serde_json::Value> {
        self.log_text()
            .lines()
            .filter_map(|line| serde_json::from_str(line).ok())
            .collect()
    }

    /// Its log lines whose message is `message`.
    pub fn said(&self, message: &str) -> Vec<serde_json::Value> {
        self.lines()
            .into_iter()
            .filter(|line| line["fields"]["message"] == message)
            .collect()
    }

    /// SIGTERM, then its exit status (killed and failed when it has not
    /// exited within 20 s).
    pub fn stop(&mut self) -> ExitStatus {
        signal("-CONT", self.pid());
        signal("-TERM", self.pid());
        self.exit_status_within(Duration::from_secs(20))
            .unwrap_or_else(|| {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!(
                    "the daemon did not exit within 20 s of SIGTERM: {}",
                    tail(&self.log_text())
                )
            })
    }

    /// Its exit status once it has exited, waiting up to `within`; `None`
    /// while it still runs.
    pub fn exit_status_within(&mut self, within: Duration) -> Option<ExitStatus> {
        let mut status = None;
        super::wait_until(within, || {
            status = self.child.try_wait().expect("poll the daemon");
            status.is_some()
        });
        status
    }
}

impl Drop for Daemon {
    fn drop(&mut self) {
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// The pid of the daemon holding `mailbox`'s lease now, from `status --json`.
pub fn holder_pid(app: &App, mailbox: &str) -> Option<i64> {
    let status = app.status();
    status["mailboxes"]
        .as_array()?
        .iter()
        .find(|m| m["mailbox"] == mailbox)?["held_by"]["pid"]
        .as_i64()
}

/// The pids of the daemons holding a lease now, from `status --json`.
pub fn holder_pids(app: &App) -> Vec<i64> {
    app.status()["mailboxes"]
        .as_array()
        .map(|mailboxes| {
            mailboxes
                .iter()
                .filter_map(|m| m["held_by"]["pid"].as_i64())
                .collect()
        })
        .unwrap_or_default()
}

/// Runs `work` on the app's database (opened, and migrated if needed).
pub fn with_store<T, F, Fut>(app: &App, work: F) -> T
where
    F: FnOnce(Store) -> Fut,
    Fut: Future<Output = T>,
{
    let settings = leadmail::config::Settings::load(&app.config).expect("config");
    let runtime = tokio::runtime::Runtime::new().expect("a runtime");
    runtime.block_on(async {
        let store = Store::open(&settings.database_url).await.expect("database");
        let result = work(store.clone()).await;
        store.close().await;
        result
    })
}

/// Every takeover of every mailbox, by mailbox then fence.
pub fn lease_history(app: &App) -> Vec<LeaseTakeover> {
    with_store(app, |store| async move {
        store.lease_history().await.expect("lease history")
    })
}

/// Seconds from one stored time to another (negative when `later` is earlier).
pub fn seconds_between(earlier: &str, later: &str) -> f64 {
    let parse = |text: &str| {
        chrono::DateTime::parse_from_rfc3339(text).unwrap_or_else(|e| panic!("{text}: {e}"))
    };
    (parse(later) - parse(earlier))
        .num_microseconds()
        .unwrap_or(i64::MAX) as f64
        / 1e6
}

/// The last lines of a log, for a failure message.
pub fn tail(logs: &str) -> String {
    let lines: Vec<&str> = logs.lines().collect();
    lines[lines.len().saturating_sub(80)..].join("\n")
}
