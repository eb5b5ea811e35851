-- 0005 (PostgreSQL): notification drafts and their signed versions
-- (schema/0005_notifications.sql).
CREATE TABLE notifications (
    id              text PRIMARY KEY,
    incident_id     text NOT NULL REFERENCES incidents(id),
    obligation_id   text REFERENCES obligations(id),
    regime          text NOT NULL,
    stage           text NOT NULL,
    recipient       text NOT NULL,
    language        text NOT NULL CHECK (language IN ('nl', 'en')),
    state           text NOT NULL CHECK (state IN ('draft', 'approved', 'submitted')),
    version         bigint NOT NULL DEFAULT 1,
    supersedes      text REFERENCES notifications(id),
    fields          text NOT NULL,
    document        text,
    signature       text,
    key_id          text,
    signed_at       text,
    signed_by       text,
    submitted_at    text,
    channel         text,
    authority_ref   text,
    submitted_by    text,
    created_at      text NOT NULL,
    created_by      text NOT NULL,
    updated_at      text NOT NULL
);
CREATE INDEX notifications_incident ON notifications(incident_id, created_at);
-- signed versions never change
CREATE TRIGGER notifications_signed_frozen BEFORE UPDATE ON notifications
    FOR EACH ROW
    WHEN (OLD.document IS NOT NULL AND (NEW.document IS DISTINCT FROM OLD.document
          OR NEW.signature IS DISTINCT FROM OLD.signature OR NEW.fields IS DISTINCT FROM OLD.fields))
    EXECUTE FUNCTION meldpunt_refuse('a signed notification cannot be changed');
CREATE TRIGGER notifications_no_delete BEFORE DELETE ON notifications
    FOR EACH ROW EXECUTE FUNCTION meldpunt_refuse('notifications cannot be deleted');
