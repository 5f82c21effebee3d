//! Failed recipients in the text of a bounce, from the most to the least specific layout, with
//! the returned original message as the last resort.

use mail_parser::{Message, MessagePart, MimeHeaders};
use regex::Regex;

use super::report::typed_address;
use super::view::{part_text, MailView};
use super::{MAX_LINES, MAX_RECIPIENTS};

fn address_regex() -> &'static Regex {
    static_regex!(r"[\w.!#$%&'*+/=?^`{|}~-]+@\w(?:[\w-]*\w)?(?:\.\w(?:[\w-]*\w)?)*\.[A-Za-z]{2,}")
}

pub(super) fn first_address(text: &str) -> Option<String> {
    address_regex()
        .find(text)
        .and_then(|found| clean_address(found.as_str()))
}

fn clean_address(address: &str) -> Option<String> {
    let address = address.trim_start_matches('.').to_lowercase();
    let (local, _) = address.split_once('@')?;
    (!local.is_empty()).then_some(address)
}

pub(super) fn failed_recipients_header(view: &MailView<'_, '_>) -> Option<Vec<String>> {
    let value = view.header("X-Failed-Recipients")?;
    let found = address_regex().find_iter(&value);
    non_empty(dedup_candidates(
        found.filter_map(|m| clean_address(m.as_str())),
        &[],
    ))
}

fn non_empty(addresses: Vec<String>) -> Option<Vec<String>> {
    (!addresses.is_empty()).then_some(addresses)
}

/// Keeps addresses in order, once each, never a mailer-daemon nor an `excluded` one.
fn dedup_candidates(addresses: impl Iterator<Item = String>, excluded: &[String]) -> Vec<String> {
    let daemon = static_regex!(r"^(mailer[-_.]?daemon|double-bounce)$");
    let mut picked: Vec<String> = Vec::new();
    for address in addresses {
        let local = address.split('@').next().unwrap_or_default();
        let daemon = daemon.is_match(local);
        if !daemon && !excluded.contains(&address) && !picked.contains(&address) {
            picked.push(address);
        }
        if picked.len() >= MAX_RECIPIENTS {
            break;
        }
    }
    picked
}

/// One way of finding failed recipients in the lines of a bounce.
type Strategy = fn(&[&str]) -> Vec<String>;

/// Tries the bounce layouts from the most to the least specific. The layouts that name the
/// failed address in a dedicated place may return the bounce's own To (a message someone
/// sent to themselves); the looser ones may not.
pub(super) fn text_recipients(text: &str, own: &[String]) -> Option<Vec<String>> {
    let lines: Vec<&str> = text.lines().take(MAX_LINES).collect();
    let strict: [Strategy; 3] = [
        dsn_field_recipients,
        failed_list_recipients,
        address_led_recipients,
    ];
    let loose: [Strategy; 3] = [
        rcpt_to_recipients,
        failure_context_recipients,
        inline_original_recipients,
    ];
    let from_strict = strict
        .iter()
        .map(|strategy| dedup_candidates(strategy(&lines).into_iter(), &[]));
    let from_loose = loose
        .iter()
        .map(|strategy| dedup_candidates(strategy(&lines).into_iter(), own));
    from_strict.chain(from_loose).find_map(non_empty)
}

/// `Final-Recipient: rfc822; …` written into the body: one address per recipient group
/// (blank-line separated), the Final-Recipient, else the Original-Recipient (an alias
/// expanded by the receiving server has both).
pub(super) fn dsn_field_recipients(lines: &[&str]) -> Vec<String> {
    let field = static_regex!(r"(?i)^\s*(final|original)-recipient\s*:\s*(.*)$");
    let mut picked = Vec::new();
    let (mut final_recipient, mut original_recipient) = (None, None);
    let mut close_group = |final_recipient: &mut Option<String>, original: &mut Option<String>| {
        picked.extend(final_recipient.take().or(original.take()));
        *original = None;
    };
    for line in lines {
        if line.trim().is_empty() {
            close_group(&mut final_recipient, &mut original_recipient);
            continue;
        }
        let Some(captures) = field.captures(line) else {
            continue;
        };
        let Some(address) = captures.get(2).and_then(|v| typed_address(v.as_str())) else {
            continue;
        };
        let is_final = captures[1].eq_ignore_ascii_case("final");
        let taken = if is_final {
            final_recipient.is_some()
        } else {
            original_recipient.is_some()
        };
        if taken {
            // The same field again without a blank line: a new recipient.
            close_group(&mut final_recipient, &mut original_recipient);
        }
        if is_final {
            final_recipient = Some(address);
        } else {
            original_recipient = Some(address);
        }
    }
    close_group(&mut final_recipient, &mut original_recipient);
    picked
}

/// Exim's "The following address(es) failed:", Sendmail's "----- The following addresses
/// had permanent fatal errors -----", Exchange's "did not reach the following recipient(s):":
/// the addresses on the lines right below.
pub(super) fn failed_list_recipients(lines: &[&str]) -> Vec<String> {
    let heading = static_regex!(
        r"(?ix)
        following\ (address(\(es\)|es)?|recipient(\(s\)|s)?)\ *(had|failed|could|was|were|$)
        | ^\s*failed:\s*$ | did\ not\ reach\ the\ following | could\ not\ be\ delivered\ to\ the\ following
        | delivery\ to\ the\ following\ recipients?\ (failed|was\ delayed|has\ been\ delayed)
    "
    );
    let mut picked = Vec::new();
    for (index, _) in lines
        .iter()
        .enumerate()
        .filter(|(_, line)| heading.is_match(line))
    {
        let below = lines[index + 1..]
            .iter()
            .skip_while(|line| line.trim().is_empty());
        for line in below
            .take_while(|line| !line.trim().is_empty())
            .take(MAX_RECIPIENTS)
        {
            picked.extend(leading_address(line));
        }
    }
    picked
}

