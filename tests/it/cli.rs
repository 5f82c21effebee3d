//! CLI tests: the real binary on the demo Maildir, checked through `--json`.

use crate::support;

use serde_json::Value;
use support::{offline_app as spawn_app, repo, App};

/// Ingests the demo Maildir and returns the `--json` reports.
fn ingest_demo(app: &App) -> Vec<Value> {
    let maildir = repo().join("tests/fixtures/demo");
    let value = app.json(&["ingest", "--maildir", maildir.to_str().unwrap(), "--json"]);
    value.as_array().expect("array").clone()
}

fn outcomes(reports: &[Value]) -> Vec<String> {
    reports
        .iter()
        .map(|r| r["outcome"].as_str().unwrap_or("?").to_string())
        .collect()
}

#[test]
fn a_morning_of_mixed_mail_files_what_a_sales_manager_expects() {
    let app = spawn_app();
    let reports = ingest_demo(&app);
    assert_eq!(
        outcomes(&reports),
        [
            "created_lead",
            "created_prospect",
            "created_lead",
            "created_lead",
            "created_lead",
            "created_lead",
            "created_lead",
            "appended",
            "bounce",
            "automated",
            "quarantined",
            "quarantined",
            "automated"
        ]
    );
    let leads = app.json(&["leads", "list", "--json"]);
    let sources: Vec<&str> = leads
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["source"].as_str().unwrap())
        .collect();
    assert_eq!(
        sources,
        [
            "forward",
            "forward",
            "forward",
            "forward",
            "partner:Northwind Referrals",
            "form:website-form"
        ]
    );
    let jane = &leads[0];
    assert_eq!(jane["contacts"][0]["emails"][0], "jane.doe@globex.example");
    assert_eq!(jane["owner"], "alice@acme.test");
    assert_eq!(jane["tags"][0], "expo");
    assert_eq!(jane["next_action"]["kind"], "call");
    let joao = &leads[3];
    assert_eq!(
        joao["company"],
        Value::Null,
        "free-mail contacts have no company"
    );
    for lead in leads.as_array().unwrap() {
        assert!(
            lead["next_action"].is_object(),
            "every open lead has a next action: {lead}"
        );
    }
}

#[test]
fn a_prospect_who_replies_is_flagged_and_a_bounce_marks_the_contact() {
    let app = spawn_app();
    ingest_demo(&app);
    let prospects = app.json(&["prospects", "list", "--json"]);
    let initech = &prospects[0];
    assert_eq!(initech["kind"], "prospect");
    assert_eq!(
        initech["contacts"].as_array().unwrap().len(),
        2,
        "one prospect per company"
    );
    assert_eq!(initech["flags"][0], "replied");
    let contacts = app.json(&["contacts", "list", "--json"]);
    let samir = contacts
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["emails"][0] == "samir@initech.example")
        .expect("samir is a contact");
    assert_eq!(samir["bounced"], true);
    let id = initech["id"].as_i64().unwrap().to_string();
    let timeline = app.json(&["timeline", &id, "--json"]);
    let kinds: Vec<&str> = timeline
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["kind"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["email_out", "next_action", "bounce", "email_in"]);
}

#[test]
fn spoofed_and_unknown_senders_are_quarantined_with_reasons() {
    let app = spawn_app();
    ingest_demo(&app);
    let quarantine = app.json(&["quarantine", "list", "--json"]);
    let reasons: Vec<&str> = quarantine
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons, ["spoofed_sender", "unknown_sender"]);
    assert!(quarantine[0]["detail"]
        .as_str()
        .unwrap()
        .contains("dmarc=fail"));
}

