//! Working the outbox: claim due mail, send it over the mailer's reused
//! SMTP connections, several at once, and record each outcome.
//!
//! Exactly once from the outbox: a mail is sent only by the sender that
//! claimed it ([`Store::claim_due_mail`], one claiming statement under the
//! store's write lock on either backend), and it is marked sent only after
//! the server answered 250 to its DATA. A failed send is recorded with its
//! next attempt ([`Policy::OUTBOX`]) and the claim dropped, so the mail
//! comes round again on that schedule, from whichever sender claims it.
//! One connection's failure touches only the mail on it, and the sends go
//! on while outcomes are recorded: the mails accepted during one record's
//! commit are marked sent together in the next (a commit, not a commit a
//! mail), a few milliseconds after the server accepted them.

use crate::retry::Policy;
use crate::smtp::{compose, Mailer};
use crate::store::{LeaseHolder, OutboxMail, SendClaim, Store};
use chrono::{DateTime, Duration, Utc};
use futures::StreamExt;
use lettre::message::Mailbox;
use tokio::sync::mpsc;

/// What one delivery round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// Mails the SMTP server accepted.
    pub sent: usize,
    /// Mails that failed this time (retried later unless refused for good).
    pub failed: usize,
}

/// How long a sender's claim on outbox mail lasts: another sender takes
/// the mail over only after this, should the first die before recording
/// the outcome.
const CLAIM_FOR_MINUTES: i64 = 15;
/// Mails claimed at once.
const CLAIM_BATCH: i64 = 100;

/// A claim on outbox mail for this process, from `now`.
pub fn send_claim(now: DateTime<Utc>) -> SendClaim {
    SendClaim {
        holder: LeaseHolder::this_process().id,
        until: now + Duration::minutes(CLAIM_FOR_MINUTES),
    }
}

/// Sends every mail of the outbox that is due, claimed a batch at a time
/// so that no other sender on the database sends it too; failures are
/// recorded with their next attempt ([`Policy::OUTBOX`]), 5xx refusals for
/// good.
pub async fn deliver_due(
    store: &Store,
    mailer: &Mailer,
    from: &Mailbox,
    now: DateTime<Utc>,
) -> anyhow::Result<Delivery> {
    let mut total = Delivery::default();
    loop {
        let claim = send_claim(now);
        let mails = store.claim_due_mail(&claim, now, CLAIM_BATCH).await?;
        if mails.is_empty() {
            if total.sent > 0 {
                // A sign-in link is readable only until it is sent.
                store.scrub_sent_signin_mail().await?;
            }
            return Ok(total);
        }
        let delivery = deliver(store, mailer, from, mails, now).await?;
        total.sent += delivery.sent;
        total.failed += delivery.failed;
    }
}

/// Sends these (claimed) mails, as many at once as the mailer has
/// connections, while another future records the outcomes as they come:
/// the sends go on during a record's commit, and the mails accepted
/// meanwhile are marked sent together in the next one. A record that
/// cannot be written ends the round with that error at once (the mails not
/// recorded stay claimed until their claim runs out).
pub async fn deliver(
    store: &Store,
    mailer: &Mailer,
    from: &Mailbox,
    mails: Vec<OutboxMail>,
    now: DateTime<Utc>,
) -> anyhow::Result<Delivery> {
    let (outcomes, received) = mpsc::unbounded_channel();
    let sending = async move {
        futures::stream::iter(mails)
            .map(|mail| async move {
                let sent = send_one(mailer, from, &mail).await;
                (mail, sent)
            })
            .buffer_unordered(mailer.parallelism())
            .for_each(|outcome| {
                // Only fails once the recorder is gone, and then this ends too.
                let _ = outcomes.send(outcome);
                std::future::ready(())
            })
            .await;
        // `outcomes` is dropped here: the recorder ends after the last.
        Ok(())
    };
    let ((), delivery) = tokio::try_join!(sending, record(store, received, now))?;
    Ok(delivery)
}

/// One mail and how its send went (the error, and whether it is final).
type Outcome = (OutboxMail, Result<(), (String, bool)>);

/// Records outcomes until the sends are done, all those that arrived
/// during the previous record in one go.
async fn record(
    store: &Store,
    mut received: mpsc::UnboundedReceiver<Outcome>,
    now: DateTime<Utc>,
) -> anyhow::Result<Delivery> {
    let mut delivery = Delivery::default();
    while let Some(first) = received.recv().await {
        let mut ready = vec![first];
        while let Ok(more) = received.try_recv() {
            ready.push(more);
        }
        record_ready(store, ready, now, &mut delivery).await?;
    }
    Ok(delivery)
}

/// Marks the accepted mails sent in one transaction, then each failed one
/// for its retry (or as refused for good).
async fn record_ready(
    store: &Store,
    ready: Vec<Outcome>,
    now: DateTime<Utc>,
    delivery: &mut Delivery,
) -> anyhow::Result<()> {
    let (sent, failed): (Vec<Outcome>, Vec<Outcome>) =
        ready.into_iter().partition(|(_, sent)| sent.is_ok());
    let ids: Vec<i64> = sent.iter().map(|(mail, _)| mail.id).collect();
    if !ids.is_empty() {
        store.mark_sent_many(&ids, crate::clock::now()).await?;
    }
    for (mail, _) in &sent {
        tracing::info!(to = %mail.draft.recipient, kind = mail.draft.kind, message_id = %mail.draft.message_id, "mail sent");
    }
    delivery.sent += sent.len();
    for (mail, outcome) in failed {
        if let Err((error, permanent)) = outcome {
            let retry_at = (!permanent).then(|| now + retry_after(mail.attempts));
            tracing::warn!(to = %mail.draft.recipient, error = %error, ?retry_at, "mail not sent");
            store.mark_failed(mail.id, &error, now, retry_at).await?;
            delivery.failed += 1;
        }
    }
    Ok(())
}

async fn send_one(
    mailer: &Mailer,
    from: &Mailbox,
    mail: &OutboxMail,
) -> Result<(), (String, bool)> {
    let bytes = compose(&mail.draft, from).map_err(|e| (format!("{e:#}"), true))?;
    mailer
        .send(
            &from.email,
            std::slice::from_ref(&mail.draft.recipient),
            &bytes,
        )
        .await
        .map_err(|e| (e.to_string(), e.permanent))
}

/// When a mail that failed after `attempts` earlier tries is tried again
/// ([`Policy::OUTBOX`]: 30 s, 1 min, 2 min … at most an hour, jittered).
fn retry_after(attempts: i64) -> Duration {
    let attempt = u32::try_from(attempts.max(0)).unwrap_or(u32::MAX);
    Duration::from_std(Policy::OUTBOX.wait(attempt)).unwrap_or(Duration::hours(1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_mail_is_retried_on_the_outbox_schedule() {
        assert!((Duration::seconds(30)..=Duration::seconds(60)).contains(&retry_after(0)));
        assert!((Duration::seconds(60)..=Duration::seconds(120)).contains(&retry_after(1)));
        assert!((Duration::minutes(30)..=Duration::hours(1)).contains(&retry_after(i64::MAX)));
        assert!((Duration::seconds(30)..=Duration::seconds(60)).contains(&retry_after(-1)));
    }
}