/// An address at the start of a line (Postfix "<a@b>: host … said", qmail "<a@b>:",
/// Sendmail "<a@b>... User unknown", indented Exim lists).
fn address_led_recipients(lines: &[&str]) -> Vec<String> {
    own_explanation(lines)
        .iter()
        .filter_map(|line| leading_address(line))
        .collect()
}

/// Also Sendmail's "554 <a@b>... reason" (an SMTP code before the bracketed address and
/// its "...") and "Recipient: <a@b>" lists (au/EZweb).
pub(super) fn leading_address(line: &str) -> Option<String> {
    let led = static_regex!(
        r#"(?i)^\s*(?:[-*•]\s*)?(?:recipient:\s*)?["'(<\[]*(?:mailto:|rfc822;\s*)?([^\s<>"'()\[\],;:]+@[^\s<>"'()\[\],;:]+)"#
    );
    let sendmail =
        static_regex!(r"^\s*[45]\d\d(?:\s+[45]\.\d{1,3}\.\d{1,3})?\s+<([^<>\s]+@[^<>\s]+)>\.\.\.");
    let captured = led
        .captures(line)
        .or_else(|| sendmail.captures(line))?
        .get(1)?
        .as_str();
    first_address(captured)
}

/// The lines before the first copy of the original message or its headers.
pub(super) fn own_explanation<'l, 't>(lines: &'l [&'t str]) -> &'l [&'t str] {
    let end = lines
        .iter()
        .position(|line| is_original_message_marker(line))
        .unwrap_or(lines.len());
    &lines[..end]
}

pub(super) fn is_original_message_marker(line: &str) -> bool {
    static_regex!(
        r"(?ix)
        copy\ of\ (the|your)\ (original\ )?message | ^[\s-]*(original|returned|undelivered)\ message
        | message\ (headers\ )?follows?\b | header\ of\ the\ original\ message
        | ^[\s-]*(original\ )?headers?\ of\ (the\ )?(original|returned) | ^\s*received:\s
    "
    )
    .is_match(line)
}

/// `RCPT TO:<a@b>` (or without brackets) in an SMTP transcript or a bounce's summary.
pub(super) fn rcpt_to_recipients(lines: &[&str]) -> Vec<String> {
    let rcpt = static_regex!(r"(?i)rcpt to:?\s*<?([^<>\s]+@[^<>\s]+)");
    lines
        .iter()
        .flat_map(|line| rcpt.captures_iter(line))
        .filter_map(|captures| first_address(captures.get(1)?.as_str()))
        .collect()
}

/// Any address on a line that also talks about the failure.
fn failure_context_recipients(lines: &[&str]) -> Vec<String> {
    own_explanation(lines)
        .iter()
        .filter(|line| !is_header_line(line) && mentions_failure(line))
        .flat_map(|line| address_regex().find_iter(line))
        .filter_map(|found| clean_address(found.as_str()))
        .collect()
}

pub(super) fn is_header_line(line: &str) -> bool {
    static_regex!(
        r"(?i)^\s*(from|to|cc|reply-to|return-path|sender|message-id|in-reply-to|references|date|subject|received|(final|original)-recipient|x-[\w-]+)\s*:"
    )
    .is_match(line)
}

pub(super) fn mentions_failure(line: &str) -> bool {
    static_regex!(
        r"(?i)\b[45]\d\d\b|\b[45]\.\d{1,3}\.\d{1,3}\b|unknown|not exist|no such|invalid|reject|fail|undeliver|not deliver|could not|couldn't|unable|refused|denied|full|quota|exceed|error|bounce|宛先|エラー|不明|失敗|не\s|ошибк"
    )
    .is_match(line)
}

/// The `To:` of an original message quoted inline in the bounce text.
pub(super) fn inline_original_recipients(lines: &[&str]) -> Vec<String> {
    let to_line = static_regex!(r"(?i)^\s*to:\s*(.*)$");
    lines
        .iter()
        .filter_map(|line| first_address(to_line.captures(line)?.get(1)?.as_str()))
        .take(1)
        .collect()
}

/// Last resort: the recipients of the returned original message (attached message, or
/// its headers in a `text/rfc822-headers` part).
pub(super) fn original_recipients(message: &Message<'_>, own: &[String]) -> Option<Vec<String>> {
    let attached = message
        .parts
        .iter()
        .filter_map(MessagePart::message)
        .find_map(|original| {
            let to = original.to()?.iter().filter_map(|addr| addr.address());
            non_empty(dedup_candidates(to.filter_map(first_address), own))
        });
    attached.or_else(|| header_block_recipients(message, own))
}

fn header_block_recipients(message: &Message<'_>, own: &[String]) -> Option<Vec<String>> {
    let headers_part = message.parts.iter().find(|part| {
        part.content_type()
            .and_then(|content_type| content_type.subtype())
            .is_some_and(|subtype| subtype.eq_ignore_ascii_case("rfc822-headers"))
    })?;
    let text = part_text(headers_part)?;
    let to_line = static_regex!(r"(?im)^to:\s*(.*)$").captures(&text)?;
    let found = address_regex().find_iter(to_line.get(1)?.as_str());
    non_empty(dedup_candidates(
        found.filter_map(|m| clean_address(m.as_str())),
        own,
    ))
}
