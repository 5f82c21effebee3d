//! `leadmail import --csv FILE`: leads, prospects or contacts from a CSV
//! file, all or nothing, with a report of every row.

use super::UsageError;
use crate::cli::ImportArgs;
use crate::config::Settings;
use crate::import::{self, ImportKind, MapFile, Options, Plan, Preset, Refusal};
use crate::store::{Imported, Store};
use anyhow::Context;
use serde::Serialize;
use std::path::Path;

/// The report (`--json`): the file, how it was read, and every row.
#[derive(Debug, Serialize)]
struct Report<'a> {
    file: &'a str,
    kind: &'a str,
    preset: Option<&'a str>,
    dry_run: bool,
    written: bool,
    created: usize,
    skipped: usize,
    refused: usize,
    ignored_columns: &'a [String],
    rows: Vec<RowReport>,
}

/// One row: `created`, `skipped` (it exists) or `refused` (with the reason).
#[derive(Debug, Serialize)]
struct RowReport {
    line: u64,
    outcome: &'static str,
    lead_id: Option<i64>,
    contact_id: Option<i64>,
    reason: Option<String>,
}

/// Reads, checks and (unless a row is refused or `--dry-run`) writes the file.
pub(super) async fn import(
    args: &ImportArgs,
    settings: &Settings,
    store: &Store,
) -> anyhow::Result<()> {
    let map = args.map.as_deref().map(read_map).transpose()?;
    let options = Options {
        kind: parse_kind(&args.kind)?,
        preset: args.preset.as_deref().map(parse_preset).transpose()?,
        map: map.as_ref(),
    };
    let text = read_text(&args.csv)?;
    let plan = import::plan(&text, options, settings, crate::clock::now())
        .map_err(|e| UsageError(format!("cannot import {}: {e}", args.csv.display())))?;
    let file = args.csv.display().to_string();
    let commit = !args.dry_run && plan.refused.is_empty();
    let done = store
        .import(&plan.rows, &file, commit)
        .await
        .context("cannot write the imported records")?;
    let report = report(&file, options.kind, args.dry_run, commit, &plan, &done);
    print(&report, args.json)?;
    match report.refused {
        0 => Ok(()),
        n => Err(UsageError(format!("{n} row(s) refused: nothing was imported")).into()),
    }
}

fn report<'a>(
    file: &'a str,
    kind: ImportKind,
    dry_run: bool,
    written: bool,
    plan: &'a Plan,
    done: &[Imported],
) -> Report<'a> {
    let mut rows: Vec<RowReport> = done.iter().map(row_done).collect();
    rows.extend(plan.refused.iter().map(row_refused));
    rows.sort_by_key(|r| r.line);
    let count = |outcome: &str| rows.iter().filter(|r| r.outcome == outcome).count();
    Report {
        file,
        kind: kind.as_str(),
        preset: plan.mapping.preset.map(Preset::as_str),
        dry_run,
        written,
        created: count("created"),
        skipped: count("skipped"),
        refused: count("refused"),
        ignored_columns: &plan.mapping.ignored,
        rows,
    }
}

fn row_done(done: &Imported) -> RowReport {
    RowReport {
        line: done.line,
        outcome: if done.created { "created" } else { "skipped" },
        lead_id: done.lead_id,
        contact_id: Some(done.contact_id),
        reason: (!done.created).then(|| "exists".to_string()),
    }
}

fn row_refused(refusal: &Refusal) -> RowReport {
    RowReport {
        line: refusal.line,
        outcome: "refused",
        lead_id: None,
        contact_id: None,
        reason: Some(refusal.reason.clone()),
    }
}

/// The report as JSON, or one line per row and a summary.
fn print(report: &Report<'_>, json: bool) -> anyhow::Result<()> {
    if json {
        return super::print_json(report);
    }
    for row in &report.rows {
        outln!("line {}: {}", row.line, row_text(row));
    }
    if !report.ignored_columns.is_empty() {
        outln!("ignored columns: {}", report.ignored_columns.join(", "));
    }
    let verdict = match (report.written, report.dry_run) {
        (true, _) => "imported",
        (false, true) => "dry run, nothing written",
        (false, false) => "nothing written",
    };
    outln!(
        "{}: {} created, {} skipped, {} refused ({verdict})",
        report.file,
        report.created,
        report.skipped,
        report.refused
    );
    Ok(())
}

fn row_text(row: &RowReport) -> String {
    let record = match (row.lead_id, row.contact_id) {
        (Some(lead), _) => format!(" (lead {lead})"),
        (None, Some(contact)) => format!(" (contact {contact})"),
        (None, None) => String::new(),
    };
    match row.outcome {
        "refused" => format!("refused: {}", row.reason.as_deref().unwrap_or_default()),
        "skipped" => format!("skipped: exists{record}"),
        outcome => format!("{outcome}{record}"),
    }
}

fn read_text(path: &Path) -> anyhow::Result<String> {
    let bytes = std::fs::read(path).with_context(|| format!("cannot read {}", path.display()))?;
    String::from_utf8(bytes).map_err(|_| {
        UsageError(format!(
            "cannot import {}: it is not UTF-8 text",
            path.display()
        ))
        .into()
    })
}

/// A `--map` file: CSV when its name ends in `.csv`, else TOML.
fn read_map(path: &Path) -> anyhow::Result<MapFile> {
    let text = read_text(path)?;
    let csv = path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    MapFile::parse(&text, csv)
        .map_err(|e| UsageError(format!("cannot use the map {}: {e}", path.display())).into())
}

fn parse_kind(text: &str) -> anyhow::Result<ImportKind> {
    ImportKind::parse(text)
        .ok_or_else(|| UsageError(format!("no kind {text:?} (lead, prospect, contact)")).into())
}

fn parse_preset(text: &str) -> anyhow::Result<Preset> {
    Preset::parse(text).ok_or_else(|| {
        UsageError(format!(
            "no preset {text:?} (leadmail, nocrm, pipedrive, hubspot, zendesk-sell)"
        ))
        .into()
    })
}
