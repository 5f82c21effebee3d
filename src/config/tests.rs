//! Config parsing tests with inline TOML.

use super::*;

/// A small valid configuration used by tests across the crate.
pub(crate) const SAMPLE: &str = r#"
[database]
url = "sqlite://test.db"

[crm]
addresses = ["crm@acme.test"]
company_domains = ["acme.test"]
steps = ["Contacted", "Demo", "Proposal", "Negotiation"]
time_zone = "Europe/Lisbon"

[security]
sender_auth = "dmarc"
trusted_authserv_ids = ["mx.acme.test"]

[[users]]
email = "alice@acme.test"
name = "Alice Martins"
aliases = ["a.martins@acme.test"]
role = "admin"

[[users]]
email = "bruno@acme.test"
name = "Bruno Costa"

[[partners]]
name = "Northwind"
emails = ["bob@northwind.test"]
domains = ["northwind.test"]
owner = "alice@acme.test"

[[sources]]
name = "website"
from = ["forms@webforms.test"]
owner = "bruno@acme.test"
"#;

fn parse(text: &str) -> Result<Settings, ConfigError> {
    Settings::from_toml(text, Path::new("/etc/leadmail"))
}

#[test]
fn the_sample_parses_and_resolves_the_database_path() {
    let settings = parse(SAMPLE).unwrap();
    assert_eq!(settings.database_url, "sqlite:///etc/leadmail/test.db");
    assert_eq!(settings.users.len(), 2);
    assert_eq!(
        settings.users[1].calendar.time_zone,
        chrono_tz::Europe::Lisbon
    );
}

#[test]
fn the_shipped_example_config_is_valid() {
    let text = include_str!("../../config/leadmail.example.toml");
    let settings = parse(text).unwrap();
    assert_eq!(settings.mailboxes.len(), 1);
    assert!(settings.smtp.is_some());
}

#[test]
fn an_unknown_key_is_named() {
    let text = SAMPLE
        .replace("public_inquiries", "x")
        .replace("[crm]", "[crm]\npublic_inquires = true");
    let error = parse(&text).unwrap_err().to_string();
    assert!(error.contains("public_inquires"), "{error}");
}

#[test]
fn an_owner_who_is_not_a_user_is_named_with_the_partner() {
    let text = SAMPLE.replace("owner = \"alice@acme.test\"", "owner = \"carol@acme.test\"");
    let error = parse(&text).unwrap_err().to_string();
    assert!(error.contains("partners[0].owner"), "{error}");
    assert!(error.contains("carol@acme.test"), "{error}");
    assert!(error.contains("Northwind"), "{error}");
}

#[test]
fn header_bounds_default_to_1000_fields_and_64_kib_lines_and_refuse_tiny_values() {
    let settings = sample_settings();
    assert_eq!(settings.security.max_header_count, 1000);
    assert_eq!(settings.security.max_header_line_bytes, 64 * 1024);
    let text = SAMPLE.replace("[security]", "[security]\nmax_header_count = 10");
    let error = parse(&text).unwrap_err().to_string();
    assert!(error.contains("security.max_header_count"), "{error}");
}

#[test]
fn the_in_flight_budget_defaults_to_32_mib_is_read_and_refuses_less_than_1_mib() {
    assert_eq!(
        sample_settings().security.max_in_flight_bytes,
        32 * 1024 * 1024
    );
    let text = SAMPLE.replace("[security]", "[security]\nmax_in_flight_bytes = 4194304");
    assert_eq!(parse(&text).unwrap().security.max_in_flight_bytes, 4 << 20);
    let text = SAMPLE.replace("[security]", "[security]\nmax_in_flight_bytes = 65536");
    let error = parse(&text).unwrap_err().to_string();
    assert!(error.contains("security.max_in_flight_bytes"), "{error}");
}

#[test]
fn a_bad_time_zone_names_the_key() {
    let text = SAMPLE.replace(
        "name = \"Bruno Costa\"",
        "name = \"Bruno\"\ntime_zone = \"Mars/Base\"",
    );
    let error = parse(&text).unwrap_err().to_string();
    assert!(error.contains("users[1].time_zone"), "{error}");
}

