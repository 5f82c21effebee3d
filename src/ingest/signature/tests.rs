//! Signature fields in several languages, phone normalisation, and the line predicates.

use super::*;

mod hard_cases;

fn fields(signature: &str, name: Option<&str>, cc: Option<&str>) -> SignatureFields {
    extract_signature_fields(signature, name, cc)
}

fn some(text: &str) -> Option<String> {
    Some(text.to_string())
}

#[test]
fn an_english_signature_with_title_pipe_company_gives_all_four_fields() {
    let sig = "Jane Doe\nHead of Sales | Acme Ltd\nM: +44 7700 900123\nwww.acme.co.uk";
    let got = fields(sig, Some("Jane Doe"), None);
    assert_eq!(got.title, some("Head of Sales"));
    assert_eq!(got.company, some("Acme Ltd"));
    assert_eq!(got.phone, some("+447700900123"));
    assert_eq!(got.website, some("www.acme.co.uk"));
}

#[test]
fn a_portuguese_signature_prefers_the_mobile_and_adds_the_country_code() {
    let sig = "João Silva\nDiretor Comercial\nAcme Portugal, Lda.\nTel: 21 000 0000\n\
               Telemóvel: 912 345 678\nhttps://www.acme.pt";
    let got = fields(sig, Some("João Silva"), Some("351"));
    assert_eq!(got.title, some("Diretor Comercial"));
    assert_eq!(got.company, some("Acme Portugal, Lda."));
    assert_eq!(got.phone, some("+351912345678"));
    assert_eq!(got.website, some("https://www.acme.pt"));
}

#[test]
fn a_german_signature_drops_the_trunk_zero_and_never_returns_the_fax() {
    let sig = "Max Mustermann\nGeschäftsführer\nBeispiel GmbH\nTelefax: +49 30 1234568\n\
               Telefon: 030 1234567\nwww.beispiel.de";
    let got = fields(sig, Some("Max Mustermann"), Some("49"));
    assert_eq!(got.title, some("Geschäftsführer"));
    assert_eq!(got.company, some("Beispiel GmbH"));
    assert_eq!(got.phone, some("+49301234567"));
}

#[test]
fn a_signature_with_only_a_fax_number_has_no_phone() {
    let got = fields("Anna Berg\nFax: +49 30 1234568", Some("Anna Berg"), None);
    assert_eq!(got.phone, None);
}

#[test]
fn a_dutch_signature_reads_title_comma_company() {
    let sig = "Met vriendelijke groet,\nPieter de Vries\nAccountmanager, Voorbeeld B.V.\n\
               Telefoon: 020 123 4567\nMobiel: 06 12345678";
    let got = fields(sig, Some("Pieter de Vries"), Some("31"));
    assert_eq!(got.title, some("Accountmanager"));
    assert_eq!(got.company, some("Voorbeeld B.V."));
    assert_eq!(got.phone, some("+31612345678"));
}

#[test]
fn a_french_signature_understands_tel_with_a_space_before_the_colon() {
    let sig = "Marie Dupont\nDirectrice commerciale\nExemple SARL\nTél : +33 1 23 45 67 89";
    let got = fields(sig, Some("Marie Dupont"), None);
    assert_eq!(got.title, some("Directrice commerciale"));
    assert_eq!(got.company, some("Exemple SARL"));
    assert_eq!(got.phone, some("+33123456789"));
}

#[test]
fn a_spanish_signature_reads_title_and_company_with_sl_suffix() {
    let sig = "Carlos García\nJefe de Ventas\nEjemplo Soluciones SL\nMóvil: 600 123 456";
    let got = fields(sig, Some("Carlos García"), Some("34"));
    assert_eq!(got.title, some("Jefe de Ventas"));
    assert_eq!(got.company, some("Ejemplo Soluciones SL"));
    assert_eq!(got.phone, some("+34600123456"));
}

