//! The one integration test binary: every suite is a module here, so the
//! library is linked once and the servers the tests need (Dovecot, the SMTP
//! receiver, dnsmasq) are started once per run by `support`.
//!
//! `cargo test --test it` runs them all; `cargo test --test it -- daemon::`
//! one suite. Tests that need a server are `#[ignore]`d with the reason and
//! run by `scripts/test.sh` (`--include-ignored`).

mod support;

mod attachments;
mod bench_smoke;
mod cli;
mod cluster;
mod corpus;
mod daemon;
mod db_copy;
mod digest;
mod dns_auth;
mod eval;
mod export;
mod golden;
mod imap;
mod import;
mod layering;
mod logs;
mod memory;
mod oauth;
mod outbox;
mod postgres_schema;
mod postgres_tls;
mod replies_across_daemons;
mod resilience;
mod several_daemons;
mod storage;
mod terminal;
mod trust;
mod web;
mod webhooks;
