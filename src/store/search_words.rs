//! One search word of the leads list in SQL: found in a lead's title, its
//! company's name or domain, or one of its contacts' names, phones (with
//! or without spaces, dashes and brackets) or addresses, in any case.
//!
//! For an admin (and a team lead on PostgreSQL, [`from_lists`]), the
//! words of three characters or more, longest first ([`driving_words`]),
//! are looked for once per request in each table (titles, companies,
//! contacts, addresses) until the leads holding all of them so far are few
//! ([`CHECKED_UP_TO`]); those candidates are bound as one list for the
//! count and the page, and the other words are checked on them only. On
//! PostgreSQL the `pg_trgm` indexes of migration 0018 serve those `LIKE`s,
//! on SQLite they are scans (a trigram index kept by triggers doubled the
//! time of filing mail; see that migration). Every word of any other
//! reader is checked on each visible lead, as before.

use super::db::{self, Backend};
use super::{Conn, StoreError};
use sqlx::AssertSqlSafe;

/// A word checked on each lead (`{w}`: its `LIKE` pattern; `{digits}`:
/// [`with_phone_digits`]).
const CHECKED_ON_EACH_LEAD: &str = "(lower(l.title) LIKE {w} ESCAPE '\\' \
     OR EXISTS (SELECT 1 FROM companies c WHERE c.id = l.company_id \
       AND (lower(c.name) LIKE {w} ESCAPE '\\' OR lower(c.domain) LIKE {w} ESCAPE '\\')) \
     OR EXISTS (SELECT 1 FROM lead_contacts lc JOIN contacts p ON p.id = lc.contact_id \
       WHERE lc.lead_id = l.id AND (lower(p.name) LIKE {w} ESCAPE '\\' \
         OR lower(p.phone) LIKE {w} ESCAPE '\\'{digits} \
         OR EXISTS (SELECT 1 FROM contact_emails e WHERE e.contact_id = p.id \
           AND lower(e.address) LIKE {w} ESCAPE '\\'))))";

/// A contact's phone without its spaces, dashes and brackets holds the
/// word (`{w}`): looked for only when the word has a digit, since a word
/// without one is found in the phone as written (the form costs four
/// `replace()`s a contact: on SQLite 40 of an admin's 90 ms for "marta"
/// over 100,000 contacts). The expression is migration 0018's index's on
/// PostgreSQL, letter for letter.
const PHONE_DIGITS: &str = " OR replace(replace(replace(replace(p.phone, ' ', ''), '-', ''), \
     '(', ''), ')', '') LIKE {w} ESCAPE '\\'";

/// `sql` with its `{digits}` the phone's digits-only form when the `LIKE`
/// `pattern` has a digit, else nothing.
fn with_phone_digits(sql: &str, pattern: &str) -> String {
    let form = match pattern.bytes().any(|b| b.is_ascii_digit()) {
        true => PHONE_DIGITS,
        false => "",
    };
    sql.replace("{digits}", form)
}

/// [`CHECKED_ON_EACH_LEAD`] on `backend` for the word whose `LIKE`
/// pattern is `pattern`.
pub(super) fn checked_on_each_lead(backend: Backend, pattern: &str) -> String {
    escaped_for(backend, with_phone_digits(CHECKED_ON_EACH_LEAD, pattern))
}

/// `sql` for `backend`: PostgreSQL's `LIKE` escapes with a backslash by
/// default, so its `ESCAPE '\'` clauses go. Written out, a generic plan
/// of a prepared statement (what sqlx runs from its sixth execution)
/// calls `like_escape($1, '\')` again on every row it rechecks: an
/// admin's "marta" list took 35–44 ms in the app against 14 ms with the
/// pattern folded. SQLite has no default escape character and keeps them.
fn escaped_for(backend: Backend, sql: String) -> String {
    match backend {
        Backend::Sqlite => sql,
        Backend::Postgres => sql.replace(" ESCAPE '\\'", ""),
    }
}

