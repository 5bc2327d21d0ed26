-- The whole schema of forecourt. Timestamps are BIGINT unix microseconds
-- (UTC); nullable columns hold the optional fields. The PostgreSQL file with
-- the same number holds the same schema. Every surrogate id is AUTOINCREMENT:
-- a plain INTEGER PRIMARY KEY gives the next row the id of the newest row
-- deleted, and integrations keep ids, which must never be reused (as
-- PostgreSQL's identity columns never are).

-- +goose Up
CREATE TABLE dealers (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id       TEXT    NOT NULL UNIQUE,
    name            TEXT    NOT NULL,
    country         TEXT    NOT NULL DEFAULT '',
    time_zone       TEXT    NOT NULL DEFAULT '',
    address         TEXT    NOT NULL DEFAULT '',
    latitude        REAL,
    longitude       REAL,
    schedule        TEXT    NOT NULL DEFAULT '',
    web             TEXT    NOT NULL DEFAULT '',
    web_coches_net  TEXT    NOT NULL DEFAULT '',
    date_notes      TEXT    NOT NULL DEFAULT '',
    appraisal_notes TEXT    NOT NULL DEFAULT '',
    financing_notes TEXT    NOT NULL DEFAULT '',
    warranty_notes  TEXT    NOT NULL DEFAULT '',
    service_notes   TEXT    NOT NULL DEFAULT '',
    mask_c2c        TEXT    NOT NULL DEFAULT '',
    phone           TEXT    NOT NULL DEFAULT '',
    created_at      BIGINT  NOT NULL
);

CREATE TABLE work_calendars (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    dealer_id BIGINT  NOT NULL UNIQUE REFERENCES dealers (id) ON DELETE CASCADE
);

CREATE TABLE work_days (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    calendar_id BIGINT  NOT NULL REFERENCES work_calendars (id) ON DELETE CASCADE,
    weekday     INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6), -- 0 is Monday
    start_time  TEXT    NOT NULL DEFAULT '',
    end_time    TEXT    NOT NULL DEFAULT '',
    working     BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (calendar_id, weekday)
);

CREATE TABLE users (
    id             INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id      TEXT    NOT NULL UNIQUE,
    username       TEXT    NOT NULL,
    email          TEXT    NOT NULL DEFAULT '',
    first_name     TEXT    NOT NULL DEFAULT '',
    last_name      TEXT    NOT NULL DEFAULT '',
    phone          TEXT    NOT NULL DEFAULT '',
    member_id      TEXT    NOT NULL DEFAULT '',
    click2call_id  TEXT    NOT NULL DEFAULT '',
    password_hash  TEXT    NOT NULL DEFAULT '',
    is_staff       BOOLEAN NOT NULL DEFAULT FALSE,
    is_superuser   BOOLEAN NOT NULL DEFAULT FALSE,
    is_admin       BOOLEAN NOT NULL DEFAULT FALSE,
    is_active      BOOLEAN NOT NULL DEFAULT TRUE,
    activated_at   BIGINT,
    deactivated_at BIGINT,
    created_at     BIGINT  NOT NULL
);
CREATE UNIQUE INDEX users_username ON users (lower(username));
CREATE INDEX users_email ON users (lower(email));

CREATE TABLE memberships (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id             BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dealer_id           BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    is_admin            BOOLEAN NOT NULL DEFAULT FALSE,
    is_business_manager BOOLEAN NOT NULL DEFAULT FALSE,
    UNIQUE (user_id, dealer_id)
);
CREATE INDEX memberships_dealer ON memberships (dealer_id, user_id);

CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id       BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    start_working BIGINT NOT NULL,
    last_seen     BIGINT,
    ended_at      BIGINT
);
CREATE INDEX sessions_user ON sessions (user_id, id);

