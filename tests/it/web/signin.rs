//! Sign-in by mail over HTTP: single use, expiry, rate limits, the same
//! answer for strangers, the session cookie, CSRF on every form, and `run`
//! serving the app beside the mailboxes.

use crate::support::web::{free_port, serve, signed_in, Client, WebApp};
use crate::support::TEST_NOW;

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn a_mailed_link_signs_in_once_and_the_user_sees_only_their_leads() {
    let Some(web) = WebApp::start("journey") else {
        return;
    };
    let mut bruno = Client::new(&web.base);
    let asked = bruno.ask_for_link("Bruno@acme.test").await;
    assert!(asked.body.contains("Check your mail"), "{}", asked.body);
    let link = web.wait_for_link("bruno@acme.test", 1);
    let signed = bruno.use_link(&link).await;
    assert_eq!(
        (signed.status, signed.location.as_deref()),
        (303, Some("/"))
    );
    let cookie = signed
        .set_cookies
        .iter()
        .find(|c| c.starts_with("lm_session="))
        .expect("a session cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "plain http base_url: {cookie}");
    let list = bruno.get("/leads").await;
    assert_eq!(list.status, 200);
    for mine in ["Anfrage Angebot", "Vraag over licenties", "FBI Consulting"] {
        assert!(list.body.contains(mine), "{mine} missing");
    }
    assert!(
        !list.body.contains("Pricing for 40 seats"),
        "Alice's lead shown to Bruno"
    );
    let mut again = Client::new(&web.base);
    assert_eq!(
        again.use_link(&link).await.status,
        404,
        "a used link works again"
    );
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn strangers_get_the_same_answer_and_no_mail_and_requests_are_limited() {
    let Some(web) = WebApp::start("limits") else {
        return;
    };
    let mut client = Client::new(&web.base);
    let stranger = client.ask_for_link("eve@evil.test").await;
    let user = client.ask_for_link("alice@acme.test").await;
    assert_eq!(stranger.status, 200);
    assert_eq!(stranger.body, user.body, "the answer tells who is a user");
    web.wait_for_link("alice@acme.test", 1);
    assert!(web.links_to("eve@evil.test").is_empty());
    for _ in 0..2 {
        assert_eq!(client.ask_for_link("alice@acme.test").await.status, 200);
    }
    let over = client.ask_for_link("ALICE@acme.test").await;
    assert_eq!(over.status, 429, "{}", over.body);
    for i in 0..6 {
        client.ask_for_link(&format!("nobody{i}@evil.test")).await;
    }
    let from_this_ip = client.ask_for_link("bruno@acme.test").await;
    assert_eq!(from_this_ip.status, 429, "10 a client in 15 minutes");
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn forged_expired_and_unknown_links_and_forms_without_csrf_are_refused() {
    let Some(web) = WebApp::start("refusals") else {
        return;
    };
    let mut client = Client::new(&web.base);
    let forged = format!("/signin/{}", "ab".repeat(32));
    assert_eq!(client.get(&forged).await.status, 404);
    assert_eq!(client.get("/signin/../../etc").await.status, 404);
    // A form posted without the browser's own token is refused.
    let no_csrf = client
        .post("/signin", &[("email", "alice@acme.test")])
        .await;
    assert_eq!(no_csrf.status, 403);
    // A link 20 minutes old (a second server on the database, its clock later).
    client.ask_for_link("alice@acme.test").await;
    let link = web.wait_for_link("alice@acme.test", 1);
    let port = free_port();
    web.app
        .set_config("web.listen", format!("127.0.0.1:{port}"));
    let later =
        chrono::DateTime::parse_from_rfc3339(TEST_NOW).unwrap() + chrono::Duration::minutes(20);
    let mut late_server = serve(&web.app, port, &later.to_rfc3339());
    let mut late = Client::new(&format!("http://127.0.0.1:{port}"));
    assert_eq!(
        late.use_link(&link).await.status,
        404,
        "an expired link works"
    );
    let _ = late_server.kill();
    let _ = late_server.wait();
    // Signed in, a form without the session's CSRF token changes nothing.
    let mut alice = signed_in(&web, "alice@acme.test").await;
    let refused = alice.post("/signout", &[]).await;
    assert_eq!(refused.status, 403);
    let wrong = alice.post("/signout", &[("csrf", &"0".repeat(64))]).await;
    assert_eq!(wrong.status, 403);
    assert_eq!(alice.get("/leads").await.status, 200, "still signed in");
    let csrf = alice.session_csrf().await;
    let out = alice.post("/signout", &[("csrf", &csrf)]).await;
    assert_eq!(
        (out.status, out.location.as_deref()),
        (303, Some("/signin"))
    );
    assert_eq!(alice.get("/leads").await.status, 303, "signed out");
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn a_signed_out_session_cookie_does_not_work_when_replayed() {
    let Some(web) = WebApp::start("replay") else {
        return;
    };
    let mut bruno = signed_in(&web, "bruno@acme.test").await;
    let stolen = bruno.cookies.clone();
    let csrf = bruno.session_csrf().await;
    bruno.post("/signout", &[("csrf", &csrf)]).await;
    let mut thief = Client::new(&web.base);
    thief.cookies = stolen;
    let reply = thief.get("/leads").await;
    assert_eq!(
        (reply.status, reply.location.as_deref()),
        (303, Some("/signin"))
    );
}

#[tokio::test]
#[ignore = "needs Dovecot and the SMTP receiver (scripts/test.sh)"]
async fn run_serves_the_web_app_beside_the_mailboxes_and_stops_on_sigterm() {
    let Some(server) = crate::support::dovecot() else {
        return;
    };
    let Some(sink) = crate::support::smtp::SmtpSink::start("web-run", &[]) else {
        return;
    };
    let app =
        crate::support::spawn_app(server, "webrun", crate::support::MailboxOptions::default());
    app.add_smtp(&sink);
    let port = free_port();
    let mut web = toml::Table::new();
    web.insert("listen".into(), format!("127.0.0.1:{port}").into());
    web.insert("base_url".into(), format!("http://127.0.0.1:{port}").into());
    app.add_config_table("web", web);
    let mut daemon = app.start_daemon(&["run"]);
    let up = crate::support::wait_until(std::time::Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(up, "run did not serve the web app: {}", app.daemon_log());
    let mut client = Client::new(&format!("http://127.0.0.1:{port}"));
    assert_eq!(client.ask_for_link("alice@acme.test").await.status, 200);
    let mailed = crate::support::wait_until(std::time::Duration::from_secs(20), || {
        sink.messages()
            .iter()
            .any(|m| String::from_utf8_lossy(m).contains("/signin/"))
    });
    assert!(mailed, "no sign-in mail: {}", app.daemon_log());
    let _ = std::process::Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    let status = daemon.wait().expect("the daemon exits");
    assert!(
        status.success(),
        "SIGTERM gives exit 0: {}",
        app.daemon_log()
    );
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "still listening"
    );
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn a_sent_sign_in_mail_leaves_no_link_in_the_database() {
    let Some(web) = WebApp::start("scrub") else {
        return;
    };
    let mut client = Client::new(&web.base);
    client.ask_for_link("bruno@acme.test").await;
    web.wait_for_link("bruno@acme.test", 1);
    let bodies = || {
        web.app
            .sql("SELECT text_body FROM outbox WHERE kind = 'signin'")
            .join("\n")
    };
    let scrubbed = crate::support::wait_until(std::time::Duration::from_secs(20), || {
        let text = bodies();
        text.contains("(sign-in link removed once sent)") && !text.contains("/signin/")
    });
    assert!(scrubbed, "the sent mail's text was not blanked");
    let outbox = web.app.json(&["digest", "outbox", "--json"]);
    assert_eq!(outbox[0]["kind"], "signin", "{outbox:#}");
}
