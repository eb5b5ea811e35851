-- 0025 (PostgreSQL): exercises (schema/0025_exercises.sql): incidents
-- marked exercise, left out of incident_counts, and the runs, their clock
-- and their injects.
ALTER TABLE incidents ADD COLUMN exercise bigint NOT NULL DEFAULT 0 CHECK (exercise IN (0, 1));
CREATE INDEX incidents_exercise ON incidents(seq) WHERE exercise = 1;

CREATE OR REPLACE FUNCTION incident_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.exercise = 0 THEN
        UPDATE incident_counts SET n = n - 1
            WHERE state = OLD.state AND severity = OLD.severity AND tlp = OLD.tlp;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.exercise = 0 THEN
        INSERT INTO incident_counts(state, severity, tlp, n) VALUES (NEW.state, NEW.severity, NEW.tlp, 1)
            ON CONFLICT (state, severity, tlp) DO UPDATE SET n = incident_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TABLE exercises (
    id              text PRIMARY KEY,
    incident_id     text NOT NULL UNIQUE REFERENCES incidents(id),
    scenario        text NOT NULL,
    scenario_doc    text NOT NULL,
    allow_outside_reminders bigint NOT NULL DEFAULT 0 CHECK (allow_outside_reminders IN (0, 1)),
    started_at      bigint NOT NULL,
    started_by      text NOT NULL,
    ex_start        bigint NOT NULL,
    ended_at        bigint
);

CREATE TABLE exercise_clock (
    exercise_id  text NOT NULL REFERENCES exercises(id),
    seq          bigint NOT NULL,
    real_at      bigint NOT NULL,
    ex_at        bigint NOT NULL,
    speed        double precision NOT NULL CHECK (speed > 0),
    running      bigint NOT NULL CHECK (running IN (0, 1)),
    PRIMARY KEY (exercise_id, seq)
);

CREATE TABLE exercise_injects (
    exercise_id  text NOT NULL REFERENCES exercises(id),
    idx          bigint NOT NULL,
    applied_at   bigint NOT NULL,
    ex_at        bigint NOT NULL,
    PRIMARY KEY (exercise_id, idx)
);
