-- 0014: a person's calendar feed of the reporting deadlines.
--
-- GET /api/v1/calendar/{token}.ics answers with the open obligations that
-- the user may see, as iCalendar (RFC 5545).  The token is in the address,
-- as calendar programs need it; only its keyed hash (BLAKE2b with the
-- server's token secret, as for API tokens) is kept.  One feed per user:
-- creating a new one replaces the old, revoking deletes the row, and a user
-- that is deleted takes the feed along.
CREATE TABLE calendar_feeds (
    user_id     INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    token_hash  BLOB NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    created_at  TEXT NOT NULL
) STRICT;
