-- One b-tree fewer per ticket (issue 11; docs/benchmarks.md, "Tickets:
-- two partial indexes"): lead_history_changes (0036) leaves out the
-- logged communications too. Its one reader, a page's previous assignees
-- (store.PreviousAssignees), wants the entries that change a lead's user;
-- a logged communication's entry changes `communications` only, and every
-- ticket writes one beside its creation. The reader's condition names
-- both kinds (TestPreviousAssigneesPlan). PostgreSQL's 0050 does nothing:
-- its index (kind <> 'lead_created') is implied by the same condition.

-- +goose Up
DROP INDEX lead_history_changes;
CREATE INDEX lead_history_changes ON lead_history (lead_id, at, id) WHERE kind NOT IN ('lead_created', 'communication_logged');

-- +goose Down
DROP INDEX lead_history_changes;
CREATE INDEX lead_history_changes ON lead_history (lead_id, at, id) WHERE kind <> 'lead_created';
