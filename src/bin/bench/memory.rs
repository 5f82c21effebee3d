//! Inputs for the memory benchmark (issue 13): large messages for a backlog
//! through Dovecot, and the hostile set that once cost seconds and hundreds
//! of megabytes to plan. Deterministic: the same arguments write the same
//! bytes. People and authentication are those of the fixture config.

use anyhow::Context;
use std::fmt::Write as _;
use std::path::Path;

/// Writes `n` messages of about `size` bytes each into `out`, in turn: a
/// rep's forward with a long plain-text original, a stranger's inquiry
/// with one large base64 attachment, an HTML-only newsletter. Message i is
/// named `{i × every:07}-large-KIND.eml`, so sorted by name among `bench
/// write`'s files it comes after every `every`-th of them.
pub fn write_large(
    n: usize,
    size: usize,
    every: usize,
    out: &Path,
) -> anyhow::Result<serde_json::Value> {
    create(out)?;
    let mut bytes = 0;
    for index in 0..n {
        let (kind, mail) = match index % 3 {
            0 => ("forward", forward_text(index, size)),
            1 => ("attachment", with_attachment(index, size)),
            _ => ("html", html_only(index, size)),
        };
        bytes += mail.len();
        let position = index * every;
        write(out, &format!("{position:07}-large-{kind}.eml"), &mail)?;
    }
    eprintln!(
        "bench large: {n} messages, {:.1} MB, into {}",
        bytes as f64 / 1e6,
        out.display()
    );
    Ok(serde_json::json!({ "messages": n, "bytes": bytes }))
}

/// Writes the hostile set into `out`: each file is one message of about
/// `size` bytes (24 MB in the benchmark) built to hit one step's
/// worst case: a rep forward, signature delimiters, quote lines, nested
/// quotes, short lines from a stranger, 100,000 forward markers.
pub fn write_hostile(size: usize, out: &Path) -> anyhow::Result<serde_json::Value> {
    create(out)?;
    let stranger = |id: &str, subject: &str| {
        header(
            "Jane Doe <jane@globex.example>",
            subject,
            id,
            "text/plain; charset=UTF-8",
        )
    };
    let html_stranger = |id: &str, subject: &str| {
        header(
            "Jane Doe <jane@globex.example>",
            subject,
            id,
            "text/html; charset=UTF-8",
        )
    };
    let files = [
        ("rep-forward", forward_text(0, size)),
        (
            "signature-delimiters",
            stranger("sig", "Question") + "Hello,\r\n" + &repeat("-- \r\n", size),
        ),
        (
            "quote-lines",
            stranger("quotes", "Re: question") + "Thanks!\r\n" + &repeat("> \r\n", size),
        ),
        (
            "nested-quotes",
            stranger("nested", "Re: question") + "Thanks!\r\n" + &nested_quotes(size),
        ),
        (
            "short-lines",
            stranger("short", "Question") + &repeat("a\r\n", size),
        ),
        ("forward-markers", forward_markers(100_000)),
        (
            "html-unclosed-comments",
            html_stranger("comments", "Question") + &repeat("<!--<div>x", size),
        ),
        (
            "html-quotes-closed-by-divs",
            html_stranger("divs", "Re: question")
                + &repeat("<blockquote>q", size / 2)
                + &repeat("</div>", size / 2),
        ),
    ];
    let mut written = serde_json::Map::new();
    for (name, mail) in files {
        write(out, &format!("{name}.eml"), &mail)?;
        written.insert(name.into(), mail.len().into());
    }
    eprintln!(
        "bench hostile: {} files into {}",
        written.len(),
        out.display()
    );
    Ok(serde_json::Value::Object(written))
}

fn create(out: &Path) -> anyhow::Result<()> {
    std::fs::create_dir_all(out).with_context(|| format!("cannot create {}", out.display()))
}

fn write(out: &Path, name: &str, mail: &str) -> anyhow::Result<()> {
    let path = out.join(name);
    std::fs::write(&path, mail).with_context(|| format!("cannot write {}", path.display()))
}

/// A header block; `from` a rep (alice@acme.test) passes DMARC.
fn header(from: &str, subject: &str, id: &str, content_type: &str) -> String {
    let auth = if from.contains("@acme.test") {
        "Authentication-Results: mx.acme.test; dmarc=pass header.from=acme.test\r\n"
    } else {
        ""
    };
    format!(
        "{auth}From: {from}\r\nTo: crm@acme.test\r\nSubject: {subject}\r\n\
         Date: Mon, 23 Nov 2026 09:00:00 +0000\r\nMessage-ID: <{id}@bench.invalid>\r\n\
         MIME-Version: 1.0\r\nContent-Type: {content_type}\r\n\r\n"
    )
}

