//! Classifies automated mail (bounces, reports, auto-replies, list and no-reply mail, our own
//! digests) so that none of it creates a lead or gets an answer (DESIGN §2 step 3).
//!
//! Pure: a function of the parsed message. Work is bounded: at most [`MAX_SCAN_BYTES`] of text
//! are scanned and at most [`MAX_RECIPIENTS`] bounced recipients are reported.

use std::borrow::Cow;
use std::cell::OnceCell;
use std::sync::OnceLock;

use mail_parser::decoders::html::html_to_text;
use mail_parser::{Message, MessagePart, MimeHeaders, PartType};
use regex::Regex;

/// Most bytes of message text scanned for bounce details.
pub const MAX_SCAN_BYTES: usize = 256 * 1024;
/// Most bounced recipients reported for one message.
pub const MAX_RECIPIENTS: usize = 100;
/// Longest diagnostic kept per bounced recipient, in characters.
const MAX_DIAGNOSTIC_CHARS: usize = 300;
/// Most lines of text examined when looking for failed recipients.
const MAX_LINES: usize = 4_000;
/// Most bytes of a bounce's own explanation used to judge hard / soft.
const MAX_SUMMARY_BYTES: usize = 4_000;

/// A regex compiled once from a constant pattern (every pattern is exercised by the tests).
macro_rules! static_regex {
    ($pattern:expr) => {{
        static REGEX: OnceLock<Regex> = OnceLock::new();
        REGEX.get_or_init(|| Regex::new($pattern).expect("constant pattern compiles"))
    }};
}

/// What kind of sender produced a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AutomatedKind {
    /// A person wrote it: the only kind that may create or update a lead from its content.
    Human,
    /// An out-of-office or other automatic answer (RFC 3834).
    AutoReply,
    /// A delivery failure (or delay) notice; `bounced` names the failed recipients.
    Bounce,
    /// An abuse / opt-out / authentication-failure feedback report (ARF, RFC 5965).
    FeedbackReport,
    /// A success DSN or an MDN read receipt.
    DeliveryReport,
    /// Newsletters, mailing-list and bulk mail.
    List,
    /// Mailer-daemon / no-reply senders and other auto-generated mail not otherwise classified.
    NoReply,
    /// Our own digests and confirmations (header `X-Leadmail` present).
    OwnMail,
}

impl AutomatedKind {
    /// Whether a person wrote the message (everything else must never be answered).
    pub fn is_human(self) -> bool {
        self == AutomatedKind::Human
    }
}

/// One failed recipient of a bounce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BouncedRecipient {
    /// The failed address, lowercase.
    pub address: String,
    /// The RFC 3463 enhanced status code, e.g. "5.1.1", when the bounce gives one.
    pub status: Option<String>,
    /// The failure is final (5.x.x status or 5xx reply): the mail will not be retried.
    pub permanent: bool,
    /// The address itself is dead (unknown user or domain, moved, accepts no mail): stop
    /// mailing it. Permanent refusals for other reasons (policy, spam, sender, content, full
    /// mailbox) and temporary failures are soft.
    pub hard: bool,
    /// The server's explanation (Diagnostic-Code or the bounce text near the address).
    pub diagnostic: Option<String>,
}

/// The verdict plus the signal that decided it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutomatedVerdict {
    /// What kind of sender produced the message.
    pub kind: AutomatedKind,
    /// Human-readable reason, e.g. "header Auto-Submitted: auto-replied".
    pub signal: String,
    /// Failed recipients; empty unless `kind` is [`AutomatedKind::Bounce`].
    pub bounced: Vec<BouncedRecipient>,
}

impl AutomatedVerdict {
    fn new(kind: AutomatedKind, signal: impl Into<String>) -> Self {
        AutomatedVerdict {
            kind,
            signal: signal.into(),
            bounced: Vec::new(),
        }
    }

    fn bounce(signal: impl Into<String>, bounced: Vec<BouncedRecipient>) -> Self {
        AutomatedVerdict {
            bounced,
            ..AutomatedVerdict::new(AutomatedKind::Bounce, signal)
        }
    }
}

/// Turns every lone CR (old Mac line endings) into CRLF so the parser sees line breaks;
/// borrows the input when there is nothing to change.
pub fn normalise_line_endings(raw: &[u8]) -> Cow<'_, [u8]> {
    let is_lone_cr = |index: usize| raw[index] == b'\r' && raw.get(index + 1) != Some(&b'\n');
    if !(0..raw.len()).any(is_lone_cr) {
        return Cow::Borrowed(raw);
    }
    let mut normalised = Vec::with_capacity(raw.len() + raw.len() / 16);
    for (index, &byte) in raw.iter().enumerate() {
        normalised.push(byte);
        if is_lone_cr(index) {
            normalised.push(b'\n');
        }
    }
    Cow::Owned(normalised)
}

/// Classifies a parsed message. `sender_is_user`: List-Id / List-Unsubscribe / Precedence on
/// mail from one of our own reps do NOT make it list mail (reps send through tools that add
/// those headers).
pub fn classify(message: &Message<'_>, sender_is_user: bool) -> AutomatedVerdict {
    if message.parts.is_empty() {
        // mail-parser's accessors index the root part; a hand-built empty message has none.
        return AutomatedVerdict::new(AutomatedKind::Human, "empty message");
    }
    let view = MailView::new(message);
    own_mail(&view)
        .or_else(|| report(&view))
        .or_else(|| ses_notification(&view))
        .or_else(|| delivery_notice(&view))
        .or_else(|| plain_bounce(&view))
        .or_else(|| unsubscribe_request(&view))
        .or_else(|| auto_reply(&view))
        .or_else(|| list_mail(&view, sender_is_user))
        .or_else(|| no_reply(&view))
        .unwrap_or_else(|| AutomatedVerdict::new(AutomatedKind::Human, "no automated-mail signal"))
}

// ----------------------------------------------------------------------------------------
// A read-only view of the message with the few facts every rule needs.

struct MailView<'m, 'x> {
    message: &'m Message<'x>,
    subject: String,
    from: String,
    from_name: String,
    text: OnceCell<String>,
}

impl<'m, 'x> MailView<'m, 'x> {
    fn new(message: &'m Message<'x>) -> Self {
        let from = message.from().and_then(|address| address.first());
        MailView {
            message,
            subject: message.subject().unwrap_or_default().trim().to_string(),
            from: lowercase(from.and_then(|addr| addr.address())),
            from_name: lowercase(from.and_then(|addr| addr.name())),
            text: OnceCell::new(),
        }
    }

    /// The first header of that name, unfolded, whatever the parser made of it.
    fn header(&self, name: &str) -> Option<String> {
        let header = self
            .message
            .headers()
            .iter()
            .find(|header| header.name().eq_ignore_ascii_case(name))?;
        let range = header.offset_start as usize..header.offset_end as usize;
        let raw = self.message.raw_message.get(range).unwrap_or_default();
        Some(collapse_whitespace(&String::from_utf8_lossy(raw)))
    }

    fn has_header(&self, name: &str) -> bool {
        self.header(name).is_some()
    }

    fn text(&self) -> &str {
        self.text.get_or_init(|| readable_text(self.message))
    }

    fn sender_local_part(&self) -> &str {
        self.from.split('@').next().unwrap_or_default()
    }

    fn null_return_path(&self) -> bool {
        self.header("Return-Path")
            .is_some_and(|path| path.trim_matches(['<', '>', ' ']).is_empty())
    }

    /// MAILER-DAEMON or "Mail Delivery System": such senders only send delivery notices.
    fn sender_is_mailer_daemon(&self) -> bool {
        static_regex!(r"^(mailer[-_.]?daemon|mail[-_.]?delivery[-_.]?system)$")
            .is_match(self.sender_local_part())
            || static_regex!(r"mail delivery (sub)?system|mailer[-_ ]daemon")
                .is_match(&self.from_name)
    }

    fn sender_is_postmaster(&self) -> bool {
        static_regex!(r"^post[-_.]?master$").is_match(self.sender_local_part())
            || self.from_name.contains("postmaster")
    }

