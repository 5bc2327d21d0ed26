-- A client's government id (normalised: letters and digits, upper-cased),
-- business name and postal address, which the lead bank, LeanCore and
-- Casabaca carry; the government id is one of the keys a new client is
-- matched to the dealer's stored clients by (with the phone in E.164 and
-- the e-mail, which clients_dealer_phone and clients_dealer_email index).
-- Clients stored before it have no creation time (the zero time, in
-- microseconds): they take their first lead's.

-- +goose Up
ALTER TABLE clients ADD COLUMN gov_id TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN business_name TEXT NOT NULL DEFAULT '';
ALTER TABLE clients ADD COLUMN address TEXT NOT NULL DEFAULT '';
CREATE INDEX clients_dealer_gov_id ON clients (dealer_id, gov_id);
UPDATE clients SET created_at = COALESCE((SELECT min(l.created_at) FROM leads l WHERE l.client_id = clients.id), created_at)
    WHERE created_at = -62135596800000000;
UPDATE clients SET updated_at = created_at WHERE updated_at = -62135596800000000;

-- +goose Down
DROP INDEX clients_dealer_gov_id;
ALTER TABLE clients DROP COLUMN address;
ALTER TABLE clients DROP COLUMN business_name;
ALTER TABLE clients DROP COLUMN gov_id;
