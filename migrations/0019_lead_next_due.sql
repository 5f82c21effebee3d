-- leadmail schema, version 19: the web app's admin pages without reading
-- every open lead (issue 18).
--
-- * `leads.next_due_at`: the due time of the lead's open next action
--   (NULL without one), kept by the store in the statements that open and
--   close next actions (src/store/leads.rs), so the team table counts the
--   open leads from one index instead of joining each to its next action.
-- * `leads_open_counts`: the open leads with every column the team table
--   counts (owner, kind, due time, latest activity, created, filed): an
--   admin's My day reads this index alone.
-- * `leads_activity_order`, `leads_title_order`: the leads list's orders
--   by latest activity and by title, so a page over many leads is read in
--   order instead of sorting them all.
--
-- No trigger: the column is written where the next actions are, which
-- costs the filing path nothing more than these indexes.

ALTER TABLE leads ADD COLUMN next_due_at TEXT;
UPDATE leads SET next_due_at =
    (SELECT n.due_at FROM next_actions n WHERE n.lead_id = leads.id AND n.done_at IS NULL);
CREATE INDEX leads_open_counts
    ON leads (status, owner, kind, next_due_at, last_activity_at, created_at, filed_at)
    WHERE status IN ('todo', 'standby');
CREATE INDEX leads_activity_order ON leads (last_activity_at DESC, id);
CREATE INDEX leads_title_order ON leads (lower(title), id);
