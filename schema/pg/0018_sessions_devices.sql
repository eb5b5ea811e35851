-- 0018 (PostgreSQL): the device of a session, and where an API token may
-- be used from (schema/0018_sessions_devices.sql).  GLOB becomes a regular
-- expression: no character outside [0-9a-f.:/,].
ALTER TABLE sessions ADD COLUMN user_agent text CHECK (user_agent IS NULL OR length(user_agent) <= 512);
ALTER TABLE tokens ADD COLUMN allowed_sources text
    CHECK (allowed_sources IS NULL OR (length(allowed_sources) BETWEEN 4 AND 800 AND allowed_sources !~ '[^0-9a-f.:/,]'));