#[test]
fn a_title_comma_company_line_with_a_less_common_title_gives_both() {
    let found = fields(
        "Bob Lydell\nCustomer Liaison, Bobs Lydell Consulting\n+1 555 010 2030",
        Some("Bob Lydell"),
        None,
    );
    assert_eq!(found.title, some("Customer Liaison"));
    assert_eq!(found.company, some("Bobs Lydell Consulting"));
}

#[test]
fn title_at_company_is_split() {
    let got = fields(
        "Sam Lee\nVP Marketing at Globex Inc\nsam@globex.com",
        None,
        None,
    );
    assert_eq!(got.title, some("VP Marketing"));
    assert_eq!(got.company, some("Globex Inc"));
}

#[test]
fn name_comma_title_gives_the_title_without_the_name() {
    let got = fields("Maria Santos, Head of Marketing\nAcme S.A.", None, None);
    assert_eq!(got.title, some("Head of Marketing"));
    assert_eq!(got.company, some("Acme S.A."));
}

#[test]
fn a_company_without_legal_suffix_is_the_line_after_the_title() {
    let got = fields(
        "Ana Costa\nGestora de Conta\nAcme Portugal\n+351 912 000 111",
        None,
        None,
    );
    assert_eq!(got.title, some("Gestora de Conta"));
    assert_eq!(got.company, some("Acme Portugal"));
    assert_eq!(got.phone, some("+351912000111"));
}

#[test]
fn a_region_after_a_comma_is_not_a_company() {
    let got = fields("Tom Hardy\nSales Director, EMEA\nInitech", None, None);
    assert_eq!(got.title, some("Sales Director, EMEA"));
    assert_eq!(got.company, some("Initech"));
}

#[test]
fn a_bare_cto_line_is_a_title() {
    let got = fields("Li Wei\nCTO\nHooli Oy", Some("Li Wei"), None);
    assert_eq!(got.title, some("CTO"));
    assert_eq!(got.company, some("Hooli Oy"));
}

#[test]
fn a_social_link_is_used_only_when_no_company_site_exists() {
    let both = "Eva\nhttps://www.linkedin.com/in/eva\nhttps://eva-consulting.se";
    assert_eq!(
        fields(both, None, None).website,
        some("https://eva-consulting.se")
    );
    let only_social = "Eva\nhttps://www.linkedin.com/in/eva";
    assert_eq!(
        fields(only_social, None, None).website,
        some("https://www.linkedin.com/in/eva")
    );
}

#[test]
fn a_company_domain_beside_a_social_link_on_one_line_is_the_website() {
    let got = fields(
        "John Smith\nlinkedin.com/in/jsmith | globex.com",
        None,
        None,
    );
    assert_eq!(got.website, some("globex.com"));
}

#[test]
fn a_dutch_buyer_title_is_read() {
    let sig = "Sophie Janssens\nInkoper\nJanssens Logistiek B.V.\nT +31 (0)20 123 4567";
    let got = fields(sig, Some("Sophie Janssens"), Some("31"));
    assert_eq!(got.title, some("Inkoper"));
    assert_eq!(got.company, some("Janssens Logistiek B.V."));
    assert_eq!(got.phone, some("+31201234567"));
}

#[test]
fn a_bare_domain_line_is_a_website_but_an_email_domain_is_not() {
    assert_eq!(fields("Bo\nacme.dk", None, None).website, some("acme.dk"));
    assert_eq!(fields("Bo\nbo@acme.dk", None, None).website, None);
}

#[test]
fn a_national_number_without_country_is_kept_as_written() {
    let got = fields("Gina\n(555) 346-9947\nwww.example.com", None, None);
    assert_eq!(got.phone, some("(555) 346-9947"));
}

#[test]
fn a_double_zero_prefix_and_a_trunk_zero_in_brackets_become_e164() {
    assert_eq!(
        find_phones("Tel: 00351 21 000 0000", None),
        vec!["+351210000000"]
    );
    assert_eq!(
        find_phones("T +44 (0)20 7946 0000", None),
        vec!["+442079460000"]
    );
}

#[test]
fn a_us_number_with_a_leading_one_keeps_ten_national_digits() {
    assert_eq!(
        find_phones("Phone: 1-555-346-9947", Some("1")),
        vec!["+15553469947"]
    );
}

