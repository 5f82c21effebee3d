//! Commands a rep gives by mail: plus tags on the CRM address and note lines.
//!
//! Only known keys are commands (`next:`, `amount:`, `step:`, `status:`,
//! `owner:`, `#tag`); a line whose key is a near miss of one (`nxt:`) is
//! reported as unknown; any other `Word: text` line is ordinary prose.
//! A command whose value cannot be read is reported, never guessed.

use super::bounds;
use super::{Command, Commands, NextActionDraft};
use crate::config::Settings;
use crate::domain::schedule::WorkCalendar;
use crate::domain::{EmailAddress, LeadStatus};
use chrono::{DateTime, Utc};
use regex::Regex;
use std::sync::LazyLock;

const KEYS: &[&str] = &["next", "amount", "step", "status", "owner", "tags", "tag"];
const ACTION_KINDS: &[&str] = &[
    "call",
    "email",
    "meeting",
    "demo",
    "visit",
    "follow_up",
    "follow-up",
];

/// What a command needs to know: the rep's calendar, the message time and the config.
pub(crate) struct CommandContext<'a> {
    /// The configuration (steps, users).
    pub settings: &'a Settings,
    /// The rep's time zone and workday start.
    pub calendar: WorkCalendar,
    /// The message's date: relative dates count from it.
    pub reference: DateTime<Utc>,
}

/// A routing token or a due date from a plus tag.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum PlusTag {
    /// `crm+lead-42@`: the lead the mail belongs to.
    Lead(i64),
    /// `crm+3d@`: the next action's due date.
    Due(DateTime<Utc>),
    /// A tag we could not read.
    Unknown(String),
}

/// Reads the plus tag of a CRM address.
pub(crate) fn read_plus_tag(tag: &str, ctx: &CommandContext<'_>) -> PlusTag {
    let lower = tag.trim().to_ascii_lowercase();
    if let Some(id) = lower.strip_prefix("lead-").and_then(|n| n.parse().ok()) {
        return PlusTag::Lead(id);
    }
    match ctx
        .calendar
        .parse_due(&lower.replace(['_', '.'], " "), ctx.reference)
    {
        Some(due) => PlusTag::Due(due),
        None => PlusTag::Unknown(tag.to_string()),
    }
}

/// The plus tags of the CRM addresses a message was delivered or written to.
pub(crate) fn plus_tags<'a>(
    addresses: impl Iterator<Item = &'a EmailAddress>,
    settings: &Settings,
) -> Vec<String> {
    let mut tags: Vec<String> = Vec::new();
    for address in addresses.filter(|a| settings.is_crm_address(a)) {
        if let Some(tag) = address.plus_tag().filter(|t| !t.is_empty()) {
            if !tags.iter().any(|t| t.eq_ignore_ascii_case(tag)) {
                tags.push(tag.to_string());
            }
        }
    }
    tags
}

/// Turns plus tags into commands and a routing lead id; at most
/// [`bounds::MAX_COMMANDS_PER_MAIL`] tags are read.
pub(crate) fn commands_from_plus_tags(
    tags: &[String],
    ctx: &CommandContext<'_>,
) -> (Commands, Option<i64>) {
    let mut commands = Commands::default();
    let mut routing = None;
    let unread = bounds::read_at_most(tags.iter().map(String::as_str), "plus tags", |tag| {
        read_plus_tag_into(tag, ctx, &mut commands, &mut routing);
        1
    });
    commands.rejected.extend(unread);
    (commands, routing)
}

fn read_plus_tag_into(
    tag: &str,
    ctx: &CommandContext<'_>,
    commands: &mut Commands,
    routing: &mut Option<i64>,
) {
    match read_plus_tag(tag, ctx) {
        PlusTag::Lead(id) => *routing = Some(id),
        PlusTag::Due(due_at) => commands.accepted.push(Command::Next(NextActionDraft {
            due_at,
            kind: "follow_up".into(),
            // Says where it came from: the digest shows it as the to-do.
            note: format!("follow up (set by the +{tag} address)"),
        })),
        PlusTag::Unknown(tag) => commands.rejected.push(format!(
            "plus tag {}",
            bounds::refusal(
                &tag,
                "not a date (try tomorrow, 3d, 2w, monday, 2026-12-01) nor lead-N"
            )
        )),
    }
}

static KEY_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*([A-Za-z][A-Za-z_-]{1,15})\s*:\s*(.*?)\s*$").expect("valid regex")
});
/// A `#tag`: a letter or digit, then letters, digits, `_` and `-`. Only its
/// first [`MAX_TAG_CHARS`] are kept ([`tag_head`]): a counted repetition of
/// these Unicode classes would compile to 41 copies of them, megabytes of
/// automaton held for the process's life.
static HASHTAG: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?:^|\s)#([\p{L}\p{N}][\p{L}\p{N}_-]*)").expect("valid regex"));
/// The characters of a `#tag` that are read.
const MAX_TAG_CHARS: usize = 41;

