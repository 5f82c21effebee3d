//! Trust (issue 13) through the real binary: our own addresses, strangers
//! on a lead's routing token, form robots, and who may change a lead.

use crate::support;

use serde_json::Value;
use support::{offline_app, repo, App};

/// Writes `text` as `name` in the app's folder and ingests it; the report.
fn ingest(app: &App, name: &str, text: &str) -> Value {
    let path = app.dir.path().join(name);
    std::fs::write(&path, text).expect("write eml");
    let reports = app.json(&["ingest", path.to_str().unwrap(), "--json"]);
    reports[0].clone()
}

fn ingest_file(app: &App, fixture: &str) -> Value {
    let path = repo().join(fixture);
    app.json(&["ingest", path.to_str().unwrap(), "--json"])[0].clone()
}

/// The fixture config with this key set (see `App::set_config`).
fn app_with(path: &str, value: bool, new_key: bool) -> App {
    let app = offline_app();
    if new_key {
        app.add_config(path, value);
    } else {
        app.set_config(path, value);
    }
    app
}

fn inquiry(from: &str, to: &str, id: &str, body: &str) -> String {
    format!(
        "From: {from}\nTo: {to}\nSubject: Pricing for 200 sensors\nDate: Fri, 20 Nov 2026 10:00:00 +0000\nMessage-ID: <{id}>\nContent-Type: text/plain; charset=utf-8\n\n{body}\n"
    )
}

#[test]
fn with_public_inquiries_our_own_addresses_still_make_no_lead() {
    let app = app_with("crm.public_inquiries", true, false);
    let body = "Please send your price list.\n\nRegards,\nKim";
    for (i, from) in [
        "CRM <crm@acme.test>",
        "crm+lead-1@acme.test",
        "Carla Reis <carla@acme.test>",
        "\"kim@tyrell.example\" <a.martins@acme.test>",
    ]
    .iter()
    .enumerate()
    {
        let report = ingest(
            &app,
            &format!("own{i}.eml"),
            &inquiry(from, "crm@acme.test", &format!("own{i}@x.test"), body),
        );
        assert_eq!(report["outcome"], "quarantined", "{from}: {report}");
    }
    let stranger = inquiry(
        "Kim Tan <kim@tyrell.example>",
        "crm@acme.test",
        "k1@tyrell.example",
        body,
    );
    assert_eq!(ingest(&app, "k1.eml", &stranger)["outcome"], "created_lead");
    let contacts = app.json(&["contacts", "list", "--json"]);
    let emails: Vec<&str> = contacts
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|c| {
            c["emails"]
                .as_array()
                .unwrap()
                .iter()
                .map(|e| e.as_str().unwrap())
        })
        .collect();
    assert_eq!(emails, ["kim@tyrell.example"]);
}

#[test]
fn a_stranger_on_a_leads_routing_token_is_filed_but_never_becomes_its_contact() {
    let app = offline_app();
    let forward = ingest_file(
        &app,
        "tests/fixtures/demo/cur/01-alice-forward-gmail-en.eml",
    );
    let lead = forward["lead_id"].as_i64().expect("a lead");
    let before = app.json(&["leads", "show", &lead.to_string(), "--json"]);
    let body = "I am the new buyer, call me.\n\n--\nMallory Evil\nChief Buyer\n+1 555 0100";
    let to = format!("crm+lead-{lead}@acme.test");
    let mail = inquiry(
        "Mallory Evil <mallory@evil.test>",
        &to,
        "m1@evil.test",
        body,
    );
    let report = ingest(&app, "m1.eml", &mail);
    assert_eq!(
        (report["outcome"].as_str(), report["lead_id"].as_i64()),
        (Some("appended"), Some(lead))
    );
    let after = app.json(&["leads", "show", &lead.to_string(), "--json"]);
    assert_eq!(before["contacts"], after["contacts"]);
    let contacts = app.json(&["contacts", "list", "--json"]).to_string();
    assert!(!contacts.contains("mallory"), "{contacts}");
}

#[test]
fn a_forged_form_is_quarantined_unless_the_source_is_trusted_unauthenticated() {
    let forged =
        std::fs::read_to_string(repo().join("tests/fixtures/pipeline/105-form-source-forged.eml"))
            .unwrap();
    let app = offline_app();
    assert_eq!(ingest(&app, "f.eml", &forged)["outcome"], "quarantined");
    let doctor = app.run(&["doctor"]);
    assert!(!String::from_utf8_lossy(&doctor.stdout).contains("warn"));
    let trusting = app_with("sources.0.trust_unauthenticated", true, true);
    assert_eq!(
        ingest(&trusting, "f.eml", &forged)["outcome"],
        "created_lead"
    );
    let doctor = String::from_utf8_lossy(&trusting.run(&["doctor"]).stdout).to_string();
    assert!(
        doctor.contains("warn  config: sources[0].trust_unauthenticated = true"),
        "{doctor}"
    );
}

#[test]
fn the_cli_as_a_user_obeys_the_same_rule_as_mail() {
    let app = offline_app();
    let forward = ingest_file(
        &app,
        "tests/fixtures/demo/cur/01-alice-forward-gmail-en.eml",
    );
    let lead = forward["lead_id"].as_i64().expect("a lead").to_string();
    let refused = app.run(&["leads", "status", &lead, "won", "--as", "bruno@acme.test"]);
    assert_eq!(refused.status.code(), Some(2));
    let why = String::from_utf8_lossy(&refused.stderr);
    assert!(why.contains("it is alice@acme.test's, not yours"), "{why}");
    let stranger = app.run(&["leads", "step", &lead, "Demo", "--as", "mallory@evil.test"]);
    assert!(!stranger.status.success());
    assert!(app
        .run(&["leads", "status", &lead, "won", "--as", "alice@acme.test"])
        .status
        .success());
    assert!(
        app.run(&["leads", "step", &lead, "Demo"]).status.success(),
        "the operator"
    );
    assert_eq!(
        app.json(&["leads", "show", &lead, "--json"])["status"],
        "won"
    );
}
