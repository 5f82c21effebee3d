//! The short mail that answers a digest reply: what was applied and what was
//! not understood, in the user's time zone, plain text only.

use super::render_text::{wrap, wrap_list};
use super::words;
use crate::commands::reply::{ReplyAction, ReplyCommand};
use crate::domain::LeadStatus;
use chrono::{DateTime, Utc};
use chrono_tz::Tz;

/// At most this many confirmations per user and [`confirmation_window`]:
/// two robots answering each other through leadmail stop here (the
/// commands still apply; only the answer is not sent).
pub const CONFIRMATIONS_PER_WINDOW: usize = 10;

/// The span over which a user's confirmations are counted: an hour.
pub fn confirmation_window() -> chrono::Duration {
    chrono::Duration::hours(1)
}

/// Whether a user may be sent another confirmation at `now`, given when
/// their latest ones were queued (`recent`, any order; the store reads
/// [`CONFIRMATIONS_PER_WINDOW`] of them at most). One queued exactly a
/// window before `now` no longer counts. The refusal is the text to log.
pub fn may_confirm(recent: &[DateTime<Utc>], now: DateTime<Utc>) -> Result<(), String> {
    let since = now - confirmation_window();
    let in_window = recent.iter().filter(|at| **at > since).count();
    if in_window >= CONFIRMATIONS_PER_WINDOW {
        return Err(format!(
            "confirmation not sent: more than {CONFIRMATIONS_PER_WINDOW} in the last hour (a mail loop?)"
        ));
    }
    Ok(())
}

/// The confirmation's subject and text body (lines end in `\n`).
///
/// `applied` are the commands the store carried out; `not_understood` are
/// the parser's rejects and the store's refusals (`"line": why`).
pub fn render_confirmation(
    applied: &[ReplyCommand],
    not_understood: &[String],
    tz: Tz,
    now: DateTime<Utc>,
) -> (String, String) {
    let subject = confirmation_subject(applied.len(), not_understood.len());
    let mut lines = Vec::new();
    if applied.is_empty() && not_understood.is_empty() {
        lines.extend(wrap(
            "Your reply had no commands I could find, so nothing was changed.",
            "",
            "",
        ));
        lines.push(String::new());
    }
    if !applied.is_empty() {
        lines.push("Applied:".to_string());
        for command in applied {
            lines.extend(wrap(&describe(command, tz, now), "  - ", "    "));
        }
        lines.push(String::new());
    }
    if !not_understood.is_empty() {
        lines.push("Not understood (nothing was changed for these):".to_string());
        for line in not_understood {
            lines.extend(wrap(line, "  - ", "    "));
        }
        lines.push(String::new());
    }
    lines.push("-- ".to_string());
    lines.extend(wrap(
        "Reply to your digest with one command per line:",
        "",
        "",
    ));
    lines.extend(wrap_list(words::REPLY_HELP.split(" · "), "  "));
    (subject, lines.join("\n") + "\n")
}

/// "leadmail: 3 changes applied, 1 not understood".
fn confirmation_subject(applied: usize, failed: usize) -> String {
    let applied_text = format!(
        "{applied} {} applied",
        words::plural(applied, "change", "changes")
    );
    match (applied, failed) {
        (0, 0) => "leadmail: no commands found in your reply".to_string(),
        (0, n) => format!("leadmail: nothing applied, {n} not understood"),
        (_, 0) => format!("leadmail: {applied_text}"),
        (_, n) => format!("leadmail: {applied_text}, {n} not understood"),
    }
}

/// "#12: next action moved to Fri 27 Nov, 09:00".
pub fn describe(command: &ReplyCommand, tz: Tz, now: DateTime<Utc>) -> String {
    let today = now.with_timezone(&tz).date_naive();
    let when = |at: DateTime<Utc>| words::when(at, tz, today);
    let what = match &command.action {
        ReplyAction::Done => "next action done".to_string(),
        ReplyAction::Convert => "converted into a lead".to_string(),
        ReplyAction::Snooze { until } => format!("next action moved to {}", when(*until)),
        ReplyAction::Next(draft) => {
            let kind = draft.kind.replace('_', " ");
            let note = match draft.note.trim() {
                "" => String::new(),
                note => format!(" ({note})"),
            };
            format!("next action: {kind}{note}, due {}", when(draft.due_at))
        }
        ReplyAction::Step { step } => format!("step set to {step}"),
        ReplyAction::Status {
            status,
            until,
            reason,
        } => status_text(*status, until.map(when), reason.as_deref()),
    };
    format!("#{}: {what}", command.lead_id)
}

/// "marked lost (too expensive)", "on standby until Mon 30 Nov, 09:00".
fn status_text(status: LeadStatus, until: Option<String>, reason: Option<&str>) -> String {
    let base = match (status, until) {
        (LeadStatus::Standby, Some(until)) => format!("on standby until {until}"),
        (status, _) => format!("marked {status}"),
    };
    match reason {
        Some(reason) => format!("{base} ({reason})"),
        None => base,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 23, 9, 0, 0).unwrap()
    }

    fn minutes_ago(minutes: &[i64]) -> Vec<DateTime<Utc>> {
        minutes
            .iter()
            .map(|m| now() - chrono::Duration::minutes(*m))
            .collect()
    }

    #[test]
    fn a_user_under_the_limit_gets_a_confirmation() {
        assert_eq!(may_confirm(&[], now()), Ok(()));
        assert_eq!(may_confirm(&minutes_ago(&[1; 9]), now()), Ok(()));
    }

    #[test]
    fn the_tenth_confirmation_within_the_hour_stops_the_next_one() {
        let refused = may_confirm(&minutes_ago(&[1, 5, 10, 15, 20, 25, 30, 40, 50, 59]), now());
        assert_eq!(
            refused,
            Err("confirmation not sent: more than 10 in the last hour (a mail loop?)".into())
        );
    }

    #[test]
    fn a_confirmation_queued_exactly_an_hour_ago_is_outside_the_window() {
        let mut recent = minutes_ago(&[1; 9]);
        recent.push(now() - confirmation_window());
        assert_eq!(may_confirm(&recent, now()), Ok(()));
        recent.pop();
        recent.push(now() - confirmation_window() + chrono::Duration::microseconds(1));
        assert!(may_confirm(&recent, now()).is_err());
    }
}