#[test]
fn plain_imap_is_refused_for_a_remote_host() {
    let text = format!(
        "{SAMPLE}\n[[mailboxes]]\nname = \"m\"\nhost = \"imap.example.com\"\ntls = \"none\"\nusername = \"u\"\npassword_env = \"P\"\n"
    );
    let error = parse(&text).unwrap_err().to_string();
    assert!(error.contains("mailboxes[0].tls"), "{error}");
}

#[test]
fn secrets_come_from_the_environment_and_never_print() {
    use secrecy::ExposeSecret;
    std::env::set_var("LEADMAIL_TEST_SECRET_X", "hunter2");
    let secret = SecretSource::Env("LEADMAIL_TEST_SECRET_X".into())
        .load()
        .unwrap();
    assert_eq!(secret.expose_secret(), "hunter2");
    assert!(!format!("{secret:?}").contains("hunter2"));
    let missing = SecretSource::Env("LEADMAIL_TEST_SECRET_MISSING".into())
        .load()
        .unwrap_err();
    assert!(missing.to_string().contains("LEADMAIL_TEST_SECRET_MISSING"));
}

/// The sample with `extra` TOML appended, for tests elsewhere in the crate.
pub(crate) fn with_extra(extra: &str) -> Settings {
    parse(&format!("{SAMPLE}\n{extra}")).expect("the sample plus extra is valid")
}

/// The sample as settings, for tests elsewhere in the crate.
pub(crate) fn sample_settings() -> Settings {
    parse(SAMPLE).expect("the sample config is valid")
}

/// The shipped example config (with one mailbox), for tests elsewhere.
pub(crate) fn sample_settings_with_mailbox() -> Settings {
    parse(include_str!("../../config/leadmail.example.toml")).expect("the example is valid")
}

#[test]
fn a_source_is_authenticated_unless_trust_unauthenticated_and_doctor_warns_then() {
    let settings = parse(SAMPLE).unwrap();
    assert!(!settings.sources[0].trust_unauthenticated);
    assert!(settings.trust_warnings().is_empty());
    let text = SAMPLE.replace(
        "owner = \"bruno@acme.test\"\n",
        "owner = \"bruno@acme.test\"\ntrust_unauthenticated = true\n",
    );
    let trusting = parse(&text).unwrap();
    assert!(trusting.sources[0].trust_unauthenticated);
    let warnings = trusting.trust_warnings();
    assert_eq!(warnings.len(), 1);
    assert!(
        warnings[0].starts_with("sources[0].trust_unauthenticated = true"),
        "{}",
        warnings[0]
    );
}

#[test]
fn our_own_addresses_are_users_aliases_our_domains_and_the_crm_in_any_form() {
    let settings = parse(SAMPLE).unwrap();
    let own = |a: &str| settings.is_own_address(&EmailAddress::parse(a).unwrap());
    for address in [
        "a.martins@acme.test",
        "carla@acme.test",
        "crm+lead-7@acme.test",
        "x@eu.acme.test",
    ] {
        assert!(own(address), "{address}");
    }
    for address in [
        "bob@northwind.test",
        "jane@globex.test",
        "crm@acme-test.example",
    ] {
        assert!(!own(address), "{address}");
    }
}

/// The sample with an `[smtp]` section whose `from` is `from`.
fn with_smtp_from(from: &str) -> String {
    format!("{SAMPLE}\n[smtp]\nhost = \"127.0.0.1\"\ntls = \"none\"\nfrom = {from:?}\n")
}

#[test]
fn smtp_from_is_parsed_once_into_a_mailbox_with_its_name_and_address() {
    let settings = parse(&with_smtp_from("leadmail <crm@Acme.test>")).unwrap();
    let smtp = settings.smtp.unwrap();
    assert_eq!(smtp.from.name.as_deref(), Some("leadmail"));
    assert_eq!(smtp.from.email.to_string(), "crm@Acme.test");
    assert_eq!(smtp.from_domain(), "acme.test");
    let bare = parse(&with_smtp_from("crm@acme.test"))
        .unwrap()
        .smtp
        .unwrap();
    assert_eq!(bare.from.name, None);
    assert_eq!(bare.from_domain(), "acme.test");
}

#[test]
fn a_bad_smtp_from_is_a_config_error_naming_the_key_and_why_with_exit_code_2() {
    for bad in ["leadmail", "leadmail <crm@>", "leadmail <crm@acme.test", ""] {
        let error = parse(&with_smtp_from(bad)).unwrap_err();
        let text = error.to_string();
        assert!(text.contains("config key `smtp.from`"), "{bad:?}: {text}");
        assert!(
            text.contains(&format!("{bad:?} is not an address")),
            "{text}"
        );
        assert_eq!(crate::app::exit_code(&anyhow::Error::new(error)), 2);
    }
}

