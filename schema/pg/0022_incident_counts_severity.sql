-- 0022 (PostgreSQL): the dashboard's counts from the server
-- (schema/0022_incident_counts_severity.sql): incident_counts holds the
-- severity too.
DROP TRIGGER incident_counts_insert ON incidents;
DROP TRIGGER incident_counts_update ON incidents;
DROP TRIGGER incident_counts_delete ON incidents;
DROP FUNCTION incident_counts_keep();
DROP TABLE incident_counts;

CREATE TABLE incident_counts (
    state     text NOT NULL,
    severity  text NOT NULL,
    tlp       text NOT NULL,
    n         bigint NOT NULL CHECK (n >= 0),
    PRIMARY KEY (state, severity, tlp)
);

INSERT INTO incident_counts(state, severity, tlp, n)
    SELECT state, severity, tlp, count(*) FROM incidents GROUP BY state, severity, tlp;

CREATE FUNCTION incident_counts_keep() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE incident_counts SET n = n - 1
            WHERE state = OLD.state AND severity = OLD.severity AND tlp = OLD.tlp;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO incident_counts(state, severity, tlp, n) VALUES (NEW.state, NEW.severity, NEW.tlp, 1)
            ON CONFLICT (state, severity, tlp) DO UPDATE SET n = incident_counts.n + 1;
    END IF;
    RETURN NULL;
END;
$$;
CREATE TRIGGER incident_counts_insert AFTER INSERT ON incidents
    FOR EACH ROW EXECUTE FUNCTION incident_counts_keep();
CREATE TRIGGER incident_counts_update AFTER UPDATE OF state, severity, tlp ON incidents
    FOR EACH ROW WHEN (OLD.state IS DISTINCT FROM NEW.state OR OLD.severity IS DISTINCT FROM NEW.severity
                       OR OLD.tlp IS DISTINCT FROM NEW.tlp)
    EXECUTE FUNCTION incident_counts_keep();
CREATE TRIGGER incident_counts_delete AFTER DELETE ON incidents
    FOR EACH ROW EXECUTE FUNCTION incident_counts_keep();
