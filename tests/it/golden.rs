//! Golden fixtures: every `tests/fixtures/pipeline/NAME.eml` is planned with
//! `tests/fixtures/leadmail.toml` at a fixed arrival time, with LF and with
//! CRLF line endings, and the plan's JSON must contain `NAME.json` (a subset:
//! every key given there must match; arrays must have the same length). A
//! mismatch writes the actual plan to `NAME.failed` beside the fixture.
//! Whatever a fixture expects, no plan may make one of our own addresses
//! (users, aliases, our domains, the CRM address) a contact.

use leadmail::config::Settings;
use leadmail::ingest::plan_message;
use serde_json::Value;
use std::path::{Path, PathBuf};

const ARRIVED_AT: &str = "2026-11-23T10:00:00Z";

fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn settings() -> Settings {
    Settings::load(&fixtures_dir().join("leadmail.toml")).expect("fixture config is valid")
}

/// True when `expected` is contained in `actual`; on failure, the path of the first difference.
fn contains(actual: &Value, expected: &Value, path: &str) -> Result<(), String> {
    match (actual, expected) {
        (Value::Object(a), Value::Object(e)) => e.iter().try_for_each(|(key, value)| {
            let here = format!("{path}.{key}");
            let got = a.get(key).ok_or_else(|| format!("{here}: missing"))?;
            contains(got, value, &here)
        }),
        (Value::Array(a), Value::Array(e)) if a.len() == e.len() => a
            .iter()
            .zip(e)
            .enumerate()
            .try_for_each(|(i, (a, e))| contains(a, e, &format!("{path}[{i}]"))),
        (a, e) if a == e => Ok(()),
        (a, e) => Err(format!("{path}: expected {e}, got {a}")),
    }
}

fn to_crlf(raw: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() + raw.len() / 20);
    for (i, byte) in raw.iter().enumerate() {
        if *byte == b'\n' && (i == 0 || raw[i - 1] != b'\r') {
            out.push(b'\r');
        }
        out.push(*byte);
    }
    out
}

fn check_fixture(eml: &Path, settings: &Settings) -> Result<(), String> {
    let raw = std::fs::read(eml).map_err(|e| e.to_string())?;
    let expected_path = eml.with_extension("json");
    let expected: Value = serde_json::from_str(
        &std::fs::read_to_string(&expected_path)
            .map_err(|e| format!("{}: {e}", expected_path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", expected_path.display()))?;
    let arrived = ARRIVED_AT.parse().expect("valid time");
    for (label, bytes) in [("LF", raw.clone()), ("CRLF", to_crlf(&raw))] {
        let plan = plan_message(&bytes, settings, arrived);
        if let Some(own) = plan
            .contacts()
            .iter()
            .find(|c| settings.is_own_address(&c.email))
        {
            return Err(format!(
                "{}: own address {} is a contact",
                eml.display(),
                own.email
            ));
        }
        let actual = serde_json::to_value(&plan).map_err(|e| e.to_string())?;
        if let Err(diff) = contains(&actual, &expected, "") {
            let pretty = serde_json::to_string_pretty(&actual).unwrap_or_default();
            let _ = std::fs::write(eml.with_extension("failed"), pretty);
            return Err(format!("{} ({label}): {diff}", eml.display()));
        }
    }
    let _ = std::fs::remove_file(eml.with_extension("failed"));
    Ok(())
}

#[test]
fn every_golden_fixture_plans_as_expected_with_lf_and_crlf() {
    let settings = settings();
    let mut fixtures: Vec<PathBuf> = std::fs::read_dir(fixtures_dir().join("pipeline"))
        .expect("fixture folder exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "eml"))
        .collect();
    fixtures.sort();
    let failures: Vec<String> = fixtures
        .iter()
        .filter_map(|eml| check_fixture(eml, &settings).err())
        .collect();
    println!(
        "{} golden fixtures, {} failed",
        fixtures.len(),
        failures.len()
    );
    assert!(
        fixtures.len() >= 60,
        "expected at least 60 fixtures, found {}",
        fixtures.len()
    );
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