#[test]
fn verify_here_reads_its_dns_servers_and_stands_in_for_trusted_receivers() {
    let settings = sample_settings();
    assert!(!settings.security.verify_here);
    assert!(settings.security.dns_servers.is_empty());
    let without_ids = SAMPLE.replace("trusted_authserv_ids = [\"mx.acme.test\"]\n", "");
    assert_ne!(without_ids, SAMPLE);
    let error = parse(&without_ids).unwrap_err().to_string();
    assert!(error.contains("security.trusted_authserv_ids"), "{error}");
    let text = without_ids.replace(
        "[security]",
        "[security]\nverify_here = true\ndns_servers = [\"127.0.0.1:5353\", \"::1\"]\ntrusted_receivers = [\"MX.Acme.Test.\"]",
    );
    let security = parse(&text).unwrap().security;
    assert!(security.verify_here);
    let servers: Vec<String> = security.dns_servers.iter().map(|s| s.to_string()).collect();
    assert_eq!(servers, ["127.0.0.1:5353", "[::1]:53"]);
    assert_eq!(security.trusted_receivers, ["mx.acme.test"]);
    let bad = text.replace("127.0.0.1:5353", "dns.example");
    let error = parse(&bad).unwrap_err().to_string();
    assert!(
        error.contains("security.dns_servers") && error.contains("dns.example"),
        "{error}"
    );
}

fn with_webhook(entry: &str) -> Result<Settings, ConfigError> {
    parse(&format!("{SAMPLE}\n[[webhooks]]\n{entry}\n"))
}

#[test]
fn a_webhook_gets_every_event_by_default_and_is_named_after_its_host() {
    let settings =
        with_webhook("url = \"https://Hooks.Example.com/leadmail\"\nsecret_env = \"HOOK_SECRET\"")
            .unwrap();
    let hook = &settings.webhooks[0];
    assert_eq!(hook.name, "hooks.example.com");
    assert_eq!(hook.events.len(), crate::webhook::EVENT_TYPES.len());
    assert_eq!((hook.timeout_secs, hook.retry_first_secs), (10, 10));
}

#[test]
fn a_webhook_entry_that_cannot_work_is_refused_with_its_key() {
    let cases = [
        (
            "url = \"ftp://x.test/\"\nsecret_env = \"S\"",
            "webhooks[0].url",
        ),
        (
            "url = \"http://hooks.example.com/\"\nsecret_env = \"S\"",
            "use https://",
        ),
        ("url = \"https://x.test/\"", "webhooks[0].secret_env"),
        (
            "url = \"https://x.test/\"\nsecret_env = \"S\"\nsecret_file = \"f\"",
            "not both",
        ),
        (
            "url = \"https://x.test/\"\nsecret_env = \"S\"\nevents = [\"lead.deleted\"]",
            "webhooks[0].events",
        ),
        (
            "url = \"https://x.test/\"\nsecret_env = \"S\"\ntimeout_secs = 0",
            "at least 1",
        ),
        (
            "url = \"https://x.test/\"\nsecret_env = \"S\"\nmethod = \"PUT\"",
            "method",
        ),
    ];
    for (entry, expected) in cases {
        let error = with_webhook(entry).unwrap_err().to_string();
        assert!(error.contains(expected), "{entry}: {error}");
    }
    let twice = format!(
        "{SAMPLE}\n[[webhooks]]\nurl = \"http://127.0.0.1:9/a\"\nsecret_env = \"S\"\n\
         [[webhooks]]\nurl = \"http://127.0.0.1:9/b\"\nsecret_env = \"S\"\n"
    );
    let error = parse(&twice).unwrap_err().to_string();
    assert!(error.contains("webhooks[1].name"), "{error}");
}

#[test]
fn smtp_connections_default_to_four_and_stay_between_1_and_32() {
    let smtp = "[smtp]\nhost = \"127.0.0.1\"\ntls = \"none\"\nfrom = \"crm@acme.test\"\n";
    let settings = parse(&format!("{SAMPLE}\n{smtp}")).unwrap();
    assert_eq!(settings.smtp.unwrap().connections, 4);
    for bad in [0, 33] {
        let error = parse(&format!("{SAMPLE}\n{smtp}connections = {bad}\n"))
            .unwrap_err()
            .to_string();
        assert!(error.contains("smtp.connections"), "{error}");
    }
}

