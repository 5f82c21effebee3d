//! `leadmail export --csv`: every lead and prospect as a spreadsheet-safe CSV.

use super::UsageError;
use crate::cli::ExportArgs;
use crate::domain::LeadKind;
use crate::export::csv::leads_csv;
use crate::store::{LeadFilter, Store};
use anyhow::Context;
use std::io::Write as _;
use std::path::Path;

/// Writes the CSV to `--output` (atomically) or to stdout.
pub(super) async fn export(args: &ExportArgs, store: &Store) -> anyhow::Result<()> {
    let filter = LeadFilter {
        kind: args.kind.as_deref().map(parse_kind).transpose()?,
        open_only: args.open,
        ..LeadFilter::default()
    };
    let csv = leads_csv(&store.list_leads(&filter).await?);
    match &args.output {
        Some(path) => write_atomically(path, csv.as_bytes())
            .with_context(|| format!("cannot write {}", path.display())),
        None => {
            std::io::stdout().lock().write_all(csv.as_bytes())?;
            Ok(())
        }
    }
}

fn parse_kind(text: &str) -> anyhow::Result<LeadKind> {
    LeadKind::parse(text)
        .ok_or_else(|| UsageError(format!("no kind {text:?} (lead, prospect)")).into())
}

/// Writes a temporary file readable by its owner only beside `path`, then
/// renames it over `path`: a reader never sees half an export.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let mut temp = path.as_os_str().to_owned();
    temp.push(format!(".tmp-{}", std::process::id()));
    let written = write_private(Path::new(&temp), bytes);
    if written.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    written?;
    std::fs::rename(&temp, path)
}

fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt as _;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}
