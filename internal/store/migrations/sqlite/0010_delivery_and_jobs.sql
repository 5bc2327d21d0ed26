-- Delivery of leads to consumers, and the outbox of background jobs
-- (docs/decisions.md, "Delivery of leads to consumers" and "Background
-- jobs"). Times are unix microseconds, as everywhere.
--
-- delivery_consumers  who pulls a dealer's leads: an API key, or a user
--                     (exactly one of the two), once per dealer
-- lead_deliveries     each lead's state for each consumer of its dealer:
--                     ready, in_progress, received; a lead has a row for
--                     a consumer from the moment it is ready for it
-- delivery_events     what a consumer did with a lead it was handed, in
--                     its own codes
-- jobs                background work: queued, running (leased to a
--                     runner until lease_until), done or failed

-- +goose Up
CREATE TABLE delivery_consumers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    dealer_id  BIGINT NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    api_key_id BIGINT REFERENCES api_keys (id) ON DELETE CASCADE,
    user_id    BIGINT REFERENCES users (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    CHECK ((api_key_id IS NULL) <> (user_id IS NULL))
);
-- CreateLead finds the dealer's consumers through this index.
CREATE INDEX delivery_consumers_dealer ON delivery_consumers (dealer_id);
CREATE UNIQUE INDEX delivery_consumers_api_key ON delivery_consumers (api_key_id, dealer_id) WHERE api_key_id IS NOT NULL;
CREATE UNIQUE INDEX delivery_consumers_user ON delivery_consumers (user_id, dealer_id) WHERE user_id IS NOT NULL;

CREATE TABLE lead_deliveries (
    consumer_id BIGINT NOT NULL REFERENCES delivery_consumers (id) ON DELETE CASCADE,
    lead_id     BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    state       TEXT   NOT NULL CHECK (state IN ('ready', 'in_progress', 'received')),
    ready_at    BIGINT NOT NULL,
    handed_at   BIGINT,
    received_at BIGINT,
    PRIMARY KEY (consumer_id, lead_id)
) WITHOUT ROWID;
-- A pull reads a consumer's oldest leads in one state. There is no index
-- on lead_id alone: it would cost every creation one more B-tree per
-- consumer, and leads are never deleted.
CREATE INDEX lead_deliveries_state ON lead_deliveries (consumer_id, state, lead_id);

CREATE TABLE delivery_events (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    consumer_id BIGINT NOT NULL REFERENCES delivery_consumers (id) ON DELETE CASCADE,
    lead_id     BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    code        TEXT   NOT NULL,
    reason      TEXT   NOT NULL DEFAULT '',
    happened_at BIGINT NOT NULL,
    recorded_at BIGINT NOT NULL
);
CREATE INDEX delivery_events_lead ON delivery_events (lead_id, id);
CREATE INDEX delivery_events_consumer ON delivery_events (consumer_id);

CREATE TABLE jobs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    kind         TEXT    NOT NULL,
    payload      BLOB    NOT NULL,
    state        TEXT    NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    max_attempts INTEGER NOT NULL,
    run_at       BIGINT  NOT NULL,
    lease_owner  TEXT,
    lease_until  BIGINT,
    last_error   TEXT    NOT NULL DEFAULT '',
    result       TEXT    NOT NULL DEFAULT '',
    created_at   BIGINT  NOT NULL,
    updated_at   BIGINT  NOT NULL,
    finished_at  BIGINT
);
-- Only the jobs a runner may claim are indexed: done and failed ones
-- accumulate without weighing on the claims.
CREATE INDEX jobs_queued ON jobs (run_at, id) WHERE state = 'queued';
CREATE INDEX jobs_running ON jobs (lease_until, id) WHERE state = 'running';

-- +goose Down
DROP TABLE jobs;
DROP TABLE delivery_events;
DROP TABLE lead_deliveries;
DROP TABLE delivery_consumers;
