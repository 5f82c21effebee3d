//! Test harness shared by the integration tests: a real Dovecot on loopback,
//! started once per test binary by `scripts/dovecot.sh`, and a leadmail
//! configuration per test that points at its own Dovecot user.
#![allow(dead_code)]

pub mod browser;
pub mod daemons;
pub mod dns;
pub mod hostile;
pub mod http;
pub mod oauth;
pub mod postgres;
pub mod proxy;
pub mod smtp;
pub mod web;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::OnceLock;

/// A running Dovecot and the values its start script wrote.
pub struct Dovecot {
    /// The server's directory (config, certificates, mail).
    pub dir: PathBuf,
    /// IMAP_HOST, IMAP_PORT, IMAPS_PORT, IMAP_PASSWORD, IMAP_CA, DOVECOT_CONF…
    pub env: HashMap<String, String>,
}

/// The instant every test's leadmail starts its clock at (the demo morning,
/// after its last mail): no test depends on today's date.
pub const TEST_NOW: &str = "2026-11-23T11:00:00Z";

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether a missing test server is a failure rather than a skip: under
/// `scripts/test.sh` (which installs the servers and sets
/// `LEADMAIL_REQUIRE_SERVERS=1`) and wherever `CI=true`.
pub fn servers_required() -> bool {
    std::env::var("LEADMAIL_REQUIRE_SERVERS").as_deref() == Ok("1")
        || std::env::var("CI").as_deref() == Ok("true")
}

/// Reports a test skipped for a missing server, loudly, on stderr (which
/// cargo shows in the summary of a run with `--nocapture` and keeps for a
/// failing one); panics instead where servers are required.
pub fn skip_without(server: &str, how: &str) {
    assert!(
        !servers_required(),
        "{server} is missing but the servers are required here ({how})"
    );
    eprintln!("SKIPPED: {server} is not installed ({how})");
}

/// The shared Dovecot, or `None` (with a message) when it cannot run here
/// outside `scripts/test.sh` and CI, where a missing Dovecot fails the test.
pub fn dovecot() -> Option<&'static Dovecot> {
    static SERVER: OnceLock<Option<Dovecot>> = OnceLock::new();
    SERVER.get_or_init(start_dovecot).as_ref()
}

