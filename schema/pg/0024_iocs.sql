-- 0024 (PostgreSQL): indicators of compromise as typed data
-- (schema/0024_iocs.sql).
CREATE TABLE incident_iocs (
    id           text PRIMARY KEY,
    incident_id  text NOT NULL REFERENCES incidents(id),
    type         text NOT NULL CHECK (type IN ('ipv4', 'ipv6', 'domain', 'url', 'md5', 'sha1',
                                              'sha256', 'sha512', 'email', 'filename')),
    value        text NOT NULL,
    tlp          text NOT NULL CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
    comment      text NOT NULL DEFAULT '',
    created_at   text NOT NULL,
    created_by   text NOT NULL,
    UNIQUE (incident_id, type, value)
);

CREATE TABLE ioc_texts_pending (
    notification_id  text PRIMARY KEY REFERENCES notifications(id),
    incident_id      text NOT NULL REFERENCES incidents(id),
    regime           text NOT NULL,
    stage            text NOT NULL,
    text             text NOT NULL
);
-- the drafts' fields are JSON meldpunt wrote itself
INSERT INTO ioc_texts_pending (notification_id, incident_id, regime, stage, text)
    SELECT id, incident_id, regime, stage, fields::jsonb ->> 'iocs'
    FROM notifications
    WHERE jsonb_typeof(fields::jsonb -> 'iocs') = 'string'
      AND trim(fields::jsonb ->> 'iocs') <> '';
