-- 0016 (PostgreSQL): answers whose cost does not grow with the data
-- (schema/0016_list_costs.sql).
--
-- 1. Counts per state and TLP for /metrics, kept in step by triggers.
--    `meldpunt migrate-storage` does not copy this table: the triggers
--    build it from the incidents copied, and the counts are compared after.
CREATE TABLE incident_counts (
    state  text NOT NULL,
    tlp    text NOT NULL,
    n      bigint NOT NULL CHECK (n >= 0),
    PRIMARY KEY (state, tlp)
);

INSERT INTO incident_counts(state, tlp, n)
    SELECT state, tlp, count(*) FROM incidents GROUP BY state, tlp;

CREATE FUNCTION incident_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE incident_counts SET n = n - 1 WHERE state = OLD.state AND tlp = OLD.tlp;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO incident_counts(state, tlp, n) VALUES (NEW.state, NEW.tlp, 1)
            ON CONFLICT (state, tlp) DO UPDATE SET n = incident_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER incident_counts_insert AFTER INSERT ON incidents
    FOR EACH ROW EXECUTE FUNCTION incident_counts_keep();
CREATE TRIGGER incident_counts_update AFTER UPDATE OF state, tlp ON incidents
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.tlp IS DISTINCT FROM NEW.tlp)
    EXECUTE FUNCTION incident_counts_keep();
CREATE TRIGGER incident_counts_delete AFTER DELETE ON incidents
    FOR EACH ROW EXECUTE FUNCTION incident_counts_keep();

-- 2. Text search (?q=): SQLite's FTS5 trigram index becomes a trigram GIN
--    index (pg_trgm, a trusted extension shipped with PostgreSQL), which
--    answers the same case-insensitive substring match (ILIKE '%q%') from
--    an index.  Kept by PostgreSQL itself: no shadow table to maintain.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX incidents_text ON incidents USING gin (title gin_trgm_ops, description gin_trgm_ops);

-- 3. An index for each list filter that had none, in the cursor's order.
CREATE INDEX incidents_severity ON incidents(severity, seq);
CREATE INDEX incidents_category ON incidents(category, seq);
CREATE INDEX alerts_severity ON alerts(severity, seq);
