-- 0022: the dashboard's counts from the server (issue 19).
--
-- The dashboard showed the open incidents by state and severity, counted in
-- the browser from every open incident, 200 to a page: its cost grew with
-- the open incidents, and it stopped counting at 1,000.  The counts kept
-- in step by triggers (0016) now hold the severity too, so that
-- GET /api/v1/dashboard reads a few dozen rows; /metrics sums over it as
-- before.
DROP TRIGGER incident_counts_insert;
DROP TRIGGER incident_counts_update;
DROP TRIGGER incident_counts_delete;
DROP TABLE incident_counts;

CREATE TABLE incident_counts (
    state    TEXT NOT NULL,
    severity TEXT NOT NULL,
    tlp      TEXT NOT NULL,
    n        INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (state, severity, tlp)
) STRICT, WITHOUT ROWID;

INSERT INTO incident_counts(state, severity, tlp, n)
    SELECT state, severity, tlp, count(*) FROM incidents GROUP BY state, severity, tlp;

CREATE TRIGGER incident_counts_insert AFTER INSERT ON incidents
BEGIN
    INSERT INTO incident_counts(state, severity, tlp, n) VALUES (NEW.state, NEW.severity, NEW.tlp, 1)
        ON CONFLICT (state, severity, tlp) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER incident_counts_update AFTER UPDATE OF state, severity, tlp ON incidents
    WHEN OLD.state IS NOT NEW.state OR OLD.severity IS NOT NEW.severity OR OLD.tlp IS NOT NEW.tlp
BEGIN
    UPDATE incident_counts SET n = n - 1
        WHERE state = OLD.state AND severity = OLD.severity AND tlp = OLD.tlp;
    INSERT INTO incident_counts(state, severity, tlp, n) VALUES (NEW.state, NEW.severity, NEW.tlp, 1)
        ON CONFLICT (state, severity, tlp) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER incident_counts_delete AFTER DELETE ON incidents
BEGIN
    UPDATE incident_counts SET n = n - 1
        WHERE state = OLD.state AND severity = OLD.severity AND tlp = OLD.tlp;
END;
