//! Scores the mail-reading steps of [`crate::ingest`] against public ground truth (the
//! shared corpus) and the hand-labelled signature set in `tests/fixtures/signatures/`,
//! and renders the result as a table (issue 4; `leadmail eval CORPUS_DIR`).
//!
//! Only the public functions of `ingest` are called, the ones the pipeline uses, so a
//! score here is the score of the pipeline step.
//!
//! # Layout
//!
//! - `halves`: the fixed development / check split of every corpus.
//! - `report`: [`Report`], [`Row`], [`Bar`], [`Counts`] and the Markdown table.
//! - `forwards`: crisp-email-forward-parser (forward unwrapping, subject prefixes).
//! - `replies`: talon and email-reply-parser (quoted-reply stripping).
//! - `crisp_replies`: crisp-email-reply-parser (reply trimming in eleven languages).
//! - `split`: talon's signature splits.
//! - `automated`: sisimai, MimeKit and mikel/mail (bounces, reports, auto-replies, humans).
//! - `signatures`: the labelled signature set (phones, title, company, web site).

use anyhow::Context;
use serde_json::Value;
use std::path::Path;

pub(crate) mod automated;
pub(crate) mod crisp_replies;
pub(crate) mod forwards;
pub mod halves;
pub(crate) mod replies;
mod report;
pub(crate) mod signatures;
pub(crate) mod split;

pub use report::{Bar, Counts, HalfScore, Report, Row};

/// Runs every evaluation. `corpus_dir` is the shared corpus (`../shared/corpus`),
/// `fixtures_dir` the repository's `tests/fixtures` (for the labelled signatures).
/// Fails when a ground-truth file is missing or unreadable.
pub fn evaluate(corpus_dir: &Path, fixtures_dir: &Path) -> anyhow::Result<Report> {
    let mut rows = Vec::new();
    rows.extend(forwards::crisp(
        &corpus_dir.join("crisp-email-forward-parser"),
    )?);
    rows.extend(forwards::subjects(
        &corpus_dir.join("crisp-email-forward-parser"),
    )?);
    rows.extend(replies::all(corpus_dir)?);
    rows.extend(crisp_replies::crisp(
        &corpus_dir.join("crisp-email-reply-parser"),
    )?);
    rows.extend(split::talon(&corpus_dir.join("talon"))?);
    rows.extend(automated::all(corpus_dir)?);
    rows.extend(signatures::labelled(
        &fixtures_dir.join("signatures/labelled.toml"),
    )?);
    Ok(Report { rows })
}

/// The rows of one corpus, created in the order their fields are first scored.
pub(crate) struct Tally {
    corpus: &'static str,
    rows: Vec<Row>,
}

impl Tally {
    pub(crate) fn new(corpus: &'static str) -> Self {
        Tally {
            corpus,
            rows: Vec::new(),
        }
    }

    /// The row of `field`, created empty if it is new.
    pub(crate) fn row(&mut self, field: &str) -> &mut Row {
        let index = match self.rows.iter().position(|r| r.field == field) {
            Some(index) => index,
            None => {
                self.rows.push(Row::new(self.corpus, field));
                self.rows.len() - 1
            }
        };
        &mut self.rows[index]
    }

    /// Scores one case of `field`.
    pub(crate) fn check(
        &mut self,
        field: &str,
        case: &str,
        ok: bool,
        detail: impl FnOnce() -> String,
    ) {
        self.row(field).check(case, ok, detail);
    }

    /// Sets the bar of `field` (creating the row, so a field that never ran fails it).
    pub(crate) fn bar(mut self, field: &str, bar: Bar) -> Self {
        self.row(field).bar = Some(bar);
        self
    }

    pub(crate) fn into_rows(self) -> Vec<Row> {
        self.rows
    }
}

/// A row adding up other rows' cases (e.g. talon + email-reply-parser).
pub(crate) fn combined<'a>(
    corpus: &str,
    field: &str,
    parts: impl IntoIterator<Item = &'a Row>,
) -> Row {
    let mut row = Row::new(corpus, field);
    for part in parts {
        row.absorb(part);
    }
    row
}

/// Blanks collapsed to one space, ends trimmed.
pub(crate) fn squash(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A file as text (invalid UTF-8 replaced); `None` when it cannot be read.
pub(crate) fn read_text(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|bytes| String::from_utf8_lossy(&bytes).into_owned())
}

/// A ground-truth JSON file.
pub(crate) fn load_json(path: &Path) -> anyhow::Result<Value> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read ground truth {}", path.display()))?;
    serde_json::from_str(&text)
        .with_context(|| format!("cannot parse ground truth {}", path.display()))
}

/// The array under `key`, empty when absent.
pub(crate) fn items<'a>(json: &'a Value, key: &str) -> impl Iterator<Item = &'a Value> {
    json[key].as_array().into_iter().flatten()
}

/// The string under `key`, "" when absent.
pub(crate) fn text_of<'a>(json: &'a Value, key: &str) -> &'a str {
    json[key].as_str().unwrap_or("")
}

#[cfg(test)]
pub(crate) mod testing {
    //! Helpers for the module tests that score the shared corpus through `eval`.

    use super::Row;
    use std::path::PathBuf;

    /// `../shared/corpus/<relative>`, or `None` (with a skip message) when absent.
    pub(crate) fn corpus(relative: &str) -> Option<PathBuf> {
        let path =
            PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus")).join(relative);
        if path.exists() {
            Some(path)
        } else {
            println!("skipping: corpus not found at {}", path.display());
            None
        }
    }

    /// Prints the rows and their misses; panics naming every row below its bar.
    pub(crate) fn assert_bars(rows: &[Row]) {
        let report = super::Report {
            rows: rows.to_vec(),
        };
        println!("{}", report.table());
        println!("{}", report.misses(40));
        assert!(rows.iter().all(|r| r.cases > 0), "a row scored no case");
        let failures: Vec<String> = report
            .failures()
            .iter()
            .map(|r| format!("{} / {}", r.corpus, r.field))
            .collect();
        assert!(failures.is_empty(), "below their bar: {failures:?}");
    }
}
