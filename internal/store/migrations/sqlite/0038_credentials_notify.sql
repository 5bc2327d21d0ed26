-- On PostgreSQL, triggers notify the servers when a credential changes,
-- so that each may remember resolved credentials (credwatch.go). A SQLite
-- file has one server, whose own writes drop what they change: nothing to
-- do here; the number is taken so that both engines' migrations keep one
-- list (TestMigrationsMatch).

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
