//! Hard negatives (identifier numbers, teams), titles in more languages and more legal forms,
//! from the labelled signature set that `crate::eval` scores.

use super::{fields, some};
use crate::ingest::signature::find_phones;

#[test]
fn company_tax_bank_and_order_numbers_are_not_phones() {
    let lines = [
        "ABN 12 345 678 901",
        "SIRET : 123 456 789 00012",
        "RCS Paris B 512 345 678",
        "NIF 501 234 567",
        "NIP: 123-456-78-90",
        "CNPJ: 12.345.678/0001-90",
        "Org.nr. 987 654 321",
        "Btw BE 0123.456.789",
        "IBAN BE68 5390 0754 7034",
        "VAT no. GB 987 6543 21",
        "Your order reference: 204-5518830-4471",
    ];
    for line in lines {
        assert!(find_phones(line, Some("33")).is_empty(), "{line}");
    }
    assert_eq!(
        find_phones("NIF 501 234 567 | Tel. 21 000 0000", Some("351")),
        vec!["+351210000000"]
    );
    assert_eq!(
        find_phones("Chris Rea | +44 20 7946 0321", None),
        vec!["+442079460321"]
    );
}

#[test]
fn one_number_for_telephone_and_fax_is_a_phone() {
    assert_eq!(
        find_phones("Tel./Fax: 02151 123456", Some("49")),
        vec!["+492151123456"]
    );
    assert!(find_phones("Fax: 02151 123456", Some("49")).is_empty());
}

#[test]
fn a_team_or_department_is_not_a_title_but_its_lead_is() {
    let team = fields(
        "Kind regards,\nThe Sales Team\nBrookfield Office Supplies Ltd",
        None,
        None,
    );
    assert_eq!(team.title, None);
    assert_eq!(team.company, some("Brookfield Office Supplies Ltd"));
    let lead = fields(
        "Ann Lee\nSales Team Lead\nGlobex Ltd",
        Some("Ann Lee"),
        None,
    );
    assert_eq!(lead.title, some("Sales Team Lead"));
}

#[test]
fn italian_polish_and_nordic_titles_are_read() {
    let cases = [
        (
            "Giulia Rossi\nResponsabile Acquisti\nRossi Arredamenti S.r.l.",
            "Responsabile Acquisti",
        ),
        (
            "Anna Kowalska\nKierownik Działu Sprzedaży\nPrzykład Sp. z o.o.",
            "Kierownik Działu Sprzedaży",
        ),
        (
            "Erik Johansson\nFörsäljningschef\nNordvind Konsult AB",
            "Försäljningschef",
        ),
        ("Ola Nordmann\nDaglig leder\nFjord Fisk AS", "Daglig leder"),
        (
            "Mikko Virtanen\nMyyntipäällikkö\nVirtanen Oy",
            "Myyntipäällikkö",
        ),
    ];
    for (signature, title) in cases {
        assert_eq!(
            fields(signature, None, None).title,
            some(title),
            "{signature}"
        );
    }
}

#[test]
fn the_senders_name_comma_title_line_gives_the_title_and_the_next_line_the_company() {
    let got = fields(
        "Laura Chen, Purchasing Manager\nPacific Rim Foods",
        Some("Laura Chen"),
        None,
    );
    assert_eq!(got.title, some("Purchasing Manager"));
    assert_eq!(got.company, some("Pacific Rim Foods"));
}

#[test]
fn a_region_after_the_title_stays_in_the_title() {
    let got = fields(
        "Jordan Lee\nAccount Director, West Region\nBeacon Media Group",
        None,
        None,
    );
    assert_eq!(got.title, some("Account Director, West Region"));
    assert_eq!(got.company, some("Beacon Media Group"));
}

#[test]
fn more_legal_forms_are_companies() {
    for company in [
        "Ferrari Impianti Srl",
        "Distribuidora del Norte, S.A. de C.V.",
        "Příklad s.r.o.",
        "Coastal Timber Supplies Pty Ltd",
        "Zielińska i Wspólnicy Sp.j.",
    ] {
        let got = fields(&format!("Jo Doe\n{company}"), Some("Jo Doe"), None);
        assert_eq!(got.company, some(company), "{company}");
    }
}
