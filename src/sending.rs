//! The outgoing side, wired in one place: store rows → digest → outbox →
//! SMTP. The daemon runs [`run`]; `digest preview|send` call the pieces.
//!
//! A digest is queued in the outbox (one per user and local day, enforced by
//! the database) before anything is sent; the sender then works the outbox,
//! retrying with capped, jittered backoff ([`crate::retry`]), so a crash or
//! an SMTP outage neither loses a digest nor sends it twice (the Message-ID
//! is fixed at queue time).
//!
//! The digests due in one round are built from rows read once for all of
//! them ([`DigestRows`]): 1,000 users' digests over 100,000 leads take one
//! pass over the leads instead of a query per user and per counted rep.

use crate::config::{Role, Settings, User};
use crate::digest::content::{build, Digest, Reach, Rules};
use crate::digest::model::{DigestInput, DigestLead, DigestQuarantined, RepCounts};
use crate::digest::{render, schedule, RenderedDigest};
use crate::domain::ids;
use crate::smtp::Mailer;
use crate::store::{OutboxDraft, Store};
use anyhow::Context;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::{BTreeSet, HashMap};
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

mod delivery;

pub use delivery::{deliver, deliver_due, send_claim, Delivery};

/// How often the sender looks for due digests and mail to retry.
const TICK: std::time::Duration = std::time::Duration::from_secs(20);

/// The rows a set of digests is built from, read once: for each user,
/// when their previous digest was built, their quarantined messages, and
/// the open leads of theirs and of the reps in their team counts. Building
/// many digests from one `DigestRows` replaces a query per user and per
/// counted rep with one pass, which leaves out the leads that no section
/// or count of these digests can take (see [`Reach`]).
#[derive(Debug, Default)]
pub struct DigestRows {
    /// Each user's instant and previous digest, by address.
    users: HashMap<String, (DateTime<Utc>, Option<DateTime<Utc>>)>,
    leads: HashMap<String, Vec<DigestLead>>,
    quarantined: HashMap<String, Vec<DigestQuarantined>>,
}

impl DigestRows {
    /// Reads what the digests of `users`, each built at its instant, need.
    /// A query per owner while they are few (an eighth of the users or
    /// less), else one pass over the leads within the digests' reach.
    pub async fn load(
        settings: &Settings,
        store: &Store,
        users: &[(&User, DateTime<Utc>)],
    ) -> anyhow::Result<Self> {
        let mut known = Vec::with_capacity(users.len());
        for &(user, now) in users {
            let last = store.last_digest(user.email.as_ref()).await?;
            known.push((user, now, since_previous(last.map(|(_, at)| at), now)));
        }
        Self::load_since(settings, store, &known).await
    }

