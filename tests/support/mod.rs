//! Test harness shared by the integration tests: a real Dovecot on loopback,
//! started once per test binary by `scripts/dovecot.sh`, and a leadmail
//! configuration per test that points at its own Dovecot user.
#![allow(dead_code)]

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

/// The repository root.
pub fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The shared Dovecot, or `None` (with a message) when it cannot run here
/// outside CI. Under `CI=true` a missing Dovecot fails the test.
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
    if !have_dovecot && std::env::var("CI").as_deref() != Ok("true") {
        println!("skipping: dovecot is not installed (run scripts/dovecot.sh install)");
        return None;
    }
    let dir = std::env::temp_dir().join(format!("leadmail-it-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new("bash")
        .arg(&script)
        .arg("start")
        .arg(&dir)
        .output()
        .expect("run dovecot.sh");
    assert!(
        out.status.success(),
        "dovecot.sh start failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    stop_when_this_process_exits(&script, &dir);
    let env = read_env(&dir.join("env"));
    Some(Dovecot { dir, env })
}

/// Statics are never dropped, so a watcher stops Dovecot after the test binary exits.
fn stop_when_this_process_exits(script: &Path, dir: &Path) {
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

fn read_env(path: &Path) -> HashMap<String, String> {
    std::fs::read_to_string(path)
        .expect("dovecot env file")
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.trim_matches('"').to_string()))
        .collect()
}

impl Dovecot {
    /// A value the start script wrote.
    pub fn get(&self, key: &str) -> &str {
        self.env
            .get(key)
            .map(String::as_str)
            .unwrap_or_else(|| panic!("{key} missing from dovecot env"))
    }

    /// Delivers message files into `user`'s INBOX.
    pub fn deliver(&self, user: &str, files: &[PathBuf]) {
        let script = repo().join("scripts/dovecot.sh");
        let out = Command::new("bash")
            .arg(script)
            .arg("deliver")
            .arg(&self.dir)
            .arg(user)
            .args(files)
            .output()
            .expect("deliver");
        assert!(
            out.status.success(),
            "deliver failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
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
}

impl Default for MailboxOptions<'_> {
    fn default() -> Self {
        Self {
            tls: "implicit",
            password: "testpass",
            processed_folder: Some("Processed"),
            trust_ca: true,
        }
    }
}

/// A fresh database and the fixture config, without any mailbox (offline commands).
pub fn offline_app() -> App {
    let dir = tempfile::tempdir().expect("temp dir");
    let base = std::fs::read_to_string(repo().join("tests/fixtures/leadmail.toml"))
        .expect("fixture config");
    let config = dir.path().join("leadmail.toml");
    std::fs::write(
        &config,
        base.replace("sqlite://unused.db", "sqlite://leadmail.db"),
    )
    .expect("write config");
    App {
        dir,
        config,
        user: String::new(),
    }
}

/// A config for `user` on the shared Dovecot (fixture people, fresh database).
pub fn spawn_app(server: &Dovecot, user: &str, options: MailboxOptions<'_>) -> App {
    let mut app = offline_app();
    app.user = user.to_string();
    let port = if options.tls == "implicit" {
        server.get("IMAPS_PORT")
    } else {
        server.get("IMAP_PORT")
    };
    let ca = if options.trust_ca {
        format!("ca_file = \"{}\"\n", server.get("IMAP_CA"))
    } else {
        String::new()
    };
    let processed = options
        .processed_folder
        .map(|f| format!("processed_folder = \"{f}\"\n"))
        .unwrap_or_default();
    std::fs::write(app.dir.path().join("password"), options.password).expect("password file");
    let mailbox = format!(
        "\n[[mailboxes]]\nname = \"crm\"\nhost = \"127.0.0.1\"\nport = {port}\ntls = \"{tls}\"\n{ca}username = \"{user}\"\npassword_file = \"password\"\nfolder = \"INBOX\"\n{processed}quarantine_folder = \"Quarantine\"\nidle = true\npoll_interval_secs = 1\n",
        tls = options.tls
    );
    let text = std::fs::read_to_string(&app.config).expect("read config") + &mailbox;
    std::fs::write(&app.config, text).expect("write config");
    app
}

impl App {
    /// Runs the binary to completion.
    pub fn run(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run leadmail")
    }

    /// The binary with this app's config, not yet started.
    pub fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(env!("CARGO_BIN_EXE_leadmail"));
        command.arg("--config").arg(&self.config).args(args);
        command
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
