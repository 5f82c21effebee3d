//! Forward unwrapping and subject cleaning scored on crisp-email-forward-parser (206
//! body/subject pairs from 12 clients in ~24 languages, 10 of them not forwards).

use super::{items, load_json, read_text, squash, text_of, Bar, Row, Tally};
use crate::ingest::forward::{unwrap_forward, Forward, ForwardedAddress};
use crate::ingest::subject::clean_subject;
use anyhow::Context;
use serde_json::Value;
use std::path::Path;

const CORPUS: &str = "crisp forwards";

/// One row per field of the original message, plus detection on positives and negatives,
/// the forwarder's note and CRLF stability.
pub(crate) fn crisp(dir: &Path) -> anyhow::Result<Vec<Row>> {
    let expected = load_json(&dir.join("expected.json"))?;
    let mut tally = Tally::new(CORPUS);
    for case in items(&expected, "cases") {
        check_case(dir, case, &mut tally)?;
    }
    Ok(tally
        .bar("is not a forward (negatives)", Bar::Accuracy(1.0))
        .bar("is a forward", Bar::Accuracy(1.0))
        .bar("from.address", Bar::Accuracy(1.0))
        .bar("from.name", Bar::Accuracy(0.99))
        .bar("subject", Bar::Accuracy(0.98))
        .bar("body (whitespace-normalised)", Bar::Accuracy(0.95))
        .bar("forwarder's note", Bar::Accuracy(0.95))
        .bar("same result with CRLF", Bar::Accuracy(1.0))
        .into_rows())
}

/// The outer subjects of the forwarding mails (Fw:, WG:, TR:, RV:, ENC:, İLT:, …) cleaned
/// to the original subject the ground truth gives.
pub(crate) fn subjects(dir: &Path) -> anyhow::Result<Vec<Row>> {
    let expected = load_json(&dir.join("expected.json"))?;
    let mut tally = Tally::new("crisp subjects");
    let mut seen = Vec::new();
    for case in items(&expected, "cases") {
        let file = text_of(case, "subject_file");
        let want = case["expected"]["email"]["subject"].as_str();
        let (Some(want), false) = (want, file.is_empty() || seen.contains(&file)) else {
            continue;
        };
        seen.push(file);
        let outer = read_fixture(dir, file)?.trim().to_string();
        let got = clean_subject(&outer);
        tally.check("prefixes stripped", file, got == want, || {
            format!("{outer:?} gave {got:?}, want {want:?}")
        });
    }
    Ok(tally
        .bar("prefixes stripped", Bar::Accuracy(0.98))
        .into_rows())
}

fn read_fixture(dir: &Path, file: &str) -> anyhow::Result<String> {
    let path = dir.join(file);
    read_text(&path).with_context(|| format!("cannot read {}", path.display()))
}

fn check_case(dir: &Path, case: &Value, tally: &mut Tally) -> anyhow::Result<()> {
    let body_file = text_of(case, "body_file");
    let subject_file = text_of(case, "subject_file");
    let subject = if subject_file.is_empty() {
        String::new()
    } else {
        read_fixture(dir, subject_file)?.trim_end().to_string()
    };
    let body = read_fixture(dir, body_file)?;
    let name = if subject_file.is_empty() {
        body_file.to_string()
    } else {
        format!("{body_file} + {subject_file}")
    };
    let found = unwrap_forward(&subject, &body);
    let crlf = unwrap_forward(&subject, &body.replace("\r\n", "\n").replace('\n', "\r\n"));
    tally.check("same result with CRLF", &name, crlf == found, || {
        "the CRLF copy gives another result".into()
    });
    let want = &case["expected"];
    let forwarded = want["forwarded"].as_bool().unwrap_or_default();
    let field = if forwarded {
        "is a forward"
    } else {
        "is not a forward (negatives)"
    };
    tally.check(field, &name, found.is_some() == forwarded, || {
        format!("got {:?}", found.as_ref().map(|f| &f.from))
    });
    if let (true, Some(got)) = (forwarded, &found) {
        check_found(tally, &name, got, want);
    }
    Ok(())
}

fn check_found(tally: &mut Tally, case: &str, got: &Forward, want: &Value) {
    let email = &want["email"];
    let want_address = email["from"]["address"].as_str().unwrap_or_default();
    tally.check(
        "from.address",
        case,
        got.from.address == want_address,
        || format!("got {:?}, want {want_address:?}", got.from.address),
    );
    let want_name = email["from"]["name"].as_str();
    tally.check(
        "from.name",
        case,
        got.from.name.as_deref() == want_name,
        || format!("got {:?}, want {want_name:?}", got.from.name),
    );
    let want_subject = email["subject"].as_str();
    tally.check(
        "subject",
        case,
        got.subject.as_deref() == want_subject,
        || format!("got {:?}, want {want_subject:?}", got.subject),
    );
    let has_date = got.date.as_deref().is_some_and(|d| !d.trim().is_empty());
    tally.check("date present", case, has_date, || "no date".into());
    let read = got
        .date
        .as_deref()
        .and_then(|d| crate::ingest::dates::parse_forwarded_date(d, chrono_tz::UTC));
    tally.check("date read", case, read.is_some(), || {
        format!("{:?} not read", got.date)
    });
    let want_body = email["body"].as_str().unwrap_or_default();
    tally.check(
        "body (whitespace-normalised)",
        case,
        squash(&got.body) == squash(want_body),
        || format!("got {:?}", got.body),
    );
    tally.check("body (exact)", case, got.body == want_body, || {
        format!("got {:?}", got.body)
    });
    check_recipients(tally, case, got, email);
    if let Some(message) = want.get("message") {
        let ok = got.note.as_deref().map(squash) == message.as_str().map(squash);
        tally.check("forwarder's note", case, ok, || {
            format!("got {:?}, want {message}", got.note)
        });
    }
}

type Pair = (Option<String>, Option<String>);

fn addresses(list: &[ForwardedAddress]) -> Vec<Pair> {
    list.iter()
        .map(|a| {
            let address = Some(a.address.clone()).filter(|s| !s.is_empty());
            (address, a.name.clone())
        })
        .collect()
}

fn expected_addresses(value: &Value) -> Vec<Pair> {
    let text = |v: &Value| v.as_str().map(str::to_string);
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| (text(&a["address"]), text(&a["name"])))
        .collect()
}

fn starts_with<T: PartialEq + std::fmt::Debug>(got: &[T], want: &[T]) -> bool {
    got.len() >= want.len() && got[..want.len()] == *want
}

fn check_recipients(tally: &mut Tally, case: &str, got: &Forward, email: &Value) {
    if let Some(want) = email.get("to_prefix") {
        let (got, want) = (addresses(&got.to), expected_addresses(want));
        tally.check("to", case, starts_with(&got, &want), || {
            format!("got {got:?}, want {want:?}")
        });
    }
    if let Some(want) = email.get("to_addresses_prefix") {
        let got: Vec<&str> = got.to.iter().map(|a| a.address.as_str()).collect();
        let want: Vec<&str> = want
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        tally.check("to", case, starts_with(&got, &want), || {
            format!("got {got:?}, want {want:?}")
        });
    }
    if let Some(want) = email.get("cc_prefix") {
        let (got, want) = (addresses(&got.cc), expected_addresses(want));
        tally.check("cc", case, starts_with(&got, &want), || {
            format!("got {got:?}, want {want:?}")
        });
    }
    if let Some(want) = email.get("cc") {
        let (got, want) = (addresses(&got.cc), expected_addresses(want));
        tally.check("cc", case, got == want, || {
            format!("got {got:?}, want {want:?}")
        });
    }
}
