//! The web app (issue 18): sign-in by a single-use link sent by mail,
//! sessions in an HttpOnly cookie, CSRF tokens on every form, and pages
//! that read and act through the same `Store` functions as the CLI.
//!
//! # Layout
//!
//! Pure (no I/O, tested in place): [`tokens`] (random tokens, hashes,
//! CSRF, cookies), [`signin`] (rate limits, the link's mail), [`access`]
//! (who sees which lead: `domain::access`'s one rule), [`actions`] (a lead
//! page's forms read as the digest reply's actions), [`listing`] (the
//! leads list's filters, search, sort and pages), [`ics`] (the calendar
//! feed's text) and [`pages`] (maud markup). The adapter: `server` (the
//! axum router, errors, headers), `session` (the signed-in user and
//! CSRF-checked forms), `auth` (sign-in), `handlers` (the pages),
//! `quarantine` (its pages, resolved through `resolve`) and `calendar`
//! (the feed and its page).

pub mod access;
pub mod actions;
pub mod day;
pub mod ics;
pub mod listing;
pub mod pages;
pub mod signin;
pub mod tokens;

mod auth;
mod calendar;
mod handlers;
mod quarantine;
mod server;
mod session;

pub use server::{serve, serve_on};
