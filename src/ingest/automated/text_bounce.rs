//! Bounces without a machine-readable report (Postfix, Exim, qmail, … text bounces): whether a
//! message is one, and its failed recipients with what the text says about each.

use super::evidence::{Evidence, Explanation};
use super::recipients::{failed_recipients_header, original_recipients, text_recipients};
use super::severity::bounced_recipient;
use super::view::{shorten, MailView};
use super::{AutomatedKind, AutomatedVerdict, BouncedRecipient, MAX_RECIPIENTS};

/// Bounces without a machine-readable report (Postfix, Exim, qmail, … text bounces).
pub(super) fn plain_bounce(view: &MailView<'_, '_>) -> Option<AutomatedVerdict> {
    let signal = bounce_signal(view)?;
    Some(AutomatedVerdict::bounce(signal, bounced_from_text(view)))
}

/// A bounce subject counts with any other sign of a machine (so that a customer's "Delivery
/// report for order 12" stays human); a failure text counts from an automated sender.
fn bounce_signal(view: &MailView<'_, '_>) -> Option<String> {
    if view.has_header("X-Failed-Recipients") {
        return Some("header X-Failed-Recipients".to_string());
    }
    let automated_sender = view.sender_is_mailer_daemon()
        || view.sender_is_postmaster()
        || view.null_return_path()
        || view.has_header("Auto-Submitted");
    let phrase = || bounce_phrase(view.text());
    if is_bounce_subject(&view.subject) && (automated_sender || phrase().is_some()) {
        return Some(format!("bounce subject \"{}\"", shorten(&view.subject, 80)));
    }
    if view.sender_is_mailer_daemon() {
        return Some(format!("mailer-daemon sender {}", view.from));
    }
    // Scanning the text is the dear part: only an automated sender's phrase counts.
    let phrase = automated_sender.then(phrase).flatten()?;
    Some(format!(
        "delivery-failure text \"{phrase}\" from an automated sender"
    ))
}

/// A plain-text success notice from a mailer daemon ("Delivery Status Notification (Success)").
pub(super) fn delivery_notice(view: &MailView<'_, '_>) -> Option<AutomatedVerdict> {
    let success = static_regex!(r"(?i)\((success|relay(ed)?|delivered)\)|successfully delivered");
    (view.sender_is_mailer_daemon() && success.is_match(&view.subject)).then(|| {
        let signal = format!(
            "mailer-daemon success notice \"{}\"",
            shorten(&view.subject, 80)
        );
        AutomatedVerdict::new(AutomatedKind::DeliveryReport, signal)
    })
}

pub(super) fn is_bounce_subject(subject: &str) -> bool {
    !static_regex!(r"(?i)^\s*(re|aw|sv|antw)\s*:").is_match(subject)
        && static_regex!(
            r"(?ix)
            undeliver | undelivered\ mail | returned\ mail | mail\ delivery\ fail | failure\ notice
            | delivery\ status\ notification\ \((failure|delay)\)
            | delivery\ status\ notification:\ (failed|error|delayed|warning)
            | (delivery|mail)\ (failure|failed|has\ failed) | failed\ delivery | failure\ delivery
            | could\ not\ be\ delivered | could\ not\ send\ message | delayed\ mail
            | mail\ system\ error | postmaster\ notify | non[-\ ]?deliver | non\ recapitabile
            | error\ sending\ your\ mail | mail\ failed | delivery\ report
            | ^\s*delivery\ status\s*$ | mail\ delivery\ status
            | message\ you\ sent\ blocked | ^\s*warning:.*delayed
            | 不達 | 配信不能 | メールエラー | недоставлен | не\ доставлено | 未送达 | 退信
        "
        )
        .is_match(subject)
}

pub(super) fn bounce_phrase(text: &str) -> Option<&str> {
    static_regex!(
        r"(?ix)
        could\ not\ be\ delivered | couldn't\ be\ delivered | was\ not\ delivered
        | wasn't\ delivered | did\ not\ reach | could\ not\ be\ reached
        | (unable|not\ able|wasn't\ able|could\ not|couldn't|failed)\ to\ deliver
        | error\ delivering | delivery\ (has\ )?failed | delivery\ to\ the\ following
        | permanent(\ fatal)?\ error | following\ address(\(es\)|es)?\ failed | undeliverable
        | returned\ to\ sender | user\ unknown | unknown\ user | no\ such\ user | does\ not\ exist
        | this\ is\ the\ mail\ system\ at | qmail-send | message\ could\ not\ be
        | delivery\ attempts?\ (will\ continue|failed|has\ been) | has\ not\ (yet\ )?been\ delivered
        | mailbox\ (is\ )?full | over\ quota | recipient\ address\ rejected
        | 送信できませんでした | 届きませんでした | 配信できません | 宛先不明
        | не\ может\ быть\ доставлено | не\ доставлено | не\ удалось\ доставить
    "
    )
    .find(text)
    .map(|found| found.as_str())
}

pub(super) fn bounced_from_text(view: &MailView<'_, '_>) -> Vec<BouncedRecipient> {
    let text = view.text();
    let own = view.own_addresses();
    let addresses = failed_recipients_header(view)
        .or_else(|| text_recipients(text, &own))
        .or_else(|| original_recipients(view.message, &own))
        .unwrap_or_default();
    let evidence = Evidence::of(text);
    addresses
        .into_iter()
        .take(MAX_RECIPIENTS)
        .map(|address| {
            let nearby = evidence.nearby(&address);
            let explanation = Explanation {
                status: None,
                diagnostic: nearby.clone().or_else(|| evidence.first_coded.clone()),
                nearby,
                summary: &evidence.summary,
            };
            bounced_recipient(address, explanation)
        })
        .collect()
}
