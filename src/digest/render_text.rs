//! The digest's plain-text part: sections under underlined titles, items
//! wrapped to [`WIDTH`] columns, the team as an aligned table, and the reply
//! commands at the bottom. Lines end in `\n`.

use super::content::Digest;
use super::model::RepCounts;
use super::sections::{laid_out, Item, Section};
use super::words;

/// The widest line the text part writes, where words allow.
pub const WIDTH: usize = 78;

/// The whole plain-text part.
pub fn render_text(digest: &Digest) -> String {
    text_part(digest, &laid_out(digest))
}

/// The plain-text part of `digest`, whose sections are laid out already.
pub fn text_part(digest: &Digest, sections: &[(Section, Vec<Item>)]) -> String {
    let mut out = vec![
        words::heading(digest),
        words::subject(digest),
        String::new(),
    ];
    if digest.is_empty() {
        out.push("Nothing due and nothing new. Have a good day.".to_string());
        out.push(String::new());
    }
    for (section, items) in sections {
        out.extend(section_lines(*section, items, digest));
        out.push(String::new());
    }
    out.extend(footer());
    out.join("\n") + "\n"
}

fn section_lines(section: Section, items: &[Item], digest: &Digest) -> Vec<String> {
    let title = section.title(digest);
    let count = match section {
        Section::Team => digest.team.len(),
        _ => items.len(),
    };
    let heading = format!("{} ({count})", title.to_uppercase());
    let mut lines = vec![
        heading.clone(),
        "-".repeat(heading.chars().count().min(WIDTH)),
    ];
    if section == Section::Team {
        lines.extend(team_table(&digest.team));
        return lines;
    }
    for item in items {
        lines.extend(item_lines(item, digest.lead_links.as_deref()));
    }
    lines
}

fn item_lines(item: &Item, links: Option<&str>) -> Vec<String> {
    let mut lines = wrap(&item.headline, "", "    ");
    for detail in &item.details {
        lines.extend(wrap(detail, "    ", "      "));
    }
    if let (Some(base), Some(id)) = (links, item.lead_id) {
        lines.push(format!("    {base}/leads/{id}"));
    }
    lines
}

/// Per-rep counts as an aligned table; long names are shortened.
fn team_table(rows: &[RepCounts]) -> Vec<String> {
    const NAME: usize = 24;
    let header = format!(
        "{:<NAME$} {:>7} {:>5} {:>4} {:>7} {:>5}",
        "Rep", "Overdue", "Today", "New", "No next", "Quiet"
    );
    let mut lines = vec![header];
    for row in rows {
        lines.push(format!(
            "{:<NAME$} {:>7} {:>5} {:>4} {:>7} {:>5}",
            shorten(&clean(&row.name), NAME),
            row.overdue,
            row.today,
            row.new,
            row.no_next_action,
            row.stale
        ));
    }
    lines
}

fn footer() -> Vec<String> {
    let mut lines = vec!["-- ".to_string()];
    lines.extend(wrap(
        "Reply to this mail with one command per line, for example:",
        "",
        "",
    ));
    lines.extend(wrap_list(words::REPLY_HELP.split(" · "), "  "));
    lines
}

/// Joins `items` with " · " into lines of at most [`WIDTH`] columns,
/// breaking only between items (an item wider than a line gets its own).
pub fn wrap_list<'a>(items: impl IntoIterator<Item = &'a str>, indent: &str) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for item in items {
        let fits = line.chars().count() + 3 + item.chars().count() <= WIDTH;
        if line.is_empty() || !fits {
            if !line.is_empty() {
                lines.push(std::mem::take(&mut line));
            }
            line = format!("{indent}{item}");
        } else {
            line = format!("{line} · {item}");
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

/// Control characters (line breaks, tabs, escapes) become spaces.
fn clean(text: &str) -> String {
    text.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect()
}

/// At most `max` characters, with "…" when cut.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let kept: String = text.chars().take(max.saturating_sub(1)).collect();
    format!("{kept}…")
}

/// Word-wraps `text` to [`WIDTH`]: the first line starts with `first`, the
/// others with `rest`; a word longer than a line is cut into pieces.
/// Control characters separate words, as spaces do.
pub fn wrap(text: &str, first: &str, rest: &str) -> Vec<String> {
    let rest_width = rest.chars().count();
    let max = WIDTH.saturating_sub(rest_width).max(1);
    let mut lines = Vec::new();
    let mut line = first.to_string();
    let mut width = first.chars().count();
    let mut empty = true;
    let words = text
        .split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|word| !word.is_empty());
    for word in words {
        for (piece, chars) in pieces(word, max) {
            if !empty && width + 1 + chars > WIDTH {
                lines.push(std::mem::replace(&mut line, rest.to_string()));
                width = rest_width;
                empty = true;
            }
            if !empty {
                line.push(' ');
                width += 1;
            }
            line.push_str(piece);
            width += chars;
            empty = false;
        }
    }
    lines.push(line);
    lines
}

/// Cuts a word into pieces of at most `max` characters, each with its
/// length in characters.
fn pieces(word: &str, max: usize) -> impl Iterator<Item = (&str, usize)> {
    let mut rest = word;
    std::iter::from_fn(move || {
        if rest.is_empty() {
            return None;
        }
        let (end, chars) = match rest.char_indices().nth(max) {
            Some((end, _)) => (end, max),
            None => (rest.len(), rest.chars().count()),
        };
        let (piece, tail) = rest.split_at(end);
        rest = tail;
        Some((piece, chars))
    })
}
