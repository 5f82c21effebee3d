//! Mail from a rep: a reply to their digest, a forwarded inquiry, a BCC'd
//! outbound mail, or a note to a lead.

use super::original::{self, Original};
use super::{first_action, title_from, Ctx};
use crate::commands::note::{self as commands, CommandContext};
use crate::config::User;
use crate::domain::freemail::is_freemail;
use crate::domain::{EmailAddress, LeadKind, LeadSource, QuarantineReason, TimelineKind};
use crate::ingest::extract::{self, registrable_domain};
use crate::ingest::parse::Person;
use crate::ingest::plan::*;
use chrono::Duration;

/// Days a new prospect waits before its first follow-up.
const PROSPECT_FOLLOW_UP_DAYS: i64 = 3;

/// Plans a rep's mail.
pub(super) fn plan(ctx: &Ctx<'_>, user: &User) -> crate::ingest::plan::IngestPlan {
    if let Some(reply) = super::digest_reply::plan(ctx, user) {
        return reply;
    }
    let mail = ctx.mail;
    let recipients: Vec<&Person> = mail.to.iter().chain(&mail.cc).collect();
    let externals = ctx.external_recipients(&recipients);
    let cmd_ctx = ctx.command_context(user.calendar);
    let (mut tag_commands, routing) = commands::commands_from_plus_tags(&ctx.plus_tags(), &cmd_ctx);
    tag_commands.by = Some(user.email.clone());
    if let Some(original) = original::find(mail, !externals.is_empty(), user.calendar.time_zone) {
        return forward(ctx, user, original, tag_commands, &cmd_ctx);
    }
    if !externals.is_empty() {
        return outbound(ctx, user, &externals, tag_commands);
    }
    if let Some(lead_id) = routing {
        return note_to_lead(ctx, user, lead_id, tag_commands, &cmd_ctx);
    }
    let detail = match original::nameless_sender(mail, !externals.is_empty()) {
        Some(name) => format!(
            "a forwarded message whose sender shows no address (From: {name}) and whose \
             signature names none: nothing to file it under; forward it again with the \
             sender's address shown"
        ),
        None => "nothing to file: no external recipient, no forwarded message and no \
                 crm+lead-N tag"
            .to_string(),
    };
    ctx.quarantine(
        "rep_nothing_to_file",
        QuarantineReason::BadCommand,
        detail,
        Some(user),
    )
}

/// The note's commands, then the plus tags' (which carry the rep).
fn merge(mut a: Commands, mut b: Commands) -> Commands {
    a.accepted.append(&mut b.accepted);
    a.rejected.append(&mut b.rejected);
    a.by = a.by.or(b.by);
    a
}

/// A forwarded inquiry becomes a lead owned by the rep; the rep's text is a note.
fn forward(
    ctx: &Ctx<'_>,
    user: &User,
    original: Original,
    tags: Commands,
    cmd_ctx: &CommandContext<'_>,
) -> IngestPlan {
    let commands = merge(commands::commands_from_note(&original.note, cmd_ctx), tags);
    let Some(lead_mail) = lead_from_original(ctx, &original, user, commands) else {
        let detail = format!(
            "the forwarded message is from {} (one of us) and names nobody outside",
            original.from.email
        );
        return ctx.quarantine(
            "rep_forward_internal",
            QuarantineReason::BadCommand,
            detail,
            Some(user),
        );
    };
    let reason = format!(
        "rep {} forwarded a mail from {} ({})",
        user.email, original.from.email, original.how
    );
    ctx.plan("rep_forward", reason, Action::Lead(lead_mail))
}

/// The lead a forwarded original makes: contact = its sender (or, when one of
/// us wrote it, its outside recipients).
pub(super) fn lead_from_original(
    ctx: &Ctx<'_>,
    original: &Original,
    user: &User,
    commands: Commands,
) -> Option<LeadMail> {
    let body = extract::clean_body(&original.text, original.from.name.as_deref());
    let contacts = original_contacts(ctx, original, body.signature.as_deref());
    let primary = contacts.first()?.clone();
    let mut entries = vec![TimelineDraft {
        kind: TimelineKind::EmailIn,
        occurred_at: original.date.filter(|d| *d <= ctx.at).unwrap_or(ctx.at),
        actor: Some(original.from.email.to_string()),
        subject: original.subject.clone(),
        body: body.text,
    }];
    let note = original.note.trim();
    if !note.is_empty() {
        entries.push(TimelineDraft {
            kind: TimelineKind::Note,
            occurred_at: ctx.at,
            actor: Some(user.email.to_string()),
            subject: ctx.mail.subject.clone(),
            body: extract::clean_body(note, Some(&user.name)).text,
        });
    }
    let who = primary.name_or_email();
    Some(LeadMail {
        new_lead: NewLead {
            kind: LeadKind::Lead,
            title: title_from(&original.subject, || format!("Inquiry from {who}")),
            source: LeadSource::Forward,
            owner: Some(user.email.clone()),
            first_action: first_action(user.calendar, ctx.at, &format!("Reply to {who}")),
        },
        contacts,
        entries,
        commands,
    })
}

