-- Attachments of processed messages: metadata always, the bytes in
-- `[attachments] dir` (a file named by the SHA-256) only when kept.
-- A timeline entry's attachments are those of its message_key.
CREATE TABLE attachments (
    id          INTEGER PRIMARY KEY, -- SQLite: row id
    message_key TEXT NOT NULL REFERENCES processed_messages (message_key),
    position    INTEGER NOT NULL,
    name        TEXT NOT NULL,
    mime_type   TEXT NOT NULL,
    size        INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    stored      BOOLEAN NOT NULL, -- the bytes are in attachments.dir/<sha256>
    note        TEXT,
    UNIQUE (message_key, position)
);
CREATE INDEX attachments_sha256 ON attachments (sha256);
