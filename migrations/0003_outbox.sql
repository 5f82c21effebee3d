-- leadmail schema, version 3: the outbox of mail leadmail sends (digests,
-- confirmations of commands by reply).
--
-- A mail is written here first, in the transaction that decides it, and
-- sent afterwards; `sent_at` is set once the SMTP server accepted it. The
-- Message-ID is fixed when the row is written, so a resend after a crash is
-- the same message. One digest per user and local day: the partial unique
-- index makes a second one for the same day impossible.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY, -- SQLite: row id
    kind            TEXT NOT NULL CHECK (kind IN ('digest', 'confirmation')),
    user_email      TEXT NOT NULL,
    local_date      TEXT,            -- digests: the user's calendar day (YYYY-MM-DD)
    message_id      TEXT NOT NULL UNIQUE,
    in_reply_to     TEXT,
    recipient       TEXT NOT NULL,
    subject         TEXT NOT NULL,
    text_body       TEXT NOT NULL,
    html_body       TEXT,
    header_value    TEXT NOT NULL,   -- the X-Leadmail header
    created_at      TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    sent_at         TEXT,
    failed_at       TEXT             -- refused for good (5xx): not retried
);
CREATE UNIQUE INDEX outbox_one_digest_a_day ON outbox (user_email, local_date) WHERE kind = 'digest';
CREATE INDEX outbox_pending ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