fn start_dovecot() -> Option<Dovecot> {
    let script = repo().join("scripts/dovecot.sh");
    let have_dovecot = Command::new("sh")
        .args(["-c", "command -v dovecot"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !have_dovecot {
        skip_without("dovecot", "run scripts/dovecot.sh install");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("leadmail-it-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let server = Dovecot::start_in(&dir, &[]);
    stop_when_this_process_exits(&script, &dir);
    Some(server)
}

/// A Dovecot of one test's own (to stop and restart it), stopped on drop.
pub struct PrivateDovecot(pub Dovecot);

impl PrivateDovecot {
    /// Starts one in a fresh directory named after `name`; `None` where the
    /// shared one cannot run either.
    pub fn start(name: &str) -> Option<PrivateDovecot> {
        dovecot()?;
        let dir = std::env::temp_dir().join(format!("lm-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        Some(PrivateDovecot(Dovecot::start_in(&dir, &[])))
    }

    /// Stops the server (mail stays on disk).
    pub fn stop(&self) {
        self.0.script(&["stop"]);
    }

    /// Starts it again on the same ports, with the same mail.
    pub fn restart(&mut self) {
        let ports = [
            ("DOVECOT_IMAP_PORT", self.0.get("IMAP_PORT").to_string()),
            ("DOVECOT_IMAPS_PORT", self.0.get("IMAPS_PORT").to_string()),
        ];
        self.0 = Dovecot::start_in(&self.0.dir, &ports);
    }
}

impl Drop for PrivateDovecot {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.0.dir);
    }
}

/// Statics are never dropped, so a watcher stops Dovecot after the test binary exits.
/// A command for a test server (Dovecot, the SMTP and HTTP receivers,
/// dnsmasq, PostgreSQL, the token endpoint): run on the real clock even when
/// the tests run under `faketime` (which preloads itself through
/// `LD_PRELOAD`); only leadmail runs at the moved date.
pub(crate) fn server_command(program: impl AsRef<std::ffi::OsStr>) -> Command {
    let mut command = Command::new(program);
    command.env_remove("LD_PRELOAD").env_remove("FAKETIME");
    command
}

pub(crate) fn stop_when_this_process_exits(script: &Path, dir: &Path) {
    let watcher = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; bash '{script}' stop '{dir}' >/dev/null 2>&1; rm -rf '{dir}'",
        pid = std::process::id(),
        script = script.display(),
        dir = dir.display()
    );
    let _ = Command::new("sh")
        .args(["-c", &watcher])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
}

pub(crate) fn read_env(path: &Path) -> HashMap<String, String> {
    std::fs::read_to_string(path)
        .expect("dovecot env file")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect()
}

impl Dovecot {
    /// Runs `dovecot.sh start DIR` (with extra environment) and reads its env file.
    fn start_in(dir: &Path, env: &[(&str, String)]) -> Dovecot {
        let out = server_command("bash")
            .arg(repo().join("scripts/dovecot.sh"))
            .arg("start")
            .arg(dir)
            .envs(env.iter().map(|(k, v)| (*k, v.as_str())))
            .output()
            .expect("run dovecot.sh");
        assert!(
            out.status.success(),
            "dovecot.sh start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        Dovecot {
            dir: dir.to_path_buf(),
            env: read_env(&dir.join("env")),
        }
    }

    /// Runs a `dovecot.sh` subcommand on this server's directory, then `args`.
    fn script(&self, command: &[&str]) -> Output {
        let (sub, rest) = command.split_first().expect("a subcommand");
        let out = server_command("bash")
            .arg(repo().join("scripts/dovecot.sh"))
            .arg(sub)
            .arg(&self.dir)
            .args(rest)
            .output()
            .expect("run dovecot.sh");
        assert!(
            out.status.success(),
            "dovecot.sh {sub} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    /// Delivers many message files into `user`'s INBOX at once.
    pub fn import(&self, user: &str, files: &[PathBuf]) {
        self.put_mail("import", user, files);
    }

    /// `dovecot.sh deliver|import DIR USER FILE…`.
    fn put_mail(&self, how: &str, user: &str, files: &[PathBuf]) {
        let mut args = vec![how.to_string(), user.to_string()];
        args.extend(files.iter().map(|f| f.display().to_string()));
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        self.script(&args);
    }

    /// A value the start script wrote.
    pub fn get(&self, key: &str) -> &str {
        self.env
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("{key} missing from dovecot env"))
    }

    /// Delivers message files into `user`'s INBOX, one by one.
    pub fn deliver(&self, user: &str, files: &[PathBuf]) {
        self.put_mail("deliver", user, files);
    }

    /// Number of messages in a folder of `user` (0 when the folder does not exist).
    pub fn count(&self, user: &str, folder: &str) -> usize {
        self.doveadm(&["mailbox", "status", "-u", user, "messages", folder])
            .rsplit('=')
            .next()
            .and_then(|n| n.trim().parse().ok())
            .unwrap_or(0)
    }

    /// Number of `\Seen` messages in a folder of `user`.
    pub fn seen(&self, user: &str, folder: &str) -> usize {
        self.doveadm(&["search", "-u", user, "mailbox", folder, "SEEN"])
            .lines()
            .count()
    }

    /// A port the start script wrote (`IMAP_PORT`, `IMAPS_PORT`).
    pub fn port(&self, key: &str) -> u16 {
        self.get(key).parse().expect("a port number")
    }

    /// Runs doveadm against this server and returns its stdout.
    pub fn doveadm(&self, args: &[&str]) -> String {
        let out = Command::new("doveadm")
            .arg("-c")
            .arg(self.get("DOVECOT_CONF"))
            .args(args)
            .output()
            .expect("doveadm");
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// One test's leadmail: its own database and its own Dovecot user.
pub struct App {
    /// Temp dir with the config and the database.
    pub dir: tempfile::TempDir,
    /// The config file.
    pub config: PathBuf,
    /// The Dovecot user (its own mailbox).
    pub user: String,
}

/// Options for the test's `[[mailboxes]]` entry.
pub struct MailboxOptions<'a> {
    /// implicit, starttls or none.
    pub tls: &'a str,
    /// The password to log in with.
    pub password: &'a str,
    /// Move processed mail here (else only `\Seen`).
    pub processed_folder: Option<&'a str>,
    /// Trust the test CA.
    pub trust_ca: bool,
    /// Use IMAP IDLE (else poll every second).
    pub idle: bool,
    /// Connect here instead of the server's port (a proxy in front of it).
    pub port: Option<u16>,
}

impl Default for MailboxOptions<'_> {
    fn default() -> Self {
        Self {
            tls: "implicit",
            password: "testpass",
            processed_folder: Some("Processed"),
            trust_ca: true,
            idle: true,
            port: None,
        }
    }
}

/// A fresh database and the fixture config, without any mailbox (offline commands).
pub fn offline_app() -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = std::fs::read_to_string(repo().join("tests/fixtures/leadmail.toml"))
        .expect("fixture config");
    let config = dir.path().join("leadmail.toml");
    std::fs::write(&config, base).expect("write config");
    let app = App {
        dir,
        config,
        user: String::new(),
    };
    app.set_config("database.url", database_url());
    app
}

/// A new database for one test's leadmail: a SQLite file in its folder,
/// or a new database on the shared PostgreSQL cluster when the suite runs
/// on PostgreSQL (`LEADMAIL_TEST_BACKEND=postgres`).
fn database_url() -> String {
    if !postgres::on_postgres() {
        return "sqlite://leadmail.db".into();
    }
    postgres::postgres()
        .expect("LEADMAIL_TEST_BACKEND=postgres needs PostgreSQL (scripts/postgres.sh install)")
        .new_database()
}

/// A config for `user` on the shared Dovecot (fixture people, fresh database).
pub fn spawn_app(server: &Dovecot, user: &str, options: MailboxOptions<'_>) -> App {
    let mut app = offline_app();
    app.user = user.to_string();
    app.add_mailbox(server, "crm", user, options);
    app
}

impl App {
    /// Adds a `[[mailboxes]]` entry named `name` for `user` on `server`.
    pub fn add_mailbox(
        &self,
        server: &Dovecot,
        name: &str,
        user: &str,
        options: MailboxOptions<'_>,
    ) {
        let port = options.port.unwrap_or_else(|| match options.tls {
            "implicit" => server.port("IMAPS_PORT"),
            _ => server.port("IMAP_PORT"),
        });
        let password_file = format!("password-{name}");
        std::fs::write(self.dir.path().join(&password_file), options.password)
            .expect("password file");
        let mut mailbox = toml::Table::new();
        for (key, value) in [
            ("name", name),
            ("host", "127.0.0.1"),
            ("tls", options.tls),
            ("username", user),
            ("password_file", &password_file),
            ("folder", "INBOX"),
            ("quarantine_folder", "Quarantine"),
        ] {
            mailbox.insert(key.into(), value.into());
        }
        mailbox.insert("port".into(), i64::from(port).into());
        mailbox.insert("idle".into(), options.idle.into());
        mailbox.insert("poll_interval_secs".into(), 1.into());
        if options.trust_ca {
            mailbox.insert("ca_file".into(), server.get("IMAP_CA").into());
        }
        if let Some(folder) = options.processed_folder {
            mailbox.insert("processed_folder".into(), folder.into());
        }
        self.push_config("mailboxes", mailbox);
    }

    /// Appends `table` to the array of tables `key` (`[[key]]`), creating it.
    pub fn push_config(&self, key: &str, table: toml::Table) {
        self.edit_root(|root| {
            let entry = root
                .entry(key)
                .or_insert_with(|| toml::Value::Array(Vec::new()));
            let toml::Value::Array(items) = entry else {
                panic!("config key {key} is not an array of tables");
            };
            items.push(toml::Value::Table(table));
        });
    }

    /// Adds the new table `[key]` (panics when it is already there).
    pub fn add_config_table(&self, key: &str, table: toml::Table) {
        self.edit_root(|root| {
            let existed = root.insert(key.into(), toml::Value::Table(table));
            assert!(existed.is_none(), "config table [{key}] is already there");
        });
    }

    fn edit_root(&self, edit: impl FnOnce(&mut toml::Table)) {
        let text = std::fs::read_to_string(&self.config).expect("read config");
        let mut root: toml::Table = text.parse().expect("the config is TOML");
        edit(&mut root);
        let text = toml::to_string(&root).expect("TOML out");
        std::fs::write(&self.config, text).expect("write config");
    }

    /// Sets `path` (dotted: `security.max_message_bytes`, `users.0.digest_at`,
    /// `partners.0.owner`) in the config file to `value`, through a parsed
    /// TOML document rather than by patching text: a missing table or array
    /// entry on the way panics, and so does a key that is new (`set_config`)
    /// or already there (`add_config`) against what the caller expects, so
    /// a fixture edit cannot make a test pass by silently missing.
    pub fn set_config(&self, path: &str, value: impl Into<toml::Value>) {
        self.edit_config(path, value.into(), true);
    }

    /// Like [`App::set_config`] for a key the fixture does not have yet.
    pub fn add_config(&self, path: &str, value: impl Into<toml::Value>) {
        self.edit_config(path, value.into(), false);
    }

    fn edit_config(&self, path: &str, value: toml::Value, must_exist: bool) {
        let text = std::fs::read_to_string(&self.config).expect("read config");
        let mut root = toml::Value::Table(text.parse().expect("the config is TOML"));
        let (parents, key) = path.rsplit_once('.').unwrap_or(("", path));
        let mut cursor = &mut root;
        for segment in parents.split('.').filter(|s| !s.is_empty()) {
            cursor = match cursor {
                toml::Value::Table(table) => table.get_mut(segment),
                toml::Value::Array(items) => {
                    segment.parse::<usize>().ok().and_then(|i| items.get_mut(i))
                }
                _ => None,
            }
            .unwrap_or_else(|| panic!("config key {path}: no {segment:?} on the way"));
        }
        let toml::Value::Table(table) = cursor else {
            panic!("config key {path}: {parents} is not a table");
        };
        let existed = table.insert(key.to_string(), value).is_some();
        assert_eq!(
            existed,
            must_exist,
            "config key {path}: expected it to be {}",
            if must_exist { "there" } else { "new" }
        );
        let text = toml::to_string(&root).expect("TOML out");
        std::fs::write(&self.config, text).expect("write config");
    }

    /// Starts `leadmail ARGS` in the background, its log in `daemon.log`.
    pub fn start_daemon(&self, args: &[&str]) -> std::process::Child {
        let log = std::fs::File::create(self.dir.path().join("daemon.log")).expect("log file");
        self.command(args)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("start the daemon")
    }

    /// What the background daemon logged so far.
    pub fn daemon_log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("daemon.log")).unwrap_or_default()
    }

    /// Adds an `[smtp]` section pointing at a local sink (STARTTLS with its CA).
    pub fn add_smtp(&self, sink: &smtp::SmtpSink) {
        let mut smtp = toml::Table::new();
        smtp.insert("host".into(), "127.0.0.1".into());
        smtp.insert("port".into(), i64::from(sink.port()).into());
        smtp.insert("tls".into(), "starttls".into());
        smtp.insert("ca_file".into(), sink.ca().to_string().into());
        smtp.insert("from".into(), "leadmail <crm@acme.test>".into());
        self.add_config_table("smtp", smtp);
    }

    /// The rows `sql` returns from this app's database (first column of
    /// each, as text), whichever backend it is on: Python's sqlite3 for a
    /// SQLite file, `psql` for PostgreSQL. For checks the CLI cannot make.
    pub fn sql(&self, sql: &str) -> Vec<String> {
        let text = std::fs::read_to_string(&self.config).expect("read config");
        let root: toml::Table = text.parse().expect("the config is TOML");
        let url = root["database"]["url"]
            .as_str()
            .expect("database.url")
            .to_string();
        if url.starts_with("postgres") {
            return postgres::query_url(&url, sql);
        }
        let file = url.trim_start_matches("sqlite://");
        let path = self.dir.path().join(file);
        let script = "import sqlite3, sys; c = sqlite3.connect(sys.argv[1]); \
                      print('\\n'.join(str(r[0]) for r in c.execute(sys.argv[2])))";
        let out = server_command("python3")
            .args(["-c", script])
            .arg(&path)
            .arg(sql)
            .output()
            .expect("python3");
        assert!(
            out.status.success(),
            "{sql}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::to_string)
            .collect()
    }

    /// `status --json`.
    pub fn status(&self) -> serde_json::Value {
        self.json(&["status", "--json"])
    }

    /// Runs the binary to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run leadmail")
    }

    /// The binary with this app's config, not yet started.
    pub fn command(&self, args: &[&str]) -> Command {
        self.command_with_config(&self.config, args)
    }

    /// The binary with another config file (one of [`App::config_variant`]),
    /// not yet started.
    pub fn command_with_config(&self, config: &Path, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_leadmail"));
        command
            .arg("--config")
            .arg(config)
            .args(args)
            .env("LEADMAIL_NOW", TEST_NOW);
        command
    }

    /// A copy of the config, as `edit` changes it, in the app's folder (so
    /// its relative paths, the SQLite file's among them, mean the same).
    pub fn config_variant(&self, name: &str, edit: impl FnOnce(&mut toml::Table)) -> PathBuf {
        let text = std::fs::read_to_string(&self.config).expect("read config");
        let mut root: toml::Table = text.parse().expect("the config is TOML");
        edit(&mut root);
        let path = self.dir.path().join(format!("leadmail-{name}.toml"));
        std::fs::write(&path, toml::to_string(&root).expect("TOML out")).expect("write config");
        path
    }

    /// Runs a listing and parses its JSON.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let out = self.run(args);
        assert!(
            out.status.success(),
            "{args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("valid JSON")
    }
}

/// The demo morning of mail, in file-name order.
pub fn demo_messages() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/fixtures/demo/cur"))
        .expect("demo maildir")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    files.sort();
    files
}

