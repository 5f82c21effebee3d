//! One search word of the leads list in SQL: found in a lead's title, its
//! company's name or domain, or one of its contacts' names, phones (with
//! or without spaces, dashes and brackets) or addresses, in any case.
//!
//! A word of three characters or more is looked up in the trigram indexes
//! of migration 0018 and the leads found are the candidates: on SQLite the
//! FTS5 `fts_*` tables give the rows that may hold it and each is checked
//! with the `LIKE` of a shorter word, so the results are the same; on
//! PostgreSQL the `pg_trgm` indexes serve that `LIKE` itself. A shorter
//! word has no trigram: every visible lead is checked, as before.

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
/// found from the matching rows of each table (`{title}`, `{company}`,
/// `{contact}`, `{email}`: each table's candidates, or nothing on
/// PostgreSQL, where the trigram index serves the `LIKE`). `{in}` … `{end}`
/// is `IN (…)` on SQLite and `= ANY(ARRAY(…))` on PostgreSQL: the list is
/// computed once and its ids looked up by key (given `IN`, PostgreSQL
/// hashed every open lead and every contact link: 125 ms against 60 ms
/// for an admin's "marta" over 100,000 leads).
const FOUND_FROM_MATCHES: &str = "l.id {in}\
     SELECT x.id FROM leads x WHERE {title}lower(x.title) LIKE {w} ESCAPE '\\' \
     UNION SELECT x.id FROM leads x WHERE x.company_id {in}SELECT c.id FROM companies c \
       WHERE {company}(lower(c.name) LIKE {w} ESCAPE '\\' OR lower(c.domain) LIKE {w} ESCAPE '\\'){end} \
     UNION SELECT lc.lead_id FROM lead_contacts lc WHERE lc.contact_id {in}\
       SELECT p.id FROM contacts p WHERE {contact}(lower(p.name) LIKE {w} ESCAPE '\\' \
         OR lower(p.phone) LIKE {w} ESCAPE '\\' \
         OR replace(replace(replace(replace(p.phone, ' ', ''), '-', ''), '(', ''), ')', '') \
            LIKE {w} ESCAPE '\\') \
       UNION SELECT e.contact_id FROM contact_emails e \
         WHERE {email}lower(e.address) LIKE {w} ESCAPE '\\'{end}{end}";

/// The condition finding one word on `backend`, with `{w}` for the word's
/// `LIKE` pattern and `{m}` for its FTS5 query ([`fts_phrase`]) where the
/// condition has one. `every_lead`: the reader sees every lead (an
/// admin); a reader who sees some owners' leads has them checked one by
/// one, which is cheaper than finding every lead that holds the word (a
/// rep's "marta": 3 ms checking their 80 leads, 35 ms from the index).
pub(super) fn condition(backend: Backend, word: &str, every_lead: bool) -> String {
    if !every_lead || !has_trigrams(word) {
        return CHECKED_ON_EACH_LEAD.to_string();
    }
    let candidates = |table: &str, alias: &str| match backend {
        Backend::Sqlite => format!(
            "{alias}.id IN (SELECT rowid FROM fts_{table} WHERE fts_{table} MATCH {{m}}) AND "
        ),
        Backend::Postgres => String::new(),
    };
    let (list, end) = match backend {
        Backend::Sqlite => ("IN (", ")"),
        Backend::Postgres => ("= ANY(ARRAY(", "))"),
    };
    FOUND_FROM_MATCHES
        .replace("{in}", list)
        .replace("{end}", end)
        .replace("{title}", &candidates("leads", "x"))
        .replace("{company}", &candidates("companies", "c"))
        .replace("{contact}", &candidates("contacts", "p"))
        .replace("{email}", &candidates("emails", "e"))
}

/// Whether `word` is long enough for the trigram indexes (three
/// characters) and has no character an FTS5 query cannot carry.
pub(super) fn has_trigrams(word: &str) -> bool {
    word.chars().count() >= 3 && !word.contains('\0')
}

/// `word` as an FTS5 phrase: in double quotes (doubled inside), so every
/// character is taken literally; the trigram tokenizer finds it anywhere,
/// in any case.
pub(super) fn fts_phrase(word: &str) -> String {
    format!("\"{}\"", word.replace('"', "\"\""))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_word_is_an_fts5_phrase_with_its_quotes_doubled() {
        assert_eq!(fts_phrase("o\"neil*"), "\"o\"\"neil*\"");
    }

    #[test]
    fn words_under_three_characters_are_checked_on_each_lead() {
        assert!(!has_trigrams("jo"));
        assert!(has_trigrams("joã"));
        let short = condition(Backend::Sqlite, "jo", true);
        assert!(short.starts_with("(lower(l.title)"), "{short}");
        assert!(!short.contains("{m}"));
    }

    #[test]
    fn longer_words_use_the_trigram_tables_on_sqlite_only() {
        let sqlite = condition(Backend::Sqlite, "marta", true);
        assert_eq!(sqlite.matches("MATCH {m}").count(), 4, "{sqlite}");
        let postgres = condition(Backend::Postgres, "marta", true);
        assert!(
            !postgres.contains("{m}") && !postgres.contains("{title}"),
            "{postgres}"
        );
    }
}
