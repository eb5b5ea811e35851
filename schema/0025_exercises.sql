-- 0025: exercises (tabletop mode, issue 22).
--
-- An exercise is an incident marked as such when it is created
-- (incidents.exercise = 1; never changed afterwards).  It is shown with an
-- EXERCISE / OEFENING marker everywhere, and never counted with the real
-- incidents: the counts /metrics and the dashboard read (incident_counts,
-- schema/0016 and 0022) leave it out (/metrics counts the exercises apart, from `exercises`).
--
-- A run of a scenario (config/exercises/) is a row of `exercises`: the
-- scenario as it was when the run started (a later edit of the file does
-- not change a run), whether its reminders may leave meldpunt, and its
-- clock.  The exercise clock is piecewise linear in real time: each start,
-- pause, resume or change of speed appends a segment (exercise_clock), so
-- any real moment of the run -- a decision on the timeline, a submission --
-- maps to exercise time afterwards:
--     exercise time = ex_at + (real - real_at) * speed   (paused: ex_at)
-- of the last segment with real_at <= real.  An inject applied is a row of
-- exercise_injects, written in the transaction that applies it: exactly once.
ALTER TABLE incidents ADD COLUMN exercise INTEGER NOT NULL DEFAULT 0 CHECK (exercise IN (0, 1));

-- the exercises counted apart, for /metrics: the index holds only them
CREATE INDEX incidents_exercise ON incidents(seq) WHERE exercise = 1;

DROP TRIGGER incident_counts_insert;
DROP TRIGGER incident_counts_update;
DROP TRIGGER incident_counts_delete;

CREATE TRIGGER incident_counts_insert AFTER INSERT ON incidents WHEN NEW.exercise = 0
BEGIN
    INSERT INTO incident_counts(state, severity, tlp, n) VALUES (NEW.state, NEW.severity, NEW.tlp, 1)
        ON CONFLICT (state, severity, tlp) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER incident_counts_update AFTER UPDATE OF state, severity, tlp ON incidents
    WHEN NEW.exercise = 0 AND (OLD.state IS NOT NEW.state OR OLD.severity IS NOT NEW.severity
                               OR OLD.tlp IS NOT NEW.tlp)
BEGIN
    UPDATE incident_counts SET n = n - 1
        WHERE state = OLD.state AND severity = OLD.severity AND tlp = OLD.tlp;
    INSERT INTO incident_counts(state, severity, tlp, n) VALUES (NEW.state, NEW.severity, NEW.tlp, 1)
        ON CONFLICT (state, severity, tlp) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER incident_counts_delete AFTER DELETE ON incidents WHEN OLD.exercise = 0
BEGIN
    UPDATE incident_counts SET n = n - 1
        WHERE state = OLD.state AND severity = OLD.severity AND tlp = OLD.tlp;
END;

CREATE TABLE exercises (
    id              TEXT PRIMARY KEY,              -- UUIDv7
    incident_id     TEXT NOT NULL UNIQUE REFERENCES incidents(id),
    scenario        TEXT NOT NULL,                 -- the scenario's id
    scenario_doc    TEXT NOT NULL,                 -- the scenario as started (JSON)
    allow_outside_reminders INTEGER NOT NULL DEFAULT 0 CHECK (allow_outside_reminders IN (0, 1)),
    started_at      INTEGER NOT NULL,              -- real unix seconds
    started_by      TEXT NOT NULL,
    ex_start        INTEGER NOT NULL,              -- exercise time at the start
    ended_at        INTEGER                        -- real; NULL while it runs
) STRICT;

CREATE TABLE exercise_clock (
    exercise_id  TEXT NOT NULL REFERENCES exercises(id),
    seq          INTEGER NOT NULL,
    real_at      INTEGER NOT NULL,
    ex_at        INTEGER NOT NULL,
    speed        REAL NOT NULL CHECK (speed > 0),
    running      INTEGER NOT NULL CHECK (running IN (0, 1)),  -- 0: paused
    PRIMARY KEY (exercise_id, seq)
) STRICT;

CREATE TABLE exercise_injects (
    exercise_id  TEXT NOT NULL REFERENCES exercises(id),
    idx          INTEGER NOT NULL,                  -- the inject's place in the scenario
    applied_at   INTEGER NOT NULL,                  -- real
    ex_at        INTEGER NOT NULL,                  -- exercise time
    PRIMARY KEY (exercise_id, idx)
) STRICT;
