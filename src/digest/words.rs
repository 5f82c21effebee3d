//! The digest's wording, shared by the text and HTML parts: subject, section
//! titles, localised dates and the one-line labels of leads and messages.

use super::content::Digest;
use super::model::{DigestAction, DigestLead, DigestQuarantined};
use crate::domain::{LeadKind, LeadStatus, QuarantineReason, TimelineKind};
use chrono::{DateTime, Datelike, NaiveDate, Utc};
use chrono_tz::Tz;

/// The first words of a digest's text part; a reply parser stops there.
pub const DIGEST_MARKER: &str = "leadmail digest";

/// The reply commands, as the digest's footer teaches them.
pub const REPLY_HELP: &str = "done 12 · snooze 12 2d · next 12 friday call back · \
                              won 12 · lost 12 reason · step 12 Proposal · convert 12 · cancel 12";

/// "Your day: 3 overdue, 5 today, 2 new leads", zero parts left out.
pub fn subject(digest: &Digest) -> String {
    let counts = digest.counts();
    let parts: Vec<String> = [
        (counts.overdue, "overdue".to_string()),
        (counts.today, "today".to_string()),
        (
            counts.new_leads,
            plural(counts.new_leads, "new lead", "new leads"),
        ),
        (
            counts.replied,
            plural(counts.replied, "prospect replied", "prospects replied"),
        ),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    if !parts.is_empty() {
        return format!("Your day: {}", parts.join(", "));
    }
    if digest.is_empty() {
        return "Your day: all clear".to_string();
    }
    let review = counts.no_next_action + counts.stale + counts.quarantined;
    match review {
        0 => "Your day: nothing due today, team update".to_string(),
        n => format!("Your day: nothing due today, {n} to review"),
    }
}

/// The heading line: "leadmail digest · Mon 23 Nov 2026 · Alice Martins".
pub fn heading(digest: &Digest) -> String {
    format!(
        "{DIGEST_MARKER} · {} · {}",
        digest.day.format("%a %-d %b %Y"),
        digest.user_name
    )
}

/// `one` or `many` by count.
pub fn plural(n: usize, one: &str, many: &str) -> String {
    if n == 1 { one } else { many }.to_string()
}

/// "Mon 23 Nov, 14:00" in `tz`, with the year when it is not `today`'s.
pub fn when(at: DateTime<Utc>, tz: Tz, today: NaiveDate) -> String {
    let local = at.with_timezone(&tz);
    if local.year() == today.year() {
        local.format("%a %-d %b, %H:%M").to_string()
    } else {
        local.format("%a %-d %b %Y, %H:%M").to_string()
    }
}

/// "call: ask about budget", or just "call".
pub fn action(action: &DigestAction) -> String {
    let kind = action.kind.replace('_', " ");
    match action.note.trim() {
        "" => kind,
        note => format!("{kind}: {note}"),
    }
}

/// "due Fri 20 Nov, 09:00 (3 days late)" or "due today 14:00".
pub fn due(action: &DigestAction, digest: &Digest) -> String {
    let tz = digest.time_zone;
    let local = action.due_at.with_timezone(&tz);
    let days_late = (digest.day - local.date_naive()).num_days();
    match days_late {
        0 => format!("due today {}", local.format("%H:%M")),
        n if n > 0 => format!(
            "due {} ({n} {} late)",
            when(action.due_at, tz, digest.day),
            plural(n as usize, "day", "days")
        ),
        _ => format!("due {}", when(action.due_at, tz, digest.day)),
    }
}

/// "#12 Website redesign · Acme" — the lead's id first, for replies.
pub fn lead_title(lead: &DigestLead) -> String {
    match lead.company.as_deref().filter(|c| !c.trim().is_empty()) {
        Some(company) => format!("#{} {} · {company}", lead.id, lead.title),
        None => format!("#{} {}", lead.id, lead.title),
    }
}

/// "Jane Doe · jane@acme.test · +351 912 345 678", whatever is known.
pub fn contact(lead: &DigestLead) -> Option<String> {
    let parts: Vec<&str> = [
        lead.contact_name.as_deref(),
        lead.contact_email.as_deref(),
        lead.phone.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|s| !s.trim().is_empty())
    .collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// "last: mail in, Thu 19 Nov — Re: pricing".
pub fn last_activity(lead: &DigestLead, digest: &Digest) -> String {
    let at = when(lead.last_activity_at, digest.time_zone, digest.day);
    match &lead.last_activity {
        Some(activity) => format!(
            "last: {}, {at} — {}",
            activity_kind(activity.kind),
            activity.subject
        ),
        None => format!("last activity {at}"),
    }
}

/// "prospect · step Proposal · standby": what sets the lead apart, if anything.
pub fn state(lead: &DigestLead) -> Option<String> {
    let kind = (lead.kind == LeadKind::Prospect).then(|| "prospect".to_string());
    let step = lead.step.as_deref().map(|s| format!("step {s}"));
    let standby = (lead.status == LeadStatus::Standby).then(|| "standby".to_string());
    let parts: Vec<String> = kind.into_iter().chain(step).chain(standby).collect();
    (!parts.is_empty()).then(|| parts.join(" · "))
}

/// "referral from Northwind", "web form website", "forwarded by you"…
pub fn source(source: &str) -> String {
    if let Some(partner) = source.strip_prefix("partner:") {
        return format!("referral from {partner}");
    }
    if let Some(form) = source.strip_prefix("form:") {
        return format!("web form {form}");
    }
    match source {
        "forward" => "forwarded by you".into(),
        "bcc" => "your outbound mail".into(),
        "direct" => "direct inquiry".into(),
        "manual" => "added by hand".into(),
        other => other.to_string(),
    }
}

/// A timeline kind in words.
pub fn activity_kind(kind: TimelineKind) -> &'static str {
    match kind {
        TimelineKind::EmailIn => "mail in",
        TimelineKind::EmailOut => "mail out",
        TimelineKind::Note => "note",
        TimelineKind::Referral => "referral",
        TimelineKind::Bounce => "bounce",
        TimelineKind::AutoReply => "auto-reply",
        TimelineKind::StatusChange => "status change",
        TimelineKind::StepChange => "step change",
        TimelineKind::NextAction => "next action",
        TimelineKind::Imported => "import",
    }
}

/// "Q7 · from x@y · unknown sender · Mon 23 Nov, 06:10".
pub fn quarantined(entry: &DigestQuarantined, digest: &Digest) -> String {
    let from = entry.from.as_deref().unwrap_or("(no sender)");
    format!(
        "Q{} · from {from} · {} · {}",
        entry.id,
        quarantine_reason(entry.reason),
        when(entry.at, digest.time_zone, digest.day)
    )
}

/// A quarantine reason in words.
pub fn quarantine_reason(reason: QuarantineReason) -> &'static str {
    match reason {
        QuarantineReason::SpoofedSender => "failed sender authentication",
        QuarantineReason::UnknownSender => "unknown sender",
        QuarantineReason::TooLarge => "too large",
        QuarantineReason::Unparseable => "unreadable",
        QuarantineReason::BadCommand => "command not understood",
        QuarantineReason::ReusedMessageId => "Message-ID reused with other content",
    }
}
