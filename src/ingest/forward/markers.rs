//! What stands above a header block: a forward title, an Outlook rule or an "Original
//! Message" title, or nothing.

use regex::Regex;
use std::sync::LazyLock;

use super::candidates::Marker;
use super::Line;

/// The marker above a header block (over at most three blank lines).
pub(super) fn marker_above(lines: &[Line], index: usize) -> (usize, Marker) {
    let above = lines[index.saturating_sub(4)..index]
        .iter()
        .rposition(|l| !l.is_blank());
    let Some(offset) = above else {
        return (index, Marker::Bare);
    };
    let line_index = index.saturating_sub(4) + offset;
    match marker_kind(lines[line_index].content()) {
        Some(marker) => (line_index, marker),
        None => (index, Marker::Bare),
    }
}

/// A title between rules of dashes, or of "=" (Zoho: "============ Forwarded message
/// ============").
static DASH_FRAMED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:-{2,}|={2,})\s*(.*?)\s*(?:-{2,}|={2,})$").expect("valid pattern")
});
static RULE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[_\-—–=]{8,}$").expect("valid pattern"));
/// "Original Message" in the common languages.
static ORIGINAL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)origin|ursprüng|ursprung|oorspronk|oprindel|opprinnel|alkuper|původn|pôvodn|",
        r"oryginal|исходн|оригинал|eredeti|orijinal|izvorn|原始",
    ))
    .expect("valid pattern")
});
/// Words for forwarding in the common languages.
static FORWARDING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)forward|fwd|weiterge|reenvi|transf[eé]r|transmis|réexpédi|inoltr|doorgest|",
        r"videresend|vidarebefordr|przekaz|přepos|prepos|továbbít|välitet|edelleenl|пересл|",
        r"переадрес|пересил|перенаправ|redirec|proslijeđ|encaminh|[iİ]let|転送|转发|轉寄|전달|",
        r"προωθ|توجيه|הועבר|chuyển tiếp|ส่งต่อ|diteruskan|препрат|прослеђ|prosleđ|posredovan|",
        r"persiųst|pārsūtīt|edastat|edasi saadet|अग्रेषित|áframsen",
    ))
    .expect("valid pattern")
});

/// A forward title framed by rules ("-------- Forwarded Message --------").
pub(super) fn is_forward_title(content: &str) -> bool {
    let line = content.trim().trim_matches('*').trim();
    (line.starts_with("--") || line.starts_with("=="))
        && DASH_FRAMED.is_match(line)
        && marker_kind(line) == Some(Marker::Forward)
}

/// What kind of marker a line is, if any.
fn marker_kind(content: &str) -> Option<Marker> {
    let line = content.trim().trim_matches('*').trim();
    if RULE.is_match(line) {
        return Some(Marker::Separator);
    }
    if let Some(title) = DASH_FRAMED.captures(line).and_then(|c| c.get(1)) {
        let is_original = ORIGINAL.is_match(title.as_str()) && !FORWARDING.is_match(title.as_str());
        return Some(if is_original {
            Marker::Separator
        } else {
            Marker::Forward
        });
    }
    let is_intro =
        line.ends_with([':', '：']) && line.chars().count() <= 80 && FORWARDING.is_match(line);
    is_intro.then_some(Marker::Forward)
}
