-- On PostgreSQL, statistics for the columns 0051 added (see its file of
-- the same number). SQLite's writer refreshes its statistics itself
-- (PRAGMA optimize, store.go's optimizeEvery), and none is kept for a
-- table until then: nothing to do here; the number is taken so that both
-- engines' migrations keep one list (TestMigrationsMatch).

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
