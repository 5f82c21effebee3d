//! Walks the labelled bounce / auto-reply / report corpora in ../shared/corpus.

use crate::ingest::automated::report::typed_address;
use crate::ingest::automated::{classify, normalise_line_endings, AutomatedKind, AutomatedVerdict};
use mail_parser::MessageParser;
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

mod sisimai;

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

fn corpus_dir(relative: &str) -> Option<PathBuf> {
    let path = Path::new(CORPUS).join(relative);
    if path.exists() {
        Some(path)
    } else {
        println!("skipping: corpus not found at {}", path.display());
        None
    }
}

fn read_json(path: &Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    serde_json::from_str(&text).unwrap_or(Value::Null)
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

fn classify_file(path: &Path) -> Option<AutomatedVerdict> {
    classify_bytes(&std::fs::read(path).ok()?)
}

fn expected_kind(category: &str) -> AutomatedKind {
    match category {
        "bounce" => AutomatedKind::Bounce,
        "auto_reply" => AutomatedKind::AutoReply,
        "feedback_report" => AutomatedKind::FeedbackReport,
        "delivery_success_notification" | "read_receipt_mdn" => AutomatedKind::DeliveryReport,
        _ => AutomatedKind::Human,
    }
}

fn percent(part: usize, total: usize) -> f64 {
    if total == 0 {
        100.0
    } else {
        part as f64 * 100.0 / total as f64
    }
}

#[test]
fn the_mimekit_reports_match_their_expectations() {
    let Some(root) = corpus_dir("mimekit") else {
        return;
    };
    let expected = read_json(&root.join("expected.json"));
    let mut ran = 0;
    for case in expected["messages"].as_array().into_iter().flatten() {
        let file = case["file"].as_str().unwrap_or_default();
        let verdict = classify_file(&root.join(file)).expect("classifies");
        let kind = expected_kind(case["category"].as_str().unwrap_or_default());
        assert_eq!(verdict.kind, kind, "{file}: {}", verdict.signal);
        for group in case["expected"]["status_groups"]
            .as_array()
            .into_iter()
            .flatten()
        {
            if let Some(recipient) = group["Final-Recipient"].as_str().and_then(typed_address) {
                assert!(
                    verdict.bounced.iter().any(|b| b.address == recipient),
                    "{file}: {recipient}"
                );
            }
        }
        ran += 1;
    }
    println!("== mimekit: {ran} report cases passed");
    assert!(ran > 0);
}

#[test]
fn the_mikel_multipart_reports_match_their_expectations() {
    let Some(root) = corpus_dir("mikel-mail") else {
        return;
    };
    let expected = read_json(&root.join("expected_multipart_report.json"));
    let mut ran = 0;
    for case in expected["cases"].as_array().into_iter().flatten() {
        let file = case["file"].as_str().unwrap_or_default();
        let verdict = classify_file(&root.join(file)).expect("classifies");
        assert_eq!(verdict.kind, AutomatedKind::Bounce, "{file}");
        assert!(!verdict.bounced.is_empty(), "{file}: no recipient");
        if let Some(recipient) = case["final_recipient"].as_str().and_then(typed_address) {
            let found = verdict
                .bounced
                .iter()
                .find(|b| b.address == recipient)
                .expect("recipient found");
            assert_eq!(
                found.status.as_deref(),
                case["error_status"].as_str(),
                "{file}"
            );
            let retryable = case["retryable"].as_bool().unwrap_or(false);
            assert_eq!(found.permanent, !retryable, "{file}");
        }
        ran += 1;
    }
    println!("== mikel-mail: {ran} multipart/report cases passed");
    assert!(ran > 0);
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
    let Some(root) = corpus_dir("") else {
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
