//! Quoted-reply stripping scored on talon (inline cases, .eml and HTML fixtures) and
//! email-reply-parser, compared after whitespace normalisation.

use super::{combined, items, load_json, read_text, squash, text_of, Bar, Row, Tally};
use crate::ingest::parse::html_to_text;
use crate::ingest::quote::{split_signature, strip_quoted};
use mail_parser::MessageParser;
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

const TALON: &str = "talon replies";
const ERP: &str = "email-reply-parser";

/// Rows per source, and the combined row the bar applies to.
pub(crate) fn all(corpus_dir: &Path) -> anyhow::Result<Vec<Row>> {
    let talon_dir = corpus_dir.join("talon");
    let talon = load_json(&talon_dir.join("expected.json"))?;
    let erp_dir = corpus_dir.join("email-reply-parser");
    let erp = load_json(&erp_dir.join("expected.json"))?;
    let mut tally = Tally::new(TALON);
    talon_inline(&talon, &mut tally);
    talon_fixtures(&talon_dir, &talon, &mut tally);
    let mut rows = tally.into_rows();
    rows.extend(email_reply_parser(&erp_dir, &erp));
    let mut all = combined("talon + email-reply-parser", "reply text", &rows);
    all.bar = Some(Bar::Accuracy(0.95));
    rows.push(all);
    Ok(rows)
}

/// The reply the pipeline keeps from an HTML body: the HTML as text, quotes stripped.
fn html_reply(html: &str) -> String {
    strip_quoted(&html_to_text(html))
}

/// Equal after whitespace normalisation, or with every blank removed where talon's own
/// test compares that way (`"compare": "ignore_all_whitespace"`). Talon compares HTML
/// results as HTML; the pipeline keeps text, so both sides are text here.
fn same_text(got: &str, want: &str, case: &Value) -> bool {
    if text_of(case, "compare") == "ignore_all_whitespace" {
        let bare = |text: &str| text.split_whitespace().collect::<String>();
        bare(got) == bare(want)
    } else {
        squash(got) == squash(want)
    }
}

fn talon_inline(talon: &Value, tally: &mut Tally) {
    for case in items(talon, "inline_cases") {
        let id = text_of(case, "id");
        let input = text_of(case, "input");
        let want = text_of(case, "expected_reply");
        let (field, got, want) = match text_of(case, "function") {
            "quotations.extract_from_plain" => (
                "inline cases (plain)",
                strip_quoted(input),
                want.to_string(),
            ),
            "quotations.extract_from_html" => (
                "inline cases (HTML → text)",
                html_reply(input),
                html_to_text(want),
            ),
            _ => continue,
        };
        tally.check(field, id, same_text(&got, &want, case), || {
            format!("got {got:?}, want {want:?}")
        });
    }
}

fn talon_fixtures(dir: &Path, talon: &Value, tally: &mut Tally) {
    for case in items(talon, "fixture_cases") {
        let file = text_of(case, "file");
        let raw = read_text(&dir.join(file));
        match text_of(case, "task") {
            "reply_extraction_plain" if case["expected_properties"].is_array() => {
                // Upstream feeds the whole raw message: the reply must be kept, the
                // quoted header block ("From: …") cut.
                let got = strip_quoted(raw.as_deref().unwrap_or_default());
                let ok = raw.is_some() && !got.trim().is_empty() && !got.contains("From");
                tally.check("fixtures (.eml)", file, ok, || format!("got {got:?}"));
            }
            "reply_extraction_plain" => {
                let text = raw.as_deref().map(first_plain_text).unwrap_or_default();
                let got = strip_quoted(&text);
                let want = text_of(case, "expected_reply");
                tally.check("fixtures (.eml)", file, same_text(&got, want, case), || {
                    format!("got {got:?}, want {want:?}")
                });
            }
            "reply_extraction_html" => {
                let got = html_reply(raw.as_deref().unwrap_or_default());
                let want = case["expected_reply_text"]
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| html_to_text(text_of(case, "expected_reply_html")));
                let ok = raw.is_some() && same_text(&got, &want, case);
                tally.check("fixtures (HTML → text)", file, ok, || {
                    format!("got {got:?}, want {want:?}")
                });
            }
            _ => {}
        }
    }
}

/// The first text/plain part of a message, decoded (the talon .eml fixtures).
fn first_plain_text(raw: &str) -> String {
    MessageParser::default()
        .parse(raw.as_bytes())
        .and_then(|message| message.body_text(0).map(|t| t.into_owned()))
        .unwrap_or_default()
}

/// The visible reply in email-reply-parser's sense: no quotes and no signature.
fn visible_reply(text: &str) -> String {
    split_signature(&strip_quoted(text)).0
}

fn email_reply_parser(dir: &Path, erp: &Value) -> Vec<Row> {
    let mut tally = Tally::new(ERP);
    for case in items(erp, "cases") {
        let file = text_of(case, "file");
        let Some(text) = read_text(&dir.join(file)) else {
            tally.check("visible reply", file, false, || "file missing".into());
            continue;
        };
        let started = Instant::now();
        let reply = visible_reply(&text);
        let problems = reply_problems(case, &text, &reply, started.elapsed());
        if let Some(problems) = problems {
            tally.check("visible reply", file, problems.is_empty(), || {
                format!("{}; got {reply:?}", problems.join("; "))
            });
        }
    }
    tally.into_rows()
}

/// What is wrong with one email-reply-parser case; `None` when it asserts nothing checkable.
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
        expect(squash(reply) == squash(want), format!("want {want:?}"));
    }
    for wanted in items(case, "reply_contains").filter_map(Value::as_str) {
        expect(reply.contains(wanted), format!("missing {wanted:?}"));
    }
    for unwanted in items(case, "reply_not_contains").filter_map(Value::as_str) {
        expect(!reply.contains(unwanted), format!("contains {unwanted:?}"));
    }
    if case["fragments"]["count"].as_u64() == Some(1) {
        expect(squash(reply) == squash(text), "want the whole text".into());
    }
    for (visible, needle, prefix) in fragment_expectations(case) {
        if visible && prefix {
            let ok = reply.starts_with(&needle);
            expect(ok, format!("should start with {needle:?}"));
        } else if visible {
            expect(reply.contains(&needle), format!("missing {needle:?}"));
        } else if needle.len() >= 4 {
            let ok = !reply.contains(&needle);
            expect(ok, format!("contains hidden {needle:?}"));
        }
    }
    (checks > 0).then_some(problems)
}

/// `fragment_contains` as (fragment visible?, substring, must start with it?); without
/// hidden flags only fragment 0 is taken as visible.
fn fragment_expectations(case: &Value) -> Vec<(bool, String, bool)> {
    let hidden = &case["fragments"]["hidden"];
    items(case, "fragment_contains")
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
