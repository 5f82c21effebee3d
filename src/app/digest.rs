//! `digest preview|send|outbox`: the digest from the CLI, through the same
//! code the daemon's sender runs.

use super::{print_json, UsageError};
use crate::cli::DigestCommand;
use crate::config::{Settings, User};
use crate::digest::schedule::digest_instant;
use crate::sending;
use crate::smtp::Mailer;
use crate::store::Store;
use anyhow::Context;

/// Runs one `digest` subcommand.
pub(super) async fn digest(
    command: DigestCommand,
    settings: &Settings,
    store: &Store,
) -> anyhow::Result<()> {
    match command {
        DigestCommand::Preview { user, date, html } => {
            let user = find_user(settings, &user)?;
            let now = match date {
                Some(day) => digest_instant(user.calendar.time_zone, day, user.digest_at),
                None => crate::clock::now(),
            };
            let (_, rendered) = sending::digest_for(settings, store, user, now).await?;
            outln!("Subject: {}", rendered.subject);
            outln!("");
            super::out::text(if html { &rendered.html } else { &rendered.text })?;
            Ok(())
        }
        DigestCommand::Send { user } => send(settings, store, find_user(settings, &user)?).await,
        DigestCommand::Outbox { json } => outbox(store, json).await,
    }
}

async fn send(settings: &Settings, store: &Store, user: &User) -> anyhow::Result<()> {
    let smtp = settings
        .smtp
        .as_ref()
        .ok_or_else(|| UsageError("no [smtp] section: digests cannot be sent".into()))?;
    let now = crate::clock::now();
    let queued = sending::queue_digest(settings, store, user, now).await?;
    if !queued {
        outln!(
            "today's digest for {} was queued before (or is empty and skipped)",
            user.email
        );
    }
    let mailer = Mailer::new(smtp)?;
    let mut pending = store.pending_mail_for(user.email.as_ref()).await?;
    // Sign-in links are the web app's sender's to send (one sender per mail).
    pending.retain(|mail| mail.draft.kind != crate::domain::ids::SIGNIN_KIND);
    let delivery = sending::deliver(store, &mailer, &smtp.from, pending, now).await?;
    outln!("sent {}, failed {}", delivery.sent, delivery.failed);
    anyhow::ensure!(
        delivery.failed == 0,
        "{} mail(s) not sent; they stay in the outbox and are retried (see `digest outbox`)",
        delivery.failed
    );
    Ok(())
}

async fn outbox(store: &Store, json: bool) -> anyhow::Result<()> {
    let entries = store.outbox().await?;
    if json {
        return print_json(&entries);
    }
    for e in &entries {
        outln!(
            "#{:<5} {:<12} {:<30} {:<10} {} {}",
            e.id,
            e.kind,
            e.user_email,
            e.local_date.as_deref().unwrap_or("-"),
            e.sent_at
                .as_deref()
                .map_or("PENDING".to_string(), |at| format!("sent {at}")),
            e.last_error
                .as_deref()
                .map(|err| format!("(last error: {err})"))
                .unwrap_or_default()
        );
    }
    Ok(())
}

fn find_user<'a>(settings: &'a Settings, email: &str) -> anyhow::Result<&'a User> {
    settings
        .users
        .iter()
        .find(|u| u.email.to_string().eq_ignore_ascii_case(email.trim()))
        .ok_or_else(|| UsageError(format!("no user {email} in the config")))
        .context("digest")
}
