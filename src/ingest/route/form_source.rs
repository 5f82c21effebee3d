//! Mail from a web form or marketplace: labelled fields become a lead.

use super::{first_action, Ctx};
use crate::config::Source;
use crate::domain::{EmailAddress, LeadKind, LeadSource, QuarantineReason, TimelineKind};
use crate::ingest::form::parse_labelled_fields;
use crate::ingest::parse::Person;
use crate::ingest::plan::*;
use crate::ingest::signature::find_phones;

/// Plans a form submission.
pub(super) fn plan(ctx: &Ctx<'_>, source: &Source) -> IngestPlan {
    let labels = &source.fields;
    let fields = parse_labelled_fields(&ctx.mail.text, &labels.all());
    let value = |list: &[String]| labels.line_value(&fields, list);
    let from_field = value(&labels.email)
        .and_then(|v| EmailAddress::parse(&v).ok())
        .filter(|e| !ctx.is_internal(e));
    let reply_to = ctx
        .mail
        .reply_to
        .iter()
        .find(|p| !ctx.is_internal(&p.email));
    let Some(email) = from_field.or_else(|| reply_to.map(|p| p.email.clone())) else {
        let detail = format!(
            "form {}: no submitter address in the fields or Reply-To",
            source.name
        );
        return ctx.quarantine(
            "form_no_submitter",
            QuarantineReason::Unparseable,
            detail,
            None,
        );
    };
    let name = value(&labels.name).or_else(|| reply_to.and_then(|p| p.name.clone()));
    let Some(contact) = form_contact(
        ctx,
        email,
        name,
        value(&labels.phone),
        value(&labels.company),
    ) else {
        let detail = format!(
            "form {}: the submitter is one of our own addresses",
            source.name
        );
        return ctx.quarantine(
            "form_own_submitter",
            QuarantineReason::Unparseable,
            detail,
            None,
        );
    };
    let message = labels
        .value(&fields, &labels.message)
        .unwrap_or_else(|| ctx.mail.text.trim().to_string());
    let lead = form_lead(ctx, source, contact, message);
    let reason = format!(
        "form {} submitted by {}",
        source.name, lead.contacts[0].email
    );
    ctx.plan("form", reason, Action::Lead(lead))
}

fn form_contact(
    ctx: &Ctx<'_>,
    email: EmailAddress,
    name: Option<String>,
    phone: Option<String>,
    company: Option<String>,
) -> Option<ContactDraft> {
    let mut contact = ctx.contact(&Person { email, name }, None)?;
    contact.phone = phone.map(|p| {
        find_phones(&p, ctx.default_country())
            .into_iter()
            .next()
            .unwrap_or(p)
    });
    if let Some(name) = company {
        let domain = contact.company.as_ref().and_then(|c| c.domain.clone());
        contact.company = Some(CompanyDraft { name, domain });
    }
    Some(contact)
}

fn form_lead(ctx: &Ctx<'_>, source: &Source, contact: ContactDraft, message: String) -> LeadMail {
    let who = contact.company_or_name();
    let calendar = ctx.settings.calendar_of(Some(&source.owner));
    let entry = TimelineDraft {
        kind: TimelineKind::EmailIn,
        occurred_at: ctx.at,
        actor: Some(contact.email.to_string()),
        subject: ctx.mail.subject.clone(),
        body: message,
    };
    LeadMail {
        new_lead: NewLead {
            kind: LeadKind::Lead,
            title: format!("{who} via {}", source.name),
            source: LeadSource::Form(source.name.clone()),
            owner: Some(source.owner.clone()),
            first_action: first_action(
                calendar,
                ctx.at,
                &format!("Reply to {who}'s form submission"),
            ),
        },
        contacts: vec![contact],
        entries: vec![entry],
        commands: Commands::default(),
    }
}
