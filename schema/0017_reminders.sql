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
