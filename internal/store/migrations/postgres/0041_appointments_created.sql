-- Appointments listed by creation time (Walcu's dates?sort=created_at,
-- docs/walcu.md, "dates"): a dealer's appointments in the order of
-- created_at (ties by id), read from the index's either end and stopped at
-- the page's end, as the dealer's start and update orders are
-- (appointments_dealer_start, appointments_dealer_updated, 0011). Without
-- it, such a page sorted every appointment of the dealer. And a dealer's
-- communications in the order of their id (Walcu's sort=_id on
-- conferences, sms, chat and WhatsApp messages: creation order), which
-- only communications_dealer_start's rows reached, then sorted.

-- +goose Up
-- NULLS FIRST as the lists' order writes it (store.orderBy: NULL lowest),
-- so that either direction reads the index (backwards: DESC NULLS LAST).
CREATE INDEX appointments_dealer_created ON appointments (dealer_id, created_at NULLS FIRST, id);
CREATE INDEX communications_dealer_id ON communications (dealer_id, id);

-- +goose Down
DROP INDEX communications_dealer_id;
DROP INDEX appointments_dealer_created;
