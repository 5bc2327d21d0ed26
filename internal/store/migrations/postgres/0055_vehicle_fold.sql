-- SQLite's 0055 keeps the vehicles' lower-cased make, model, plate and VIN
-- in plain columns (its 0053 indexes called a function only the server
-- has). PostgreSQL's indexes of 0053 call its own lower(), which every
-- client of the database has: nothing to do.

-- +goose Up
SELECT 1;

-- +goose Down
SELECT 1;
