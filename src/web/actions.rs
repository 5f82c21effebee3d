//! A lead page's forms read into actions, pure: each becomes one of the
//! digest reply's actions (so it runs the same store code as a reply's
//! command), a note, a new owner, an amount or the tags (read as a mail's
//! `amount:` and `tags:` commands are). Times are read in the user's calendar.

use crate::commands::note::{next_action, read_amount, tag_list, CommandContext};
use crate::commands::reply::ReplyAction;
use crate::config::{Settings, User};
use crate::domain::LeadStatus;
use chrono::{DateTime, Utc};
use serde::Deserialize;

/// The fields of every action form; each form fills those it needs.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ActionForm {
    /// done, snooze, next, step, won, lost, standby, convert, cancel, note,
    /// owner, amount, tags.
    pub action: String,
    /// A due date (`2d`, `tomorrow`, `2026-12-01 14:00`) for snooze and standby.
    pub when: String,
    /// The next action as typed (`friday call back`).
    pub what: String,
    /// Why it was lost or cancelled.
    pub reason: String,
    /// A pipeline step.
    pub step: String,
    /// The new owner's address.
    pub owner: String,
    /// A note's text.
    pub text: String,
    /// The expected amount (`5000 EUR`, `€5,000`).
    pub amount: String,
    /// The lead's tags, all of them (`vip, hot`).
    pub tags: String,
    /// Where to go afterwards: `/` (My day) or, by default, the lead's page.
    pub back: String,
}

/// What a form asks for.
#[derive(Debug, Clone, PartialEq)]
pub enum LeadAction {
    /// One of the reply vocabulary's actions.
    Reply(ReplyAction),
    /// A note on the timeline.
    Note(String),
    /// Hand the lead to this user.
    Owner(String),
    /// Set the expected amount: the value and its currency.
    Amount(f64, String),
    /// Replace the tags with these.
    Tags(Vec<String>),
}

/// The form read as an action for `user` at `now`, or why it cannot be.
pub fn read(
    form: &ActionForm,
    settings: &Settings,
    user: &User,
    now: DateTime<Utc>,
) -> Result<LeadAction, String> {
    let ctx = CommandContext {
        settings,
        calendar: user.calendar,
        reference: now,
    };
    let when = || {
        user.calendar.parse_due(&form.when, now).ok_or_else(|| {
            format!(
                "cannot read {:?} as a date (2d, tomorrow, monday, 2026-12-01 14:00)",
                form.when
            )
        })
    };
    let reason = || Some(form.reason.trim().to_string()).filter(|r| !r.is_empty());
    let status = |status, until, reason| ReplyAction::Status {
        status,
        until,
        reason,
    };
    let reply = match form.action.as_str() {
        "done" => ReplyAction::Done,
        "snooze" => ReplyAction::Snooze { until: when()? },
        "next" => ReplyAction::Next(next_action(&form.what, &ctx)?),
        "step" => ReplyAction::Step {
            step: settings
                .step_named(&form.step)
                .ok_or_else(|| format!("no step {:?}", form.step))?
                .to_string(),
        },
        "won" => status(LeadStatus::Won, None, reason()),
        "lost" => status(LeadStatus::Lost, None, Some(lost_reason(reason())?)),
        "cancel" => status(LeadStatus::Cancelled, None, reason()),
        "standby" => status(LeadStatus::Standby, Some(when()?), None),
        "reopen" => status(LeadStatus::Todo, None, None),
        "convert" => ReplyAction::Convert,
        "note" => return note(&form.text),
        "owner" => return Ok(LeadAction::Owner(form.owner.trim().to_lowercase())),
        "amount" => return read_amount(&form.amount).map(|(v, c)| LeadAction::Amount(v, c)),
        "tags" => return tag_list(&form.tags).map(LeadAction::Tags),
        other => return Err(format!("no action {other:?}")),
    };
    Ok(LeadAction::Reply(reply))
}

