//! Step 4–6 of the pipeline: who sent a message, what it is, what to file.

mod automated_mail;
mod digest_reply;
mod form_source;
mod original;
mod partner;
mod rep;
mod unknown;

use super::auth;
use super::automated::{self, AutomatedKind};
use super::extract;
use super::parse::{ParsedMail, Person};
use super::plan::{Action, ContactDraft, IngestPlan, NextActionDraft, QuarantineDraft};
use super::subject::clean_subject;
use crate::commands::note::{self as commands, CommandContext};
use crate::config::{Partner, Settings, Source, User};
use crate::domain::schedule::WorkCalendar;
use crate::domain::{EmailAddress, QuarantineReason};
use chrono::{DateTime, Utc};
use mail_parser::Message;

/// Who a message is from, as far as the configuration knows.
enum Sender<'a> {
    User(&'a User),
    Partner(&'a Partner),
    Source(&'a Source),
    /// One of our own addresses (the CRM address, our domains) that is no user.
    Own,
    Unknown,
}

/// Everything a route needs about the message being planned.
struct Ctx<'a> {
    mail: &'a ParsedMail,
    settings: &'a Settings,
    at: DateTime<Utc>,
}

impl Ctx<'_> {
    /// Whether `from_domain` passes the configured sender authentication,
    /// by a trusted receiver's results or those verified here.
    fn sender_verdict(&self, from_domain: &str) -> auth::AuthVerdict {
        let security = &self.settings.security;
        let headers: Vec<&str> = self.mail.auth_results.iter().map(String::as_str).collect();
        auth::check_sender_verified(
            &headers,
            self.mail.verified_here.as_deref(),
            from_domain,
            security.sender_auth,
            &security.trusted_authserv_ids,
        )
    }

    fn plan(&self, rule: &'static str, reason: impl Into<String>, action: Action) -> IngestPlan {
        IngestPlan {
            key: self.mail.key.clone(),
            from: self.mail.from_raw.clone(),
            sender: self.mail.from.as_ref().map(|from| from.email.clone()),
            subject: self.mail.subject.clone(),
            occurred_at: self.at,
            rule,
            reason: reason.into(),
            action,
            attachments: Vec::new(),
            fingerprint: Some(self.mail.fingerprint()),
        }
    }

    fn quarantine(
        &self,
        rule: &'static str,
        reason: QuarantineReason,
        detail: String,
        user: Option<&User>,
    ) -> IngestPlan {
        let user = user.map(|u| u.email.clone());
        self.plan(
            rule,
            detail.clone(),
            Action::Quarantine(QuarantineDraft {
                reason,
                detail,
                user,
            }),
        )
    }

    fn command_context(&self, calendar: WorkCalendar) -> CommandContext<'_> {
        CommandContext {
            settings: self.settings,
            calendar,
            reference: self.at,
        }
    }

    /// Plus tags of CRM addresses the mail was delivered or written to.
    fn plus_tags(&self) -> Vec<String> {
        let visible = self.mail.to.iter().chain(&self.mail.cc).map(|p| &p.email);
        commands::plus_tags(self.mail.delivered_to.iter().chain(visible), self.settings)
    }

    /// To/Cc people who are neither us (users, our domains, the CRM) nor partners.
    fn external_recipients(&self, people: &[&Person]) -> Vec<Person> {
        let mut seen: Vec<String> = Vec::new();
        let mut out = Vec::new();
        for person in people {
            let canonical = person.email.canonical();
            if self.is_internal(&person.email) || seen.contains(&canonical) {
                continue;
            }
            seen.push(canonical);
            out.push((*person).clone());
        }
        out
    }

    fn is_internal(&self, email: &EmailAddress) -> bool {
        self.settings.is_own_address(email) || partner_of(self.settings, email).is_some()
    }

    /// The one way a route makes a contact: never for one of our own
    /// addresses (users, aliases, our domains, the CRM address) or a partner.
    fn contact(&self, person: &Person, signature: Option<&str>) -> Option<ContactDraft> {
        (!self.is_internal(&person.email))
            .then(|| extract::contact_from(person, signature, self.default_country()))
    }

    fn default_country(&self) -> Option<&str> {
        self.settings.crm.default_country_code.as_deref()
    }
}

