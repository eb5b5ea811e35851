-- 0007: alerts from SOC tooling and the suppression rules that drop or
-- mute them (docs/ALERTS.md).

-- One row per alert.  An alert is "open" (open = 1) until an analyst
-- dismisses it or it is superseded after its incident closed; at most one
-- open row per (source, fingerprint): a repeat updates that row (count,
-- last_seen, ends_at) instead of adding one.  `status` is what the source
-- says (firing or resolved); `state` is the inbox's: new, acknowledged,
-- incident (opened or attached), dismissed, muted (by a suppression).
-- labels and annotations are JSON objects of strings; payload is the alert
-- as received.  Times are RFC 3339 UTC text.
CREATE TABLE alerts (
    seq              INTEGER PRIMARY KEY,          -- arrival order: the list cursor
    id               TEXT NOT NULL UNIQUE,         -- UUIDv7
    source           TEXT NOT NULL,
    fingerprint      TEXT NOT NULL,
    title            TEXT NOT NULL,
    severity         TEXT NOT NULL CHECK (severity IN ('info', 'low', 'medium', 'high',
                                                       'critical')),
    service          TEXT,
    status           TEXT NOT NULL CHECK (status IN ('firing', 'resolved')),
    state            TEXT NOT NULL CHECK (state IN ('new', 'acknowledged', 'incident',
                                                    'dismissed', 'muted')),
    open             INTEGER NOT NULL DEFAULT 1 CHECK (open IN (0, 1)),
    starts_at        TEXT NOT NULL,
    ends_at          TEXT,
    first_seen       TEXT NOT NULL,
    last_seen        TEXT NOT NULL,
    count            INTEGER NOT NULL DEFAULT 1 CHECK (count >= 1),
    labels           TEXT NOT NULL DEFAULT '{}',
    annotations      TEXT NOT NULL DEFAULT '{}',
    payload          TEXT,
    rule             TEXT,                         -- the detection rule that acted
    correlation_key  TEXT,                         -- "service=db": the rule's fields' values
    incident_id      TEXT REFERENCES incidents(id),
    suppression_id   TEXT,                         -- the suppression that muted it
    reason           TEXT,                         -- why it was dismissed
    acted_by         TEXT,                         -- who acknowledged, dismissed, promoted
    acted_at         TEXT,
    updated_at       TEXT NOT NULL,
    version          INTEGER NOT NULL DEFAULT 1,
    CHECK (state <> 'incident' OR incident_id IS NOT NULL),
    CHECK (state <> 'dismissed' OR (reason IS NOT NULL AND open = 0))
) STRICT;
CREATE UNIQUE INDEX alerts_open_fingerprint ON alerts(source, fingerprint) WHERE open = 1;
-- the inbox's filters, each walking seq downwards for a page
CREATE INDEX alerts_state ON alerts(state, seq);
CREATE INDEX alerts_status ON alerts(status, seq);
CREATE INDEX alerts_source ON alerts(source, seq);
CREATE INDEX alerts_service ON alerts(service, seq);
CREATE INDEX alerts_incident ON alerts(incident_id, seq) WHERE incident_id IS NOT NULL;
-- correlation: the latest alert with a key that is on an incident (keys
-- name their fields, so rules correlating by the same fields meet)
CREATE INDEX alerts_correlation ON alerts(correlation_key, last_seen)
    WHERE incident_id IS NOT NULL;

-- Suppression rules: alerts matching `match` (the detection rules' match
-- language) between starts_at and expires_at are dropped (not stored) or
-- muted (stored in state 'muted', no incident).  What they caught is
-- counted.  Deleting one ends it early (deleted_at); rows stay for the
-- record.
CREATE TABLE suppressions (
    id          TEXT PRIMARY KEY,                  -- UUIDv7
    match       TEXT NOT NULL,                     -- JSON object
    action      TEXT NOT NULL CHECK (action IN ('drop', 'mute')),
    reason      TEXT NOT NULL,
    starts_at   TEXT NOT NULL,
    expires_at  TEXT NOT NULL CHECK (expires_at > starts_at),
    dropped     INTEGER NOT NULL DEFAULT 0,        -- alerts caught (dropped or muted)
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    deleted_at  TEXT,
    deleted_by  TEXT
) STRICT;
CREATE INDEX suppressions_active ON suppressions(expires_at) WHERE deleted_at IS NULL;
