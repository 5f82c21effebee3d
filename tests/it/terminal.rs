//! Terminal escapes: text from a stranger's mail (a form's fields, a body,
//! a sender) holding C0/C1 controls and bidi overrides reaches every human
//! output of the CLI as visible escapes, never as bytes a terminal acts on;
//! `--json` keeps the same strings, escaped as JSON.

use crate::support;

use support::{offline_app, App};

const NAME: &str = "Mal\u{1b}[2Jlory";
const COMPANY: &str = "Evil\u{1b}]0;pwned\u{7} Corp";
const BODY: &str = "Hi\u{1b}[31m red\u{9b}2J \u{202e}fdp.exe\u{2067} \u{61c}\u{200f}\r";

/// A form submission whose fields and message hold escapes, and a stranger's
/// mail (quarantined) whose sender name and subject do.
fn hostile_app() -> App {
    let app = offline_app();
    let form = format!(
        "Authentication-Results: mx.acme.test; dmarc=pass header.from=webforms.test\r\n\
         From: Website Forms <forms@webforms.test>\r\nTo: crm@acme.test\r\n\
         Subject: New submission: Contact us\r\nMessage-ID: <esc-form@webforms.test>\r\n\
         Date: Mon, 23 Nov 2026 09:20:00 +0000\r\nMIME-Version: 1.0\r\n\
         Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n\
         Name: {NAME}\r\nEmail: mallory@hostile.example\r\nCompany: {COMPANY}\r\n\
         Message: {BODY}\r\nsecond\tline\u{7}\r\n"
    );
    let stranger = "From: Eve\u{1b}]0;x\u{7} <eve@stranger.example>\r\n\
         To: crm@acme.test\r\nSubject: Hello\u{1b}[2J\u{202e}\r\n\
         Message-ID: <esc-stranger@stranger.example>\r\n\
         Date: Mon, 23 Nov 2026 09:30:00 +0000\r\n\r\nHi\u{1b}[5m\r\n";
    for (name, mail) in [("form.eml", form.as_str()), ("stranger.eml", stranger)] {
        let path = app.dir.path().join(name);
        std::fs::write(&path, mail).unwrap();
        let out = app.run(&["ingest", path.to_str().unwrap()]);
        assert!(out.status.success(), "{out:?}");
    }
    app
}

fn stdout(app: &App, args: &[&str]) -> String {
    let out = app.run(args);
    assert!(out.status.success(), "{args:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

/// No character a terminal acts on: only line breaks and (in bodies) tabs.
fn assert_inert(what: &str, text: &str) {
    let raw: Vec<char> = text
        .chars()
        .filter(|c| !matches!(c, '\n' | '\t') && is_unsafe(*c))
        .collect();
    assert!(raw.is_empty(), "{what} shows raw {raw:?}:\n{text}");
}

fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{61c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[test]
fn every_human_listing_shows_escapes_from_mail_as_visible_text() {
    let app = hostile_app();
    let commands: [&[&str]; 9] = [
        &["leads", "list", "--all"],
        &["leads", "show", "1"],
        &["contacts", "list"],
        &["timeline", "1"],
        &["quarantine", "list"],
        &["status"],
        &["digest", "preview", "--user", "bruno@acme.test"],
        &["digest", "preview", "--user", "bruno@acme.test", "--html"],
        &["export", "--csv", "--kind", "lead"],
    ];
    let mut all = String::new();
    for args in commands {
        let text = if args[0] == "export" {
            on_a_terminal(&app, args)
        } else {
            stdout(&app, args)
        };
        assert_inert(&args.join(" "), &text);
        all.push_str(&text);
    }
    let shown = [
        r"Evil\u{1b}]0;pwned\u{7} Corp",
        r"Mal\u{1b}[2Jlory",
        r"Hi\u{1b}[31m red\u{9b}2J \u{202e}fdp.exe\u{2067} \u{61c}\u{200f}",
        r"second line\u{7}",
    ];
    for visible in shown {
        assert!(all.contains(visible), "{visible} not shown:\n{all}");
    }
}

#[test]
fn json_output_keeps_the_strings_and_escapes_every_control_and_bidi_character() {
    let app = hostile_app();
    for args in [
        &["leads", "list", "--all", "--json"][..],
        &["contacts", "list", "--json"],
        &["timeline", "1", "--json"],
        &["quarantine", "list", "--json"],
    ] {
        assert_inert(&args.join(" "), &stdout(&app, args));
    }
    let lead = app.json(&["leads", "show", "1", "--json"]);
    assert_eq!(lead["company"]["name"], COMPANY);
    assert_eq!(lead["contacts"][0]["name"], NAME);
    let quarantined = app.json(&["quarantine", "list", "--json"]);
    let subject = quarantined[0]["subject"].as_str().unwrap();
    assert!(subject.ends_with('\u{202e}'), "{subject:?}");
    let timeline = app.json(&["timeline", "1", "--json"]);
    let body = timeline[0]["body"].as_str().unwrap();
    assert!(body.contains(BODY.trim_end()), "{body:?}");
}

/// The command's output when stdout is a terminal (`script` gives it a pty).
fn on_a_terminal(app: &App, args: &[&str]) -> String {
    let command = app.command(args);
    let mut line = format!("'{}'", command.get_program().to_str().unwrap());
    for arg in command.get_args() {
        line.push_str(&format!(" '{}'", arg.to_str().unwrap()));
    }
    // stderr (the log, in colour on a terminal) stays out of the capture.
    line.push_str(" 2>/dev/null");
    let out = std::process::Command::new("script")
        .args(["-qec", &line, "/dev/null"])
        .env("LEADMAIL_NOW", support::TEST_NOW)
        .output()
        .expect("script(1) from util-linux runs a command on a pty");
    assert!(out.status.success(), "{args:?} on a pty: {out:?}");
    String::from_utf8(out.stdout).unwrap().replace("\r\n", "\n")
}
