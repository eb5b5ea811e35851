-- 0020: what was decided, not how it was explained (issue 19).
--
-- A classification history row used to hold the whole explanation: every
-- criterion with its text in both languages and its sources, every stage
-- with its definition -- about 8 KB, and 85 % of the database.  From this
-- migration on a row holds the decision only (per regime: applies,
-- significance, the criteria that held or may hold, the stages with their
-- due times, the rule file's hash) and the facts, with the profile by its
-- hash; the explanation is worked out again on read from the rule file
-- that took the decision (core/classify_store.c).  Rows written before are
-- read as they are: a row says by its shape which it is.
--
-- Each distinct text is kept once, by its BLAKE2b digest (the first 8
-- bytes, in hex) of its canonical form (compact JSON, keys sorted): the rule files the server
-- judged with (kind 'rules'; one a change, in the first changes after a
-- load), whatever version is in force by the time an
-- old decision is read, and the organisation profiles the decisions read
-- (kind 'profile').
CREATE TABLE rule_texts (
    hash  TEXT PRIMARY KEY,
    kind  TEXT NOT NULL CHECK (kind IN ('rules', 'profile')),
    text  TEXT NOT NULL
) STRICT;
