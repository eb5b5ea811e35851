-- 0008: preparedness: the applicability self-assessment, the risk register
-- (assets, threats, scenarios, measures, suppliers, critical functions) and
-- the links between incidents and that register.
--
-- An assessment keeps its answers and its result as they were on that day,
-- with the versions of the questionnaire and of the law data it used, so a
-- later change of the law files never rewrites an old answer.  Applying one
-- to the organisation profile is recorded here and in the audit chain.
CREATE TABLE assessments (
    id                     TEXT PRIMARY KEY,  -- UUIDv7
    created_at             TEXT NOT NULL,
    created_by             TEXT NOT NULL,
    language               TEXT NOT NULL CHECK (language IN ('nl', 'en')),
    law_version            TEXT NOT NULL,
    questionnaire_version  TEXT NOT NULL,
    answers                TEXT NOT NULL CHECK (answers LIKE '{%}'),  -- JSON object
    result                 TEXT NOT NULL CHECK (result LIKE '{%}'),   -- JSON object
    nis2                   TEXT NOT NULL CHECK (nis2 IN ('essential', 'important', 'out_of_scope')),
    applied_at             TEXT,
    applied_by             TEXT,
    CHECK ((applied_at IS NULL) = (applied_by IS NULL))
) STRICT;

-- The register: one row per item.  `kind` fixes the members of `doc`
-- (server/core/register.c validates them, docs/PREPAREDNESS.md lists them);
-- references between items (a scenario's asset and threat, a measure's
-- scenarios, a service's dependencies) are ids inside doc, checked on every
-- write: an item still referenced cannot be deleted.
CREATE TABLE register_items (
    id          TEXT PRIMARY KEY,  -- UUIDv7
    kind        TEXT NOT NULL CHECK (kind IN ('asset', 'threat', 'scenario', 'measure',
                                              'supplier', 'function')),
    name        TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    doc         TEXT NOT NULL CHECK (doc LIKE '{%}'),  -- a JSON object
    version     INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at  TEXT NOT NULL,
    created_by  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL,
    UNIQUE (kind, name)
) STRICT;

-- Which register items an incident touches: `affects` (an asset, service or
-- supplier hit by the incident), `realised` (the scenario the incident
-- turned out to be) and `produced` (a measure taken because of it: the
-- "learn" part of resilience).
CREATE TABLE incident_links (
    incident_id  TEXT NOT NULL REFERENCES incidents(id),
    item_id      TEXT NOT NULL REFERENCES register_items(id),
    relation     TEXT NOT NULL CHECK (relation IN ('affects', 'realised', 'produced')),
    created_at   TEXT NOT NULL,
    created_by   TEXT NOT NULL,
    PRIMARY KEY (incident_id, item_id, relation)
) STRICT;
CREATE INDEX incident_links_item ON incident_links(item_id);
