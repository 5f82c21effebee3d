//! Subject cleaning: strips reply/forward prefixes (any common client and
//! language) and leading list tags, so titles and thread keys read like the
//! subject the first sender wrote.

use regex::Regex;
use std::sync::LazyLock;

/// What the outermost subject prefix says about the message carrying it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrefixKind {
    /// An answer: "Re:", "AW:", "SV:", "Antw:", "R:", "Odp:", "回复:" …
    Reply,
    /// A forward: "Fwd:", "FW:", "WG:", "TR:", "RV:", "ENC:", "I:", "转发:" …
    Forward,
}

/// Reply prefixes, matched case-insensitively. Single letters are separate.
const REPLY_WORDS: &str = concat!(
    "re|aw|sv|svar|antw|antwort|odp|odg|rif|réf|ynt|cvp|vá|válasz|resp|res|atb|",
    "ats|ΑΠ|ΣΧΕΤ|Отв|Ответ|На|Відп|回复|回覆|答复|答覆|返信|회신|답장|رد|השב",
);

/// Forward prefixes, matched case-insensitively. "VS" is the Danish and
/// Norwegian Outlook forward (in Finnish it means a reply; forward wins).
const FORWARD_WORDS: &str = concat!(
    "fwd|fw|fwds|tr|wg|rv|enc|doorst|vs|vb|vl|fs|pd|redir|videresend|İLT|ILT|",
    "İlt|prosl|továbbítás|Пересл|Переслано|Перес|ΠΡΘ|转发|轉發|转寄|轉寄|転送|전달|הועבר",
);

/// One leading prefix or list tag, with the blanks after it.
static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    let words = alternation(REPLY_WORDS.split('|').chain(FORWARD_WORDS.split('|')));
    let counter = r"(?:\[\d{1,4}\]|\(\d{1,4}\)|\^\d{1,4})?";
    let tag = r"(?P<tag>[\[【][^\]】]{1,80}[\]】])";
    let word = format!(r"(?P<word>(?i:{words}))\.?[ \t]*{counter}[ \t]*[:：]");
    let letter = format!(r"(?P<letter>[RI]){counter}[:：]");
    Regex::new(&format!(r"^\s*(?:{tag}|{word}|{letter})\s*"))
        .expect("the subject prefix pattern is valid")
});

/// A regex alternation of literal words, longest first so that no word
/// hides a longer one it begins.
pub(super) fn alternation<'a>(words: impl Iterator<Item = &'a str>) -> String {
    let mut sorted: Vec<&str> = words.filter(|w| !w.is_empty()).collect();
    sorted.sort_by_key(|w| std::cmp::Reverse(w.chars().count()));
    sorted
        .iter()
        .map(|w| regex::escape(w))
        .collect::<Vec<_>>()
        .join("|")
}

/// The subject with all reply/forward prefixes removed — repeated and mixed
/// ("Re: AW: Fwd: x"), with counters ("Re[2]:", "RE^3:"), full-width colons
/// and French spacing ("TR : x") — and bracketed tags ("[sales-team]")
/// standing before or between them. A prefix is only taken when its colon
/// follows, so words are kept ("Re: Resume" → "Resume"); the Italian "R:"
/// and "I:" must be upper case and touch their colon. A tag with nothing
/// after it is kept ("[Ticket 42]"). A subject made only of prefixes
/// ("Re:", "Fwd: ") gives "" — callers choose their own fallback title.
pub fn clean_subject(subject: &str) -> String {
    strip_prefixes(subject).rest.trim().to_string()
}

/// True when the subject's outermost prefix is a reply prefix (after any
/// leading list tags): "Re: Fwd: x" is a reply, "Fwd: Re: x" is not.
pub fn has_reply_prefix(subject: &str) -> bool {
    outer_prefix(subject) == Some(PrefixKind::Reply)
}

/// The kind of the outermost reply/forward prefix, if the subject has one.
pub fn outer_prefix(subject: &str) -> Option<PrefixKind> {
    strip_prefixes(subject).outer
}

/// A subject split into its outermost prefix kind and what follows all prefixes.
struct Stripped<'a> {
    outer: Option<PrefixKind>,
    rest: &'a str,
}

fn strip_prefixes(subject: &str) -> Stripped<'_> {
    let mut stripped = Stripped {
        outer: None,
        rest: subject.trim_start(),
    };
    while let Some(caps) = PREFIX.captures(stripped.rest) {
        let Some(whole) = caps.get(0) else { break };
        let after = &stripped.rest[whole.end()..];
        if caps.name("tag").is_some() && after.trim().is_empty() {
            break;
        }
        if stripped.outer.is_none() {
            stripped.outer = kind_of(&caps);
        }
        stripped.rest = after;
    }
    stripped
}

