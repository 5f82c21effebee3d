//! Turning a drafted message into RFC 5322 bytes (CRLF), with an HTML
//! alternative and an attachment sized so the whole reaches a target size.

use super::rng::Rng;
use super::text;

/// A message before its bytes: headers, plain text, and what may pad it.
#[derive(Debug, Clone, Default)]
pub(super) struct Draft {
    /// Header fields in order, values already encoded where needed.
    pub headers: Vec<(&'static str, String)>,
    /// The text/plain body (LF line ends; CRLF is written).
    pub text: String,
    /// Add a text/html alternative of the text.
    pub html: bool,
    /// May carry an attachment to reach the size.
    pub attach: bool,
}

impl Draft {
    /// Adds a header field.
    pub(super) fn header(&mut self, name: &'static str, value: impl Into<String>) -> &mut Self {
        self.headers.push((name, value.into()));
        self
    }
}

/// A display name and address as a header value (RFC 2047 for non-ASCII names).
pub(super) fn mailbox(name: &str, address: &str) -> String {
    format!("{} <{address}>", phrase(name))
}

/// A header phrase: as is when plain ASCII, else a UTF-8 base64 encoded word.
pub(super) fn phrase(value: &str) -> String {
    if value.is_ascii() {
        value.to_string()
    } else {
        let encoded = text::base64(value.as_bytes());
        format!("=?UTF-8?B?{}?=", encoded.trim_end().replace("\r\n", ""))
    }
}

/// Writes the draft, padding it with HTML and (if allowed) an attachment
/// until it is about `target` bytes long.
pub(super) fn render(draft: &Draft, target: usize, rng: &mut Rng) -> Vec<u8> {
    let mut out = String::with_capacity(target + 4096);
    for (name, value) in &draft.headers {
        out.push_str(name);
        out.push_str(": ");
        out.push_str(value);
        out.push_str("\r\n");
    }
    out.push_str("MIME-Version: 1.0\r\n");
    let plain = crlf(&draft.text);
    let remaining = target.saturating_sub(out.len() + plain.len() + 400);
    let attachment = (draft.attach && remaining > 6000).then(|| remaining - remaining.min(6000));
    let html_size = remaining - attachment.unwrap_or(0);
    let body = if draft.html {
        let html = crlf(&text::html(&draft.text, html_size));
        alternative(&plain, &html, rng)
    } else {
        Part::leaf(
            "text/plain; charset=\"UTF-8\"; format=flowed",
            "8bit",
            plain,
        )
    };
    let whole = match attachment {
        Some(size) => mixed(body, attachment_part(size * 3 / 4, rng), rng),
        None => body,
    };
    out.push_str(&whole.head);
    out.push_str("\r\n");
    out.push_str(&whole.body);
    out.into_bytes()
}

/// A MIME entity: its own header lines and its body.
struct Part {
    head: String,
    body: String,
}

impl Part {
    fn leaf(content_type: &str, encoding: &str, body: String) -> Part {
        Part {
            head: format!(
                "Content-Type: {content_type}\r\nContent-Transfer-Encoding: {encoding}\r\n"
            ),
            body,
        }
    }
}

fn multipart(subtype: &str, parts: &[Part], rng: &mut Rng) -> Part {
    let boundary = format!("{:016x}{:08x}", rng.next_u64(), rng.next_u64() as u32);
    let mut body = String::new();
    for part in parts {
        body.push_str(&format!("--{boundary}\r\n{}\r\n{}", part.head, part.body));
        if !part.body.ends_with("\r\n") {
            body.push_str("\r\n");
        }
    }
    body.push_str(&format!("--{boundary}--\r\n"));
    Part {
        head: format!("Content-Type: multipart/{subtype}; boundary=\"{boundary}\"\r\n"),
        body,
    }
}

fn alternative(plain: &str, html: &str, rng: &mut Rng) -> Part {
    let parts = [
        Part::leaf("text/plain; charset=\"UTF-8\"", "8bit", plain.to_string()),
        Part::leaf("text/html; charset=\"UTF-8\"", "8bit", html.to_string()),
    ];
    multipart("alternative", &parts, rng)
}

fn mixed(body: Part, attachment: Part, rng: &mut Rng) -> Part {
    multipart("mixed", &[body, attachment], rng)
}

/// A base64 attachment of `raw` bytes: a PDF or an image, as mail carries.
fn attachment_part(raw: usize, rng: &mut Rng) -> Part {
    let (content_type, name) = rng.pick(&[
        ("application/pdf", "Proposal.pdf"),
        ("application/pdf", "Requirements.pdf"),
        ("image/png", "image001.png"),
        ("image/jpeg", "site-photo.jpg"),
    ]);
    Part {
        head: format!(
            "Content-Type: {content_type}; name=\"{name}\"\r\nContent-Disposition: attachment; filename=\"{name}\"\r\nContent-Transfer-Encoding: base64\r\n"
        ),
        body: text::base64(&rng.bytes(raw)),
    }
}

/// LF (or CRLF) line ends as CRLF.
pub(super) fn crlf(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 40);
    for line in text.split('\n') {
        out.push_str(line.strip_suffix('\r').unwrap_or(line));
        out.push_str("\r\n");
    }
    out.truncate(out.len() - 2);
    if text.ends_with('\n') || text.is_empty() {
        return out;
    }
    out.push_str("\r\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crlf_converts_every_line_end_once_and_ends_with_one() {
        assert_eq!(crlf("a\nb\r\nc"), "a\r\nb\r\nc\r\n");
        assert_eq!(crlf("a\n"), "a\r\n");
    }

    #[test]
    fn non_ascii_names_become_encoded_words() {
        assert_eq!(mailbox("Ann Lee", "a@b.example"), "Ann Lee <a@b.example>");
        assert_eq!(phrase("Tomás"), "=?UTF-8?B?VG9tw6Fz?=");
    }

    #[test]
    fn a_draft_with_an_attachment_reaches_about_its_target_size() {
        let mut draft = Draft::default();
        draft.header("Subject", "x");
        draft.text = "hello\n".into();
        draft.html = true;
        draft.attach = true;
        let bytes = render(&draft, 30_000, &mut Rng::new(1, 1));
        assert!((27_000..33_000).contains(&bytes.len()), "{}", bytes.len());
    }
}