    /// [`DigestRows::load`] for users whose previous digest time is known.
    async fn load_since(
        settings: &Settings,
        store: &Store,
        users: &[UserAt<'_>],
    ) -> anyhow::Result<Self> {
        let mut rows = DigestRows::default();
        let mut reach: Option<Reach> = None;
        for &(user, now, since) in users {
            let mine = rules(settings, user, now, since).reach();
            reach = Some(reach.map_or(mine, |all| all.union(mine)));
            rows.users.insert(user.email.to_string(), (now, since));
        }
        let owners: BTreeSet<String> = users
            .iter()
            .flat_map(|(user, _, _)| std::iter::once(*user).chain(reps(settings, user)))
            .map(|owner| owner.email.to_string())
            .collect();
        let one_pass = |n: usize| n * 8 > settings.users.len();
        rows.leads = match reach {
            Some(reach) if one_pass(owners.len()) => {
                let mut all = store.digest_leads_within(&reach).await?;
                all.retain(|owner, _| owners.contains(owner));
                all
            }
            _ => leads_of_each(store, owners).await?,
        };
        rows.quarantined = if one_pass(users.len()) {
            store.digest_quarantine_by_user().await?
        } else {
            quarantine_of_each(store, rows.users.keys()).await?
        };
        Ok(rows)
    }

    /// `user`'s digest at the instant it was loaded for.
    pub fn digest(
        &self,
        settings: &Settings,
        user: &User,
    ) -> anyhow::Result<(Digest, RenderedDigest)> {
        let email = user.email.to_string();
        let &(now, since) = self
            .users
            .get(&email)
            .with_context(|| format!("no digest rows were read for {email}"))?;
        let input = DigestInput {
            user: user.clone(),
            now,
            since,
            leads: self.leads_of(&email).to_vec(),
            quarantined: self.quarantined.get(&email).cloned().unwrap_or_default(),
            team_counts: self.team_counts(settings, user, now, since),
        };
        let mut digest = build(&input, settings.crm.stale_after_days);
        digest.lead_links = settings.web.as_ref().map(|web| web.base_url.clone());
        let rendered = render(&digest);
        Ok((digest, rendered))
    }

    fn leads_of(&self, email: &str) -> &[DigestLead] {
        self.leads.get(email).map_or(&[], Vec::as_slice)
    }

    /// Per-rep counts: a team lead's team, or everyone for an admin.
    fn team_counts(
        &self,
        settings: &Settings,
        user: &User,
        now: DateTime<Utc>,
        since: Option<DateTime<Utc>>,
    ) -> Vec<RepCounts> {
        let rules = rules(settings, user, now, since);
        reps(settings, user)
            .map(|rep| {
                let email = rep.email.to_string();
                rules.tally(&rep.name, &email, self.leads_of(&email))
            })
            .collect()
    }
}

/// A user, the instant their digest is built for, and when their previous
/// digest was queued (if before that instant).
type UserAt<'a> = (&'a User, DateTime<Utc>, Option<DateTime<Utc>>);

/// The previous digest's time, when it was queued before `now`.
pub(crate) fn since_previous(
    queued_at: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
) -> Option<DateTime<Utc>> {
    queued_at.filter(|at| *at < now)
}

/// The open leads of each owner, a query each.
async fn leads_of_each(
    store: &Store,
    owners: BTreeSet<String>,
) -> anyhow::Result<HashMap<String, Vec<DigestLead>>> {
    let mut leads = HashMap::new();
    for owner in owners {
        let theirs = store.digest_leads(&owner).await?;
        leads.insert(owner, theirs);
    }
    Ok(leads)
}

/// The held quarantine entries of each user, a query each.
async fn quarantine_of_each(
    store: &Store,
    users: impl Iterator<Item = &String>,
) -> anyhow::Result<HashMap<String, Vec<DigestQuarantined>>> {
    let mut held = HashMap::new();
    for email in users {
        held.insert(email.clone(), store.digest_quarantine(email).await?);
    }
    Ok(held)
}

/// The rules of `user`'s digest at `now`.
fn rules(
    settings: &Settings,
    user: &User,
    now: DateTime<Utc>,
    since: Option<DateTime<Utc>>,
) -> Rules {
    Rules::new(
        user.calendar.time_zone,
        now,
        since,
        settings.crm.stale_after_days,
    )
}

/// The reps in `user`'s team counts: a team lead's team, everyone for an admin.
pub(crate) fn reps<'a>(
    settings: &'a Settings,
    user: &'a User,
) -> impl Iterator<Item = &'a User> + 'a {
    settings.users.iter().filter(move |rep| {
        rep.active
            && match user.role {
                Role::Admin => true,
                Role::TeamLead => user.team.is_some() && rep.team == user.team,
                Role::User => false,
            }
    })
}

/// A user's digest at `now`, built from the database.
pub async fn digest_for(
    settings: &Settings,
    store: &Store,
    user: &User,
    now: DateTime<Utc>,
) -> anyhow::Result<(Digest, RenderedDigest)> {
    let rows = DigestRows::load(settings, store, &[(user, now)]).await?;
    rows.digest(settings, user)
}

/// The outbox row of `user`'s digest for local `day`.
pub fn digest_draft(
    settings: &Settings,
    user: &User,
    day: NaiveDate,
    rendered: RenderedDigest,
) -> anyhow::Result<OutboxDraft> {
    let smtp = settings
        .smtp
        .as_ref()
        .context("no [smtp] section: digests cannot be sent")?;
    let domain = smtp.from_domain();
    Ok(OutboxDraft {
        kind: ids::DIGEST_KIND,
        user_email: user.email.to_string(),
        local_date: Some(day),
        message_id: ids::digest_message_id(&user.email, day, &domain),
        in_reply_to: None,
        recipient: user.email.to_string(),
        subject: rendered.subject,
        text: rendered.text,
        html: Some(rendered.html),
        header_value: ids::digest_header_value(&user.email, day),
    })
}