/// Decides the plan of a parsed, human-or-automated message.
pub(super) fn route(
    message: &Message<'_>,
    mail: &ParsedMail,
    settings: &Settings,
    at: DateTime<Utc>,
) -> IngestPlan {
    let ctx = Ctx { mail, settings, at };
    if mail.from_count > 1 {
        return ambiguous_author(&ctx);
    }
    let sender = identify(mail, settings);
    let verdict = automated::classify(message, matches!(sender, Sender::User(_)));
    if verdict.kind != AutomatedKind::Human {
        return automated_mail::plan(&ctx, &verdict, message.raw_message());
    }
    let Some(from) = &mail.from else {
        let detail = "no usable From address".to_string();
        return ctx.quarantine("no_sender", QuarantineReason::UnknownSender, detail, None);
    };
    match sender {
        Sender::User(user) => authenticated(&ctx, from, Some(user), || rep::plan(&ctx, user)),
        Sender::Partner(partner) => {
            authenticated(&ctx, from, None, || partner::plan(&ctx, partner, from))
        }
        Sender::Source(source) if source.trust_unauthenticated => form_source::plan(&ctx, source),
        Sender::Source(source) => {
            authenticated(&ctx, from, None, || form_source::plan(&ctx, source))
        }
        Sender::Own => own_address(&ctx, from),
        Sender::Unknown => unknown::plan(&ctx, from),
    }
}

/// Several From fields (or mailboxes): which one a check or a reader
/// believes is a guess, so the message is put aside.
fn ambiguous_author(ctx: &Ctx<'_>) -> IngestPlan {
    let detail = format!(
        "the message names {} authors (From fields or mailboxes); one is expected",
        ctx.mail.from_count
    );
    let reason = QuarantineReason::SpoofedSender;
    ctx.quarantine("several_from", reason, detail, None)
}

/// Mail from one of our own addresses that is no configured user (a
/// colleague, the CRM address itself): never a contact, never a lead.
fn own_address(ctx: &Ctx<'_>, from: &Person) -> IngestPlan {
    let detail = format!(
        "From {} is one of our own addresses (crm.addresses, crm.company_domains) but no configured user",
        from.email
    );
    ctx.quarantine("own_address", QuarantineReason::UnknownSender, detail, None)
}

fn identify<'a>(mail: &ParsedMail, settings: &'a Settings) -> Sender<'a> {
    let Some(from) = &mail.from else {
        return Sender::Unknown;
    };
    if let Some(user) = settings.user_by_address(&from.email) {
        return Sender::User(user);
    }
    if settings.is_own_address(&from.email) {
        return Sender::Own;
    }
    if let Some(partner) = partner_of(settings, &from.email) {
        return Sender::Partner(partner);
    }
    settings
        .sources
        .iter()
        .find(|s| s.from.iter().any(|a| a.same_mailbox(&from.email)))
        .map_or(Sender::Unknown, Sender::Source)
}

fn partner_of<'a>(settings: &'a Settings, email: &EmailAddress) -> Option<&'a Partner> {
    settings.partners.iter().find(|p| {
        p.emails.iter().any(|a| a.same_mailbox(email))
            || p.domains.iter().any(|d| email.is_in_domain(d))
    })
}

/// Runs `route` only when the From passes the configured sender authentication.
fn authenticated(
    ctx: &Ctx<'_>,
    from: &Person,
    user: Option<&User>,
    route: impl FnOnce() -> IngestPlan,
) -> IngestPlan {
    let verdict = ctx.sender_verdict(from.email.domain());
    if verdict.passed {
        return route();
    }
    let detail = format!(
        "From {} failed sender authentication: {}",
        from.email, verdict.detail
    );
    ctx.quarantine(
        "spoofed_sender",
        QuarantineReason::SpoofedSender,
        detail,
        user,
    )
}

/// The first next action of a new lead: the owner's next working-day start.
fn first_action(calendar: WorkCalendar, after: DateTime<Utc>, note: &str) -> NextActionDraft {
    NextActionDraft {
        due_at: calendar.first_workday_start_after(after),
        kind: "follow_up".into(),
        note: note.into(),
    }
}

/// A lead title from a subject, or `fallback` when nothing is left of it.
fn title_from(subject: &str, fallback: impl FnOnce() -> String) -> String {
    let cleaned = clean_subject(subject);
    if cleaned.trim().is_empty() {
        fallback()
    } else {
        cleaned.chars().take(200).collect()
    }
}

/// The rep who owns leads nobody else owns: the first active admin, else the first active user.
fn default_owner(settings: &Settings) -> Option<EmailAddress> {
    let active = || settings.users.iter().filter(|u| u.active);
    active()
        .find(|u| u.role == crate::config::Role::Admin)
        .or_else(|| active().next())
        .map(|u| u.email.clone())
}
