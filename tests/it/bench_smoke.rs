//! `scripts/bench.sh --smoke` with this build's binaries: a private Dovecot,
//! 200 generated messages through mbsync, the bare fetch client, `leadmail
//! run --once`, 20 APPENDs under IDLE, the microbenchmarks, and the digests
//! of 20 users over 500 seeded leads built and sent to an SMTP sink, and the
//! web app's pages over those leads (in process, then `leadmail serve`, then
//! `leadmail run` filing a mailbox of 200 with the web app on); and the
//! PostgreSQL column: the backlog, the store alone, the digests and the web
//! pages again on a throwaway PostgreSQL cluster. It checks that the
//! benchmark works (every message processed, the INBOX emptied, every
//! APPEND committed, every digest received, every page answered, every
//! PostgreSQL row there with its numbers), not how fast.
//! Needs root and Dovecot; outside CI it is skipped where Dovecot or mbsync
//! is missing, and runs without the PostgreSQL column (saying so) where
//! PostgreSQL is not installed. In CI (`LEADMAIL_REQUIRE_SERVERS=1`, or
//! wherever PostgreSQL is installed) the column is required.
#![cfg(feature = "bench")]

use crate::support;
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
    let in_ci = support::servers_required();
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
    let with_postgres = in_ci || have_postgres();
    let mut bench = Command::new("bash");
    bench
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/bench.sh"))
        .arg("--smoke")
        .arg("--bin-dir")
        .arg(bin_dir);
    if !with_postgres {
        eprintln!(
            "SKIPPED: the PostgreSQL column (PostgreSQL is not installed: scripts/postgres.sh install)"
        );
        bench.arg("--no-postgres");
    }
    let out = bench.output().expect("run scripts/bench.sh");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "bench.sh --smoke failed:\n{stdout}\n{stderr}"
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
    if with_postgres {
        assert_postgres_column(&stdout, &stderr);
    }
}

/// Where PostgreSQL's server programs are (Debian keeps them out of PATH).
fn have_postgres() -> bool {
    std::fs::read_dir("/usr/lib/postgresql").is_ok_and(|versions| {
        versions
            .filter_map(Result::ok)
            .any(|v| v.path().join("bin/initdb").exists())
    })
}

/// The numbers after `label` on the first line (trimmed) that starts with it.
fn numbers_after(stdout: &str, label: &str) -> Vec<f64> {
    let line = stdout
        .lines()
        .map(str::trim_start)
        .find(|line| line.starts_with(label))
        .unwrap_or_else(|| panic!("no line {label:?}:\n{stdout}"));
    line[label.len()..]
        .split_whitespace()
        .map(|n| {
            n.parse::<f64>()
                .unwrap_or_else(|_| panic!("{n:?} is not a number: {line}"))
        })
        .collect()
}

/// The rows of the side-by-side table and the web pages on PostgreSQL,
/// each with its numbers; and the steps that ran on PostgreSQL said so.
fn assert_postgres_column(stdout: &str, stderr: &str) {
    assert!(
        stdout.contains("SQLite and PostgreSQL side by side"),
        "no PostgreSQL column:\n{stdout}"
    );
    for label in [
        "backlog of 200, run --once (median s)",
        "store alone, 200/transaction (msg/s)",
        "store alone, 1/transaction (msg/s)",
        "digests of 20 users: build (median s)",
        "sent to the SMTP sink (median s)",
    ] {
        // SQLite, PostgreSQL, their ratio; a smoke run's time may print
        // as 0.00, a rate never as 0.
        let numbers = numbers_after(stdout, label);
        assert_eq!(numbers.len(), 3, "{label}: {numbers:?}");
        let least = if label.ends_with("(msg/s)") { 1.0 } else { 0.0 };
        assert!(
            numbers.iter().all(|n| n.is_finite() && *n >= 0.0)
                && numbers[..2].iter().all(|n| *n >= least),
            "{label}: {numbers:?}"
        );
    }
    let statements: Vec<Vec<f64>> = stdout
        .lines()
        .map(str::trim_start)
        .filter(|line| line.starts_with("statements per message"))
        .map(|line| numbers_after(line, "statements per message"))
        .collect();
    assert_eq!(statements.len(), 2, "batched and one per transaction");
    for pair in &statements {
        assert_eq!(pair.len(), 2, "SQLite and PostgreSQL: {pair:?}");
        assert!(pair.iter().all(|n| *n > 0.0), "{pair:?}");
    }
    assert_postgres_web_pages(stdout);
    for step in [
        "(_pg): leadmail run --once",
        "store alone on PostgreSQL",
        "digests (digest_pg)",
        "web app (web_pg)",
    ] {
        assert!(stderr.contains(step), "no {step:?} step:\n{stderr}");
    }
}

/// One backend's web pages section: its lines after the title.
fn web_section<'a>(stdout: &'a str, backend: &str) -> Vec<&'a str> {
    let title = format!("web pages over 500 leads ({backend};");
    stdout
        .lines()
        .skip_while(|line| !line.starts_with(&title))
        .skip(1)
        .take_while(|line| line.starts_with("  "))
        .collect()
}

/// A section's page rows as (reader, page, rows found), each checked to
/// end in its numbers (requests, p50 ms, p99 ms, rows found).
fn web_pages(section: &[&str]) -> Vec<(String, String, u64)> {
    section
        .iter()
        .filter(|line| {
            let line = line.trim_start();
            !line.starts_with("reader") && !line.starts_with("leadmail ")
        })
        .map(|page| {
            let fields: Vec<&str> = page.split_whitespace().collect();
            assert_eq!(fields.len(), 6, "{page}");
            assert_eq!(fields[2], "5", "5 requests each: {page}");
            for n in &fields[3..5] {
                assert!(n.parse::<f64>().is_ok_and(f64::is_finite), "{page}");
            }
            let found = fields[5].parse().unwrap_or_else(|_| panic!("{page}"));
            (fields[0].to_string(), fields[1].to_string(), found)
        })
        .collect()
}

/// The web pages on PostgreSQL: every page row with its numbers, finding
/// what the same pages found on SQLite (the same seeded leads), then
/// `leadmail serve`'s memory.
fn assert_postgres_web_pages(stdout: &str) {
    let section = web_section(stdout, "PostgreSQL");
    let pages = web_pages(&section);
    assert!(pages.len() >= 5, "web pages on PostgreSQL:\n{stdout}");
    assert_eq!(
        pages,
        web_pages(&web_section(stdout, "SQLite")),
        "the same pages find the same rows on both backends"
    );
    assert!(
        section
            .iter()
            .any(|line| line.contains("leadmail serve after the same pages: RSS")),
        "leadmail serve on PostgreSQL:\n{stdout}"
    );
    assert!(
        section
            .iter()
            .any(|line| line.contains("leadmail run with the web app on, filing 200 messages")),
        "leadmail run with the web app on, on PostgreSQL:\n{stdout}"
    );
}