/// The ids of the leads whose title, company or contacts hold the word of
/// `$1` (its `LIKE` pattern), from the matching rows of each table.
/// `{in}` … `{end}` is `IN (…)` on SQLite and `= ANY(ARRAY(…))` on
/// PostgreSQL: each inner list is computed once and its ids looked up by
/// key (given `IN`, PostgreSQL hashed every contact link). Run as four
/// statements at once on SQLite's reader connections, the lists took as
/// long as this one (each slowed down to the sum on 2 cores).
const LEADS_HOLDING: &str = "SELECT x.id FROM leads x WHERE lower(x.title) LIKE $1 ESCAPE '\\' \
     UNION SELECT x.id FROM leads x WHERE x.company_id {in}SELECT c.id FROM companies c \
       WHERE (lower(c.name) LIKE $1 ESCAPE '\\' OR lower(c.domain) LIKE $1 ESCAPE '\\'){end} \
     UNION SELECT lc.lead_id FROM lead_contacts lc WHERE lc.contact_id {in}\
       SELECT p.id FROM contacts p WHERE (lower(p.name) LIKE $1 ESCAPE '\\' \
         OR lower(p.phone) LIKE $1 ESCAPE '\\'{digits}) \
       UNION SELECT e.contact_id FROM contact_emails e \
         WHERE lower(e.address) LIKE $1 ESCAPE '\\'{end}";

/// Above this many candidates, the next word's own list is looked for and
/// intersected; at or below it, the other words are checked on each
/// candidate (PostgreSQL: about 25 µs a lead and word, against 20–40 ms
/// for a word's list; 3,673 candidates of "marta" checked for "costa" took
/// 89 ms). SQLite was measured with 8,000: "marta costa" took 131 ms
/// against 99 with 1,000 (the candidates are checked for the count and
/// again for the page).
pub(super) const CHECKED_UP_TO: usize = 1_000;

/// Whether `backend` finds the leads of each word from its list for a
/// reader who sees the leads of `visible_owners` (`None`: every lead). An
/// admin's are; on PostgreSQL, whose trigram indexes find a word's list in
/// 20–40 ms, so are a team lead's (about 1,000 leads checked one by one
/// took 60–140 ms); a rep's 80 leads are checked one by one (3–6 ms).
pub(super) fn from_lists(backend: Backend, visible_owners: Option<&[String]>) -> bool {
    match visible_owners {
        None => true,
        Some(owners) => backend == Backend::Postgres && owners.len() > 1,
    }
}

/// The words whose lists may be looked for, by their index in `words`:
/// those of three characters or more, longest first, the first of equals
/// (a longer word is usually the rarer: fewer candidates).
pub(super) fn driving_words(words: &[String]) -> Vec<usize> {
    let mut long: Vec<(usize, usize)> = words
        .iter()
        .map(|word| word.chars().count())
        .enumerate()
        .filter(|(_, n)| *n >= 3)
        .collect();
    long.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    long.into_iter().map(|(index, _)| index).collect()
}

/// The ids in both sorted lists `a` and `b`, sorted.
pub(super) fn intersect(a: &[i64], b: &[i64]) -> Vec<i64> {
    a.iter()
        .filter(|id| b.binary_search(id).is_ok())
        .copied()
        .collect()
}

/// The ids of the leads that hold the word whose `LIKE` pattern is
/// `pattern` (see [`LEADS_HOLDING`]), sorted.
pub(super) async fn leads_holding(conn: &mut Conn, pattern: &str) -> Result<Vec<i64>, StoreError> {
    let backend = conn.backend();
    let holding = with_phone_digits(LEADS_HOLDING, pattern).replace("{w}", "$1");
    let sql = escaped_for(
        backend,
        match backend {
            Backend::Sqlite => unfolded(&holding.replace("{in}", "IN (").replace("{end}", ")")),
            Backend::Postgres => holding
                .replace("{in}", "= ANY(ARRAY(")
                .replace("{end}", "))"),
        },
    );
    let mut ids = db::query_scalar::<i64>(AssertSqlSafe(sql))
        .bind(pattern)
        .fetch_all(&mut *conn)
        .await?;
    ids.sort_unstable();
    Ok(ids)
}

/// SQLite: `sql` with its columns compared without `lower()`. Its `LIKE`
/// already ignores the case of ASCII letters, the only ones its `lower()`
/// folds, and the pattern is lower-cased, so the same rows match; a row
/// costs a third less (an admin's "marta" over 100,000 leads: 80 against
/// 120–130 ms of CPU). PostgreSQL keeps `lower()`: its indexes are on it.
fn unfolded(sql: &str) -> String {
    let columns = [
        "x.title",
        "c.name",
        "c.domain",
        "p.name",
        "p.phone",
        "e.address",
    ];
    columns.iter().fold(sql.to_string(), |sql, column| {
        sql.replace(&format!("lower({column})"), column)
    })
}