/// The kind of a matched prefix; `None` for a list tag.
fn kind_of(caps: &regex::Captures<'_>) -> Option<PrefixKind> {
    if let Some(letter) = caps.name("letter") {
        return Some(if letter.as_str() == "R" {
            PrefixKind::Reply
        } else {
            PrefixKind::Forward
        });
    }
    let word = caps.name("word")?.as_str().to_lowercase();
    let is = |list: &str| list.split('|').any(|w| w.to_lowercase() == word);
    if is(REPLY_WORDS) {
        Some(PrefixKind::Reply)
    } else if is(FORWARD_WORDS) {
        Some(PrefixKind::Forward)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_and_mixed_prefixes_are_all_removed() {
        assert_eq!(clean_subject("Re: Fwd: RE: AW: WG: Angebot"), "Angebot");
        assert_eq!(clean_subject("SV: VS: Tilbud"), "Tilbud");
        assert_eq!(clean_subject("Antw: Doorst.: Offerte"), "Offerte");
        assert_eq!(clean_subject("RV: ENC: Odp: PD: Ynt: Vá: Oferta"), "Oferta");
        assert_eq!(clean_subject("İLT: YNT: Teklif"), "Teklif");
        assert_eq!(clean_subject("Redir.: Videresend: Ofertă"), "Ofertă");
        assert_eq!(clean_subject("Отв: Пересл: Предложение"), "Предложение");
        assert_eq!(clean_subject("ΑΠ: ΣΧΕΤ: Προσφορά"), "Προσφορά");
    }

    #[test]
    fn chinese_prefixes_with_full_width_colons_are_removed() {
        assert_eq!(clean_subject("回复：转发：报价"), "报价");
        assert_eq!(clean_subject("答复: 报价"), "报价");
    }

    #[test]
    fn counters_and_french_spacing_are_understood() {
        assert_eq!(clean_subject("Re[2]: Quote"), "Quote");
        assert_eq!(clean_subject("RE^3: Quote"), "Quote");
        assert_eq!(clean_subject("Re(4): Quote"), "Quote");
        assert_eq!(clean_subject("TR : Devis"), "Devis");
        assert_eq!(clean_subject("Re:Quote"), "Quote");
    }

    #[test]
    fn list_tags_before_and_between_prefixes_are_removed() {
        assert_eq!(clean_subject("[sales-team] Re: Quote"), "Quote");
        assert_eq!(clean_subject("Re: [sales-team] Fwd: Quote"), "Quote");
        assert_eq!(clean_subject("【EXTERNAL】 FW: Quote"), "Quote");
    }

    #[test]
    fn a_lone_tag_is_kept_because_it_is_the_whole_subject() {
        assert_eq!(clean_subject("[Ticket 42]"), "[Ticket 42]");
        assert_eq!(clean_subject("Re: [Ticket 42]"), "[Ticket 42]");
    }

    #[test]
    fn words_that_start_like_prefixes_are_kept() {
        assert_eq!(clean_subject("Re: Resume"), "Resume");
        assert_eq!(
            clean_subject("Regarding: the offer"),
            "Regarding: the offer"
        );
        assert_eq!(clean_subject("Travel: plans"), "Travel: plans");
        assert_eq!(clean_subject("Response time"), "Response time");
        assert_eq!(clean_subject("Awesome: new deal"), "Awesome: new deal");
        assert_eq!(
            clean_subject("Encuesta: resultados"),
            "Encuesta: resultados"
        );
        assert_eq!(clean_subject("R&D budget"), "R&D budget");
    }

    #[test]
    fn italian_single_letter_prefixes_need_upper_case_and_a_touching_colon() {
        assert_eq!(clean_subject("I: Offerta"), "Offerta");
        assert_eq!(clean_subject("R: I: Offerta"), "Offerta");
        assert_eq!(clean_subject("I love it: yes"), "I love it: yes");
        assert_eq!(clean_subject("i: lower case"), "i: lower case");
        assert_eq!(clean_subject("R : spaced"), "R : spaced");
        assert_eq!(clean_subject("Rome: trip"), "Rome: trip");
    }

    #[test]
    fn a_subject_made_only_of_prefixes_becomes_empty() {
        assert_eq!(clean_subject("Re:"), "");
        assert_eq!(clean_subject(" Fwd: RE: "), "");
        assert_eq!(clean_subject(""), "");
    }

    #[test]
    fn the_outermost_prefix_decides_reply_or_forward() {
        assert!(has_reply_prefix("Re: Fwd: Quote"));
        assert!(!has_reply_prefix("Fwd: Re: Quote"));
        assert!(has_reply_prefix("[list] AW: Angebot"));
        assert!(has_reply_prefix("R: Offerta"));
        assert!(!has_reply_prefix("Resume"));
        assert_eq!(outer_prefix("WG: Angebot"), Some(PrefixKind::Forward));
        assert_eq!(outer_prefix("I: Offerta"), Some(PrefixKind::Forward));
        assert_eq!(outer_prefix("Quote"), None);
    }

    #[test]
    fn odd_input_never_panics() {
        for s in [
            "[",
            "【",
            "Re",
            ":",
            "Re[",
            "Re[99999]: x",
            "ß:",
            "\u{0}",
            "İ",
            "[]: x",
            "Re: \u{feff}",
        ] {
            let _ = clean_subject(s);
            let _ = outer_prefix(s);
        }
    }
}
