-- PostgreSQL's 0054 puts leads_dealer_kind_created in Walcu's order
-- (created_at DESC NULLS LAST, id DESC). SQLite reads its index
-- (dealer, kind, created_at) backward for it already (NULLs are lowest
-- and created_at is never NULL; ties by the rowid the index ends with).

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