/// `n` BCC'd mails from Alice, each to a new person (so each makes one
/// prospect with one timeline entry), of about 6 KB, written into `dir`.
pub fn outbound_mails(dir: &Path, tag: &str, n: usize) -> Vec<PathBuf> {
    let filler: String = (0..80)
        .map(|line| format!("Paragraph {line}: we would love to show you how the pilot went.\r\n"))
        .collect();
    (0..n)
        .map(|i| {
            let path = dir.join(format!("{tag}-{i:06}.eml"));
            let mail = format!(
                "Authentication-Results: mx.acme.test; dmarc=pass header.from=acme.test\r\n\
                 From: Alice <alice@acme.test>\r\nTo: Person {i} <p{i}@{tag}{i}.example>\r\n\
                 Bcc: crm@acme.test\r\nSubject: Intro {i}\r\nMessage-ID: <{tag}.{i}@acme.test>\r\n\
                 Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nHello {i},\r\n{filler}"
            );
            std::fs::write(&path, mail).expect("write a generated mail");
            path
        })
        .collect()
}

/// A small deterministic random number generator (Knuth's MMIX LCG), so a
/// fault test's kills and pauses replay the same from its seed.
pub struct Lcg(pub u64);

impl Lcg {
    /// The next number (the high bits, the better ones of an LCG).
    pub fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
}

