//! The digest's HTML part: one centred presentation table, inline CSS only,
//! no images, scripts, fonts or links to fetch, so it renders the same in
//! Gmail, Outlook and Apple Mail. Built with maud, which escapes every
//! spliced value (all text from a mail or the database) by default; long
//! unbroken words get `<wbr>` break points.

use super::content::Digest;
use super::model::RepCounts;
use super::sections::{laid_out, Item, Section};
use super::words;
use maud::{html, Markup, DOCTYPE};

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
    let subject = visible(&words::subject(digest));
    let body = html! {
        p style=(format!("margin:0;{MUTED}")) { (breakable(&words::heading(digest))) }
        h1 style="margin:4px 0 16px;font-size:20px;" { (subject) }
        @if digest.is_empty() {
            p style="margin:0 0 12px;" { "Nothing due and nothing new. Have a good day." }
        }
        @for (section, items) in sections {
            (section_html(*section, items, digest))
        }
        (footer())
    };
    page(&subject, body).into_string()
}

/// Wraps the body in the document and the centred 640-pixel column.
fn page(title: &str, body: Markup) -> Markup {
    let column = format!(
        "padding:20px 24px;{FONT}font-size:14px;line-height:1.45;color:#1f2328;\
         text-align:left;word-break:break-word;overflow-wrap:anywhere;"
    );
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) }
            }
            body style="margin:0;padding:0;background:#f4f5f7;" {
                table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0"
                    style="background:#f4f5f7;" {
                    tr { td align="center" style="padding:16px 8px;" {
                        table role="presentation" width="100%" cellpadding="0" cellspacing="0"
                            border="0" style="max-width:640px;background:#ffffff;border:1px solid #e1e4e8;" {
                            tr { td style=(column) { (body) } }
                        }
                    } }
                }
            }
        }
    }
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

fn section_html(section: Section, items: &[Item], digest: &Digest) -> Markup {
    let count = match section {
        Section::Team => digest.team.len(),
        _ => items.len(),
    };
    let color = accent(section);
    let rule = format!(
        "margin:22px 0 8px;padding-bottom:4px;font-size:15px;color:{color};border-bottom:2px solid {color};"
    );
    html! {
        h2 style=(rule) { (visible(&section.title(digest))) " (" (count) ")" }
        @if section == Section::Team {
            (team_table(&digest.team))
        }
        @for item in items {
            (item_html(item, color, digest.lead_links.as_deref()))
        }
    }
}

/// The item's headline, a link to the lead's page when the web app is set up.
fn headline_html(item: &Item, links: Option<&str>) -> Markup {
    match (links, item.lead_id) {
        (Some(base), Some(id)) => html! {
            a href=(format!("{base}/leads/{id}")) style="color:inherit;" { (breakable(&item.headline)) }
        },
        _ => breakable(&item.headline),
    }
}

fn item_html(item: &Item, color: &str, links: Option<&str>) -> Markup {
    let bar = format!("margin:0 0 12px;padding:2px 0 2px 10px;border-left:3px solid {color};");
    html! {
        div style=(bar) {
            div style="font-weight:600;" { (headline_html(item, links)) }
            @for line in &item.details {
                div style=(MUTED) { (breakable(line)) }
            }
        }
    }
}

fn team_table(rows: &[RepCounts]) -> Markup {
    let cell = "padding:4px 8px;border-bottom:1px solid #e1e4e8;";
    let head_cell = format!("{cell}{MUTED}font-weight:600;");
    html! {
        table role="presentation" cellpadding="0" cellspacing="0" border="0"
            style="border-collapse:collapse;font-size:13px;margin:0 0 12px;" {
            tr {
                @for heading in ["Rep", "Overdue", "Today", "New", "No next", "Quiet"] {
                    th align="left" style=(head_cell) { (heading) }
                }
            }
            @for row in rows {
                tr {
                    td style=(cell) { (breakable(&row.name)) }
                    @for n in [row.overdue, row.today, row.new, row.no_next_action, row.stale] {
                        td align="right" style=(cell) { (n) }
                    }
                }
            }
        }
    }
}

fn footer() -> Markup {
    let rule = format!("margin:24px 0 0;padding-top:12px;border-top:1px solid #e1e4e8;{MUTED}");
    html! {
        p style=(rule) {
            "Reply to this mail with one command per line, for example:" br;
            @for (i, command) in words::REPLY_HELP.split(" · ").enumerate() {
                @if i > 0 { " · " }
                code style="background:#f4f5f7;padding:0 3px;" { (visible(command)) }
            }
        }
    }
}

/// Text with the control characters HTML forbids turned into spaces; maud
/// escapes the markup characters where it is spliced.
fn visible(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// `text` as markup whose long unbroken runs may wrap (Outlook ignores
/// `overflow-wrap`): a `<wbr>` after every [`BREAK_EVERY`] characters of a
/// word; the text itself escaped by maud.
pub fn breakable(text: &str) -> Markup {
    html! {
        @for (i, run) in unbroken_runs(&visible(text)).into_iter().enumerate() {
            @if i > 0 { wbr; }
            (run)
        }
    }
}

/// `text` cut after every [`BREAK_EVERY`] characters without whitespace.
fn unbroken_runs(text: &str) -> Vec<&str> {
    let mut runs = Vec::new();
    let (mut start, mut run) = (0, 0);
    for (at, c) in text.char_indices() {
        run = if c.is_whitespace() { 0 } else { run + 1 };
        if run == BREAK_EVERY {
            let end = at + c.len_utf8();
            runs.push(&text[start..end]);
            (start, run) = (end, 0);
        }
    }
    runs.push(&text[start..]);
    runs
}
