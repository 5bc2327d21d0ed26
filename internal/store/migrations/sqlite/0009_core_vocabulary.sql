-- The core's own vocabulary (docs/decisions.md, "The core's vocabulary"):
-- what was stored in SML's words is stored in the core's. Down restores the
-- old form.
--
-- History: lead_history.reason becomes kind, a core.HistoryKind ("status
-- changed" becomes stage_changed, …). In lead_history.changes (a JSON array
-- of {"field","old","new"} objects) the fields status and result become
-- stage and outcome, and task media become core values ("Phone" → phone,
-- "E-mail" → email, "SMS" → sms, "Whatsapp" → whatsapp): the value of a
-- tasks.<id>.media change, and the second word of a task summary (a
-- "tasks" change: "<type> <media> [subtype] [description] [done]").
-- tasks.media takes the core values too.
--
-- The field names are replaced as text: the store writes changes compact
-- with encoding/json ({"field":"status","old":…}), and a quote inside a
-- JSON string is always escaped (\"), so '"field":"status"' can only be a
-- field named status, never part of a value. The media words sit inside
-- values, where text replacement could hit a note that quotes them, so the
-- entries with task changes are rebuilt with the engine's JSON functions,
-- compact and with their keys in the same order.
--
-- Countries are known by their ISO code, unique from now on; dealers' and
-- users' columns take the core's names (see each part below).

-- +goose Up
ALTER TABLE lead_history RENAME COLUMN reason TO kind;
UPDATE lead_history SET kind = CASE kind
    WHEN 'lead created' THEN 'lead_created'
    WHEN 'lead updated' THEN 'lead_updated'
    WHEN 'status changed' THEN 'stage_changed'
    WHEN 'lead assigned' THEN 'lead_assigned'
    WHEN 'lead finished' THEN 'lead_finished'
    WHEN 'task created' THEN 'task_created'
    WHEN 'task updated' THEN 'task_updated'
    WHEN 'task deleted' THEN 'task_deleted'
    WHEN 'call placed' THEN 'call_placed'
    ELSE kind END;
UPDATE lead_history SET changes = replace(replace(changes, '"field":"status"', '"field":"stage"'), '"field":"result"', '"field":"outcome"')
WHERE instr(changes, '"field":"status"') > 0 OR instr(changes, '"field":"result"') > 0;
UPDATE lead_history SET changes = (
    SELECT json_group_array(json_object('field', f,
        'old', CASE WHEN f = 'tasks' THEN substr(o, 1, instr(o, ' ')) ||
                  CASE WHEN orest = 'Phone' OR substr(orest, 1, 6) = 'Phone ' THEN 'phone' || substr(orest, 6)
                  WHEN orest = 'E-mail' OR substr(orest, 1, 7) = 'E-mail ' THEN 'email' || substr(orest, 7)
                  WHEN orest = 'SMS' OR substr(orest, 1, 4) = 'SMS ' THEN 'sms' || substr(orest, 4)
                  WHEN orest = 'Whatsapp' OR substr(orest, 1, 9) = 'Whatsapp ' THEN 'whatsapp' || substr(orest, 9)
                  ELSE orest END
              WHEN f GLOB 'tasks.*.media' THEN CASE o WHEN 'Phone' THEN 'phone' WHEN 'E-mail' THEN 'email' WHEN 'SMS' THEN 'sms' WHEN 'Whatsapp' THEN 'whatsapp' ELSE o END
              ELSE o END,
        'new', CASE WHEN f = 'tasks' THEN substr(n, 1, instr(n, ' ')) ||
                  CASE WHEN nrest = 'Phone' OR substr(nrest, 1, 6) = 'Phone ' THEN 'phone' || substr(nrest, 6)
                  WHEN nrest = 'E-mail' OR substr(nrest, 1, 7) = 'E-mail ' THEN 'email' || substr(nrest, 7)
                  WHEN nrest = 'SMS' OR substr(nrest, 1, 4) = 'SMS ' THEN 'sms' || substr(nrest, 4)
                  WHEN nrest = 'Whatsapp' OR substr(nrest, 1, 9) = 'Whatsapp ' THEN 'whatsapp' || substr(nrest, 9)
                  ELSE nrest END
              WHEN f GLOB 'tasks.*.media' THEN CASE n WHEN 'Phone' THEN 'phone' WHEN 'E-mail' THEN 'email' WHEN 'SMS' THEN 'sms' WHEN 'Whatsapp' THEN 'whatsapp' ELSE n END
              ELSE n END) ORDER BY k)
    FROM (SELECT key AS k, value ->> 'field' AS f, value ->> 'old' AS o, value ->> 'new' AS n,
                 substr(value ->> 'old', instr(value ->> 'old', ' ') + 1) AS orest,
                 substr(value ->> 'new', instr(value ->> 'new', ' ') + 1) AS nrest
          FROM json_each(lead_history.changes)))
WHERE instr(changes, '"field":"tasks') > 0;
UPDATE tasks SET media = CASE media WHEN 'Phone' THEN 'phone' WHEN 'E-mail' THEN 'email' WHEN 'SMS' THEN 'sms' WHEN 'Whatsapp' THEN 'whatsapp' ELSE media END
WHERE media IN ('Phone', 'E-mail', 'SMS', 'Whatsapp');

-- Countries are known by their code: rows of one code become one (the
-- first), and the code is unique.
UPDATE provinces SET country_id = (SELECT min(c2.id) FROM countries c1 JOIN countries c2 ON c2.code = c1.code
    WHERE c1.id = provinces.country_id);
DELETE FROM countries WHERE id NOT IN (SELECT min(id) FROM countries GROUP BY code);
CREATE UNIQUE INDEX countries_code ON countries (code);

-- Dealers: SML's mask_c2c is the caller id, its five *_notes the dealer's
-- guidance to advisors, and web_coches_net, which only SML has, an
-- extension field of SML's (ext, a JSON object keyed "<api>.<field>").
ALTER TABLE dealers RENAME COLUMN mask_c2c TO caller_id;
ALTER TABLE dealers RENAME COLUMN date_notes TO guidance_visit;
ALTER TABLE dealers RENAME COLUMN appraisal_notes TO guidance_appraisal;
ALTER TABLE dealers RENAME COLUMN financing_notes TO guidance_financing;
ALTER TABLE dealers RENAME COLUMN warranty_notes TO guidance_warranty;
ALTER TABLE dealers RENAME COLUMN service_notes TO guidance_service;
ALTER TABLE dealers ADD COLUMN ext TEXT NOT NULL DEFAULT '{}';
UPDATE dealers SET ext = json_object('sml.web_coches_net', web_coches_net) WHERE web_coches_net <> '';
ALTER TABLE dealers DROP COLUMN web_coches_net;

-- Users: is_staff and is_superuser were SML's (Django's); the core has one
-- flag, is_admin, the installation's administrator. A superuser was one.
UPDATE users SET is_admin = TRUE WHERE is_superuser;
ALTER TABLE users DROP COLUMN is_staff;
ALTER TABLE users DROP COLUMN is_superuser;

