//! The web app: sign-in by mail, sessions and CSRF (`signin`), the pages
//! and their actions under the roles (`lead`), the calendar feed
//! (`calendar`), all over HTTP; and the whole journey in a real browser
//! (`browser`). Helpers shared by them are here.

mod browser;
mod calendar;
mod lead;
mod security;
mod signin;
mod team;

use crate::support::web::{Client, WebApp};

/// Posts one action form on a lead as the signed-in client.
async fn act(
    client: &mut Client,
    lead: i64,
    fields: &[(&str, &str)],
) -> crate::support::web::Reply {
    let csrf = client.session_csrf().await;
    let mut form = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    client.post(&format!("/leads/{lead}/act"), &form).await
}

/// A partner's introduction whose sender authentication failed (so it is
/// quarantined as a possible spoof), with hostile text in it.
const SPOOFED_PARTNER_MAIL: &str =
    "Authentication-Results: mx.acme.test; dmarc=fail header.from=northwind.test\r\n\
From: Bob <bob@northwind.test>\r\n\
To: crm@acme.test\r\n\
Cc: Wanda <wanda@initrode.test>\r\n\
Subject: Intro: Wanda at Initrode <script>alert('subject')</script>\r\n\
Message-ID: <partner-spoof-1@northwind.test>\r\n\
Date: Mon, 23 Nov 2026 10:00:00 +0000\r\n\
\r\n\
Hi team, meet Wanda from Initrode, who needs 20 seats. <img src=x onerror=alert(1)>\r\n";

/// Files the spoofed partner mail; its quarantine entry's id.
fn quarantine_partner_mail(web: &WebApp) -> i64 {
    let file = web.app.dir.path().join("partner.eml");
    std::fs::write(&file, SPOOFED_PARTNER_MAIL).unwrap();
    let report = web.app.json(&["ingest", file.to_str().unwrap(), "--json"]);
    assert_eq!(report[0]["outcome"], "quarantined", "{report:#}");
    let held = web.app.json(&["quarantine", "list", "--json"]);
    let entry = held
        .as_array()
        .unwrap()
        .iter()
        .find(|q| {
            q["message_id"]
                .as_str()
                .unwrap_or("")
                .contains("partner-spoof-1")
        })
        .expect("the partner mail is held");
    entry["id"].as_i64().unwrap()
}
