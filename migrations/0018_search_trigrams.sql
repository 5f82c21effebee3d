-- leadmail schema, version 18: the leads list's order by due time without
-- reading every lead (issue 18).
--
-- * The open next actions by due time and lead, so the list sorted by due
--   time reads them in order and stops after its page.
--
-- No trigram index on SQLite. FTS5 trigram tables kept in step by
-- triggers were tried here: they made an admin's search 10-15x faster,
-- but tokenizing every new lead, company, contact and address doubled
-- the time of filing a backlog (10,000 messages: 3.2 s without the
-- triggers, 6.2 s with them; BENCHMARKS.md). Filing mail is the daemon's
-- work; an admin's search reads the matching rows of each table once
-- (src/store/search_words.rs) instead. PostgreSQL has `pg_trgm` indexes
-- (migrations/postgres/0018_search_trigrams.sql).

CREATE INDEX next_actions_due_lead ON next_actions (due_at, lead_id) WHERE done_at IS NULL;
DROP INDEX next_actions_due;
