-- +goose Up
-- The epochs become values that never repeat: each change sets a new
-- random one instead of adding one. A cache compares the value it holds
-- with the database's only for equality, so the value must name one state
-- of the database, whatever history it took: after a restore, a
-- point-in-time recovery or a failover to a standby that was behind,
-- counters start again from an older value and, with new traffic, reach
-- numbers a replica has already seen in a history that no longer exists,
-- and the replica would serve what that history held. A random 60-bit
-- value (gen_random_uuid(), a strong source) is never reached twice.
--
-- For the same reason a new session moves the auth epoch too: undone by a
-- restore, it must not stay in a replica's cache under a value the
-- restored database still shows.

-- +goose StatementBegin
CREATE FUNCTION epoch_next() RETURNS bigint LANGUAGE sql VOLATILE AS $$
    SELECT ('x' || translate(gen_random_uuid()::text, '-', ''))::bit(64)::bigint
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION auth_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_epoch SET n = epoch_next() WHERE id = 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION document_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE document_epoch SET n = epoch_next() WHERE id = 1;
    IF TG_TABLE_NAME = 'users' THEN
        UPDATE document_shard_epoch SET n = epoch_next();
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE document_shard_epoch SET n = epoch_next() WHERE shard = OLD.id % 64;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE document_shard_epoch SET n = epoch_next() WHERE shard IN (OLD.id % 64, NEW.id % 64);
    ELSE
        UPDATE document_shard_epoch SET n = epoch_next() WHERE shard = NEW.id % 64;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

CREATE TRIGGER auth_epoch_session_created AFTER INSERT ON sessions
    FOR EACH ROW EXECUTE FUNCTION auth_epoch_bump();

-- Every database starts its own history: two databases migrated from
-- empty must not share the counters' first values either.
UPDATE auth_epoch SET n = epoch_next();
UPDATE document_epoch SET n = epoch_next();
UPDATE document_shard_epoch SET n = epoch_next();

-- +goose Down
DROP TRIGGER auth_epoch_session_created ON sessions;

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION auth_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE auth_epoch SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE OR REPLACE FUNCTION document_epoch_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE document_epoch SET n = n + 1 WHERE id = 1;
    IF TG_TABLE_NAME = 'users' THEN
        UPDATE document_shard_epoch SET n = n + 1;
    ELSIF TG_OP = 'DELETE' THEN
        UPDATE document_shard_epoch SET n = n + 1 WHERE shard = OLD.id % 64;
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE document_shard_epoch SET n = n + 1 WHERE shard IN (OLD.id % 64, NEW.id % 64);
    ELSE
        UPDATE document_shard_epoch SET n = n + 1 WHERE shard = NEW.id % 64;
    END IF;
    RETURN NULL;
END;
$$;
-- +goose StatementEnd

DROP FUNCTION epoch_next();
