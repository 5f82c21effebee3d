//! leadmail: turns a sales team's email into CRM records.
//!
//! # Layout
//!
//! - [`domain`]: pure value types (addresses, Message-IDs, lead vocabulary).
//! - [`config`]: the TOML file, validated once into [`config::Settings`].
//! - [`ingest`]: the pure pipeline, raw bytes + settings + arrival time →
//!   [`ingest::plan::IngestPlan`]. No I/O, so it is tested with fixture files.
//! - [`store`]: the only module that speaks SQL; applies a plan in one
//!   transaction and answers the listings.
//! - [`app`]: the CLI commands, wiring files and the store to the pipeline.
//! - [`cli`], [`telemetry`]: argument parsing and logging set-up.
//!
//! The pure core (`domain`, `ingest`) imports no tokio or sqlx: the clock and
//! the configuration are arguments.

pub mod app;
pub mod cli;
pub mod config;
pub mod domain;
pub mod ingest;
pub mod store;
pub mod telemetry;
