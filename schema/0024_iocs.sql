-- 0024: indicators of compromise as typed data (issue 22).
--
-- An incident's IoCs, one row each: the type (ipv4, ipv6, domain, url,
-- md5, sha1, sha256, sha512, email, filename), the value in its normal
-- form (core/ioc.c: lower-case domains and hex, IPv6 as inet_ntop writes
-- it), so the same indicator written two ways is one row.  Each carries
-- its own TLP: an indicator may be shareable wider (or narrower) than the
-- incident it came from; the exports (MISP, STIX) mark each one with it.
--
-- Until now IoCs lived only as words in a draft's contents (the "iocs"
-- field of a notification stage), part of a document that may be signed.
-- Those words stay as they are in the drafts; a copy of each non-empty one
-- waits in ioc_texts_pending until the server, at its next start, has
-- typed what can be typed (core/ioc_import.c) and kept the rest, as
-- written, in a note on the incident's timeline: nothing guessed, nothing
-- lost.
CREATE TABLE incident_iocs (
    id           TEXT PRIMARY KEY,
    incident_id  TEXT NOT NULL REFERENCES incidents(id),
    type         TEXT NOT NULL CHECK (type IN ('ipv4', 'ipv6', 'domain', 'url', 'md5', 'sha1',
                                              'sha256', 'sha512', 'email', 'filename')),
    value        TEXT NOT NULL,
    tlp          TEXT NOT NULL CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
    comment      TEXT NOT NULL DEFAULT '',
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    UNIQUE (incident_id, type, value)
) STRICT;

CREATE TABLE ioc_texts_pending (
    notification_id  TEXT PRIMARY KEY REFERENCES notifications(id),
    incident_id      TEXT NOT NULL REFERENCES incidents(id),
    regime           TEXT NOT NULL,
    stage            TEXT NOT NULL,
    text             TEXT NOT NULL
) STRICT;
INSERT INTO ioc_texts_pending (notification_id, incident_id, regime, stage, text)
    SELECT id, incident_id, regime, stage, json_extract(fields, '$.iocs')
    FROM notifications
    WHERE json_valid(fields) AND json_type(fields, '$.iocs') = 'text'
      AND trim(json_extract(fields, '$.iocs')) <> '';
