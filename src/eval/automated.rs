//! Automated-mail classification scored on sisimai's labelled set (bounces with their
//! failed recipients and hard/soft facts, auto-replies, reports, human mail), MimeKit's
//! and mikel/mail's reports, and the human mail of the corpus.

use super::{items, load_json, text_of, Bar, Row, Tally};
use crate::ingest::automated::{classify, normalise_line_endings, AutomatedKind, AutomatedVerdict};
use mail_parser::MessageParser;
use serde_json::Value;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};

/// `None` when the file is missing, does not parse, or classification panicked.
fn classify_file(path: &Path) -> Option<AutomatedVerdict> {
    let raw = std::fs::read(path).ok()?;
    catch_unwind(AssertUnwindSafe(|| {
        let raw = normalise_line_endings(&raw);
        let message = MessageParser::default().parse(raw.as_ref())?;
        Some(classify(&message, false))
    }))
    .ok()
    .flatten()
}

fn expected_kind(category: &str) -> AutomatedKind {
    match category {
        "bounce" => AutomatedKind::Bounce,
        "auto_reply" => AutomatedKind::AutoReply,
        "feedback_report" => AutomatedKind::FeedbackReport,
        "delivery_success_notification" | "read_receipt_mdn" => AutomatedKind::DeliveryReport,
        _ => AutomatedKind::Human,
    }
}

/// "rfc822; Someone@Example.com" → "someone@example.com".
fn typed_address(field: &str) -> String {
    let value = field.split_once(';').map_or(field, |(_, v)| v);
    value.trim().trim_matches(['<', '>']).trim().to_lowercase()
}

/// Every row of this module: sisimai (three line-ending copies and the unlabelled
/// bounces), MimeKit, mikel/mail and the human mail.
pub(crate) fn all(corpus_dir: &Path) -> anyhow::Result<Vec<Row>> {
    let sisimai_dir = corpus_dir.join("sisimai-set-of-emails");
    let sisimai = load_json(&sisimai_dir.join("expected.json"))?;
    let mut rows = sisimai_rows(&sisimai_dir, &sisimai);
    for variant in ["dos", "mac"] {
        rows.extend(sisimai_copies(&sisimai_dir, &sisimai, variant));
    }
    rows.extend(unlabelled_bounces(&sisimai_dir.join("maildir/err")));
    rows.extend(mimekit(&corpus_dir.join("mimekit"))?);
    rows.extend(mikel(&corpus_dir.join("mikel-mail"))?);
    rows.extend(human_mail(corpus_dir, &sisimai)?);
    Ok(rows)
}

const RECIPIENTS: &str = "bounce with its failed recipients";

/// local@domain.tld with nothing else around it.
fn is_address(text: &str) -> bool {
    let Some((local, domain)) = text.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !text.contains(|c: char| c.is_whitespace() || "<>()[],;\"".contains(c))
}

/// Scores one bounce: recognised, as many failed recipients as the ground truth has facts,
/// and hard/soft per recipient.
fn score_bounce(tally: &mut Tally, file: &str, case: &Value, got: Option<&AutomatedVerdict>) {
    let facts: Vec<&Value> = items(case, "facts").collect();
    let recognised = got.is_some_and(|c| c.kind == AutomatedKind::Bounce);
    tally.check("bounce recognised", file, recognised, || describe(got));
    let bounced = got.map_or(&[][..], |c| &c.bounced[..]);
    // The ground truth has one fact per failed recipient but not the addresses: the
    // bounce must give exactly that many, each a real address (not a host or a name).
    let right = recognised
        && bounced.len() == facts.len()
        && bounced.iter().all(|b| is_address(&b.address));
    tally.check(RECIPIENTS, file, right, || {
        let found: Vec<&str> = bounced.iter().map(|b| b.address.as_str()).collect();
        format!("{} expected, found {found:?}", facts.len())
    });
    for (index, fact) in facts.iter().enumerate() {
        let Some(hard) = fact["hard_bounce"].as_bool() else {
            continue;
        };
        // Facts are per recipient in order; a missing recipient is judged by the last found.
        let found = bounced.get(index).or(bounced.last());
        let case_id = format!("{file} #{}", index + 1);
        tally.check(
            "hard/soft per recipient",
            &case_id,
            found.is_some_and(|b| b.hard == hard),
            || {
                format!(
                    "want hard={hard} ({} {}), got {:?}",
                    fact["status"],
                    fact["reason"],
                    found.map(|b| (b.hard, &b.status))
                )
            },
        );
    }
}

fn describe(got: Option<&AutomatedVerdict>) -> String {
    got.map_or("did not parse or panicked".into(), |c| {
        format!("{:?} ({})", c.kind, c.signal)
    })
}

fn sisimai_rows(dir: &Path, expected: &Value) -> Vec<Row> {
    let mut tally = Tally::new("sisimai (labelled)");
    for case in items(expected, "cases") {
        let file = text_of(case, "file");
        let got = classify_file(&dir.join(file));
        let category = text_of(case, "category");
        match category {
            "bounce" => score_bounce(&mut tally, file, case, got.as_ref()),
            "human_not_bounce" => {} // scored with the other human mail
            _ => {
                let field = format!("{category} recognised");
                let ok = got
                    .as_ref()
                    .is_some_and(|c| c.kind == expected_kind(category));
                tally.check(&field, file, ok, || describe(got.as_ref()));
            }
        }
    }
    tally
        .bar("bounce recognised", Bar::Accuracy(0.99))
        .bar(RECIPIENTS, Bar::Accuracy(0.99))
        .bar("hard/soft per recipient", Bar::Accuracy(0.9))
        .bar("auto_reply recognised", Bar::Accuracy(1.0))
        .into_rows()
}