/// The first [`MAX_TAG_CHARS`] characters of a tag.
fn tag_head(tag: &str) -> &str {
    tag.char_indices()
        .nth(MAX_TAG_CHARS)
        .map_or(tag, |(end, _)| &tag[..end])
}

/// Reads the commands in a rep's note, at most
/// [`bounds::MAX_COMMANDS_PER_MAIL`] of them. When the note hands the lead
/// over (`owner: nina`), its times (`next: friday 10:00`) are the new owner's.
pub(crate) fn commands_from_note(note: &str, ctx: &CommandContext<'_>) -> Commands {
    let handed_to = new_owner_calendar(note, ctx);
    let ctx = &CommandContext {
        calendar: handed_to.unwrap_or(ctx.calendar),
        ..*ctx
    };
    let mut commands = Commands::default();
    let unread = bounds::read_at_most(note.lines(), "lines", |line| {
        let before = commands.accepted.len() + commands.rejected.len();
        read_note_line(line, ctx, &mut commands);
        commands.accepted.len() + commands.rejected.len() - before
    });
    let dropped = bounds::keep_first(&mut commands.accepted);
    commands.rejected.extend(unread.into_iter().chain(dropped));
    commands
}

/// The next action typed after `next:` (`friday 14:00 call back`), or why
/// it cannot be read: the CLI's `leads next` and the web app's form.
pub(crate) fn next_action(what: &str, ctx: &CommandContext<'_>) -> Result<NextActionDraft, String> {
    let line = format!("next: {}", what.lines().next().unwrap_or("").trim());
    let parsed = commands_from_note(&line, ctx);
    match parsed.accepted.into_iter().next() {
        Some(Command::Next(draft)) => Ok(draft),
        _ => Err(parsed.rejected.join("; ")),
    }
}

/// Reads one line of a note: its `#tags`, and its command if it has one.
fn read_note_line(line: &str, ctx: &CommandContext<'_>, commands: &mut Commands) {
    for tag in HASHTAG.captures_iter(line) {
        commands.accepted.push(Command::Tag {
            tag: tag_head(&tag[1]).to_lowercase(),
        });
    }
    let Some(caps) = KEY_LINE.captures(line) else {
        return;
    };
    let key = caps[1].to_ascii_lowercase();
    if KEYS.contains(&key.as_str()) {
        let read = bounds::check_length(line).and_then(|()| read_command(&key, &caps[2], ctx));
        match read {
            Ok(mut parsed) => commands.accepted.append(&mut parsed),
            Err(why) => commands.rejected.push(bounds::refusal(line.trim(), &why)),
        }
    } else if is_near_miss(&key) {
        let why = format!("unknown command \"{key}\"");
        commands.rejected.push(bounds::refusal(line.trim(), &why));
    }
}

fn read_command(key: &str, value: &str, ctx: &CommandContext<'_>) -> Result<Vec<Command>, String> {
    let one = |c| Ok(vec![c]);
    match key {
        "next" => read_next(value, ctx).and_then(|n| one(Command::Next(n))),
        "amount" => read_amount(value)
            .and_then(|(value, currency)| one(Command::Amount { value, currency })),
        "step" => match ctx.settings.step_named(value) {
            Some(step) => one(Command::Step {
                step: step.to_string(),
            }),
            None => Err(format!(
                "no step \"{value}\" (steps: {})",
                ctx.settings.crm.steps.join(", ")
            )),
        },
        "status" => read_status(value, ctx).and_then(one),
        "owner" => read_owner(value, ctx).and_then(|owner| one(Command::Owner { owner })),
        _ => read_tags(value),
    }
}

/// `tags: a, b #c` → one tag each, none longer than a `#hashtag`.
fn read_tags(value: &str) -> Result<Vec<Command>, String> {
    let tags = tag_list(value)?;
    Ok(tags.into_iter().map(|tag| Command::Tag { tag }).collect())
}

/// `a, b #c` → `a`, `b`, `c` (lower-cased, without `#`; separated by
/// commas or spaces), none longer than a `#hashtag`: the `tags:` command's
/// list, and the web app's tags field.
pub(crate) fn tag_list(value: &str) -> Result<Vec<String>, String> {
    let tags: Vec<String> = value
        .split([',', ' '])
        .map(|t| t.trim().trim_start_matches('#').to_lowercase())
        .filter(|t| !t.is_empty())
        .collect();
    if tags
        .iter()
        .any(|t| t.chars().count() > bounds::MAX_TAG_CHARS)
    {
        return Err(format!(
            "a tag holds at most {} characters",
            bounds::MAX_TAG_CHARS
        ));
    }
    Ok(tags)
}

