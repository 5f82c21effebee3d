//! The sisimai set of emails: labelled bounces (with hard / soft facts), their CRLF and CR
//! copies, the mails that are not bounces and the unlabelled ones.

use super::{classify_bytes, classify_file, corpus_dir, expected_kind, percent, read_json};
use crate::ingest::automated::{AutomatedKind, AutomatedVerdict};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Default)]
struct Tally {
    cases: BTreeMap<String, (usize, usize)>,
    recipient_found: (usize, usize),
    hard_soft: (usize, usize),
    panics: usize,
    failures: Vec<String>,
}

impl Tally {
    fn record(&mut self, file: &str, case: &Value, verdict: Option<AutomatedVerdict>) {
        let category = case["category"].as_str().unwrap_or("?").to_string();
        let Some(verdict) = verdict else {
            self.panics += 1;
            self.failures
                .push(format!("{file}: panicked or did not parse"));
            return;
        };
        let expected = expected_kind(&category);
        let entry = self.cases.entry(category).or_default();
        entry.1 += 1;
        if verdict.kind == expected {
            entry.0 += 1;
        } else {
            self.failures.push(format!(
                "{file}: expected {expected:?}, got {:?} ({})",
                verdict.kind, verdict.signal
            ));
        }
        if expected == AutomatedKind::Bounce {
            self.record_bounce(file, case, &verdict);
        }
    }

    fn record_bounce(&mut self, file: &str, case: &Value, verdict: &AutomatedVerdict) {
        self.recipient_found.1 += 1;
        if verdict.bounced.is_empty() {
            self.failures
                .push(format!("{file}: no recipient found ({})", verdict.signal));
        } else {
            self.recipient_found.0 += 1;
        }
        let facts = case["facts"].as_array().cloned().unwrap_or_default();
        for (index, fact) in facts.iter().enumerate() {
            if let Some(expected_hard) = fact["hard_bounce"].as_bool() {
                self.record_hard_soft(file, index, fact, expected_hard, verdict);
            }
        }
    }

    /// Facts are per recipient in order; a missing recipient is judged by the last one found.
    fn record_hard_soft(
        &mut self,
        file: &str,
        index: usize,
        fact: &Value,
        expected_hard: bool,
        verdict: &AutomatedVerdict,
    ) {
        let found = verdict.bounced.get(index).or(verdict.bounced.last());
        self.hard_soft.1 += 1;
        if found.is_some_and(|found| found.hard == expected_hard) {
            self.hard_soft.0 += 1;
            return;
        }
        self.failures.push(format!(
            "{file}: recipient {} expected hard={expected_hard} ({} {}), got {:?}",
            index + 1,
            fact["status"],
            fact["reason"],
            found.map(|found| (found.hard, &found.status, &found.diagnostic))
        ));
    }

    fn print(&self, title: &str) {
        println!("== {title}");
        for (category, (right, total)) in &self.cases {
            println!(
                "{category:32} {right:4}/{total:<4} {:6.2}%",
                percent(*right, *total)
            );
        }
        let (found, bounces) = self.recipient_found;
        println!(
            "{:32} {found:4}/{bounces:<4} {:6.2}%",
            "bounce recipient found",
            percent(found, bounces)
        );
        let (agree, facts) = self.hard_soft;
        println!(
            "{:32} {agree:4}/{facts:<4} {:6.2}%",
            "hard/soft agreement",
            percent(agree, facts)
        );
        println!("{:32} {}", "panics / unparsed", self.panics);
        for failure in &self.failures {
            println!("  FAIL {failure}");
        }
    }

    fn rate(&self, category: &str) -> f64 {
        let (right, total) = self.cases.get(category).copied().unwrap_or((0, 0));
        percent(right, total)
    }

    fn total(&self) -> usize {
        self.cases.values().map(|(_, total)| total).sum()
    }
}

/// Runs the sisimai expectations against `maildir/<variant>` copies that exist.
fn sisimai_tally(root: &Path, variant: &str) -> Tally {
    let expected = read_json(&root.join("expected.json"));
    let mut tally = Tally::default();
    for case in expected["cases"].as_array().into_iter().flatten() {
        let file = case["file"].as_str().unwrap_or_default();
        let file = file.replacen("maildir/bsd/", &format!("maildir/{variant}/"), 1);
        let path = root.join(&file);
        if variant == "bsd" || (file.contains(variant) && path.exists()) {
            tally.record(&file, case, classify_file(&path));
        }
    }
    tally
}

