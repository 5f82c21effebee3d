//! A throwaway PostgreSQL cluster on loopback (`scripts/postgres.sh`), started
//! once per test binary and stopped when the test process exits.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;

/// The running cluster.
pub struct Postgres {
    /// `postgres://leadmail:leadmail@127.0.0.1:PORT/leadmail`.
    pub url: String,
    psql: PathBuf,
}

/// The shared cluster, or `None` (with a message) where PostgreSQL is not
/// installed outside `scripts/test.sh` and CI, where its absence fails.
pub fn postgres() -> Option<&'static Postgres> {
    static SERVER: OnceLock<Option<Postgres>> = OnceLock::new();
    SERVER.get_or_init(start).as_ref()
}

fn start() -> Option<Postgres> {
    let cluster = Cluster::start("shared")?;
    let postgres = Postgres {
        url: cluster.url.clone(),
        psql: cluster.psql.clone(),
    };
    // The shared cluster lives until the test process exits.
    std::mem::forget(cluster);
    Some(postgres)
}

/// A throwaway cluster of one test's own, which the test may stop and
/// start again; stopped when dropped (and when the test process exits).
pub struct Cluster {
    /// `postgres://leadmail:leadmail@127.0.0.1:PORT/leadmail`.
    pub url: String,
    /// With TLS ([`Cluster::start_tls`]): the CA that signed its certificate.
    pub ca: Option<PathBuf>,
    psql: PathBuf,
    dir: PathBuf,
}

impl Cluster {
    /// A new cluster in a temp dir named after `name`; `None` (with a
    /// message) where PostgreSQL is not installed outside test.sh and CI.
    pub fn start(name: &str) -> Option<Cluster> {
        Cluster::start_with(name, &[])
    }

    /// Like [`Cluster::start`], with TLS on and TCP connections without
    /// TLS refused (`scripts/postgres.sh start DIR --tls`).
    pub fn start_tls(name: &str) -> Option<Cluster> {
        Cluster::start_with(name, &["--tls"])
    }

    fn start_with(name: &str, options: &[&str]) -> Option<Cluster> {
        let Some(psql) = program("psql") else {
            super::skip_without("postgresql", "run scripts/postgres.sh install");
            return None;
        };
        let dir = std::env::temp_dir().join(format!("leadmail-pg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a folder for the cluster");
        script_with("start", &dir, options);
        super::stop_when_this_process_exits(&script_path(), &dir);
        let env = super::read_env(&dir.join("env"));
        Some(Cluster {
            url: env["PG_URL"].clone(),
            ca: env.get("PG_CA").map(PathBuf::from),
            psql,
            dir,
        })
    }

    /// Stops the server (fast shutdown: sessions are ended).
    pub fn stop(&self) {
        script("stop", &self.dir);
    }

    /// Starts the stopped server again on the same port.
    pub fn restart(&self) {
        script("restart", &self.dir);
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let _ = super::server_command("bash")
            .arg(script_path())
            .arg("stop")
            .arg(&self.dir)
            .output();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn script_path() -> PathBuf {
    super::repo().join("scripts/postgres.sh")
}

/// `scripts/postgres.sh WHAT DIR`, which must succeed.
fn script(what: &str, dir: &std::path::Path) {
    script_with(what, dir, &[]);
}

/// `scripts/postgres.sh WHAT DIR OPTIONS…`, which must succeed.
fn script_with(what: &str, dir: &std::path::Path, options: &[&str]) {
    let out = super::server_command("bash")
        .arg(script_path())
        .arg(what)
        .arg(dir)
        .args(options)
        .output()
        .expect("run postgres.sh");
    assert!(
        out.status.success(),
        "postgres.sh {what} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The newest installed PostgreSQL's `NAME` (Debian keeps them out of PATH).
fn program(name: &str) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(|entry| entry.ok())
        .map(|entry| entry.path().join("bin").join(name))
        .filter(|path| path.exists())
        .collect();
    found.sort();
    found.pop()
}

impl Postgres {
    /// Runs `psql` on the test database with `args`, stopping at the first
    /// error; unaligned, tuples only.
    pub fn psql(&self, args: &[&str]) -> Output {
        Command::new(&self.psql)
            .arg(&self.url)
            .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"])
            .args(args)
            .output()
            .expect("run psql")
    }

    /// The rows `sql` returns, one line each (columns `|`-separated).
    pub fn query(&self, sql: &str) -> Vec<String> {
        query_url(&self.url, sql)
    }

    /// A new, empty database on the cluster (the user owns it), and its URL.
    pub fn new_database(&self) -> String {
        use std::sync::atomic::{AtomicUsize, Ordering};
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "app_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        self.query(&format!("CREATE DATABASE {name}"));
        let (base, _) = self.url.rsplit_once('/').expect("a URL with a database");
        format!("{base}/{name}")
    }
}

/// True when `LEADMAIL_TEST_BACKEND=postgres`: each test's leadmail then
/// runs on its own database on the shared cluster (`offline_app`).
pub fn on_postgres() -> bool {
    std::env::var("LEADMAIL_TEST_BACKEND").is_ok_and(|backend| backend == "postgres")
}

/// True (with a note) when the test is about SQLite's file and the suite
/// runs on PostgreSQL.
pub fn sqlite_only() -> bool {
    let skip = on_postgres();
    if skip {
        eprintln!("skipped on PostgreSQL: the test is about the SQLite file");
    }
    skip
}

/// The rows `sql` returns from the database at `url`, one line each
/// (columns `|`-separated), through `psql`.
pub fn query_url(url: &str, sql: &str) -> Vec<String> {
    let psql = program("psql").expect("psql for a PostgreSQL database");
    let out = Command::new(psql)
        .arg(url)
        .args(["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql])
        .output()
        .expect("run psql");
    assert!(
        out.status.success(),
        "{sql}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|line| !line.is_empty())
        .map(str::to_string)
        .collect()
}
