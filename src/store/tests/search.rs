//! The web app's leads list in SQL (`Store::search_leads`): the filters,
//! the search, the reader's visibility, the sorts and the pages.

use super::*;
use crate::domain::LeadStatus;
use crate::ingest::plan::Command;
use crate::store::search::select_page;
use crate::store::{related, search_due, LeadSearch, LeadSort};

/// A lead to file: its title, owner, contact, first mail's time and due time.
struct Filed<'a> {
    title: &'a str,
    owner: Option<&'a str>,
    contact: ContactDraft,
    when: &'a str,
    due: &'a str,
    tags: &'a [&'a str],
}

impl Filed<'_> {
    fn new(title: &str, n: usize) -> Filed<'_> {
        Filed {
            title,
            owner: Some("alice@acme.test"),
            contact: person(&format!("p{n}@initech.test"), "Pat Doe", None),
            when: "2026-11-20T10:00:00Z",
            due: "2026-11-25T10:00:00Z",
            tags: &[],
        }
    }

    /// Files it as message `n`; the lead's id.
    async fn file(self, db: &TestDb, n: usize) -> i64 {
        let commands = Commands {
            accepted: self
                .tags
                .iter()
                .map(|t| Command::Tag { tag: t.to_string() })
                .collect(),
            rejected: Vec::new(),
            by: Some(addr("alice@acme.test")),
        };
        let mut mail = lead_mail(self.contact, self.when, commands);
        mail.new_lead.title = self.title.into();
        mail.new_lead.owner = self.owner.map(addr);
        mail.new_lead.first_action = next(self.due, "call");
        let plan = plan(&format!("s{n}@test"), self.when, Action::Lead(mail));
        let applied = db.store.apply(&plan, n.to_string().as_bytes(), "t").await;
        applied.unwrap().lead_ids[0]
    }
}

/// The ids `search` lists on its page.
async fn ids(db: &TestDb, search: &LeadSearch) -> Vec<i64> {
    let page = db.store.search_leads(search).await.unwrap();
    page.leads.iter().map(|l| l.id).collect()
}

/// Marta Silva of Globex, with a phone, on a lead titled "Quote".
fn marta() -> ContactDraft {
    let mut marta = person(
        "marta@globex.test",
        "Marta Silva",
        Some(("Globex", "globex.test")),
    );
    marta.phone = Some("+351 912 345 678".into());
    marta
}

#[tokio::test]
async fn open_leads_are_listed_by_default_and_all_on_request() {
    let db = fresh().await;
    let open = Filed::new("Quote", 1).file(&db, 1).await;
    let won = Filed::new("Old", 2).file(&db, 2).await;
    db.store
        .set_status(won, LeadStatus::Won, None, None, "cli")
        .await
        .unwrap();
    assert_eq!(ids(&db, &LeadSearch::default()).await, [open]);
    let all = LeadSearch {
        statuses: None,
        ..LeadSearch::default()
    };
    assert_eq!(ids(&db, &all).await, [open, won]);
    let none = LeadSearch {
        statuses: Some(vec![]),
        ..LeadSearch::default()
    };
    assert_eq!(db.store.search_leads(&none).await.unwrap().total, 0);
}

#[tokio::test]
async fn the_search_finds_names_companies_addresses_and_phones_in_any_case() {
    let db = fresh().await;
    let quote = Filed {
        contact: marta(),
        ..Filed::new("Quote", 1)
    }
    .file(&db, 1)
    .await;
    Filed::new("Other", 2).file(&db, 2).await;
    let find = |q: &str| LeadSearch {
        words: q.split_whitespace().map(str::to_string).collect(),
        ..LeadSearch::default()
    };
    for q in [
        "marta",
        "GLOBEX",
        "globex.test",
        "marta@globex",
        "912345678",
        "912 345",
        "quote silva",
    ] {
        assert_eq!(ids(&db, &find(q)).await, [quote], "{q}");
    }
    for q in ["initrode", "quote initrode", "%", "_", "\\"] {
        assert_eq!(ids(&db, &find(q)).await, Vec::<i64>::new(), "{q}");
    }
}

