//! Signature fields (phones, job title, company, web site) scored on the hand-labelled set
//! `tests/fixtures/signatures/labelled.toml`, with precision and recall per field.

use super::{squash, Bar, Counts, Row};
use crate::ingest::signature::{extract_signature_fields, find_phones};
use anyhow::{bail, Context};
use serde::Deserialize;
use std::collections::BTreeSet;
use std::path::Path;

/// The labelled set as stored.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct LabelledSet {
    pub(crate) case: Vec<Case>,
}

/// One labelled signature (the file's header explains every key).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Case {
    pub(crate) id: String,
    pub(crate) lang: String,
    pub(crate) source: String,
    pub(crate) name: Option<String>,
    pub(crate) country: Option<String>,
    pub(crate) signature: String,
    #[serde(default)]
    pub(crate) phones: Vec<String>,
    pub(crate) title: Option<String>,
    pub(crate) company: Option<String>,
    pub(crate) website: Option<String>,
}

/// Reads and checks the labelled set (unique ids, phones in E.164).
pub(crate) fn load(path: &Path) -> anyhow::Result<LabelledSet> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read labelled signatures {}", path.display()))?;
    let set: LabelledSet = toml::from_str(&text)
        .with_context(|| format!("cannot parse labelled signatures {}", path.display()))?;
    let mut ids = BTreeSet::new();
    for case in &set.case {
        if !ids.insert(case.id.as_str()) {
            bail!("labelled signature id {} is used twice", case.id);
        }
        if case.source.trim().is_empty() {
            bail!("labelled signature {} has no source", case.id);
        }
        let bad = case.phones.iter().find(|p| !is_e164(p));
        if let Some(phone) = bad {
            bail!("labelled signature {}: {phone:?} is not E.164", case.id);
        }
    }
    Ok(set)
}

fn is_e164(phone: &str) -> bool {
    phone.strip_prefix('+').is_some_and(|digits| {
        (8..=15).contains(&digits.len()) && digits.chars().all(|c| c.is_ascii_digit())
    })
}

/// One row per field: every phone number, the one phone put on the contact, title,
/// company and web site; the same rows again, without bars, for the held-out batch
/// (cases whose `source` says "held-out": labelled after the rules were tuned).
pub(crate) fn labelled(path: &Path) -> anyhow::Result<Vec<Row>> {
    let set = load(path)?;
    let all: Vec<&Case> = set.case.iter().collect();
    let languages: BTreeSet<&str> = all.iter().map(|c| c.lang.as_str()).collect();
    let corpus = format!(
        "labelled signatures ({} in {} languages)",
        all.len(),
        languages.len()
    );
    let mut rows = field_rows(&corpus, &all);
    let [phones, phone, title, company, _website] = &mut rows;
    let phone_bar = Bar::PrecisionRecall {
        precision: 0.95,
        recall: 0.9,
    };
    phones.bar = Some(phone_bar);
    phone.bar = Some(phone_bar);
    title.bar = Some(Bar::Precision(0.9));
    company.bar = Some(Bar::Precision(0.9));
    let held_out: Vec<&Case> = all
        .iter()
        .copied()
        .filter(|c| c.source.contains("held-out"))
        .collect();
    let mut rows = Vec::from(rows);
    if !held_out.is_empty() {
        let corpus = format!("labelled signatures, held-out batch ({})", held_out.len());
        rows.extend(field_rows(&corpus, &held_out));
    }
    Ok(rows)
}

fn field_rows(corpus: &str, cases: &[&Case]) -> [Row; 5] {
    let mut rows = [
        "phones (every number)",
        "phone (on the contact)",
        "title",
        "company",
        "website",
    ]
    .map(|field| {
        let mut row = Row::new(corpus, field);
        row.counts = Some(Counts::default());
        row
    });
    for case in cases {
        score(case, &mut rows);
    }
    rows
}