-- +goose Down
ALTER TABLE users ADD COLUMN is_staff BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN is_superuser BOOLEAN NOT NULL DEFAULT FALSE;
UPDATE users SET is_staff = is_admin, is_superuser = is_admin;
ALTER TABLE dealers ADD COLUMN web_coches_net TEXT NOT NULL DEFAULT '';
UPDATE dealers SET web_coches_net = coalesce(ext ->> '$."sml.web_coches_net"', '');
ALTER TABLE dealers DROP COLUMN ext;
ALTER TABLE dealers RENAME COLUMN guidance_service TO service_notes;
ALTER TABLE dealers RENAME COLUMN guidance_warranty TO warranty_notes;
ALTER TABLE dealers RENAME COLUMN guidance_financing TO financing_notes;
ALTER TABLE dealers RENAME COLUMN guidance_appraisal TO appraisal_notes;
ALTER TABLE dealers RENAME COLUMN guidance_visit TO date_notes;
ALTER TABLE dealers RENAME COLUMN caller_id TO mask_c2c;
DROP INDEX countries_code;
UPDATE tasks SET media = CASE media WHEN 'phone' THEN 'Phone' WHEN 'email' THEN 'E-mail' WHEN 'sms' THEN 'SMS' WHEN 'whatsapp' THEN 'Whatsapp' ELSE media END
WHERE media IN ('phone', 'email', 'sms', 'whatsapp');
UPDATE lead_history SET changes = (
    SELECT json_group_array(json_object('field', f,
        'old', CASE WHEN f = 'tasks' THEN substr(o, 1, instr(o, ' ')) ||
                  CASE WHEN orest = 'phone' OR substr(orest, 1, 6) = 'phone ' THEN 'Phone' || substr(orest, 6)
                  WHEN orest = 'email' OR substr(orest, 1, 6) = 'email ' THEN 'E-mail' || substr(orest, 6)
                  WHEN orest = 'sms' OR substr(orest, 1, 4) = 'sms ' THEN 'SMS' || substr(orest, 4)
                  WHEN orest = 'whatsapp' OR substr(orest, 1, 9) = 'whatsapp ' THEN 'Whatsapp' || substr(orest, 9)
                  ELSE orest END
              WHEN f GLOB 'tasks.*.media' THEN CASE o WHEN 'phone' THEN 'Phone' WHEN 'email' THEN 'E-mail' WHEN 'sms' THEN 'SMS' WHEN 'whatsapp' THEN 'Whatsapp' ELSE o END
              ELSE o END,
        'new', CASE WHEN f = 'tasks' THEN substr(n, 1, instr(n, ' ')) ||
                  CASE WHEN nrest = 'phone' OR substr(nrest, 1, 6) = 'phone ' THEN 'Phone' || substr(nrest, 6)
                  WHEN nrest = 'email' OR substr(nrest, 1, 6) = 'email ' THEN 'E-mail' || substr(nrest, 6)
                  WHEN nrest = 'sms' OR substr(nrest, 1, 4) = 'sms ' THEN 'SMS' || substr(nrest, 4)
                  WHEN nrest = 'whatsapp' OR substr(nrest, 1, 9) = 'whatsapp ' THEN 'Whatsapp' || substr(nrest, 9)
                  ELSE nrest END
              WHEN f GLOB 'tasks.*.media' THEN CASE n WHEN 'phone' THEN 'Phone' WHEN 'email' THEN 'E-mail' WHEN 'sms' THEN 'SMS' WHEN 'whatsapp' THEN 'Whatsapp' ELSE n END
              ELSE n END) ORDER BY k)
    FROM (SELECT key AS k, value ->> 'field' AS f, value ->> 'old' AS o, value ->> 'new' AS n,
                 substr(value ->> 'old', instr(value ->> 'old', ' ') + 1) AS orest,
                 substr(value ->> 'new', instr(value ->> 'new', ' ') + 1) AS nrest
          FROM json_each(lead_history.changes)))
WHERE instr(changes, '"field":"tasks') > 0;
UPDATE lead_history SET changes = replace(replace(changes, '"field":"stage"', '"field":"status"'), '"field":"outcome"', '"field":"result"')
WHERE instr(changes, '"field":"stage"') > 0 OR instr(changes, '"field":"outcome"') > 0;
UPDATE lead_history SET kind = CASE kind
    WHEN 'lead_created' THEN 'lead created'
    WHEN 'lead_updated' THEN 'lead updated'
    WHEN 'stage_changed' THEN 'status changed'
    WHEN 'lead_assigned' THEN 'lead assigned'
    WHEN 'lead_finished' THEN 'lead finished'
    WHEN 'task_created' THEN 'task created'
    WHEN 'task_updated' THEN 'task updated'
    WHEN 'task_deleted' THEN 'task deleted'
    WHEN 'call_placed' THEN 'call placed'
    ELSE kind END;
ALTER TABLE lead_history RENAME COLUMN kind TO reason;
