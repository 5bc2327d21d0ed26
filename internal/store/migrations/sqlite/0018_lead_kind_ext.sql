-- A lead's kind (sale, aftersale, appraisal: Walcu's three collections of
-- leads; every lead before is a sale) and its extension fields (what one
-- API has for a lead that the core has no place for), a JSON object by
-- API: {"walcu": {"custom": …, "origin": {…}}}. Walcu's lists of one kind
-- read leads_dealer_kind_created.

-- +goose Up
ALTER TABLE leads ADD COLUMN kind TEXT NOT NULL DEFAULT 'sale';
ALTER TABLE leads ADD COLUMN ext TEXT NOT NULL DEFAULT '{}';
CREATE INDEX leads_dealer_kind_created ON leads (dealer_id, kind, created_at);

-- +goose Down
DROP INDEX leads_dealer_kind_created;
ALTER TABLE leads DROP COLUMN ext;
ALTER TABLE leads DROP COLUMN kind;