/// `unit` repeated to `size` bytes (whole units).
fn repeat(unit: &str, size: usize) -> String {
    unit.repeat(size / unit.len())
}

const PROSE: &str =
    "We are expanding our cold-chain operation in Porto and need about forty loggers.\r\n";

const FORWARD_BLOCK: &str = "---------- Forwarded message ---------\r\n\
    From: Marta Ferreira <marta.ferreira@globex.example>\r\n\
    Date: Thu, Nov 19, 2026 at 3:12 PM\r\nSubject: Quote request\r\n\
    To: Alice Martins <alice@acme.test>\r\n\r\n";

/// A rep's forward whose original is `size` bytes of plain text.
fn forward_text(index: usize, size: usize) -> String {
    let id = format!("large-forward-{index}");
    header(
        "Alice Martins <alice@acme.test>",
        "Fwd: Quote request",
        &id,
        "text/plain; charset=UTF-8",
    ) + "Hi, see below. I'll call her on Monday.\r\n\r\nAlice\r\n\r\n"
        + FORWARD_BLOCK
        + &repeat(PROSE, size)
}

/// A stranger's inquiry with one attachment whose base64 is about `size` bytes.
fn with_attachment(index: usize, size: usize) -> String {
    let id = format!("large-attachment-{index}");
    let mut mail = header(
        "Jane Doe <jane@globex.example>",
        "Tender documents",
        &id,
        "multipart/mixed; boundary=\"b1\"",
    );
    mail.push_str("--b1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n");
    mail.push_str("Hello, please find our tender attached.\r\n\r\nJane\r\n");
    mail.push_str(
        "--b1\r\nContent-Type: application/pdf; name=\"tender.pdf\"\r\n\
         Content-Disposition: attachment; filename=\"tender.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\n",
    );
    // 76-character base64 lines of varied (not random, deterministic) data.
    let alphabet = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut line = String::with_capacity(78);
    for n in 0..size / 78 {
        line.clear();
        for i in 0..76 {
            line.push(alphabet[(n * 7 + i * 13 + index) % 64] as char);
        }
        mail.push_str(&line);
        mail.push_str("\r\n");
    }
    mail.push_str("--b1--\r\n");
    mail
}

/// An HTML-only newsletter of about `size` bytes.
fn html_only(index: usize, size: usize) -> String {
    let id = format!("large-html-{index}");
    let mut mail = header(
        "Globex News <news@globex.example>",
        "This month at Globex",
        &id,
        "text/html; charset=UTF-8",
    );
    mail.push_str("<html><body>\r\n");
    let row = "<tr><td>Porto</td><td>cold-chain loggers</td><td><a href=\"https://globex.example/p\">more</a></td></tr>\r\n";
    mail.push_str("<table>\r\n");
    mail.push_str(&repeat(row, size));
    mail.push_str("</table></body></html>\r\n");
    mail
}

/// Quote lines of depth 1 to 50, over and over, to about `size` bytes.
fn nested_quotes(size: usize) -> String {
    let mut text = String::with_capacity(size + 200);
    let mut depth = 0;
    while text.len() < size {
        depth = depth % 50 + 1;
        text.push_str(&"> ".repeat(depth));
        text.push_str("quoted\r\n");
    }
    text
}

/// A rep's forward of `n` forwarded header blocks in a row.
fn forward_markers(n: usize) -> String {
    let mut mail = header(
        "Alice Martins <alice@acme.test>",
        "Fwd: many",
        "forward-markers",
        "text/plain; charset=UTF-8",
    );
    mail.push_str("Note\r\n\r\n");
    for i in 0..n {
        let _ = write!(
            mail,
            "---------- Forwarded message ---------\r\nFrom: M <m{i}@globex.example>\r\n\
             Date: Thu, Nov 19, 2026 at 3:12 PM\r\nSubject: x\r\nTo: alice@acme.test\r\n\r\n"
        );
    }
    mail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_messages_reach_about_their_size() {
        for index in 0..3 {
            let mail = match index {
                0 => forward_text(index, 100_000),
                1 => with_attachment(index, 100_000),
                _ => html_only(index, 100_000),
            };
            assert!(
                (99_000..102_000).contains(&mail.len()),
                "{index}: {}",
                mail.len()
            );
        }
    }
}
