//! Sender checks for every mode, header parsing, and hostile input.

use super::*;

const MX: &str = "mx.acme.test";

fn trusted() -> Vec<String> {
    vec![MX.to_string()]
}

fn check(headers: &[&str], mode: SenderAuthMode) -> AuthVerdict {
    check_sender(headers, "acme.test", mode, &trusted())
}

#[test]
fn a_dmarc_pass_from_a_trusted_authserv_id_passes() {
    let verdict = check(
        &["mx.acme.test; dkim=pass header.d=acme.test; dmarc=pass (p=reject) header.from=acme.test"],
        SenderAuthMode::Dmarc,
    );
    assert!(verdict.passed);
    assert_eq!(
        verdict.detail,
        "dmarc=pass (header.from=acme.test) by mx.acme.test"
    );
}

#[test]
fn a_header_from_an_untrusted_authserv_id_is_ignored() {
    let verdict = check(
        &["mx.evil.test; dmarc=pass header.from=acme.test"],
        SenderAuthMode::Dmarc,
    );
    assert!(!verdict.passed);
    assert_eq!(
        verdict.detail,
        "no Authentication-Results from a trusted authserv-id (trusted: mx.acme.test)"
    );
}

#[test]
fn a_forged_header_below_the_trusted_one_is_ignored() {
    let headers = [
        "mx.acme.test; dmarc=fail (p=reject) header.from=acme.test",
        "mx.acme.test; dmarc=pass header.from=acme.test",
    ];
    let verdict = check(&headers, SenderAuthMode::Dmarc);
    assert!(!verdict.passed);
    assert!(
        verdict.detail.starts_with("dmarc=fail"),
        "{}",
        verdict.detail
    );
}

#[test]
fn a_broken_trusted_header_still_hides_the_forged_ones_below_it() {
    let headers = [
        "mx.acme.test; dmarc=pass (unclosed",
        "mx.acme.test; dmarc=pass header.from=acme.test",
    ];
    let verdict = check(&headers, SenderAuthMode::Dmarc);
    assert!(!verdict.passed);
    assert!(
        verdict
            .detail
            .contains("could not be parsed: unterminated comment"),
        "{}",
        verdict.detail
    );
}

#[test]
fn each_trusted_authserv_id_counts_its_own_topmost_header() {
    let ids = vec!["mx.acme.test".to_string(), "filter.acme.test".to_string()];
    let headers = [
        "filter.acme.test; spf=fail smtp.mailfrom=acme.test",
        "mx.acme.test; spf=pass smtp.mailfrom=bounces.acme.test",
    ];
    let verdict = check_sender(&headers, "acme.test", SenderAuthMode::Spf, &ids);
    assert!(verdict.passed, "{}", verdict.detail);
}

#[test]
fn dkim_alignment_accepts_the_organisational_domain_and_its_subdomains_only() {
    let dkim = |d: &str, from: &str| {
        let header = format!("mx.acme.test; dkim=pass header.d={d}");
        check_sender(&[&header], from, SenderAuthMode::Dkim, &trusted()).passed
    };
    assert!(dkim("acme.test", "acme.test"));
    assert!(dkim("mail.acme.test", "acme.test"));
    assert!(dkim("acme.test", "sales.acme.test"));
    assert!(dkim("ACME.test.", "acme.test"));
    assert!(!dkim("acme.test.evil", "acme.test"));
    assert!(!dkim("mailchimp.test", "acme.test"));
    assert!(dkim("mail.acme.co.uk", "acme.co.uk"));
    assert!(!dkim("co.uk", "acme.co.uk"));
    assert!(!dkim("other.co.uk", "acme.co.uk"));
}

#[test]
fn dkim_falls_back_to_the_domain_of_header_i() {
    let verdict = check(
        &["mx.acme.test; dkim=pass header.i=@news.acme.test"],
        SenderAuthMode::Dkim,
    );
    assert!(verdict.passed, "{}", verdict.detail);
}

