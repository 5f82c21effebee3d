//! Machine-readable reports: RFC 3462 `multipart/report` (delivery status, feedback, read
//! receipts) with its RFC 3464 delivery-status fields, and Amazon SES JSON notifications.

use mail_parser::{Message, MessagePart, MimeHeaders};

use super::evidence::{clean_diagnostic, Evidence, Explanation};
use super::recipients::first_address;
use super::severity::{bounced_recipient, find_status};
use super::text_bounce::bounced_from_text;
use super::view::{part_text, MailView};
use super::{AutomatedKind, AutomatedVerdict, BouncedRecipient, MAX_LINES, MAX_RECIPIENTS};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReportKind {
    DeliveryStatus,
    Feedback,
    Disposition,
}

impl ReportKind {
    fn from_report_type(report_type: &str) -> Option<Self> {
        match report_type.to_ascii_lowercase().as_str() {
            "delivery-status" | "global-delivery-status" => Some(ReportKind::DeliveryStatus),
            "feedback-report" => Some(ReportKind::Feedback),
            "disposition-notification" | "global-disposition-notification" => {
                Some(ReportKind::Disposition)
            }
            _ => None,
        }
    }

    fn of_part(part: &MessagePart<'_>) -> Option<Self> {
        let content_type = part.content_type()?;
        if !content_type.ctype().eq_ignore_ascii_case("message") {
            return None;
        }
        Self::from_report_type(content_type.subtype()?)
    }
}

/// RFC 3462 reports: a `multipart/report`, or a report part inside some other multipart.
pub(super) fn report(view: &MailView<'_, '_>) -> Option<AutomatedVerdict> {
    let (kind, signal) = declared_report(view.message).or_else(|| report_part(view.message))?;
    Some(match kind {
        ReportKind::DeliveryStatus => delivery_status_verdict(view, signal),
        ReportKind::Feedback => AutomatedVerdict::new(AutomatedKind::FeedbackReport, signal),
        ReportKind::Disposition => AutomatedVerdict::new(AutomatedKind::DeliveryReport, signal),
    })
}

fn declared_report(message: &Message<'_>) -> Option<(ReportKind, String)> {
    let content_type = message.content_type()?;
    let is_report = content_type.ctype().eq_ignore_ascii_case("multipart")
        && content_type.subtype()?.eq_ignore_ascii_case("report");
    let report_type = content_type
        .attribute("report-type")
        .filter(|_| is_report)?;
    let signal = format!(
        "multipart/report; report-type={}",
        report_type.to_lowercase()
    );
    Some((ReportKind::from_report_type(report_type)?, signal))
}

fn report_part(message: &Message<'_>) -> Option<(ReportKind, String)> {
    message.parts.iter().find_map(|part| {
        let kind = ReportKind::of_part(part)?;
        let content_type = part.content_type()?;
        let name = format!("{}/{}", content_type.ctype(), content_type.subtype()?);
        Some((kind, format!("{} part", name.to_lowercase())))
    })
}

fn delivery_status_verdict(view: &MailView<'_, '_>, signal: String) -> AutomatedVerdict {
    let recipients = dsn_recipients(view.message);
    if !recipients.is_empty() && recipients.iter().all(DsnRecipient::was_delivered) {
        let signal = format!("{signal}; every recipient delivered");
        return AutomatedVerdict::new(AutomatedKind::DeliveryReport, signal);
    }
    let evidence = Evidence::of(view.text());
    let mut bounced: Vec<BouncedRecipient> = recipients
        .into_iter()
        .filter(|recipient| !recipient.was_delivered())
        .map(|recipient| recipient.into_bounced(&evidence))
        .collect();
    if bounced.is_empty() {
        bounced = bounced_from_text(view);
    }
    AutomatedVerdict::bounce(signal, bounced)
}

