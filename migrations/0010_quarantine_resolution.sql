-- leadmail schema, version 10: a quarantine entry is resolved by a person
-- (`quarantine release` or `dismiss`, with a reason), and the entry stays
-- listed with its outcome. SQLite cannot change a CHECK constraint, so the
-- table is rebuilt with `dismissed` allowed and who resolved it and why.
CREATE TABLE quarantine_resolved (
    id           INTEGER PRIMARY KEY, -- SQLite: row id
    message_key  TEXT NOT NULL,
    from_address TEXT,
    subject      TEXT NOT NULL,
    reason       TEXT NOT NULL,
    detail       TEXT NOT NULL,
    user_email   TEXT,
    occurred_at  TEXT NOT NULL,
    received_at  TEXT NOT NULL,
    raw          BLOB NOT NULL, -- SQLite: BYTEA in PostgreSQL
    status       TEXT NOT NULL DEFAULT 'held'
                 CHECK (status IN ('held', 'released', 'dismissed')),
    released_at  TEXT,          -- when it was released or dismissed
    raw_bytes    INTEGER NOT NULL DEFAULT 0,
    resolved_by  TEXT,
    resolution_note TEXT
);
INSERT INTO quarantine_resolved (id, message_key, from_address, subject, reason, detail,
    user_email, occurred_at, received_at, raw, status, released_at, raw_bytes)
SELECT id, message_key, from_address, subject, reason, detail, user_email, occurred_at,
    received_at, raw, status, released_at, raw_bytes FROM quarantine;
DROP TABLE quarantine;
ALTER TABLE quarantine_resolved RENAME TO quarantine;
CREATE INDEX quarantine_status ON quarantine (status, received_at);
CREATE INDEX quarantine_message ON quarantine (message_key);
CREATE INDEX quarantine_user ON quarantine (user_email, received_at);
