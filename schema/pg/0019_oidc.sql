-- 0019 (PostgreSQL): people who sign in through an OpenID Connect
-- provider (schema/0019_oidc.sql).
ALTER TABLE users ADD COLUMN oidc_issuer text CHECK (length(oidc_issuer) BETWEEN 1 AND 512);
ALTER TABLE users ADD COLUMN oidc_subject text CHECK (length(oidc_subject) BETWEEN 1 AND 255);
CREATE UNIQUE INDEX users_oidc ON users(oidc_issuer, oidc_subject) WHERE oidc_subject IS NOT NULL;
