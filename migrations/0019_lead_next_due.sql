-- leadmail schema, version 19: the web app's admin pages without reading
-- every open lead (issue 18).
--
-- * `leads.next_due_at`: the due time of the lead's open next action
--   (NULL without one), kept by the store in the statements that open and
--   close next actions (src/store/leads.rs), so the team table counts the
--   open leads without joining each to its next action.
-- * No covering index for the team table's counts: one
--   (`leads_open_counts`, status to filed_at) halved an admin's My day's
--   counts (~70 -> ~35 ms of CPU) but cost ~10 us on every new lead and
--   every latest-activity update, in the filing path; My day was over its
--   target with it too (BENCHMARKS.md, the web app's third round).
-- * `leads_activity_order`, `leads_title_order`: the leads list's orders
--   by latest activity and by title, so a page over many leads is read in
--   order instead of sorting them all.
--
-- No trigger: the column is written where the next actions are, which
-- costs the filing path nothing more than these indexes.

ALTER TABLE leads ADD COLUMN next_due_at TEXT;
UPDATE leads SET next_due_at =
    (SELECT n.due_at FROM next_actions n WHERE n.lead_id = leads.id AND n.done_at IS NULL);
CREATE INDEX leads_activity_order ON leads (last_activity_at DESC, id);
CREATE INDEX leads_title_order ON leads (lower(title), id);
