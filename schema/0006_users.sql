-- 0006: people who sign in from a browser, their sessions, and TLP limits.
--
-- Passwords are kept only as Argon2id strings from libsodium's
-- crypto_pwhash_str (they carry their own salt and parameters).  Sessions
-- are kept only as a keyed BLAKE2b-256 hash of the cookie value (the key is
-- the token secret, outside the database), like API tokens.

-- tlp_max: the highest TLP level this user or token may see; NULL sees all.
-- A limit of 'green' hides amber, amber+strict and red incidents everywhere.
CREATE TABLE users (
    id                    INTEGER PRIMARY KEY,
    name                  TEXT NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    role                  TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'manager', 'admin')),
    password_hash         TEXT NOT NULL,
    must_change_password  INTEGER NOT NULL DEFAULT 0 CHECK (must_change_password IN (0, 1)),
    tlp_max               TEXT CHECK (tlp_max IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
    language              TEXT CHECK (language IN ('en', 'nl')),
    created_at            TEXT NOT NULL,
    created_by            TEXT NOT NULL,
    disabled_at           TEXT,
    disabled_by           TEXT,
    last_sign_in_at       TEXT
) STRICT;

-- One row per sign-in.  created_unix and seen_unix (seconds since the
-- epoch) give the absolute and idle timeouts; seen_unix is refreshed at most
-- once a minute.  ended_at is set on sign-out, on disabling the user and on
-- a password reset; rows stay for the record.
CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    hash          BLOB NOT NULL UNIQUE CHECK (length(hash) = 32),
    user_id       INTEGER NOT NULL REFERENCES users(id),
    csrf          TEXT NOT NULL,
    address       TEXT NOT NULL,
    created_unix  INTEGER NOT NULL,
    seen_unix     INTEGER NOT NULL,
    ended_at      TEXT
) STRICT;
CREATE INDEX sessions_user ON sessions(user_id) WHERE ended_at IS NULL;

ALTER TABLE tokens ADD COLUMN tlp_max TEXT
    CHECK (tlp_max IN ('clear', 'green', 'amber', 'amber+strict', 'red'));