/// Queues what is due for these active users: digests, receipts, alerts.
async fn queue_new_mail(
    settings: &Settings,
    store: &Store,
    active: &[&User],
    domain: &str,
    now: DateTime<Utc>,
) {
    if let Err(error) = queue_due_digests(settings, store, active, now).await {
        tracing::warn!(
            error = crate::telemetry::error_text(&error),
            "cannot queue digests"
        );
    }
    if let Err(error) = queue_receipts(store, active, domain, now).await {
        tracing::warn!(
            error = crate::telemetry::error_text(&error),
            "cannot queue receipts"
        );
    }
    if let Err(error) = queue_alerts(settings, store, active, domain, now).await {
        tracing::warn!(
            error = crate::telemetry::error_text(&error),
            "cannot queue mailbox alerts"
        );
    }
}

/// The users who get mail from leadmail: active in the config and not
/// deactivated with `users deactivate`.
async fn active_users<'a>(settings: &'a Settings, store: &Store) -> anyhow::Result<Vec<&'a User>> {
    let deactivated = store.deactivated_users().await?;
    Ok(settings
        .users
        .iter()
        .filter(|u| u.active && !deactivated.contains(&u.email.to_string()))
        .collect())
}

/// Tells every active admin, once, when a configured mailbox is down (its
/// login refused, or no sync for its `alert_after_minutes`), and once more
/// when it syncs again. Returns how many mails were queued.
pub async fn queue_alerts(
    settings: &Settings,
    store: &Store,
    active: &[&User],
    domain: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let admins: Vec<&User> = active
        .iter()
        .copied()
        .filter(|u| u.role == Role::Admin)
        .collect();
    let mut queued = 0;
    for health in store.mailbox_health().await? {
        let Some(mailbox) = settings
            .mailboxes
            .iter()
            .find(|m| m.name == health.mailbox && m.folder == health.folder)
        else {
            continue;
        };
        let Some((event, alerted_at, (subject, text))) = alert_for(mailbox, &health, now) else {
            continue;
        };
        let drafts: Vec<OutboxDraft> = admins
            .iter()
            .map(|admin| alert_draft(admin, &event, domain, &subject, &text))
            .collect();
        queued += drafts.len();
        store
            .finish_alert(&health.mailbox, &health.folder, alerted_at, &drafts, now)
            .await?;
    }
    Ok(queued)
}

/// An alert to send: its event key (for the Message-ID), the mailbox's new
/// `alerted_at`, and the mail's subject and text.
type Alert = (String, Option<DateTime<Utc>>, (String, String));

/// The alert a mailbox's health calls for now, if any.
fn alert_for(
    mailbox: &crate::config::Mailbox,
    health: &crate::store::MailboxHealth,
    now: DateTime<Utc>,
) -> Option<Alert> {
    let server = format!("{}:{}", mailbox.host, mailbox.port);
    match (&health.down_since, &health.alerted_at) {
        (Some(since), None) => {
            let down_for = DateTime::parse_from_rfc3339(since)
                .map(|at| now - at.with_timezone(&Utc))
                .unwrap_or_default();
            let limit =
                Duration::minutes(i64::try_from(mailbox.alert_after_minutes).unwrap_or(i64::MAX));
            if !health.last_error_auth && down_for < limit {
                return None;
            }
            let down = crate::digest::alert::MailboxDown {
                mailbox: &mailbox.name,
                server: &server,
                since,
                error: health.last_error.as_deref().unwrap_or("unknown"),
                login_refused: health.last_error_auth,
            };
            let event = format!("{}\n{}\ndown\n{since}", mailbox.name, mailbox.folder);
            Some((event, Some(now), crate::digest::alert::render_down(&down)))
        }
        (None, Some(alerted)) => {
            let event = format!("{}\n{}\nup\n{alerted}", mailbox.name, mailbox.folder);
            let mail = crate::digest::alert::render_recovered(&mailbox.name, &server);
            Some((event, None, mail))
        }
        _ => None,
    }
}

