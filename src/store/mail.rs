//! One handler per plan action, inside the apply transaction.

use super::apply::Ctx;
use super::leads::{self, REPLIED};
use super::matching::{self, Resolved};
use super::quarantine::{self, Held};
use super::thread_keys::KnownThreads;
use super::{access, contacts, ops, Conn, StoreError};
use crate::domain::{LeadKind, TimelineKind};
use crate::ingest::plan::{
    Action, BounceMail, Commands, ContactDraft, Fallback, LeadMail, OutboundMail, Outcome,
    QuarantineDraft, ThreadMail, TimelineDraft,
};

/// Applies the plan's action; returns the outcome.
pub(super) async fn dispatch(conn: &mut Conn, ctx: &mut Ctx<'_>) -> Result<Outcome, StoreError> {
    let plan = ctx.plan;
    match &plan.action {
        Action::Quarantine(draft) => hold(conn, ctx, draft).await,
        Action::Record => Ok(Outcome::Automated),
        Action::Lead(mail) => lead_mail(conn, ctx, mail).await,
        Action::Outbound(mail) => outbound(conn, ctx, mail).await,
        Action::Thread(mail) => thread(conn, ctx, mail).await,
        Action::Bounce(mail) => bounce(conn, ctx, mail).await,
        Action::DigestReply(mail) => super::digest_reply::apply(conn, ctx, mail).await,
    }
}

/// Puts the message aside with its raw bytes.
async fn hold(
    conn: &mut Conn,
    ctx: &mut Ctx<'_>,
    draft: &QuarantineDraft,
) -> Result<Outcome, StoreError> {
    let held = Held {
        reason: draft.reason,
        detail: &draft.detail,
        user: draft.user.as_ref().map(|u| u.as_str()),
    };
    ctx.quarantine_id = Some(quarantine::hold(conn, ctx, held).await?);
    Ok(Outcome::Quarantined)
}

/// A lead-making mail: the contacts' open lead, else a new one.
async fn lead_mail(
    conn: &mut Conn,
    ctx: &mut Ctx<'_>,
    mail: &LeadMail,
) -> Result<Outcome, StoreError> {
    let at = ctx.plan.occurred_at;
    let first = mail.entries.first().map(|entry| ctx.first_entry(entry));
    let Resolved { lead_id, created } =
        matching::resolve(conn, &mail.contacts, &mail.new_lead, first, at).await?;
    ctx.touch(lead_id);
    // A created lead got the first entry with it.
    let written = usize::from(created && first.is_some());
    for entry in &mail.entries[written..] {
        append(conn, ctx, lead_id, entry).await?;
    }
    run_commands(conn, ctx, &[lead_id], &mail.commands).await?;
    Ok(match created {
        true => created_outcome(mail.new_lead.kind),
        false => Outcome::Appended,
    })
}

/// A rep's BCC'd mail: per company group, its open lead or a new prospect;
/// the entry and the commands go on every lead touched.
async fn outbound(
    conn: &mut Conn,
    ctx: &mut Ctx<'_>,
    mail: &OutboundMail,
) -> Result<Outcome, StoreError> {
    let at = ctx.plan.occurred_at;
    let mut created = Vec::new();
    // The leads created here got the entry with them.
    let mut with_entry = Vec::new();
    for group in &mail.groups {
        let first = Some(ctx.first_entry(&mail.entry));
        let resolved =
            matching::resolve(conn, &group.contacts, &group.new_prospect, first, at).await?;
        if resolved.created {
            created.push(group.new_prospect.kind);
            with_entry.push(resolved.lead_id);
        }
        ctx.touch(resolved.lead_id);
    }
    let touched = ctx.lead_ids.clone();
    for lead_id in touched.iter().filter(|id| !with_entry.contains(id)) {
        append(conn, ctx, *lead_id, &mail.entry).await?;
    }
    run_commands(conn, ctx, &touched, &mail.commands).await?;
    Ok(if created.contains(&LeadKind::Prospect) {
        Outcome::CreatedProspect
    } else if created.contains(&LeadKind::Lead) {
        Outcome::CreatedLead
    } else if touched.is_empty() {
        Outcome::Automated
    } else {
        Outcome::Appended
    })
}

/// A mail in a known thread, else its fallback.
async fn thread(
    conn: &mut Conn,
    ctx: &mut Ctx<'_>,
    mail: &ThreadMail,
) -> Result<Outcome, StoreError> {
    if let Some((lead_id, by)) = match_thread(conn, ctx.known, mail).await? {
        return thread_append(conn, ctx, mail, lead_id, by).await;
    }
    match &mail.fallback {
        Fallback::NewLead(lead) => lead_mail(conn, ctx, lead).await,
        Fallback::Quarantine(draft) => hold(conn, ctx, draft).await,
        Fallback::Record => Ok(Outcome::Automated),
    }
}

/// How a thread mail found its lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MatchedBy {
    /// A `crm+lead-N@` token: anyone can write one (lead ids are sequential).
    Token,
    /// A referenced message or the sender's own open lead.
    Thread,
}

