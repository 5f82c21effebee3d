//! Attachments through the real binary: metadata on the timeline, bytes in
//! `[attachments] dir` (named by SHA-256) only when configured and under the cap.

use crate::support;

use leadmail::ingest::attachments::hex_sha256;
use serde_json::Value;
use support::{offline_app, App};

/// A public inquiry with a small PDF (base64) and a 3 KiB CSV.
fn inquiry() -> String {
    let csv = inquiry_csv();
    format!(
        "From: Dana <dana@initech.example>\r\nTo: crm@acme.test\r\nSubject: Quote for 12 seats\r\n\
         Date: Mon, 23 Nov 2026 09:00:00 +0000\r\nMessage-ID: <att-cli-1@initech.example>\r\n\
         MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"sep\"\r\n\r\n\
         --sep\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlease quote, details attached.\r\n\
         --sep\r\nContent-Type: application/pdf\r\n\
         Content-Disposition: attachment; filename=\"..\\\\..\\\\brief.pdf\"\r\n\
         Content-Transfer-Encoding: base64\r\n\r\naGVsbG8gd29ybGQ=\r\n\
         --sep\r\nContent-Type: text/csv; charset=us-ascii\r\n\
         Content-Disposition: attachment; filename=\"team.csv\"\r\n\r\n{csv}\r\n--sep--\r\n"
    )
}

/// Public inquiries on, plus an `[attachments]` section keeping files in
/// `dir` up to `max_bytes` (none: the section is left out).
fn app_with(kept: Option<(&str, i64)>) -> App {
    let app = offline_app();
    app.set_config("crm.public_inquiries", true);
    if let Some((dir, max_bytes)) = kept {
        let mut attachments = toml::Table::new();
        attachments.insert("dir".into(), dir.into());
        attachments.insert("max_bytes".into(), max_bytes.into());
        app.add_config_table("attachments", attachments);
    }
    app
}

/// Ingests the inquiry; the attachments on its lead's timeline.
fn ingest_and_list(app: &App) -> Vec<Value> {
    let eml = app.dir.path().join("inquiry.eml");
    std::fs::write(&eml, inquiry()).unwrap();
    let report = app.json(&["ingest", eml.to_str().unwrap(), "--json"]);
    assert_eq!(report[0]["outcome"], "created_lead", "{report}");
    let id = report[0]["lead_id"].as_i64().unwrap().to_string();
    let timeline = app.json(&["timeline", &id, "--json"]);
    timeline[0]["attachments"]
        .as_array()
        .expect("attachments")
        .clone()
}

#[test]
fn attachments_are_recorded_and_kept_by_hash_under_the_cap() {
    let app = app_with(Some(("files", 1024)));
    let found = ingest_and_list(&app);
    assert_eq!(found.len(), 2, "{found:?}");
    let (pdf, csv) = (&found[0], &found[1]);
    assert_eq!(pdf["name"], "_.._brief.pdf");
    assert_eq!(pdf["mime_type"], "application/pdf");
    assert_eq!(pdf["size"], 11);
    assert_eq!(pdf["sha256"], hex_sha256(b"hello world"));
    assert_eq!(pdf["stored"], true);
    let kept = app
        .dir
        .path()
        .join("files")
        .join(hex_sha256(b"hello world"));
    assert_eq!(std::fs::read(kept).unwrap(), b"hello world");
    assert_eq!(csv["name"], "team.csv");
    let size = inquiry_csv().len();
    assert_eq!(csv["size"], size);
    assert_eq!(csv["stored"], false);
    assert_eq!(
        csv["note"],
        format!("not stored: {size} bytes is over attachments.max_bytes = 1024")
    );
    let files = std::fs::read_dir(app.dir.path().join("files")).unwrap();
    assert_eq!(files.count(), 1, "only the PDF is on disk");
}

#[test]
fn without_a_dir_only_metadata_is_recorded() {
    let app = app_with(None);
    let found = ingest_and_list(&app);
    assert_eq!(found.len(), 2);
    assert!(found
        .iter()
        .all(|a| a["stored"] == false && a["note"].is_null()));
    assert_eq!(found[1]["sha256"], hex_sha256(inquiry_csv().as_bytes()));
}

fn inquiry_csv() -> String {
    "name,phone\r\n".to_string() + &"xxxxxxxxx\r\n".repeat(299)
}