#[test]
fn the_sisimai_corpus_is_classified_like_its_ground_truth() {
    let Some(root) = corpus_dir("sisimai-set-of-emails") else {
        return;
    };
    let tally = sisimai_tally(&root, "bsd");
    tally.print("sisimai maildir/bsd + maildir/not");
    assert!(tally.total() > 0, "no sisimai case ran");
    assert_eq!(tally.panics, 0, "some cases panicked");
    assert!(tally.rate("bounce") >= 99.0, "bounces recognised");
    assert!(tally.rate("human_not_bounce") >= 100.0, "humans recognised");
    let (found, bounces) = tally.recipient_found;
    assert!(percent(found, bounces) >= 95.0, "bounce recipients found");
    let (agree, facts) = tally.hard_soft;
    assert!(percent(agree, facts) >= 90.0, "hard/soft agreement");
}

#[test]
fn the_sisimai_crlf_and_cr_copies_are_classified_too() {
    let Some(root) = corpus_dir("sisimai-set-of-emails") else {
        return;
    };
    for variant in ["dos", "mac"] {
        let tally = sisimai_tally(&root, variant);
        tally.print(&format!(
            "sisimai maildir/{variant} (hard/soft reported, not asserted)"
        ));
        assert!(tally.total() > 0, "no {variant} case ran");
        assert_eq!(tally.panics, 0, "{variant}: some cases panicked");
        assert!(
            tally.rate("bounce") >= 99.0,
            "{variant}: bounces recognised"
        );
        let (found, bounces) = tally.recipient_found;
        assert!(
            percent(found, bounces) >= 95.0,
            "{variant}: recipients found"
        );
    }
}

fn essence(verdict: &AutomatedVerdict) -> (AutomatedKind, Vec<(String, bool)>) {
    let bounced = verdict
        .bounced
        .iter()
        .map(|b| (b.address.clone(), b.hard))
        .collect();
    (verdict.kind, bounced)
}

/// The same bytes with every line ending (LF or CRLF) replaced by `ending`.
fn with_line_endings(raw: &[u8], ending: &[u8]) -> Vec<u8> {
    let mut converted = Vec::with_capacity(raw.len() * 2);
    for (index, &byte) in raw.iter().enumerate() {
        match byte {
            b'\r' if raw.get(index + 1) == Some(&b'\n') => {}
            b'\n' => converted.extend_from_slice(ending),
            _ => converted.push(byte),
        }
    }
    converted
}

#[test]
fn every_sisimai_mail_gets_the_same_verdict_with_crlf_and_cr_line_endings() {
    let Some(root) = corpus_dir("sisimai-set-of-emails/maildir/bsd") else {
        return;
    };
    let mut compared = 0;
    let mut differing = Vec::new();
    for path in std::fs::read_dir(&root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
    {
        let Ok(lf) = std::fs::read(&path) else {
            continue;
        };
        let original = classify_bytes(&lf).map(|v| essence(&v));
        for (name, ending) in [("crlf", &b"\r\n"[..]), ("cr", &b"\r"[..])] {
            let bytes = with_line_endings(&lf, ending);
            compared += 1;
            if classify_bytes(&bytes).map(|v| essence(&v)) != original {
                differing.push(format!("{} ({name})", path.display()));
            }
        }
    }
    println!(
        "line-ending variants compared: {compared}, differing: {}",
        differing.len()
    );
    differing.iter().for_each(|line| println!("  DIFF {line}"));
    assert!(compared > 0, "no sisimai file ran");
    assert!(differing.is_empty(), "verdicts depend on line endings");
}

#[test]
fn the_sisimai_mails_that_are_not_bounces_are_human() {
    let Some(root) = corpus_dir("sisimai-set-of-emails/maildir/not") else {
        return;
    };
    let paths: Vec<PathBuf> = std::fs::read_dir(&root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(paths.len(), 2, "expected the 2 maildir/not files");
    for path in paths {
        let verdict = classify_file(&path).expect("classifies");
        assert_eq!(
            verdict.kind,
            AutomatedKind::Human,
            "{}: {}",
            path.display(),
            verdict.signal
        );
    }
}

#[test]
fn the_unlabelled_sisimai_bounces_are_bounces() {
    let Some(root) = corpus_dir("sisimai-set-of-emails/maildir/err") else {
        return;
    };
    let (mut total, mut bounces, mut with_recipient) = (0, 0, 0);
    for path in std::fs::read_dir(&root)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
    {
        total += 1;
        let verdict = classify_file(&path);
        with_recipient += usize::from(verdict.as_ref().is_some_and(|v| !v.bounced.is_empty()));
        match verdict {
            Some(verdict) if verdict.kind == AutomatedKind::Bounce => bounces += 1,
            other => println!(
                "  FAIL {}: {:?}",
                path.display(),
                other.map(|v| (v.kind, v.signal))
            ),
        }
    }
    println!("== sisimai maildir/err: {bounces}/{total} bounces, {with_recipient}/{total} with a recipient");
    assert!(total > 0 && percent(bounces, total) >= 95.0);
}
