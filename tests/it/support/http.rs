//! A real HTTP receiver on loopback for the webhook tests: Python's
//! `http.server` (`http_receiver.py`), answering a planned sequence of
//! statuses or hanging, stopped and restarted on the same port to refuse
//! connections for a while. It logs every request it got.

use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::Duration;

/// One request as the receiver logged it.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct Request {
    /// The request path.
    pub path: String,
    /// Header names lower-cased.
    pub headers: std::collections::HashMap<String, String>,
    /// The body as text.
    pub body: String,
    /// What it answered: a status, or "hang" (late 200, after the sender gave up).
    pub answer: String,
}

/// A running receiver; stopped when dropped.
pub struct Receiver {
    dir: PathBuf,
    child: Option<Child>,
    /// Its port on 127.0.0.1.
    pub port: u16,
}

impl Receiver {
    /// Starts a receiver logging into `dir`, answering `plan` first.
    pub fn start(dir: &Path, plan: &[&str]) -> Receiver {
        std::fs::create_dir_all(dir).expect("receiver dir");
        let mut receiver = Receiver {
            dir: dir.to_path_buf(),
            child: None,
            port: 0,
        };
        receiver.spawn(0, plan);
        receiver
    }

    fn spawn(&mut self, port: u16, plan: &[&str]) {
        let port_file = self.dir.join("port");
        let _ = std::fs::remove_file(&port_file);
        let script = super::repo().join("tests/it/support/http_receiver.py");
        let child = super::server_command("python3")
            .arg(script)
            .arg(&self.dir)
            .arg(port.to_string())
            .arg(plan.join(","))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start python3 http_receiver.py");
        self.child = Some(child);
        let started = super::wait_until(Duration::from_secs(20), || port_file.exists());
        assert!(started, "the HTTP receiver did not start");
        let text = std::fs::read_to_string(&port_file).expect("port file");
        self.port = text.trim().parse().expect("a port number");
    }

    /// The URL of `path` on it.
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    /// Stops it: connections are refused until [`Receiver::restart`].
    pub fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts it again on the same port, answering 200 to everything.
    pub fn restart(&mut self) {
        self.stop();
        let port = self.port;
        self.spawn(port, &[]);
    }

    /// Every request so far, in the order they arrived.
    pub fn requests(&self) -> Vec<Request> {
        let text = std::fs::read_to_string(self.dir.join("requests.jsonl")).unwrap_or_default();
        text.lines()
            .map(|line| serde_json::from_str(line).expect("a logged request"))
            .collect()
    }
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.stop();
    }
}
