-- 0011: whether a service is critical may be unknown.
--
-- services.critical was NOT NULL DEFAULT 0, so "unknown" was stored as "no"
-- and an incident on that service was judged as touching no critical
-- service.  NULL is now "unknown" (the API's null); 0 and 1 stay no and yes.
-- SQLite cannot drop a NOT NULL constraint: the table is built anew.
CREATE TABLE services_new (
    name           TEXT PRIMARY KEY,
    description    TEXT NOT NULL DEFAULT '',
    users_total    INTEGER CHECK (users_total >= 0),
    critical       INTEGER CHECK (critical IN (0, 1)),
    member_states  TEXT NOT NULL DEFAULT '[]',
    updated_at     TEXT NOT NULL,
    updated_by     TEXT NOT NULL
) STRICT;
INSERT INTO services_new(name, description, users_total, critical, member_states, updated_at,
                         updated_by)
    SELECT name, description, users_total, critical, member_states, updated_at, updated_by
    FROM services;
DROP TABLE services;
ALTER TABLE services_new RENAME TO services;
