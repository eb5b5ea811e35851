-- 0014 (PostgreSQL): a person's calendar feed of the reporting deadlines
-- (schema/0014_calendar_feeds.sql).
CREATE TABLE calendar_feeds (
    user_id     bigint PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash  bytea NOT NULL UNIQUE CHECK (octet_length(token_hash) = 32),
    created_at  text NOT NULL
);
