//! `leadmail ingest` and `leadmail explain`: messages from files through the pipeline.

use super::print_json;
use crate::cli::IngestArgs;
use crate::config::Settings;
use crate::dns_auth::DnsAuth;
use crate::ingest::plan::{Action, IngestPlan, Outcome};
use crate::ingest::plan_message_verified;
use crate::store::Store;
use crate::telemetry::LogText;
use anyhow::Context;
use chrono::{DateTime, Utc};
use std::path::{Path, PathBuf};

/// One message read from a file source.
struct FileMessage {
    origin: String,
    raw: Vec<u8>,
    arrived_at: DateTime<Utc>,
}

/// The JSON line `ingest --json` prints per message.
#[derive(serde::Serialize)]
struct IngestReport {
    message_id: String,
    outcome: Outcome,
    /// The first lead touched (the §6b contract's field).
    lead_id: Option<i64>,
    /// Every lead touched, in order (a BCC to two people of two companies
    /// makes two prospects).
    lead_ids: Vec<i64>,
    reason: String,
}

/// Ingests every message of the source; one bad message never stops the rest.
pub(super) async fn run(
    args: &IngestArgs,
    settings: &Settings,
    store: &Store,
) -> anyhow::Result<()> {
    let messages = read_source(args)?;
    let dns_auth = DnsAuth::from_settings(&settings.security)?;
    let mut reports = Vec::with_capacity(messages.len());
    for message in messages {
        let plan = plan_here(
            &message.raw,
            settings,
            message.arrived_at,
            dns_auth.as_ref(),
        )
        .await;
        let applied = store
            .apply(&plan, &message.raw, &message.origin)
            .await
            .with_context(|| format!("cannot store {} ({})", message.origin, plan.key))?;
        log_applied(&message.origin, &plan, applied.outcome);
        let report = IngestReport {
            message_id: plan.key.to_string(),
            outcome: applied.outcome,
            lead_id: applied.lead_ids.first().copied(),
            lead_ids: applied.lead_ids,
            reason: plan.reason,
        };
        if !args.json {
            print_line(&message.origin, &report)?;
        }
        reports.push(report);
    }
    if args.json {
        print_json(&reports)?;
    }
    Ok(())
}

/// The plan of one message, with its sender verified here first when
/// `security.verify_here` asks for it.
async fn plan_here(
    raw: &[u8],
    settings: &Settings,
    arrived_at: DateTime<Utc>,
    dns_auth: Option<&DnsAuth>,
) -> IngestPlan {
    let verified = match dns_auth {
        Some(dns_auth) => dns_auth.verify(raw).await,
        None => None,
    };
    plan_message_verified(raw, settings, arrived_at, verified.as_deref())
}

/// One log line per message; the texts that come from the mail are escaped.
fn log_applied(origin: &str, plan: &IngestPlan, outcome: Outcome) {
    let from = plan.from.as_deref().unwrap_or_default();
    tracing::info!(
        origin = %LogText(origin),
        key = %LogText(plan.key.as_str()),
        from = %LogText(from),
        subject = %LogText(&plan.subject),
        outcome = outcome.as_str(),
        rule = plan.rule,
        "ingested"
    );
}

fn print_line(origin: &str, report: &IngestReport) -> anyhow::Result<()> {
    let ids: Vec<String> = report.lead_ids.iter().map(i64::to_string).collect();
    let lead = match ids.len() {
        0 => String::new(),
        1 => format!(" lead {}", ids[0]),
        _ => format!(" leads {}", ids.join(", ")),
    };
    outln!(
        "{origin}: {}{lead} — {}",
        report.outcome.as_str(),
        report.reason
    );
    Ok(())
}

/// Prints the plan for one file without touching the database.
pub(super) async fn explain(file: &Path, settings: &Settings) -> anyhow::Result<()> {
    let raw = std::fs::read(file).with_context(|| format!("cannot read {}", file.display()))?;
    let dns_auth = DnsAuth::from_settings(&settings.security)?;
    let plan = plan_here(&raw, settings, file_time(file), dns_auth.as_ref()).await;
    outln!("message: {}", plan.key);
    outln!("rule:    {}", plan.rule);
    outln!("reason:  {}", plan.reason);
    outln!("action:  {}", action_name(&plan.action));
    print_json(&plan)
}

