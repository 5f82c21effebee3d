//! The web app's guards over HTTP: an admin's quarantine dismiss (and
//! nobody else's, and never without CSRF), sessions and sign-in links that
//! stop working when their time is up (servers whose clocks are later, on
//! the same database), and cookies with their flags (`Secure` when the
//! app's address is https).

use super::quarantine_partner_mail;
use crate::support::web::{free_port, serve, signed_in, Client, WebApp};
use crate::support::TEST_NOW;
use std::process::Child;

/// A second `leadmail serve` on the test's database, its clock `later`
/// than `TEST_NOW`; stopped on drop.
struct LaterServer {
    base: String,
    child: Child,
}

impl LaterServer {
    fn start(web: &WebApp, later: chrono::Duration) -> LaterServer {
        let port = free_port();
        web.app
            .set_config("web.listen", format!("127.0.0.1:{port}"));
        let now = chrono::DateTime::parse_from_rfc3339(TEST_NOW).unwrap() + later;
        let child = serve(&web.app, port, &now.to_rfc3339());
        LaterServer {
            base: format!("http://127.0.0.1:{port}"),
            child,
        }
    }

    /// A client of this server with `cookies`.
    fn client(&self, cookies: &Client) -> Client {
        let mut client = Client::new(&self.base);
        client.cookies = cookies.cookies.clone();
        client
    }
}

