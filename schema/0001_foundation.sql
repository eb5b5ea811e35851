-- 0001: API tokens and the audit chain.
--
-- Migrations are applied in order, each once, inside one transaction
-- (server/store/db.c).  Never edit a migration that has shipped: add the
-- next number.

-- API tokens.  Only a keyed BLAKE2b-256 hash of the token is kept.  A name
-- is unique among tokens that are not revoked, so a revoked name can be
-- used again while the revoked row stays for the record.
CREATE TABLE tokens (
    id          INTEGER PRIMARY KEY,
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    role        TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'manager', 'admin', 'ingest')),
    hash        BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    revoked_at  TEXT,
    revoked_by  TEXT
) STRICT;
CREATE UNIQUE INDEX tokens_active_name ON tokens(name) WHERE revoked_at IS NULL;

-- The audit chain (server/lib/hashchain.h says how `hash` is computed).
-- Rows are only ever appended, in the same transaction as the change they
-- record; the triggers refuse UPDATE and DELETE as defence in depth (anyone
-- with write access to the file can drop them: `meldpunt audit verify`
-- is what detects tampering).
CREATE TABLE audit (
    seq           INTEGER PRIMARY KEY,
    at            TEXT NOT NULL,
    principal     TEXT NOT NULL,
    action        TEXT NOT NULL,
    object        TEXT NOT NULL,
    payload       TEXT NOT NULL,
    payload_hash  BLOB NOT NULL CHECK (length(payload_hash) = 32),
    prev_hash     BLOB NOT NULL CHECK (length(prev_hash) = 32),
    hash          BLOB NOT NULL CHECK (length(hash) = 32)
) STRICT;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be changed');
END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN
    SELECT RAISE(ABORT, 'audit entries cannot be deleted');
END;
