//! The evaluation report: one row per (corpus, field) with its score, its bar and the
//! cases it missed, rendered as a Markdown table.

use super::halves::{half_of, Half};
use std::fmt::Write as _;

/// How far the check half may fall below the development half on a row with a bar.
pub(super) const MAX_HALF_GAP: f64 = 0.03;

/// A row's halves are compared only when each has at least this many cases (below it one
/// case moves the score by more than the gap allowed).
pub(super) const MIN_HALF_CASES: usize = 20;

/// The least score a row must reach.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Bar {
    /// Share of cases passed, 0..1.
    Accuracy(f64),
    /// Precision of the predicted values, 0..1.
    Precision(f64),
    /// Precision and recall, 0..1 each.
    PrecisionRecall {
        /// Least precision.
        precision: f64,
        /// Least recall.
        recall: f64,
    },
}

impl Bar {
    fn describe(&self) -> String {
        match self {
            Bar::Accuracy(least) => format!("acc ≥ {}", percent(*least)),
            Bar::Precision(least) => format!("P ≥ {least:.2}"),
            Bar::PrecisionRecall { precision, recall } => {
                format!("P ≥ {precision:.2}, R ≥ {recall:.2}")
            }
        }
    }
}

/// True positives, false positives and false negatives of an extracted field.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Predicted values that were expected.
    pub true_positives: usize,
    /// Predicted values that are wrong or were not expected.
    pub false_positives: usize,
    /// Expected values that were not found.
    pub false_negatives: usize,
}

impl Counts {
    /// TP / (TP + FP); 1 when nothing was predicted.
    pub fn precision(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_positives,
        )
    }

    /// TP / (TP + FN); 1 when nothing was expected.
    pub fn recall(&self) -> f64 {
        ratio(
            self.true_positives,
            self.true_positives + self.false_negatives,
        )
    }
}

/// Cases scored and passed in one half of a corpus.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HalfScore {
    /// Cases scored.
    pub cases: usize,
    /// Cases entirely right.
    pub passed: usize,
}

impl HalfScore {
    /// Share of cases passed; `None` when no case ran.
    pub fn accuracy(&self) -> Option<f64> {
        (self.cases > 0).then(|| self.passed as f64 / self.cases as f64)
    }

    fn add(&mut self, other: HalfScore) {
        self.cases += other.cases;
        self.passed += other.passed;
    }
}

/// The score of one field on one corpus.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Which ground truth, e.g. "crisp forwards".
    pub corpus: String,
    /// What is measured, e.g. "from.address".
    pub field: String,
    /// Cases scored.
    pub cases: usize,
    /// Cases entirely right.
    pub passed: usize,
    /// For extracted fields (signatures): the counts behind precision and recall.
    pub counts: Option<Counts>,
    /// The least score this row must reach, if any.
    pub bar: Option<Bar>,
    /// The development half's score (see [`super::halves`]).
    pub development: HalfScore,
    /// The check half's score.
    pub check: HalfScore,
    /// One line per missed case of the development half: its id and what went wrong.
    /// Check-half misses are only counted, so that rules are not fitted to them.
    pub misses: Vec<String>,
}

impl Row {
    /// An empty row.
    pub fn new(corpus: &str, field: &str) -> Self {
        Row {
            corpus: corpus.to_string(),
            field: field.to_string(),
            cases: 0,
            passed: 0,
            counts: None,
            bar: None,
            development: HalfScore::default(),
            check: HalfScore::default(),
            misses: Vec::new(),
        }
    }

    /// Scores one case; `detail` (what went wrong) is only built for a miss.
    pub fn check(&mut self, case: &str, ok: bool, detail: impl FnOnce() -> String) {
        self.cases += 1;
        self.passed += usize::from(ok);
        let half = half_of(case);
        let score = match half {
            Half::Development => &mut self.development,
            Half::Check => &mut self.check,
        };
        score.add(HalfScore {
            cases: 1,
            passed: usize::from(ok),
        });
        if !ok && half == Half::Development {
            self.misses.push(format!("{case}: {}", detail()));
        }
    }

    /// Adds another row's cases (for a row that sums several).
    pub fn absorb(&mut self, other: &Row) {
        self.cases += other.cases;
        self.passed += other.passed;
        self.development.add(other.development);
        self.check.add(other.check);
        self.misses.extend(other.misses.iter().cloned());
    }

