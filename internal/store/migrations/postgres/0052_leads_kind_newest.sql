-- The leads of a dealer and kind newest first, in the order Walcu's lists
-- ask (created_at DESC NULLS LAST, id DESC), which a backward scan of
-- leads_dealer_kind_created (ascending: NULLS FIRST backwards) cannot
-- give: a list with a condition no index serves better (a common make of
-- the car, migration 0051) walks it and stops at the page's end, instead
-- of testing every lead of the kind and sorting them.

-- +goose Up
CREATE INDEX leads_dealer_kind_newest ON leads (dealer_id, kind, created_at DESC NULLS LAST, id DESC);

-- +goose Down
DROP INDEX leads_dealer_kind_newest;