#[tokio::test]
async fn filters_by_owner_tag_kind_step_source_and_unassigned() {
    let db = fresh().await;
    let alices = Filed {
        tags: &["VIP"],
        ..Filed::new("A", 1)
    }
    .file(&db, 1)
    .await;
    let nobodys = Filed {
        owner: None,
        ..Filed::new("B", 2)
    }
    .file(&db, 2)
    .await;
    db.store.set_step(alices, "Demo", "cli").await.unwrap();
    let by = |change: &dyn Fn(&mut LeadSearch)| {
        let mut search = LeadSearch::default();
        change(&mut search);
        search
    };
    let cases: Vec<(LeadSearch, Vec<i64>)> = vec![
        (
            by(&|s| s.owner = Some("Alice@acme.test".into())),
            vec![alices],
        ),
        (by(&|s| s.unassigned = true), vec![nobodys]),
        (by(&|s| s.tag = Some("vip".into())), vec![alices]),
        (by(&|s| s.step = Some("demo".into())), vec![alices]),
        (
            by(&|s| s.source = Some("FORWARD".into())),
            vec![alices, nobodys],
        ),
        (by(&|s| s.source = Some("bcc".into())), vec![]),
        (by(&|s| s.kinds = Some(vec![LeadKind::Prospect])), vec![]),
        (
            by(&|s| s.kinds = Some(vec![LeadKind::Lead])),
            vec![alices, nobodys],
        ),
    ];
    for (search, want) in cases {
        assert_eq!(ids(&db, &search).await, want, "{search:?}");
    }
}

#[tokio::test]
async fn a_reader_sees_the_leads_of_the_owners_they_may_see_and_unassigned_ones() {
    let db = fresh().await;
    let alices = Filed::new("A", 1).file(&db, 1).await;
    let bobs = Filed {
        owner: Some("bob@acme.test"),
        ..Filed::new("B", 2)
    }
    .file(&db, 2)
    .await;
    let nobodys = Filed {
        owner: None,
        ..Filed::new("C", 3)
    }
    .file(&db, 3)
    .await;
    let seen_by = |owners: &[&str]| LeadSearch {
        visible_owners: Some(owners.iter().map(|o| o.to_string()).collect()),
        ..LeadSearch::default()
    };
    assert_eq!(
        ids(&db, &seen_by(&["bob@acme.test"])).await,
        [bobs, nobodys]
    );
    assert_eq!(ids(&db, &seen_by(&[])).await, [nobodys]);
    let both = seen_by(&["alice@acme.test", "Bob@acme.test"]);
    assert_eq!(ids(&db, &both).await, [alices, bobs, nobodys]);
}

#[tokio::test]
async fn each_sort_orders_the_leads_and_leads_without_a_next_action_come_last_by_due() {
    let db = fresh().await;
    let mut filed = Vec::new();
    for (n, (title, when, due)) in [
        ("beta", "2026-11-20T10:00:00Z", "2026-11-26T10:00:00Z"),
        ("Alpha", "2026-11-21T10:00:00Z", "2026-11-27T10:00:00Z"),
        ("gamma", "2026-11-19T10:00:00Z", "2026-11-24T10:00:00Z"),
    ]
    .into_iter()
    .enumerate()
    {
        let lead = Filed {
            when,
            due,
            ..Filed::new(title, n)
        };
        filed.push(lead.file(&db, n).await);
    }
    let (beta, alpha, gamma) = (filed[0], filed[1], filed[2]);
    db.store.complete_next_action(gamma, "cli").await.unwrap();
    let sorted = |sort| LeadSearch {
        sort,
        ..LeadSearch::default()
    };
    assert_eq!(ids(&db, &sorted(LeadSort::Due)).await, [beta, alpha, gamma]);
    assert_eq!(
        ids(&db, &sorted(LeadSort::Title)).await,
        [alpha, beta, gamma]
    );
    assert_eq!(
        ids(&db, &sorted(LeadSort::Created)).await,
        [alpha, beta, gamma]
    );
    let by_activity = db.store.search_leads(&sorted(LeadSort::Activity)).await;
    let leads = by_activity.unwrap().leads;
    let at: Vec<_> = leads.iter().map(|l| l.last_activity_at).collect();
    assert!(
        at.len() == 3 && at.windows(2).all(|w| w[0] >= w[1]),
        "{at:?}"
    );
}

