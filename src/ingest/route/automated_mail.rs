//! Automated mail: bounces mark addresses, auto-replies go on timelines, the rest is recorded.

use super::Ctx;
use crate::domain::{EmailAddress, TimelineKind};
use crate::ingest::automated::{
    original_message_ids, AutomatedKind, AutomatedVerdict, BouncedRecipient,
};
use crate::ingest::extract::{self, registrable_domain};
use crate::ingest::plan::*;

/// Plans an automated message; none of these creates a lead or answers.
pub(super) fn plan(ctx: &Ctx<'_>, verdict: &AutomatedVerdict, raw: &[u8]) -> IngestPlan {
    match verdict.kind {
        AutomatedKind::Bounce => bounce(ctx, verdict, raw),
        AutomatedKind::AutoReply => auto_reply(ctx, verdict),
        kind => {
            let rule = rule_of(kind);
            ctx.plan(
                rule,
                format!("automated mail ({})", verdict.signal),
                Action::Record,
            )
        }
    }
}

fn rule_of(kind: AutomatedKind) -> &'static str {
    match kind {
        AutomatedKind::FeedbackReport => "automated_feedback_report",
        AutomatedKind::DeliveryReport => "automated_delivery_report",
        AutomatedKind::List => "automated_list",
        AutomatedKind::NoReply => "automated_no_reply",
        AutomatedKind::OwnMail => "automated_own_mail",
        AutomatedKind::Bounce => "bounce",
        AutomatedKind::AutoReply => "auto_reply",
        AutomatedKind::Human => "human",
    }
}

fn bounce(ctx: &Ctx<'_>, verdict: &AutomatedVerdict, raw: &[u8]) -> IngestPlan {
    let reporter = authenticated_reporter(ctx);
    let recipients: Vec<BouncedAddress> = verdict
        .bounced
        .iter()
        .filter_map(|r| bounced_address(r, reporter.as_deref(), ctx))
        .collect();
    let originals = original_message_ids(raw, &ctx.mail.key, &ctx.mail.references);
    let listed: Vec<String> = recipients
        .iter()
        .map(|r| format!("{} ({})", r.address, r.detail))
        .collect();
    let body = if listed.is_empty() {
        "Delivery failed; no failed recipient could be read".to_string()
    } else {
        format!("Delivery failed: {}", listed.join("; "))
    };
    let entry = TimelineDraft {
        kind: TimelineKind::Bounce,
        occurred_at: ctx.at,
        actor: ctx.mail.from.as_ref().map(|p| p.email.to_string()),
        subject: ctx.mail.subject.clone(),
        body,
    };
    let reason = format!(
        "bounce ({}) for {}",
        verdict.signal,
        if listed.is_empty() {
            "no readable recipient".into()
        } else {
            listed.join(", ")
        }
    );
    ctx.plan(
        "bounce",
        reason,
        Action::Bounce(BounceMail {
            recipients,
            entry,
            originals,
        }),
    )
}

/// The registrable domain of the bounce's From when it passes the sender
/// authentication: a reporting MTA that is who it says it is.
fn authenticated_reporter(ctx: &Ctx<'_>) -> Option<String> {
    let from = ctx.mail.from.as_ref()?;
    let domain = from.email.domain();
    ctx.sender_verdict(domain)
        .passed
        .then(|| registrable_domain(domain))
}

/// A failed address; vouched for when the authenticated reporter is of its
/// domain or of ours.
fn bounced_address(
    recipient: &BouncedRecipient,
    reporter: Option<&str>,
    ctx: &Ctx<'_>,
) -> Option<BouncedAddress> {
    let address = EmailAddress::parse(&recipient.address).ok()?;
    let vouched = reporter.is_some_and(|reporter| {
        reporter == registrable_domain(address.domain())
            || ctx
                .settings
                .crm
                .company_domains
                .iter()
                .any(|d| registrable_domain(d) == reporter)
    });
    let severity = if recipient.hard { "hard" } else { "soft" };
    let detail = match (&recipient.status, &recipient.diagnostic) {
        (Some(status), _) => format!("{severity}, status {status}"),
        (None, Some(diag)) => format!("{severity}, {}", diag.chars().take(120).collect::<String>()),
        (None, None) => severity.to_string(),
    };
    Some(BouncedAddress {
        address,
        hard: recipient.hard,
        detail,
        vouched,
    })
}

fn auto_reply(ctx: &Ctx<'_>, verdict: &AutomatedVerdict) -> IngestPlan {
    let sender = ctx.mail.from.as_ref().and_then(|p| ctx.contact(p, None));
    let entry = TimelineDraft {
        kind: TimelineKind::AutoReply,
        occurred_at: ctx.at,
        actor: ctx.mail.from.as_ref().map(|p| p.email.to_string()),
        subject: ctx.mail.subject.clone(),
        body: extract::clean_body(&ctx.mail.text, None).text,
    };
    let thread = ThreadMail {
        routing_lead: None,
        references: ctx.mail.references.clone(),
        sender,
        match_sender: true,
        entry,
        flag_replied: false,
        commands: Commands::default(),
        fallback: Fallback::Record,
    };
    ctx.plan(
        "auto_reply",
        format!("automatic reply ({})", verdict.signal),
        Action::Thread(thread),
    )
}