/// The routing token's lead, else a lead holding a referenced message, else
/// (when asked) the open lead of the sender's contact.
async fn match_thread(
    conn: &mut Conn,
    known: &KnownThreads,
    mail: &ThreadMail,
) -> Result<Option<(i64, MatchedBy)>, StoreError> {
    if let Some(lead_id) = mail.routing_lead {
        if matching::lead_exists(conn, lead_id).await? {
            return Ok(Some((lead_id, MatchedBy::Token)));
        }
    }
    let sender = mail.sender.as_ref().map(|sender| &sender.email);
    for key in &mail.references {
        let given = conn.deferred().map(|held| held.leads_given(key.as_str()));
        let leads = known.leads_of(key.as_str(), given);
        let leads = leads.as_deref();
        if let Some(lead_id) = matching::lead_by_message(conn, key, sender, leads).await? {
            return Ok(Some((lead_id, MatchedBy::Thread)));
        }
    }
    let Some(sender) = sender.filter(|_| mail.match_sender) else {
        return Ok(None);
    };
    let lead = match contacts::find_by_address(conn, sender).await? {
        Some(contact) => matching::open_lead_of_contact(conn, contact).await?,
        None => None,
    };
    Ok(lead.map(|id| (id, MatchedBy::Thread)))
}

/// The sender a thread mail may link to its lead and update: none when
/// the lead was found by a routing token alone and the sender is not
/// already one of its contacts (a stranger's mail to `crm+lead-N@` goes on
/// the timeline and changes neither the lead's contacts nor its fields).
async fn trusted_sender<'m>(
    conn: &mut Conn,
    mail: &'m ThreadMail,
    lead_id: i64,
    by: MatchedBy,
) -> Result<Option<&'m ContactDraft>, StoreError> {
    let Some(sender) = mail.sender.as_ref().filter(|_| mail.match_sender) else {
        return Ok(None);
    };
    if by == MatchedBy::Thread || matching::is_contact_of(conn, lead_id, &sender.email).await? {
        return Ok(Some(sender));
    }
    Ok(None)
}

/// Appends a thread mail to its lead. A trusted person sender (see
/// [`trusted_sender`]) is upserted and linked, and a prospect they reply
/// on is flagged `replied`.
async fn thread_append(
    conn: &mut Conn,
    ctx: &mut Ctx<'_>,
    mail: &ThreadMail,
    lead_id: i64,
    by: MatchedBy,
) -> Result<Outcome, StoreError> {
    let at = ctx.plan.occurred_at;
    ctx.touch(lead_id);
    let sender = trusted_sender(conn, mail, lead_id, by).await?;
    if let Some(sender) = sender {
        let contact = contacts::upsert(conn, sender, at).await?;
        leads::link_contacts(conn, lead_id, &[contact.id]).await?;
    }
    append(conn, ctx, lead_id, &mail.entry).await?;
    let stranger = mail.match_sender && sender.is_none();
    if mail.flag_replied && !stranger {
        leads::flag_prospect(conn, lead_id, REPLIED, at).await?;
    }
    run_commands(conn, ctx, &[lead_id], &mail.commands).await?;
    Ok(match mail.entry.kind {
        TimelineKind::AutoReply => Outcome::Automated,
        _ => Outcome::Appended,
    })
}

/// Marks each failed address bouncing and puts the entry on its contact's
/// open leads (or its most recent lead when none is open) — only when the
/// bounce is vouched for or returns a message on that contact's timeline,
/// so a forged bounce changes nothing.
async fn bounce(
    conn: &mut Conn,
    ctx: &mut Ctx<'_>,
    mail: &BounceMail,
) -> Result<Outcome, StoreError> {
    let at = ctx.plan.occurred_at;
    for recipient in &mail.recipients {
        let ours = matching::on_timeline_of(conn, &recipient.address, &mail.originals).await?;
        if !recipient.vouched && !ours {
            tracing::info!(key = %ctx.plan.key, "bounce names none of our messages to this address: not marked");
            continue;
        }
        let Some(contact) = contacts::mark_bounced(conn, recipient, at).await? else {
            continue;
        };
        let mut targets = matching::leads_of_contact(conn, contact, true).await?;
        if targets.is_empty() {
            targets = matching::leads_of_contact(conn, contact, false).await?;
            targets.truncate(1);
        }
        for lead_id in targets {
            if !ctx.lead_ids.contains(&lead_id) {
                ctx.touch(lead_id);
                append(conn, ctx, lead_id, &mail.entry).await?;
            }
        }
    }
    Ok(Outcome::Bounce)
}

/// Writes one of the message's entries, keyed by the message.
async fn append(
    conn: &mut Conn,
    ctx: &Ctx<'_>,
    lead_id: i64,
    entry: &TimelineDraft,
) -> Result<(), StoreError> {
    leads::add_entry(conn, lead_id, entry, Some(ctx.plan.key.as_str())).await
}

/// Applies the commands to each lead their giver may change (see
/// [`access::check_by`]); collects what was refused.
async fn run_commands(
    conn: &mut Conn,
    ctx: &mut Ctx<'_>,
    lead_ids: &[i64],
    commands: &Commands,
) -> Result<(), StoreError> {
    ctx.rejected.extend(commands.rejected.iter().cloned());
    if commands.accepted.is_empty() {
        return Ok(());
    }
    let by = commands.by.as_ref().map(|user| user.as_str());
    for lead_id in lead_ids {
        if let Err(refusal) = access::check_by(conn, *lead_id, by).await {
            let StoreError::Invalid { .. } = refusal else {
                return Err(refusal);
            };
            let n = commands.accepted.len();
            ctx.rejected
                .push(format!("{refusal} ({n} command(s) not applied)"));
            continue;
        }
        let refused = ops::apply_commands(conn, *lead_id, &commands.accepted, ctx.change()).await?;
        ctx.rejected.extend(refused);
    }
    Ok(())
}

fn created_outcome(kind: LeadKind) -> Outcome {
    match kind {
        LeadKind::Prospect => Outcome::CreatedProspect,
        LeadKind::Lead => Outcome::CreatedLead,
    }
}
