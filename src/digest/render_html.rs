//! The digest's HTML part: one centred presentation table, inline CSS only,
//! no images, scripts, fonts or links to fetch, so it renders the same in
//! Gmail, Outlook and Apple Mail. Every text from a mail or the database goes
//! through [`escape`]; long unbroken words get `<wbr>` break points.

use super::content::Digest;
use super::model::RepCounts;
use super::sections::{laid_out, Item, Section};
use super::words;

const FONT: &str = "font-family:-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;";
const MUTED: &str = "color:#57606a;font-size:13px;";
/// Longest run of characters without a break opportunity.
const BREAK_EVERY: usize = 30;

/// The whole HTML part (a complete document).
pub fn render_html(digest: &Digest) -> String {
    html_part(digest, &laid_out(digest))
}

/// The HTML part of `digest`, whose sections are laid out already.
pub fn html_part(digest: &Digest, sections: &[(Section, Vec<Item>)]) -> String {
    let subject = escape(&words::subject(digest));
    let mut body = format!(
        "<p style=\"margin:0;{MUTED}\">{}</p>\n<h1 style=\"margin:4px 0 16px;font-size:20px;\">{subject}</h1>\n",
        breakable(&words::heading(digest))
    );
    if digest.is_empty() {
        body.push_str(
            "<p style=\"margin:0 0 12px;\">Nothing due and nothing new. Have a good day.</p>\n",
        );
    }
    for (section, items) in sections {
        body.push_str(&section_html(*section, items, digest));
    }
    body.push_str(&footer());
    page(&subject, &body)
}

/// Wraps the body in the document and the centred 640-pixel column.
fn page(title: &str, body: &str) -> String {
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{title}</title>\n</head>\n\
         <body style=\"margin:0;padding:0;background:#f4f5f7;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"background:#f4f5f7;\">\n\
         <tr><td align=\"center\" style=\"padding:16px 8px;\">\n\
         <table role=\"presentation\" width=\"100%\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"max-width:640px;background:#ffffff;border:1px solid #e1e4e8;\">\n\
         <tr><td style=\"padding:20px 24px;{FONT}font-size:14px;line-height:1.45;color:#1f2328;text-align:left;word-break:break-word;overflow-wrap:anywhere;\">\n\
         {body}</td></tr>\n</table>\n</td></tr>\n</table>\n</body>\n</html>\n"
    )
}

/// The accent colour of a section's rule and items.
fn accent(section: Section) -> &'static str {
    match section {
        Section::Overdue => "#b42318",
        Section::Today => "#b54708",
        Section::New => "#067647",
        Section::Replied => "#6941c6",
        Section::NoNextAction => "#c4320a",
        Section::Stale => "#475467",
        Section::Quarantined => "#344054",
        Section::Team => "#1f2328",
    }
}

fn section_html(section: Section, items: &[Item], digest: &Digest) -> String {
    let count = match section {
        Section::Team => digest.team.len(),
        _ => items.len(),
    };
    let color = accent(section);
    let mut html = format!(
        "<h2 style=\"margin:22px 0 8px;padding-bottom:4px;font-size:15px;color:{color};border-bottom:2px solid {color};\">{} ({count})</h2>\n",
        escape(&section.title(digest))
    );
    if section == Section::Team {
        html.push_str(&team_table(&digest.team));
    }
    for item in items {
        html.push_str(&item_html(item, color, digest.lead_links.as_deref()));
    }
    html
}

/// The item's headline, a link to the lead's page when the web app is set up.
fn headline_html(item: &Item, links: Option<&str>) -> String {
    let text = breakable(&item.headline);
    match (links, item.lead_id) {
        (Some(base), Some(id)) => format!(
            "<a href=\"{}/leads/{id}\" style=\"color:inherit;\">{text}</a>",
            escape(base)
        ),
        _ => text,
    }
}

fn item_html(item: &Item, color: &str, links: Option<&str>) -> String {
    let details: String = item
        .details
        .iter()
        .map(|line| format!("<div style=\"{MUTED}\">{}</div>\n", breakable(line)))
        .collect();
    format!(
        "<div style=\"margin:0 0 12px;padding:2px 0 2px 10px;border-left:3px solid {color};\">\n\
         <div style=\"font-weight:600;\">{}</div>\n{details}</div>\n",
        headline_html(item, links)
    )
}

fn team_table(rows: &[RepCounts]) -> String {
    let cell = "padding:4px 8px;border-bottom:1px solid #e1e4e8;";
    let head: String = ["Rep", "Overdue", "Today", "New", "No next", "Quiet"]
        .iter()
        .map(|h| format!("<th align=\"left\" style=\"{cell}{MUTED}font-weight:600;\">{h}</th>"))
        .collect();
    let body: String = rows
        .iter()
        .map(|row| {
            let numbers = [
                row.overdue,
                row.today,
                row.new,
                row.no_next_action,
                row.stale,
            ];
            let cells: String = numbers
                .iter()
                .map(|n| format!("<td align=\"right\" style=\"{cell}\">{n}</td>"))
                .collect();
            format!(
                "<tr><td style=\"{cell}\">{}</td>{cells}</tr>\n",
                breakable(&row.name)
            )
        })
        .collect();
    format!(
        "<table role=\"presentation\" cellpadding=\"0\" cellspacing=\"0\" border=\"0\" style=\"border-collapse:collapse;font-size:13px;margin:0 0 12px;\">\n<tr>{head}</tr>\n{body}</table>\n"
    )
}

fn footer() -> String {
    let commands: Vec<String> = words::REPLY_HELP
        .split(" · ")
        .map(|c| {
            format!(
                "<code style=\"background:#f4f5f7;padding:0 3px;\">{}</code>",
                escape(c)
            )
        })
        .collect();
    format!(
        "<p style=\"margin:24px 0 0;padding-top:12px;border-top:1px solid #e1e4e8;{MUTED}\">\
         Reply to this mail with one command per line, for example:<br>\n{}</p>\n",
        commands.join(" · ")
    )
}

/// Escapes text for HTML element content and quoted attribute values;
/// control characters (which HTML forbids) become spaces.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        push_escaped(&mut out, c);
    }
    out
}

/// Appends one character, escaped as [`escape`] does.
fn push_escaped(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#39;"),
        c if c.is_control() => out.push(' '),
        c => out.push(c),
    }
}

/// Escapes `text` and lets long unbroken runs wrap (Outlook ignores
/// `overflow-wrap`): a `<wbr>` after every [`BREAK_EVERY`] characters of a word.
pub fn breakable(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = 0;
    for c in text.chars() {
        run = if c.is_whitespace() { 0 } else { run + 1 };
        push_escaped(&mut out, c);
        if run == BREAK_EVERY {
            out.push_str("<wbr>");
            run = 0;
        }
    }
    out
}
