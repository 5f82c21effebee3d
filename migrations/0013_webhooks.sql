-- leadmail schema, version 13: webhook events, written by triggers in the
-- transaction of the change itself (the outbox pattern: an event exists if
-- and only if its change was committed, whichever code path made it), and
-- their deliveries, one row per configured webhook and event.
--
-- The triggers write events only while some webhook has a cursor (one was
-- configured and has run): without webhooks nothing accumulates. The daemon
-- forgets the cursors and queues of webhooks no longer configured.
--
-- Event times are the changed row's own times (the daemon's clock). `data`
-- is what changed, as JSON; the delivery adds the record's current view.
CREATE TABLE webhook_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT, -- SQLite: never reused
    type       TEXT NOT NULL,
    lead_id    INTEGER,
    subject_id INTEGER NOT NULL,                  -- the lead, contact, quarantine entry or outbox mail (0: a mailbox)
    data       TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX webhook_events_created ON webhook_events (created_at);

-- pending: to be sent at next_attempt_at; delivered; parked: refused for
-- good (a 4xx) or given up after 24 hours, until `webhooks retry`. A sender
-- claims the deliveries it is about to POST (`claimed_until`), so two
-- daemons on one database do not both send one event.
CREATE TABLE webhook_deliveries (
    webhook         TEXT NOT NULL,
    event_id        INTEGER NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'delivered', 'parked')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    first_tried_at  TEXT,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    delivered_at    TEXT,
    claimed_until   TEXT,                 -- a sender is POSTing it until then
    PRIMARY KEY (webhook, event_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook, state, event_id);

-- How far each webhook has taken events into its deliveries.
CREATE TABLE webhook_cursors (
    webhook       TEXT PRIMARY KEY,
    last_event_id INTEGER NOT NULL
);

CREATE TRIGGER webhook_lead_created AFTER INSERT ON leads
WHEN EXISTS (SELECT 1 FROM webhook_cursors) AND (NEW.kind = 'lead')
BEGIN
    INSERT INTO webhook_events (type, lead_id, subject_id, data, created_at)
    VALUES ('lead.created', NEW.id, NEW.id,
            json_object('status', NEW.status, 'step', NEW.step, 'owner', NEW.owner,
                        'source', NEW.source),
            NEW.created_at);
END;

CREATE TRIGGER webhook_prospect_converted AFTER UPDATE OF kind ON leads
WHEN EXISTS (SELECT 1 FROM webhook_cursors) AND (OLD.kind = 'prospect' AND NEW.kind = 'lead')
BEGIN
    INSERT INTO webhook_events (type, lead_id, subject_id, data, created_at)
    VALUES ('prospect.converted', NEW.id, NEW.id,
            json_object('status', NEW.status, 'step', NEW.step, 'owner', NEW.owner),
            NEW.updated_at);
END;

CREATE TRIGGER webhook_lead_updated AFTER UPDATE ON leads
WHEN EXISTS (SELECT 1 FROM webhook_cursors) AND (NEW.kind = 'lead' AND OLD.kind = 'lead' AND (
       OLD.status IS NOT NEW.status OR OLD.step IS NOT NEW.step
    OR OLD.owner IS NOT NEW.owner OR OLD.amount_value IS NOT NEW.amount_value
    OR OLD.amount_currency IS NOT NEW.amount_currency
    OR OLD.standby_until IS NOT NEW.standby_until))
BEGIN
    INSERT INTO webhook_events (type, lead_id, subject_id, data, created_at)
    VALUES ('lead.updated', NEW.id, NEW.id,
            json_object(
                'before', json_object('status', OLD.status, 'step', OLD.step,
                    'owner', OLD.owner, 'amount', OLD.amount_value,
                    'currency', OLD.amount_currency, 'standby_until', OLD.standby_until),
                'after', json_object('status', NEW.status, 'step', NEW.step,
                    'owner', NEW.owner, 'amount', NEW.amount_value,
                    'currency', NEW.amount_currency, 'standby_until', NEW.standby_until)),
            NEW.updated_at);
