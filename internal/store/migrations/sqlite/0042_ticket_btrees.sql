-- Fewer b-trees written per intake (Casabaca's tickets, issue 11;
-- docs/benchmarks.md, "Tickets: fewer b-trees per ticket"). Every b-tree a
-- write touches costs SQLite a seek and an insert, and at each commit at
-- least one more page written to the WAL:
--
-- * lead_profiles keyed by lead_id as its rowid (INTEGER PRIMARY KEY)
--   instead of a rowid table beside a unique index of lead_id;
-- * lead_refs WITHOUT ROWID, its rows kept in the b-tree of its primary
--   key instead of a rowid table beside it;
-- * notes_task holding the notes of tasks only: a lead's own notes (task_id
--   NULL, most of them) are never looked up by it (`task_id = ?` and
--   `task_id IN (…)` use it, `task_id IS NULL` reads notes by lead_id).
--
-- The same rows and columns; PostgreSQL's 0042 does nothing.

-- +goose Up
CREATE TABLE lead_profiles_0042 (
    lead_id          INTEGER NOT NULL PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
    dealer_id        BIGINT NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    kind             TEXT   NOT NULL,
    parent_id        BIGINT REFERENCES leads (id),
    business_line_id BIGINT REFERENCES business_lines (id),
    campaign_id      BIGINT REFERENCES campaigns (id),
    agency_id        BIGINT REFERENCES agencies (id),
    form_id          BIGINT REFERENCES lead_forms (id),
    ext              TEXT   NOT NULL DEFAULT '{}'
);
INSERT INTO lead_profiles_0042 (lead_id, dealer_id, kind, parent_id, business_line_id, campaign_id, agency_id, form_id, ext)
    SELECT lead_id, dealer_id, kind, parent_id, business_line_id, campaign_id, agency_id, form_id, ext FROM lead_profiles;
DROP TABLE lead_profiles;
ALTER TABLE lead_profiles_0042 RENAME TO lead_profiles;
CREATE INDEX lead_profiles_parent ON lead_profiles (parent_id);

CREATE TABLE lead_refs_0042 (
    dealer_id BIGINT NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    system    TEXT   NOT NULL,
    ref       TEXT   NOT NULL,
    lead_id   BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    PRIMARY KEY (dealer_id, system, ref)
) WITHOUT ROWID;
INSERT INTO lead_refs_0042 (dealer_id, system, ref, lead_id) SELECT dealer_id, system, ref, lead_id FROM lead_refs;
DROP TABLE lead_refs;
ALTER TABLE lead_refs_0042 RENAME TO lead_refs;
CREATE INDEX lead_refs_lead ON lead_refs (lead_id);

DROP INDEX notes_task;
CREATE INDEX notes_task ON notes (task_id) WHERE task_id IS NOT NULL;

-- +goose Down
DROP INDEX notes_task;
CREATE INDEX notes_task ON notes (task_id);

CREATE TABLE lead_refs_0015 (
    dealer_id BIGINT NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    system    TEXT   NOT NULL,
    ref       TEXT   NOT NULL,
    lead_id   BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    PRIMARY KEY (dealer_id, system, ref)
);
INSERT INTO lead_refs_0015 (dealer_id, system, ref, lead_id) SELECT dealer_id, system, ref, lead_id FROM lead_refs;
DROP TABLE lead_refs;
ALTER TABLE lead_refs_0015 RENAME TO lead_refs;
CREATE INDEX lead_refs_lead ON lead_refs (lead_id);

CREATE TABLE lead_profiles_0015 (
    lead_id          BIGINT NOT NULL PRIMARY KEY REFERENCES leads (id) ON DELETE CASCADE,
    dealer_id        BIGINT NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    kind             TEXT   NOT NULL,
    parent_id        BIGINT REFERENCES leads (id),
    business_line_id BIGINT REFERENCES business_lines (id),
    campaign_id      BIGINT REFERENCES campaigns (id),
    agency_id        BIGINT REFERENCES agencies (id),
    form_id          BIGINT REFERENCES lead_forms (id),
    ext              TEXT   NOT NULL DEFAULT '{}'
);
INSERT INTO lead_profiles_0015 (lead_id, dealer_id, kind, parent_id, business_line_id, campaign_id, agency_id, form_id, ext)
    SELECT lead_id, dealer_id, kind, parent_id, business_line_id, campaign_id, agency_id, form_id, ext FROM lead_profiles;
DROP TABLE lead_profiles;
ALTER TABLE lead_profiles_0015 RENAME TO lead_profiles;
CREATE INDEX lead_profiles_parent ON lead_profiles (parent_id);
