//! Mail from a partner: a referral, forwarded, introduced in To/Cc, or as labelled lines.

use super::original::{self, Original};
use super::{first_action, title_from, Ctx};
use crate::config::{FieldLabels, Partner};
use crate::domain::{EmailAddress, LeadKind, LeadSource, QuarantineReason, TimelineKind};
use crate::ingest::extract;
use crate::ingest::form::parse_labelled_fields;
use crate::ingest::parse::Person;
use crate::ingest::plan::*;
use crate::ingest::signature::find_phones;

/// Plans a partner's mail.
pub(super) fn plan(ctx: &Ctx<'_>, partner: &Partner, from: &Person) -> IngestPlan {
    let mail = ctx.mail;
    let recipients: Vec<&Person> = mail.to.iter().chain(&mail.cc).collect();
    let introduced = ctx.external_recipients(&recipients);
    if let Some(original) = original::find(
        mail,
        !introduced.is_empty(),
        ctx.settings.calendar_of(Some(&partner.owner)).time_zone,
    ) {
        let contacts = super::rep::original_contacts(ctx, &original, None);
        if !contacts.is_empty() {
            let reason = format!(
                "partner {} forwarded a mail from {}",
                partner.name, original.from.email
            );
            return referral(ctx, partner, contacts, &original, "partner_forward", reason);
        }
    }
    if !introduced.is_empty() {
        return introduction(ctx, partner, from, &introduced);
    }
    if let Some(contact) = labelled_contact(ctx) {
        let reason = format!(
            "partner {} named {} in labelled lines",
            partner.name, contact.email
        );
        let original = outer_as_original(ctx, from);
        return referral(
            ctx,
            partner,
            vec![contact],
            &original,
            "partner_fields",
            reason,
        );
    }
    let detail = format!(
        "partner {} wrote, but the mail names nobody: no forward, no outside To/Cc, no Email: line",
        partner.name
    );
    ctx.quarantine(
        "partner_nobody",
        QuarantineReason::Unparseable,
        detail,
        None,
    )
}

fn outer_as_original(ctx: &Ctx<'_>, from: &Person) -> Original {
    Original {
        from: from.clone(),
        subject: ctx.mail.subject.clone(),
        date: Some(ctx.at),
        text: ctx.mail.text.clone(),
        recipients: Vec::new(),
        note: String::new(),
        how: "labelled lines",
    }
}

/// Introduced people of the first introduced person's company.
fn introduction(
    ctx: &Ctx<'_>,
    partner: &Partner,
    from: &Person,
    introduced: &[Person],
) -> IngestPlan {
    let first_domain = introduced[0].email.domain().to_string();
    let contacts: Vec<ContactDraft> = introduced
        .iter()
        .filter(|p| p.email.domain() == first_domain)
        .filter_map(|p| ctx.contact(p, None))
        .collect();
    let original = Original {
        from: from.clone(),
        subject: ctx.mail.subject.clone(),
        date: Some(ctx.at),
        text: String::new(),
        recipients: Vec::new(),
        note: ctx.mail.text.clone(),
        how: "introduction",
    };
    let reason = format!("partner {} introduced {}", partner.name, contacts[0].email);
    referral(ctx, partner, contacts, &original, "partner_intro", reason)
}

fn referral(
    ctx: &Ctx<'_>,
    partner: &Partner,
    contacts: Vec<ContactDraft>,
    original: &Original,
    rule: &'static str,
    reason: String,
) -> IngestPlan {
    let owner_calendar = ctx.settings.calendar_of(Some(&partner.owner));
    let primary = &contacts[0];
    let who = primary.name_or_email();
    let mut entries = vec![TimelineDraft {
        kind: TimelineKind::Referral,
        occurred_at: ctx.at,
        actor: ctx.mail.from.as_ref().map(|p| p.email.to_string()),
        subject: ctx.mail.subject.clone(),
        body: referral_text(partner, &original.note),
    }];
    let body = extract::clean_body(&original.text, original.from.name.as_deref()).text;
    if !body.is_empty() {
        entries.push(TimelineDraft {
            kind: TimelineKind::EmailIn,
            occurred_at: original.date.filter(|d| *d <= ctx.at).unwrap_or(ctx.at),
            actor: Some(original.from.email.to_string()),
            subject: original.subject.clone(),
            body,
        });
    }
    let lead = LeadMail {
        new_lead: NewLead {
            kind: LeadKind::Lead,
            title: title_from(&original.subject, || format!("Referral: {who}")),
            source: LeadSource::Partner(partner.name.clone()),
            owner: Some(partner.owner.clone()),
            first_action: first_action(
                owner_calendar,
                ctx.at,
                &format!("Contact {who}, referred by {}", partner.name),
            ),
        },
        contacts,
        entries,
        commands: Commands::default(),
    };
    ctx.plan(rule, reason, Action::Lead(lead))
}

fn referral_text(partner: &Partner, note: &str) -> String {
    let note = extract::clean_body(note, None).text;
    if note.is_empty() {
        format!("Referred by {}", partner.name)
    } else {
        format!("Referred by {}:\n{note}", partner.name)
    }
}

/// The referred person from `Email:`/`Name:`/`Phone:`/`Company:` lines.
fn labelled_contact(ctx: &Ctx<'_>) -> Option<ContactDraft> {
    let labels = FieldLabels::default_labels();
    let all = labels.all();
    let fields = parse_labelled_fields(&ctx.mail.text, &all);
    let email = labels
        .line_value(&fields, &labels.email)
        .and_then(|v| EmailAddress::parse(&v).ok())?;
    let person = Person {
        email,
        name: labels.line_value(&fields, &labels.name),
    };
    let mut contact = ctx.contact(&person, None)?;
    contact.phone = labels.line_value(&fields, &labels.phone).map(|p| {
        find_phones(&p, ctx.default_country())
            .into_iter()
            .next()
            .unwrap_or(p)
    });
    if let Some(company) = labels.line_value(&fields, &labels.company) {
        let domain = contact.company.as_ref().and_then(|c| c.domain.clone());
        contact.company = Some(CompanyDraft {
            name: company,
            domain,
        });
    }
    Some(contact)
}