#[test]
fn a_dkim_pass_for_another_domain_says_it_is_not_aligned() {
    let verdict = check(
        &["mx.acme.test; dkim=pass header.d=esp.test; dkim=fail header.d=acme.test"],
        SenderAuthMode::Dkim,
    );
    assert!(!verdict.passed);
    assert_eq!(
        verdict.detail,
        "dkim=pass (header.d=esp.test) by mx.acme.test, but header.d=esp.test is not aligned with acme.test"
    );
}

#[test]
fn spf_checks_the_domain_of_smtp_mailfrom() {
    let pass = check(
        &["mx.acme.test; spf=pass smtp.mailfrom=alice@acme.test"],
        SenderAuthMode::Spf,
    );
    assert!(pass.passed);
    let other = check(
        &["mx.acme.test; spf=pass smtp.mailfrom=x@esp.test"],
        SenderAuthMode::Spf,
    );
    assert!(!other.passed);
}

#[test]
fn failure_details_name_the_failing_method_and_reason() {
    let verdict = check(
        &["mx.acme.test; dkim=fail reason=\"signature verification failed\" header.d=acme.test"],
        SenderAuthMode::Dkim,
    );
    assert!(!verdict.passed);
    assert_eq!(
        verdict.detail,
        "dkim=fail (reason=\"signature verification failed\"; header.d=acme.test) by mx.acme.test"
    );
    let missing = check(
        &["mx.acme.test; spf=pass smtp.mailfrom=acme.test"],
        SenderAuthMode::Dmarc,
    );
    assert_eq!(
        missing.detail,
        "no dmarc result in Authentication-Results by mx.acme.test"
    );
}

#[test]
fn a_dmarc_pass_for_another_from_domain_fails() {
    let verdict = check(
        &["mx.acme.test; dmarc=pass header.from=evil.test"],
        SenderAuthMode::Dmarc,
    );
    assert!(!verdict.passed);
    assert!(
        verdict.detail.contains("not acme.test"),
        "{}",
        verdict.detail
    );
}

#[test]
fn a_dmarc_pass_without_header_from_does_not_count() {
    let verdict = check(
        &["mx.acme.test; dmarc=pass (p=reject)"],
        SenderAuthMode::Dmarc,
    );
    assert!(!verdict.passed);
    assert!(
        verdict.detail.contains("names no header.from"),
        "{}",
        verdict.detail
    );
    let named = check(
        &["mx.acme.test; dmarc=pass header.from=ACME.test."],
        SenderAuthMode::Dmarc,
    );
    assert!(named.passed, "{}", named.detail);
}

#[test]
fn comments_quoted_strings_versions_and_case_are_understood() {
    let parsed = parse_authentication_results(
        "MX.Acme.Test (our \\) (nested) mx) 1; DKIM/1 = PASS (good (sig)) \
         header.d=\"acme.test\" reason=\"ok; fine\";\r\n\tSPF=SoftFail smtp.mailfrom=a@b.test;",
    )
    .expect("parses");
    assert_eq!(parsed.authserv_id, "mx.acme.test");
    assert_eq!(parsed.version, Some(1));
    let dkim = &parsed.results[0];
    assert_eq!(
        (dkim.method.as_str(), dkim.result.as_str()),
        ("dkim", "pass")
    );
    assert_eq!(dkim.property("header.d"), Some("acme.test"));
    assert_eq!(dkim.reason.as_deref(), Some("ok; fine"));
    assert_eq!(parsed.results[1].result, "softfail");
}

#[test]
fn none_means_no_results() {
    let parsed = parse_authentication_results("mx.acme.test 1; none").expect("parses");
    assert!(parsed.results.is_empty());
    let verdict = check(&["mx.acme.test; none"], SenderAuthMode::Dkim);
    assert!(!verdict.passed);
}

#[test]
fn vendor_extensions_do_not_break_parsing() {
    let header = "mx.acme.test; spf=pass (sender IP is 192.0.2.1) smtp.mailfrom=acme.test; \
                  dkim=pass (signature was verified) header.d=acme.test;dmarc=pass action=none \
                  header.from=acme.test;compauth=pass reason=100";
    let verdict = check(&[header], SenderAuthMode::Dmarc);
    assert!(verdict.passed, "{}", verdict.detail);
}

