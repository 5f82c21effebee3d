//! A user's reply to their own digest: the lines it holds become commands
//! on their leads (DESIGN §3, §4), answered by a confirmation mail.

use super::Ctx;
use crate::commands::reply::parse_reply;
use crate::config::User;
use crate::domain::ids::{confirmation_message_id, read_digest_message_id};
use crate::ingest::plan::{Action, DigestReplyMail, IngestPlan};

/// The plan when the mail answers one of this user's digests.
pub(super) fn plan(ctx: &Ctx<'_>, user: &User) -> Option<IngestPlan> {
    let answers_own_digest = ctx.mail.references.iter().any(|key| {
        read_digest_message_id(key.as_str()).is_some_and(|digest| digest.is_for(&user.email))
    });
    if !answers_own_digest {
        return None;
    }
    let own_text = crate::ingest::quote::strip_quoted(&ctx.mail.text);
    let parsed = parse_reply(&own_text, &ctx.command_context(user.calendar));
    let domain = ctx
        .settings
        .smtp
        .as_ref()
        .map(crate::config::Smtp::from_domain)
        .unwrap_or_else(|| "leadmail.invalid".to_string());
    let key = ctx.mail.key.as_str();
    let reply_message_id = (!key.starts_with("sha256:")).then(|| format!("<{key}>"));
    let reason = format!(
        "reply to the digest: {} command(s), {} line(s) not understood",
        parsed.commands.len(),
        parsed.not_understood.len()
    );
    let mail = DigestReplyMail {
        user: user.email.clone(),
        commands: parsed.commands,
        not_understood: parsed.not_understood,
        reply_message_id,
        confirmation_id: confirmation_message_id(key, &domain),
        time_zone: user.calendar.time_zone.name().to_string(),
    };
    Some(ctx.plan("digest_reply", reason, Action::DigestReply(mail)))
}
