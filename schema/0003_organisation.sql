-- 0003: the organisation profile: one row, a JSON document whose members and
-- types are fixed by server/core/organisation.c.  Seeded with a Dutch
-- default that an admin completes (PUT /api/v1/organisation).
CREATE TABLE organisation (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    doc         TEXT NOT NULL,
    version     INTEGER NOT NULL DEFAULT 1,
    updated_at  TEXT NOT NULL,
    updated_by  TEXT NOT NULL
) STRICT;

INSERT INTO organisation(id, doc, updated_at, updated_by) VALUES (1,
    '{"name":"","country":"NL","sector":null,"subsector":null,"nis2_class":"none",'
    || '"entity_types":[],"cer_critical":false,"dora_financial":false,'
    || '"annual_turnover_eur":null,"microenterprise":false,'
    || '"recipients":{"csirt":{"name":"NCSC-NL","contact":"cert@ncsc.nl"},'
    || '"supervisor":{"name":"","contact":""},'
    || '"dpa":{"name":"Autoriteit Persoonsgegevens","contact":"https://autoriteitpersoonsgegevens.nl/datalek-melden"},'
    || '"cer_authority":{"name":"","contact":""},'
    || '"financial_supervisor":{"name":"","contact":""}}}',
    strftime('%Y-%m-%dT%H:%M:%SZ', 'now'), 'meldpunt');