/// The outbox row of one admin's alert.
fn alert_draft(admin: &User, event: &str, domain: &str, subject: &str, text: &str) -> OutboxDraft {
    OutboxDraft {
        kind: ids::ALERT_KIND,
        user_email: admin.email.to_string(),
        local_date: None,
        message_id: ids::alert_message_id(&admin.email, event, domain),
        in_reply_to: None,
        recipient: admin.email.to_string(),
        subject: subject.to_string(),
        text: text.to_string(),
        html: None,
        header_value: ids::user_header_value(ids::ALERT_KIND, &admin.email),
    }
}

/// Receipts a rep gets within an hour at most; more are skipped (the
/// entries stay in their digest), so a broken client cannot flood them.
const RECEIPTS_PER_HOUR: i64 = 3;

/// Queues a receipt for every new quarantine entry that names an active
/// rep to tell (an authenticated rep's mail with a command that could not
/// be read or applied), at most [`RECEIPTS_PER_HOUR`] a rep; the rest are
/// marked skipped. Returns how many were queued.
pub async fn queue_receipts(
    store: &Store,
    active: &[&User],
    domain: &str,
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let mut queued = 0;
    for due in store.due_receipts().await? {
        let address = crate::domain::EmailAddress::parse(&due.receipt_to).ok();
        let rep = active
            .iter()
            .copied()
            .find(|user| address.as_ref().is_some_and(|a| user.email.same_mailbox(a)));
        let recent = match rep {
            Some(user) => {
                store
                    .receipts_since(user.email.as_ref(), now - Duration::hours(1))
                    .await?
            }
            None => RECEIPTS_PER_HOUR,
        };
        let draft = rep
            .filter(|_| recent < RECEIPTS_PER_HOUR)
            .map(|user| receipt_draft(user, &due, domain));
        queued += usize::from(draft.is_some());
        store.finish_receipt(due.id, draft.as_ref(), now).await?;
    }
    Ok(queued)
}

/// The outbox row of the receipt for one entry.
fn receipt_draft(user: &User, due: &crate::store::DueReceipt, domain: &str) -> OutboxDraft {
    let (subject, text) =
        crate::digest::receipt::render_receipt(&crate::digest::receipt::ReceiptFacts {
            entry_id: due.id,
            subject: &due.subject,
            detail: &due.detail,
        });
    OutboxDraft {
        kind: ids::RECEIPT_KIND,
        user_email: user.email.to_string(),
        local_date: None,
        message_id: ids::receipt_message_id(due.id, &due.message_key, domain),
        // A key made from the bytes (no Message-ID) is nothing to reply to.
        in_reply_to: (!due.message_key.starts_with("sha256:"))
            .then(|| format!("<{}>", due.message_key)),
        recipient: user.email.to_string(),
        subject,
        text,
        html: None,
        header_value: ids::user_header_value(ids::RECEIPT_KIND, &user.email),
    }
}

/// Queues `user`'s digest for their local day at `now`; `false` when that
/// day's digest was queued already, or it is empty and `skip_empty` holds.
pub async fn queue_digest(
    settings: &Settings,
    store: &Store,
    user: &User,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    let rows = DigestRows::load(settings, store, &[(user, now)]).await?;
    queue_from(settings, store, &rows, user, now).await
}

/// [`queue_digest`] from rows already read.
async fn queue_from(
    settings: &Settings,
    store: &Store,
    rows: &DigestRows,
    user: &User,
    now: DateTime<Utc>,
) -> anyhow::Result<bool> {
    match draft_from(settings, rows, user, now)? {
        Some(draft) => Ok(store.queue_mail(&draft, now).await?),
        None => Ok(false),
    }
}