#[test]
fn the_sparse_talon_signature_takes_the_telephone_not_the_fax() {
    let sig =
        "Me John Doe\n\nt. 555-931-0702\n\nskype: xxx\n\nf. 555-875-7611\n\nhttp://example.com/";
    let got = fields(sig, Some("John Doe"), None);
    assert_eq!(got.phone, some("555-931-0702"));
    assert_eq!(got.website, some("http://example.com/"));
}

#[test]
fn the_talon_survey_signature_gives_president_and_website() {
    let sig = "John E. Doe, Ph.D.\nPresident\nXxx Research\njohn@example.com\nwww.example.com";
    let got = fields(sig, Some("John E. Doe"), None);
    assert_eq!(got.title, some("President"));
    assert_eq!(got.company, some("Xxx Research"));
    assert_eq!(got.website, some("www.example.com"));
}

#[test]
fn a_bold_title_line_from_markdown_is_read() {
    let got = fields(
        "*Joe Smith | Director, Product Management*",
        Some("Joe Smith"),
        None,
    );
    assert_eq!(got.title, some("Director, Product Management"));
    assert_eq!(got.company, None);
}

#[test]
fn two_numbers_on_one_line_are_both_found() {
    let found = find_phones("T: +351 21 000 0000 / M: +351 912 345 678", None);
    assert_eq!(found, vec!["+351210000000", "+351912345678"]);
}

#[test]
fn dates_postal_codes_and_order_numbers_are_not_phones() {
    let text = "Meeting on 2024-01-15, Rua Augusta 100, 1100-053 Lisboa, order 123456789.";
    assert!(find_phones(text, Some("351")).is_empty());
}

#[test]
fn a_phone_in_a_form_message_is_found_and_normalised() {
    let text = "Olá, liguem-me para o 912 345 678 amanhã.\nFax: 21 000 0001";
    assert_eq!(find_phones(text, Some("351")), vec!["+351912345678"]);
}

#[test]
fn odd_input_never_panics() {
    for text in [
        "",
        "+",
        "00",
        "Tel:",
        "ü+ü",
        "((((",
        "+(0)",
        "Mobil: +49 (0) 171 ·",
    ] {
        let _ = extract_signature_fields(text, Some(""), Some("+"));
        let _ = find_phones(text, Some("x"));
    }
}

#[test]
fn contact_and_name_lines_are_told_apart_from_sentences() {
    assert!(is_contact_line("T: +351 21 000 0000 | M: +351 912 345 678"));
    assert!(is_contact_line("Doe Inc"));
    assert!(!is_contact_line("Please call me at +351 912 345 678."));
    assert!(!is_contact_line("Please call me at +351 912 345 678"));
    assert!(!is_contact_line("I'm the Sales Manager at Acme."));
    assert!(is_contact_line("Directrice commerciale"));
    assert!(is_name_like("John E. Doe, Ph.D."));
    assert!(is_name_like("João da Silva"));
    assert!(!is_name_like("Sounds good."));
    assert!(!is_name_like("At your service,"));
}

#[test]
fn chinese_japanese_and_korean_legal_forms_mark_the_company_wherever_they_are_written() {
    let ja = fields(
        "佐藤花子\nサンプル商事株式会社 経理部 課長\nTEL: 06-1234-5678",
        Some("佐藤花子"),
        None,
    );
    assert_eq!(ja.company, some("サンプル商事株式会社"));
    let zh = fields(
        "王伟\n销售经理\n上海示例科技有限公司\n电话：021-5555-0101",
        None,
        None,
    );
    assert_eq!(zh.company, some("上海示例科技有限公司"));
    let ko = fields(
        "김민수 드림\n주식회사 샘플 영업팀\n010-1234-5678",
        None,
        None,
    );
    assert_eq!(ko.company, some("주식회사 샘플"));
    let after = fields("이영희\n샘플 주식회사", None, None);
    assert_eq!(after.company, some("샘플 주식회사"));
}
