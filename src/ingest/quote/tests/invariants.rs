//! Issue 15's invariants, checked on every reply text of the shared corpus (crisp-email-reply-
//! parser, email-reply-parser, talon's inline inputs and its plain-text replies) and on every
//! crisp forward: the stored reply is never empty when the message has text of its own, never
//! holds a line these rules call an attribution or a device signature, and a forward's
//! original body never holds the forwarder's own note.

use super::super::device::is_device_signature;
use super::super::{classify, split_shared_attributions, Kind};
use crate::eval::testing;
use crate::ingest::extract::clean_body;
use crate::ingest::forward::unwrap_forward;
use serde_json::Value;
use std::path::Path;

/// (case name, text) of every reply text in the corpus.
fn reply_texts(corpus: &Path) -> Vec<(String, String)> {
    let mut texts = Vec::new();
    for dir in [
        "crisp-email-reply-parser/fixtures",
        "email-reply-parser/emails",
    ] {
        texts.extend(files_in(&corpus.join(dir)));
    }
    let talon = std::fs::read_to_string(corpus.join("talon/expected.json")).unwrap_or_default();
    let talon: Value = serde_json::from_str(&talon).unwrap_or_default();
    for case in talon["inline_cases"].as_array().into_iter().flatten() {
        if let (Some(id), Some(input)) = (case["id"].as_str(), case["input"].as_str()) {
            if !input.trim_start().starts_with('<') {
                texts.push((id.to_string(), input.to_string()));
            }
        }
    }
    texts
}

fn files_in(dir: &Path) -> Vec<(String, String)> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "txt"))
        .collect();
    files.sort();
    files
        .into_iter()
        .filter(|path| !path.ends_with("pathological.txt"))
        .map(|path| {
            let text = String::from_utf8_lossy(&std::fs::read(&path).unwrap()).into_owned();
            (path.display().to_string(), text)
        })
        .collect()
}

/// Lines that are neither quoted nor part of a quote header nor blank.
fn own_lines(text: &str) -> usize {
    let text = text.replace("\r\n", "\n");
    let lines = split_shared_attributions(&text);
    classify(&lines)
        .iter()
        .filter(|kind| **kind == Kind::Text)
        .count()
}

/// The lines of `reply` that the quote rules call a quote header.
fn attribution_lines(reply: &str) -> Vec<String> {
    let lines = split_shared_attributions(reply);
    let kinds = classify(&lines);
    lines
        .iter()
        .zip(&kinds)
        .filter(|(_, kind)| **kind == Kind::Splitter)
        .map(|(line, _)| line.to_string())
        .collect()
}

fn corpus_or_skip() -> Option<std::path::PathBuf> {
    testing::corpus("")
}

#[test]
fn the_stored_reply_is_never_empty_when_the_message_has_text_of_its_own() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let texts = reply_texts(&corpus);
    assert!(texts.len() > 150, "only {} reply texts found", texts.len());
    let empty: Vec<&String> = texts
        .iter()
        .filter(|(_, text)| own_lines(text) > 0 && clean_body(text, None).text.is_empty())
        .map(|(name, _)| name)
        .collect();
    assert!(empty.is_empty(), "stored empty: {empty:#?}");
}

#[test]
fn the_stored_reply_holds_no_attribution_and_no_device_signature() {
    let Some(corpus) = corpus_or_skip() else {
        return;
    };
    let mut offending = Vec::new();
    for (name, text) in reply_texts(&corpus) {
        if unwrap_forward("", &text).is_some() {
            continue; // the pipeline unwraps a forward before it cleans a reply
        }
        let reply = clean_body(&text, None).text;
        let devices = reply.lines().filter(|l| is_device_signature(l));
        let lines: Vec<String> = attribution_lines(&reply)
            .into_iter()
            .chain(devices.map(str::to_string))
            .collect();
        if !lines.is_empty() {
            offending.push(format!("{name}: {lines:?}"));
        }
    }
    assert!(offending.is_empty(), "{offending:#?}");
}

#[test]
fn a_forwards_original_body_never_holds_the_forwarders_note() {
    let Some(dir) = testing::corpus("crisp-email-forward-parser") else {
        return;
    };
    let expected = std::fs::read_to_string(dir.join("expected.json")).expect("ground truth");
    let expected: Value = serde_json::from_str(&expected).expect("JSON");
    let mut checked = 0;
    let mut leaked = Vec::new();
    for case in expected["cases"].as_array().into_iter().flatten() {
        let file = case["body_file"].as_str().unwrap_or_default();
        let body = std::fs::read(dir.join(file)).unwrap_or_default();
        let body = String::from_utf8_lossy(&body);
        let Some(forward) = unwrap_forward("", &body) else {
            continue;
        };
        let note = forward.note.as_deref().unwrap_or_default().trim();
        checked += 1;
        if note.len() >= 8 && forward.body.contains(note) {
            leaked.push(file.to_string());
        }
    }
    assert!(checked > 150, "only {checked} forwards unwrapped");
    assert!(
        leaked.is_empty(),
        "the note is in the original body: {leaked:?}"
    );
}

/// Forwards whose forwarded block is quoted to the end ("> …"), so that a line below it is
/// outside the block.
fn quoted_forwards(dir: &Path) -> Vec<(String, String)> {
    files_in(&dir.join("fixtures"))
        .into_iter()
        .filter(|(name, _)| name.contains("_body"))
        .filter(|(_, text)| {
            let last = text.lines().rev().find(|l| !l.trim().is_empty());
            last.is_some_and(|l| l.trim_start().starts_with('>'))
        })
        .collect()
}

#[test]
fn text_below_a_quoted_forward_never_reaches_the_original_body() {
    let Some(dir) = testing::corpus("crisp-email-forward-parser") else {
        return;
    };
    const TAIL: &str = "Please call him before Friday.";
    let forwards = quoted_forwards(&dir);
    assert!(
        forwards.len() >= 10,
        "only {} quoted forwards",
        forwards.len()
    );
    let mut leaked = Vec::new();
    for (name, text) in forwards {
        let with_tail = format!("{}\n\n{TAIL}\n", text.trim_end());
        let Some(forward) = unwrap_forward("", &with_tail) else {
            continue;
        };
        let innermost = forward.innermost();
        let in_note = forward.note.as_deref().is_some_and(|n| n.contains(TAIL));
        if forward.body.contains(TAIL) || innermost.body.contains(TAIL) || !in_note {
            leaked.push(name);
        }
    }
    assert!(
        leaked.is_empty(),
        "the forwarder's text below went astray: {leaked:#?}"
    );
}
