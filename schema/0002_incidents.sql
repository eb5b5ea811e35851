-- 0002: incidents, their timeline, and Idempotency-Key records.

-- One row per incident.  `id` is a UUIDv7 (time-ordered); `ref` is the
-- human reference INC-YYYY-NNNN, sequential per year of creation.  `services`
-- is a JSON array of names and `impact` a JSON object of facts whose keys and
-- types are fixed by server/core/incident.c (absent = unknown).  Times are
-- RFC 3339 UTC text, NULL when unknown.  `version` is the ETag.
CREATE TABLE incidents (
    seq            INTEGER PRIMARY KEY,          -- insertion order: the list cursor
    id             TEXT NOT NULL UNIQUE,
    ref            TEXT NOT NULL UNIQUE,
    ref_year       INTEGER NOT NULL,
    ref_number     INTEGER NOT NULL,
    title          TEXT NOT NULL,
    description    TEXT NOT NULL DEFAULT '',
    category       TEXT NOT NULL CHECK (category IN ('cyber', 'physical', 'other')),
    cause          TEXT NOT NULL CHECK (cause IN ('malicious', 'accidental', 'system_failure',
                                                  'natural', 'third_party', 'unknown')),
    severity       TEXT NOT NULL CHECK (severity IN ('low', 'medium', 'high', 'critical')),
    state          TEXT NOT NULL CHECK (state IN ('detected', 'triage', 'confirmed', 'contained',
                                                  'resolved', 'closed', 'dismissed')),
    assignee       TEXT,
    tlp            TEXT NOT NULL CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
    detected_at    TEXT NOT NULL,
    aware_at       TEXT,
    started_at     TEXT,
    ended_at       TEXT,
    triage_at      TEXT,
    confirmed_at   TEXT,
    contained_at   TEXT,
    resolved_at    TEXT,
    closed_at      TEXT,
    dismissed_at   TEXT,
    services       TEXT NOT NULL DEFAULT '[]',
    impact         TEXT NOT NULL DEFAULT '{}',
    created_at     TEXT NOT NULL,
    created_by     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    version        INTEGER NOT NULL DEFAULT 1,
    UNIQUE (ref_year, ref_number)
) STRICT;
CREATE INDEX incidents_state ON incidents(state, seq);
CREATE INDEX incidents_updated ON incidents(updated_at);

-- The timeline: append-only, oldest first.  kind 'created', 'changed'
-- (field, old -> new as JSON), 'transition' (old -> new state, note),
-- 'note', 'classification' (a regime's significance changed), 'obligation'
-- (a report became due, was waived or submitted) or 'decision' (a manager's
-- "not notifiable").  Like the audit chain, the triggers refuse UPDATE and
-- DELETE.
CREATE TABLE timeline (
    seq          INTEGER PRIMARY KEY,
    incident_id  TEXT NOT NULL REFERENCES incidents(id),
    at           TEXT NOT NULL,
    principal    TEXT NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('created', 'changed', 'transition', 'note',
                                               'classification', 'obligation', 'decision')),
    field        TEXT,
    old_value    TEXT,
    new_value    TEXT,
    note         TEXT
) STRICT;
CREATE INDEX timeline_incident ON timeline(incident_id, seq);
CREATE TRIGGER timeline_no_update BEFORE UPDATE ON timeline
BEGIN
    SELECT RAISE(ABORT, 'timeline entries cannot be changed');
END;
CREATE TRIGGER timeline_no_delete BEFORE DELETE ON timeline
BEGIN
    SELECT RAISE(ABORT, 'timeline entries cannot be deleted');
END;

-- Idempotency-Key records (draft-ietf-httpapi-idempotency-key-header):
-- per principal and key, a hash of the request, what it created and the
-- answer it got (a retry gets that same answer).  A record older than 24
-- hours no longer counts and is purged.
CREATE TABLE idempotency (
    principal     TEXT NOT NULL,
    key           TEXT NOT NULL,
    request_hash  BLOB NOT NULL,
    object_id     TEXT NOT NULL,
    response      TEXT NOT NULL,
    created_at    INTEGER NOT NULL,            -- Unix seconds
    PRIMARY KEY (principal, key)
) STRICT, WITHOUT ROWID;
CREATE INDEX idempotency_age ON idempotency(created_at);
