//! Where the signature starts, scored on talon's inline cases and its `stripped/` and `P/`
//! fixtures (the signature must equal talon's after whitespace normalisation).

use super::{combined, items, load_json, read_text, squash, text_of, Bar, Row, Tally};
use crate::ingest::quote::{split_signature_for, strip_quoted};
use serde_json::Value;
use std::path::Path;

const CORPUS: &str = "talon signature split";

/// Inline and fixture rows, and the combined row with its bar.
pub(crate) fn talon(dir: &Path) -> anyhow::Result<Vec<Row>> {
    let talon = load_json(&dir.join("expected.json"))?;
    let mut tally = Tally::new(CORPUS);
    inline_cases(&talon, &mut tally);
    fixture_cases(dir, &talon, &mut tally);
    let mut rows = tally.into_rows();
    let mut all = combined(CORPUS, "signature (all)", &rows);
    all.bar = Some(Bar::Accuracy(0.9));
    rows.push(all);
    Ok(rows)
}

fn same_signature(got: Option<&str>, want: Option<&str>) -> bool {
    squash(got.unwrap_or("")) == squash(want.unwrap_or(""))
}

fn inline_cases(talon: &Value, tally: &mut Tally) {
    for case in items(talon, "inline_cases") {
        let sender = match text_of(case, "function") {
            "bruteforce.extract_signature" => None,
            "signature.extract(body, sender)" => case["sender"].as_str(),
            _ => continue,
        };
        let (text, signature) = split_signature_for(text_of(case, "input"), sender);
        let want_text = case["expected_text"].as_str();
        let want_signature = case["expected_signature"].as_str();
        let ok = want_text.is_none_or(|w| squash(w) == squash(&text))
            && same_signature(signature.as_deref(), want_signature);
        tally.check("inline cases", text_of(case, "id"), ok, || {
            format!("got ({text:?}, {signature:?}), want ({want_text:?}, {want_signature:?})")
        });
    }
}

fn fixture_cases(dir: &Path, talon: &Value, tally: &mut Tally) {
    for case in items(talon, "fixture_cases") {
        let file = text_of(case, "file");
        let expected = match text_of(case, "task") {
            "signature_extraction" => stripped_case(dir, case),
            "signature_line_annotation" => annotated_case(dir, case),
            _ => continue,
        };
        let Some((body, sender, want)) = expected else {
            tally.check("fixtures", file, false, || "file missing".into());
            continue;
        };
        let (_, got) = split_signature_for(&strip_quoted(&body), sender.as_deref());
        let ok = same_signature(got.as_deref(), Some(&want));
        tally.check("fixtures", file, ok, || {
            format!("got {got:?}, want {want:?}")
        });
    }
}

fn without_markers(text: &str) -> String {
    text.lines()
        .map(|l| l.trim_start_matches("#sig#"))
        .collect::<Vec<_>>()
        .join("\n")
}

/// (body, sender, expected signature) of a `stripped/` triple ("#sig#" markers removed).
fn stripped_case(dir: &Path, case: &Value) -> Option<(String, Option<String>, String)> {
    let body = read_text(&dir.join(text_of(case, "file")))?;
    let sender = read_text(&dir.join(text_of(case, "sender_file")));
    let want = read_text(&dir.join(text_of(case, "expected_signature_file")))?;
    let sender = sender
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    Some((without_markers(&body), sender, without_markers(&want)))
}

/// (body, sender, expected signature) of a `P/` file: leading header lines give the
/// sender, "#sig#" lines are the signature, "#reply#" lines are quoted text.
fn annotated_case(dir: &Path, case: &Value) -> Option<(String, Option<String>, String)> {
    let text = read_text(&dir.join(text_of(case, "file")))?;
    let is_header = |l: &&str| l.split_once(": ").is_some_and(|(k, _)| !k.contains(' '));
    let header_count = text.lines().take_while(is_header).count();
    let from = text
        .lines()
        .take(header_count)
        .find_map(|l| l.strip_prefix("From: "));
    let sender_file = case["sender_file"]
        .as_str()
        .and_then(|f| read_text(&dir.join(f)));
    let sender = from
        .map(sender_name)
        .or(sender_file.map(|s| s.trim().to_string()));
    let body_lines: Vec<&str> = text.lines().skip(header_count).collect();
    let strip = |l: &str| {
        l.trim_start_matches("#sig#")
            .trim_start_matches("#reply#")
            .to_string()
    };
    let body = body_lines
        .iter()
        .map(|l| strip(l))
        .collect::<Vec<_>>()
        .join("\n");
    let signature: Vec<String> = body_lines
        .iter()
        .filter(|l| l.starts_with("#sig#"))
        .map(|l| strip(l))
        .collect();
    Some((body, sender, signature.join("\n")))
}

/// "doe@example.com (John Doe)" → "John Doe".
fn sender_name(from: &str) -> String {
    let in_parentheses = from.split_once('(').and_then(|(_, r)| r.split_once(')'));
    in_parentheses
        .map_or(from, |(name, _)| name)
        .trim()
        .to_string()
}
