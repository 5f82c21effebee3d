//! Unit tests of the evaluation report: bars, halves, precision and recall.

use super::*;

#[test]
fn a_row_below_its_bar_is_a_failure_and_is_marked_in_the_table() {
    let mut low = Row::new("demo", "field");
    let names = names_in(Half::Development, 2);
    let (a, b) = (&names[0], &names[1]);
    low.check(a, true, String::new);
    low.check(b, false, || "wrong".into());
    low.bar = Some(Bar::Accuracy(0.9));
    let report = Report { rows: vec![low] };
    assert_eq!(report.failures().len(), 1);
    assert!(report.table().contains("| demo | field | 2 | 1 | 50.0% |"));
    assert!(report.table().contains("**NO**"));
    assert!(report.misses(5).contains(&format!("{b}: wrong")));
}

/// `count` case names that fall in `half`.
fn names_in(half: Half, count: usize) -> Vec<String> {
    (0..)
        .map(|i| format!("case_{i}.txt"))
        .filter(|name| half_of(name) == half)
        .take(count)
        .collect()
}

#[test]
fn a_check_half_more_than_three_points_below_the_development_half_fails_the_bar() {
    let mut row = Row::new("demo", "field");
    row.bar = Some(Bar::Accuracy(0.5));
    for name in names_in(Half::Development, 40) {
        row.check(&name, true, String::new);
    }
    for (i, name) in names_in(Half::Check, 40).iter().enumerate() {
        row.check(name, i >= 2, || "wrong".into());
    }
    assert_eq!((row.check.cases, row.check.passed), (40, 38));
    assert!(!row.halves_agree() && !row.meets_bar(), "95% against 100%");
    assert!(row.misses.is_empty(), "check-half misses are not listed");
    let report = Report { rows: vec![row] };
    assert!(report.table().contains("**NO** (halves)"));
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
