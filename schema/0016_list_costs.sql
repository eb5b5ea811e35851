-- 0018: answers whose cost does not grow with the data (issue 19).
--
-- Kept in step in the transaction of every change that touches an
-- incident (the API's writer, the CLI, `meldpunt import`): the counts by
-- triggers, the text index by store/incidents.c (a trigger may not write a
-- virtual table while trusted_schema is off, as db.c sets it).
--
-- 1. Counts per state and TLP for /metrics: a few dozen rows read instead
--    of a scan of incidents.
CREATE TABLE incident_counts (
    state  TEXT NOT NULL,
    tlp    TEXT NOT NULL,
    n      INTEGER NOT NULL CHECK (n >= 0),
    PRIMARY KEY (state, tlp)
) STRICT, WITHOUT ROWID;

INSERT INTO incident_counts(state, tlp, n)
    SELECT state, tlp, count(*) FROM incidents GROUP BY state, tlp;

CREATE TRIGGER incident_counts_insert AFTER INSERT ON incidents
BEGIN
    INSERT INTO incident_counts(state, tlp, n) VALUES (NEW.state, NEW.tlp, 1)
        ON CONFLICT (state, tlp) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER incident_counts_update AFTER UPDATE OF state, tlp ON incidents
    WHEN OLD.state IS NOT NEW.state OR OLD.tlp IS NOT NEW.tlp
BEGIN
    UPDATE incident_counts SET n = n - 1 WHERE state = OLD.state AND tlp = OLD.tlp;
    INSERT INTO incident_counts(state, tlp, n) VALUES (NEW.state, NEW.tlp, 1)
        ON CONFLICT (state, tlp) DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER incident_counts_delete AFTER DELETE ON incidents
BEGIN
    UPDATE incident_counts SET n = n - 1 WHERE state = OLD.state AND tlp = OLD.tlp;
END;

-- 2. Text search (?q=) through FTS5 with the trigram tokenizer: the same
--    case-insensitive substring match as LIKE '%q%' had, from an index.
--    External content: the text lives once, in incidents.  Built here for
--    the rows there are.
CREATE VIRTUAL TABLE incidents_fts USING fts5(
    title, description, content = 'incidents', content_rowid = 'seq', tokenize = 'trigram');

INSERT INTO incidents_fts(incidents_fts) VALUES ('rebuild');

-- 3. An index for each list filter that had none, in the cursor's order.
CREATE INDEX incidents_severity ON incidents(severity, seq);
CREATE INDEX incidents_category ON incidents(category, seq);
CREATE INDEX alerts_severity ON alerts(severity, seq);