    /// Whether the check half is within [`MAX_HALF_GAP`] of the development half (always
    /// true when either half has fewer than [`MIN_HALF_CASES`] cases).
    pub fn halves_agree(&self) -> bool {
        if self.development.cases.min(self.check.cases) < MIN_HALF_CASES {
            return true;
        }
        let (Some(dev), Some(check)) = (self.development.accuracy(), self.check.accuracy()) else {
            return true;
        };
        check + MAX_HALF_GAP + 1e-9 >= dev
    }

    /// Share of cases passed; 0 when no case ran (a missing corpus never meets a bar).
    pub fn accuracy(&self) -> f64 {
        if self.cases == 0 {
            0.0
        } else {
            self.passed as f64 / self.cases as f64
        }
    }

    /// Precision of an extracted field.
    pub fn precision(&self) -> Option<f64> {
        self.counts.map(|c| c.precision())
    }

    /// Recall of an extracted field.
    pub fn recall(&self) -> Option<f64> {
        self.counts.map(|c| c.recall())
    }

    /// Whether the row reaches its bar (a row without a bar always does). A row where no
    /// case ran never reaches a bar.
    pub fn meets_bar(&self) -> bool {
        let Some(bar) = self.bar else {
            return true;
        };
        if self.cases == 0 {
            return false;
        }
        let precision = self.precision().unwrap_or(0.0);
        let recall = self.recall().unwrap_or(0.0);
        self.halves_agree()
            && match bar {
                Bar::Accuracy(least) => self.accuracy() >= least,
                Bar::Precision(least) => precision >= least,
                Bar::PrecisionRecall {
                    precision: least_p,
                    recall: least_r,
                } => precision >= least_p && recall >= least_r,
            }
    }
}

/// Every row of an evaluation run, in the order measured.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Report {
    /// The scores.
    pub rows: Vec<Row>,
}

impl Report {
    /// A Markdown table: corpus, field, cases, passed, accuracy, the development and check
    /// halves, precision, recall, bar, met.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| Corpus | Field | Cases | Passed | Accuracy | Dev half | Check half | Precision | Recall | Bar | Met |\n\
             |---|---|---:|---:|---:|---:|---:|---:|---:|---|:---:|\n",
        );
        for row in &self.rows {
            let optional =
                |value: Option<f64>| value.map_or("—".to_string(), |v| format!("{v:.3}"));
            let met = match (row.bar, row.meets_bar(), row.halves_agree()) {
                (None, _, _) => "",
                (Some(_), true, _) => "yes",
                (Some(_), false, false) => "**NO** (halves)",
                (Some(_), false, true) => "**NO**",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                row.corpus,
                row.field,
                row.cases,
                row.passed,
                percent(row.accuracy()),
                half_cell(row.development),
                half_cell(row.check),
                optional(row.precision()),
                optional(row.recall()),
                row.bar.map_or(String::new(), |b| b.describe()),
                met
            );
        }
        out
    }

    /// The rows below their bar.
    pub fn failures(&self) -> Vec<&Row> {
        self.rows.iter().filter(|row| !row.meets_bar()).collect()
    }

    /// The missed cases of the development half of every row, at most `per_row` lines each,
    /// for diagnostics (the check half's misses are counted only).
    pub fn misses(&self, per_row: usize) -> String {
        let mut out = String::new();
        for row in self.rows.iter().filter(|row| !row.misses.is_empty()) {
            let _ = writeln!(
                out,
                "{} / {}: {} missed in the development half",
                row.corpus,
                row.field,
                row.misses.len()
            );
            for miss in row.misses.iter().take(per_row) {
                let _ = writeln!(out, "  - {}", one_line(miss, 300));
            }
        }
        out
    }
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        1.0
    } else {
        part as f64 / whole as f64
    }
}

/// "97.0% (33)": a half's accuracy and its number of cases.
fn half_cell(score: HalfScore) -> String {
    score.accuracy().map_or("—".to_string(), |a| {
        format!("{} ({})", percent(a), score.cases)
    })
}

fn percent(share: f64) -> String {
    format!("{:.1}%", share * 100.0)
}

/// The text on one line, cut to `max` characters.
fn one_line(text: &str, max: usize) -> String {
    let flat = text.replace('\n', "⏎");
    match flat.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

#[cfg(test)]
mod tests;
