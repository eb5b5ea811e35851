-- 0010 (PostgreSQL): API tokens can expire (schema/0010_token_expiry.sql).
-- SQLite's GLOB pattern as a regular expression.
ALTER TABLE tokens ADD COLUMN expires_at text
    CHECK (expires_at IS NULL OR expires_at ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$');
