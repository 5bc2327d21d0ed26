-- Statistics for the columns 0051 added and filled. Until autovacuum's
-- next analyze of vehicles (which a database at rest may not run for a
-- while), PostgreSQL knows nothing of make, model, plate and VIN and
-- guesses 0.5 % of the vehicles for any value: a Walcu list with a
-- condition on the status and a rare make then walked every lead of that
-- status testing each lead's car (166 ms on 100,000 leads) instead of
-- reading the make's few vehicles (0.35 ms). Measured on a copy of a
-- 100,000-lead database migrated to 0051: docs/benchmarks.md, "After the
-- merges of 2026-12-01 (lead's car in q)". Only when the tables hold rows:
-- an empty database's tables stay never-analysed, as before.

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM vehicles) THEN
        ANALYZE vehicles;
        ANALYZE leads;
    END IF;
END $$;
-- +goose StatementEnd

-- +goose Down
SELECT 1;
