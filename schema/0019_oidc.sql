-- 0019: people who sign in through an OpenID Connect provider (issue 21).
--
-- A user created or linked by OpenID Connect sign-in is known by the
-- provider's issuer and subject ("iss" and "sub" of the ID token, OpenID
-- Connect Core 1.0 section 5.7: the only stable pair), never by the name
-- it shows, which the provider may change.  Such a user's password_hash is
-- '!', which no password matches: they sign in at their provider only.
ALTER TABLE users ADD COLUMN oidc_issuer TEXT CHECK (length(oidc_issuer) BETWEEN 1 AND 512);
ALTER TABLE users ADD COLUMN oidc_subject TEXT CHECK (length(oidc_subject) BETWEEN 1 AND 255);
CREATE UNIQUE INDEX users_oidc ON users(oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;