fn score(case: &Case, rows: &mut [Row; 5]) {
    let country = case.country.as_deref();
    let got = extract_signature_fields(&case.signature, case.name.as_deref(), country);
    let expected: BTreeSet<&str> = case.phones.iter().map(String::as_str).collect();
    let found_all = find_phones(&case.signature, country);
    let found: BTreeSet<&str> = found_all.iter().map(String::as_str).collect();
    let [phones, phone, title, company, website] = rows;
    score_set(phones, &case.id, &found, &expected);
    score_one(
        phone,
        &case.id,
        got.phone.as_deref(),
        |p| expected.contains(p),
        !expected.is_empty(),
        || format!("{expected:?}"),
    );
    type Normalise = fn(&str) -> String;
    let single: [(&mut Row, &Option<String>, &Option<String>, Normalise); 3] = [
        (title, &got.title, &case.title, field_value),
        (company, &got.company, &case.company, field_value),
        (website, &got.website, &case.website, site),
    ];
    for (row, got, want, normalise) in single {
        let wanted = want.as_deref().map(normalise);
        score_one(
            row,
            &case.id,
            got.as_deref(),
            |value| wanted.as_deref() == Some(normalise(value).as_str()),
            want.is_some(),
            || format!("{want:?}"),
        );
    }
}

/// Every predicted number that is expected is a true positive, every other one a false
/// positive; every expected number not predicted a false negative.
fn score_set(row: &mut Row, id: &str, found: &BTreeSet<&str>, expected: &BTreeSet<&str>) {
    let counts = row.counts.get_or_insert_with(Counts::default);
    counts.true_positives += found.intersection(expected).count();
    counts.false_positives += found.difference(expected).count();
    counts.false_negatives += expected.difference(found).count();
    row.check(id, found == expected, || {
        format!("found {found:?}, want {expected:?}")
    });
}

/// A single value: right (TP), wrong (FP and FN), spurious (FP) or missing (FN).
fn score_one(
    row: &mut Row,
    id: &str,
    got: Option<&str>,
    is_right: impl Fn(&str) -> bool,
    expected: bool,
    want: impl FnOnce() -> String,
) {
    let counts = row.counts.get_or_insert_with(Counts::default);
    let right = got.is_some_and(&is_right);
    match (got, right) {
        (Some(_), true) => counts.true_positives += 1,
        (Some(_), false) => counts.false_positives += 1,
        (None, _) => {}
    }
    if expected && !right {
        counts.false_negatives += 1;
    }
    let ok = right || (!expected && got.is_none());
    row.check(id, ok, || format!("got {got:?}, want {}", want()));
}

/// Case, blanks and surrounding punctuation do not matter ("Acme, Lda." = "acme, lda").
fn field_value(text: &str) -> String {
    squash(text)
        .trim_matches(|c: char| c.is_whitespace() || ".,;:".contains(c))
        .to_lowercase()
}

/// A web site without scheme, "www." and trailing "/".
fn site(text: &str) -> String {
    let lower = text.trim().to_lowercase();
    let bare = lower
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.");
    bare.trim_end_matches('/').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture() -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/signatures/labelled.toml")
    }

    #[test]
    fn the_labelled_set_has_sixty_signatures_in_six_languages_with_hard_negatives() {
        let set = load(&fixture()).expect("the labelled set loads");
        let languages: BTreeSet<&str> = set.case.iter().map(|c| c.lang.as_str()).collect();
        assert!(set.case.len() >= 60, "{} signatures", set.case.len());
        assert!(languages.len() >= 6, "{languages:?}");
        let without_phone = set.case.iter().filter(|c| c.phones.is_empty()).count();
        assert!(
            without_phone >= 10,
            "{without_phone} signatures without a phone"
        );
        assert!(set.case.iter().all(|c| !c.source.is_empty()));
    }

    #[test]
    fn a_wrong_value_counts_as_a_false_positive_and_a_false_negative() {
        let mut row = Row::new("t", "title");
        score_one(
            &mut row,
            "a",
            Some("CEO"),
            |g| g == "CTO",
            true,
            String::new,
        );
        score_one(
            &mut row,
            "b",
            Some("CTO"),
            |g| g == "CTO",
            true,
            String::new,
        );
        score_one(&mut row, "c", None, |_| false, true, String::new);
        score_one(&mut row, "d", Some("Sales"), |_| false, false, String::new);
        let counts = row.counts.expect("counts");
        assert_eq!(
            (
                counts.true_positives,
                counts.false_positives,
                counts.false_negatives
            ),
            (1, 2, 2)
        );
        assert_eq!((row.passed, row.cases), (1, 4));
    }

    #[test]
    fn values_compare_without_case_punctuation_or_scheme() {
        assert_eq!(field_value(" Acme Portugal,  Lda. "), "acme portugal, lda");
        assert_eq!(site("https://www.Acme.pt/"), "acme.pt");
        assert!(is_e164("+351912345678"));
        assert!(!is_e164("912 345 678"));
    }
}
