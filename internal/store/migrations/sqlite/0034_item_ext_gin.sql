-- On PostgreSQL, GIN indexes of the extension fields of appointments,
-- communications, contacts and documents (containment). SQLite has no
-- such index: nothing to do here; the number is taken so that both
-- engines' migrations keep one list (TestMigrationsMatch).

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
