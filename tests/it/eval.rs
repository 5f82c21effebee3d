//! Issue 4's evaluation: every row of `leadmail::eval::evaluate` on the shared corpus
//! must meet its bar. Prints the table that EVALUATION.md shows.

use std::path::Path;

#[test]
fn every_evaluation_row_meets_its_bar() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let corpus = root.join("../shared/corpus");
    if !corpus.is_dir() {
        println!(
            "skipping the evaluation: corpus not found at {}",
            corpus.display()
        );
        return;
    }
    let report = leadmail::eval::evaluate(&corpus, &root.join("tests/fixtures"))
        .expect("the ground truth is readable");
    println!("{}", report.table());
    println!("{}", report.misses(40));
    assert!(
        report.rows.len() >= 20 && report.rows.iter().all(|row| row.cases > 0),
        "some evaluation scored no case"
    );
    let failures: Vec<String> = report
        .failures()
        .iter()
        .map(|row| format!("{} / {}", row.corpus, row.field))
        .collect();
    assert!(failures.is_empty(), "below their bar: {failures:#?}");
}
