-- A dealer's organisation, communications and the intake of leads that
-- Casabaca's API needs, in the core's words (docs/casabaca.md,
-- docs/decisions.md "Intake, organisation and communications").
--
-- agencies        the dealer's sites (Casabaca's agencias); code is the
--                 dealer's own id of one (Casabaca's S3S id "20")
-- business_lines  new cars, used cars, after-sales … (Casabaca's líneas de
--                 negocio: code "1" … "4"; public_id its UUID)
-- campaigns       the dealer's campaigns (public_id: the UUID the dealer's
--                 systems send), optionally of a business line
-- source_codes    the dealer's own code of one of its sources (Casabaca's
--                 medio "13") and the agency whose advisors it feeds
-- staff           a user's place at a dealer: role (advisor, call_centre,
--                 integration), agency, business lines and sources (JSON
--                 arrays of ids), position (the dealer's job code), ext
-- lead_forms      the dealer's web forms (Casabaca's landing pages): the
--                 source, campaign and business line their leads come by
-- lead_profiles   what a lead is to the dealer's organisation: kind
--                 (enquiry, opportunity), the lead it came from (parent),
--                 business line, campaign, agency, form; ext as dealers.ext
-- lead_refs       the ids other systems gave a lead (Casabaca's
--                 id_interaccion_inconcert): one lead per dealer, system
--                 and id, so a lead sent again creates nothing
-- communications  calls, SMS, chats, WhatsApp messages, e-mails and web
--                 forms exchanged with a lead's client
-- assignment_turns the last user a round-robin pool gave a lead to

-- +goose Up
CREATE TABLE agencies (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id TEXT    NOT NULL UNIQUE,
    dealer_id BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    code      TEXT    NOT NULL DEFAULT '',
    name      TEXT    NOT NULL,
    active    BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE UNIQUE INDEX agencies_dealer_name ON agencies (dealer_id, name);

CREATE TABLE business_lines (
    id        INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id TEXT    NOT NULL UNIQUE,
    dealer_id BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    code      TEXT    NOT NULL,
    name      TEXT    NOT NULL,
    active    BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE UNIQUE INDEX business_lines_dealer_code ON business_lines (dealer_id, code);

CREATE TABLE campaigns (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id        TEXT    NOT NULL UNIQUE,
    dealer_id        BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    code             TEXT    NOT NULL DEFAULT '',
    name             TEXT    NOT NULL,
    business_line_id BIGINT  REFERENCES business_lines (id),
    active           BOOLEAN NOT NULL DEFAULT TRUE
);
CREATE INDEX campaigns_dealer ON campaigns (dealer_id);

CREATE TABLE source_codes (
    source_id BIGINT NOT NULL PRIMARY KEY REFERENCES sources (id) ON DELETE CASCADE,
    dealer_id BIGINT NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    code      TEXT   NOT NULL,
    name      TEXT   NOT NULL DEFAULT '',
    agency_id BIGINT REFERENCES agencies (id)
);
CREATE UNIQUE INDEX source_codes_dealer_code ON source_codes (dealer_id, code);

CREATE TABLE staff (
    user_id        BIGINT  NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    dealer_id      BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    role           TEXT    NOT NULL,
    agency_id      BIGINT  REFERENCES agencies (id),
    business_lines TEXT    NOT NULL DEFAULT '[]',
    sources        TEXT    NOT NULL DEFAULT '[]',
    position       TEXT    NOT NULL DEFAULT '',
    active         BOOLEAN NOT NULL DEFAULT TRUE,
    ext            TEXT    NOT NULL DEFAULT '{}',
    PRIMARY KEY (user_id, dealer_id)
);
CREATE INDEX staff_dealer ON staff (dealer_id);

CREATE TABLE lead_forms (
    id               INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id        TEXT    NOT NULL UNIQUE,
    dealer_id        BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    name             TEXT    NOT NULL,
    source_id        BIGINT  NOT NULL REFERENCES sources (id),
    campaign_id      BIGINT  REFERENCES campaigns (id),
    business_line_id BIGINT  REFERENCES business_lines (id),
    assign_position  TEXT    NOT NULL DEFAULT '',
    properties       TEXT    NOT NULL DEFAULT '',
    ext              TEXT    NOT NULL DEFAULT '{}',
    authorised_by    BIGINT  REFERENCES users (id),
    created_by       BIGINT  REFERENCES users (id),
    created_at       BIGINT  NOT NULL
);
CREATE UNIQUE INDEX lead_forms_dealer_name ON lead_forms (dealer_id, name);

CREATE TABLE lead_profiles (
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
CREATE INDEX lead_profiles_parent ON lead_profiles (parent_id);

CREATE TABLE lead_refs (
    dealer_id BIGINT NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    system    TEXT   NOT NULL,
    ref       TEXT   NOT NULL,
    lead_id   BIGINT NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    PRIMARY KEY (dealer_id, system, ref)
);
CREATE INDEX lead_refs_lead ON lead_refs (lead_id);

CREATE TABLE communications (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    public_id  TEXT    NOT NULL UNIQUE,
    dealer_id  BIGINT  NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    lead_id    BIGINT  NOT NULL REFERENCES leads (id) ON DELETE CASCADE,
    client_id  BIGINT  REFERENCES clients (id),
    user_id    BIGINT  REFERENCES users (id),
    created_by BIGINT  REFERENCES users (id),
    kind       TEXT    NOT NULL,
    direction  TEXT    NOT NULL,
    status     TEXT    NOT NULL,
    start_at   BIGINT  NOT NULL,
    duration   BIGINT  NOT NULL DEFAULT 0,
    subject    TEXT    NOT NULL DEFAULT '',
    body       TEXT    NOT NULL DEFAULT '',
    ext        TEXT    NOT NULL DEFAULT '{}',
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX communications_lead ON communications (lead_id, start_at, id);
CREATE INDEX communications_dealer_start ON communications (dealer_id, start_at, id);
CREATE INDEX communications_client ON communications (client_id);

CREATE TABLE assignment_turns (
    dealer_id    BIGINT NOT NULL REFERENCES dealers (id) ON DELETE CASCADE,
    pool         TEXT   NOT NULL,
    last_user_id BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (dealer_id, pool)
);

-- +goose Down
DROP TABLE assignment_turns;
DROP TABLE communications;
DROP TABLE lead_refs;
DROP TABLE lead_profiles;
DROP TABLE lead_forms;
DROP TABLE staff;
DROP TABLE source_codes;
DROP TABLE campaigns;
DROP TABLE business_lines;
DROP TABLE agencies;
