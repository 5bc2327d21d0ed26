-- The API a lead's history entry came through (core.History.Via: "sml",
-- "walcu", "casabaca", "leadbank", "leancore", "web"), so that the staff's
-- interface can say through which one each change was made. Entries
-- written before have none ('').

-- +goose Up
ALTER TABLE lead_history ADD COLUMN via TEXT NOT NULL DEFAULT '';

-- +goose Down
ALTER TABLE lead_history DROP COLUMN via;
