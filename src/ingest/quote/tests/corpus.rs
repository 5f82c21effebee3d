//! Walks the talon and email-reply-parser ground truth in /work/shared/corpus.

use serde_json::Value;
use std::path::{Path, PathBuf};

mod replies;
mod signatures;

use replies::{email_reply_parser_replies, talon_fixture_replies, talon_inline_replies};
use signatures::{talon_fixture_signatures, talon_inline_signatures};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

/// Passed/total counts of one corpus, with what failed and what was skipped.
struct Tally {
    name: &'static str,
    passed: usize,
    total: usize,
    failures: Vec<String>,
    skipped: Vec<String>,
}

impl Tally {
    fn new(name: &'static str) -> Self {
        Tally {
            name,
            passed: 0,
            total: 0,
            failures: Vec::new(),
            skipped: Vec::new(),
        }
    }

    fn check(&mut self, id: &str, ok: bool, detail: impl FnOnce() -> String) {
        self.total += 1;
        if ok {
            self.passed += 1;
        } else {
            self.failures.push(format!("{id}: {}", detail()));
        }
    }

    fn print(&self) {
        let percent = 100.0 * self.passed as f64 / self.total.max(1) as f64;
        println!(
            "{}: {}/{} exact ({percent:.1}%)",
            self.name, self.passed, self.total
        );
        self.failures.iter().for_each(|f| println!("  FAILED {f}"));
        if !self.skipped.is_empty() {
            println!(
                "  skipped {}: {}",
                self.skipped.len(),
                self.skipped.join(", ")
            );
        }
    }
}

fn normalise(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn read_text(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

fn load(relative: &str) -> Option<(PathBuf, Value)> {
    let path = Path::new(CORPUS).join(relative);
    let Some(json) = read_text(&path) else {
        println!("skipping: corpus not found at {}", path.display());
        return None;
    };
    let dir = path.parent()?.to_path_buf();
    Some((
        dir,
        serde_json::from_str(&json).expect("corpus expected.json parses"),
    ))
}

fn cases<'a>(json: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    json[key].as_array().into_iter().flatten()
}

fn text_of<'a>(case: &'a Value, key: &str) -> &'a str {
    case[key].as_str().unwrap_or("")
}

#[test]
fn reply_extraction_matches_talon_and_email_reply_parser() {
    let (Some(talon), Some(erp)) = (
        load("talon/expected.json"),
        load("email-reply-parser/expected.json"),
    ) else {
        return;
    };
    let tallies = [
        talon_inline_replies(&talon.1),
        talon_fixture_replies(&talon.0, &talon.1),
        email_reply_parser_replies(&erp.0, &erp.1),
    ];
    tallies.iter().for_each(Tally::print);
    let passed: usize = tallies.iter().map(|t| t.passed).sum();
    let total: usize = tallies.iter().map(|t| t.total).sum();
    println!("combined reply extraction: {passed}/{total}");
    assert!(total > 0, "no corpus case ran");
    assert!(
        passed * 100 >= total * 95,
        "reply accuracy {passed}/{total} is below 95%"
    );
}

#[test]
fn signature_split_matches_talon() {
    let Some((dir, talon)) = load("talon/expected.json") else {
        return;
    };
    let inline = talon_inline_signatures(&talon);
    let fixtures = talon_fixture_signatures(&dir, &talon);
    inline.print();
    fixtures.print();
    let passed = inline.passed + fixtures.passed;
    let total = inline.total + fixtures.total;
    println!("combined signature split: {passed}/{total}");
    assert!(total > 0, "no corpus case ran");
    assert!(
        passed * 100 >= total * 90,
        "signature accuracy {passed}/{total} is below 90%"
    );
}
