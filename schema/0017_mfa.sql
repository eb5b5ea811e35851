-- 0017: the second factor (issue 21): TOTP, recovery codes, the state of
-- each session's second step, break-glass accounts and their use.
--
-- The TOTP secret is kept encrypted (libsodium secretbox under a key
-- derived from the token secret, which lives outside the database), so a
-- copy of the database alone yields no codes.  last_counter is the time
-- step of the last code accepted: a code is refused unless its step is
-- later, so no code works twice.  confirmed_at stays NULL until the user
-- has typed one correct code; until then the factor does not count.
CREATE TABLE mfa_totp (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id),
    secret        BLOB NOT NULL,
    nonce         BLOB NOT NULL,
    last_counter  INTEGER NOT NULL DEFAULT -1,
    created_at    TEXT NOT NULL,
    confirmed_at  TEXT
) STRICT;

-- Ten one-time recovery codes per user: only their keyed BLAKE2b-256 hash
-- (under the token secret, like API tokens).  used_at is set when one is
-- spent; a new set replaces the old one whole.
CREATE TABLE mfa_recovery (
    id       INTEGER PRIMARY KEY,
    user_id  INTEGER NOT NULL REFERENCES users(id),
    hash     BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
    used_at  TEXT
) STRICT;
CREATE INDEX mfa_recovery_user ON mfa_recovery(user_id);

-- A session whose user has a second factor: pending = 1 after the
-- password, until the second step; verified_unix the last time a second
-- factor was checked in it (the step-up window counts from there).
CREATE TABLE session_mfa (
    session_id     INTEGER PRIMARY KEY REFERENCES sessions(id),
    pending        INTEGER NOT NULL CHECK (pending IN (0, 1)),
    verified_unix  INTEGER
) STRICT;

-- Break-glass accounts: local admins that work when the identity provider
-- does not.  Each use is a row here until an admin acknowledges it.
CREATE TABLE break_glass (
    user_id    INTEGER PRIMARY KEY REFERENCES users(id),
    marked_at  TEXT NOT NULL,
    marked_by  TEXT NOT NULL
) STRICT;

CREATE TABLE break_glass_uses (
    id               INTEGER PRIMARY KEY,
    user_id          INTEGER NOT NULL REFERENCES users(id),
    at               TEXT NOT NULL,
    address          TEXT NOT NULL,
    acknowledged_at  TEXT,
    acknowledged_by  TEXT
) STRICT;
CREATE INDEX break_glass_uses_open ON break_glass_uses(id) WHERE acknowledged_at IS NULL;
