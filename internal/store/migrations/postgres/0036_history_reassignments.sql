-- The leads' history entries other than their creation, by lead: what a
-- page of Walcu's leads reads for their previous assignees
-- (store.PreviousAssignees, docs/walcu.md "Every computed field"). Most
-- leads have only their creation, whose entry is the longest: a partial
-- index lets the page's read touch none of those.

-- +goose Up
CREATE INDEX lead_history_changes ON lead_history (lead_id, at, id) WHERE kind <> 'lead_created';

-- +goose Down
DROP INDEX lead_history_changes;