#[tokio::test]
async fn a_page_holds_its_share_the_page_is_clamped_and_views_are_complete() {
    let db = fresh().await;
    for n in 0..7 {
        Filed {
            contact: if n == 6 {
                marta()
            } else {
                Filed::new("", n).contact
            },
            ..Filed::new("Quote", n)
        }
        .file(&db, n)
        .await;
    }
    let search = LeadSearch {
        page: 9,
        per_page: 3,
        sort: LeadSort::Created,
        ..LeadSearch::default()
    };
    let page = db.store.search_leads(&search).await.unwrap();
    assert_eq!(
        (page.total, page.pages, page.page, page.leads.len()),
        (7, 3, 3, 1)
    );
    let last = &page.leads[0];
    assert_eq!(last.company.as_ref().unwrap().name, "Globex");
    let contact = &last.contacts[0];
    assert_eq!(contact.emails, ["marta@globex.test"]);
    assert_eq!(contact.phone.as_deref(), Some("+351 912 345 678"));
    assert_eq!(last.next_action.as_ref().unwrap().note, "call");
    let first = LeadSearch { page: 0, ..search };
    assert_eq!(db.store.search_leads(&first).await.unwrap().page, 1);
}

/// `search` with these words.
fn find(q: &str) -> LeadSearch {
    LeadSearch {
        words: q.split_whitespace().map(str::to_string).collect(),
        ..LeadSearch::default()
    }
}

/// Runs one write statement with `values` bound, as another writer would.
async fn write(db: &TestDb, sql: &'static str, values: &[&str]) {
    let mut query = db::query(sql);
    for value in values {
        query = query.bind(*value);
    }
    query.execute(&db.store.pool).await.unwrap();
}

#[tokio::test]
async fn the_search_index_follows_new_and_renamed_leads_addresses_and_companies() {
    let db = fresh().await;
    let quote = Filed {
        contact: marta(),
        ..Filed::new("Quote", 1)
    }
    .file(&db, 1)
    .await;
    let fresh_one = Filed::new("Renewal for Umbrella", 2).file(&db, 2).await;
    assert_eq!(ids(&db, &find("umbrella")).await, [fresh_one]);
    let id = quote.to_string();
    write(
        &db,
        "UPDATE leads SET title = 'Tender' WHERE id = CAST($1 AS BIGINT)",
        &[&id],
    )
    .await;
    assert_eq!(ids(&db, &find("tender")).await, [quote]);
    assert!(ids(&db, &find("quote")).await.is_empty());
    write(
        &db,
        "UPDATE companies SET name = 'Hooli' WHERE name = $1",
        &["Globex"],
    )
    .await;
    assert_eq!(ids(&db, &find("HOOLI")).await, [quote]);
    write(
        &db,
        "INSERT INTO contact_emails (contact_id, address, canonical, created_at) \
         SELECT id, $1, $1, created_at FROM contacts WHERE name = $2",
        &["m.silva@hooli.example", "Marta Silva"],
    )
    .await;
    assert_eq!(ids(&db, &find("silva@hooli")).await, [quote]);
    write(
        &db,
        "UPDATE contacts SET phone = $1 WHERE name = $2",
        &["(21) 555-0199", "Marta Silva"],
    )
    .await;
    assert_eq!(ids(&db, &find("215550199")).await, [quote]);
    assert!(ids(&db, &find("912345678")).await.is_empty());
}

#[tokio::test]
async fn long_and_short_words_find_what_a_substring_finds_and_nothing_more() {
    let db = fresh().await;
    let mut contact = person("o'neil_50%@initech.test", "José Ñúñez", None);
    contact.phone = Some("+44 20 7946 0958".into());
    let lead = Filed {
        contact,
        ..Filed::new("Deal \"Big\" 50% off", 1)
    }
    .file(&db, 1)
    .await;
    Filed::new("Other", 2).file(&db, 2).await;
    for q in [
        "\"big\"",
        "50%",
        "l_50%@",
        "o'neil",
        "josé",
        "úñez",
        "79460958",
        "de",
        "z",
        "big\" 50",
        "off josé",
    ] {
        assert_eq!(ids(&db, &find(q)).await, [lead], "{q}");
        let alices = LeadSearch {
            visible_owners: Some(vec!["alice@acme.test".into()]),
            ..find(q)
        };
        assert_eq!(ids(&db, &alices).await, [lead], "{q}, checked lead by lead");
        let team = LeadSearch {
            visible_owners: Some(vec!["alice@acme.test".into(), "bob@acme.test".into()]),
            ..find(q)
        };
        assert_eq!(ids(&db, &team).await, [lead], "{q}, a team's");
    }
    for q in [
        "5o%",
        "l-50",
        "big\"\"",
        "jose",
        "deal\"",
        "off\"",
        "7946 0959",
    ] {
        assert!(ids(&db, &find(q)).await.is_empty(), "{q}");
    }
}

