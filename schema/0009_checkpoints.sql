-- 0009: signed checkpoints of the audit chain.
--
-- Someone who can write the database file can recompute the whole hash
-- chain; a checkpoint, the chain's head (seq and hash) signed with the
-- signing key and copied off the machine (the log, GET
-- /api/v1/audit/checkpoints), lets anyone prove later that the chain up to
-- that entry was not rewritten: `meldpunt audit verify --checkpoint FILE`.
-- The row keeps the exact signed bytes; the other columns repeat what they
-- say for listing.
CREATE TABLE audit_checkpoints (
    id              INTEGER PRIMARY KEY CHECK (id > 0),
    at              TEXT NOT NULL,
    reason          TEXT NOT NULL CHECK (reason IN ('interval', 'demand')),
    audit_seq       INTEGER NOT NULL CHECK (audit_seq >= 0),
    audit_hash      TEXT NOT NULL CHECK (length(audit_hash) = 64),
    key_id          TEXT NOT NULL CHECK (length(key_id) = 16),
    document        TEXT NOT NULL,    -- canonical JSON (RFC 8785), the signed bytes
    signature       TEXT NOT NULL,    -- minisign signature file text
    created_by      TEXT NOT NULL
) STRICT;
CREATE TRIGGER audit_checkpoints_no_update BEFORE UPDATE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit checkpoints cannot be changed');
END;
CREATE TRIGGER audit_checkpoints_no_delete BEFORE DELETE ON audit_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'audit checkpoints cannot be deleted');
END;
