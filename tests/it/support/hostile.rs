//! The hostile mail fixtures (the forward the digest tests file and the
//! CSV-injection inquiry of the export tests), what in them a page must
//! show only as text, and a check of a page's markup for anything that
//! would run.

/// Alice forwards Mallory's mail: markup and quotes in both subjects, an
/// image with an `onerror` handler in the body.
pub const FORWARD: &str =
    "Authentication-Results: mx.acme.test; dmarc=pass header.from=acme.test\r\n\
From: Alice Martins <alice@acme.test>\r\n\
To: crm@acme.test\r\n\
Subject: Fwd: <script>alert(\"x\")</script> & \"quotes\"\r\n\
Message-ID: <hostile-1@acme.test>\r\n\
Date: Mon, 23 Nov 2026 08:00:00 +0000\r\n\
\r\n\
---------- Forwarded message ---------\r\n\
From: Mallory <mallory@hostile.example>\r\n\
Date: Mon, 23 Nov 2026 07:50:00 +0000\r\n\
Subject: <script>alert(\"x\")</script> & \"quotes\"\r\n\
To: Alice Martins <alice@acme.test>\r\n\
\r\n\
Hello <img src=x onerror=alert(1)> we want 40 seats.\r\n";

/// `tests/fixtures/export/hostile-inquiry.eml`: a stranger's inquiry whose
/// subject and name are spreadsheet formulas (quotes, `&`, `|`, `'`).
pub fn inquiry() -> String {
    std::fs::read_to_string(super::repo().join("tests/fixtures/export/hostile-inquiry.eml"))
        .expect("the hostile inquiry fixture")
}

/// `text` as the templates escape it (maud: `&`, `<`, `>`, `"`).
pub fn escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Every `<…>` run of a mail (its tags, and the addresses and ids in angle
/// brackets, which a browser would read as tags too): none may reach a
/// page as it is.
pub fn angle_runs(raw: &str) -> Vec<String> {
    let mut runs = Vec::new();
    let mut rest = raw;
    while let Some(open) = rest.find('<') {
        let tail = &rest[open..];
        match tail[1..].find(['<', '>', '\r', '\n']) {
            Some(end) if tail.as_bytes()[end + 1] == b'>' => {
                runs.push(tail[..end + 2].to_string());
                rest = &tail[end + 2..];
            }
            Some(end) => rest = &tail[end + 1..],
            None => break,
        }
    }
    runs.sort();
    runs.dedup();
    runs
}

/// The value of the first header `name` of a mail (unfolded), or of a
/// `Name: value` line in its body (a forwarded block) when `in_body`.
pub fn header(raw: &str, name: &str, in_body: bool) -> Option<String> {
    let (head, body) = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .unwrap_or((raw, ""));
    let prefix = format!("{}:", name.to_ascii_lowercase());
    let text = if in_body { body } else { head };
    text.lines()
        .find(|line| line.to_ascii_lowercase().starts_with(&prefix))
        .map(|line| line[prefix.len()..].trim().to_string())
}

/// The lines of a mail's body with a character that markup gives meaning
/// to (`<`, `>`, `&`, `"`), trimmed.
pub fn marked_body_lines(raw: &str) -> Vec<String> {
    let body = raw
        .split_once("\r\n\r\n")
        .or_else(|| raw.split_once("\n\n"))
        .map_or("", |(_, body)| body);
    body.lines()
        .map(str::trim)
        .filter(|line| line.contains(['<', '>', '&', '"']))
        .map(str::to_string)
        .collect()
}

/// The texts of a mail a page may show that have a character markup gives
/// meaning to (`<`, `>`, `&`, `"`): its From and Subject, and such lines
/// of its body (a forwarded block's headers among them).
pub fn marked_texts(raw: &str) -> Vec<String> {
    ["from", "subject"]
        .iter()
        .filter_map(|name| header(raw, name, false))
        .filter(|text| text.contains(['<', '>', '&', '"']))
        .chain(marked_body_lines(raw))
        .collect()
}

/// What in a page's markup would run or load something: script and other
/// active elements, `on…` event attributes, and `javascript:` URLs. The
/// app's own templates have none, so anything found came from data.
pub fn live_markup(html: &str) -> Vec<String> {
    const ACTIVE: [&str; 9] = [
        "script", "img", "iframe", "object", "embed", "svg", "math", "link", "base",
    ];
    let mut found = Vec::new();
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        let tail = &rest[open + 1..];
        let end = tag_end(tail);
        let tag = &tail[..end];
        rest = &tail[end..];
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(char::is_ascii_alphanumeric)
            .collect::<String>()
            .to_ascii_lowercase();
        if ACTIVE.contains(&name.as_str()) {
            found.push(format!("<{tag}>"));
            continue;
        }
        for (attribute, value) in attributes(tag) {
            let attribute = attribute.to_ascii_lowercase();
            let value: String = value
                .chars()
                .filter(|c| !c.is_whitespace() && !c.is_control())
                .collect::<String>()
                .to_ascii_lowercase();
            if attribute.starts_with("on")
                || attribute == "style" && value.contains("url(")
                || value.starts_with("javascript:")
                || value.starts_with("data:")
                || value.starts_with("vbscript:")
            {
                found.push(format!("<{tag}>"));
            }
        }
    }
    found
}

