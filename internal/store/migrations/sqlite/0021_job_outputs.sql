-- What a background job writes for a client to fetch (a Walcu export):
-- docs/decisions.md, "Job outputs". Kept in the database, not in files,
-- so that any server over one PostgreSQL serves what another wrote.
--
-- job_outputs  one a job: its public id (the URL's), the dealer it
--              belongs to, who started it, what it exports, how many
--              items it has written so far, and when it expires
-- job_chunks   its bytes, in order, each at most core.MaxJobChunk

-- +goose Up
CREATE TABLE job_outputs (
    job_id     BIGINT  PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
    public_id  TEXT    NOT NULL UNIQUE,
    dealer_id  BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    user_id    BIGINT,
    api_key_id BIGINT,
    subject    TEXT    NOT NULL,
    items      BIGINT  NOT NULL DEFAULT 0,
    chunks     INTEGER NOT NULL DEFAULT 0,
    bytes      BIGINT  NOT NULL DEFAULT 0,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL
);
-- The bound of a dealer's active exports counts them through this index;
-- the sweep finds the expired ones through the other.
CREATE INDEX job_outputs_dealer ON job_outputs (dealer_id, job_id);
CREATE INDEX job_outputs_expires ON job_outputs (expires_at);

CREATE TABLE job_chunks (
    job_id BIGINT  NOT NULL REFERENCES job_outputs (job_id) ON DELETE CASCADE,
    seq    INTEGER NOT NULL,
    data   BLOB    NOT NULL,
    PRIMARY KEY (job_id, seq)
);

-- +goose Down
DROP TABLE job_chunks;
DROP TABLE job_outputs;
