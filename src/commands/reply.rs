//! A user's reply to their digest, read as commands: `done 12`, `snooze 12
//! 2d`, `next 12 friday call back`, `won 12`, `lost 12 too expensive`,
//! `cancel 12`, `convert 12`, `step 12 Proposal`, `status 12 standby until
//! monday`. One command per line, any case, bullets allowed.
//!
//! The caller hands over the reply's text with its quoted history already
//! stripped (the pipeline's quote stripper finds "On … wrote:" and Outlook
//! header blocks); reading stops at the quoted digest and at a `-- `
//! signature, and `>` lines are skipped. Steps, statuses and due dates are read by the same
//! code as commands in a forwarded note, so both speak one vocabulary. A line
//! that names a command or a lead but cannot be read is reported back,
//! never guessed; prose ("Thanks!") is ignored.

use super::bounds::{self, check_length, refusal};
use super::note::{commands_from_note, CommandContext};
use super::{Command, NextActionDraft};
use crate::domain::LeadStatus;
use chrono::{DateTime, Utc};

/// The words that open our digest's text part: a reply's own lines end
/// where the quoted digest starts.
pub(crate) const DIGEST_MARKER: &str = "leadmail digest";

/// The command words a reply understands.
pub(crate) const VERBS: &[&str] = &[
    "done", "snooze", "next", "won", "lost", "cancel", "convert", "step", "status",
];

/// One understood line of a reply.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct ReplyCommand {
    /// The lead it acts on.
    pub lead_id: i64,
    /// What to do.
    pub action: ReplyAction,
    /// The line as the user wrote it (for the timeline entry).
    pub line: String,
}

/// What a reply line asks for; each maps to one store action.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "action")]
pub enum ReplyAction {
    /// Mark the open next action done.
    Done,
    /// Move the open next action to `until`, keeping what it says (a lead
    /// without one gets a follow-up then).
    Snooze {
        /// The new due date.
        until: DateTime<Utc>,
    },
    /// Replace the next action.
    Next(NextActionDraft),
    /// Set the status (won, lost, cancelled, standby until…, todo).
    Status {
        /// The new status.
        status: LeadStatus,
        /// The standby reminder date.
        until: Option<DateTime<Utc>>,
        /// Why it was won, lost or cancelled.
        reason: Option<String>,
    },
    /// Move to a configured pipeline step (its configured spelling).
    Step {
        /// The step.
        step: String,
    },
    /// Convert a prospect into a lead.
    Convert,
}

/// The commands of a reply, and the lines that looked like commands but
/// could not be read (each with the reason, for the confirmation mail).
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct ParsedReply {
    /// Understood commands, in reply order.
    pub commands: Vec<ReplyCommand>,
    /// `"line": why` for every line that failed.
    pub not_understood: Vec<String>,
}

/// Reads the commands of a digest reply's own text (quoted history
/// stripped by the caller), at most
/// [`bounds::MAX_COMMANDS_PER_MAIL`]; relative dates count from
/// `ctx.reference` (the reply's date) in the user's calendar.
pub(crate) fn parse_reply(body: &str, ctx: &CommandContext<'_>) -> ParsedReply {
    let mut parsed = ParsedReply::default();
    let lines = own_lines(body);
    let unread = bounds::read_at_most(lines.iter().map(String::as_str), "lines", |line| {
        match read_line(line, ctx) {
            Some(Ok(command)) => parsed.commands.push(command),
            Some(Err(why)) => parsed.not_understood.push(refusal(line, &why)),
            None => return 0,
        }
        1
    });
    parsed.not_understood.extend(unread);
    parsed
}

/// The user's own lines: up to a signature or our digest's text, without
/// quotes, bullets and blank lines.
fn own_lines(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    for raw in text.lines() {
        let line = raw.trim();
        let lower = line.to_lowercase();
        if raw.trim_end() == "--" || lower.starts_with(DIGEST_MARKER) {
            break;
        }
        if line.starts_with('>') {
            continue;
        }
        let bare = strip_bullet(line);
        if !bare.is_empty() {
            lines.push(bare.to_string());
        }
    }
    lines
}