pub(super) fn original_contacts(
    ctx: &Ctx<'_>,
    original: &Original,
    signature: Option<&str>,
) -> Vec<ContactDraft> {
    if let Some(contact) = ctx.contact(&original.from, signature) {
        return vec![contact];
    }
    let refs: Vec<&Person> = original.recipients.iter().collect();
    ctx.external_recipients(&refs)
        .iter()
        .filter_map(|p| ctx.contact(p, None))
        .collect()
}

/// A BCC'd mail: one prospect per new company, or an `email_out` on an open lead.
fn outbound(ctx: &Ctx<'_>, user: &User, externals: &[Person], commands: Commands) -> IngestPlan {
    let groups = group_by_company(externals)
        .into_iter()
        .map(|people| outbound_group(ctx, user, &people))
        .collect::<Vec<_>>();
    let entry = TimelineDraft {
        kind: TimelineKind::EmailOut,
        occurred_at: ctx.at,
        actor: Some(user.email.to_string()),
        subject: ctx.mail.subject.clone(),
        body: extract::clean_body(&ctx.mail.text, Some(&user.name)).text,
    };
    let names: Vec<String> = externals.iter().map(|p| p.email.to_string()).collect();
    let reason = format!("rep {} wrote to {}", user.email, names.join(", "));
    let mail = OutboundMail {
        rep: user.email.clone(),
        groups,
        entry,
        commands,
    };
    ctx.plan("rep_bcc", reason, Action::Outbound(mail))
}

/// Recipients grouped by company domain; free-mail people each on their own.
fn group_by_company(people: &[Person]) -> Vec<Vec<Person>> {
    let mut groups: Vec<(String, Vec<Person>)> = Vec::new();
    for person in people {
        let key = company_key(&person.email);
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, group)) => group.push(person.clone()),
            None => groups.push((key, vec![person.clone()])),
        }
    }
    groups.into_iter().map(|(_, g)| g).collect()
}

fn company_key(email: &EmailAddress) -> String {
    if is_freemail(email.domain()) {
        email.canonical()
    } else {
        registrable_domain(email.domain())
    }
}

fn outbound_group(ctx: &Ctx<'_>, user: &User, people: &[Person]) -> OutboundGroup {
    let contacts: Vec<ContactDraft> = people.iter().filter_map(|p| ctx.contact(p, None)).collect();
    let who = contacts[0].company_or_name();
    let follow_up_from = ctx.at + Duration::days(PROSPECT_FOLLOW_UP_DAYS - 1);
    OutboundGroup {
        new_prospect: NewLead {
            kind: LeadKind::Prospect,
            title: title_from(&ctx.mail.subject, || format!("Outreach to {who}")),
            source: LeadSource::Bcc,
            owner: Some(user.email.clone()),
            first_action: first_action(
                user.calendar,
                follow_up_from,
                &format!("Follow up with {who}"),
            ),
        },
        contacts,
    }
}

/// A rep's mail to `crm+lead-N@` with no outside recipient: a note on lead N.
fn note_to_lead(
    ctx: &Ctx<'_>,
    user: &User,
    lead_id: i64,
    tags: Commands,
    cmd_ctx: &CommandContext<'_>,
) -> IngestPlan {
    let text = extract::clean_body(&ctx.mail.text, Some(&user.name)).text;
    let commands = merge(commands::commands_from_note(&text, cmd_ctx), tags);
    let entry = TimelineDraft {
        kind: TimelineKind::Note,
        occurred_at: ctx.at,
        actor: Some(user.email.to_string()),
        subject: ctx.mail.subject.clone(),
        body: text,
    };
    let detail = format!("crm+lead-{lead_id}: there is no lead {lead_id}");
    let thread = ThreadMail {
        routing_lead: Some(lead_id),
        references: Vec::new(),
        sender: None,
        match_sender: false,
        entry,
        flag_replied: false,
        commands,
        fallback: Fallback::Quarantine(QuarantineDraft {
            reason: QuarantineReason::BadCommand,
            detail,
            user: Some(user.email.clone()),
        }),
    };
    ctx.plan(
        "rep_note",
        format!("rep {} wrote a note on lead {lead_id}", user.email),
        Action::Thread(thread),
    )
}