/// The sample with one mailbox logging in through `oauth2 = { extra }`.
fn with_oauth2_mailbox(login: &str, extra: &str) -> String {
    format!(
        "{SAMPLE}\n[[mailboxes]]\nname = \"m\"\nhost = \"imap.gmail.com\"\nusername = \"crm@acme.test\"\n{login}\noauth2 = {{ client_id = \"c\", {extra} }}\n"
    )
}

fn oauth2_error(login: &str, extra: &str) -> String {
    parse(&with_oauth2_mailbox(login, extra))
        .unwrap_err()
        .to_string()
}

#[test]
fn an_oauth2_mailbox_reads_its_endpoint_client_and_refresh_token_file() {
    let text = with_oauth2_mailbox(
        "",
        "provider = \"google\", client_secret_env = \"S\", refresh_token_file = \"rt\"",
    );
    let mailbox = &parse(&text).unwrap().mailboxes[0];
    let oauth2 = mailbox.oauth2.as_ref().unwrap();
    assert_eq!(oauth2.key, "mailboxes[0].oauth2");
    assert_eq!(oauth2.token_url, "https://oauth2.googleapis.com/token");
    assert!(matches!(&oauth2.client_secret, Some(SecretSource::Env(n)) if n == "S"));
    assert!(
        matches!(&oauth2.refresh_token, SecretSource::File(p) if p == Path::new("/etc/leadmail/rt"))
    );
    assert_eq!(oauth2.scope, None);
}

#[test]
fn the_microsoft_preset_fills_the_tenant_url_and_the_service_scope() {
    let text = with_oauth2_mailbox(
        "",
        "provider = \"microsoft\", tenant = \"contoso.onmicrosoft.com\", refresh_token_env = \"R\"",
    );
    let oauth2 = parse(&text).unwrap().mailboxes[0].oauth2.clone().unwrap();
    assert_eq!(
        oauth2.token_url,
        "https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token"
    );
    assert_eq!(
        oauth2.scope.as_deref(),
        Some("https://outlook.office.com/IMAP.AccessAsUser.All offline_access")
    );
    let common = with_oauth2_mailbox("", "provider = \"microsoft\", refresh_token_env = \"R\"");
    let oauth2 = parse(&common).unwrap().mailboxes[0].oauth2.clone().unwrap();
    assert!(
        oauth2.token_url.contains("/common/"),
        "{}",
        oauth2.token_url
    );
}

#[test]
fn oauth2_errors_name_the_key_and_why() {
    let url = "token_url = \"http://127.0.0.1:9/token\"";
    let cases = [
        (
            "",
            format!("{url}, refresh_token_env = \"R\", refresh_token_file = \"f\""),
            "mailboxes[0].oauth2.refresh_token_env",
            "not both",
        ),
        (
            "",
            url.to_string(),
            "mailboxes[0].oauth2.refresh_token_env",
            "set refresh_token_env or refresh_token_file",
        ),
        (
            "",
            "token_url = \"ftp://x/token\", refresh_token_env = \"R\"".into(),
            "mailboxes[0].oauth2.token_url",
            "not an http(s) URL",
        ),
        (
            "",
            "token_url = \"http://auth.example.com/token\", refresh_token_env = \"R\"".into(),
            "mailboxes[0].oauth2.token_url",
            "loopback",
        ),
        (
            "",
            "refresh_token_env = \"R\"".into(),
            "mailboxes[0].oauth2.token_url",
            "set provider",
        ),
        (
            "",
            "provider = \"yahoo\", refresh_token_env = \"R\"".into(),
            "mailboxes[0].oauth2.provider",
            "not a known provider",
        ),
        (
            "",
            format!("provider = \"google\", {url}, refresh_token_env = \"R\""),
            "mailboxes[0].oauth2.token_url",
            "not both",
        ),
        (
            "",
            "provider = \"google\", tenant = \"t\", refresh_token_env = \"R\"".into(),
            "mailboxes[0].oauth2.tenant",
            "microsoft",
        ),
        (
            "password_env = \"P\"",
            format!("{url}, refresh_token_env = \"R\""),
            "mailboxes[0].oauth2",
            "remove password_*",
        ),
        (
            "oauth2_token_env = \"T\"",
            format!("{url}, refresh_token_env = \"R\""),
            "mailboxes[0].oauth2",
            "oauth2_token_*",
        ),
    ];
    for (login, extra, key, why) in cases {
        let error = oauth2_error(login, &extra);
        assert!(error.contains(&format!("`{key}`")), "{extra}: {error}");
        assert!(error.contains(why), "{extra}: {error}");
    }
    let error = oauth2_error(
        "",
        "token_url = \"https://x/t\", refresh_token_env = \"R\", secret = 1",
    );
    assert!(error.contains("secret"), "{error}");
}

