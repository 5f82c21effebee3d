//! Status codes and hard / soft: whether a failure is final, and whether it says the address
//! itself is dead.

use super::evidence::Explanation;
use super::BouncedRecipient;

pub(super) fn bounced_recipient(address: String, explanation: Explanation<'_>) -> BouncedRecipient {
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
pub(super) fn find_status(text: &str) -> Option<String> {
    let status = static_regex!(r"(?:^|[^\d.])([245]\.\d{1,3}\.\d{1,3})(?:$|[^\d.]|\.(?:$|\D))");
    Some(status.captures(text)?.get(1)?.as_str().to_string())
}

/// The first SMTP reply code ("550") in the text.
pub(super) fn find_reply_code(text: &str) -> Option<u16> {
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
pub(super) fn status_keeps_address(status: &str) -> bool {
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

pub(super) fn judge_status(status: &str) -> Option<bool> {
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
pub(super) fn refuses_message(text: &str) -> bool {
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

pub(super) fn says_address_is_dead(text: &str) -> bool {
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
