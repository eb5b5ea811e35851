-- 0004: classification history, per-regime status, obligations (the reports
-- due), and the service registry.

-- Every evaluation of an incident against the rules, with its inputs and
-- the rule-set versions, so a decision can be explained and replayed.
CREATE TABLE classifications (
    seq               INTEGER PRIMARY KEY,
    incident_id       TEXT NOT NULL REFERENCES incidents(id),
    evaluated_at      TEXT NOT NULL,
    incident_version  INTEGER NOT NULL,
    profile_version   INTEGER NOT NULL,
    rules             TEXT NOT NULL,   -- {"regime": "version", ...}
    inputs            TEXT NOT NULL,   -- {"facts": {...}, "profile": {...}}
    result            TEXT NOT NULL    -- [rules_evaluate() per regime]
) STRICT;
CREATE INDEX classifications_incident ON classifications(incident_id, seq);

-- Per incident and regime: when it was first judged significant (the
-- classified_at anchor; it stays significant from then on), and a
-- manager's "not notifiable" decision.
CREATE TABLE regime_status (
    incident_id      TEXT NOT NULL REFERENCES incidents(id),
    regime           TEXT NOT NULL,
    significant      TEXT NOT NULL CHECK (significant IN ('yes', 'no', 'undetermined')),
    classified_at    TEXT,
    decision         TEXT CHECK (decision IN ('not_notifiable')),
    decision_reason  TEXT,
    decided_by       TEXT,
    decided_at       TEXT,
    PRIMARY KEY (incident_id, regime)
) STRICT, WITHOUT ROWID;

-- The reports due: one per stage of each significant regime.  A pending
-- obligation whose due time passes becomes 'missed' and stays so (missed_at
-- is frozen) even when it is submitted later (submitted_at).
CREATE TABLE obligations (
    id             TEXT PRIMARY KEY,
    incident_id    TEXT NOT NULL REFERENCES incidents(id),
    regime         TEXT NOT NULL,
    stage          TEXT NOT NULL,
    recipient      TEXT NOT NULL,
    asap           INTEGER NOT NULL DEFAULT 0,
    due_at         TEXT,               -- NULL while its anchor is not known
    status         TEXT NOT NULL CHECK (status IN ('pending', 'submitted', 'missed', 'waived')),
    created_at     TEXT NOT NULL,
    missed_at      TEXT,
    submitted_at   TEXT,
    waived_at      TEXT,
    waived_by      TEXT,
    waived_reason  TEXT,
    UNIQUE (incident_id, regime, stage)
) STRICT;
CREATE INDEX obligations_open ON obligations(status, due_at);

-- Services the organisation provides: an incident that names a service gets
-- users_total and critical_service_affected from here when it does not give
-- them itself.
CREATE TABLE services (
    name           TEXT PRIMARY KEY,
    description    TEXT NOT NULL DEFAULT '',
    users_total    INTEGER CHECK (users_total >= 0),
    critical       INTEGER NOT NULL DEFAULT 0,
    member_states  TEXT NOT NULL DEFAULT '[]',
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL
) STRICT;
