//! One search word of the leads list in SQL: found in a lead's title, its
//! company's name or domain, or one of its contacts' names, phones (with
//! or without spaces, dashes and brackets) or addresses, in any case.
//!
//! For an admin, a word of three characters or more is looked for once in
//! each table (titles, companies, contacts, addresses) and the leads found
//! are the candidates; on PostgreSQL the `pg_trgm` indexes of migration
//! 0018 serve those `LIKE`s, on SQLite they are scans (a trigram index
//! kept by triggers doubled the time of filing mail; see that migration).
//! A shorter word, or a reader who sees some owners' leads, is checked on
//! each visible lead, as before.

use super::db::Backend;

/// A shorter word, checked on each lead (`{w}`: its `LIKE` pattern).
const CHECKED_ON_EACH_LEAD: &str = "(lower(l.title) LIKE {w} ESCAPE '\\' \
     OR EXISTS (SELECT 1 FROM companies c WHERE c.id = l.company_id \
       AND (lower(c.name) LIKE {w} ESCAPE '\\' OR lower(c.domain) LIKE {w} ESCAPE '\\')) \
     OR EXISTS (SELECT 1 FROM lead_contacts lc JOIN contacts p ON p.id = lc.contact_id \
       WHERE lc.lead_id = l.id AND (lower(p.name) LIKE {w} ESCAPE '\\' \
         OR lower(p.phone) LIKE {w} ESCAPE '\\' \
         OR replace(replace(replace(replace(p.phone, ' ', ''), '-', ''), '(', ''), ')', '') \
            LIKE {w} ESCAPE '\\' \
         OR EXISTS (SELECT 1 FROM contact_emails e WHERE e.contact_id = p.id \
           AND lower(e.address) LIKE {w} ESCAPE '\\'))))";

/// A longer word: the leads whose title, company or contacts hold it,
/// found from the matching rows of each table. `{in}` … `{end}`
/// is `IN (…)` on SQLite and `= ANY(ARRAY(…))` on PostgreSQL: the list is
/// computed once and its ids looked up by key (given `IN`, PostgreSQL
/// hashed every open lead and every contact link: 125 ms against 60 ms
/// for an admin's "marta" over 100,000 leads).
const FOUND_FROM_MATCHES: &str = "l.id {in}\
     SELECT x.id FROM leads x WHERE lower(x.title) LIKE {w} ESCAPE '\\' \
     UNION SELECT x.id FROM leads x WHERE x.company_id {in}SELECT c.id FROM companies c \
       WHERE (lower(c.name) LIKE {w} ESCAPE '\\' OR lower(c.domain) LIKE {w} ESCAPE '\\'){end} \
     UNION SELECT lc.lead_id FROM lead_contacts lc WHERE lc.contact_id {in}\
       SELECT p.id FROM contacts p WHERE (lower(p.name) LIKE {w} ESCAPE '\\' \
         OR lower(p.phone) LIKE {w} ESCAPE '\\' \
         OR replace(replace(replace(replace(p.phone, ' ', ''), '-', ''), '(', ''), ')', '') \
            LIKE {w} ESCAPE '\\') \
       UNION SELECT e.contact_id FROM contact_emails e \
         WHERE lower(e.address) LIKE {w} ESCAPE '\\'{end}{end}";

/// The condition finding one word on `backend`, with `{w}` for the word's
/// `LIKE` pattern. `every_lead`: the reader sees every lead (an
/// admin); a reader who sees some owners' leads has them checked one by
/// one, which is cheaper than finding every lead that holds the word (a
/// rep's "marta": 3 ms checking their 80 leads, 35 ms from the index).
pub(super) fn condition(backend: Backend, word: &str, every_lead: bool) -> String {
    if !every_lead || !has_trigrams(word) {
        return CHECKED_ON_EACH_LEAD.to_string();
    }
    let (list, end) = match backend {
        Backend::Sqlite => ("IN (", ")"),
        Backend::Postgres => ("= ANY(ARRAY(", "))"),
    };
    FOUND_FROM_MATCHES
        .replace("{in}", list)
        .replace("{end}", end)
}

/// Whether `word` is long enough for a trigram index (three characters).
pub(super) fn has_trigrams(word: &str) -> bool {
    word.chars().count() >= 3
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_under_three_characters_are_checked_on_each_lead() {
        assert!(!has_trigrams("jo"));
        assert!(has_trigrams("joã"));
        let short = condition(Backend::Sqlite, "jo", true);
        assert!(short.starts_with("(lower(l.title)"), "{short}");
    }

    #[test]
    fn an_admins_longer_word_is_looked_for_once_per_table() {
        let sqlite = condition(Backend::Sqlite, "marta", true);
        assert!(
            sqlite.starts_with("l.id IN (SELECT x.id FROM leads x"),
            "{sqlite}"
        );
        let postgres = condition(Backend::Postgres, "marta", true);
        assert!(
            postgres.starts_with("l.id = ANY(ARRAY(SELECT x.id"),
            "{postgres}"
        );
        for sql in [&sqlite, &postgres] {
            let placeholders = sql.replace("{w}", "");
            assert!(!placeholders.contains('{'), "only {{w}} is left: {sql}");
        }
        let rep = condition(Backend::Postgres, "marta", false);
        assert!(rep.starts_with("(lower(l.title)"), "{rep}");
    }
}
