//! A real browser for the web app's tests: Debian's headless Chromium
//! behind chromedriver (`scripts/chromedriver.sh`), started once per test
//! binary and stopped when it exits, on the real clock like the other
//! test servers; each test opens its own session.

use super::{read_env, repo, server_command, skip_without};
use fantoccini::{Client, ClientBuilder};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;
use std::sync::OnceLock;

/// The running chromedriver's env (CHROMEDRIVER_PORT, CHROMIUM).
fn chromedriver() -> Option<&'static HashMap<String, String>> {
    static DRIVER: OnceLock<Option<HashMap<String, String>>> = OnceLock::new();
    DRIVER.get_or_init(start).as_ref()
}

fn start() -> Option<HashMap<String, String>> {
    let installed = Command::new("sh")
        .args(["-c", "command -v chromedriver && command -v chromium"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !installed {
        skip_without(
            "chromium and chromedriver",
            "run scripts/chromedriver.sh install",
        );
        return None;
    }
    let dir: PathBuf = std::env::temp_dir().join(format!("lm-chromedriver-{}", std::process::id()));
    let script = repo().join("scripts/chromedriver.sh");
    // chromedriver and every Chromium it starts run on the real clock (no
    // libfaketime preloaded): under it they took minutes to start.
    let out = server_command("bash")
        .arg(&script)
        .arg("start")
        .arg(&dir)
        .output()
        .expect("run chromedriver.sh");
    assert!(
        out.status.success(),
        "chromedriver.sh start: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let watcher = format!(
        "while kill -0 {pid} 2>/dev/null; do sleep 0.5; done; bash '{script}' stop '{dir}' >/dev/null 2>&1; rm -rf '{dir}'",
        pid = std::process::id(),
        script = script.display(),
        dir = dir.display()
    );
    let _ = server_command("sh").args(["-c", &watcher]).spawn();
    Some(read_env(&dir.join("env")))
}

/// A new headless browser session, phone-sized (390×844), with its
/// profile directory (removed on drop), or `None` (with a message) where
/// Chromium cannot run outside CI.
pub async fn open() -> Option<(Client, tempfile::TempDir)> {
    let env = chromedriver()?;
    let dir = tempfile::tempdir().expect("a profile dir");
    let profile = dir.path().to_path_buf();
    let options = serde_json::json!({
        "binary": env["CHROMIUM"],
        "args": [
            "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--no-first-run", "--disable-background-networking", "--disable-component-update",
            "--disable-sync", "--window-size=390,844", "--hide-scrollbars",
            format!("--user-data-dir={}", profile.display()),
        ],
    });
    let mut caps = serde_json::Map::new();
    caps.insert("goog:chromeOptions".into(), options);
    let connector = hyper_util::client::legacy::connect::HttpConnector::new();
    let url = format!("http://127.0.0.1:{}", env["CHROMEDRIVER_PORT"]);
    let client = ClientBuilder::new(connector)
        .capabilities(caps)
        .connect(&url)
        .await
        .expect("a WebDriver session");
    Some((client, dir))
}
