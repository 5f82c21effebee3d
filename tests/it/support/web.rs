//! The web app for one test: the demo morning ingested, an SMTP receiver
//! for the sign-in links, `leadmail serve` on a free loopback port, and a
//! small HTTP client that keeps cookies the way a browser does.

use super::smtp::SmtpSink;
use super::{demo_messages, offline_app, wait_until, App};
use std::collections::HashMap;
use std::process::Child;
use std::time::Duration;

/// A running `leadmail serve` over a demo database, stopped on drop.
pub struct WebApp {
    /// The test's leadmail (config, database).
    pub app: App,
    /// Where the sign-in links are mailed.
    pub sink: SmtpSink,
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    server: Child,
}

/// A free loopback port (the OS picks it; closed again before use).
pub fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind port 0");
    listener.local_addr().expect("local address").port()
}

impl WebApp {
    /// The demo morning in a fresh database, served; `None` (with a message)
    /// where the SMTP receiver cannot run outside CI.
    pub fn start(name: &str) -> Option<WebApp> {
        WebApp::start_with_base_url(name, None)
    }

    /// [`WebApp::start`] with `[web] base_url` set to `base_url` (the
    /// address users reach the app at, e.g. `https://…` behind a TLS proxy)
    /// instead of the loopback listener's own `http://` address; the tests
    /// still talk to the listener.
    pub fn start_with_base_url(name: &str, base_url: Option<&str>) -> Option<WebApp> {
        let sink = SmtpSink::start(&format!("web-{name}"), &[])?;
        let app = offline_app();
        app.add_smtp(&sink);
        for file in demo_messages() {
            let out = app.run(&["ingest", file.to_str().expect("a path")]);
            assert!(out.status.success(), "ingest {}", file.display());
        }
        let port = free_port();
        let base = format!("http://127.0.0.1:{port}");
        let mut web = toml::Table::new();
        web.insert("listen".into(), format!("127.0.0.1:{port}").into());
        web.insert(
            "base_url".into(),
            base_url.unwrap_or(base.as_str()).to_string().into(),
        );
        app.add_config_table("web", web);
        let server = serve(&app, port, super::TEST_NOW);
        Some(WebApp {
            app,
            sink,
            base,
            server,
        })
    }

    /// Stops the server, lets `edit` change the config (users, roles,
    /// teams are read at start), and serves again on the same port.
    pub fn restart_with(&mut self, edit: impl FnOnce(&App)) {
        let _ = self.server.kill();
        let _ = self.server.wait();
        edit(&self.app);
        let port = self
            .base
            .rsplit(':')
            .next()
            .and_then(|p| p.parse().ok())
            .expect("the base URL's port");
        self.server = serve(&self.app, port, super::TEST_NOW);
    }

    /// Every sign-in link mailed to `to` so far, oldest first.
    pub fn links_to(&self, to: &str) -> Vec<String> {
        self.sink
            .messages()
            .iter()
            .map(|raw| String::from_utf8_lossy(raw).replace("=\r\n", ""))
            .filter(|text| text.contains(&format!("To: {to}")))
            .filter_map(|text| link_path(&text))
            .collect()
    }

    /// Waits for the `n`th link to `to` and returns its path.
    pub fn wait_for_link(&self, to: &str, n: usize) -> String {
        assert!(
            wait_until(Duration::from_secs(20), || self.links_to(to).len() >= n),
            "no sign-in mail #{n} to {to}; log: {}",
            self.log()
        );
        self.links_to(to)[n - 1].clone()
    }
}

impl WebApp {
    /// What the servers logged.
    pub fn log(&self) -> String {
        let mut logs: Vec<_> = std::fs::read_dir(self.app.dir.path())
            .expect("the app's dir")
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.to_string_lossy().ends_with(".log"))
            .collect();
        logs.sort();
        logs.iter()
            .filter_map(|p| std::fs::read_to_string(p).ok())
            .collect::<Vec<_>>()
            .join("\n")
    }
}

impl Drop for WebApp {
    fn drop(&mut self) {
        let _ = self.server.kill();
        let _ = self.server.wait();
    }
}

