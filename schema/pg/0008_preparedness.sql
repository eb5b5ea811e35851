-- 0008 (PostgreSQL): the applicability self-assessment, the risk register
-- and the links between incidents and it (schema/0008_preparedness.sql).
CREATE TABLE assessments (
    id                     text PRIMARY KEY,
    created_at             text NOT NULL,
    created_by             text NOT NULL,
    language               text NOT NULL CHECK (language IN ('nl', 'en')),
    law_version            text NOT NULL,
    questionnaire_version  text NOT NULL,
    answers                text NOT NULL CHECK (answers LIKE '{%}'),
    result                 text NOT NULL CHECK (result LIKE '{%}'),
    nis2                   text NOT NULL CHECK (nis2 IN ('essential', 'important', 'out_of_scope')),
    applied_at             text,
    applied_by             text,
    CHECK ((applied_at IS NULL) = (applied_by IS NULL))
);

CREATE TABLE register_items (
    id          text PRIMARY KEY,
    kind        text NOT NULL CHECK (kind IN ('asset', 'threat', 'scenario', 'measure',
                                              'supplier', 'function')),
    name        text NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    doc         text NOT NULL CHECK (doc LIKE '{%}'),
    version     bigint NOT NULL DEFAULT 1 CHECK (version >= 1),
    created_at  text NOT NULL,
    created_by  text NOT NULL,
    updated_at  text NOT NULL,
    updated_by  text NOT NULL,
    UNIQUE (kind, name)
);

CREATE TABLE incident_links (
    incident_id  text NOT NULL REFERENCES incidents(id),
    item_id      text NOT NULL REFERENCES register_items(id),
    relation     text NOT NULL CHECK (relation IN ('affects', 'realised', 'produced')),
    created_at   text NOT NULL,
    created_by   text NOT NULL,
    PRIMARY KEY (incident_id, item_id, relation)
);
CREATE INDEX incident_links_item ON incident_links(item_id);