#[test]
fn smtp_oauth2_needs_a_username_and_no_password() {
    let smtp = |body: &str| {
        format!("{SAMPLE}\n[smtp]\nhost = \"smtp.gmail.com\"\nfrom = \"crm@acme.test\"\n{body}\n")
    };
    let oauth2 =
        "oauth2 = { provider = \"microsoft\", client_id = \"c\", refresh_token_env = \"R\" }";
    let settings = parse(&smtp(&format!("username = \"crm@acme.test\"\n{oauth2}"))).unwrap();
    let scope = settings.smtp.unwrap().oauth2.unwrap().scope.unwrap();
    assert_eq!(scope, "https://outlook.office.com/SMTP.Send offline_access");
    let error = parse(&smtp(oauth2)).unwrap_err().to_string();
    assert!(error.contains("`smtp.username`"), "{error}");
    let both = format!("username = \"u\"\npassword_env = \"P\"\n{oauth2}");
    let error = parse(&smtp(&both)).unwrap_err().to_string();
    assert!(error.contains("`smtp.oauth2`"), "{error}");
}

#[test]
fn a_web_section_is_read_with_its_defaults_and_a_bad_url_names_the_key() {
    let text = format!("{SAMPLE}\n[web]\nbase_url = \"https://crm.acme.test/\"\n");
    let web = parse(&text).unwrap().web.unwrap();
    assert_eq!(web.listen.to_string(), "127.0.0.1:8080");
    assert_eq!(web.base_url, "https://crm.acme.test");
    assert!(web.secure());
    assert_eq!(web.session_days, 30);
    let bad = format!("{SAMPLE}\n[web]\nbase_url = \"crm.acme.test\"\n");
    assert!(parse(&bad)
        .unwrap_err()
        .to_string()
        .contains("web.base_url"));
    let bad = format!("{SAMPLE}\n[web]\nlisten = \"localhost\"\nbase_url = \"http://x\"\n");
    assert!(parse(&bad).unwrap_err().to_string().contains("web.listen"));
    assert!(parse(SAMPLE).unwrap().web.is_none());
}

#[test]
fn a_source_without_field_labels_reads_the_labels_form_builders_print() {
    let settings = parse(SAMPLE).unwrap();
    let fields = &settings.sources[0].fields;
    assert!(fields.email.iter().any(|l| l == "courriel"));
    assert!(fields.name.iter().any(|l| l == "full name"));
    assert_eq!(fields.email.len(), EMAIL_FIELD_LABELS.len());
    let text = SAMPLE.replace(
        "owner = \"bruno@acme.test\"\n",
        "owner = \"bruno@acme.test\"\n[sources.fields]\nemail = [\"Adresse\"]\n",
    );
    let configured = parse(&text).unwrap();
    assert_eq!(configured.sources[0].fields.email, ["Adresse"]);
    assert!(configured.sources[0]
        .fields
        .name
        .iter()
        .any(|l| l == "name"));
}

#[test]
fn a_forms_printed_label_matches_its_configured_label_in_any_case_and_script() {
    let labels = FieldLabels {
        name: vec!["имя".into()],
        email: vec!["Correo electrónico".into()],
        ..FieldLabels::default_labels()
    };
    let fields = vec![
        ("ИМЯ:".to_string(), "Анна Петрова".to_string()),
        (
            "CORREO ELECTRÓNICO".to_string(),
            "ana@cliente.es".to_string(),
        ),
    ];
    assert_eq!(
        labels.value(&fields, &labels.name).as_deref(),
        Some("Анна Петрова")
    );
    assert_eq!(
        labels.value(&fields, &labels.email).as_deref(),
        Some("ana@cliente.es")
    );
    assert!(!is_field_label("Message", &labels.email));
}
