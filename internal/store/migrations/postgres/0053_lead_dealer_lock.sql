-- A lead's creation and a consumer's registration are serialised on an
-- advisory lock of the dealer's deliveries (store/delivery.go,
-- dealerDeliveryLock) instead of the dealer's row, which the foreign key of
-- leads to dealers locked KEY SHARE at every creation: with a dealer's
-- creations at once, a new MultiXact on that one row for each, and WAL
-- (docs/benchmarks.md, "Lead creation on PostgreSQL: the rows' statements
-- and the dealer's lock"). The key goes: a lead's dealer is its source's,
-- checked by the core (core.checkLeadRefs), a lead never moves to another
-- dealer, and dealers are never deleted (the guards of 0031, which also
-- keep a dealer's sources).

-- +goose Up
ALTER TABLE leads DROP CONSTRAINT leads_dealer_id_fkey;

-- +goose Down
ALTER TABLE leads ADD CONSTRAINT leads_dealer_id_fkey FOREIGN KEY (dealer_id) REFERENCES dealers (id) ON DELETE CASCADE;
