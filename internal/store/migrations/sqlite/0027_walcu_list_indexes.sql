-- Indexes of Walcu's lists (docs/walcu.md, "Indexes"). A list of one kind
-- of leads filtered by status (the core's stage) in the order of creation,
-- newest first, reads leads_dealer_kind_stage_created from its newest end
-- and stops at the page's end, instead of reading every lead of the stage
-- and sorting them. A client's phone as given (primary_contact.phones,
-- when not in E.164) is read by clients_dealer_phone_given; E.164 and
-- e-mails have theirs since 0001.

-- +goose Up
CREATE INDEX leads_dealer_kind_stage_created ON leads (dealer_id, kind, stage_rank, created_at, id);
CREATE INDEX clients_dealer_phone_given ON clients (dealer_id, phone);

-- +goose Down
DROP INDEX clients_dealer_phone_given;
DROP INDEX leads_dealer_kind_stage_created;
