//! The command line, as clap derive types.

use crate::telemetry::LogFormat;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// leadmail turns a sales team's email into CRM records.
#[derive(Debug, Parser)]
#[command(name = "leadmail", version, about)]
pub struct Cli {
    /// The configuration file.
    #[arg(
        long,
        short,
        env = "LEADMAIL_CONFIG",
        global = true,
        default_value = "leadmail.toml"
    )]
    pub config: PathBuf,
    /// Log line format.
    #[arg(long, value_enum, default_value = "human", global = true)]
    pub log_format: LogFormat,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Watch every configured mailbox (IDLE or polling) and file new mail.
    Run {
        /// Process the backlog of every mailbox once, then exit.
        #[arg(long)]
        once: bool,
    },
    /// Serve the web app alone (`[web]`); `run` serves it too when `[web]` is set.
    Serve,
    /// Run messages through the pipeline from files (same pipeline as the daemon).
    Ingest(IngestArgs),
    /// Show which rule fires for a message and what it would do, without writing.
    Explain {
        /// The message file.
        file: PathBuf,
    },
    /// Leads: people who showed interest (`leads list --kind` lists prospects too).
    #[command(subcommand)]
    Leads(LeadsCommand),
    /// Prospects: people we approached first.
    #[command(subcommand)]
    Prospects(ProspectsCommand),
    /// Contacts.
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// A lead's timeline.
    Timeline {
        /// The lead id.
        id: i64,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Messages put aside.
    #[command(subcommand)]
    Quarantine(QuarantineCommand),
    /// The configured users with their activity; deactivate or activate one.
    #[command(subcommand)]
    Users(UsersCommand),
    /// The configured partners with their referrals.
    #[command(subcommand)]
    Partners(PartnersCommand),
    /// Webhook deliveries: list them, send parked ones again.
    #[command(subcommand)]
    Webhooks(WebhooksCommand),
    /// Per mailbox: last sync, checkpoint, messages processed, last error.
    Status {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// The morning digest: preview it, or send it now through the outbox.
    #[command(subcommand)]
    Digest(DigestCommand),
    /// Write leads and prospects as CSV (formula-safe) to stdout or a file.
    Export(ExportArgs),
    /// Read leads, prospects or contacts from a CSV file (leadmail's export
    /// or another CRM's), all or nothing.
    Import(ImportArgs),
    /// Check the config, the database, every IMAP mailbox and SMTP; one line each.
    Doctor,
    /// The database itself: copy a team's database to another (SQLite ↔
    /// PostgreSQL). Needs no configuration file.
    #[command(subcommand)]
    Db(DbCommand),
    /// Score the mail reading against the corpora's ground truth (EVALUATION.md).
    Eval {
        /// The shared corpus directory (e.g. ../shared/corpus).
        corpus: PathBuf,
        /// Where the labelled signature set lives.
        #[arg(long, default_value = "tests/fixtures")]
        fixtures: PathBuf,
        /// Also list up to this many missed cases per row.
        #[arg(long, default_value_t = 0)]
        misses: usize,
    },
}

/// Where `ingest` reads messages from.
#[derive(Debug, Args)]
#[group(required = true, multiple = false)]
pub struct IngestSource {
    /// One message file (RFC 5322, .eml).
    pub file: Option<PathBuf>,
    /// A Maildir (cur/ and new/ are read, in file-name order).
    #[arg(long)]
    pub maildir: Option<PathBuf>,
    /// An mbox file.
    #[arg(long)]
    pub mbox: Option<PathBuf>,
}

/// `ingest` arguments.
#[derive(Debug, Args)]
pub struct IngestArgs {
    /// Where to read.
    #[command(flatten)]
    pub source: IngestSource,
    /// One JSON object per message.
    #[arg(long)]
    pub json: bool,
}

/// `export` arguments.
#[derive(Debug, Args)]
pub struct ExportArgs {
    /// CSV (RFC 4180, cells that look like formulas get a leading `'`).
    #[arg(long, required = true)]
    pub csv: bool,
    /// Write here (created with mode 0600, replaced atomically) instead of stdout.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Only `lead` or `prospect` records (default: both).
    #[arg(long)]
    pub kind: Option<String>,
    /// Only open ones (todo, standby).
    #[arg(long)]
    pub open: bool,
}

/// `import` arguments.
#[derive(Debug, Args)]
pub struct ImportArgs {
    /// The CSV file (a header row, then one record per row).
    #[arg(long, required = true)]
    pub csv: PathBuf,
    /// What each row becomes: `lead`, `prospect` or `contact` (a `kind`
    /// column, as in leadmail's export, wins for lead and prospect).
    #[arg(long)]
    pub kind: String,
    /// The tool that wrote the file: leadmail, nocrm, pipedrive, hubspot,
    /// zendesk-sell (default: recognised from the header row).
    #[arg(long)]
    pub preset: Option<String>,
    /// A TOML or CSV (by its `.csv` name) file mapping source columns to fields.
    #[arg(long)]
    pub map: Option<PathBuf>,
    /// Check and report without writing anything.
    #[arg(long)]
    pub dry_run: bool,
    /// The report as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// Who does a rep action (recorded on the timeline).
#[derive(Debug, Args)]
pub struct Actor {
    /// Recorded as the actor on the timeline. A user's address acts as that
    /// user (own and unassigned leads; a team lead's team; an admin any);
    /// `cli`, the default, is the operator and may act on any lead.
    #[arg(long = "as", default_value = "cli", value_parser = bounded_text)]
    pub actor: String,
}

/// A free text a command stores (a reason, a note, an actor): bounded as a
/// command read from mail is ([`crate::commands::bounds`]), a
/// usage error (exit code 2) past it.
fn bounded_text(text: &str) -> Result<String, String> {
    crate::commands::bounds::check_length(text)?;
    Ok(text.to_string())
}

/// `leads …`
#[derive(Debug, Subcommand)]
pub enum LeadsCommand {
    /// List leads (open ones unless --all).
    List {
        /// Include won, lost and cancelled leads.
        #[arg(long)]
        all: bool,
        /// `lead` (the default), `prospect` or `all`.
        #[arg(long, default_value = "lead")]
        kind: String,
        /// Only this status.
        #[arg(long)]
        status: Option<String>,
        /// Only this owner's.
        #[arg(long)]
        owner: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Show one lead.
    Show {
        /// The lead id.
        id: i64,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Turn a prospect into a lead.
    Convert {
        /// The prospect id.
        id: i64,
        #[command(flatten)]
        actor: Actor,
    },
    /// Cancel: never contact again.
    Cancel {
        /// The lead id.
        id: i64,
        /// Why.
        #[arg(long, value_parser = bounded_text)]
        reason: Option<String>,
        #[command(flatten)]
        actor: Actor,
    },
    /// Set the status (todo, standby, won, lost, cancelled).
    Status {
        /// The lead id.
        id: i64,
        /// The new status.
        status: String,
        /// For standby: when to flip back to todo (tomorrow, 3d, 2026-12-01…).
        #[arg(long)]
        until: Option<String>,
        /// For lost or cancelled: why.
        #[arg(long, value_parser = bounded_text)]
        reason: Option<String>,
        #[command(flatten)]
        actor: Actor,
    },
    /// Move to a pipeline step.
    Step {
        /// The lead id.
        id: i64,
        /// A configured step.
        #[arg(value_parser = bounded_text)]
        step: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Set the next action: `next 12 friday call about pricing`.
    Next {
        /// The lead id.
        id: i64,
        /// When, then what (e.g. `tomorrow 10:00 call`).
        #[arg(required = true, num_args = 1.., value_parser = bounded_text)]
        what: Vec<String>,
        #[command(flatten)]
        actor: Actor,
    },
    /// Mark the current next action done.
    Done {
        /// The lead id.
        id: i64,
        #[command(flatten)]
        actor: Actor,
    },
}

/// `prospects …`
#[derive(Debug, Subcommand)]
pub enum ProspectsCommand {
    /// List open prospects.
    List {
        /// Include cancelled and converted ones.
        #[arg(long)]
        all: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Turn a prospect into a lead.
    Convert {
        /// The prospect id.
        id: i64,
        #[command(flatten)]
        actor: Actor,
    },
    /// Cancel a prospect ("dead"): nobody contacts them again.
    Cancel {
        /// The prospect id.
        id: i64,
        /// Why.
        #[arg(long, value_parser = bounded_text)]
        reason: Option<String>,
        #[command(flatten)]
        actor: Actor,
    },
}

/// `contacts …`
#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// List contacts.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// `quarantine …`
#[derive(Debug, Subcommand)]
pub enum QuarantineCommand {
    /// List quarantined messages still held (with --all: released and dismissed too).
    List {
        /// Also the entries released or dismissed, with their outcome.
        #[arg(long)]
        all: bool,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// One entry in full: headers, reason, detail, size, outcome.
    Show {
        /// The entry id.
        id: i64,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Vouch for a message: it is filed again as if its sender were
    /// authenticated (an unknown sender: as a public inquiry), and the
    /// release goes on the resulting lead's timeline.
    Release {
        /// The entry id.
        id: i64,
        /// Why (kept with the entry and on the timeline).
        #[arg(long, required = true)]
        reason: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Close an entry without filing its message.
    Dismiss {
        /// The entry id.
        id: i64,
        /// Why (kept with the entry).
        #[arg(long, required = true)]
        reason: String,
        #[command(flatten)]
        actor: Actor,
    },
}

/// `users …`
#[derive(Debug, Subcommand)]
pub enum UsersCommand {
    /// The users of the config file with their open leads, overdue next
    /// actions, last mail and last digest.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Stop a user's digest (their leads keep their owner).
    Deactivate {
        /// The user's address.
        email: String,
        #[command(flatten)]
        actor: Actor,
    },
    /// Start a deactivated user's digest again.
    Activate {
        /// The user's address.
        email: String,
        #[command(flatten)]
        actor: Actor,
    },
}

/// `partners …`
#[derive(Debug, Subcommand)]
pub enum PartnersCommand {
    /// The partners of the config file with their referrals and wins.
    List {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}

/// `webhooks …`
#[derive(Debug, Subcommand)]
pub enum WebhooksCommand {
    /// Deliveries, newest event first: pending, delivered and parked.
    List {
        /// Only deliveries in this state: pending, delivered or parked.
        #[arg(long, value_parser = ["pending", "delivered", "parked"])]
        state: Option<String>,
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
    /// Sends parked deliveries again (these event ids, or all with --all).
    Retry {
        /// Event ids, as `evt_N` or `N`.
        #[arg(value_parser = parse_event_id)]
        ids: Vec<i64>,
        /// Every parked delivery.
        #[arg(long, conflicts_with = "ids")]
        all: bool,
    },
}

/// An event id as `webhooks list` prints it (`evt_12`) or bare (`12`).
fn parse_event_id(text: &str) -> Result<i64, String> {
    text.trim_start_matches("evt_")
        .parse()
        .map_err(|_| format!("{text:?} is not an event id like evt_12"))
}

/// `db …`
#[derive(Debug, Subcommand)]
pub enum DbCommand {
    /// Copy every row of one database into another, in one transaction,
    /// checking each table's row count before committing. Stop the
    /// daemons first: rows written to the source during the copy are not
    /// copied.
    Copy(DbCopyArgs),
}

/// `db copy` arguments.
#[derive(Debug, Args)]
pub struct DbCopyArgs {
    /// The database to copy (`sqlite:…` or `postgres://…`); migrated first.
    #[arg(long, value_name = "URL")]
    pub from: String,
    /// The database to fill (a PostgreSQL database must exist); migrated
    /// first, and it must be empty unless --force.
    #[arg(long, value_name = "URL")]
    pub to: String,
    /// Delete every row of the target first (in the same transaction: on
    /// any error the target is left as it was).
    #[arg(long)]
    pub force: bool,
    /// The row counts as one JSON object.
    #[arg(long)]
    pub json: bool,
}

/// `digest …`
#[derive(Debug, Subcommand)]
pub enum DigestCommand {
    /// Print the digest that would be sent (text part, or HTML with --html).
    Preview {
        /// The user's e-mail address.
        #[arg(long)]
        user: String,
        /// The local day (YYYY-MM-DD) at the user's digest time; default now.
        #[arg(long)]
        date: Option<chrono::NaiveDate>,
        /// Print the HTML part instead of the text part.
        #[arg(long)]
        html: bool,
    },
    /// Queue today's digest (if not queued yet) and send the user's pending mail now.
    Send {
        /// The user's e-mail address.
        #[arg(long)]
        user: String,
    },
    /// List the outbox (digests and confirmations, sent or pending).
    Outbox {
        /// JSON output.
        #[arg(long)]
        json: bool,
    },
}