CREATE TABLE tokens (
    hash       TEXT   PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    session_id BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX tokens_user ON tokens (user_id);
CREATE INDEX tokens_session ON tokens (session_id);

CREATE TABLE api_keys (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    hash       TEXT   NOT NULL UNIQUE,
    dealer_id  BIGINT NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    user_id    BIGINT REFERENCES users (id) ON DELETE SET NULL,
    name       TEXT   NOT NULL DEFAULT '',
    prefix     TEXT   NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_keys_dealer ON api_keys (dealer_id);
CREATE INDEX api_keys_user ON api_keys (user_id);

CREATE TABLE channels (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL DEFAULT ''
);

CREATE TABLE origins (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    icon TEXT NOT NULL DEFAULT ''
);

CREATE TABLE origin_phones (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    origin_id BIGINT  NOT NULL REFERENCES origins (id) ON DELETE CASCADE,
    number    TEXT    NOT NULL
);
CREATE INDEX origin_phones_origin ON origin_phones (origin_id);

CREATE TABLE origin_emails (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    origin_id BIGINT  NOT NULL REFERENCES origins (id) ON DELETE CASCADE,
    email     TEXT    NOT NULL
);
CREATE INDEX origin_emails_origin ON origin_emails (origin_id);

CREATE TABLE origin_channels (
    origin_id  BIGINT NOT NULL REFERENCES origins (id) ON DELETE CASCADE,
    channel_id BIGINT NOT NULL REFERENCES channels (id) ON DELETE CASCADE,
    PRIMARY KEY (origin_id, channel_id)
);
CREATE INDEX origin_channels_channel ON origin_channels (channel_id);

CREATE TABLE sources (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    dealer_id  BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    channel_id BIGINT  NOT NULL REFERENCES channels (id),
    origin_id  BIGINT  NOT NULL REFERENCES origins (id),
    data       TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sources_dealer ON sources (dealer_id, id);
CREATE INDEX sources_channel ON sources (channel_id);
CREATE INDEX sources_origin ON sources (origin_id);

CREATE TABLE gas_types (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL
);

CREATE TABLE countries (
    id   INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL DEFAULT '',
    name TEXT NOT NULL
);

CREATE TABLE provinces (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    country_id BIGINT  NOT NULL REFERENCES countries (id),
    name       TEXT    NOT NULL,
    active     BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX provinces_country ON provinces (country_id, id);

CREATE TABLE localities (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    province_id BIGINT  NOT NULL REFERENCES provinces (id),
    name        TEXT    NOT NULL,
    active      BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX localities_province ON localities (province_id, id);

CREATE TABLE clients (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id   TEXT    NOT NULL UNIQUE,
    dealer_id   BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    name        TEXT    NOT NULL DEFAULT '',
    phone       TEXT    NOT NULL DEFAULT '',
    phone_e164  TEXT    NOT NULL DEFAULT '',
    email       TEXT    NOT NULL DEFAULT '',
    province_id BIGINT  REFERENCES provinces (id),
    locality_id BIGINT  REFERENCES localities (id),
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);
CREATE INDEX clients_dealer ON clients (dealer_id, id);
CREATE INDEX clients_dealer_phone ON clients (dealer_id, phone_e164);
CREATE INDEX clients_dealer_email ON clients (dealer_id, lower(email));
CREATE INDEX clients_province ON clients (province_id);
CREATE INDEX clients_locality ON clients (locality_id);

-- A vehicle belongs to the one lead that points at it.
CREATE TABLE vehicles (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    brand_model TEXT    NOT NULL DEFAULT '',
    price       TEXT    NOT NULL DEFAULT '',
    km          TEXT    NOT NULL DEFAULT '',
    year        INTEGER,
    gas_id      BIGINT  REFERENCES gas_types (id),
    sold        BOOLEAN NOT NULL DEFAULT FALSE
);
CREATE INDEX vehicles_gas ON vehicles (gas_id);

-- client_name, client_phone, client_email and search_text are lower-cased
-- copies kept by the store for the lead list's filters and sorts:
-- client_phone holds the phone as given, its E.164 form and its digits;
-- search_text the vehicle's brand_model and the tags. stage_rank is the
-- stage's place in the lifecycle (0 new … 3 end).
CREATE TABLE leads (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id     TEXT    NOT NULL UNIQUE,
    dealer_id     BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    source_id     BIGINT  NOT NULL REFERENCES sources (id),
    client_id     BIGINT  REFERENCES clients (id),
    vehicle_id    BIGINT  UNIQUE REFERENCES vehicles (id),
    stage         TEXT    NOT NULL,
    stage_rank    INTEGER NOT NULL,
    outcome       TEXT    NOT NULL DEFAULT '',
    reason        TEXT    NOT NULL DEFAULT '',
    score         INTEGER NOT NULL DEFAULT 0,
    user_id       BIGINT  REFERENCES users (id),
    created_by    BIGINT  REFERENCES users (id),
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL,
    finished_at   BIGINT,
    first_task_at BIGINT,
    version       INTEGER NOT NULL DEFAULT 1,
    client_name   TEXT    NOT NULL DEFAULT '',
    client_phone  TEXT    NOT NULL DEFAULT '',
    client_email  TEXT    NOT NULL DEFAULT '',
    search_text   TEXT    NOT NULL DEFAULT '',
    mail_content  TEXT    NOT NULL DEFAULT ''
);
-- The default order (created desc, id desc), covering every text filter so
-- that a filtered page and its count read this index alone.
CREATE INDEX leads_dealer_created ON leads (dealer_id, created_at, id, stage_rank, client_name, client_phone, client_email, search_text);
CREATE INDEX leads_dealer_id ON leads (dealer_id, id);
CREATE INDEX leads_dealer_updated ON leads (dealer_id, updated_at, id);
CREATE INDEX leads_dealer_stage ON leads (dealer_id, stage_rank, id);
CREATE INDEX leads_dealer_score ON leads (dealer_id, score, id);
CREATE INDEX leads_dealer_user ON leads (dealer_id, user_id, id);
CREATE INDEX leads_dealer_finished ON leads (dealer_id, finished_at, id);
CREATE INDEX leads_dealer_source ON leads (dealer_id, source_id, id);
CREATE INDEX leads_dealer_client_name ON leads (dealer_id, client_name, id);
CREATE INDEX leads_source ON leads (source_id);
CREATE INDEX leads_client ON leads (client_id);
CREATE INDEX leads_user ON leads (user_id);
CREATE INDEX leads_created_by ON leads (created_by);

CREATE TABLE tasks (
    id                  INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id           TEXT    NOT NULL UNIQUE,
    lead_id             BIGINT  NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    type                TEXT    NOT NULL,
    subtype             TEXT    NOT NULL DEFAULT '',
    description         TEXT    NOT NULL DEFAULT '',
    media               TEXT    NOT NULL DEFAULT '',
    planned_at          BIGINT,
    planned_tracking_at BIGINT,
    done                BOOLEAN NOT NULL DEFAULT FALSE,
    done_at             BIGINT,
    tracked             BOOLEAN NOT NULL DEFAULT FALSE,
    tracked_at          BIGINT,
    is_click2call       BOOLEAN NOT NULL DEFAULT FALSE,
    author_id           BIGINT  REFERENCES users (id),
    created_at          BIGINT  NOT NULL
);
CREATE INDEX tasks_lead ON tasks (lead_id, id);
CREATE INDEX tasks_author ON tasks (author_id);

CREATE TABLE appraisals (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    task_id       BIGINT  NOT NULL UNIQUE REFERENCES tasks (id) ON DELETE CASCADE,
    brand_model   TEXT    NOT NULL DEFAULT '',
    license_plate TEXT    NOT NULL DEFAULT '',
    km            TEXT    NOT NULL DEFAULT '',
    year          INTEGER,
    gas_id        BIGINT  REFERENCES gas_types (id),
    extras        TEXT    NOT NULL DEFAULT '',
    origin        TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX appraisals_gas ON appraisals (gas_id);

-- A note or tag of a dealer (dealer_id), a lead (lead_id) or a task
-- (task_id, with lead_id set to the task's lead so one query loads a lead's
-- notes at every level).
CREATE TABLE notes (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    dealer_id   BIGINT  REFERENCES dealers (id) ON DELETE CASCADE,
    lead_id     BIGINT  REFERENCES leads (id) ON DELETE CASCADE,
    task_id     BIGINT  REFERENCES tasks (id) ON DELETE CASCADE,
    kind        TEXT    NOT NULL CHECK (kind IN ('note', 'tag')),
    content     TEXT    NOT NULL DEFAULT '',
    author_id   BIGINT  REFERENCES users (id),
    created_at  BIGINT  NOT NULL,
    modified_at BIGINT  NOT NULL,
    CHECK ((dealer_id IS NULL) <> (lead_id IS NULL)),
    CHECK (task_id IS NULL OR lead_id IS NOT NULL)
);
CREATE INDEX notes_dealer ON notes (dealer_id, id);
CREATE INDEX notes_lead ON notes (lead_id, id);
CREATE INDEX notes_task ON notes (task_id);
CREATE INDEX notes_author ON notes (author_id);

CREATE TABLE note_versions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    note_id     BIGINT NOT NULL REFERENCES notes (id) ON DELETE CASCADE,
    modified_at BIGINT NOT NULL,
    user_id     BIGINT REFERENCES users (id),
    content     TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX note_versions_note ON note_versions (note_id, id);
CREATE INDEX note_versions_user ON note_versions (user_id);

-- changes is a JSON array of {"field","old","new"} objects.
CREATE TABLE lead_history (
    id      INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    at      BIGINT NOT NULL,
    user_id BIGINT REFERENCES users (id),
    type    TEXT   NOT NULL,
    reason  TEXT   NOT NULL DEFAULT '',
    changes TEXT   NOT NULL DEFAULT '[]'
);
CREATE INDEX lead_history_lead ON lead_history (lead_id, at, id);
CREATE INDEX lead_history_user ON lead_history (user_id);

CREATE TABLE call_controls (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    lead_id      BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    user_id      BIGINT REFERENCES users (id),
    call_control BIGINT NOT NULL,
    from_number  TEXT   NOT NULL DEFAULT '',
    to_number    TEXT   NOT NULL DEFAULT '',
    created_at   BIGINT NOT NULL
);
CREATE INDEX call_controls_lead ON call_controls (lead_id, id);
CREATE INDEX call_controls_user ON call_controls (user_id);

-- +goose Down
DROP TABLE call_controls;
DROP TABLE lead_history;
DROP TABLE note_versions;
DROP TABLE notes;
DROP TABLE appraisals;
DROP TABLE tasks;
DROP TABLE leads;
DROP TABLE vehicles;
DROP TABLE clients;
DROP TABLE localities;
DROP TABLE provinces;
DROP TABLE countries;
DROP TABLE gas_types;
DROP TABLE sources;
DROP TABLE origin_channels;
DROP TABLE origin_emails;
DROP TABLE origin_phones;
DROP TABLE origins;
DROP TABLE channels;
DROP TABLE api_keys;
DROP TABLE tokens;
DROP TABLE sessions;
DROP TABLE memberships;
DROP TABLE users;
DROP TABLE work_days;
DROP TABLE work_calendars;
DROP TABLE dealers;
