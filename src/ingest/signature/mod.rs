//! Contact details (phone, job title, company, website) read from an e-mail signature block.
//!
//! # Layout
//!
//! - this file: the public functions, the line predicates reply cleaning shares, and the
//!   patterns every part uses.
//! - `phones`: phone numbers, their labels and E.164 normalisation.
//! - `titles`: job titles, and the split of a signature into segments.
//! - `companies`: company names (legal suffixes, the line after the title).
//! - `website`: the company web site.

use regex::Regex;
use std::sync::LazyLock;

mod companies;
mod phones;
mod titles;
mod website;

#[cfg(test)]
mod tests;

use companies::has_legal_suffix;
use phones::{best_phone, is_phone_line, labelled_phones, PhoneLabel};
use titles::{is_title, segments, title_and_company};
use website::best_website;

/// Contact details found in a signature.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignatureFields {
    /// Best phone number (mobile/direct first, never fax): E.164 ("+351912345678") when the
    /// country is known from a `+`/`00` prefix or the default country code, else as written.
    pub phone: Option<String>,
    /// Job title, e.g. "Head of Sales".
    pub title: Option<String>,
    /// Company name, from a "Title | Company" form or a line with a legal suffix.
    pub company: Option<String>,
    /// Company web site; a social-network link only when nothing else is there.
    pub website: Option<String>,
}

/// Reads phone, title, company and website from a signature block.
///
/// `name`: the sender's display name, if known (the line with the name is not a title).
/// `default_country_code`: e.g. `Some("351")` to turn national numbers into E.164 (leading
/// trunk 0 dropped where that country uses one).
pub fn extract_signature_fields(
    signature: &str,
    name: Option<&str>,
    default_country_code: Option<&str>,
) -> SignatureFields {
    let (title, company) = title_and_company(&segments(signature), name);
    SignatureFields {
        phone: best_phone(signature, default_country_code),
        title,
        company,
        website: best_website(signature),
    }
}

/// Phone numbers anywhere in a text (form messages, bodies), normalised like
/// [`SignatureFields::phone`], fax numbers left out, duplicates removed, in order.
pub fn find_phones(text: &str, default_country_code: Option<&str>) -> Vec<String> {
    let mut found: Vec<String> = Vec::new();
    for phone in labelled_phones(text, default_country_code) {
        if phone.label != PhoneLabel::Fax && !found.contains(&phone.number) {
            found.push(phone.number);
        }
    }
    found
}

/// True for a short line that carries contact details: a phone, e-mail address, web address,
/// company with a legal suffix, job title or a labelled contact (used to spot signatures).
pub(crate) fn is_contact_line(line: &str) -> bool {
    let line = strip_markup(line);
    let words = word_count(line);
    let sentence = ends_like_sentence(line) || has_sentence_words(line);
    if line.chars().count() > 80 || words > 8 || sentence {
        return false;
    }
    is_phone_line(line)
        || ((EMAIL.is_match(line) || URL.is_match(line)) && words <= 5)
        || (has_legal_suffix(line) && words <= 6)
        || (is_title(line) && words <= 6)
        || CONTACT_LABEL.is_match(line)
}

/// A contact line that needs no other signature line around it to be one: a phone, a labelled
/// contact, a company or title, or a link without prose around it ("Jane Doe | jane@x.org",
/// "Visit us at www.x.org"). "Here's a link http://…" is a contact line inside a signature
/// block but, alone at the end of a reply, the reply's own text.
pub(crate) fn is_contact_line_alone(line: &str) -> bool {
    let line = strip_markup(line);
    let link_in_prose = (EMAIL.is_match(line) || URL.is_match(line))
        && line
            .split_whitespace()
            .filter(|word| !EMAIL.is_match(word) && !URL.is_match(word))
            .any(|word| word.starts_with(char::is_lowercase) && word.chars().count() >= 3);
    is_contact_line(line)
        && (is_phone_line(line)
            || CONTACT_LABEL.is_match(line)
            || has_legal_suffix(line)
            || is_title(line)
            || !link_in_prose)
}

