-- 0018: the device of a session, and where an API token may be used from.
--
-- sessions.user_agent: the User-Agent header the browser sent when signing
-- in (at most 512 bytes kept), summarised in words when sessions are listed
-- (lib/useragent.c).  NULL for sessions from before this migration.
--
-- tokens.allowed_sources: the address blocks (CIDR, IPv4 and IPv6) a token
-- may be used from, comma-separated in canonical text ("10.0.0.0/8,
-- 2001:db8::/32" without the space); NULL: from anywhere.
ALTER TABLE sessions ADD COLUMN user_agent TEXT CHECK (user_agent IS NULL OR length(user_agent) <= 512);
ALTER TABLE tokens ADD COLUMN allowed_sources TEXT
    CHECK (allowed_sources IS NULL OR (length(allowed_sources) BETWEEN 4 AND 800 AND allowed_sources NOT GLOB '*[^0-9a-f.:/,]*'));
