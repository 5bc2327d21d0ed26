-- A server over PostgreSQL remembers resolved credentials (tokens, API
-- keys) for a moment, so that a request does not read its token from the
-- database each time (docs/decisions.md, "Credentials cached over
-- PostgreSQL"). Whatever makes a remembered credential wrong notifies
-- the channel forecourt_credentials when it commits, and every server
-- listening drops its remembered credentials (internal/store/credwatch.go):
-- a token revoked or deleted, a session ended, an API key revoked or
-- changed, a user (de)activated. These are triggers, not statements of
-- forecourt's writes, so that a change made by an operator command, by an
-- older forecourt or by hand notifies as well. A statement-level trigger
-- runs once per statement whatever the rows, and PostgreSQL sends one
-- notification per transaction for identical ones. A session's last_seen,
-- written once a minute, does not notify (see the decision).

-- +goose Up
-- +goose StatementBegin
CREATE FUNCTION credentials_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('forecourt_credentials', '');
    RETURN NULL;
END
$$;
-- +goose StatementEnd
CREATE TRIGGER tokens_changed AFTER UPDATE OR DELETE OR TRUNCATE ON tokens FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
CREATE TRIGGER sessions_ended AFTER UPDATE OF ended_at, user_id OR DELETE OR TRUNCATE ON sessions FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
CREATE TRIGGER api_keys_changed AFTER UPDATE OR DELETE OR TRUNCATE ON api_keys FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();
CREATE TRIGGER users_activity_changed AFTER UPDATE OF is_active OR DELETE OR TRUNCATE ON users FOR EACH STATEMENT EXECUTE FUNCTION credentials_changed();

-- +goose Down
DROP TRIGGER users_activity_changed ON users;
DROP TRIGGER api_keys_changed ON api_keys;
DROP TRIGGER sessions_ended ON sessions;
DROP TRIGGER tokens_changed ON tokens;
DROP FUNCTION credentials_changed();
