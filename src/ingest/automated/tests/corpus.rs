//! The labelled bounce / auto-reply / report corpora, scored by [`crate::eval`], stay above
//! their bars; every corpus file classifies without a panic, and the same whatever its line
//! endings.

use crate::eval::{automated, testing};
use crate::ingest::automated::{classify, normalise_line_endings, AutomatedKind, AutomatedVerdict};
use mail_parser::MessageParser;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

#[test]
fn the_labelled_automated_mail_is_classified_like_its_ground_truth() {
    let Some(corpus) = testing::corpus("") else {
        return;
    };
    let rows = automated::all(&corpus).expect("the ground truth is readable");
    testing::assert_bars(&rows);
}

/// `None` when the bytes do not parse or classification panicked.
fn classify_bytes(raw: &[u8]) -> Option<AutomatedVerdict> {
    catch_unwind(AssertUnwindSafe(|| {
        let raw = normalise_line_endings(raw);
        let message = MessageParser::default().parse(raw.as_ref())?;
        Some(classify(&message, false))
    }))
    .ok()
    .flatten()
}

fn files_under(dir: &Path, found: &mut Vec<PathBuf>) {
    for path in std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
    {
        if path.is_dir() {
            files_under(&path, found);
        } else if path
            .extension()
            .is_some_and(|ext| ["eml", "txt", "raw", "box"].iter().any(|e| ext == *e))
        {
            found.push(path);
        }
    }
}

#[test]
fn no_corpus_file_makes_classify_panic() {
    let Some(root) = testing::corpus("") else {
        return;
    };
    let mut files = Vec::new();
    files_under(&root, &mut files);
    let mut panicked = Vec::new();
    for path in &files {
        let raw = std::fs::read(path).unwrap_or_default();
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            let raw = normalise_line_endings(&raw);
            MessageParser::default()
                .parse(raw.as_ref())
                .map(|message| classify(&message, false))
        }));
        if outcome.is_err() {
            panicked.push(path.display().to_string());
        }
    }
    println!(
        "== robustness: {} corpus files classified, {} panics",
        files.len(),
        panicked.len()
    );
    assert!(!files.is_empty() && panicked.is_empty(), "{panicked:?}");
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
    let Some(root) = testing::corpus("sisimai-set-of-emails/maildir/bsd") else {
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
