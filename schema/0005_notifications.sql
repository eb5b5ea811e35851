-- 0005: notification drafts and their signed versions.
--
-- A draft is edited (fields, version as ETag) until a manager approves it:
-- then its canonical document (RFC 8785) and minisign signature are stored
-- and it never changes again.  A correction is a new row pointing to the
-- one it supersedes.
CREATE TABLE notifications (
    id              TEXT PRIMARY KEY,
    incident_id     TEXT NOT NULL REFERENCES incidents(id),
    obligation_id   TEXT REFERENCES obligations(id),
    regime          TEXT NOT NULL,
    stage           TEXT NOT NULL,
    recipient       TEXT NOT NULL,
    language        TEXT NOT NULL CHECK (language IN ('nl', 'en')),
    state           TEXT NOT NULL CHECK (state IN ('draft', 'approved', 'submitted')),
    version         INTEGER NOT NULL DEFAULT 1,
    supersedes      TEXT REFERENCES notifications(id),
    fields          TEXT NOT NULL,    -- {"content id": value or null}
    document        TEXT,             -- the exact signed bytes
    signature       TEXT,             -- minisign signature file text
    key_id          TEXT,
    signed_at       TEXT,
    signed_by       TEXT,
    submitted_at    TEXT,
    channel         TEXT,
    authority_ref   TEXT,
    submitted_by    TEXT,
    created_at      TEXT NOT NULL,
    created_by      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
) STRICT;
CREATE INDEX notifications_incident ON notifications(incident_id, created_at);
-- signed versions never change
CREATE TRIGGER notifications_signed_frozen BEFORE UPDATE ON notifications
WHEN OLD.document IS NOT NULL AND (NEW.document IS NOT OLD.document
    OR NEW.signature IS NOT OLD.signature OR NEW.fields IS NOT OLD.fields)
BEGIN
    SELECT RAISE(ABORT, 'a signed notification cannot be changed');
END;
CREATE TRIGGER notifications_no_delete BEFORE DELETE ON notifications
BEGIN
    SELECT RAISE(ABORT, 'notifications cannot be deleted');
END;
