-- leadmail schema, version 6: a user's state managed from the CLI
-- (`users deactivate|activate`), apart from the configuration, which stays
-- the source of who exists. A deactivated user keeps their leads (and their
-- owner field) but gets no digest.
ALTER TABLE users ADD COLUMN deactivated_at TEXT;
ALTER TABLE users ADD COLUMN deactivated_by TEXT;
