-- leadmail schema for PostgreSQL, version 20 (SQLite's
-- migrations/0020_webhook_trigger_conditions.sql): the webhook triggers
-- run only for the changes that make an event (issue 17).
--
-- Filing mail updates a lead's latest activity on nearly every message,
-- and each update ran `webhook_on_leads()` (a PL/pgSQL call that built its
-- JSON before `webhook_event()` looked for a webhook cursor): 8,310 calls
-- and ~100 ms of the server's time for the 10,000 backlog, with no
-- webhook configured. Now:
--
-- * the leads' trigger is two, each with a WHEN condition on the row (an
--   AFTER trigger whose condition is false is not even queued): a new
--   lead; a prospect converted or a lead whose status, step, owner, amount
--   or stand-by changed, the columns the function reports;
-- * the contact flags' trigger fires for "replied" only;
-- * the lead and next-action functions look for a webhook cursor first,
--   before reading the lead or building any JSON.
--
-- The events and their data are those of version 14 (`webhook_event()`
-- and the functions' event branches are unchanged).

DROP TRIGGER webhook_leads ON leads;

CREATE OR REPLACE FUNCTION webhook_on_leads() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM webhook_cursors) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        IF NEW.kind = 'lead' THEN
            PERFORM webhook_event('lead.created', NEW.id, NEW.id,
                json_build_object('status', NEW.status, 'step', NEW.step, 'owner', NEW.owner,
                                  'source', NEW.source), NEW.created_at);
        END IF;
    ELSIF OLD.kind = 'prospect' AND NEW.kind = 'lead' THEN
        PERFORM webhook_event('prospect.converted', NEW.id, NEW.id,
            json_build_object('status', NEW.status, 'step', NEW.step, 'owner', NEW.owner),
            NEW.updated_at);
    ELSIF NEW.kind = 'lead' AND OLD.kind = 'lead' AND (
           OLD.status IS DISTINCT FROM NEW.status OR OLD.step IS DISTINCT FROM NEW.step
        OR OLD.owner IS DISTINCT FROM NEW.owner
        OR OLD.amount_value IS DISTINCT FROM NEW.amount_value
        OR OLD.amount_currency IS DISTINCT FROM NEW.amount_currency
        OR OLD.standby_until IS DISTINCT FROM NEW.standby_until) THEN
        PERFORM webhook_event('lead.updated', NEW.id, NEW.id,
            json_build_object(
                'before', json_build_object('status', OLD.status, 'step', OLD.step,
                    'owner', OLD.owner, 'amount', OLD.amount_value,
                    'currency', OLD.amount_currency, 'standby_until', OLD.standby_until),
                'after', json_build_object('status', NEW.status, 'step', NEW.step,
                    'owner', NEW.owner, 'amount', NEW.amount_value,
                    'currency', NEW.amount_currency, 'standby_until', NEW.standby_until)),
            NEW.updated_at);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER webhook_lead_created AFTER INSERT ON leads
FOR EACH ROW WHEN (NEW.kind = 'lead')
EXECUTE FUNCTION webhook_on_leads();

CREATE TRIGGER webhook_lead_changed AFTER UPDATE ON leads
FOR EACH ROW WHEN (
       (OLD.kind = 'prospect' AND NEW.kind = 'lead')
    OR (NEW.kind = 'lead' AND OLD.kind = 'lead' AND (
           OLD.status IS DISTINCT FROM NEW.status OR OLD.step IS DISTINCT FROM NEW.step
        OR OLD.owner IS DISTINCT FROM NEW.owner
        OR OLD.amount_value IS DISTINCT FROM NEW.amount_value
        OR OLD.amount_currency IS DISTINCT FROM NEW.amount_currency
        OR OLD.standby_until IS DISTINCT FROM NEW.standby_until)))
EXECUTE FUNCTION webhook_on_leads();

DROP TRIGGER webhook_prospect_replied ON lead_flags;
CREATE TRIGGER webhook_prospect_replied AFTER INSERT ON lead_flags
FOR EACH ROW WHEN (NEW.flag = 'replied')
EXECUTE FUNCTION webhook_on_lead_flag();

CREATE OR REPLACE FUNCTION webhook_on_next_action() RETURNS TRIGGER LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM webhook_cursors)
       AND (SELECT kind FROM leads WHERE id = NEW.lead_id) = 'lead' THEN
        PERFORM webhook_event('lead.updated', NEW.lead_id, NEW.lead_id,
            json_build_object('next_action', json_build_object('kind', NEW.kind,
                'note', NEW.note, 'due_at', NEW.due_at)),
            NEW.created_at);
    END IF;
    RETURN NULL;
END $$;
