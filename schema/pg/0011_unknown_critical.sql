-- 0011 (PostgreSQL): whether a service is critical may be unknown
-- (schema/0011_unknown_critical.sql).  PostgreSQL drops a NOT NULL in
-- place; SQLite had to build the table anew.
ALTER TABLE services ALTER COLUMN critical DROP NOT NULL;
ALTER TABLE services ALTER COLUMN critical DROP DEFAULT;
ALTER TABLE services ADD CHECK (critical IN (0, 1));
