-- On PostgreSQL, the trigram indexes of the client's phone and e-mail are
-- dropped, their filters served by the search text's. SQLite's trigram
-- index (leads_fts) is one already: nothing to do here; the number is
-- taken so that both engines' migrations keep one list
-- (TestMigrationsMatch).

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
