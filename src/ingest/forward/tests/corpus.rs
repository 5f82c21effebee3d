//! Walks the crisp-email-forward-parser ground truth (206 cases).

use crate::ingest::forward::{unwrap_forward, Forward, ForwardedAddress};
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

const CRISP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../shared/corpus/crisp-email-forward-parser"
);

/// Passed/total per field, and one line per failure.
#[derive(Default)]
struct Tally {
    fields: BTreeMap<&'static str, (usize, usize)>,
    failures: Vec<String>,
}

impl Tally {
    fn check(
        &mut self,
        field: &'static str,
        case: &str,
        ok: bool,
        detail: impl FnOnce() -> String,
    ) {
        let entry = self.fields.entry(field).or_default();
        entry.1 += 1;
        if ok {
            entry.0 += 1;
        } else {
            self.failures.push(format!("{case} [{field}] {}", detail()));
        }
    }

    fn rate(&self, field: &str) -> f64 {
        self.fields
            .get(field)
            .map_or(0.0, |(ok, total)| *ok as f64 / (*total).max(1) as f64)
    }

    fn print(&self) {
        println!("{:<16} {:>9} {:>8}", "field", "passed", "rate");
        for (field, (ok, total)) in &self.fields {
            println!(
                "{field:<16} {:>9} {:>7.1}%",
                format!("{ok}/{total}"),
                self.rate(field) * 100.0
            );
        }
        for failure in self.failures.iter().take(60) {
            println!("FAIL {failure}");
        }
    }
}

fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read(dir: &Path, file: &str) -> String {
    let bytes = std::fs::read(dir.join(file)).unwrap_or_else(|e| panic!("cannot read {file}: {e}"));
    String::from_utf8_lossy(&bytes).into_owned()
}

fn addresses(list: &[ForwardedAddress]) -> Vec<(Option<String>, Option<String>)> {
    list.iter()
        .map(|a| {
            (
                Some(a.address.clone()).filter(|s| !s.is_empty()),
                a.name.clone(),
            )
        })
        .collect()
}

fn expected_addresses(value: &Value) -> Vec<(Option<String>, Option<String>)> {
    let text = |v: &Value| v.as_str().map(str::to_string);
    value
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| (text(&a["address"]), text(&a["name"])))
        .collect()
}

fn check_prefix(
    tally: &mut Tally,
    field: &'static str,
    case: &str,
    got: &[ForwardedAddress],
    want: &Value,
) {
    let (got, want) = (addresses(got), expected_addresses(want));
    let ok = got.len() >= want.len() && got[..want.len()] == want[..];
    tally.check(field, case, ok, || format!("got {got:?} want {want:?}"));
}

fn check_address_prefix(tally: &mut Tally, case: &str, got: &[ForwardedAddress], want: &Value) {
    let got: Vec<&str> = got.iter().map(|a| a.address.as_str()).collect();
    let want: Vec<&str> = want
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    let ok = got.len() >= want.len() && got[..want.len()] == want[..];
    tally.check("to", case, ok, || format!("got {got:?} want {want:?}"));
}

fn check_found(tally: &mut Tally, case: &str, got: &Forward, want: &Value) {
    let email = &want["email"];
    let want_address = email["from"]["address"].as_str().unwrap_or_default();
    tally.check(
        "from.address",
        case,
        got.from.address == want_address,
        || format!("got {:?}", got.from.address),
    );
    let want_name = email["from"]["name"].as_str();
    tally.check(
        "from.name",
        case,
        got.from.name.as_deref() == want_name,
        || format!("got {:?}", got.from.name),
    );
    let want_subject = email["subject"].as_str();
    tally.check(
        "subject",
        case,
        got.subject.as_deref() == want_subject,
        || format!("got {:?}", got.subject),
    );
    let has_date = got.date.as_deref().is_some_and(|d| !d.trim().is_empty());
    tally.check("date", case, has_date, || "no date".into());
    let want_body = squash(email["body"].as_str().unwrap_or_default());
    tally.check("body", case, squash(&got.body) == want_body, || {
        format!("got {:?}", got.body)
    });
    let exact = Some(got.body.as_str()) == email["body"].as_str();
    tally.check("body (exact)", case, exact, || {
        format!("got {:?}", got.body)
    });
    check_recipients(tally, case, got, email);
    if let Some(message) = want.get("message") {
        let ok = got.note.as_deref().map(squash) == message.as_str().map(squash);
        tally.check("message", case, ok, || format!("got {:?}", got.note));
    }
}

fn check_recipients(tally: &mut Tally, case: &str, got: &Forward, email: &Value) {
    if let Some(want) = email.get("to_prefix") {
        check_prefix(tally, "to", case, &got.to, want);
    }
    if let Some(want) = email.get("to_addresses_prefix") {
        check_address_prefix(tally, case, &got.to, want);
    }
    if let Some(want) = email.get("cc_prefix") {
        check_prefix(tally, "cc", case, &got.cc, want);
    }
    if let Some(want) = email.get("cc") {
        let ok = addresses(&got.cc) == expected_addresses(want);
        tally.check("cc", case, ok, || format!("got {:?}", got.cc));
    }
}

fn check_case(dir: &Path, case: &Value, tally: &mut Tally) {
    let body_file = case["body_file"].as_str().unwrap_or_default();
    let subject = case["subject_file"]
        .as_str()
        .map(|f| read(dir, f).trim_end().to_string())
        .unwrap_or_default();
    let body = read(dir, body_file);
    let name = format!("{body_file} + {:?}", case["subject_file"].as_str());
    let found = unwrap_forward(&subject, &body);
    let crlf = unwrap_forward(&subject, &body.replace("\r\n", "\n").replace('\n', "\r\n"));
    tally.check("same with CRLF", &name, crlf == found, || {
        "CRLF result differs".into()
    });
    let want = &case["expected"];
    let forwarded = want["forwarded"].as_bool().unwrap_or_default();
    let field = if forwarded {
        "is a forward"
    } else {
        "is not a forward"
    };
    tally.check(field, &name, found.is_some() == forwarded, || {
        format!("got {:?}", found.as_ref().map(|f| &f.from))
    });
    if let (true, Some(got)) = (forwarded, &found) {
        check_found(tally, &name, got, want);
    }
}

#[test]
fn the_crisp_corpus_is_unwrapped_like_upstream_expects() {
    let dir = Path::new(CRISP);
    let Ok(json) = std::fs::read_to_string(dir.join("expected.json")) else {
        println!("skipping: corpus not found at {}", dir.display());
        return;
    };
    let expected: Value = serde_json::from_str(&json).expect("expected.json is JSON");
    let mut tally = Tally::default();
    let cases = expected["cases"].as_array().cloned().unwrap_or_default();
    for case in &cases {
        check_case(dir, case, &mut tally);
    }
    tally.print();
    assert!(!cases.is_empty(), "no crisp case ran");
    let minimum = [
        ("is a forward", 1.0),
        ("is not a forward", 1.0),
        ("from.address", 1.0),
        ("from.name", 0.99),
        ("subject", 0.98),
        ("body", 0.95),
        ("message", 0.95),
        ("same with CRLF", 1.0),
    ];
    for (field, least) in minimum {
        assert!(
            tally.rate(field) >= least,
            "{field}: {:.1}% < {:.0}%",
            tally.rate(field) * 100.0,
            least * 100.0
        );
    }
}