    /// Addresses of the bounce itself (its From and To), rarely a failed recipient.
    fn own_addresses(&self) -> Vec<String> {
        let from = self.message.from().into_iter().flat_map(|list| list.iter());
        let to = self.message.to().into_iter().flat_map(|list| list.iter());
        from.chain(to)
            .filter_map(|addr| addr.address())
            .map(str::to_lowercase)
            .collect()
    }
}

fn lowercase(value: Option<&str>) -> String {
    value.unwrap_or_default().trim().to_lowercase()
}

fn collapse_whitespace(value: &str) -> String {
    value.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The message's own readable text (text parts, reports, original headers; not the text of
/// attached messages), capped at [`MAX_SCAN_BYTES`].
fn readable_text(message: &Message<'_>) -> String {
    let mut text = String::new();
    for part in &message.parts {
        if text.len() >= MAX_SCAN_BYTES {
            break;
        }
        if let Some(piece) = part_text(part) {
            text.push_str(&piece);
            text.push('\n');
        }
    }
    let end = prefix(&text, MAX_SCAN_BYTES).len();
    text.truncate(end);
    text
}

fn part_text<'p>(part: &'p MessagePart<'_>) -> Option<Cow<'p, str>> {
    match &part.body {
        PartType::Text(text) => Some(Cow::Borrowed(text.as_ref())),
        PartType::Html(html) => Some(Cow::Owned(html_to_text(prefix(html, MAX_SCAN_BYTES)))),
        PartType::Binary(bytes) | PartType::InlineBinary(bytes) if is_textual(part) => {
            let bytes = &bytes[..bytes.len().min(MAX_SCAN_BYTES)];
            Some(String::from_utf8_lossy(bytes))
        }
        _ => None,
    }
}

/// Text, reports, and multiparts so broken (no boundary) that they were kept as one blob.
fn is_textual(part: &MessagePart<'_>) -> bool {
    part.content_type().is_none_or(|content_type| {
        let main = content_type.ctype();
        ["message", "text", "multipart"]
            .iter()
            .any(|textual| main.eq_ignore_ascii_case(textual))
    })
}

/// The longest prefix of `text` of at most `max_bytes` that ends on a character boundary.
fn prefix(text: &str, max_bytes: usize) -> &str {
    let mut end = text.len().min(max_bytes);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

fn shorten(text: &str, max_chars: usize) -> String {
    match text.char_indices().nth(max_chars) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

// ----------------------------------------------------------------------------------------
// Rules, strongest first.

fn own_mail(view: &MailView<'_, '_>) -> Option<AutomatedVerdict> {
    view.has_header("X-Leadmail")
        .then(|| AutomatedVerdict::new(AutomatedKind::OwnMail, "header X-Leadmail"))
}

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
fn report(view: &MailView<'_, '_>) -> Option<AutomatedVerdict> {
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
fn ses_notification(view: &MailView<'_, '_>) -> Option<AutomatedVerdict> {
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

/// Bounces without a machine-readable report (Postfix, Exim, qmail, … text bounces).
fn plain_bounce(view: &MailView<'_, '_>) -> Option<AutomatedVerdict> {
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
    let phrase = phrase().filter(|_| automated_sender)?;
    Some(format!(
        "delivery-failure text \"{phrase}\" from an automated sender"
    ))
}

/// A plain-text success notice from a mailer daemon ("Delivery Status Notification (Success)").
fn delivery_notice(view: &MailView<'_, '_>) -> Option<AutomatedVerdict> {
    let success = static_regex!(r"(?i)\((success|relay(ed)?|delivered)\)|successfully delivered");
    (view.sender_is_mailer_daemon() && success.is_match(&view.subject)).then(|| {
        let signal = format!(
            "mailer-daemon success notice \"{}\"",
            shorten(&view.subject, 80)
        );
        AutomatedVerdict::new(AutomatedKind::DeliveryReport, signal)
    })
}

fn is_bounce_subject(subject: &str) -> bool {
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

fn bounce_phrase(text: &str) -> Option<&str> {
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

/// Apple Mail's one-click unsubscribe (`X-Apple-Unsubscribe: true`): an opt-out report.
fn unsubscribe_request(view: &MailView<'_, '_>) -> Option<AutomatedVerdict> {
    let value = view.header("X-Apple-Unsubscribe")?;
    value.eq_ignore_ascii_case("true").then(|| {
        AutomatedVerdict::new(
            AutomatedKind::FeedbackReport,
            "header X-Apple-Unsubscribe: true",
        )
    })
}

fn auto_reply(view: &MailView<'_, '_>) -> Option<AutomatedVerdict> {
    auto_reply_signal(view).map(|signal| AutomatedVerdict::new(AutomatedKind::AutoReply, signal))
}

fn auto_reply_signal(view: &MailView<'_, '_>) -> Option<String> {
    if let Some(value) = view.header("Auto-Submitted") {
        if value.to_ascii_lowercase().starts_with("auto-replied") {
            return Some(format!("header Auto-Submitted: {value}"));
        }
    }
    for name in [
        "X-Autoreply",
        "X-Autorespond",
        "X-Autoresponder",
        "X-Vacation",
    ] {
        if view.header(name).is_some_and(|value| !is_negative(&value)) {
            return Some(format!("header {name}"));
        }
    }
    auto_reply_marker_header(view)
        .or_else(|| auto_reply_subject_signal(view))
        .or_else(|| outlook_auto_reply_signal(view))
}

fn is_negative(value: &str) -> bool {
    matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "no" | "false" | "0"
    )
}

/// Vendor headers that only auto-replies carry.
fn auto_reply_marker_header(view: &MailView<'_, '_>) -> Option<String> {
    let markers = [
        ("X-Apple-Action", "vacation"),
        ("Precedence", "auto_reply"),
        ("X-Autogenerated", "reply"),
        ("X-POST-MessageClass", "autoresponder"),
    ];
    markers.iter().find_map(|(name, needle)| {
        let value = view.header(name)?;
        let matches = value.to_ascii_lowercase().contains(needle);
        matches.then(|| format!("header {name}: {value}"))
    })
}

/// "Automatic reply:" and its translations; a bare phrase without the colon needs a second,
/// weaker signal, so that a person writing "Out of office next week" stays human.
fn auto_reply_subject_signal(view: &MailView<'_, '_>) -> Option<String> {
    let found = auto_reply_subject_prefix().find(&view.subject)?;
    let rest = view.subject[found.end()..].trim_start();
    let tagged = rest.is_empty() || rest.starts_with([':', '：']);
    let supported = view.null_return_path() || view.has_header("X-Auto-Response-Suppress");
    (tagged || supported).then(|| format!("auto-reply subject \"{}\"", shorten(&view.subject, 80)))
}

fn auto_reply_subject_prefix() -> &'static Regex {
    static_regex!(
        r"(?ix)^\s*(\[[^\]]*\]\s*)?(
        automatic\ reply | auto(matic)?[-\ ]?reply | auto[-\ ]?response | autoresponder
        | out\ of\ (the\ )?office(\ auto[-\ ]?reply)? | away\ until
        | automatische\ antwort | abwesenheitsnotiz | abwesend
        | resposta\ autom[aá]tica | respuesta\ autom[aá]tica | risposta\ automatica
        | r[ée]ponse\ automatique | absence | afwezig(heidsbericht)? | automatisch\ antwoord
        | autosvar | automatisk\ svar | automaattinen\ vastaus | automatick[aá]\ odpov[eě][dď]
        | odpowied[zź]\ automatyczna | otomatik\ yan[ıi]t | автоответ | автоматический\ ответ
        | 自動応答 | 自動返信 | 自动回复 | 자동\ 응답
        )"
    )
}

/// Outlook puts `X-Auto-Response-Suppress` on ordinary mail too, so it counts only as "All"
/// together with the inbox-rule loop marker or a null return path.
fn outlook_auto_reply_signal(view: &MailView<'_, '_>) -> Option<String> {
    let suppress = view.header("X-Auto-Response-Suppress")?;
    let generated = view.has_header("X-MS-Exchange-Inbox-Rules-Loop") || view.null_return_path();
    let everything = suppress.eq_ignore_ascii_case("all");
    (generated && everything)
        .then(|| "header X-Auto-Response-Suppress: All from an Exchange inbox rule".to_string())
}

fn list_mail(view: &MailView<'_, '_>, sender_is_user: bool) -> Option<AutomatedVerdict> {
    if sender_is_user {
        return None;
    }
    let precedence = view
        .header("Precedence")
        .filter(|value| static_regex!(r"(?i)^\s*(bulk|junk|list)\b").is_match(value));
    let signal = precedence
        .map(|value| format!("header Precedence: {value}"))
        .or_else(|| first_present_header(view, &["List-Id", "List-Unsubscribe"]))?;
    Some(AutomatedVerdict::new(AutomatedKind::List, signal))
}

fn first_present_header(view: &MailView<'_, '_>, names: &[&str]) -> Option<String> {
    let name = names.iter().find(|name| view.has_header(name))?;
    Some(format!("header {name}"))
}

fn no_reply(view: &MailView<'_, '_>) -> Option<AutomatedVerdict> {
    let signal = auto_generated_signal(view).or_else(|| no_reply_sender_signal(view))?;
    Some(AutomatedVerdict::new(AutomatedKind::NoReply, signal))
}

fn auto_generated_signal(view: &MailView<'_, '_>) -> Option<String> {
    let value = view.header("Auto-Submitted")?;
    let automated = !value.to_ascii_lowercase().starts_with("no");
    automated.then(|| format!("header Auto-Submitted: {value}"))
}

fn no_reply_sender_signal(view: &MailView<'_, '_>) -> Option<String> {
    let no_reply = static_regex!(
        r"(?x)^(
        (.*[-_.])?no[-_.]?reply([-_.+].*)? | (.*[-_.])?do[-_.]?not[-_.]?reply([-_.+].*)?
        | dont[-_.]?reply | ne[-_.]?pas[-_.]?repondre | nao[-_.]?responda | no[-_.]?responder
        )$"
    );
    (no_reply.is_match(view.sender_local_part()) || view.sender_is_postmaster())
        .then(|| format!("no-reply sender {}", view.from))
}

// ----------------------------------------------------------------------------------------
// RFC 3464 delivery-status fields.

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
fn typed_address(value: &str) -> Option<String> {
    first_address(strip_type_prefix(value))
}

fn strip_type_prefix(value: &str) -> &str {
    match value.split_once(';') {
        Some((kind, rest)) if !kind.contains(' ') && !kind.contains('@') => rest.trim(),
        _ => value.trim(),
    }
}

// ----------------------------------------------------------------------------------------
// Failed recipients in the text of a bounce.

fn address_regex() -> &'static Regex {
    static_regex!(r"[\w.!#$%&'*+/=?^`{|}~-]+@\w(?:[\w-]*\w)?(?:\.\w(?:[\w-]*\w)?)*\.[A-Za-z]{2,}")
}

fn first_address(text: &str) -> Option<String> {
    address_regex()
        .find(text)
        .and_then(|found| clean_address(found.as_str()))
}

fn clean_address(address: &str) -> Option<String> {
    let address = address.trim_start_matches('.').to_lowercase();
    let (local, _) = address.split_once('@')?;
    (!local.is_empty()).then_some(address)
}

fn bounced_from_text(view: &MailView<'_, '_>) -> Vec<BouncedRecipient> {
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

fn failed_recipients_header(view: &MailView<'_, '_>) -> Option<Vec<String>> {
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
fn text_recipients(text: &str, own: &[String]) -> Option<Vec<String>> {
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

/// `Final-Recipient: rfc822; …` written into the body.
fn dsn_field_recipients(lines: &[&str]) -> Vec<String> {
    let field = static_regex!(r"(?i)^\s*(final|original)-recipient\s*:\s*(.*)$");
    lines
        .iter()
        .filter_map(|line| typed_address(field.captures(line)?.get(2)?.as_str()))
        .collect()
}

/// Exim's "The following address(es) failed:", Sendmail's "----- The following addresses
/// had permanent fatal errors -----", Exchange's "did not reach the following recipient(s):":
/// the addresses on the lines right below.
fn failed_list_recipients(lines: &[&str]) -> Vec<String> {
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

fn leading_address(line: &str) -> Option<String> {
    let led = static_regex!(
        r#"^\s*(?:[-*•]\s*)?["'(<\[]*(?:mailto:|rfc822;\s*)?([^\s<>"'()\[\],;:]+@[^\s<>"'()\[\],;:]+)"#
    );
    let captured = led.captures(line)?.get(1)?.as_str();
    first_address(captured)
}

/// The lines before the first copy of the original message or its headers.
fn own_explanation<'l, 't>(lines: &'l [&'t str]) -> &'l [&'t str] {
    let end = lines
        .iter()
        .position(|line| is_original_message_marker(line))
        .unwrap_or(lines.len());
    &lines[..end]
}

fn is_original_message_marker(line: &str) -> bool {
    static_regex!(
        r"(?ix)
        copy\ of\ (the|your)\ (original\ )?message | ^[\s-]*(original|returned|undelivered)\ message
        | message\ (headers\ )?follows?\b | header\ of\ the\ original\ message
        | ^[\s-]*(original\ )?headers?\ of\ (the\ )?(original|returned) | ^\s*received:\s
    "
    )
    .is_match(line)
}

/// `RCPT TO:<a@b>` in an SMTP transcript.
fn rcpt_to_recipients(lines: &[&str]) -> Vec<String> {
    let rcpt = static_regex!(r"(?i)rcpt to:?\s*<([^>\s]+)>");
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

fn is_header_line(line: &str) -> bool {
    static_regex!(
        r"(?i)^\s*(from|to|cc|reply-to|return-path|sender|message-id|in-reply-to|references|date|subject|received|(final|original)-recipient|x-[\w-]+)\s*:"
    )
    .is_match(line)
}

fn mentions_failure(line: &str) -> bool {
    static_regex!(
        r"(?i)\b[45]\d\d\b|\b[45]\.\d{1,3}\.\d{1,3}\b|unknown|not exist|no such|invalid|reject|fail|undeliver|not deliver|could not|couldn't|unable|refused|denied|full|quota|exceed|error|bounce|宛先|エラー|不明|失敗|не\s|ошибк"
    )
    .is_match(line)
}

/// The `To:` of an original message quoted inline in the bounce text.
fn inline_original_recipients(lines: &[&str]) -> Vec<String> {
    let to_line = static_regex!(r"(?i)^\s*to:\s*(.*)$");
    lines
        .iter()
        .filter_map(|line| first_address(to_line.captures(line)?.get(1)?.as_str()))
        .take(1)
        .collect()
}

/// Last resort: the recipients of the returned original message (attached message, or
/// its headers in a `text/rfc822-headers` part).
fn original_recipients(message: &Message<'_>, own: &[String]) -> Option<Vec<String>> {
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

// ----------------------------------------------------------------------------------------
// What the bounce says about one recipient.

/// The bounce's own explanation (before any copy of the original message).
struct Evidence<'t> {
    lines: Vec<&'t str>,
    /// The explanation as one text, capped at [`MAX_SUMMARY_BYTES`].
    summary: String,
    /// The first line of the explanation with a status or reply code.
    first_coded: Option<String>,
}

impl<'t> Evidence<'t> {
    fn of(text: &'t str) -> Self {
        let all: Vec<&str> = text.lines().take(MAX_LINES).collect();
        let lines = own_explanation(&all).to_vec();
        let summary = prefix(&lines.join("\n"), MAX_SUMMARY_BYTES).to_string();
        let first_coded = lines
            .iter()
            .find(|line| has_code(line))
            .map(|line| clean_diagnostic(line));
        Evidence {
            lines,
            summary,
            first_coded,
        }
    }

    /// The text around `address`: its first mention with a code, or else its first mention,
    /// each with the non-blank lines that follow.
    fn nearby(&self, address: &str) -> Option<String> {
        let mentions: Vec<String> = (0..self.lines.len())
            .filter(|&index| {
                let line = self.lines[index];
                !is_header_line(line) && line.to_lowercase().contains(address)
            })
            .map(|index| self.context_from(index))
            .filter(|context| !context.is_empty())
            .collect();
        let coded = mentions.iter().find(|context| has_code(context));
        coded.or(mentions.first()).cloned()
    }

    fn context_from(&self, index: usize) -> String {
        let following = self.lines[index + 1..]
            .iter()
            .take_while(|line| !line.trim().is_empty() && leading_address(line).is_none())
            .take(4);
        let joined: Vec<&str> = std::iter::once(&self.lines[index])
            .chain(following)
            .copied()
            .collect();
        clean_diagnostic(&joined.join(" "))
    }
}

/// What a bounce says about one recipient, from the most to the least specific.
#[derive(Debug, Default)]
struct Explanation<'a> {
    /// The recipient's own status code, if the bounce gives one.
    status: Option<String>,
    /// The recipient's Diagnostic-Code, or the text around its address.
    diagnostic: Option<String>,
    /// The text around its address in the bounce's explanation.
    nearby: Option<String>,
    /// The whole explanation.
    summary: &'a str,
}

fn has_code(text: &str) -> bool {
    find_status(text).is_some() || find_reply_code(text).is_some()
}

fn clean_diagnostic(text: &str) -> String {
    let collapsed = collapse_whitespace(text);
    let trimmed = collapsed.trim_start_matches(['>', ':', '.', ' ', ',']);
    shorten(trimmed, MAX_DIAGNOSTIC_CHARS)
}

// ----------------------------------------------------------------------------------------
// Status codes and hard / soft.

fn bounced_recipient(address: String, explanation: Explanation<'_>) -> BouncedRecipient {
    let Explanation {
        status,
        diagnostic,
        nearby,
        summary,
    } = explanation;
    let specific: Vec<&str> = [diagnostic.as_deref(), nearby.as_deref()]
        .into_iter()
        .flatten()
        .collect();
    let status = status
        .filter(|status| !status.starts_with("2."))
        .or_else(|| specific.iter().find_map(|text| find_status(text)));
    let permanent = is_permanent(status.as_deref(), &specific, summary);
    let hard = permanent && address_is_dead(status.as_deref(), &specific.join(" "), summary);
    BouncedRecipient {
        address,
        status,
        permanent,
        hard,
        diagnostic: diagnostic.filter(|text| !text.is_empty()),
    }
}

/// The first RFC 3463 code ("5.1.1") in the text, not part of an IP address or version.
fn find_status(text: &str) -> Option<String> {
    let status = static_regex!(r"(?:^|[^\d.])([245]\.\d{1,3}\.\d{1,3})(?:$|[^\d.]|\.(?:$|\D))");
    Some(status.captures(text)?.get(1)?.as_str().to_string())
}

/// The first SMTP reply code ("550") in the text.
fn find_reply_code(text: &str) -> Option<u16> {
    let code = static_regex!(r"(?:^|[\s:(\[#])([245][0-5]\d)(?:$|[\s\-,)\]:])");
    code.captures(text)?.get(1)?.as_str().parse().ok()
}

fn is_permanent(status: Option<&str>, specific: &[&str], summary: &str) -> bool {
    if let Some(status) = status {
        return status.starts_with('5');
    }
    if let Some(code) = specific.iter().find_map(|text| find_reply_code(text)) {
        return code >= 500;
    }
    let temporary = static_regex!(
        r"(?i)delay|deferred|will be retried|still (being )?tr(y|ied)|temporar|try again later|will continue"
    );
    !specific.iter().any(|text| temporary.is_match(text)) && !temporary.is_match(summary)
}

/// Whether the failure says the address itself is gone, as opposed to a refusal of this
/// message. A status code about something other than the address wins; then words about
/// this recipient; then a status code naming the address; then the words of the whole bounce.
fn address_is_dead(status: Option<&str>, specific: &str, summary: &str) -> bool {
    if status.is_some_and(status_keeps_address) {
        return false;
    }
    judge_words(specific)
        .or_else(|| status.and_then(judge_status))
        .or_else(|| judge_words(summary))
        .unwrap_or(false)
}

/// RFC 3463 codes that say the mailbox exists (X.2.X but "disabled" X.2.1), or that blame
/// the sender (X.1.7, X.1.8), the size (X.3.4), the content (X.6.X) or a policy (X.7.X).
fn status_keeps_address(status: &str) -> bool {
    let mut parts = status.split('.').skip(1);
    let (subject, detail) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    match subject {
        "1" => matches!(detail, "7" | "8"),
        "2" => detail != "1",
        "3" => detail == "4",
        "6" | "7" => true,
        _ => false,
    }
}

fn judge_status(status: &str) -> Option<bool> {
    matches!(
        status,
        "5.1.1" | "5.1.2" | "5.1.3" | "5.1.6" | "5.1.10" | "5.4.4"
    )
    .then_some(true)
}

fn judge_words(text: &str) -> Option<bool> {
    if refuses_message(text) {
        Some(false)
    } else if says_address_is_dead(text) {
        Some(true)
    } else {
        None
    }
}

/// Refusals of this message (policy, spam, size, sender, content filter after DATA, full
/// mailbox, rate limits): the address may well be fine.
fn refuses_message(text: &str) -> bool {
    static_regex!(
        r"(?ix)
        mailbox\ (is\ )?full | over\ ?quota | quota | insufficient\ (system\ )?storage
        | exceeds?\ (allowed|the\ )?\ ?(size|storage|limit) | exceeded\ storage | too\ many
        | rate\ limit | spam | blocked | blacklist | block\ list | policy | suspended
        | disabled | virus | message\ (is\ )?too\ (big|large) | size\ limit
        | relay(ing)?\ (denied|not\ permitted|access\ denied) | authenticat | dmarc | \bspf\b
        | dkim | reputation | reverse\ dns | ptr\ record | sender\ address | domain\ of\ sender
        | sender\ domain | after\ mail\ from | mail\ from\ command | end\ of\ data | after\ data
        | refused\ due\ to\ recipient\ preferences | media\ error | mailer\ error | on\ hold
        | system\ error | not\ found,\ try\ again | malformed\ or\ unexpected
    "
    )
    .is_match(text)
}

fn says_address_is_dead(text: &str) -> bool {
    static_regex!(
        r"(?ix)
        user\ unknown | unknown\ user | no\ such\ (user|recipient|mailbox|address|account|person)
        | unknown\ (recipient|address|mailbox|local[-\ ]part|e-?mail\ address|account)
        | recipient\ (unknown|not\ found|does\ not\ exist|invalid) | not\ recognized
        | invalid\ (recipient|mailbox|address|user|final\ delivery\ userid)
        | (mailbox|user|recipient|address|account)\ (not\ found|unavailable|does\ not\ exist|doesn't\ exist|not\ exist)
        | does\ not\ exist | doesn't\ exist | not\ a\ valid\ (mailbox|user|recipient|address)
        | no\ mailbox | mailbox\ not\ found | unrouteable\ address | address\ rejected\.?$
        | recipient\ address\ rejected:\ access\ denied | not\ accepting\ network\ messages
        | check\ if\ (the\ )?address\ is\ correct | no\ such\ (domain|host)
        | domain\ is\ not\ reachable | indicated\ no\ smtp\ service | host\ \S+\ not\ found
        | (could|can)\ ?n[o']t\ be\ found | doesn't\ have\ an?\ [\w.-]+\ account | inactive\ e-?mail
        | not\ listed\ in | host\ (unknown|not\ found) | unknown\ host | domain\ (not\ found|does\ not\ exist)
        | host\ or\ domain\ name\ not\ found | no\ mx | nxdomain
        | has\ moved | no\ longer | null\ mx | does\ not\ accept\ mail | not\ our\ customer
        | err\.nosuchuser | mailbox\ name\ not\ allowed | bad\ destination
    "
    )
    .is_match(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use mail_parser::MessageParser;

    fn classify_raw(raw: &str, sender_is_user: bool) -> AutomatedVerdict {
        let bytes = normalise_line_endings(raw.as_bytes());
        let message = MessageParser::default()
            .parse(bytes.as_ref())
            .expect("test message parses");
        classify(&message, sender_is_user)
    }

    fn kind_of(raw: &str) -> AutomatedKind {
        classify_raw(raw, false).kind
    }

    const EXIM_BOUNCE: &str = "Return-path: <>\n\
        From: Mail Delivery System <Mailer-Daemon@mx.example.net>\n\
        To: alice@acme.test\n\
        Subject: Mail delivery failed: returning message to sender\n\
        Auto-Submitted: auto-replied\n\
        X-Failed-Recipients: Bob@Example.org\n\
        \n\
        This message was created automatically by mail delivery software.\n\
        \n\
        A message that you sent could not be delivered to one or more of its\n\
        recipients. This is a permanent error. The following address(es) failed:\n\
        \n\
        \x20 bob@example.org\n\
        \x20   host mx.example.org [192.0.2.7]\n\
        \x20   SMTP error from remote mail server after RCPT TO:<bob@example.org>:\n\
        \x20   550 5.1.1 <bob@example.org>: Recipient address rejected: User unknown\n";

    #[test]
    fn an_exim_bounce_with_auto_submitted_is_a_bounce_not_an_auto_reply() {
        let verdict = classify_raw(EXIM_BOUNCE, false);
        assert_eq!(verdict.kind, AutomatedKind::Bounce);
        assert_eq!(verdict.signal, "header X-Failed-Recipients");
        let bounced = &verdict.bounced[0];
        assert_eq!(bounced.address, "bob@example.org");
        assert_eq!(bounced.status.as_deref(), Some("5.1.1"));
        assert!(bounced.permanent && bounced.hard);
        assert!(bounced
            .diagnostic
            .as_deref()
            .unwrap_or_default()
            .contains("User unknown"));
    }

    const POSTFIX_MAILBOX_FULL: &str = "From: MAILER-DAEMON@mx.acme.test (Mail Delivery System)\n\
        To: alice@acme.test\n\
        Subject: Undelivered Mail Returned to Sender\n\
        \n\
        This is the mail system at host mx.acme.test.\n\
        \n\
        <carol@example.com>: host mx.example.com[192.0.2.9] said: 552 5.2.2\n\
        \x20   <carol@example.com>: Mailbox full (in reply to RCPT TO command)\n\
        <dave@example.com>: host mx.example.com[192.0.2.9] said: 450 4.4.1\n\
        \x20   Connection timed out\n";

    #[test]
    fn a_postfix_bounce_names_each_failed_recipient_with_its_own_status() {
        let verdict = classify_raw(POSTFIX_MAILBOX_FULL, false);
        assert_eq!(verdict.kind, AutomatedKind::Bounce);
        let summary: Vec<(&str, Option<&str>, bool, bool)> = verdict
            .bounced
            .iter()
            .map(|b| (b.address.as_str(), b.status.as_deref(), b.permanent, b.hard))
            .collect();
        assert_eq!(
            summary,
            [
                ("carol@example.com", Some("5.2.2"), true, false),
                ("dave@example.com", Some("4.4.1"), false, false),
            ]
        );
    }

    fn dsn(actions: &[(&str, &str, &str)]) -> String {
        let mut raw = String::from(
            "From: MAILER-DAEMON@mx.acme.test\nTo: alice@acme.test\nSubject: Delivery Status\n\
             MIME-Version: 1.0\n\
             Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n\
             --b\nContent-Type: text/plain\n\nReport.\n\n\
             --b\nContent-Type: message/delivery-status\n\nReporting-MTA: dns; mx.acme.test\n",
        );
        for (address, action, status) in actions {
            raw.push_str(&format!(
                "\nFinal-Recipient: rfc822; {address}\nAction: {action}\nStatus: {status}\n"
            ));
        }
        raw.push_str("\n--b--\n");
        raw
    }

    #[test]
    fn a_dsn_with_every_recipient_delivered_is_a_delivery_report() {
        let raw = dsn(&[
            ("a@example.com", "delivered", "2.0.0"),
            ("b@example.com", "relayed", "2.0.0"),
        ]);
        assert_eq!(kind_of(&raw), AutomatedKind::DeliveryReport);
    }

    #[test]
    fn a_dsn_reports_only_the_recipients_that_failed() {
        let raw = dsn(&[
            ("a@example.com", "delivered", "2.0.0"),
            ("B@Example.com", "failed", "5.1.1"),
        ]);
        let verdict = classify_raw(&raw, false);
        assert_eq!(verdict.kind, AutomatedKind::Bounce);
        let addresses: Vec<&str> = verdict.bounced.iter().map(|b| b.address.as_str()).collect();
        assert_eq!(addresses, ["b@example.com"]);
        assert!(verdict.bounced[0].hard);
    }

    #[test]
    fn a_delayed_dsn_is_a_soft_bounce() {
        let verdict = classify_raw(&dsn(&[("a@example.com", "delayed", "4.4.7")]), false);
        assert_eq!(verdict.kind, AutomatedKind::Bounce);
        assert!(!verdict.bounced[0].permanent && !verdict.bounced[0].hard);
    }

    #[test]
    fn a_policy_rejection_is_permanent_but_not_hard() {
        let verdict = classify_raw(&dsn(&[("a@example.com", "failed", "5.7.1")]), false);
        assert!(verdict.bounced[0].permanent && !verdict.bounced[0].hard);
    }

    #[test]
    fn a_delivery_status_part_in_base64_is_read() {
        let raw = "From: MAILER-DAEMON@mx.acme.test\nTo: alice@acme.test\nSubject: x\n\
            Content-Type: multipart/report; report-type=delivery-status; boundary=\"b\"\n\n\
            --b\nContent-Type: message/delivery-status\nContent-Transfer-Encoding: base64\n\n\
            RmluYWwtUmVjaXBpZW50OiByZmM4MjI7IGVAZXhhbXBsZS5jb20KQWN0aW9uOiBmYWlsZWQKU3RhdHVz\n\
            OiA1LjEuMQo=\n--b--\n";
        let verdict = classify_raw(raw, false);
        assert_eq!(verdict.bounced[0].address, "e@example.com");
        assert_eq!(verdict.bounced[0].status.as_deref(), Some("5.1.1"));
    }

    #[test]
    fn a_customer_subject_that_sounds_like_a_bounce_stays_human() {
        let raw = "From: bob@logistics.example\nTo: alice@acme.test\n\
                   Subject: Delivery report for order 12\n\nThe pallets arrived today.\n";
        assert_eq!(kind_of(raw), AutomatedKind::Human);
    }

    #[test]
    fn a_plain_success_notice_from_a_mailer_daemon_is_a_delivery_report() {
        let raw = "From: Mail Delivery Subsystem <mailer-daemon@googlemail.com>\nTo: a@acme.test\n\
                   Subject: Delivery Status Notification (Success)\n\nDelivered to b@example.org\n";
        assert_eq!(kind_of(raw), AutomatedKind::DeliveryReport);
    }

    #[test]
    fn a_feedback_report_and_a_read_receipt_are_reports_not_bounces() {
        let report = |kind: &str| {
            format!(
                "From: fbl@isp.example\nTo: alice@acme.test\nSubject: r\n\
                 Content-Type: multipart/report; report-type={kind}; boundary=\"b\"\n\n\
                 --b\nContent-Type: text/plain\n\nr\n--b--\n"
            )
        };
        assert_eq!(
            kind_of(&report("feedback-report")),
            AutomatedKind::FeedbackReport
        );
        assert_eq!(
            kind_of(&report("disposition-notification")),
            AutomatedKind::DeliveryReport
        );
    }

    const OUTLOOK_AUTO_REPLY: &str = "From: \"Neko, Nyaan\" <neko@example.org>\n\
        To: alice@acme.test\n\
        Subject: Automatic reply: Our proposal\n\
        X-Auto-Response-Suppress: All\n\
        X-MS-Exchange-Inbox-Rules-Loop: neko@example.org\n\
        \n\
        I'm out of the office until Monday.\n";

    #[test]
    fn an_outlook_automatic_reply_is_an_auto_reply() {
        let verdict = classify_raw(OUTLOOK_AUTO_REPLY, false);
        assert_eq!(verdict.kind, AutomatedKind::AutoReply);
        assert!(
            verdict.signal.contains("Automatic reply"),
            "{}",
            verdict.signal
        );
    }

    #[test]
    fn out_of_office_subjects_in_several_languages_are_auto_replies() {
        let subjects = [
            "Abwesenheitsnotiz: Angebot",
            "Resposta automática: Proposta",
            "Afwezig: Offerte",
            "Réponse automatique : Devis",
            "Out of Office: Quote",
            "Auto reply: Nyaan",
            "Respuesta automática: Oferta",
            "自動応答: 見積もり",
        ];
        for subject in subjects {
            let raw =
                format!("From: x@example.org\nTo: alice@acme.test\nSubject: {subject}\n\nAway.\n");
            assert_eq!(kind_of(&raw), AutomatedKind::AutoReply, "{subject}");
        }
    }

    #[test]
    fn a_person_writing_about_being_out_of_office_stays_human() {
        let raw = "From: bob@example.org\nTo: alice@acme.test\n\
                   Subject: Out of office next week, can we meet on the 12th?\n\nHi Alice\n";
        assert_eq!(kind_of(raw), AutomatedKind::Human);
    }

    #[test]
    fn x_auto_response_suppress_alone_does_not_make_mail_automated() {
        let raw = "From: bob@example.org\nTo: alice@acme.test\nSubject: Pricing\n\
                   X-Auto-Response-Suppress: DR, RN, NRN, OOF, AutoReply\n\nHello\n";
        assert_eq!(kind_of(raw), AutomatedKind::Human);
    }

    #[test]
    fn auto_submitted_headers_are_weighed_by_value() {
        let with = |value: &str| {
            format!("From: bob@example.org\nTo: a@acme.test\nSubject: s\nAuto-Submitted: {value}\n\nx\n")
        };
        assert_eq!(kind_of(&with("no")), AutomatedKind::Human);
        assert_eq!(kind_of(&with("auto-replied")), AutomatedKind::AutoReply);
        assert_eq!(kind_of(&with("auto-generated")), AutomatedKind::NoReply);
    }

    const NEWSLETTER: &str = "From: alice@acme.test\nTo: bob@example.org\nSubject: News\n\
        List-Unsubscribe: <mailto:unsubscribe@tool.example>\nPrecedence: bulk\n\nHello Bob\n";

    #[test]
    fn a_newsletter_from_a_rep_is_not_list_mail() {
        assert_eq!(classify_raw(NEWSLETTER, true).kind, AutomatedKind::Human);
    }

    #[test]
    fn a_newsletter_from_a_stranger_is_list_mail() {
        let verdict = classify_raw(NEWSLETTER, false);
        assert_eq!(verdict.kind, AutomatedKind::List);
        assert_eq!(verdict.signal, "header Precedence: bulk");
    }

    #[test]
    fn our_own_digest_is_own_mail() {
        let raw = "From: crm@acme.test\nTo: alice@acme.test\nSubject: Your day\n\
                   X-Leadmail: digest\nAuto-Submitted: auto-generated\n\nToday\n";
        assert_eq!(kind_of(raw), AutomatedKind::OwnMail);
    }

    #[test]
    fn no_reply_senders_are_no_reply() {
        for sender in [
            "no-reply@shop.example",
            "noreply@x.example",
            "do-not-reply@y.example",
        ] {
            let raw = format!("From: {sender}\nTo: a@acme.test\nSubject: Your order\n\nThanks\n");
            assert_eq!(kind_of(&raw), AutomatedKind::NoReply, "{sender}");
        }
    }

    #[test]
    fn an_amazon_ses_bounce_notification_names_the_recipient() {
        let raw = "From: no-reply@sns.amazonaws.com\nTo: a@acme.test\nSubject: AWS Notification Message\n\n\
            {\"Message\" : \"{\\\"notificationType\\\":\\\"Bounce\\\",\\\"bounce\\\":{\\\"bouncedRecipients\\\":\
            [{\\\"emailAddress\\\":\\\"x@example.com\\\",\\\"status\\\":\\\"5.1.1\\\"}]}}\"}\n";
        let verdict = classify_raw(raw, false);
        assert_eq!(verdict.kind, AutomatedKind::Bounce);
        assert_eq!(verdict.bounced[0].address, "x@example.com");
        assert!(verdict.bounced[0].hard);
    }

    #[test]
    fn line_endings_are_normalised_only_when_lone_carriage_returns_exist() {
        assert!(matches!(
            normalise_line_endings(b"a\r\nb\n"),
            Cow::Borrowed(_)
        ));
        assert_eq!(
            normalise_line_endings(b"a\rb\r\nc\r").as_ref(),
            b"a\r\nb\r\nc\r\n"
        );
        assert_eq!(normalise_line_endings(b"").as_ref(), b"");
    }

    #[test]
    fn status_and_reply_codes_are_not_read_from_ip_addresses() {
        assert_eq!(
            find_status("host 192.0.2.1 said: 550 5.1.1 unknown"),
            Some("5.1.1".into())
        );
        assert_eq!(find_status("relay 203.0.113.5 refused"), None);
        assert_eq!(find_status("status 4.2.2."), Some("4.2.2".into()));
        assert_eq!(
            find_reply_code("host [203.0.113.5] said: 552-quota"),
            Some(552)
        );
        assert_eq!(find_reply_code("203.0.113.5"), None);
    }

    #[test]
    fn hard_means_the_address_is_dead() {
        let hard = |status: Option<&str>, text: &str| {
            let explanation = Explanation {
                status: status.map(String::from),
                diagnostic: Some(text.into()),
                ..Explanation::default()
            };
            bounced_recipient("x@y.example".into(), explanation).hard
        };
        assert!(hard(Some("5.1.1"), "550 5.1.1 user unknown"));
        assert!(hard(None, "550 Host or domain name not found"));
        assert!(!hard(Some("5.2.2"), "552 5.2.2 mailbox full"));
        assert!(!hard(Some("5.7.1"), "554 5.7.1 message rejected as spam"));
        assert!(!hard(Some("4.1.1"), "450 4.1.1 user unknown"));
        assert!(!hard(
            None,
            "550 : User unknown (in reply to end of DATA command)"
        ));
    }

    #[test]
    fn malformed_or_hostile_input_never_panics() {
        let inputs: Vec<Vec<u8>> = vec![
            b"".to_vec(),
            b"\r\r\r\n\n\0\xff\xfe".to_vec(),
            b"Content-Type: multipart/report; report-type=delivery-status; boundary=x\n\n--x\nContent-Type: message/delivery-status\n\n\xff\xfe:\n\tFinal-Recipient\n--x".to_vec(),
            b"From: <@>\nSubject: =?utf-8?B?////?=\nX-Failed-Recipients: ,,,@@@\n\n<@>:\n".to_vec(),
            format!("From: mailer-daemon@x.example\n\n{}", "<a@b.example>: 550 é\n".repeat(50_000)).into_bytes(),
            format!("Subject: failure notice\n\n{}", "é".repeat(MAX_SCAN_BYTES + 3)).into_bytes(),
        ];
        for input in inputs {
            let bytes = normalise_line_endings(&input);
            if let Some(message) = MessageParser::default().parse(bytes.as_ref()) {
                let verdict = classify(&message, false);
                assert!(verdict.bounced.len() <= MAX_RECIPIENTS);
            }
        }
    }

    #[test]
    fn an_empty_message_value_does_not_panic() {
        let verdict = classify(&mail_parser::Message::default(), false);
        assert_eq!(verdict.kind, AutomatedKind::Human);
    }

    #[test]
    fn every_pattern_compiles() {
        let sample = "Undeliverable: x 550 5.1.1 <a@b.example> user unknown";
        assert!(is_bounce_subject(sample));
        assert!(bounce_phrase("user unknown").is_some());
        assert!(auto_reply_subject_prefix().is_match("Automatic reply: x"));
        assert!(refuses_message("mailbox full") && says_address_is_dead("no such user"));
        assert!(is_original_message_marker(
            "------ This is a copy of the message, including all the headers."
        ));
        assert!(mentions_failure(sample) && !is_header_line(sample));
        let lines = [
            sample,
            "RCPT TO:<c@d.example>",
            "To: e@f.example",
            "Final-Recipient: rfc822; g@h.example",
        ];
        assert_eq!(dsn_field_recipients(&lines), ["g@h.example"]);
        assert_eq!(rcpt_to_recipients(&lines), ["c@d.example"]);
        assert_eq!(inline_original_recipients(&lines), ["e@f.example"]);
        assert_eq!(
            leading_address(" <a@b.example>: x"),
            Some("a@b.example".into())
        );
        assert!(
            failed_list_recipients(&["The following address(es) failed:", "", "  x@y.example"])
                .len()
                == 1
        );
        assert!(static_status_checks());
    }

    fn static_status_checks() -> bool {
        status_keeps_address("5.2.2")
            && !status_keeps_address("5.2.1")
            && judge_status("5.1.1") == Some(true)
    }
}

#[cfg(test)]
mod corpus_tests {
    //! Walks the labelled bounce / auto-reply / report corpora in ../shared/corpus.

    use super::*;
    use mail_parser::MessageParser;
    use serde_json::Value;
    use std::collections::BTreeMap;
    use std::panic::{catch_unwind, AssertUnwindSafe};
    use std::path::{Path, PathBuf};

    const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus");

    fn corpus_dir(relative: &str) -> Option<PathBuf> {
        let path = Path::new(CORPUS).join(relative);
        if path.exists() {
            Some(path)
        } else {
            println!("skipping: corpus not found at {}", path.display());
            None
        }
    }

    fn read_json(path: &Path) -> Value {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        serde_json::from_str(&text).unwrap_or(Value::Null)
    }

    /// `None` when the bytes do not parse or classification panicked.
    fn classify_bytes(raw: &[u8]) -> Option<AutomatedVerdict> {
        catch_unwind(AssertUnwindSafe(|| {
            let raw = normalise_line_endings(raw);
            let message = MessageParser::default().parse(raw.as_ref())?;
            Some(classify(&message, false))
        }))
        .ok()
        .flatten()
    }

    fn classify_file(path: &Path) -> Option<AutomatedVerdict> {
        classify_bytes(&std::fs::read(path).ok()?)
    }

    fn expected_kind(category: &str) -> AutomatedKind {
        match category {
            "bounce" => AutomatedKind::Bounce,
            "auto_reply" => AutomatedKind::AutoReply,
            "feedback_report" => AutomatedKind::FeedbackReport,
            "delivery_success_notification" | "read_receipt_mdn" => AutomatedKind::DeliveryReport,
            _ => AutomatedKind::Human,
        }
    }

    fn percent(part: usize, total: usize) -> f64 {
        if total == 0 {
            100.0
        } else {
            part as f64 * 100.0 / total as f64
        }
    }

    #[derive(Default)]
    struct Tally {
        cases: BTreeMap<String, (usize, usize)>,
        recipient_found: (usize, usize),
        hard_soft: (usize, usize),
        panics: usize,
        failures: Vec<String>,
    }

    impl Tally {
        fn record(&mut self, file: &str, case: &Value, verdict: Option<AutomatedVerdict>) {
            let category = case["category"].as_str().unwrap_or("?").to_string();
            let Some(verdict) = verdict else {
                self.panics += 1;
                self.failures
                    .push(format!("{file}: panicked or did not parse"));
                return;
            };
            let expected = expected_kind(&category);
            let entry = self.cases.entry(category).or_default();
            entry.1 += 1;
            if verdict.kind == expected {
                entry.0 += 1;
            } else {
                self.failures.push(format!(
                    "{file}: expected {expected:?}, got {:?} ({})",
                    verdict.kind, verdict.signal
                ));
            }
            if expected == AutomatedKind::Bounce {
                self.record_bounce(file, case, &verdict);
            }
        }

        fn record_bounce(&mut self, file: &str, case: &Value, verdict: &AutomatedVerdict) {
            self.recipient_found.1 += 1;
            if verdict.bounced.is_empty() {
                self.failures
                    .push(format!("{file}: no recipient found ({})", verdict.signal));
            } else {
                self.recipient_found.0 += 1;
            }
            let facts = case["facts"].as_array().cloned().unwrap_or_default();
            for (index, fact) in facts.iter().enumerate() {
                if let Some(expected_hard) = fact["hard_bounce"].as_bool() {
                    self.record_hard_soft(file, index, fact, expected_hard, verdict);
                }
            }
        }

        /// Facts are per recipient in order; a missing recipient is judged by the last one found.
        fn record_hard_soft(
            &mut self,
            file: &str,
            index: usize,
            fact: &Value,
            expected_hard: bool,
            verdict: &AutomatedVerdict,
        ) {
            let found = verdict.bounced.get(index).or(verdict.bounced.last());
            self.hard_soft.1 += 1;
            if found.is_some_and(|found| found.hard == expected_hard) {
                self.hard_soft.0 += 1;
                return;
            }
            self.failures.push(format!(
                "{file}: recipient {} expected hard={expected_hard} ({} {}), got {:?}",
                index + 1,
                fact["status"],
                fact["reason"],
                found.map(|found| (found.hard, &found.status, &found.diagnostic))
            ));
        }

        fn print(&self, title: &str) {
            println!("== {title}");
            for (category, (right, total)) in &self.cases {
                println!(
                    "{category:32} {right:4}/{total:<4} {:6.2}%",
                    percent(*right, *total)
                );
            }
            let (found, bounces) = self.recipient_found;
            println!(
                "{:32} {found:4}/{bounces:<4} {:6.2}%",
                "bounce recipient found",
                percent(found, bounces)
            );
            let (agree, facts) = self.hard_soft;
            println!(
                "{:32} {agree:4}/{facts:<4} {:6.2}%",
                "hard/soft agreement",
                percent(agree, facts)
            );
            println!("{:32} {}", "panics / unparsed", self.panics);
            for failure in &self.failures {
                println!("  FAIL {failure}");
            }
        }

        fn rate(&self, category: &str) -> f64 {
            let (right, total) = self.cases.get(category).copied().unwrap_or((0, 0));
            percent(right, total)
        }

        fn total(&self) -> usize {
            self.cases.values().map(|(_, total)| total).sum()
        }
    }

    /// Runs the sisimai expectations against `maildir/<variant>` copies that exist.
    fn sisimai_tally(root: &Path, variant: &str) -> Tally {
        let expected = read_json(&root.join("expected.json"));
        let mut tally = Tally::default();
        for case in expected["cases"].as_array().into_iter().flatten() {
            let file = case["file"].as_str().unwrap_or_default();
            let file = file.replacen("maildir/bsd/", &format!("maildir/{variant}/"), 1);
            let path = root.join(&file);
            if variant == "bsd" || (file.contains(variant) && path.exists()) {
                tally.record(&file, case, classify_file(&path));
            }
        }
        tally
    }

    #[test]
    fn the_sisimai_corpus_is_classified_like_its_ground_truth() {
        let Some(root) = corpus_dir("sisimai-set-of-emails") else {
            return;
        };
        let tally = sisimai_tally(&root, "bsd");
        tally.print("sisimai maildir/bsd + maildir/not");
        assert!(tally.total() > 0, "no sisimai case ran");
        assert_eq!(tally.panics, 0, "some cases panicked");
        assert!(tally.rate("bounce") >= 99.0, "bounces recognised");
        assert!(tally.rate("human_not_bounce") >= 100.0, "humans recognised");
        let (found, bounces) = tally.recipient_found;
        assert!(percent(found, bounces) >= 95.0, "bounce recipients found");
        let (agree, facts) = tally.hard_soft;
        assert!(percent(agree, facts) >= 90.0, "hard/soft agreement");
    }

    #[test]
    fn the_sisimai_crlf_and_cr_copies_are_classified_too() {
        let Some(root) = corpus_dir("sisimai-set-of-emails") else {
            return;
        };
        for variant in ["dos", "mac"] {
            let tally = sisimai_tally(&root, variant);
            tally.print(&format!(
                "sisimai maildir/{variant} (hard/soft reported, not asserted)"
            ));
            assert!(tally.total() > 0, "no {variant} case ran");
            assert_eq!(tally.panics, 0, "{variant}: some cases panicked");
            assert!(
                tally.rate("bounce") >= 99.0,
                "{variant}: bounces recognised"
            );
            let (found, bounces) = tally.recipient_found;
            assert!(
                percent(found, bounces) >= 95.0,
                "{variant}: recipients found"
            );
        }
    }

    fn essence(verdict: &AutomatedVerdict) -> (AutomatedKind, Vec<(String, bool)>) {
        let bounced = verdict
            .bounced
            .iter()
            .map(|b| (b.address.clone(), b.hard))
            .collect();
        (verdict.kind, bounced)
    }

    /// The same bytes with every line ending (LF or CRLF) replaced by `ending`.
    fn with_line_endings(raw: &[u8], ending: &[u8]) -> Vec<u8> {
        let mut converted = Vec::with_capacity(raw.len() * 2);
        for (index, &byte) in raw.iter().enumerate() {
            match byte {
                b'\r' if raw.get(index + 1) == Some(&b'\n') => {}
                b'\n' => converted.extend_from_slice(ending),
                _ => converted.push(byte),
            }
        }
        converted
    }

    #[test]
    fn every_sisimai_mail_gets_the_same_verdict_with_crlf_and_cr_line_endings() {
        let Some(root) = corpus_dir("sisimai-set-of-emails/maildir/bsd") else {
            return;
        };
        let mut compared = 0;
        let mut differing = Vec::new();
        for path in std::fs::read_dir(&root)
            .into_iter()
            .flatten()
            .flatten()
            .map(|entry| entry.path())
        {
            let Ok(lf) = std::fs::read(&path) else {
                continue;
            };
            let original = classify_bytes(&lf).map(|v| essence(&v));
            for (name, ending) in [("crlf", &b"\r\n"[..]), ("cr", &b"\r"[..])] {
                let bytes = with_line_endings(&lf, ending);
                compared += 1;
                if classify_bytes(&bytes).map(|v| essence(&v)) != original {
                    differing.push(format!("{} ({name})", path.display()));
                }
            }
        }
        println!(
            "line-ending variants compared: {compared}, differing: {}",
            differing.len()
        );
        differing.iter().for_each(|line| println!("  DIFF {line}"));
        assert!(compared > 0, "no sisimai file ran");
        assert!(differing.is_empty(), "verdicts depend on line endings");
    }

    #[test]
    fn the_sisimai_mails_that_are_not_bounces_are_human() {
        let Some(root) = corpus_dir("sisimai-set-of-emails/maildir/not") else {
            return;
        };
        let paths: Vec<PathBuf> = std::fs::read_dir(&root)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
            .collect();
        assert_eq!(paths.len(), 2, "expected the 2 maildir/not files");
        for path in paths {
            let verdict = classify_file(&path).expect("classifies");
            assert_eq!(
                verdict.kind,
                AutomatedKind::Human,
                "{}: {}",
                path.display(),
                verdict.signal
            );
        }
    }

    #[test]
    fn the_unlabelled_sisimai_bounces_are_bounces() {
        let Some(root) = corpus_dir("sisimai-set-of-emails/maildir/err") else {
            return;
        };
        let (mut total, mut bounces, mut with_recipient) = (0, 0, 0);
        for path in std::fs::read_dir(&root)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
        {
            total += 1;
            let verdict = classify_file(&path);
            with_recipient += usize::from(verdict.as_ref().is_some_and(|v| !v.bounced.is_empty()));
            match verdict {
                Some(verdict) if verdict.kind == AutomatedKind::Bounce => bounces += 1,
                other => println!(
                    "  FAIL {}: {:?}",
                    path.display(),
                    other.map(|v| (v.kind, v.signal))
                ),
            }
        }
        println!("== sisimai maildir/err: {bounces}/{total} bounces, {with_recipient}/{total} with a recipient");
        assert!(total > 0 && percent(bounces, total) >= 95.0);
    }

    #[test]
    fn the_mimekit_reports_match_their_expectations() {
        let Some(root) = corpus_dir("mimekit") else {
            return;
        };
        let expected = read_json(&root.join("expected.json"));
        let mut ran = 0;
        for case in expected["messages"].as_array().into_iter().flatten() {
            let file = case["file"].as_str().unwrap_or_default();
            let verdict = classify_file(&root.join(file)).expect("classifies");
            let kind = expected_kind(case["category"].as_str().unwrap_or_default());
            assert_eq!(verdict.kind, kind, "{file}: {}", verdict.signal);
            for group in case["expected"]["status_groups"]
                .as_array()
                .into_iter()
                .flatten()
            {
                if let Some(recipient) = group["Final-Recipient"].as_str().and_then(typed_address) {
                    assert!(
                        verdict.bounced.iter().any(|b| b.address == recipient),
                        "{file}: {recipient}"
                    );
                }
            }
            ran += 1;
        }
        println!("== mimekit: {ran} report cases passed");
        assert!(ran > 0);
    }

    #[test]
    fn the_mikel_multipart_reports_match_their_expectations() {
        let Some(root) = corpus_dir("mikel-mail") else {
            return;
        };
        let expected = read_json(&root.join("expected_multipart_report.json"));
        let mut ran = 0;
        for case in expected["cases"].as_array().into_iter().flatten() {
            let file = case["file"].as_str().unwrap_or_default();
            let verdict = classify_file(&root.join(file)).expect("classifies");
            assert_eq!(verdict.kind, AutomatedKind::Bounce, "{file}");
            assert!(!verdict.bounced.is_empty(), "{file}: no recipient");
            if let Some(recipient) = case["final_recipient"].as_str().and_then(typed_address) {
                let found = verdict
                    .bounced
                    .iter()
                    .find(|b| b.address == recipient)
                    .expect("recipient found");
                assert_eq!(
                    found.status.as_deref(),
                    case["error_status"].as_str(),
                    "{file}"
                );
                let retryable = case["retryable"].as_bool().unwrap_or(false);
                assert_eq!(found.permanent, !retryable, "{file}");
            }
            ran += 1;
        }
        println!("== mikel-mail: {ran} multipart/report cases passed");
        assert!(ran > 0);
    }

    fn files_under(dir: &Path, found: &mut Vec<PathBuf>) {
        for path in std::fs::read_dir(dir)
            .into_iter()
            .flatten()
            .flatten()
            .map(|e| e.path())
        {
            if path.is_dir() {
                files_under(&path, found);
            } else if path
                .extension()
                .is_some_and(|ext| ["eml", "txt", "raw", "box"].iter().any(|e| ext == *e))
            {
                found.push(path);
            }
        }
    }

    #[test]
    fn no_corpus_file_makes_classify_panic() {
        let Some(root) = corpus_dir("") else {
            return;
        };
        let mut files = Vec::new();
        files_under(&root, &mut files);
        let mut panicked = Vec::new();
        for path in &files {
            let raw = std::fs::read(path).unwrap_or_default();
            let outcome = catch_unwind(AssertUnwindSafe(|| {
                let raw = normalise_line_endings(&raw);
                MessageParser::default()
                    .parse(raw.as_ref())
                    .map(|message| classify(&message, false))
            }));
            if outcome.is_err() {
                panicked.push(path.display().to_string());
            }
        }
        println!(
            "== robustness: {} corpus files classified, {} panics",
            files.len(),
            panicked.len()
        );
        assert!(!files.is_empty() && panicked.is_empty(), "{panicked:?}");
    }
}
