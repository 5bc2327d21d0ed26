-- On SQLite, lead_profiles keyed by its rowid, lead_refs WITHOUT ROWID
-- and notes_task partial, so that an intake writes fewer b-trees.
-- PostgreSQL's tables are heaps beside their indexes either way: nothing
-- to do here; the number is taken so that both engines' migrations keep
-- one list (TestMigrationsMatch).

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
