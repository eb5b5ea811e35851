-- 0017: reminders and escalation (issue 20).
--
-- The reminder policy an admin set through the API (PUT
-- /api/v1/reminders/policy): when present it is in force instead of the
-- file (config/reminders.json or [reminders] file).  One row; the version
-- counts the changes, for If-Match.  Secrets are never part of it: a
-- channel names a file in the data directory or a systemd credential.
CREATE TABLE reminder_policy (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    doc         TEXT NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
) STRICT;

-- The reminders planned from the obligations: one row per step of the
-- ladder that applies to the obligation (and per round of a step that
-- repeats while the report is overdue).  Planned again, inside the change,
-- whenever an incident's obligations are judged (a corrected aware_at moves
-- the due time, so the steps not yet sent move with it); the send loop takes
-- the planned rows whose time came.  A row once sent stays sent: nothing is
-- sent twice for one step, across restarts too.
CREATE TABLE reminder_jobs (
    id             INTEGER PRIMARY KEY,
    obligation_id  TEXT NOT NULL REFERENCES obligations(id),
    incident_id    TEXT NOT NULL REFERENCES incidents(id),
    step           INTEGER NOT NULL CHECK (step >= 0),
    round          INTEGER NOT NULL DEFAULT 0 CHECK (round >= 0),
    fire_at        INTEGER NOT NULL,  -- unix seconds
    due_at         TEXT,              -- the due time it was planned for
    status         TEXT NOT NULL CHECK (status IN ('planned', 'sent', 'failed', 'acknowledged',
                                                   'cancelled', 'skipped')),
    attempts       INTEGER NOT NULL DEFAULT 0,
    next_try       INTEGER NOT NULL DEFAULT 0,
    updated_at     TEXT NOT NULL,
    UNIQUE (obligation_id, step, round)
) STRICT;
CREATE INDEX reminder_jobs_planned ON reminder_jobs(fire_at) WHERE status = 'planned';

-- The delivery log per incident: each message sent or failed (with the
-- reason), and each acknowledgement.  A pair (job, channel, recipient) sent
-- once is never sent again.
CREATE TABLE reminder_deliveries (
    id             INTEGER PRIMARY KEY,
    job_id         INTEGER NOT NULL REFERENCES reminder_jobs(id),
    incident_id    TEXT NOT NULL REFERENCES incidents(id),
    obligation_id  TEXT NOT NULL,
    channel        TEXT NOT NULL,
    recipient      TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('sent', 'failed', 'acknowledged')),
    reason         TEXT,
    at             TEXT NOT NULL
) STRICT;
CREATE INDEX reminder_deliveries_incident ON reminder_deliveries(incident_id, id);
CREATE INDEX reminder_deliveries_job ON reminder_deliveries(job_id);
