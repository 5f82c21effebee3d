//! `db copy --from URL --to URL [--force] [--json]`: moves a team's
//! database between SQLite and PostgreSQL (either way, or to a new
//! database of the same kind) in one pass; the copy itself is
//! [`Store::copy_to`]. URLs are only ever printed with their password
//! hidden.

use super::{print_json, UsageError};
use crate::cli::{DbCommand, DbCopyArgs};
use crate::domain::url::redact_password;
use crate::store::{Copied, Store};
use anyhow::Context as _;
use serde::Serialize;

/// Runs a `db` subcommand (no configuration file needed).
pub async fn database(command: DbCommand) -> anyhow::Result<()> {
    match command {
        DbCommand::Copy(args) => copy(&args).await,
    }
}

/// What `db copy --json` prints.
#[derive(Serialize)]
struct Report<'a> {
    from: String,
    to: String,
    #[serde(flatten)]
    copied: &'a Copied,
    rows: u64,
}

async fn copy(args: &DbCopyArgs) -> anyhow::Result<()> {
    let (from, to) = (redact_password(&args.from), redact_password(&args.to));
    if args.from.trim() == args.to.trim() {
        return Err(UsageError(format!("--from and --to both name {from}")).into());
    }
    let source = Store::open(&args.from)
        .await
        .context("cannot open the source database (--from)")?;
    let target = Store::open(&args.to)
        .await
        .context("cannot open the target database (--to)")?;
    let copied = source
        .copy_to(&target, args.force)
        .await
        .with_context(|| format!("cannot copy {from} to {to}"));
    source.close().await;
    target.close().await;
    let copied = copied?;
    let rows = copied.tables.iter().map(|t| t.target).sum();
    if args.json {
        return print_json(&Report {
            from,
            to,
            copied: &copied,
            rows,
        });
    }
    outln!(
        "copied {from} to {to} (schema version {})",
        copied.schema_version
    );
    if copied.emptied > 0 {
        outln!(
            "--force: deleted {} row(s) of the target first",
            copied.emptied
        );
    }
    outln!("{:<26} {:>10} {:>10}", "table", "source", "target");
    for table in &copied.tables {
        outln!(
            "{:<26} {:>10} {:>10}",
            table.table,
            table.source,
            table.target
        );
    }
    outln!("{:<26} {:>10} {:>10}", "total", rows, rows);
    Ok(())
}