/// Where a tag that starts at `tail` ends: its `>` outside quotes.
fn tag_end(tail: &str) -> usize {
    let mut quote = None;
    for (i, c) in tail.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i,
            _ => {}
        }
    }
    tail.len()
}

/// A tag's attributes as (name, value) pairs; a bare attribute has "".
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    let mut chars = tag.chars().peekable();
    // The element's name first.
    while chars.next_if(|c| !c.is_whitespace()).is_some() {}
    loop {
        while chars.next_if(|c| c.is_whitespace() || *c == '/').is_some() {}
        let name: String =
            std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace() && !"=/".contains(*c)))
                .collect();
        if name.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            match chars.next_if(|c| *c == '"' || *c == '\'') {
                Some(q) => value = std::iter::from_fn(|| chars.next_if(|c| *c != q)).collect(),
                None => {
                    value = std::iter::from_fn(|| chars.next_if(|c| !c.is_whitespace())).collect()
                }
            }
            chars.next();
        }
        pairs.push((name, value));
    }
    pairs
}

#[test]
fn live_markup_finds_scripts_handlers_and_script_urls_but_not_plain_markup() {
    let plain = r#"<a href="/leads/1">x &lt;script&gt;</a><form method="post" action="/x"><input type="text" name="q" value="&quot;onerror=1"></form>"#;
    assert!(live_markup(plain).is_empty(), "{:?}", live_markup(plain));
    for hostile in [
        "<script>alert(1)</script>",
        "<p><img src=x onerror=alert(1)></p>",
        r#"<a href=" JavaScript:alert(1)">x</a>"#,
        r#"<input value="" onfocus="alert(1)">"#,
        "<b onmouseover=alert(1)>x</b>",
    ] {
        assert!(!live_markup(hostile).is_empty(), "{hostile}");
    }
}

#[test]
fn angle_runs_and_headers_come_from_the_mail() {
    assert_eq!(
        angle_runs(FORWARD),
        [
            "</script>",
            "<alice@acme.test>",
            "<hostile-1@acme.test>",
            "<img src=x onerror=alert(1)>",
            "<mallory@hostile.example>",
            "<script>",
        ]
    );
    assert_eq!(
        header(FORWARD, "subject", true).as_deref(),
        Some("<script>alert(\"x\")</script> & \"quotes\"")
    );
    assert_eq!(
        marked_body_lines(FORWARD),
        [
            "From: Mallory <mallory@hostile.example>",
            "Subject: <script>alert(\"x\")</script> & \"quotes\"",
            "To: Alice Martins <alice@acme.test>",
            "Hello <img src=x onerror=alert(1)> we want 40 seats.",
        ]
    );
}