/// Polls `check` every 100 ms until it holds or `limit` passes.
pub fn wait_until(limit: std::time::Duration, mut check: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if check() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    check()
}

/// A tmpfs mounted at `dir` (unmounted on drop), or `None` where mounting
/// is not allowed here (it needs root, as Dovecot does); where the servers
/// are required (`scripts/test.sh`, CI) that fails the test.
pub fn tmpfs(dir: &Path, size: &str) -> Option<Unmount> {
    let mounted = Command::new("mount")
        .args(["-t", "tmpfs", "-o", &format!("size={size}"), "tmpfs"])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success());
    if !mounted && servers_required() {
        panic!("cannot mount a tmpfs (root is needed, as for Dovecot)");
    }
    mounted.then(|| Unmount(dir.to_path_buf()))
}

/// Remounts the filesystem at `dir` with `options` (`size=64m`, `ro`, `rw`).
pub fn remount(dir: &Path, options: &str) {
    let ok = Command::new("mount")
        .args(["-o", &format!("remount,{options}")])
        .arg(dir)
        .status()
        .is_ok_and(|s| s.success());
    assert!(ok, "remount {} {options}", dir.display());
}

/// Unmounts its directory when dropped.
pub struct Unmount(PathBuf);

impl Drop for Unmount {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.0).status();
    }
}

/// Alice's reply to her digest `digest_id` (DMARC-passed, threaded to it),
/// with Message-ID `<message_id>` and `body` (CRLF lines) under the headers.
pub fn alices_digest_reply(digest_id: &str, message_id: &str, body: &str) -> String {
    format!(
        "Authentication-Results: mx.acme.test; dmarc=pass header.from=acme.test\r\n\
         From: Alice Martins <alice@acme.test>\r\n\
         To: leadmail <crm@acme.test>\r\n\
         Subject: Re: Your day\r\n\
         Message-ID: <{message_id}>\r\n\
         In-Reply-To: <{digest_id}>\r\n\
         References: <{digest_id}>\r\n\
         Date: Mon, 23 Nov 2026 09:30:00 +0000\r\n\
         \r\n\
         {body}"
    )
}
