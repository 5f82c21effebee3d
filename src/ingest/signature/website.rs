//! The company web site of a signature; a social-network link only when nothing else is there.

use super::{strip_markup, BARE_DOMAIN, EMAIL, SEGMENT_SEPARATOR, URL};

/// The company web site: the first http(s)/www address or bare domain line that is not a
/// social network or mail-app link, else the first social link.
pub(super) fn best_website(signature: &str) -> Option<String> {
    let mut social = None;
    for line in signature.lines().map(strip_markup) {
        if line.to_lowercase().starts_with("sent ") {
            continue;
        }
        for url in website_candidates(line) {
            if !is_social(url) {
                return Some(url.to_string());
            }
            social.get_or_insert_with(|| url.to_string());
        }
    }
    social
}

/// Web addresses of a line: http(s)/www links, or a bare domain standing alone in a segment
/// ("acme.pt", "Web: acme.pt", "linkedin.com/in/x | acme.pt").
fn website_candidates(line: &str) -> Vec<&str> {
    SEGMENT_SEPARATOR
        .split(line)
        .flat_map(segment_websites)
        .collect()
}

fn segment_websites(segment: &str) -> Vec<&str> {
    let urls: Vec<&str> = URL
        .find_iter(segment)
        .map(|m| m.as_str().trim_end_matches(['.', ',', ';', ':', ')', '>']))
        .collect();
    if !urls.is_empty() || EMAIL.is_match(segment) {
        return urls;
    }
    let mut words = segment.split_whitespace();
    let last = words.next_back().unwrap_or("");
    let is_bare_domain = words.count() <= 1 && BARE_DOMAIN.is_match(last);
    if is_bare_domain {
        vec![last]
    } else {
        Vec::new()
    }
}

const SOCIAL_DOMAINS: &[&str] = &[
    "linkedin.",
    "twitter.",
    "x.com",
    "facebook.",
    "fb.com",
    "instagram.",
    "youtube.",
    "youtu.be",
    "xing.",
    "tiktok.",
    "t.me",
    "wa.me",
    "github.",
    "medium.com",
    "calendly.",
    "threads.net",
];

fn is_social(url: &str) -> bool {
    let lower = url.to_lowercase();
    let host = lower
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_start_matches("www.");
    SOCIAL_DOMAINS.iter().any(|d| host.starts_with(d))
}
