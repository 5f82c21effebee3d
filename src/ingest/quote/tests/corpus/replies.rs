//! Reply extraction against talon (inline cases and .eml fixtures) and email-reply-parser,
//! with the minimal MIME decoding the .eml fixtures need.

use super::{cases, normalise, read_text, text_of, Tally};
use crate::ingest::quote::{split_signature, strip_quoted};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

/// The visible reply in email-reply-parser's sense: no quotes and no signature.
fn visible_reply(text: &str) -> String {
    split_signature(&strip_quoted(text)).0
}

pub(super) fn talon_inline_replies(talon: &Value) -> Tally {
    let mut tally = Tally::new("talon inline replies (plain text)");
    for case in cases(talon, "inline_cases") {
        let id = text_of(case, "id");
        match text_of(case, "function") {
            "quotations.extract_from_plain" => {
                let got = strip_quoted(text_of(case, "input"));
                let want = text_of(case, "expected_reply");
                tally.check(id, normalise(&got) == normalise(want), || {
                    format!("got {got:?}, want {want:?}")
                });
            }
            "quotations.extract_from_html" => tally.skipped.push(format!("{id} (html)")),
            _ => {}
        }
    }
    tally
}

pub(super) fn talon_fixture_replies(dir: &Path, talon: &Value) -> Tally {
    let mut tally = Tally::new("talon fixture replies (.eml, text/plain part)");
    for case in cases(talon, "fixture_cases") {
        let file = text_of(case, "file");
        let Some(raw) = read_text(&dir.join(file)) else {
            tally.skipped.push(format!("{file} (missing)"));
            continue;
        };
        match text_of(case, "task") {
            "reply_extraction_plain" if case["expected_properties"].is_array() => {
                let got = strip_quoted(&raw);
                let ok = !got.trim().is_empty() && !got.contains("From");
                tally.check(file, ok, || format!("got {got:?}"));
            }
            "reply_extraction_plain" => {
                let got = strip_quoted(&first_plain_text(&raw));
                let want = text_of(case, "expected_reply");
                tally.check(file, normalise(&got) == normalise(want), || {
                    format!("got {got:?}, want {want:?}")
                });
            }
            "reply_extraction_html" => tally.skipped.push(format!("{file} (html)")),
            _ => {}
        }
    }
    tally
}

pub(super) fn email_reply_parser_replies(dir: &Path, erp: &Value) -> Tally {
    let mut tally = Tally::new("email-reply-parser visible replies");
    for case in cases(erp, "cases") {
        let file = text_of(case, "file");
        let Some(text) = read_text(&dir.join(file)) else {
            tally.skipped.push(format!("{file} (missing)"));
            continue;
        };
        let started = Instant::now();
        let reply = visible_reply(&text);
        let problems = reply_problems(case, &text, &reply, started.elapsed());
        match problems {
            None => tally.skipped.push(format!("{file} (nothing checkable)")),
            Some(p) => tally.check(file, p.is_empty(), || {
                format!("{}; got {reply:?}", p.join("; "))
            }),
        }
    }
    tally
}

/// Checks one email-reply-parser case; `None` when the case asserts nothing we can check.
fn reply_problems(case: &Value, text: &str, reply: &str, took: Duration) -> Option<Vec<String>> {
    let mut checks = 0;
    let mut problems = Vec::new();
    let mut expect = |ok: bool, what: String| {
        checks += 1;
        if !ok {
            problems.push(what);
        }
    };
    if text_of(case, "file").ends_with("pathological.txt") {
        expect(took < Duration::from_secs(1), format!("took {took:?}"));
    }
    if let Some(want) = case["expected_reply"].as_str() {
        expect(
            normalise(reply) == normalise(want),
            format!("want {want:?}"),
        );
    }
    for wanted in cases(case, "reply_contains").filter_map(Value::as_str) {
        expect(reply.contains(wanted), format!("missing {wanted:?}"));
    }
    for unwanted in cases(case, "reply_not_contains").filter_map(Value::as_str) {
        expect(!reply.contains(unwanted), format!("contains {unwanted:?}"));
    }
    if case["fragments"]["count"].as_u64() == Some(1) {
        expect(
            normalise(reply) == normalise(text),
            "want the whole text".to_string(),
        );
    }
    for (visible, needle, prefix) in fragment_expectations(case) {
        if visible && prefix {
            expect(
                reply.starts_with(&needle),
                format!("should start with {needle:?}"),
            );
        } else if visible {
            expect(reply.contains(&needle), format!("missing {needle:?}"));
        } else if needle.len() >= 4 {
            expect(
                !reply.contains(&needle),
                format!("contains hidden {needle:?}"),
            );
        }
    }
    (checks > 0).then_some(problems)
}

/// `fragment_contains` as (fragment visible?, substring, must start with it?); without
/// hidden flags only fragment 0 is taken as visible.
fn fragment_expectations(case: &Value) -> Vec<(bool, String, bool)> {
    let hidden = &case["fragments"]["hidden"];
    cases(case, "fragment_contains")
        .filter_map(|pair| {
            let index = pair[0].as_u64()? as usize;
            let raw = pair[1].as_str()?;
            let visible = hidden[index].as_bool().map_or(index == 0, |h| !h);
            let needle = raw
                .strip_prefix('^')
                .and_then(|r| r.strip_suffix(" (starts with)"));
            Some((visible, needle.unwrap_or(raw).to_string(), needle.is_some()))
        })
        .collect()
}

/// Minimal MIME for the talon .eml fixtures: the first text/plain part, decoded.
fn first_plain_text(raw: &str) -> String {
    let raw = raw.replace("\r\n", "\n");
    let (head, body) = raw.split_once("\n\n").unwrap_or((&raw, ""));
    let boundary = regex::Regex::new(r#"(?i)boundary="?([^";\s]+)"?"#).unwrap();
    let Some(boundary) = boundary.captures(head).and_then(|c| c.get(1)) else {
        return decode_part(head, body);
    };
    body.split(&format!("--{}", boundary.as_str()))
        .filter_map(|part| part.trim_start_matches('\n').split_once("\n\n"))
        .find(|(head, _)| head.to_lowercase().contains("content-type: text/plain"))
        .map(|(head, body)| decode_part(head, body))
        .unwrap_or_default()
}

fn decode_part(head: &str, body: &str) -> String {
    let head = head.to_lowercase();
    let bytes = if head.contains("content-transfer-encoding: base64") {
        base64_decode(body)
    } else if head.contains("content-transfer-encoding: quoted-printable") {
        quoted_printable_decode(body)
    } else {
        body.as_bytes().to_vec()
    };
    String::from_utf8_lossy(&bytes).into_owned()
}

fn base64_decode(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let (mut out, mut acc, mut bits) = (Vec::new(), 0u32, 0u32);
    for sextet in text.bytes().filter_map(value) {
        acc = (acc << 6) | u32::from(sextet);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    out
}

fn quoted_printable_decode(text: &str) -> Vec<u8> {
    let joined = text.replace("=\n", "");
    let bytes = joined.as_bytes();
    let (mut out, mut index) = (Vec::new(), 0);
    while index < bytes.len() {
        let hex = bytes
            .get(index + 1..index + 3)
            .filter(|_| bytes[index] == b'=');
        let byte = hex.and_then(|h| u8::from_str_radix(std::str::from_utf8(h).ok()?, 16).ok());
        match byte {
            Some(byte) => (out.push(byte), index += 3),
            None => (out.push(bytes[index]), index += 1),
        };
    }
    out
}
