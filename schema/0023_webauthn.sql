-- 0023: passkeys (WebAuthn) as a second factor and for signing in without a
-- password (issue 21).
--
-- A credential is what the authenticator made at registration: its id (the
-- handle the browser names it by), its public key (cose_alg names the COSE
-- algorithm, -7 ES256, -257 RS256, -8 EdDSA; public_key is the key in the
-- raw form libfido2's *_pk_from_ptr() takes), the signature counter last seen
-- (an assertion whose counter is not above it, when either is non-zero,
-- points to a cloned authenticator and is refused), the transports the
-- browser reported and a name the user chose.  user_handle is the random id
-- the authenticator keeps for passwordless sign-in.
CREATE TABLE webauthn_credentials (
    id             INTEGER PRIMARY KEY,
    user_id        INTEGER NOT NULL REFERENCES users(id),
    credential_id  BLOB NOT NULL UNIQUE CHECK (length(credential_id) BETWEEN 16 AND 1023),
    cose_alg       INTEGER NOT NULL,
    public_key     BLOB NOT NULL CHECK (length(public_key) BETWEEN 32 AND 1024),
    sign_count     INTEGER NOT NULL DEFAULT 0,
    transports     TEXT NOT NULL DEFAULT '[]',
    name           TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 64),
    created_at     TEXT NOT NULL,
    last_used_at   TEXT
) STRICT;
CREATE INDEX webauthn_credentials_user ON webauthn_credentials(user_id);

-- The random user handle a user's passkeys carry (WebAuthn's user.id): not
-- the row id, so it says nothing about how many users there are.
CREATE TABLE webauthn_users (
    user_id  INTEGER PRIMARY KEY REFERENCES users(id),
    handle   BLOB NOT NULL UNIQUE CHECK (length(handle) = 32)
) STRICT;

-- Challenges handed out and not yet used: each one is spent by the first
-- answer (deleted in the writer's transaction), and is good until
-- expires_unix.  purpose: 'register' and 'verify' belong to a session
-- (session_id), 'sign-in' (passwordless) to no one yet.
CREATE TABLE webauthn_challenges (
    challenge     BLOB PRIMARY KEY CHECK (length(challenge) = 32),
    purpose       TEXT NOT NULL CHECK (purpose IN ('register', 'verify', 'sign-in')),
    session_id    INTEGER,
    user_id       INTEGER,
    expires_unix  INTEGER NOT NULL
) STRICT;
