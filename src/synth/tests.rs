//! The generator is deterministic, its mail parses, and the pipeline files
//! each kind the way the kind means.

use super::*;
use crate::config::Settings;
use crate::ingest::plan::{Action, Fallback};
use crate::ingest::plan_message;
use std::collections::HashMap;

/// The fixture configuration, with the default 25 MB size limit (the
/// fixture's 200 KB one would quarantine the MB attachments).
fn settings() -> Settings {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/leadmail.toml");
    let text = std::fs::read_to_string(path).expect("the fixture config");
    let text = text.replace("max_message_bytes = 200000", "max_message_bytes = 26214400");
    Settings::from_toml(&text, std::path::Path::new(".")).expect("a valid config")
}

/// The first `per_kind` messages of each kind among the first `limit`.
fn sample(seed: u64, limit: usize, per_kind: usize) -> Vec<SynthMail> {
    sample_indices(seed, limit, per_kind)
        .into_iter()
        .map(|i| generate(seed, i))
        .collect()
}

/// The generation indices of [`sample`]'s messages.
fn sample_indices(seed: u64, limit: usize, per_kind: usize) -> Vec<usize> {
    let mut counts: HashMap<Kind, usize> = HashMap::new();
    (0..limit)
        .filter(|i| {
            let n = counts.entry(generate(seed, *i).kind).or_default();
            *n += 1;
            *n <= per_kind
        })
        .collect()
}

#[test]
fn the_same_seed_and_index_give_the_same_bytes_and_another_seed_other_bytes() {
    for index in [0, 1, 17, 999] {
        assert_eq!(generate(42, index), generate(42, index));
        assert_ne!(generate(42, index).bytes, generate(43, index).bytes);
    }
}

#[test]
fn every_kind_parses_with_its_message_id_and_a_from_address() {
    let mails = sample(7, 600, 5);
    for kind in Kind::ALL {
        assert!(
            mails.iter().any(|m| m.kind == kind),
            "no {kind:?} in the sample"
        );
    }
    for mail in &mails {
        let parsed = mail_parser::MessageParser::default()
            .parse(&mail.bytes)
            .unwrap_or_else(|| panic!("{:?} does not parse", mail.kind));
        assert_eq!(
            parsed.message_id(),
            Some(mail.message_id.as_str()),
            "{:?}",
            mail.kind
        );
        assert!(
            parsed
                .from()
                .and_then(|f| f.first())
                .and_then(|a| a.address())
                .is_some(),
            "{:?}",
            mail.kind
        );
    }
}

#[test]
fn the_corpus_follows_the_mix_and_the_size_profile() {
    let n = 3000;
    let mut counts: HashMap<Kind, usize> = HashMap::new();
    let mut sizes = Vec::with_capacity(n);
    for i in 0..n {
        let mail = generate(1, i);
        *counts.entry(mail.kind).or_default() += 1;
        sizes.push(mail.bytes.len());
    }
    for (kind, percent) in mix() {
        let share = counts.get(kind).copied().unwrap_or(0) as f64 * 100.0 / n as f64;
        assert!(
            (share - f64::from(*percent)).abs() < 3.0,
            "{kind:?}: {share:.1}% vs {percent}%"
        );
    }
    let typical = sizes
        .iter()
        .filter(|s| (2_000..=48_000).contains(*s))
        .count();
    assert!(
        typical * 100 / n >= 95,
        "only {typical} of {n} between 2 and 48 KB"
    );
    let big = generate_big_one();
    assert!((1 << 20..=(3 << 20) + 65_536).contains(&big), "{big}");
}

/// The size of the first message of seed 1 carrying a MB attachment.
fn generate_big_one() -> usize {
    (0..20_000)
        .map(|i| generate(1, i).bytes.len())
        .find(|len| *len > 500_000)
        .expect("a big message within 20,000")
}

#[test]
fn replies_answer_an_earlier_generated_outbound_mail() {
    let mut seen = 0;
    for i in 0..400 {
        let mail = generate(5, i);
        if mail.kind != Kind::Reply {
            continue;
        }
        let parsed = mail_parser::MessageParser::default()
            .parse(&mail.bytes)
            .expect("parses");
        let parent = parsed
            .in_reply_to()
            .as_text()
            .expect("In-Reply-To")
            .to_string();
        let found = (0..i)
            .map(|j| generate(5, j))
            .any(|m| m.kind == Kind::Outbound && m.message_id == parent);
        assert!(
            found,
            "reply {i} answers {parent}, which was not generated before it"
        );
        seen += 1;
    }
    assert!(seen > 20, "only {seen} replies");
}

#[test]
fn the_pipeline_files_each_kind_as_that_kind() {
    let indices = sample_indices(11, 800, 12);
    let small = indices
        .iter()
        .map(|i| generate_sized(11, *i, Sizes::Small))
        .collect();
    files_each_kind_as_that_kind(sample(11, 800, 12));
    files_each_kind_as_that_kind(small);
}

fn files_each_kind_as_that_kind(mails: Vec<SynthMail>) {
    let settings = settings();
    let arrived = Utc
        .with_ymd_and_hms(2027, 6, 1, 12, 0, 0)
        .single()
        .expect("a date");
    for mail in mails {
        let plan = plan_message(&mail.bytes, &settings, arrived);
        let ok = match (&mail.kind, &plan.action) {
            (Kind::Outbound, Action::Outbound(_)) => true,
            (Kind::Forward, Action::Lead(_)) => plan.rule == "rep_forward",
            (Kind::Partner, Action::Lead(_)) => plan.rule.starts_with("partner"),
            (Kind::Form, Action::Lead(lead)) => plan.rule == "form" && lead.contacts.len() == 1,
            (Kind::Reply, Action::Thread(thread)) => {
                !thread.references.is_empty() && thread.sender.is_some()
            }
            (Kind::Bounce, Action::Bounce(bounce)) => bounce.recipients.len() == 1,
            (Kind::OutOfOffice, Action::Thread(thread)) => {
                matches!(thread.fallback, Fallback::Record)
            }
            (Kind::Newsletter, Action::Record) => true,
            _ => false,
        };
        assert!(
            ok,
            "{:?} {} planned as rule {} ({}):\n{}",
            mail.kind,
            mail.message_id,
            plan.rule,
            plan.reason,
            String::from_utf8_lossy(&mail.bytes[..mail.bytes.len().min(3000)])
        );
    }
}

#[test]
fn the_small_corpus_has_the_same_mix_in_plain_text_of_one_to_two_kilobytes() {
    let mut total = 0;
    let mut counted = 0;
    for index in 0..400 {
        let small = generate_sized(7, index, Sizes::Small);
        assert_eq!(small.kind, generate(7, index).kind, "message {index}");
        if small.kind == Kind::Bounce {
            continue; // a bounce quotes the mail it returns, as servers do
        }
        let text = String::from_utf8_lossy(&small.bytes);
        assert!(
            !text.contains("multipart/"),
            "message {index} is not plain text"
        );
        assert!(
            small.bytes.len() < 4096,
            "message {index}: {} bytes",
            small.bytes.len()
        );
        total += small.bytes.len();
        counted += 1;
    }
    let mean = total / counted;
    assert!((1000..=2600).contains(&mean), "mean size {mean} bytes");
}