/// The condition that a lead is one of `ids`, with `{w}` for the list as
/// one bound text value, and that value (a JSON array on SQLite, an array
/// literal on PostgreSQL).
pub(super) fn among(backend: Backend, ids: &[i64]) -> (&'static str, String) {
    let list: Vec<String> = ids.iter().map(i64::to_string).collect();
    match backend {
        Backend::Sqlite => (
            "l.id IN (SELECT value FROM json_each({w}))",
            format!("[{}]", list.join(",")),
        ),
        Backend::Postgres => (
            "l.id = ANY(CAST({w} AS BIGINT[]))",
            format!("{{{}}}", list.join(",")),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Vec<String> {
        list.iter().map(|w| w.to_string()).collect()
    }

    #[test]
    fn longer_words_drive_first_and_shorter_ones_never() {
        assert_eq!(driving_words(&words(&["jo", "marta", "costa"])), [1, 2]);
        assert_eq!(driving_words(&words(&["ana", "ribeiro", "joã"])), [1, 0, 2]);
        assert!(driving_words(&words(&["jo", "li"])).is_empty());
        assert_eq!(intersect(&[1, 3, 5, 8], &[3, 4, 8, 9]), [3, 8]);
    }

    #[test]
    fn admins_and_postgresql_team_leads_search_from_lists() {
        let team = ["a@x.test".to_string(), "b@x.test".to_string()];
        assert!(from_lists(Backend::Sqlite, None));
        assert!(from_lists(Backend::Postgres, Some(&team)));
        assert!(!from_lists(Backend::Sqlite, Some(&team)));
        assert!(!from_lists(Backend::Postgres, Some(&team[..1])));
    }

    #[test]
    fn sqlite_looks_for_a_words_leads_without_lower() {
        let sql = unfolded(LEADS_HOLDING);
        assert!(!sql.contains("lower("), "{sql}");
        assert!(sql.contains("x.title LIKE $1"), "{sql}");
        assert_eq!(
            sql.matches("LIKE $1").count(),
            LEADS_HOLDING.matches("LIKE $1").count()
        );
    }

    #[test]
    fn the_phones_digits_only_form_is_looked_at_for_words_with_a_digit() {
        let digits = "replace(replace(replace(replace(p.phone";
        for sql in [LEADS_HOLDING, CHECKED_ON_EACH_LEAD] {
            let with = with_phone_digits(sql, "%555\\_12%");
            assert_eq!(with.matches(digits).count(), 1, "{with}");
            assert!(!with.contains("{digits}"));
            let without = with_phone_digits(sql, "%marta%");
            assert!(!without.contains(digits), "{without}");
            assert!(!without.contains("{digits}"));
            assert!(without.contains("lower(p.phone) LIKE"), "{without}");
        }
        assert!(checked_on_each_lead(Backend::Sqlite, "%0%").contains(digits));
    }

    #[test]
    fn postgresql_likes_escape_with_its_default_backslash() {
        let sqlite = checked_on_each_lead(Backend::Sqlite, "%marta%");
        let postgres = checked_on_each_lead(Backend::Postgres, "%marta%");
        assert!(sqlite.contains("LIKE {w} ESCAPE '\\'"), "{sqlite}");
        assert!(!postgres.contains("ESCAPE"), "{postgres}");
        assert_eq!(
            postgres.matches("LIKE {w}").count(),
            sqlite.matches("LIKE {w}").count()
        );
    }

    #[test]
    fn candidates_are_one_bound_list_on_each_backend() {
        let (sqlite, json) = among(Backend::Sqlite, &[3, 14]);
        assert_eq!(
            (sqlite, json.as_str()),
            ("l.id IN (SELECT value FROM json_each({w}))", "[3,14]")
        );
        let (postgres, array) = among(Backend::Postgres, &[3, 14]);
        assert!(postgres.starts_with("l.id = ANY("), "{postgres}");
        assert_eq!(array, "{3,14}");
        assert_eq!(among(Backend::Postgres, &[]).1, "{}");
    }
}
