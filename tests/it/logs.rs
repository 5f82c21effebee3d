//! Log forging: a header holding CR/LF (raw, or decoded from an encoded
//! word) must not start a line of its own in the human or the JSON log.

use crate::support;

use support::{offline_app, repo, App};

const FIXTURES: [&str; 3] = [
    "raw-crlf-subject.eml",
    "encoded-crlf-subject.eml",
    "control-message-id.eml",
];

/// Ingests every fixture with debug logging on; stdout and stderr together.
fn ingest_with_debug_logs(app: &App, format: &str) -> String {
    let mut output = String::new();
    for name in FIXTURES {
        let eml = repo().join("tests/fixtures/logs").join(name);
        let out = app
            .command(&["--log-format", format, "ingest", eml.to_str().unwrap()])
            .env("RUST_LOG", "debug")
            .output()
            .expect("run leadmail");
        assert!(out.status.success(), "{name}: {out:?}");
        output.push_str(&String::from_utf8_lossy(&out.stdout));
        output.push_str(&String::from_utf8_lossy(&out.stderr));
    }
    output
}

/// The lines a reader (or a log shipper) would see, split at CR or LF.
fn lines(output: &str) -> impl Iterator<Item = &str> {
    output.split(['\r', '\n']).filter(|l| !l.is_empty())
}

fn assert_no_forged_line(output: &str) {
    for line in lines(output) {
        let forged = line.starts_with("2026-01-01T00:00:00Z")
            || line.starts_with("{\"level\":\"INFO\",\"forged\"")
            || line.starts_with("forged@");
        assert!(
            !forged,
            "a forged log line: {line:?}\n--- output ---\n{output}"
        );
    }
}

#[test]
fn crlf_in_headers_cannot_forge_a_human_log_line() {
    let app = offline_app();
    let output = ingest_with_debug_logs(&app, "human");
    assert!(
        output.contains("ingested"),
        "debug logs were written: {output}"
    );
    assert!(
        output.contains("INFO forged line"),
        "the subject is logged (escaped): {output}"
    );
    assert_no_forged_line(&output);
}

#[test]
fn crlf_in_headers_cannot_forge_a_json_log_line() {
    let app = offline_app();
    let output = ingest_with_debug_logs(&app, "json");
    assert!(
        output.contains("ingested"),
        "debug logs were written: {output}"
    );
    assert_no_forged_line(&output);
    for line in lines(&output).filter(|l| l.starts_with('{')) {
        let value: serde_json::Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("not one JSON object per line ({e}): {line:?}"));
        assert!(value.get("forged").is_none(), "{line}");
    }
}
