-- On PostgreSQL, the leads of a dealer and kind newest first, as Walcu's
-- lists order them (created_at DESC NULLS LAST, id DESC). SQLite walks
-- leads_dealer_kind_created backwards for that order already: nothing to
-- do here; the number is taken so that both engines' migrations keep one
-- list (TestMigrationsMatch).

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
