//! Names and addresses in forwarded header lines: "Name <a@b>", Outlook's mailto forms,
//! "Doe, John <a@b>", and names printed without an address.

use regex::Regex;
use std::sync::LazyLock;

use super::ForwardedAddress;

/// An e-mail address (its first character may not be a quote or a dot).
pub(super) const ADDRESS: &str =
    r"[\w!#$%&*+/=?^`{|}~-][\w.!#$%&'*+/=?^`{|}~-]*@[\w-]+(?:\.[\w-]+)+";

/// An address in angle brackets, or a bare one.
pub(super) static ADDRESS_TOKEN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(&format!(r"<\s*({ADDRESS})\s*>|({ADDRESS})")).expect("valid pattern")
});

/// Outlook's HTML link duplicates ("x@y<mailto:x@y>") and "[mailto:x@y]" forms.
static MAILTO_LINK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*<mailto:[^>]*>").expect("valid pattern"));
static MAILTO_BRACKET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[mailto:([^\]]*)\]").expect("valid pattern"));

/// Parses "Name <a@b>, 'Other' <c@d>; e@f" (also "Doe, John <a@b>"). When
/// no address is present at all, the text is read as names only.
pub(super) fn parse_address_list(value: &str) -> Vec<ForwardedAddress> {
    let text = MAILTO_LINK.replace_all(value, "");
    let text = MAILTO_BRACKET.replace_all(&text, "<$1>");
    let mut list = Vec::new();
    let mut name_start = 0;
    for caps in ADDRESS_TOKEN.captures_iter(&text) {
        let (Some(whole), Some(address)) = (caps.get(0), caps.get(1).or(caps.get(2))) else {
            continue;
        };
        if caps.get(2).is_some() && is_display_name(&text[whole.end()..]) {
            continue;
        }
        let name = clean_name(&text[name_start..whole.start()])
            .filter(|n| !n.eq_ignore_ascii_case(address.as_str()));
        list.push(ForwardedAddress {
            name,
            address: address.as_str().to_string(),
        });
        name_start = whole.end();
    }
    if list.is_empty() {
        list = text
            .split(';')
            .filter_map(clean_name)
            .map(|name| ForwardedAddress {
                name: Some(name),
                address: String::new(),
            })
            .collect();
    }
    list
}

/// True when a bare address is followed by a bracketed one, i.e. it is a display name.
fn is_display_name(after: &str) -> bool {
    after
        .trim_start_matches(|c: char| c.is_whitespace() || QUOTES.contains(&c))
        .starts_with('<')
}

const QUOTES: &[char] = &['"', '\'', '«', '»', '„', '“', '”', '‚', '‘', '’'];

/// A display name without separators, quotes and bold markers.
pub(super) fn clean_name(raw: &str) -> Option<String> {
    let separators = |c: char| c.is_whitespace() || matches!(c, ',' | ';' | '*');
    let mut name = raw.trim_matches(separators);
    loop {
        let inner = name
            .trim_start_matches(QUOTES)
            .trim_end_matches(QUOTES)
            .trim_matches(separators);
        if inner.len() == name.len() {
            break;
        }
        name = inner;
    }
    (!name.is_empty()).then(|| name.to_string())
}

/// The sender of a From value; a name alone when no address was printed.
pub(super) fn parse_sender(value: &str) -> Option<ForwardedAddress> {
    parse_address_list(value).into_iter().next()
}