impl Drop for LaterServer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The held entries `quarantine list --json` shows (`--all`: resolved too).
fn cli_quarantine(web: &WebApp, all: bool) -> Vec<serde_json::Value> {
    let mut args = vec!["quarantine", "list", "--json"];
    if all {
        args.push("--all");
    }
    web.app.json(&args).as_array().unwrap().clone()
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn an_admin_dismisses_a_held_mail_over_http_and_the_cli_agrees() {
    let Some(web) = WebApp::start("dismiss") else {
        return;
    };
    let held = quarantine_partner_mail(&web);
    let entry = format!("/quarantine/{held}");
    let dismiss = format!("{entry}/dismiss");
    let is_held = |web: &WebApp| cli_quarantine(web, false).iter().any(|q| q["id"] == held);
    // Bruno, a rep, cannot see it, so cannot dismiss it: the same 404.
    let mut bruno = signed_in(&web, "bruno@acme.test").await;
    let csrf = bruno.session_csrf().await;
    let by_bruno = bruno
        .post(&dismiss, &[("csrf", &csrf), ("reason", "spam")])
        .await;
    assert_eq!(by_bruno.status, 404, "{}", by_bruno.body);
    assert!(is_held(&web), "a rep dismissed an entry that is not his");
    // Alice, an admin, without her form's token (or with Bruno's): refused.
    let mut alice = signed_in(&web, "alice@acme.test").await;
    let list = alice.get("/quarantine").await.body;
    assert!(list.contains(&format!("href=\"{entry}\"")), "{list}");
    for csrf in [None, Some(csrf.as_str())] {
        let mut form = vec![("reason", "not from Bob")];
        form.extend(csrf.map(|c| ("csrf", c)));
        let forged = alice.post(&dismiss, &form).await;
        assert_eq!(forged.status, 403, "{csrf:?}: {}", forged.body);
        assert!(is_held(&web), "dismissed without the session's token");
    }
    // With it: dismissed, off the list, and the CLI says the same.
    let csrf = alice.session_csrf().await;
    let page = alice.get(&entry).await.body;
    assert!(
        page.contains(&format!("action=\"{dismiss}\"")),
        "a dismiss form: {page}"
    );
    let done = alice
        .post(&dismiss, &[("csrf", &csrf), ("reason", "not from Bob")])
        .await;
    assert_eq!(
        (done.status, done.location.as_deref()),
        (303, Some(entry.as_str())),
        "{}",
        done.body
    );
    let list = alice.get("/quarantine").await.body;
    assert!(
        !list.contains(&format!("href=\"{entry}\"")) && !list.contains("Wanda at Initrode"),
        "still listed: {list}"
    );
    assert!(!is_held(&web), "the CLI still lists it as held");
    let all = cli_quarantine(&web, true);
    let resolved = all
        .iter()
        .find(|q| q["id"] == held)
        .expect("listed with --all");
    assert_eq!(resolved["status"], "dismissed", "{resolved:#}");
    assert_eq!(resolved["resolved_by"], "alice@acme.test");
    assert_eq!(resolved["resolution_note"], "not from Bob");
    let page = alice.get(&entry).await.body;
    assert!(
        page.contains("dismissed by alice@acme.test: not from Bob"),
        "{page}"
    );
    assert!(
        !page.contains("action=\"/quarantine/"),
        "forms left: {page}"
    );
    // The message stays unfiled, and the entry cannot be resolved again.
    let contacts = web.app.json(&["contacts", "list", "--json"]).to_string();
    assert!(
        contacts.contains("peter.gibbons@initech.example"),
        "the demo's: {contacts}"
    );
    assert!(!contacts.contains("wanda@initrode.test"), "{contacts}");
    for action in ["dismiss", "release"] {
        let again = alice
            .post(
                &format!("{entry}/{action}"),
                &[("csrf", &csrf), ("reason", "again")],
            )
            .await;
        assert_eq!(again.status, 400, "{action} twice: {}", again.body);
    }
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn a_session_works_until_its_lifetime_is_up_and_is_refused_after() {
    let Some(web) = WebApp::start("lifetime") else {
        return;
    };
    let alice = signed_in(&web, "alice@acme.test").await;
    let session = alice
        .cookies
        .get("lm_session")
        .expect("a session cookie")
        .clone();
    // `[web] session_days` is not set: 30 days.
    let lifetime = chrono::Duration::days(30);
    let minute = chrono::Duration::minutes(1);
    let csrf = {
        let inside = LaterServer::start(&web, lifetime - minute);
        let mut client = inside.client(&alice);
        let page = client.get("/leads").await;
        assert_eq!(page.status, 200, "a minute before: {:?}", page.location);
        let csrf = client.session_csrf().await;
        let note = client
            .post(
                "/leads/1/act",
                &[("csrf", &csrf), ("action", "note"), ("text", "still in")],
            )
            .await;
        assert_eq!(note.status, 303, "{}", note.body);
        csrf
    };
    let after = LaterServer::start(&web, lifetime + minute);
    let mut client = after.client(&alice);
    for path in ["/", "/leads", "/leads/1", "/calendar"] {
        let reply = client.get(path).await;
        assert_eq!(
            (reply.status, reply.location.as_deref()),
            (303, Some("/signin")),
            "{path} a minute after"
        );
    }
    // Not even with the form token the session's pages carried.
    let note = client
        .post(
            "/leads/1/act",
            &[("csrf", &csrf), ("action", "note"), ("text", "too late")],
        )
        .await;
    assert_eq!(
        (note.status, note.location.as_deref()),
        (303, Some("/signin"))
    );
    let timeline = web.app.json(&["timeline", "1", "--json"]).to_string();
    assert!(timeline.contains("still in"), "{timeline}");
    assert!(!timeline.contains("too late"), "{timeline}");
    // The same cookie still works on the first server, at the sign-in's time:
    // it is the clock that ends it.
    assert_eq!(client.cookies.get("lm_session"), Some(&session));
    let mut now = Client::new(&web.base);
    now.cookies = client.cookies.clone();
    assert_eq!(now.get("/leads").await.status, 200);
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn a_sign_in_link_works_within_its_fifteen_minutes_and_not_after() {
    let Some(web) = WebApp::start("link-life") else {
        return;
    };
    let mut asker = Client::new(&web.base);
    for _ in 0..2 {
        assert_eq!(asker.ask_for_link("bruno@acme.test").await.status, 200);
    }
    let first = web.wait_for_link("bruno@acme.test", 1);
    let second = web.wait_for_link("bruno@acme.test", 2);
    let seconds = chrono::Duration::seconds;
    {
        let late = LaterServer::start(&web, seconds(15 * 60 + 30));
        let mut browser = Client::new(&late.base);
        assert_eq!(browser.get(&first).await.status, 404, "15½ minutes old");
        assert_eq!(browser.use_link(&first).await.status, 404);
        assert!(!browser.cookies.contains_key("lm_session"));
    }
    let inside = LaterServer::start(&web, seconds(14 * 60 + 30));
    let mut browser = Client::new(&inside.base);
    let signed = browser.use_link(&second).await;
    assert_eq!(
        (signed.status, signed.location.as_deref()),
        (303, Some("/")),
        "14½ minutes old: {}",
        signed.body
    );
    assert_eq!(browser.get("/leads").await.status, 200);
}

/// Signs `email` in the way a browser does it (the form, then the link
/// opened in a second browser, as from a mail app), visits a page and
/// signs out; every `Set-Cookie` on the way.
async fn cookie_journey(web: &WebApp, email: &str, behind_tls_proxy: bool) -> Vec<String> {
    let mut set_cookies = Vec::new();
    let mut asker = Client::new(&web.base);
    asker.behind_tls_proxy = behind_tls_proxy;
    let form = asker.get("/signin").await;
    set_cookies.extend(form.set_cookies);
    let csrf = crate::support::web::csrf_in(&form.body);
    let asked = asker
        .post("/signin", &[("csrf", &csrf), ("email", email)])
        .await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    let link = web.wait_for_link(email, 1);
    let mut browser = Client::new(&web.base);
    browser.behind_tls_proxy = behind_tls_proxy;
    let page = browser.get(&link).await;
    assert_eq!(page.status, 200, "{}", page.body);
    set_cookies.extend(page.set_cookies);
    let csrf = crate::support::web::csrf_in(&page.body);
    let token = link.trim_start_matches("/signin/");
    let signed = browser
        .post("/signin/confirm", &[("csrf", &csrf), ("token", token)])
        .await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    set_cookies.extend(signed.set_cookies);
    let csrf = browser.session_csrf().await;
    let out = browser.post("/signout", &[("csrf", &csrf)]).await;
    assert_eq!(out.status, 303, "signed in and out: {}", out.body);
    set_cookies.extend(out.set_cookies);
    set_cookies
}

/// The attributes of a `Set-Cookie` value, lower-cased names.
fn attributes(set_cookie: &str) -> Vec<(String, String)> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| {
            let (name, value) = a.trim().split_once('=').unwrap_or((a.trim(), ""));
            (name.to_ascii_lowercase(), value.to_string())
        })
        .collect()
}

/// Asserts the flags every cookie of the app carries, and that the journey
/// set the pre-sign-in cookie twice, the session for its lifetime, and
/// deleted both.
fn assert_flags(set_cookies: &[String], secure: bool) {
    let has = |c: &str, name: &str, value: Option<&str>| {
        attributes(c)
            .iter()
            .any(|(n, v)| n == name && value.is_none_or(|value| v.eq_ignore_ascii_case(value)))
    };
    for cookie in set_cookies {
        assert!(has(cookie, "httponly", None), "{cookie}");
        assert!(has(cookie, "samesite", Some("Lax")), "{cookie}");
        assert!(has(cookie, "path", Some("/")), "{cookie}");
        assert!(has(cookie, "max-age", None), "{cookie}");
        assert_eq!(has(cookie, "secure", None), secure, "{cookie}");
    }
    let named = |name: &str, max_age: &str| {
        set_cookies
            .iter()
            .filter(|c| c.starts_with(&format!("{name}=")) && has(c, "max-age", Some(max_age)))
            .count()
    };
    assert_eq!(named("lm_pre", "3600"), 2, "{set_cookies:#?}");
    assert_eq!(named("lm_pre", "0"), 1, "{set_cookies:#?}");
    assert_eq!(
        named("lm_session", "2592000"),
        1,
        "30 days: {set_cookies:#?}"
    );
    assert_eq!(named("lm_session", "0"), 1, "{set_cookies:#?}");
    assert_eq!(set_cookies.len(), 5, "{set_cookies:#?}");
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn behind_an_https_base_url_every_cookie_is_secure() {
    let Some(web) = WebApp::start_with_base_url("secure", Some("https://crm.acme.test")) else {
        return;
    };
    // The listener is plain http on loopback, where a TLS proxy would
    // forward to it; the clients stand in for browsers on the https side
    // (`behind_tls_proxy`), which keep Secure cookies.
    let set_cookies = cookie_journey(&web, "alice@acme.test", true).await;
    assert_flags(&set_cookies, true);
    let mail = web
        .sink
        .messages()
        .iter()
        .map(|m| String::from_utf8_lossy(m).replace("=\r\n", ""))
        .collect::<String>();
    assert!(
        mail.contains("https://crm.acme.test/signin/"),
        "the link is on the https address: {mail}"
    );
    // A browser that really is on plain http keeps none of them, so its
    // sign-in form is refused: the flag is there.
    let mut plain = Client::new(&web.base);
    let refused = plain.ask_for_link("bruno@acme.test").await;
    assert!(plain.cookies.is_empty(), "{:?}", plain.cookies);
    assert_eq!(refused.status, 403, "no lm_pre cookie, no form");
}

#[tokio::test]
#[ignore = "needs the SMTP receiver (scripts/smtp.sh install)"]
async fn with_a_plain_http_base_url_cookies_are_not_secure_but_keep_their_other_flags() {
    let Some(web) = WebApp::start("plain-cookies") else {
        return;
    };
    let set_cookies = cookie_journey(&web, "bruno@acme.test", false).await;
    assert_flags(&set_cookies, false);
}