#[test]
fn garbage_is_not_a_pass_and_says_why() {
    for garbage in [
        "",
        "   ",
        "; dmarc=pass",
        "(only a comment)",
        "mx.acme.test dmarc=pass",
        "mx.acme.test; =pass",
    ] {
        let verdict = check(&[garbage], SenderAuthMode::Dmarc);
        assert!(!verdict.passed, "{garbage:?}");
        assert!(!verdict.detail.is_empty());
    }
    let verdict = check(&["mx.acme.test; dmarc"], SenderAuthMode::Dmarc);
    assert!(
        verdict.detail.contains("malformed result"),
        "{}",
        verdict.detail
    );
    let unparsable = check(&["; ;", "(x"], SenderAuthMode::Dmarc);
    assert!(
        unparsable
            .detail
            .ends_with("2 header(s) could not be parsed"),
        "{}",
        unparsable.detail
    );
}

#[test]
fn sender_auth_none_always_passes() {
    let verdict = check_sender(&[], "", SenderAuthMode::None, &[]);
    assert!(verdict.passed);
}

#[test]
fn hostile_input_never_panics() {
    let long = "a".repeat(MAX_HEADER_BYTES * 2);
    let deep = format!("mx.acme.test; dkim=pass {}", "(".repeat(10_000));
    let many = format!(
        "mx.acme.test; {}",
        "dkim=pass header.d=acme.test; ".repeat(5_000)
    );
    let samples = [
        long.as_str(),
        deep.as_str(),
        many.as_str(),
        "mx.acme.test; dkim=pass header.d=\"unterminated",
        "mx.acme.test; dkim=pass header.d=é\u{0}\\",
        "\"mx.acme.test\"; dkim=pass header.d=acme.test ))))",
        "mx.acme.test; dkim=pass header.d",
        "mx.acme.test; dkim=pass header.d=@",
        "mx.acme.test 99999999999999999999; none",
    ];
    for sample in samples {
        for mode in [
            SenderAuthMode::Dmarc,
            SenderAuthMode::Dkim,
            SenderAuthMode::Spf,
        ] {
            let _ = check(&[sample], mode);
        }
        let _ = parse_authentication_results(sample);
    }
    let headers: Vec<&str> = std::iter::repeat_n(samples[2], 1_000).collect();
    let _ = check(&headers, SenderAuthMode::Dkim);
}

#[test]
fn results_verified_here_count_like_a_trusted_receivers() {
    let here = "leadmail.verify-here; dkim=pass header.d=acme.test header.s=lm";
    let verdict = check_sender_verified(&[], Some(here), "acme.test", SenderAuthMode::Dkim, &[]);
    assert!(verdict.passed, "{}", verdict.detail);
    assert!(verdict.detail.contains(VERIFIED_HERE), "{}", verdict.detail);
    let not_aligned = "leadmail.verify-here; dkim=pass header.d=evil.test";
    let verdict = check_sender_verified(
        &[],
        Some(not_aligned),
        "acme.test",
        SenderAuthMode::Dkim,
        &[],
    );
    assert!(!verdict.passed, "{}", verdict.detail);
}

#[test]
fn a_header_in_the_message_naming_leadmail_is_not_results_verified_here() {
    let forged = ["leadmail.verify-here; dkim=pass header.d=acme.test"];
    let trusted = vec!["mx.acme.test".to_string()];
    let verdict = check_sender_verified(&forged, None, "acme.test", SenderAuthMode::Dkim, &trusted);
    assert!(!verdict.passed, "{}", verdict.detail);
    assert!(!judged_by_trusted_receiver(&forged, &trusted));
    let receivers = ["mx.acme.test; dkim=fail header.d=acme.test"];
    assert!(judged_by_trusted_receiver(&receivers, &trusted));
}