/// A lost lead's reason, which the page's form requires and the server
/// does too (`lost 12 <reason>`, as in a digest reply).
fn lost_reason(reason: Option<String>) -> Result<String, String> {
    reason.ok_or_else(|| "say why the lead was lost (a reason is required)".to_string())
}

fn note(text: &str) -> Result<LeadAction, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("the note is empty".into());
    }
    if text.len() > 20_000 {
        return Err("the note is longer than 20,000 bytes".into());
    }
    Ok(LeadAction::Note(text.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn form(action: &str) -> ActionForm {
        ActionForm {
            action: action.into(),
            ..ActionForm::default()
        }
    }

    fn now() -> DateTime<Utc> {
        "2026-11-23T11:00:00Z".parse().unwrap()
    }

    #[test]
    fn each_form_reads_as_the_reply_action_of_the_same_name() {
        let settings = crate::config::tests::sample_settings();
        let user = &settings.users[0];
        let read = |f: &ActionForm| read(f, &settings, user, now());
        assert_eq!(
            read(&form("done")),
            Ok(LeadAction::Reply(ReplyAction::Done))
        );
        let lost = ActionForm {
            reason: " price ".into(),
            ..form("lost")
        };
        let expected = ReplyAction::Status {
            status: LeadStatus::Lost,
            until: None,
            reason: Some("price".into()),
        };
        assert_eq!(read(&lost), Ok(LeadAction::Reply(expected)));
        let blank = ActionForm {
            reason: "  ".into(),
            ..form("lost")
        };
        assert!(read(&blank).is_err(), "lost without a reason");
        assert!(read(&form("lost")).is_err(), "lost without a reason field");
        let step = ActionForm {
            step: "demo".into(),
            ..form("step")
        };
        let step_demo = ReplyAction::Step {
            step: "Demo".into(),
        };
        assert_eq!(read(&step), Ok(LeadAction::Reply(step_demo)));
        assert!(read(&form("explode")).is_err());
        assert!(read(&form("note")).is_err(), "an empty note");
    }

    #[test]
    fn amount_and_tags_read_as_the_mail_commands_do() {
        let settings = crate::config::tests::sample_settings();
        let user = &settings.users[0];
        let read = |f: &ActionForm| read(f, &settings, user, now());
        let amount = ActionForm {
            amount: "€5.000,50".into(),
            ..form("amount")
        };
        assert_eq!(read(&amount), Ok(LeadAction::Amount(5000.5, "EUR".into())));
        let tags = ActionForm {
            tags: "VIP, #hot  renewal".into(),
            ..form("tags")
        };
        let want = ["vip", "hot", "renewal"].map(String::from).to_vec();
        assert_eq!(read(&tags), Ok(LeadAction::Tags(want)));
        assert_eq!(
            read(&form("tags")),
            Ok(LeadAction::Tags(vec![])),
            "none left"
        );
        assert!(read(&form("amount")).is_err(), "no amount");
    }

    #[test]
    fn snooze_and_next_read_their_dates_in_the_users_zone() {
        let settings = crate::config::tests::sample_settings();
        let user = &settings.users[0];
        let snooze = ActionForm {
            when: "2d".into(),
            ..form("snooze")
        };
        let Ok(LeadAction::Reply(ReplyAction::Snooze { until })) =
            read(&snooze, &settings, user, now())
        else {
            panic!("not a snooze");
        };
        assert_eq!(
            until.to_rfc3339(),
            "2026-11-25T09:00:00+00:00",
            "09:00 Lisbon"
        );
        let next = ActionForm {
            what: "2026-12-01 14:00 call back".into(),
            ..form("next")
        };
        let Ok(LeadAction::Reply(ReplyAction::Next(draft))) = read(&next, &settings, user, now())
        else {
            panic!("not a next action");
        };
        assert_eq!(draft.due_at.to_rfc3339(), "2026-12-01T14:00:00+00:00");
        assert!(draft.note.contains("call back"));
        let bad = ActionForm {
            when: "someday".into(),
            ..form("snooze")
        };
        assert!(read(&bad, &settings, user, now()).is_err());
    }
}
