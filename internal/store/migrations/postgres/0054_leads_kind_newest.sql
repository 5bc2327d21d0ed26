-- leads_dealer_kind_created (0018: dealer, kind, created_at) in Walcu's
-- order, created_at DESC NULLS LAST then id DESC, the order of every list
-- sorted by creation (store/query.go, orderBy: on PostgreSQL a DESC sort
-- is NULLS LAST, and an index's DESC is NULLS FIRST, so a backward scan of
-- 0018's ascending index never gave it). A Walcu list of a kind with a
-- condition most of its leads hold (a make most cars are of) walks it
-- newest first and stops at the page's end (p50 476 ms on 100,000 leads
-- before, when every lead of the kind was tested and sorted:
-- docs/walcu.md, "A lead's cars and q"). Replaced, not added: a lead's
-- creation updates as many indexes as before (issue 8). A list sorted
-- oldest first reads it backward (created_at ASC NULLS FIRST, id ASC:
-- orderBy's ascending order). created_at is never NULL (NOT NULL).
-- Tried in the session of 2026-12-01 as an added index and withdrawn
-- then: a rare plate's list walked it; with the statistics of 0052 and
-- 0053 a rare value's list reads the vehicles' index, its custom plans
-- costing a twentieth of the generic plan that walks (TestExplainLeadKindNewestPostgres).

-- +goose Up
DROP INDEX leads_dealer_kind_created;
CREATE INDEX leads_dealer_kind_created ON leads (dealer_id, kind, created_at DESC NULLS LAST, id DESC);

-- +goose Down
DROP INDEX leads_dealer_kind_created;
CREATE INDEX leads_dealer_kind_created ON leads (dealer_id, kind, created_at);