/// `user`'s digest draft for their local day at `now`, from rows already
/// read; `None` when it is empty and `skip_empty` holds.
fn draft_from(
    settings: &Settings,
    rows: &DigestRows,
    user: &User,
    now: DateTime<Utc>,
) -> anyhow::Result<Option<OutboxDraft>> {
    let (digest, rendered) = rows.digest(settings, user)?;
    if digest.is_empty() && settings.digest.skip_empty {
        tracing::info!(user = %user.email, "digest empty: skipped");
        return Ok(None);
    }
    let day = schedule::local_date(user.calendar.time_zone, now);
    digest_draft(settings, user, day, rendered).map(Some)
}

/// Digests queued in one transaction: one commit for many instead of one
/// each, while only this many rendered digests are held at once.
pub const QUEUE_BATCH: usize = 50;

/// Queues every active user's digest that is due at `now`, from rows read
/// once for all of them, [`QUEUE_BATCH`] to a transaction.
pub async fn queue_due_digests(
    settings: &Settings,
    store: &Store,
    active: &[&User],
    now: DateTime<Utc>,
) -> anyhow::Result<usize> {
    let due = due_digests(store, active, now).await?;
    if due.is_empty() {
        return Ok(0);
    }
    let rows = DigestRows::load_since(settings, store, &due).await?;
    let mut queued = 0;
    for chunk in due.chunks(QUEUE_BATCH) {
        let mut drafts = Vec::with_capacity(chunk.len());
        for &(user, _, _) in chunk {
            drafts.extend(draft_from(settings, &rows, user, now)?);
        }
        let fresh = store.queue_mails(&drafts, now).await?;
        for (draft, _) in drafts.iter().zip(fresh).filter(|(_, fresh)| *fresh) {
            tracing::info!(user = %draft.user_email, "digest queued");
            queued += 1;
        }
    }
    Ok(queued)
}

/// The active users whose digest is due at `now`, with when their
/// previous one was queued.
async fn due_digests<'a>(
    store: &Store,
    active: &[&'a User],
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<UserAt<'a>>> {
    let mut due = Vec::new();
    for &user in active {
        let last = store.last_digest(user.email.as_ref()).await?;
        let day = schedule::due_digest_date(
            user.calendar.time_zone,
            user.digest_at,
            last.map(|(day, _)| day),
            now,
        );
        if day.is_some() {
            due.push((user, now, since_previous(last.map(|(_, at)| at), now)));
        }
    }
    Ok(due)
}

/// The web app's sender: sends due mail at once when `wake` fires (a
/// sign-in link was queued) and every tick, until cancelled; the outbox's
/// send claims keep it and the daemon's sender from sending one mail twice.
/// Without `[smtp]` nothing can be sent, which is logged once.
pub async fn run_signin_links(
    settings: &Settings,
    store: &Store,
    cancel: &CancellationToken,
    wake: &Notify,
) {
    let Some(smtp) = settings.smtp.as_ref() else {
        tracing::warn!("no [smtp] section: sign-in links cannot be mailed");
        return;
    };
    let mailer = match Mailer::new(smtp) {
        Ok(mailer) => mailer,
        Err(error) => {
            let error = crate::telemetry::error_text(&error);
            tracing::error!(error, "cannot set up SMTP: no sign-in links");
            return;
        }
    };
    while !cancel.is_cancelled() {
        if let Err(error) = deliver_due(store, &mailer, &smtp.from, crate::clock::now()).await {
            let error = crate::telemetry::error_text(&error);
            tracing::warn!(error, "cannot send sign-in links");
        }
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(TICK) => {}
            _ = wake.notified() => {}
        }
    }
}

/// The daemon's sender: queues due digests and works the outbox until cancelled.
/// `wake` fires when a mailbox pass committed mail (a digest reply queues
/// its confirmation), so confirmations do not wait for the next tick.
pub async fn run(settings: &Settings, store: &Store, cancel: &CancellationToken, wake: &Notify) {
    let mailer = mailer_for(settings);
    while !cancel.is_cancelled() {
        tick(settings, store, mailer.as_ref(), crate::clock::now()).await;
        tokio::select! {
            _ = cancel.cancelled() => return,
            _ = tokio::time::sleep(TICK) => {}
            _ = wake.notified() => {}
        }
    }
}

