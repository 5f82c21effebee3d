-- leadmail schema for PostgreSQL, version 18 (SQLite's
-- migrations/0018_search_trigrams.sql): the leads list's search and its
-- order by due time without reading every lead (issue 18).
--
-- * Trigram indexes (`pg_trgm`, GIN) on each text the search compares with
--   `LIKE`: `lower()` of a lead's title, a company's name and domain, a
--   contact's name and phone and of an address, and a contact's phone
--   without spaces, dashes and brackets. The search's `LIKE '%word%'`
--   uses them as they are: no table to keep in step, the same results.
--   `pg_trgm` is a trusted extension (PostgreSQL 13+): the database's
--   owner may create it. Where it cannot be created (not installed, or
--   not allowed), the migration goes on without these indexes and the
--   search reads every lead, as before; `CREATE EXTENSION pg_trgm` by a
--   superuser, then this file's index statements, add them later.
-- * The open next actions by due time and lead, so the list sorted by due
--   time reads them in order and stops after its page.

DO $$
BEGIN
    CREATE EXTENSION IF NOT EXISTS pg_trgm;
EXCEPTION WHEN OTHERS THEN
    RAISE NOTICE 'pg_trgm is not available (%): the search has no trigram index', SQLERRM;
END
$$;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm') THEN
        EXECUTE 'CREATE INDEX leads_title_trgm ON leads USING gin (lower(title) gin_trgm_ops)';
        EXECUTE 'CREATE INDEX companies_name_trgm ON companies USING gin (lower(name) gin_trgm_ops)';
        EXECUTE 'CREATE INDEX companies_domain_trgm ON companies USING gin (lower(domain) gin_trgm_ops)';
        EXECUTE 'CREATE INDEX contacts_name_trgm ON contacts USING gin (lower(name) gin_trgm_ops)';
        EXECUTE 'CREATE INDEX contacts_phone_trgm ON contacts USING gin (lower(phone) gin_trgm_ops)';
        EXECUTE 'CREATE INDEX contacts_digits_trgm ON contacts USING gin ('
             || 'replace(replace(replace(replace(phone, '' '', ''''), ''-'', ''''), ''('', ''''), '')'', '''') '
             || 'gin_trgm_ops)';
        EXECUTE 'CREATE INDEX contact_emails_address_trgm ON contact_emails USING gin (lower(address) gin_trgm_ops)';
    END IF;
END
$$;

CREATE INDEX next_actions_due_lead ON next_actions (due_at, lead_id) WHERE done_at IS NULL;
DROP INDEX next_actions_due;