/// Amazon SES notifications relayed by SNS as JSON in a plain-text mail.
pub(super) fn ses_notification(view: &MailView<'_, '_>) -> Option<AutomatedVerdict> {
    if !view.from.ends_with("amazonaws.com") && !view.has_header("x-amz-sns-message-id") {
        return None;
    }
    let json = view.text().replace("\\\"", "\"");
    let kind = static_regex!(r#""notificationType"\s*:\s*"(\w+)""#)
        .captures(&json)?
        .get(1)?
        .as_str();
    let signal = format!("Amazon SES {kind} notification");
    match kind {
        "Bounce" => Some(AutomatedVerdict::bounce(signal, ses_bounced(&json))),
        "Complaint" => Some(AutomatedVerdict::new(AutomatedKind::FeedbackReport, signal)),
        "Delivery" => Some(AutomatedVerdict::new(AutomatedKind::DeliveryReport, signal)),
        _ => None,
    }
}

fn ses_bounced(text: &str) -> Vec<BouncedRecipient> {
    static_regex!(r#"\{[^{}]*"emailAddress"[^{}]*\}"#)
        .find_iter(text)
        .take(MAX_RECIPIENTS)
        .filter_map(|object| ses_recipient(object.as_str()))
        .collect()
}

/// One `{"emailAddress": …, "status": …, "diagnosticCode": …}` object.
fn ses_recipient(object: &str) -> Option<BouncedRecipient> {
    let member = static_regex!(r#""(emailAddress|status|diagnosticCode)"\s*:\s*"([^"]*)""#);
    let (mut address, mut explanation) = (None, Explanation::default());
    for captures in member.captures_iter(object) {
        let value = captures.get(2).map_or("", |value| value.as_str());
        match captures.get(1).map_or("", |key| key.as_str()) {
            "emailAddress" => address = first_address(value),
            "status" => explanation.status = find_status(value),
            _ => explanation.diagnostic = Some(clean_diagnostic(value)),
        }
    }
    Some(bounced_recipient(address?, explanation))
}

struct DsnRecipient {
    address: String,
    action: String,
    status: Option<String>,
    diagnostic: Option<String>,
}

impl DsnRecipient {
    fn was_delivered(&self) -> bool {
        let delivered_action = matches!(
            self.action.as_str(),
            "delivered" | "relayed" | "expanded" | "deliverable"
        );
        let delivered_status = self.action.is_empty()
            && self
                .status
                .as_deref()
                .is_some_and(|status| status.starts_with("2."));
        delivered_action || delivered_status
    }

    fn into_bounced(self, evidence: &Evidence<'_>) -> BouncedRecipient {
        let nearby = evidence.nearby(&self.address);
        let explanation = Explanation {
            status: self.status,
            diagnostic: self.diagnostic.or_else(|| nearby.clone()),
            nearby,
            summary: &evidence.summary,
        };
        bounced_recipient(self.address, explanation)
    }
}

/// Recipients from every delivery-status part (text or binary, possibly several).
fn dsn_recipients(message: &Message<'_>) -> Vec<DsnRecipient> {
    let mut recipients = Vec::new();
    for part in &message.parts {
        if ReportKind::of_part(part) != Some(ReportKind::DeliveryStatus) {
            continue;
        }
        if let Some(text) = part_text(part) {
            recipients.extend(dsn_recipients_in(&text));
        }
    }
    recipients.truncate(MAX_RECIPIENTS);
    recipients
}

fn dsn_recipients_in(text: &str) -> Vec<DsnRecipient> {
    field_groups(text)
        .iter()
        .filter_map(|fields| dsn_recipient(fields))
        .collect()
}

type Fields = Vec<(String, String)>;

/// `Name: value` fields, unfolded, grouped by blank lines; a field repeated inside a group
/// starts a new group (reports that forget the blank line between recipients).
fn field_groups(text: &str) -> Vec<Fields> {
    let mut groups: Vec<Fields> = Vec::new();
    let mut current: Fields = Vec::new();
    for line in text.lines().take(MAX_LINES) {
        if line.trim().is_empty() {
            groups.push(std::mem::take(&mut current));
        } else if line.starts_with([' ', '\t']) {
            if let Some((_, value)) = current.last_mut() {
                value.push(' ');
                value.push_str(line.trim());
            }
        } else if let Some((name, value)) = line.split_once(':') {
            let name = name.trim().to_ascii_lowercase();
            if current.iter().any(|(seen, _)| *seen == name) {
                groups.push(std::mem::take(&mut current));
            }
            current.push((name, value.trim().to_string()));
        }
    }
    groups.push(current);
    groups.retain(|group| !group.is_empty());
    groups
}

fn dsn_recipient(fields: &[(String, String)]) -> Option<DsnRecipient> {
    let field = |name: &str| {
        fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    };
    let address = [
        "final-recipient",
        "original-recipient",
        "x-actual-recipient",
    ]
    .iter()
    .find_map(|name| field(name).and_then(typed_address))?;
    Some(DsnRecipient {
        address,
        action: field("action")
            .unwrap_or_default()
            .trim()
            .to_ascii_lowercase(),
        status: field("status").and_then(find_status),
        diagnostic: field("diagnostic-code")
            .map(|code| clean_diagnostic(strip_type_prefix(code)))
            .filter(|code| !code.is_empty()),
    })
}

/// "rfc822; <User@Example.com>" → "user@example.com".
pub(super) fn typed_address(value: &str) -> Option<String> {
    first_address(strip_type_prefix(value))
}

fn strip_type_prefix(value: &str) -> &str {
    match value.split_once(';') {
        Some((kind, rest)) if !kind.contains(' ') && !kind.contains('@') => rest.trim(),
        _ => value.trim(),
    }
}