fn action_name(action: &Action) -> &'static str {
    match action {
        Action::Quarantine(_) => "quarantine",
        Action::Record => "record only",
        Action::Lead(_) => "create or update a lead",
        Action::Outbound(_) => "file outbound mail (prospects)",
        Action::Thread(_) => "append to the matching lead, else fallback",
        Action::Bounce(_) => "mark bouncing addresses",
        Action::DigestReply(_) => "apply the digest reply's commands, queue a confirmation",
    }
}

fn read_source(args: &IngestArgs) -> anyhow::Result<Vec<FileMessage>> {
    let source = &args.source;
    if let Some(dir) = &source.maildir {
        return read_maildir(dir);
    }
    if let Some(path) = &source.mbox {
        return read_mbox(path);
    }
    let path = source
        .file
        .as_ref()
        .context("give a FILE, --maildir DIR or --mbox FILE")?;
    Ok(vec![read_file(path)?])
}

fn read_file(path: &Path) -> anyhow::Result<FileMessage> {
    let raw = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    Ok(FileMessage {
        origin: path.display().to_string(),
        raw,
        arrived_at: file_time(path),
    })
}

/// The file's modification time (a Maildir file's delivery time), else now.
fn file_time(path: &Path) -> DateTime<Utc> {
    std::fs::metadata(path)
        .and_then(|m| m.modified())
        .map(DateTime::<Utc>::from)
        .unwrap_or_else(|_| crate::clock::now())
}

fn read_maildir(dir: &Path) -> anyhow::Result<Vec<FileMessage>> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for sub in ["new", "cur"] {
        let folder = dir.join(sub);
        if !folder.is_dir() {
            continue;
        }
        for entry in std::fs::read_dir(&folder)
            .with_context(|| format!("cannot list {}", folder.display()))?
        {
            let path = entry?.path();
            if path.is_file() {
                paths.push(path);
            }
        }
    }
    anyhow::ensure!(
        dir.join("cur").is_dir() || dir.join("new").is_dir(),
        "{} is not a Maildir (no cur/ or new/ folder)",
        dir.display()
    );
    paths.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
    paths.iter().map(|p| read_file(p)).collect()
}

fn read_mbox(path: &Path) -> anyhow::Result<Vec<FileMessage>> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    let arrived_at = file_time(path);
    Ok(split_mbox(&bytes)
        .into_iter()
        .enumerate()
        .map(|(i, raw)| FileMessage {
            origin: format!("{}#{}", path.display(), i + 1),
            raw,
            arrived_at,
        })
        .collect())
}

/// Splits an mbox at `From ` lines and undoes `>From ` quoting (mboxrd).
fn split_mbox(bytes: &[u8]) -> Vec<Vec<u8>> {
    let mut messages: Vec<Vec<u8>> = Vec::new();
    let mut current: Option<Vec<u8>> = None;
    for line in bytes.split_inclusive(|b| *b == b'\n') {
        if line.starts_with(b"From ") {
            messages.extend(current.take());
            current = Some(Vec::new());
            continue;
        }
        let body = current.get_or_insert_with(Vec::new);
        let unquoted = unquote_from(line);
        body.extend_from_slice(unquoted);
    }
    messages.extend(current);
    messages.retain(|m| m.iter().any(|b| !b.is_ascii_whitespace()));
    messages
}

fn unquote_from(line: &[u8]) -> &[u8] {
    let quotes = line.iter().take_while(|b| **b == b'>').count();
    if quotes > 0 && line[quotes..].starts_with(b"From ") {
        &line[1..]
    } else {
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_mbox_splits_at_from_lines_and_unquotes_from() {
        let mbox = b"From a@b Mon Jan 1 00:00:00 2024\nSubject: one\n\n>From here\n\nFrom c@d Mon Jan 1 00:00:00 2024\nSubject: two\n\nx\n";
        let messages = split_mbox(mbox);
        assert_eq!(messages.len(), 2);
        assert_eq!(messages[0], b"Subject: one\n\nFrom here\n\n".to_vec());
        assert!(messages[1].starts_with(b"Subject: two"));
    }
}
