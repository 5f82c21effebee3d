//! `scripts/bench.sh --smoke` with this build's binaries: a private Dovecot,
//! 200 generated messages through mbsync, the bare fetch client, `leadmail
//! run --once`, 20 APPENDs under IDLE, the microbenchmarks, and the digests
//! of 20 users over 500 seeded leads built and sent to an SMTP sink, and the
//! web app's pages over those leads (in process, then `leadmail serve`, then
//! `leadmail run` filing a mailbox of 200 with the web app on). It
//! checks that the benchmark works (every message processed, the INBOX
//! emptied, every APPEND committed, every digest received, every page
//! answered), not how fast.
//! Needs root and Dovecot; outside CI it is skipped where Dovecot or mbsync
//! is missing.
#![cfg(feature = "bench")]

use std::path::Path;
use std::process::Command;

fn have(tool: &str) -> bool {
    Command::new("sh")
        .args(["-c", &format!("command -v {tool}")])
        .output()
        .is_ok_and(|o| o.status.success())
}

#[test]
fn the_benchmark_runs_end_to_end_at_a_small_size() {
    let in_ci = std::env::var("LEADMAIL_REQUIRE_SERVERS").as_deref() == Ok("1")
        || std::env::var("CI").as_deref() == Ok("true");
    let tools = have("dovecot") && have("mbsync") && Path::new("/usr/bin/time").exists();
    if !in_ci && !tools {
        eprintln!(
            "SKIPPED: needs dovecot, mbsync (isync) and GNU time (scripts/bench.sh installs them)"
        );
        return;
    }
    let bin_dir = Path::new(env!("CARGO_BIN_EXE_leadmail"))
        .parent()
        .expect("the binaries' folder");
    assert!(
        bin_dir.join("bench").exists(),
        "no bench binary next to leadmail"
    );
    let out = Command::new("bash")
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench.sh"))
        .arg("--smoke")
        .arg("--bin-dir")
        .arg(bin_dir)
        .output()
        .expect("run scripts/bench.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "bench.sh --smoke failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("leadmail run --once"),
        "no results table:\n{stdout}"
    );
    assert!(
        stdout.contains("small text mails, 1-2 KB")
            && stdout.contains("pipeline alone, small mails"),
        "no small-mail results:\n{stdout}"
    );
    assert!(stdout.contains("0 not processed"), "{stdout}");
    assert!(
        stdout.contains("digests of 20 users over 500 leads"),
        "no digest line:\n{stdout}"
    );
    assert!(
        stdout.contains("web pages over 500 leads (SQLite")
            && stdout.contains("leadmail serve after the same pages: RSS"),
        "no web lines:\n{stdout}"
    );
    assert!(
        stdout.contains("leadmail run with the web app on, filing 200 messages"),
        "no RSS of the daemon with the web app on:\n{stdout}"
    );
}