/// Starts `leadmail serve` with its clock at `now` on `port` (as
/// configured) and waits until it accepts connections.
pub fn serve(app: &App, port: u16, now: &str) -> Child {
    let log = std::fs::File::create(app.dir.path().join(format!("serve-{port}.log"))).expect("log");
    let child = app
        .command(&["serve"])
        .env("LEADMAIL_NOW", now)
        .stdout(std::process::Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start leadmail serve");
    let up = wait_until(Duration::from_secs(20), || {
        std::net::TcpStream::connect(("127.0.0.1", port)).is_ok()
    });
    assert!(up, "leadmail serve did not listen on {port}");
    child
}

/// The `/signin/<token>` path in a mail.
pub fn link_path(text: &str) -> Option<String> {
    let at = text.find("/signin/")?;
    let token: String = text[at + 8..]
        .chars()
        .take_while(char::is_ascii_hexdigit)
        .collect();
    (token.len() == 64).then(|| format!("/signin/{token}"))
}

/// The value of the first `name="csrf"` field of a page.
pub fn csrf_in(html: &str) -> String {
    let at = html.find("name=\"csrf\" value=\"").expect("a CSRF field");
    let rest = &html[at + 19..];
    rest[..rest.find('"').expect("end of value")].to_string()
}

/// An HTTP response as the tests look at it.
#[derive(Debug)]
pub struct Reply {
    /// The status code.
    pub status: u16,
    /// `Set-Cookie` values.
    pub set_cookies: Vec<String>,
    /// `Location`, for a redirect.
    pub location: Option<String>,
    /// Every header.
    pub headers: reqwest::header::HeaderMap,
    /// The body.
    pub body: String,
}

/// A client that follows no redirects and keeps cookies by name, like a
/// browser: a `Secure` cookie is not kept from a plain-http origin.
pub struct Client {
    http: reqwest::Client,
    base: String,
    /// The cookies it sends.
    pub cookies: HashMap<String, String>,
    /// Keeps `Secure` cookies although it talks plain http: for an app
    /// whose `base_url` is https, where a reverse proxy would do the TLS
    /// and the test talks to the loopback listener behind it (the browser
    /// would see https and keep them).
    pub behind_tls_proxy: bool,
}

impl Client {
    /// A client for the app at `base`, without cookies.
    pub fn new(base: &str) -> Client {
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("an HTTP client");
        Client {
            http,
            base: base.to_string(),
            cookies: HashMap::new(),
            behind_tls_proxy: false,
        }
    }

    /// `GET path`.
    pub async fn get(&mut self, path: &str) -> Reply {
        let request = self.http.get(format!("{}{path}", self.base));
        self.send(request).await
    }

    /// `POST path` with a form.
    pub async fn post(&mut self, path: &str, form: &[(&str, &str)]) -> Reply {
        let body = form
            .iter()
            .fold(url_encoder(), |mut out, (k, v)| {
                out.append_pair(k, v);
                out
            })
            .finish();
        let request = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(body);
        self.send(request).await
    }

    async fn send(&mut self, request: reqwest::RequestBuilder) -> Reply {
        let cookie: Vec<String> = self
            .cookies
            .iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        let request = if cookie.is_empty() {
            request
        } else {
            request.header("cookie", cookie.join("; "))
        };
        let response = request.send().await.expect("the web app answers");
        let status = response.status().as_u16();
        let header = |name: &str| -> Vec<String> {
            response
                .headers()
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_string))
                .collect()
        };
        let set_cookies = header("set-cookie");
        let location = header("location").into_iter().next();
        let plain_http = self.base.starts_with("http://") && !self.behind_tls_proxy;
        for set in &set_cookies {
            let mut parts = set.split(';');
            let pair = parts.next().unwrap_or("");
            let secure = parts.any(|a| a.trim().eq_ignore_ascii_case("secure"));
            if secure && plain_http {
                continue;
            }
            if let Some((name, value)) = pair.split_once('=') {
                if value.is_empty() {
                    self.cookies.remove(name);
                } else {
                    self.cookies.insert(name.to_string(), value.to_string());
                }
            }
        }
        let headers = response.headers().clone();
        let body = response.text().await.expect("a body");
        Reply {
            status,
            set_cookies,
            location,
            headers,
            body,
        }
    }

    /// Asks for a link for `email` from the sign-in form.
    pub async fn ask_for_link(&mut self, email: &str) -> Reply {
        let form = self.get("/signin").await;
        let csrf = csrf_in(&form.body);
        self.post("/signin", &[("csrf", &csrf), ("email", email)])
            .await
    }

    /// Opens a link and presses its button.
    pub async fn use_link(&mut self, path: &str) -> Reply {
        let page = self.get(path).await;
        if page.status != 200 {
            return page;
        }
        let csrf = csrf_in(&page.body);
        let token = path.trim_start_matches("/signin/");
        self.post("/signin/confirm", &[("csrf", &csrf), ("token", token)])
            .await
    }

    /// The CSRF token of the signed-in session, read from a page.
    pub async fn session_csrf(&mut self) -> String {
        csrf_in(&self.get("/leads").await.body)
    }
}

fn url_encoder() -> form_urlencoded::Serializer<'static, String> {
    form_urlencoded::Serializer::new(String::new())
}

/// Signs `email` in through its mail; the signed-in client.
pub async fn signed_in(web: &WebApp, email: &str) -> Client {
    let mut client = Client::new(&web.base);
    let before = web.links_to(email).len();
    let asked = client.ask_for_link(email).await;
    assert_eq!(asked.status, 200, "{}", asked.body);
    let link = web.wait_for_link(email, before + 1);
    let signed = client.use_link(&link).await;
    assert_eq!(signed.status, 303, "{}", signed.body);
    client
}
