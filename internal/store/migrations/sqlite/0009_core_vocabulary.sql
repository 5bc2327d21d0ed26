-- The core's own vocabulary (docs/decisions.md, "The core's vocabulary"):
-- what was stored in SML's words is stored in the core's.
--
-- lead_history.reason becomes kind, a core.HistoryKind ("status changed"
-- becomes stage_changed, …). In lead_history.changes (a JSON array of
-- {"field","old","new"} objects) the fields status and result become
-- stage and outcome, and the task media become core values ("Phone" →
-- phone, "E-mail" → email, "SMS" → sms, "Whatsapp" → whatsapp): the value
-- of a tasks.<id>.media change, and the second word of a task summary (a
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

-- +goose Up
ALTER TABLE lead_history RENAME COLUMN reason TO kind;
UPDATE lead_history SET kind = CASE kind WHEN 'lead created' THEN 'lead_created' WHEN 'lead updated' THEN 'lead_updated' WHEN 'status changed' THEN 'stage_changed' WHEN 'lead assigned' THEN 'lead_assigned' WHEN 'lead finished' THEN 'lead_finished' WHEN 'task created' THEN 'task_created' WHEN 'task updated' THEN 'task_updated' WHEN 'task deleted' THEN 'task_deleted' WHEN 'call placed' THEN 'call_placed' ELSE kind END;
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

-- +goose Down
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
UPDATE lead_history SET kind = CASE kind WHEN 'lead_created' THEN 'lead created' WHEN 'lead_updated' THEN 'lead updated' WHEN 'stage_changed' THEN 'status changed' WHEN 'lead_assigned' THEN 'lead assigned' WHEN 'lead_finished' THEN 'lead finished' WHEN 'task_created' THEN 'task created' WHEN 'task_updated' THEN 'task updated' WHEN 'task_deleted' THEN 'task deleted' WHEN 'call_placed' THEN 'call placed' ELSE kind END;
ALTER TABLE lead_history RENAME COLUMN kind TO reason;
