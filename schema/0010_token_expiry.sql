-- 0010: API tokens can expire.
--
-- expires_at (RFC 3339, UTC) NULL: the token is valid until it is revoked.
-- From that second on the token authenticates nobody; the row stays, like a
-- revoked one, and keeps its name until it is revoked.
ALTER TABLE tokens ADD COLUMN expires_at TEXT
    CHECK (expires_at IS NULL OR expires_at GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]Z');
