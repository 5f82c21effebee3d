//! Every file of the shared corpus goes through the pipeline (what `explain`
//! runs) without a panic, and gets a plan.

use leadmail::config::Settings;
use leadmail::ingest::plan_message;
use std::path::{Path, PathBuf};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus")
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files_under(&path, out);
        } else {
            out.push(path);
        }
    }
}

#[test]
fn every_corpus_file_gets_a_plan_without_panicking() {
    let dir = corpus_dir();
    if !dir.is_dir() {
        println!("skipping: corpus not found at {}", dir.display());
        return;
    }
    let settings =
        Settings::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/leadmail.toml"))
            .expect("fixture config");
    let mut files = Vec::new();
    files_under(&dir, &mut files);
    files.sort();
    let arrived = "2026-11-23T10:00:00Z".parse().expect("time");
    let mut planned = 0;
    let mut panicked = Vec::new();
    for file in &files {
        let raw = std::fs::read(file).expect("readable corpus file");
        match std::panic::catch_unwind(|| plan_message(&raw, &settings, arrived)) {
            Ok(plan) => {
                assert!(!plan.rule.is_empty());
                planned += 1;
            }
            Err(_) => panicked.push(file.display().to_string()),
        }
    }
    println!(
        "{} corpus files planned, {} panicked",
        planned,
        panicked.len()
    );
    assert!(
        files.len() > 1000,
        "expected the whole corpus, found {} files",
        files.len()
    );
    assert!(panicked.is_empty(), "panicked on:\n{}", panicked.join("\n"));
}