#[test]
fn ingesting_the_same_maildir_twice_changes_nothing() {
    let app = spawn_app();
    ingest_demo(&app);
    let before = (
        app.json(&["leads", "list", "--all", "--json"]),
        app.json(&["contacts", "list", "--json"]),
        app.json(&["quarantine", "list", "--json"]),
    );
    let again = ingest_demo(&app);
    assert!(
        outcomes(&again).iter().all(|o| o == "duplicate"),
        "{again:?}"
    );
    let after = (
        app.json(&["leads", "list", "--all", "--json"]),
        app.json(&["contacts", "list", "--json"]),
        app.json(&["quarantine", "list", "--json"]),
    );
    assert_eq!(before, after);
}

#[test]
fn a_rep_converts_a_prospect_and_moves_a_lead_through_the_pipeline() {
    let app = spawn_app();
    ingest_demo(&app);
    let out = app.run(&["prospects", "convert", "2", "--as", "alice@acme.test"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(app.run(&["leads", "step", "2", "demo"]).status.success());
    assert!(app
        .run(&["leads", "next", "2", "2026-12-01", "14:00", "demo"])
        .status
        .success());
    let lead = app.json(&["leads", "show", "2", "--json"]);
    assert_eq!(lead["kind"], "lead");
    assert_eq!(lead["step"], "Demo");
    assert_eq!(lead["flags"], Value::Array(vec![]));
    assert_eq!(lead["next_action"]["kind"], "demo");
    let bad_step = app.run(&["leads", "step", "2", "Closing"]);
    assert_eq!(bad_step.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_step.stderr).contains("Closing"));
}

#[test]
fn an_unknown_config_key_exits_2_and_names_the_key() {
    let app = spawn_app();
    app.add_config("crm.public_inquires", true);
    let out = app.run(&["leads", "list"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("public_inquires"));
}

#[test]
fn an_owner_who_is_not_a_user_exits_2_naming_both() {
    let app = spawn_app();
    app.set_config("partners.0.owner", "zoe@acme.test");
    let out = app.run(&["leads", "list"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.contains("zoe@acme.test") && stderr.contains("Northwind Referrals"),
        "{stderr}"
    );
}

#[test]
fn explain_shows_the_rule_without_touching_the_database() {
    let app = spawn_app();
    let eml = repo().join("tests/fixtures/demo/cur/03-bruno-forward-outlook-de.eml");
    let out = app.run(&["explain", eml.to_str().unwrap()]);
    assert!(out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("rule:    rep_forward"), "{stdout}");
    assert!(stdout.contains("k.meyer@mueller-bau.example"));
    assert!(
        !app.dir.path().join("leadmail.db").exists(),
        "explain must not create the database"
    );
}

#[test]
fn several_processes_opening_a_new_database_at_once_all_succeed() {
    let app = support::offline_app();
    let children: Vec<_> = (0..8)
        .map(|_| {
            app.command(&["status", "--json"])
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("start leadmail")
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().expect("wait");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// Runs a command that must fail, returning its exit code and stderr.
fn failing(app: &App, args: &[&str]) -> (Option<i32>, String) {
    let out = app.run(args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn prospect_and_lead_commands_refuse_the_other_kind_and_change_nothing() {
    let app = spawn_app();
    ingest_demo(&app);
    // #1 is a lead, #2 a prospect (the demo morning).
    let (code, stderr) = failing(&app, &["prospects", "cancel", "1"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("#1 is a lead") && stderr.contains("leads"),
        "{stderr}"
    );
    assert_eq!(
        app.json(&["leads", "show", "1", "--json"])["status"],
        "todo"
    );
    let (code, stderr) = failing(&app, &["leads", "cancel", "2"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("#2 is a prospect"), "{stderr}");
    let (code, _) = failing(&app, &["leads", "step", "2", "Demo"]);
    assert_eq!(code, Some(2));
    let (code, _) = failing(&app, &["prospects", "convert", "1"]);
    assert_eq!(code, Some(2));
    assert!(app.run(&["prospects", "cancel", "2"]).status.success());
}

#[test]
fn a_missing_id_or_a_refused_change_exits_2_for_every_command() {
    let app = spawn_app();
    ingest_demo(&app);
    for args in [
        vec!["leads", "convert", "999"],
        vec!["leads", "show", "9999"],
        vec!["leads", "done", "999"],
        vec!["leads", "next", "999", "tomorrow", "call"],
        vec!["timeline", "999"],
        vec!["prospects", "cancel", "999"],
        vec!["leads", "status", "1", "todo"],
    ] {
        let (code, stderr) = failing(&app, &args);
        assert_eq!(code, Some(2), "{args:?}: {stderr}");
    }
    let (code, stderr) = failing(&app, &["run", "--once"]);
    assert_eq!(code, Some(2), "no [[mailboxes]] is a configuration error");
    assert!(stderr.contains("[[mailboxes]]"), "{stderr}");
}

#[test]
fn a_time_typed_for_a_lead_is_the_owners_local_time_and_the_output_names_the_zone() {
    let app = spawn_app();
    ingest_demo(&app);
    // Lead #3 belongs to Bruno (Europe/Amsterdam, workday 08:30); the clock
    // is Monday 23 November 2026.
    let out = app.run(&["leads", "next", "3", "friday", "14:00", "call"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success());
    assert!(stdout.contains("14:00 Europe/Amsterdam"), "{stdout}");
    let lead = app.json(&["leads", "show", "3", "--json"]);
    assert_eq!(lead["next_action"]["due_at"], "2026-11-27T13:00:00Z");
    assert!(app
        .run(&["leads", "next", "3", "tomorrow", "call"])
        .status
        .success());
    let lead = app.json(&["leads", "show", "3", "--json"]);
    assert_eq!(
        lead["next_action"]["due_at"], "2026-11-24T07:30:00Z",
        "tomorrow at Bruno's 08:30 in Amsterdam"
    );
    // --as names who acts: Alice (Lisbon, 09:00) reads times in her zone.
    let out = app.run(&[
        "leads",
        "status",
        "3",
        "standby",
        "--until",
        "tomorrow",
        "--as",
        "alice@acme.test",
    ]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("Europe/Lisbon"));
    let lead = app.json(&["leads", "show", "3", "--json"]);
    assert_eq!(lead["status"], "standby");
    assert_eq!(lead["standby_until"], "2026-11-24T09:00:00Z");
}

#[test]
fn users_and_partners_are_listed_with_their_activity_and_users_can_be_deactivated() {
    let app = spawn_app();
    ingest_demo(&app);
    let users = app.json(&["users", "list", "--json"]);
    let bruno = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "bruno@acme.test")
        .expect("bruno is listed")
        .clone();
    assert_eq!(bruno["active"], true);
    assert_eq!(bruno["role"], "user");
    assert_eq!(bruno["open_leads"], 3, "{bruno}");
    assert!(bruno["last_mail_at"].is_string(), "{bruno}");
    assert_eq!(bruno["last_digest_at"], Value::Null);
    assert!(app
        .run(&["users", "deactivate", "bruno@acme.test"])
        .status
        .success());
    let users = app.json(&["users", "list", "--json"]);
    let bruno = users
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["email"] == "bruno@acme.test")
        .unwrap()
        .clone();
    assert_eq!(bruno["active"], false);
    assert_eq!(
        app.json(&["leads", "show", "3", "--json"])["owner"],
        "bruno@acme.test",
        "a deactivated user's leads keep their owner"
    );
    let (code, stderr) = failing(&app, &["users", "deactivate", "zoe@acme.test"]);
    assert_eq!(code, Some(2), "{stderr}");
    let partners = app.json(&["partners", "list", "--json"]);
    assert_eq!(partners[0]["name"], "Northwind Referrals");
    assert_eq!(partners[0]["referrals"], 1);
    assert_eq!(partners[0]["open"], 1);
    assert_eq!(partners[0]["won"], 0);
    let all = app.json(&["leads", "list", "--kind", "all", "--json"]);
    let leads = app.json(&["leads", "list", "--json"]);
    assert_eq!(
        all.as_array().unwrap().len(),
        leads.as_array().unwrap().len() + 1
    );
}

#[test]
fn ingest_reports_every_lead_a_mail_made() {
    let app = spawn_app();
    let mail = app.dir.path().join("two.eml");
    std::fs::write(
        &mail,
        "Authentication-Results: mx.acme.test; dmarc=pass header.from=acme.test\r\n\
         From: Alice <alice@acme.test>\r\n\
         To: Ann <ann@first.example>, Ben <ben@second.example>\r\n\
         Bcc: crm@acme.test\r\nSubject: Hello both\r\nMessage-ID: <two@acme.test>\r\n\
         Date: Mon, 23 Nov 2026 09:00:00 +0000\r\n\r\nHi both.\r\n",
    )
    .unwrap();
    let reports = app.json(&["ingest", mail.to_str().unwrap(), "--json"]);
    assert_eq!(reports[0]["outcome"], "created_prospect");
    assert_eq!(reports[0]["lead_ids"].as_array().map(Vec::len), Some(2));
    assert_eq!(reports[0]["lead_id"], reports[0]["lead_ids"][0]);
}

/// Alice's authenticated reply to her digest of the demo morning.
fn digest_reply(app: &App, body: &str) -> std::path::PathBuf {
    let mail = format!(
        "Authentication-Results: mx.acme.test; dmarc=pass header.from=acme.test\r\n\
         From: Alice Martins <alice@acme.test>\r\nTo: leadmail <crm@acme.test>\r\n\
         Subject: Re: Your day\r\nMessage-ID: <long-reply@mail.acme.test>\r\n\
         In-Reply-To: <digest.2026-11-23.e383094d4770@acme.test>\r\n\
         Date: Mon, 23 Nov 2026 08:40:00 +0000\r\n\r\n{body}"
    );
    let path = app.dir.path().join("reply.eml");
    std::fs::write(&path, mail).unwrap();
    path
}

#[test]
fn commands_read_from_one_mail_and_every_text_a_command_stores_are_bounded() {
    let app = spawn_app();
    ingest_demo(&app);
    let body = format!(
        "lost 5 {}\r\n{}",
        "x".repeat(100_000),
        "snooze 1 2d\r\n".repeat(5_000)
    );
    let next_actions = || {
        let timeline = app.json(&["timeline", "1", "--json"]);
        let entries = timeline.as_array().unwrap().clone();
        entries
            .iter()
            .filter(|e| e["kind"] == "next_action")
            .count()
    };
    let before = next_actions();
    let reply = digest_reply(&app, &body);
    let report = app.json(&["ingest", reply.to_str().unwrap(), "--json"]);
    assert_eq!(report[0]["outcome"], "appended", "{report}");
    let five = app.json(&["leads", "show", "5", "--json"]);
    assert_eq!(five["status"], "todo", "a 100 kB reason is refused");
    assert_eq!(
        next_actions() - before,
        49,
        "50 commands per mail, the long line one of them"
    );

    let long = "x".repeat(1_001);
    let half = "y".repeat(600);
    for args in [
        &["leads", "cancel", "3", "--reason", &long][..],
        &["prospects", "cancel", "2", "--reason", &long],
        &["leads", "status", "4", "lost", "--reason", &long],
        &["leads", "next", "1", "tomorrow", "call", &half, &half],
        &["leads", "done", "1", "--as", &long],
    ] {
        let out = app.run(args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{:?}: {stderr}", &args[..3]);
        assert!(stderr.contains("too long"), "{stderr}");
    }
    for id in ["3", "4"] {
        let lead = app.json(&["leads", "show", id, "--json"]);
        assert_eq!(lead["status"], "todo", "lead {id} unchanged");
    }
}

#[test]
fn human_listings_and_show_are_text_in_the_owner_s_time_zone() {
    let app = spawn_app();
    ingest_demo(&app);
    let show = String::from_utf8_lossy(&app.run(&["leads", "show", "3"]).stdout).to_string();
    assert!(
        serde_json::from_str::<Value>(&show).is_err(),
        "not JSON: {show}"
    );
    assert!(show.contains("owner:    bruno@acme.test"), "{show}");
    assert!(
        show.contains("due 2026-11-24 08:30 Europe/Amsterdam"),
        "{show}"
    );
    let list = String::from_utf8_lossy(&app.run(&["leads", "list"]).stdout).to_string();
    assert!(
        list.contains("next 2026-11-24 08:30 Europe/Amsterdam"),
        "{list}"
    );
    assert!(list.contains("Europe/Lisbon"), "{list}");
    let timeline = String::from_utf8_lossy(&app.run(&["timeline", "3"]).stdout).to_string();
    assert!(timeline.contains("Europe/Amsterdam"), "{timeline}");
}

#[test]
fn a_quarantined_message_is_shown_released_by_an_admin_or_dismissed_and_stays_listed() {
    let app = spawn_app();
    ingest_demo(&app);
    // #1: Alice spoofed; #2: an unknown sender (public inquiries off).
    let shown = app.json(&["quarantine", "show", "1", "--json"]);
    assert_eq!(shown["reason"], "spoofed_sender");
    assert_eq!(shown["status"], "held");
    assert_eq!(shown["size"], shown["kept_bytes"]);
    let text = String::from_utf8_lossy(&app.run(&["quarantine", "show", "1"]).stdout).to_string();
    assert!(
        text.contains("Subject: Fwd: Urgent wire transfer lead"),
        "{text}"
    );

    let (code, stderr) = failing(
        &app,
        &[
            "quarantine",
            "release",
            "1",
            "--reason",
            "ok",
            "--as",
            "bruno@acme.test",
        ],
    );
    assert_eq!(code, Some(2), "only an admin vouches for a spoof: {stderr}");
    let out = app.run(&[
        "quarantine",
        "release",
        "1",
        "--reason",
        "Alice confirmed by phone",
        "--as",
        "alice@acme.test",
    ]);
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("filed as created_lead"), "{stdout}");
    let lead: i64 = stdout
        .rsplit("leads: ")
        .next()
        .and_then(|rest| rest.trim_end_matches([')', '\n']).parse().ok())
        .expect("the lead it became");
    let timeline = app.json(&["timeline", &lead.to_string(), "--json"]);
    let note = timeline
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["subject"] == "Released from quarantine (entry #1)")
        .expect("the release is on the timeline");
    assert_eq!(note["actor"], "alice@acme.test");
    assert_eq!(note["body"], "Alice confirmed by phone");

    let (code, _) = failing(&app, &["quarantine", "release", "1", "--reason", "again"]);
    assert_eq!(code, Some(2), "released once");
    assert!(app
        .run(&["quarantine", "dismiss", "2", "--reason", "spam"])
        .status
        .success());
    assert_eq!(
        app.json(&["quarantine", "list", "--json"]),
        Value::Array(vec![])
    );
    let all = app.json(&["quarantine", "list", "--all", "--json"]);
    let statuses: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["released", "dismissed"]);
    assert_eq!(all[1]["resolution_note"], "spam");
}

#[test]
fn a_database_password_is_never_printed_in_an_error() {
    let app = spawn_app();
    app.set_config(
        "database.url",
        "postgres://leadmail:hunter2-secret@127.0.0.1:1/crm",
    );
    for args in [vec!["leads", "list"], vec!["status"], vec!["doctor"]] {
        let out = app.run(&args);
        assert!(!out.status.success(), "{args:?}");
        let shown = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(!shown.contains("hunter2"), "{args:?}: {shown}");
    }
}