/// True for a line that reads like a person's or company's name ("João da Silva",
/// "John E. Doe, Ph.D.", "Acme Research"): a few capitalised words, no sentence punctuation.
pub(crate) fn is_name_like(line: &str) -> bool {
    let line = strip_markup(line).trim_end_matches('.');
    let words: Vec<&str> = line.split_whitespace().collect();
    if words.is_empty() || words.len() > 5 || line.ends_with(',') {
        return false;
    }
    if line
        .chars()
        .any(|c| c.is_ascii_digit() || "?!:;@/|()[]<>\"".contains(c))
    {
        return false;
    }
    let is_particle = |w: &&str| NAME_PARTICLES.contains(&w.to_lowercase().as_str());
    words.iter().all(|w| starts_upper(w) || is_particle(w)) && words.iter().any(|w| starts_upper(w))
}

const NAME_PARTICLES: &[&str] = &[
    "da", "de", "do", "dos", "das", "van", "der", "den", "von", "du", "di", "del", "la", "le", "y",
    "e", "&", "und", "and", "of", "ter", "te", "zu", "bin", "al",
];

fn starts_upper(word: &str) -> bool {
    word.chars()
        .find(|c| c.is_alphabetic())
        .is_some_and(char::is_uppercase)
}

/// Number of words with letters in them (digit groups of phone numbers are not words).
fn word_count(text: &str) -> usize {
    text.split_whitespace()
        .filter(|w| w.chars().any(char::is_alphabetic))
        .count()
}

/// A line that ends like a sentence rather than a signature line ("Ph.D." and "Lda." are fine).
fn ends_like_sentence(line: &str) -> bool {
    if line.ends_with(['?', '!', ':', ',', ';']) {
        return true;
    }
    let last = line
        .split_whitespace()
        .last()
        .unwrap_or("")
        .trim_end_matches('.');
    let abbreviation = last.contains('.') || ABBREVIATIONS.contains(&last.to_lowercase().as_str());
    line.ends_with('.') && !abbreviation
}

const ABBREVIATIONS: &[&str] = &[
    "lda", "ltda", "inc", "ltd", "co", "corp", "jr", "sr", "dr", "prof", "eng", "sa", "bv", "nv",
    "gmbh", "llc", "plc", "esq", "mr", "mrs", "ms", "ing", "arq",
];

/// Pronouns and verbs of a sentence ("Please call me at …"), never found in signature lines.
fn has_sentence_words(line: &str) -> bool {
    line.split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric() && c != '\'')
                .to_lowercase()
        })
        .any(|w| SENTENCE_WORDS.contains(&w.as_str()))
}

const SENTENCE_WORDS: &[&str] = &[
    "i", "i'm", "we", "we're", "our", "my", "me", "you", "your", "is", "am", "are", "was", "will",
    "would", "please", "can", "could", "let", "eu", "nós", "ich", "wir", "je", "nous", "yo",
    "bitte", "favor", "ligue", "liguem",
];

/// Removes bold/italic markers around a line ("*Joe Smith | Director*").
fn strip_markup(line: &str) -> &str {
    line.trim().trim_matches(['*', '_']).trim()
}

static EMAIL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[^\s<>@()\[\]]+@[^\s<>@()\[\]]+\.[^\s<>@()\[\]]+").unwrap());

static URL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"(?i)(?:\bhttps?://|\bwww\.)[^\s<>()"'\[\]]+"#).unwrap());

static BARE_DOMAIN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.[a-z]{2,24}(?:/\S*)?$").unwrap()
});

static CONTACT_LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)^(?:skype|linkedin|twitter|web|website|site|e-?mail|mail|e|w|tel|phone|mobile|fax|whatsapp|teams)\s*[:.]\s*\S",
    )
    .unwrap()
});

static SEGMENT_SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\s*[|·•]\s*|\s+[–—-]\s+").unwrap());

/// True when `text` is the person's `name`, alone or followed by more words ("John E. Doe,
/// Ph.D." for "John E. Doe"), ignoring case and punctuation.
pub(crate) fn is_person_name(text: &str, name: Option<&str>) -> bool {
    let simplify = |s: &str| -> String {
        let kept: String = s
            .chars()
            .filter(|c| c.is_alphanumeric() || c.is_whitespace())
            .collect();
        kept.to_lowercase()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let Some(name) = name.map(simplify).filter(|n| !n.is_empty()) else {
        return false;
    };
    let text = simplify(text);
    text == name
        || text
            .strip_prefix(&name)
            .is_some_and(|rest| rest.starts_with(' '))
}