/// What `run --once` does after its mailbox passes: one tick, so a
/// deployment driven by cron wakes standby leads and sends due digests too.
pub async fn run_once(settings: &Settings, store: &Store) {
    let mailer = mailer_for(settings);
    tick(settings, store, mailer.as_ref(), crate::clock::now()).await;
}

/// The SMTP side when digests are on and it can be set up (else logged).
fn mailer_for(settings: &Settings) -> Option<Mailer> {
    let Some(smtp) = settings.smtp.as_ref().filter(|_| settings.digest.enabled) else {
        tracing::info!("digests off: no [smtp] section or [digest] enabled = false");
        return None;
    };
    match Mailer::new(smtp) {
        Ok(mailer) => Some(mailer),
        Err(error) => {
            tracing::error!(
                error = crate::telemetry::error_text(&error),
                "cannot set up SMTP: no digests"
            );
            None
        }
    }
}

/// One round of the scheduled work: standby leads whose date has come go
/// back to `todo`, then (with a mailer) due digests are queued and the
/// outbox is worked. Errors are logged; the next tick tries again.
async fn tick(settings: &Settings, store: &Store, mailer: Option<&Mailer>, now: DateTime<Utc>) {
    match store.wake_standby(now).await {
        Ok(woken) if !woken.is_empty() => {
            tracing::info!(leads = ?woken, "standby over: back to todo");
        }
        Ok(_) => {}
        Err(error) => tracing::warn!(error = %error, "cannot wake standby leads"),
    }
    let (Some(mailer), Some(smtp)) = (mailer, settings.smtp.as_ref()) else {
        return;
    };
    // Who gets mail, read once a tick for the digests, receipts and alerts;
    // when it cannot be read, nothing new is queued this tick.
    match active_users(settings, store).await {
        Ok(active) => queue_new_mail(settings, store, &active, &smtp.from_domain(), now).await,
        Err(error) => tracing::warn!(
            error = crate::telemetry::error_text(&error),
            "cannot read the active users"
        ),
    }
    if let Err(error) = deliver_due(store, mailer, &smtp.from, now).await {
        tracing::warn!(
            error = crate::telemetry::error_text(&error),
            "cannot work the outbox"
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::MailboxHealth;

    fn mailbox(alert_after_minutes: u64) -> crate::config::Mailbox {
        let mut settings = crate::config::tests::sample_settings_with_mailbox();
        let mut mailbox = settings.mailboxes.remove(0);
        mailbox.alert_after_minutes = alert_after_minutes;
        mailbox
    }

    fn health(down_since: Option<&str>, auth: bool, alerted: Option<&str>) -> MailboxHealth {
        MailboxHealth {
            mailbox: "crm".into(),
            folder: "INBOX".into(),
            down_since: down_since.map(str::to_string),
            last_error: down_since.map(|_| "cannot connect".to_string()),
            last_error_auth: auth,
            alerted_at: alerted.map(str::to_string),
        }
    }

    #[test]
    fn a_mailbox_is_reported_down_after_its_delay_at_once_for_a_refused_login_and_back_once() {
        let now: DateTime<Utc> = "2026-11-23T11:00:00Z".parse().unwrap();
        let ten_minutes = Some("2026-11-23T10:50:00.000000Z");
        let forty = Some("2026-11-23T10:20:00.000000Z");
        assert!(alert_for(&mailbox(30), &health(ten_minutes, false, None), now).is_none());
        let (_, alerted, (subject, _)) =
            alert_for(&mailbox(30), &health(forty, false, None), now).unwrap();
        assert_eq!(alerted, Some(now));
        assert!(subject.contains("has not synced"), "{subject}");
        assert!(alert_for(&mailbox(30), &health(ten_minutes, true, None), now).is_some());
        assert!(
            alert_for(&mailbox(30), &health(forty, false, Some("x")), now).is_none(),
            "told once"
        );
        let (_, cleared, (subject, _)) =
            alert_for(&mailbox(30), &health(None, false, Some("x")), now).unwrap();
        assert_eq!(cleared, None);
        assert!(subject.contains("syncs again"), "{subject}");
        assert!(alert_for(&mailbox(30), &health(None, false, None), now).is_none());
    }
}