END;

CREATE TRIGGER webhook_next_action AFTER INSERT ON next_actions
WHEN EXISTS (SELECT 1 FROM webhook_cursors) AND ((SELECT kind FROM leads WHERE id = NEW.lead_id) = 'lead')
BEGIN
    INSERT INTO webhook_events (type, lead_id, subject_id, data, created_at)
    VALUES ('lead.updated', NEW.lead_id, NEW.lead_id,
            json_object('next_action', json_object('kind', NEW.kind, 'note', NEW.note,
                        'due_at', NEW.due_at)),
            NEW.created_at);
END;

CREATE TRIGGER webhook_prospect_replied AFTER INSERT ON lead_flags
WHEN EXISTS (SELECT 1 FROM webhook_cursors) AND (NEW.flag = 'replied')
BEGIN
    INSERT INTO webhook_events (type, lead_id, subject_id, data, created_at)
    VALUES ('prospect.replied', NEW.lead_id, NEW.lead_id, json_object(), NEW.set_at);
END;

CREATE TRIGGER webhook_contact_bounced AFTER UPDATE OF bounced ON contact_emails
WHEN EXISTS (SELECT 1 FROM webhook_cursors) AND (NEW.bounced AND NOT OLD.bounced)
BEGIN
    INSERT INTO webhook_events (type, lead_id, subject_id, data, created_at)
    VALUES ('contact.bounced', NULL, NEW.contact_id,
            json_object('email', NEW.address, 'hard', json(CASE WHEN NEW.bounce_hard THEN 'true' ELSE 'false' END),
                        'detail', NEW.bounce_detail),
            COALESCE(NEW.bounced_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;

CREATE TRIGGER webhook_quarantine_added AFTER INSERT ON quarantine
WHEN EXISTS (SELECT 1 FROM webhook_cursors)
BEGIN
    INSERT INTO webhook_events (type, lead_id, subject_id, data, created_at)
    VALUES ('quarantine.added', NULL, NEW.id,
            json_object('message_id', NEW.message_key, 'from', NEW.from_address,
                        'subject', NEW.subject, 'reason', NEW.reason, 'detail', NEW.detail),
            NEW.received_at);
END;

CREATE TRIGGER webhook_digest_sent AFTER UPDATE OF sent_at ON outbox
WHEN EXISTS (SELECT 1 FROM webhook_cursors) AND (NEW.kind = 'digest' AND OLD.sent_at IS NULL AND NEW.sent_at IS NOT NULL)
BEGIN
    INSERT INTO webhook_events (type, lead_id, subject_id, data, created_at)
    VALUES ('digest.sent', NULL, NEW.id,
            json_object('user', NEW.user_email, 'local_date', NEW.local_date,
                        'message_id', NEW.message_id),
            NEW.sent_at);
END;

-- Admins' mailbox alerts, as events too: `alerted_at` is set when admins are
-- told a mailbox is down and cleared when they are told it recovered.
CREATE TRIGGER webhook_mailbox_alert AFTER UPDATE OF alerted_at ON mailbox_state
WHEN EXISTS (SELECT 1 FROM webhook_cursors) AND ((OLD.alerted_at IS NULL) IS NOT (NEW.alerted_at IS NULL))
BEGIN
    INSERT INTO webhook_events (type, lead_id, subject_id, data, created_at)
    VALUES (CASE WHEN NEW.alerted_at IS NULL THEN 'mailbox.recovered' ELSE 'mailbox.down' END,
            NULL, 0,
            json_object('mailbox', NEW.mailbox, 'folder', NEW.folder,
                        'down_since', OLD.down_since, 'last_error', OLD.last_error,
                        'login_refused', json(CASE WHEN OLD.last_error_auth THEN 'true' ELSE 'false' END)),
            COALESCE(NEW.alerted_at, NEW.last_sync_at, strftime('%Y-%m-%dT%H:%M:%fZ', 'now')));
END;