#[tokio::test]
async fn sorted_by_due_a_page_read_in_due_order_is_the_page_of_the_whole_sort() {
    let db = fresh().await;
    let mut filed = Vec::new();
    for n in 0..7 {
        let due = format!("2026-11-2{}T10:00:00Z", 7 - n % 4);
        let lead = Filed {
            due: &due,
            ..Filed::new("Quote", n)
        };
        filed.push(lead.file(&db, n).await);
    }
    for lead in [filed[1], filed[4]] {
        db.store.complete_next_action(lead, "cli").await.unwrap();
    }
    let mut whole = Vec::new();
    for page in 1..=3 {
        let search = LeadSearch {
            page,
            per_page: 3,
            ..LeadSearch::default()
        };
        whole.extend(ids(&db, &search).await);
    }
    let mut conn = db.store.pool.acquire().await.unwrap();
    let (values, conditions) = (
        ["todo".to_string(), "standby".to_string()],
        "l.status IN ($1, $2)",
    );
    let filter = search_due::Filter {
        conditions,
        values: &values,
    };
    for (offset, limit) in [(0, 3), (3, 3), (6, 3), (4, 2), (5, 9), (7, 3)] {
        let window = search_due::Window { limit, offset };
        let rows = search_due::page(&mut conn, &filter, window).await.unwrap();
        let got: Vec<i64> = related::lead_views(&mut conn, rows)
            .await
            .unwrap()
            .iter()
            .map(|l| l.id)
            .collect();
        let want: Vec<i64> = whole.iter().skip(offset).take(limit).copied().collect();
        assert_eq!(got, want, "offset {offset}, limit {limit}");
    }
    assert_eq!(&whole[5..], [filed[1], filed[4]]);
}

#[tokio::test]
async fn sorted_by_activity_or_title_a_page_read_by_the_index_is_the_page_of_the_whole_sort() {
    let db = fresh().await;
    if sqlite_only(&db.store) {
        return;
    }
    let titles = ["beta", "Alpha", "alpha", "Gamma", "beta", "delta", "ALPHA"];
    for (n, title) in titles.into_iter().enumerate() {
        let when = format!("2026-11-2{}T10:00:00Z", n % 3);
        let lead = Filed {
            when: &when,
            ..Filed::new(title, n)
        };
        lead.file(&db, n).await;
    }
    let mut conn = db.store.pool.acquire().await.unwrap();
    let filter = " WHERE l.status IN ($1, $2)";
    let values = ["todo".to_string(), "standby".to_string()];
    let orders = [
        (LeadSort::Activity, " INDEXED BY leads_activity_order"),
        (LeadSort::Title, " INDEXED BY leads_title_order"),
    ];
    for (sort, index) in orders {
        for (offset, limit) in [(0, 7), (0, 3), (3, 3), (5, 9), (2, 1)] {
            let window = search_due::Window { limit, offset };
            let mut pages = Vec::new();
            for index in ["", index] {
                let sql = select_page(filter, sort, index, window);
                let rows = search_due::rows(&mut conn, sql, &values).await.unwrap();
                let views = related::lead_views(&mut conn, rows).await.unwrap();
                pages.push(views.iter().map(|l| l.id).collect::<Vec<_>>());
            }
            assert_eq!(pages[0].len(), limit.min(7 - offset.min(7)));
            assert_eq!(
                pages[1], pages[0],
                "{sort:?}, offset {offset}, limit {limit}"
            );
        }
    }
}
