//! OAuth2 for the tests: the local token endpoint (`token-server.py`) and a
//! Dovecot that checks XOAUTH2 bearer tokens against it, both started once
//! per test binary; each test registers its own refresh token and user.

use super::{repo, App, Dovecot};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::Stdio;
use std::sync::OnceLock;

/// The token endpoint, on a loopback port.
pub struct TokenServer {
    port: u16,
    /// The process; it exits by itself with the test binary.
    _child: std::process::Child,
}

/// The token endpoint and the Dovecot that trusts it.
pub struct OAuthServers {
    /// The token endpoint.
    pub tokens: TokenServer,
    /// Dovecot with the oauth2 passdb (XOAUTH2) beside the password one.
    pub dovecot: Dovecot,
}

/// Both servers, or `None` (with a message) where Dovecot cannot run here.
pub fn servers() -> Option<&'static OAuthServers> {
    static SERVERS: OnceLock<Option<OAuthServers>> = OnceLock::new();
    SERVERS
        .get_or_init(|| {
            super::dovecot()?;
            let tokens = TokenServer::start();
            let dir = std::env::temp_dir().join(format!("lm-oauth-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&dir);
            let url = ("DOVECOT_OAUTH2_URL", tokens.url(""));
            let dovecot = Dovecot::start_in(&dir, &[url]);
            super::stop_when_this_process_exits(&repo().join("scripts/dovecot.sh"), &dir);
            Some(OAuthServers { tokens, dovecot })
        })
        .as_ref()
}

impl TokenServer {
    /// Starts `token-server.py`; it exits when this test process does.
    fn start() -> TokenServer {
        let mut child = super::server_command("python3")
            .arg(repo().join("tests/it/support/token-server.py"))
            .args(["--parent-pid", &std::process::id().to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .expect("start token-server.py");
        let mut line = String::new();
        let stdout = child.stdout.take().expect("its stdout");
        BufReader::new(stdout)
            .read_line(&mut line)
            .expect("read its port");
        let port = line
            .trim()
            .strip_prefix("TOKEN_PORT=")
            .and_then(|p| p.parse().ok())
            .unwrap_or_else(|| panic!("token-server.py said {line:?}"));
        TokenServer {
            port,
            _child: child,
        }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// A refresh token `refresh` for `user` (client `client_id`, no secret).
    pub fn grant(&self, refresh: &str, user: &str, rotate: bool) {
        self.grant_lasting(refresh, user, rotate, 3600);
    }

    /// Like [`TokenServer::grant`], its access tokens announced with
    /// `expires_in` seconds (they still die only when a test says).
    pub fn grant_lasting(&self, refresh: &str, user: &str, rotate: bool, expires_in: u32) {
        let body = serde_json::json!({
            "refresh_token": refresh, "user": user, "client_id": "leadmail-test",
            "client_secret": "client-secret-value", "rotate": rotate,
            "expires_in": expires_in,
        });
        self.request("POST", "/control/grant", &body.to_string());
    }

    /// The refresh token stops working.
    pub fn revoke(&self, refresh: &str) {
        let body = serde_json::json!({ "refresh_token": refresh });
        self.request("POST", "/control/revoke", &body.to_string());
    }

    /// Every access token of `user` stops working now.
    pub fn expire(&self, user: &str) {
        let body = serde_json::json!({ "user": user });
        self.request("POST", "/control/expire", &body.to_string());
    }

    /// The next `count` checks of `user`'s tokens fail (the server no
    /// longer takes them), whatever the token.
    pub fn refuse(&self, user: &str, count: u32) {
        let body = serde_json::json!({ "user": user, "count": count });
        self.request("POST", "/control/refuse", &body.to_string());
    }

    /// How many refreshes for `user` the endpoint granted.
    pub fn refreshes(&self, user: &str) -> usize {
        let log = self.request("GET", &format!("/control/log?user={user}"), "");
        let entries: Vec<serde_json::Value> = serde_json::from_str(&log).expect("log JSON");
        entries
            .iter()
            .filter(|e| e["path"] == "/token" && e["ok"] == true)
            .count()
    }

    /// One HTTP/1.0 request; the answer's body.
    fn request(&self, method: &str, path: &str, body: &str) -> String {
        let mut stream =
            std::net::TcpStream::connect(("127.0.0.1", self.port)).expect("token server");
        let head = format!(
            "{method} {path} HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            body.len()
        );
        stream
            .write_all(format!("{head}{body}").as_bytes())
            .expect("send");
        let mut answer = String::new();
        stream.read_to_string(&mut answer).expect("answer");
        let (status, rest) = answer.split_once("\r\n").expect("a status line");
        assert!(status.contains(" 200 "), "{method} {path}: {status}");
        rest.split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default()
    }
}

/// The `oauth2 = { … }` table for `refresh_file` at `tokens`.
pub fn oauth2_table(tokens: &TokenServer, app: &App, refresh_file: &str) -> toml::Table {
    write_refresh_token(app, "client-secret", "client-secret-value");
    let mut table = toml::Table::new();
    for (key, value) in [
        ("token_url", tokens.url("/token")),
        ("client_id", "leadmail-test".into()),
        ("client_secret_file", "client-secret".into()),
        ("refresh_token_file", refresh_file.into()),
    ] {
        table.insert(key.into(), value.into());
    }
    table
}

/// Writes `refresh` (a refresh token or another secret) into the app's
/// file `name` (mode 0600).
pub fn write_refresh_token(app: &App, name: &str, refresh: &str) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let path = app.dir.path().join(name);
    std::fs::write(&path, format!("{refresh}\n")).expect("refresh token file");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).expect("chmod");
    path
}

/// A fresh app whose mailbox `crm` logs in to `servers.dovecot` as `user`
/// through the refresh-token grant (implicit TLS, IDLE, processed folder).
pub fn oauth_app(servers: &OAuthServers, user: &str, refresh: &str) -> App {
    let mut app = super::offline_app();
    app.user = user.to_string();
    write_refresh_token(&app, "refresh-token", refresh);
    let server = &servers.dovecot;
    let mut mailbox = toml::Table::new();
    for (key, value) in [
        ("name", "crm"),
        ("host", "127.0.0.1"),
        ("tls", "implicit"),
        ("username", user),
        ("folder", "INBOX"),
        ("processed_folder", "Processed"),
        ("quarantine_folder", "Quarantine"),
        ("ca_file", server.get("IMAP_CA")),
    ] {
        mailbox.insert(key.into(), value.into());
    }
    mailbox.insert("port".into(), i64::from(server.port("IMAPS_PORT")).into());
    mailbox.insert("poll_interval_secs".into(), 1.into());
    let oauth2 = oauth2_table(&servers.tokens, &app, "refresh-token");
    mailbox.insert("oauth2".into(), oauth2.into());
    app.push_config("mailboxes", mailbox);
    app
}