/// Drops a leading `-`, `*`, `•`, `·`, `–` or `1.` / `1)` list marker.
fn strip_bullet(line: &str) -> &str {
    let unbulleted = line.trim_start_matches(['-', '*', '•', '·', '–', '+']);
    let digits = unbulleted.len()
        - unbulleted
            .trim_start_matches(|c: char| c.is_ascii_digit())
            .len();
    let numbered = digits > 0 && unbulleted[digits..].starts_with(['.', ')']);
    let rest = if numbered {
        &unbulleted[digits + 1..]
    } else {
        unbulleted
    };
    rest.trim()
}

/// `None` for prose, else the command or why it cannot be read.
fn read_line(line: &str, ctx: &CommandContext<'_>) -> Option<Result<ReplyCommand, String>> {
    let mut words = line.split_whitespace();
    let verb = words.next()?.trim_end_matches(':').to_lowercase();
    let id_word = words.next();
    let rest = words.collect::<Vec<_>>().join(" ");
    if !VERBS.contains(&verb.as_str()) {
        return id_word.and_then(lead_id).map(|_| {
            check_length(line)?;
            Err(format!(
                "unknown command \"{verb}\" (try {})",
                VERBS.join(", ")
            ))
        });
    }
    if let Err(why) = check_length(line) {
        return Some(Err(why));
    }
    let Some(lead_id) = id_word.and_then(lead_id) else {
        return Some(Err(format!(
            "which lead? write its number after \"{verb}\", e.g. {verb} 12"
        )));
    };
    Some(read_action(&verb, &rest, ctx).map(|action| ReplyCommand {
        lead_id,
        action,
        line: line.to_string(),
    }))
}

/// `12`, `#12`, `12:` or `12,` → 12.
fn lead_id(word: &str) -> Option<i64> {
    let digits = word
        .trim_start_matches('#')
        .trim_end_matches([':', ',', '.']);
    digits.parse::<i64>().ok().filter(|id| *id > 0)
}

fn read_action(verb: &str, rest: &str, ctx: &CommandContext<'_>) -> Result<ReplyAction, String> {
    let reason = (!rest.is_empty()).then(|| rest.to_string());
    let closed = |status| {
        Ok(ReplyAction::Status {
            status,
            until: None,
            reason: reason.clone(),
        })
    };
    match verb {
        "done" => Ok(ReplyAction::Done),
        "convert" => Ok(ReplyAction::Convert),
        "won" => closed(LeadStatus::Won),
        "lost" => closed(LeadStatus::Lost),
        "cancel" => closed(LeadStatus::Cancelled),
        "snooze" => ctx
            .calendar
            .parse_due(rest, ctx.reference)
            .map(|until| ReplyAction::Snooze { until })
            .ok_or_else(|| "snooze until when? (try 2d, tomorrow, monday, 2026-12-01)".into()),
        _ => note_command(verb, rest, ctx),
    }
}

/// Reads `next`, `step` and `status` with the note commands' own reader.
fn note_command(key: &str, value: &str, ctx: &CommandContext<'_>) -> Result<ReplyAction, String> {
    let note_line = format!("{key}: {value}");
    let read = commands_from_note(&note_line, ctx);
    if let Some(why) = read.rejected.first() {
        let prefix = refusal(note_line.trim(), "");
        return Err(why.strip_prefix(&prefix).unwrap_or(why).to_string());
    }
    read.accepted
        .into_iter()
        .find_map(reply_action)
        .ok_or_else(|| format!("cannot read \"{value}\""))
}

/// The reply action of a note command; `None` for tags and the like.
fn reply_action(command: Command) -> Option<ReplyAction> {
    match command {
        Command::Next(draft) => Some(ReplyAction::Next(draft)),
        Command::Step { step } => Some(ReplyAction::Step { step }),
        Command::Status {
            status,
            until,
            reason,
        } => Some(ReplyAction::Status {
            status,
            until,
            reason,
        }),
        _ => None,
    }
}