/// `next: friday 14:00 call back about pricing` → due + kind + note.
fn read_next(value: &str, ctx: &CommandContext<'_>) -> Result<NextActionDraft, String> {
    let words: Vec<&str> = value.split_whitespace().collect();
    for take in (1..=words.len().min(3)).rev() {
        let when = words[..take].join(" ");
        if let Some(due_at) = ctx.calendar.parse_due(&when, ctx.reference) {
            let rest = &words[take..];
            let kind = rest
                .first()
                .map(|w| w.to_ascii_lowercase())
                .filter(|w| ACTION_KINDS.contains(&w.as_str()))
                .map_or("follow_up".to_string(), |w| w.replace('-', "_"));
            return Ok(NextActionDraft {
                due_at,
                kind,
                note: rest.join(" "),
            });
        }
    }
    Err("no date I can read at the start (try tomorrow, 3d, monday, 2026-12-01 14:00)".into())
}

/// `5000 EUR`, `€5,000`, `5.000,50 eur`, `$1200` → value and currency.
pub(crate) fn read_amount(value: &str) -> Result<(f64, String), String> {
    let symbols = [("€", "EUR"), ("$", "USD"), ("£", "GBP")];
    let mut currency = symbols
        .iter()
        .find(|(s, _)| value.contains(s))
        .map(|(_, c)| c.to_string());
    let mut number = String::new();
    for word in value.split_whitespace() {
        let bare = word.trim_matches(|c| "€$£".contains(c));
        if bare.len() == 3 && bare.chars().all(|c| c.is_ascii_alphabetic()) {
            currency = Some(bare.to_ascii_uppercase());
        } else {
            number.push_str(bare);
        }
    }
    let parsed = parse_number(&number).ok_or_else(|| format!("\"{value}\" is not an amount"))?;
    let currency =
        currency.ok_or_else(|| format!("\"{value}\" has no currency (e.g. 5000 EUR)"))?;
    Ok((parsed, currency))
}

/// Reads 5000, 5,000, 5.000, 5.000,50 and 5,000.50.
fn parse_number(text: &str) -> Option<f64> {
    if text.is_empty()
        || !text
            .chars()
            .all(|c| c.is_ascii_digit() || c == '.' || c == ',')
    {
        return None;
    }
    let last_sep = text.rfind(['.', ',']);
    let normalised = match last_sep {
        Some(i) if text.len() - i - 1 != 3 => {
            let (int, frac) = text.split_at(i);
            format!("{}.{}", int.replace(['.', ','], ""), &frac[1..])
        }
        _ => text.replace(['.', ','], ""),
    };
    normalised
        .parse::<f64>()
        .ok()
        .filter(|v| (0.0..=bounds::MAX_AMOUNT).contains(v))
}

fn read_status(value: &str, ctx: &CommandContext<'_>) -> Result<Command, String> {
    let (word, rest) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    let status = LeadStatus::parse(word)
        .ok_or_else(|| format!("no status \"{word}\" (todo, standby, won, lost, cancelled)"))?;
    let rest = rest.trim();
    let mut until = None;
    if status == LeadStatus::Standby {
        let when = rest.strip_prefix("until").unwrap_or(rest).trim();
        until = Some(
            ctx.calendar
                .parse_due(when, ctx.reference)
                .ok_or("standby needs a reminder date: status: standby until <when>")?,
        );
    }
    let reason = (status != LeadStatus::Standby && !rest.is_empty()).then(|| rest.to_string());
    Ok(Command::Status {
        status,
        until,
        reason,
    })
}

/// The calendar of the user an `owner:` line of the note names, if any.
fn new_owner_calendar(note: &str, ctx: &CommandContext<'_>) -> Option<WorkCalendar> {
    let owner = note.lines().find_map(|line| {
        let caps = KEY_LINE.captures(line)?;
        caps[1]
            .eq_ignore_ascii_case("owner")
            .then(|| read_owner(&caps[2], ctx).ok())
            .flatten()
    })?;
    Some(ctx.settings.calendar_of(Some(&owner)))
}

/// A user named by address (or alias), or by the part before the `@` or
/// first name when exactly one user has it (`owner: nina`).
fn read_owner(value: &str, ctx: &CommandContext<'_>) -> Result<EmailAddress, String> {
    if let Ok(email) = EmailAddress::parse(value) {
        return ctx
            .settings
            .user_by_address(&email)
            .map(|u| u.email.clone())
            .ok_or_else(|| format!("{email} is not a leadmail user"));
    }
    let word = value.trim();
    let named: Vec<&crate::config::User> = ctx
        .settings
        .users
        .iter()
        .filter(|u| {
            u.email.local_part().eq_ignore_ascii_case(word)
                || u.name
                    .split_whitespace()
                    .next()
                    .is_some_and(|first| first.eq_ignore_ascii_case(word))
        })
        .collect();
    match named.as_slice() {
        [user] => Ok(user.email.clone()),
        [] => Err(format!("no leadmail user is called \"{word}\"")),
        _ => Err(format!("\"{word}\" names several users: give the address")),
    }
}

/// True when `key` is one edit away from a command key (a typo, not prose).
fn is_near_miss(key: &str) -> bool {
    KEYS.iter().any(|known| edit_distance(key, known) == 1)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let next = (prev + usize::from(ca != *cb))
                .min(row[j] + 1)
                .min(row[j + 1] + 1);
            prev = row[j + 1];
            row[j + 1] = next;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests;
