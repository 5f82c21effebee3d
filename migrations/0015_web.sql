-- leadmail schema, version 15: the web app. Sign-in links and sessions are
-- kept as SHA-256 hashes of their tokens only (a copy of the database signs
-- nobody in); every sign-in request is logged for the rate limits; each
-- user may have one secret calendar feed. The outbox takes the new kind
-- `signin` (the mail with the link), which needs a rebuild of its CHECK
-- constraint, and with it the trigger of 0013 on the table.
CREATE TABLE web_links (
    token_hash TEXT PRIMARY KEY,
    user_email TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at    TEXT
);

CREATE TABLE web_signin_requests (
    id           INTEGER PRIMARY KEY, -- SQLite: row id
    address      TEXT NOT NULL,       -- as typed, lower-cased: users or not
    client       TEXT NOT NULL,       -- the client's IP address
    requested_at TEXT NOT NULL
);
CREATE INDEX web_signin_requests_address ON web_signin_requests (address, requested_at);
CREATE INDEX web_signin_requests_client ON web_signin_requests (client, requested_at);

CREATE TABLE web_sessions (
    token_hash TEXT PRIMARY KEY,
    user_email TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    revoked_at TEXT
);

CREATE TABLE web_feeds (
    user_email TEXT PRIMARY KEY,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE outbox_kinds (
    id              INTEGER PRIMARY KEY, -- SQLite: row id
    kind            TEXT NOT NULL CHECK (kind IN ('digest', 'confirmation', 'receipt', 'alert', 'signin')),
    user_email      TEXT NOT NULL,
    local_date      TEXT,
    message_id      TEXT NOT NULL UNIQUE,
    in_reply_to     TEXT,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT,
    header_value    TEXT NOT NULL,
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    sent_at         TEXT,
    failed_at       TEXT,
    claimed_by      TEXT,
    claimed_until   TEXT
);
INSERT INTO outbox_kinds SELECT id, kind, user_email, local_date, message_id, in_reply_to,
    recipient, subject, text_body, html_body, header_value, created_at, attempts,
    next_attempt_at, last_error, sent_at, failed_at, claimed_by, claimed_until FROM outbox;
DROP TABLE outbox;
ALTER TABLE outbox_kinds RENAME TO outbox;
CREATE UNIQUE INDEX outbox_one_digest_a_day ON outbox (user_email, local_date) WHERE kind = 'digest';
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;

CREATE TRIGGER webhook_digest_sent AFTER UPDATE OF sent_at ON outbox
WHEN EXISTS (SELECT 1 FROM webhook_cursors) AND (NEW.kind = 'digest' AND OLD.sent_at IS NULL AND NEW.sent_at IS NOT NULL)
BEGIN
    INSERT INTO webhook_events (type, lead_id, subject_id, data, created_at)
    VALUES ('digest.sent', NULL, NEW.id,
            json_object('user', NEW.user_email, 'local_date', NEW.local_date,
                        'message_id', NEW.message_id),
            NEW.sent_at);
END;