/// The CRLF (`dos`) and CR (`mac`) copies of labelled bounces.
fn sisimai_copies(dir: &Path, expected: &Value, variant: &str) -> Vec<Row> {
    let corpus = if variant == "dos" {
        "sisimai (CRLF copies)"
    } else {
        "sisimai (CR copies)"
    };
    let mut tally = Tally::new(corpus);
    for case in items(expected, "cases") {
        let file =
            text_of(case, "file").replacen("maildir/bsd/", &format!("maildir/{variant}/"), 1);
        let path = dir.join(&file);
        if text_of(case, "category") == "bounce" && path.exists() {
            score_bounce(&mut tally, &file, case, classify_file(&path).as_ref());
        }
    }
    tally
        .bar("bounce recognised", Bar::Accuracy(0.99))
        .bar(RECIPIENTS, Bar::Accuracy(0.99))
        .into_rows()
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
}

/// `maildir/err`: bounces split out of an mbox, all bounces by the corpus README.
fn unlabelled_bounces(dir: &Path) -> Vec<Row> {
    let mut tally = Tally::new("sisimai maildir/err (all bounces)");
    for path in files_in(dir) {
        let got = classify_file(&path);
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let name = name.unwrap_or_default();
        let ok = got
            .as_ref()
            .is_some_and(|c| c.kind == AutomatedKind::Bounce && !c.bounced.is_empty());
        tally.check("bounce with a recipient", &name, ok, || {
            describe(got.as_ref())
        });
    }
    tally
        .bar("bounce with a recipient", Bar::Accuracy(0.95))
        .into_rows()
}

fn mimekit(dir: &Path) -> anyhow::Result<Vec<Row>> {
    let expected = load_json(&dir.join("expected.json"))?;
    let mut tally = Tally::new("MimeKit reports");
    for case in items(&expected, "messages") {
        let file = text_of(case, "file");
        let got = classify_file(&dir.join(file));
        let want = expected_kind(text_of(case, "category"));
        let recipients: Vec<String> = items(&case["expected"], "status_groups")
            .filter_map(|g| g["Final-Recipient"].as_str())
            .map(typed_address)
            .collect();
        let ok = got.as_ref().is_some_and(|c| {
            c.kind == want
                && recipients
                    .iter()
                    .all(|r| c.bounced.iter().any(|b| &b.address == r))
        });
        tally.check("kind and recipients", file, ok, || {
            format!(
                "want {want:?} {recipients:?}, got {}",
                describe(got.as_ref())
            )
        });
    }
    Ok(tally
        .bar("kind and recipients", Bar::Accuracy(1.0))
        .into_rows())
}

fn mikel(dir: &Path) -> anyhow::Result<Vec<Row>> {
    let expected = load_json(&dir.join("expected_multipart_report.json"))?;
    let mut tally = Tally::new("mikel/mail multipart reports");
    for case in items(&expected, "cases") {
        let file = text_of(case, "file");
        let got = classify_file(&dir.join(file));
        let verdict = got.as_ref();
        let recognised =
            verdict.is_some_and(|v| v.kind == AutomatedKind::Bounce && !v.bounced.is_empty());
        tally.check("bounce with a recipient", file, recognised, || {
            describe(got.as_ref())
        });
        let Some(recipient) = case["final_recipient"].as_str().map(typed_address) else {
            continue;
        };
        let found = verdict.and_then(|v| v.bounced.iter().find(|b| b.address == recipient));
        let want_status = case["error_status"].as_str();
        let permanent = !case["retryable"].as_bool().unwrap_or(false);
        let ok =
            found.is_some_and(|b| b.status.as_deref() == want_status && b.permanent == permanent);
        tally.check("recipient, status, permanent", file, ok, || {
            format!("want {recipient} {want_status:?} permanent={permanent}, got {found:?}")
        });
    }
    Ok(tally
        .bar("bounce with a recipient", Bar::Accuracy(1.0))
        .bar("recipient, status, permanent", Bar::Accuracy(1.0))
        .into_rows())
}

/// Mail a person wrote, by the corpus README: sisimai `maildir/not`, MimeKit's
/// `human` message, and talon's real replies (`standard_replies/*.eml` and the shared-block
/// reply).
fn human_mail(corpus_dir: &Path, sisimai: &Value) -> anyhow::Result<Vec<Row>> {
    let mut files: Vec<PathBuf> = items(sisimai, "cases")
        .filter(|c| text_of(c, "category") == "human_not_bounce")
        .map(|c| {
            corpus_dir
                .join("sisimai-set-of-emails")
                .join(text_of(c, "file"))
        })
        .collect();
    let mimekit = load_json(&corpus_dir.join("mimekit/expected.json"))?;
    files.extend(
        items(&mimekit, "messages")
            .filter(|c| text_of(c, "category") == "human")
            .map(|c| corpus_dir.join("mimekit").join(text_of(c, "file"))),
    );
    let talon = corpus_dir.join("talon/fixtures");
    files.extend(
        files_in(&talon.join("standard_replies"))
            .into_iter()
            .filter(|p| p.extension().is_some_and(|e| e == "eml")),
    );
    files.push(talon.join("reply-quotations-share-block.eml"));
    let mut tally = Tally::new("human mail (sisimai, MimeKit, talon)");
    for path in &files {
        let got = classify_file(path);
        let name = path
            .strip_prefix(corpus_dir)
            .unwrap_or(path)
            .display()
            .to_string();
        let ok = got.as_ref().is_some_and(|c| c.kind == AutomatedKind::Human);
        tally.check("not flagged automated", &name, ok, || {
            describe(got.as_ref())
        });
    }
    Ok(tally
        .bar("not flagged automated", Bar::Accuracy(1.0))
        .into_rows())
}
