//! `bench`: the measuring tools behind `scripts/bench.sh` (see BENCHMARKS.md).
//!
//! Each subcommand prints one JSON object on stdout (for the script) and a
//! readable line on stderr. The corpus is `leadmail::synth`'s, from a seed;
//! `digest` and `web` seed their own database (`bench/digest_data.rs`).

#[path = "bench/digest.rs"]
mod digest;
#[path = "bench/digest_data.rs"]
mod digest_data;
#[path = "bench/fetch.rs"]
mod fetch;
#[path = "bench/latency.rs"]
mod latency;
#[path = "bench/memory.rs"]
mod memory;
#[path = "bench/micro.rs"]
mod micro;
#[path = "bench/stats.rs"]
mod stats;
#[path = "bench/web.rs"]
mod web;
#[path = "bench/web_pages.rs"]
mod web_pages;

use anyhow::Context;
use clap::{Parser, Subcommand};
use leadmail::synth::Sizes;
use std::path::PathBuf;

/// Benchmarks for leadmail.
#[derive(Debug, Parser)]
#[command(name = "bench")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write N generated messages as DIR/NNNNNNN-KIND.eml.
    Write {
        #[arg(long)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long)]
        out: PathBuf,
        /// The small-mail corpus: 1–2 KB of plain text, the same mix.
        #[arg(long)]
        small: bool,
    },
    /// Messages/second of the pure pipeline, one thread (median of the runs).
    Pipeline {
        #[arg(long)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 5)]
        runs: usize,
        /// The leadmail config the messages are planned with.
        #[arg(long)]
        config: PathBuf,
        /// The small-mail corpus: 1–2 KB of plain text, the same mix.
        #[arg(long)]
        small: bool,
    },
    /// Messages/second of the store applying plans to a fresh database: a
    /// SQLite file, or with `--postgres` a new database on that server.
    Store {
        #[arg(long)]
        n: usize,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        #[arg(long, default_value_t = 3)]
        runs: usize,
        /// Messages per transaction (200 as the daemon; 1 = `Store::apply` each).
        #[arg(long, default_value_t = 200)]
        batch: usize,
        #[arg(long)]
        config: PathBuf,
        /// A PostgreSQL server (`postgres://user:pass@127.0.0.1:PORT/db`,
        /// the user may create databases): each run gets a new database.
        #[arg(long)]
        postgres: Option<String>,
    },
    /// The floor: LOGIN, SELECT INBOX, one `UID FETCH 1:* BODY.PEEK[]`, count bytes.
    Fetch {
        #[arg(long, default_value = "127.0.0.1")]
        host: String,
        #[arg(long)]
        port: u16,
        #[arg(long)]
        user: String,
        #[arg(long)]
        password_file: PathBuf,
    },
    /// APPEND messages one at a time to a mailbox `leadmail run` watches;
    /// time from each APPEND's completion to its `processed` log line.
    Latency(latency::Args),
    /// Build (and with --smtp send) the morning digests of N users over M
    /// seeded leads; median of the runs.
    Digest(digest::Args),
    /// My day, the Leads page and a lead's page over M seeded leads, for a
    /// rep, a team lead and an admin: round-trip p50/p99 on loopback, in
    /// process and from `leadmail serve`, and that daemon's RSS.
    Web(web::Args),
    /// Write N large messages of about SIZE bytes (forwards, attachments,
    /// HTML) as DIR/NNNNNNN-large-KIND.eml (numbered 0, EVERY, 2 x EVERY…
    /// to sort among `write`'s files), for the memory step.
    Large {
        #[arg(long)]
        n: usize,
        #[arg(long, default_value_t = 20_000_000)]
        size: usize,
        #[arg(long, default_value_t = 1)]
        every: usize,
        #[arg(long)]
        out: PathBuf,
    },
    /// Write the hostile set (one message each, about SIZE bytes) as DIR/NAME.eml.
    Hostile {
        #[arg(long, default_value_t = 24_000_000)]
        size: usize,
        #[arg(long)]
        out: PathBuf,
    },
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // Off unless RUST_LOG asks (e.g. RUST_LOG=sqlx::query=debug counts statements).
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::from_default_env())
        .with_writer(std::io::stderr)
        .init();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let report = match cli.command {
        Command::Write {
            n,
            seed,
            out,
            small,
        } => write(n, seed, &out, sizes(small))?,
        Command::Pipeline {
            n,
            seed,
            runs,
            config,
            small,
        } => micro::pipeline(&micro::settings(&config)?, n, seed, runs, sizes(small)),
        Command::Store {
            n,
            seed,
            runs,
            batch,
            config,
            postgres,
        } => runtime.block_on(micro::store(
            &micro::settings(&config)?,
            micro::StoreRun {
                n,
                seed,
                runs,
                batch,
                postgres,
            },
        ))?,
        Command::Fetch {
            host,
            port,
            user,
            password_file,
        } => {
            let password = std::fs::read_to_string(&password_file)
                .with_context(|| format!("cannot read {}", password_file.display()))?;
            runtime.block_on(fetch::fetch_all(&host, port, &user, password.trim()))?
        }
        Command::Latency(args) => runtime.block_on(latency::run(&args))?,
        Command::Digest(args) => runtime.block_on(digest::run(&args))?,
        Command::Web(args) => runtime.block_on(web::run(&args))?,
        Command::Large {
            n,
            size,
            every,
            out,
        } => memory::write_large(n, size, every, &out)?,
        Command::Hostile { size, out } => memory::write_hostile(size, &out)?,
    };
    println!("{report}");
    Ok(())
}

fn sizes(small: bool) -> Sizes {
    if small {
        Sizes::Small
    } else {
        Sizes::Standard
    }
}

/// Writes the corpus; reports the count per kind and the bytes.
fn write(
    n: usize,
    seed: u64,
    out: &std::path::Path,
    sizes: Sizes,
) -> anyhow::Result<serde_json::Value> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))?;
    let mut kinds = std::collections::BTreeMap::<&str, usize>::new();
    let mut bytes = 0usize;
    for index in 0..n {
        let mail = leadmail::synth::generate_sized(seed, index, sizes);
        let path = out.join(format!("{index:07}-{}.eml", mail.kind.as_str()));
        std::fs::write(&path, &mail.bytes)
            .with_context(|| format!("cannot write {}", path.display()))?;
        *kinds.entry(mail.kind.as_str()).or_default() += 1;
        bytes += mail.bytes.len();
    }
    eprintln!(
        "bench write: {n} messages, {:.1} MB, into {}",
        bytes as f64 / 1e6,
        out.display()
    );
    Ok(serde_json::json!({ "messages": n, "bytes": bytes, "kinds": kinds }))
}
