//! `leadmail export --csv`: every lead and prospect as a spreadsheet-safe CSV.

use super::UsageError;
use crate::cli::ExportArgs;
use crate::domain::LeadKind;
use crate::export::csv::leads_csv;
use crate::files::write_atomically;
use crate::store::{LeadFilter, Store};
use anyhow::Context;
use std::io::{IsTerminal as _, Write as _};

/// Writes the CSV to `--output` (atomically) or to stdout.
pub(super) async fn export(args: &ExportArgs, store: &Store) -> anyhow::Result<()> {
    let filter = LeadFilter {
        kind: args.kind.as_deref().map(parse_kind).transpose()?,
        open_only: args.open,
        ..LeadFilter::default()
    };
    let csv = leads_csv(&store.list_leads(&filter).await?).context("cannot write the CSV")?;
    match &args.output {
        // Readable by its owner only: the export holds every contact.
        Some(path) => write_atomically(path, csv.as_bytes())
            .with_context(|| format!("cannot write {}", path.display())),
        // A terminal shows the cells' control characters escaped; a pipe
        // or a file gets the CSV byte for byte.
        None if std::io::stdout().is_terminal() => Ok(super::out::text(&csv)?),
        None => Ok(std::io::stdout().lock().write_all(csv.as_bytes())?),
    }
}

fn parse_kind(text: &str) -> anyhow::Result<LeadKind> {
    LeadKind::parse(text)
        .ok_or_else(|| UsageError(format!("no kind {text:?} (lead, prospect)")).into())
}
