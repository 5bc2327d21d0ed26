-- One b-tree fewer per ticket (issue 11; docs/benchmarks.md, "Tickets:
-- lead_profiles_parent partial"): lead_profiles_parent holds only the
-- profiles that have a parent (prospecciones that follow a lead). A
-- ticket's profile has none, and its NULL was an entry written to the
-- index for every ticket that no query reads: the two reads of the index
-- (a lead's follow-ups, and unlinking them before a lead is deleted) and
-- the foreign key's check on delete all look up `parent_id = ?`, which a
-- partial index WHERE parent_id IS NOT NULL serves (TestIntakeBtrees).
-- PostgreSQL's 0049 does nothing (the pgstore branch owns its indexes).

-- +goose Up
DROP INDEX lead_profiles_parent;
CREATE INDEX lead_profiles_parent ON lead_profiles (parent_id) WHERE parent_id IS NOT NULL;

-- +goose Down
DROP INDEX lead_profiles_parent;
CREATE INDEX lead_profiles_parent ON lead_profiles (parent_id);
