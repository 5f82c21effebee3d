//! A real SMTP receiver for one test (`scripts/smtp.sh`, aiosmtpd): start,
//! stop and restart it on its port, and read back what it received.

use super::{read_env, repo};
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// A running sink, stopped on drop.
pub struct SmtpSink {
    /// Its directory (mail/, smtp.log, env).
    pub dir: PathBuf,
    env: HashMap<String, String>,
    options: Vec<String>,
}

impl SmtpSink {
    /// Starts a sink named `name` with these `smtp-sink.py` options; `None`
    /// (with a message) where the sink cannot run outside CI.
    pub fn start(name: &str, options: &[&str]) -> Option<SmtpSink> {
        let installed = repo().join(".venv-test/bin/python").exists();
        if !installed {
            super::skip_without("the SMTP sink", "run scripts/smtp.sh install");
            return None;
        }
        let dir = std::env::temp_dir().join(format!("lm-smtp-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("sink dir");
        let mut sink = SmtpSink {
            dir,
            env: HashMap::new(),
            options: options.iter().map(|o| o.to_string()).collect(),
        };
        sink.run_start(&[]);
        Some(sink)
    }

    fn run_start(&mut self, extra: &[String]) {
        let out = super::server_command("bash")
            .arg(repo().join("scripts/smtp.sh"))
            .arg("start")
            .arg(&self.dir)
            .args(&self.options)
            .args(extra)
            .output()
            .expect("run smtp.sh");
        assert!(
            out.status.success(),
            "smtp.sh start failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        self.env = read_env(&self.dir.join("env"));
    }

    /// The port it listens on.
    pub fn port(&self) -> u16 {
        self.env["SMTP_PORT"].parse().expect("a port")
    }

    /// Its CA certificate (for STARTTLS).
    pub fn ca(&self) -> &str {
        &self.env["SMTP_CA"]
    }

    /// Stops it (what it received stays).
    pub fn stop(&self) {
        let _ = super::server_command("bash")
            .arg(repo().join("scripts/smtp.sh"))
            .arg("stop")
            .arg(&self.dir)
            .output();
    }

    /// Starts it again on the same port.
    pub fn restart(&mut self) {
        let port = self.port().to_string();
        self.run_start(&["--port".to_string(), port]);
    }

    /// Every message received so far, in order.
    pub fn messages(&self) -> Vec<Vec<u8>> {
        received(&self.dir.join("mail"))
    }
}

fn received(dir: &Path) -> Vec<Vec<u8>> {
    let mut done: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| entries.filter_map(|e| e.ok().map(|e| e.path())).collect())
        .unwrap_or_default();
    // A message is complete once its .json is written.
    done.retain(|p| p.extension().is_some_and(|e| e == "json"));
    done.sort();
    done.iter()
        .filter_map(|json| std::fs::read(json.with_extension("eml")).ok())
        .collect()
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        self.stop();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
