-- 0020 (PostgreSQL): each distinct rule file and profile text kept once,
-- by its digest (schema/0020_rule_texts.sql).
CREATE TABLE rule_texts (
    hash  text PRIMARY KEY,
    kind  text NOT NULL CHECK (kind IN ('rules', 'profile')),
    text  text NOT NULL
);
