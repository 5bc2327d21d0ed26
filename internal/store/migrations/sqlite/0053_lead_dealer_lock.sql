-- On PostgreSQL the foreign key of leads to dealers goes and the dealer's
-- deliveries are serialised on an advisory lock (see postgres/0053). SQLite
-- keeps its key, whose check is a b-tree probe in the writer's own
-- process, and its writer runs a creation and a registration one after the
-- other: nothing to do here; the number is taken so that both engines'
-- migrations keep one list (TestMigrationsMatch).

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
