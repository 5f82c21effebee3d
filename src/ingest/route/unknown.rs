//! Mail from someone we don't know: a reply in a thread, a direct inquiry, or quarantine.

use super::{default_owner, first_action, title_from, Ctx};
use crate::domain::{LeadKind, LeadSource, QuarantineReason, TimelineKind};
use crate::ingest::extract;
use crate::ingest::parse::Person;
use crate::ingest::plan::*;

/// Plans mail from an unknown sender.
pub(super) fn plan(ctx: &Ctx<'_>, from: &Person) -> IngestPlan {
    let body = extract::clean_body(&ctx.mail.text, from.name.as_deref());
    let Some(contact) = ctx.contact(from, body.signature.as_deref()) else {
        return super::own_address(ctx, from);
    };
    let entry = TimelineDraft {
        kind: TimelineKind::EmailIn,
        occurred_at: ctx.at,
        actor: Some(from.email.to_string()),
        subject: ctx.mail.subject.clone(),
        body: body.text,
    };
    let routing = routing_lead(ctx);
    let (fallback, rule) = if ctx.settings.crm.public_inquiries {
        (
            Fallback::NewLead(direct_lead(ctx, contact.clone(), entry.clone())),
            "reply_or_direct_inquiry",
        )
    } else {
        (
            Fallback::Quarantine(unknown_sender(from)),
            "reply_or_unknown_sender",
        )
    };
    let thread = ThreadMail {
        routing_lead: routing,
        references: ctx.mail.references.clone(),
        sender: Some(contact),
        match_sender: true,
        entry,
        flag_replied: true,
        commands: Commands::default(),
        fallback,
    };
    let reason = format!("{} is not a user, partner or source", from.email);
    ctx.plan(rule, reason, Action::Thread(thread))
}

/// A `crm+lead-N@` routing token in the delivery or visible addresses.
fn routing_lead(ctx: &Ctx<'_>) -> Option<i64> {
    ctx.plus_tags().iter().find_map(|tag| {
        let tag = tag.to_ascii_lowercase();
        tag.strip_prefix("lead-").and_then(|n| n.parse().ok())
    })
}

fn unknown_sender(from: &Person) -> QuarantineDraft {
    QuarantineDraft {
        reason: QuarantineReason::UnknownSender,
        detail: format!(
            "{} is not a user, partner or source, did not reply to a known thread, has no open lead, and crm.public_inquiries is false",
            from.email
        ),
        user: None,
    }
}

fn direct_lead(ctx: &Ctx<'_>, contact: ContactDraft, entry: TimelineDraft) -> LeadMail {
    let owner = default_owner(ctx.settings);
    let calendar = ctx.settings.calendar_of(owner.as_ref());
    let who = contact.name_or_email();
    LeadMail {
        new_lead: NewLead {
            kind: LeadKind::Lead,
            title: title_from(&ctx.mail.subject, || format!("Inquiry from {who}")),
            source: LeadSource::Direct,
            owner,
            first_action: first_action(calendar, ctx.at, &format!("Reply to {who}")),
        },
        contacts: vec![contact],
        entries: vec![entry],
        commands: Commands::default(),
    }
}
