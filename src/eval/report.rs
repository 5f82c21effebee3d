//! The evaluation report: one row per (corpus, field) with its score, its bar and the
//! cases it missed, rendered as a Markdown table.

use std::fmt::Write as _;

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
    /// One line per missed case: its id and what went wrong.
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
            misses: Vec::new(),
        }
    }

    /// Scores one case; `detail` (what went wrong) is only built for a miss.
    pub fn check(&mut self, case: &str, ok: bool, detail: impl FnOnce() -> String) {
        self.cases += 1;
        if ok {
            self.passed += 1;
        } else {
            self.misses.push(format!("{case}: {}", detail()));
        }
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
        match bar {
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
    /// A Markdown table: corpus, field, cases, passed, accuracy, precision, recall, bar, met.
    pub fn table(&self) -> String {
        let mut out = String::from(
            "| Corpus | Field | Cases | Passed | Accuracy | Precision | Recall | Bar | Met |\n\
             |---|---|---:|---:|---:|---:|---:|---|:---:|\n",
        );
        for row in &self.rows {
            let optional =
                |value: Option<f64>| value.map_or("—".to_string(), |v| format!("{v:.3}"));
            let met = match (row.bar, row.meets_bar()) {
                (None, _) => "",
                (Some(_), true) => "yes",
                (Some(_), false) => "**NO**",
            };
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                row.corpus,
                row.field,
                row.cases,
                row.passed,
                percent(row.accuracy()),
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

    /// The missed cases of every row, at most `per_row` lines each, for diagnostics.
    pub fn misses(&self, per_row: usize) -> String {
        let mut out = String::new();
        for row in self.rows.iter().filter(|row| !row.misses.is_empty()) {
            let _ = writeln!(
                out,
                "{} / {}: {} missed",
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
mod tests {
    use super::*;

    #[test]
    fn a_row_below_its_bar_is_a_failure_and_is_marked_in_the_table() {
        let mut low = Row::new("demo", "field");
        low.check("a", true, String::new);
        low.check("b", false, || "wrong".into());
        low.bar = Some(Bar::Accuracy(0.9));
        let report = Report { rows: vec![low] };
        assert_eq!(report.failures().len(), 1);
        assert!(report.table().contains("| demo | field | 2 | 1 | 50.0% |"));
        assert!(report.table().contains("**NO**"));
        assert!(report.misses(5).contains("b: wrong"));
    }

    #[test]
    fn precision_and_recall_come_from_the_counts() {
        let counts = Counts {
            true_positives: 9,
            false_positives: 1,
            false_negatives: 3,
        };
        assert!((counts.precision() - 0.9).abs() < 1e-9);
        assert!((counts.recall() - 0.75).abs() < 1e-9);
        let mut row = Row::new("sig", "phones");
        row.check("x", true, String::new);
        row.counts = Some(counts);
        row.bar = Some(Bar::PrecisionRecall {
            precision: 0.9,
            recall: 0.8,
        });
        assert!(!row.meets_bar(), "recall 0.75 is under 0.8");
    }

    #[test]
    fn a_row_without_cases_never_meets_a_bar() {
        let mut row = Row::new("missing", "field");
        assert!(row.meets_bar(), "no bar, nothing to meet");
        row.bar = Some(Bar::Accuracy(0.0));
        assert!(!row.meets_bar());
    }
}
