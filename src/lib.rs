//! leadmail: turns a sales team's email into CRM records.
//!
//! # Layout
//!
//! - [`domain`]: pure value types (addresses, Message-IDs, lead vocabulary).
//! - [`config`]: the TOML file, validated once into [`config::Settings`].
//! - [`ingest`]: the pure pipeline, raw bytes + settings + arrival time →
//!   [`ingest::plan::IngestPlan`]. No I/O, so it is tested with fixture files.
//! - [`commands`]: the pure command vocabulary reps use by mail (note
//!   lines, plus tags, digest replies) and its parser, shared by
//!   [`ingest`] and [`digest`], which do not depend on each other.
//! - [`digest`]: the pure morning digest: rows → sections → text and HTML,
//!   when it is due, and the confirmation of a reply's commands.
//! - [`store`]: the only module that speaks SQL; applies a plan in one
//!   transaction and answers the listings.
//! - [`imap`]: the async-imap adapter (TLS, login, UID fetch, flag/move,
//!   IDLE) that turns the wire into [`imap::RawMail`]; no CRM logic.
//! - [`oauth2`]: XOAUTH2 access tokens from a refresh token (the pure
//!   grant in [`oauth2::token`], a `reqwest` POST, a cache per mailbox).
//! - [`smtp`]: the lettre adapter that sends finished messages; no CRM logic.
//! - [`sending`]: store → digest → outbox → [`smtp`], the outgoing side.
//! - [`retry`]: the one backoff policy (exponential, jittered, capped) for
//!   reconnecting mailboxes and the outbox's retries.
//! - [`leasing`]: one daemon per mailbox (wait, renew, give back the lease).
//! - [`daemon`]: `run`, wiring [`imap`] → [`ingest`] → [`store`] per mailbox.
//! - [`app`]: the CLI commands, wiring files and the store to the pipeline.
//! - [`cli`], [`telemetry`]: argument parsing and logging set-up.
//! - [`clock`]: the wall clock the adapters read (tests fix it with
//!   `LEADMAIL_NOW`).
//! - [`export`]: pure CSV export of the leads, safe against formula injection.
//! - [`import`]: pure CSV import (leadmail's export, other CRMs' presets,
//!   `--map` files): rows validated or refused with their line.
//! - [`resolve`]: releasing and dismissing quarantine entries (who may, the
//!   vouched refile), for `quarantine release|dismiss` and the web app.
//! - [`files`]: files readable by their owner only, written atomically
//!   (CSV exports, kept attachments, a new database).
//! - [`memory`]: returning freed heap pages to the system between batches.
//! - [`web`]: the web app (sign-in by mail, leads, a lead's page, My day,
//!   the calendar feed) over the same [`store`] functions as the CLI.
//! - [`eval`]: scores the mail-reading parts against the shared corpora
//!   ground truth (`leadmail eval`, `EVALUATION.md`).
//!
//! The pure core (`domain`, `ingest`) imports no tokio or sqlx: the clock and
//! the configuration are arguments.
//!
//! Only the modules the binary, the benchmarks and the integration tests
//! use are public; `unreachable_pub` keeps every other item `pub(crate)`
//! at most, so code that nothing outside calls shows up as dead.

#![warn(unreachable_pub)]

pub mod app;
pub mod cli;
pub mod clock;
mod commands;
pub mod config;
mod daemon;
pub mod digest;
mod dns_auth;
pub mod domain;
pub mod eval;
mod export;
mod files;
pub mod imap;
mod import;
pub mod ingest;
mod leasing;
pub mod memory;
mod oauth2;
pub mod resolve;
mod retry;
pub mod sending;
pub mod smtp;
pub mod store;
#[cfg(feature = "bench")]
pub mod synth;
pub mod telemetry;
pub mod web;
mod webhook;
mod webhook_sender;
