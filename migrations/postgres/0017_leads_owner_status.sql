-- leadmail schema for PostgreSQL, version 17 (SQLite's
-- migrations/0017_leads_owner_status.sql): the leads list's visibility
-- (`owner IS NULL AND status IN (…) OR owner IN (…) AND status IN (…)`)
-- on one index over `(owner, status, kind)`, which covers what
-- `leads_owner` did.
CREATE INDEX leads_owner_status_kind ON leads (owner, status, kind);
DROP INDEX leads_owner;
