-- 0003 (PostgreSQL): the organisation profile, one row
-- (schema/0003_organisation.sql), seeded with the same Dutch default.
CREATE TABLE organisation (
    id          bigint PRIMARY KEY CHECK (id = 1),
    doc         text NOT NULL,
    version     bigint NOT NULL DEFAULT 1,
    updated_at  text NOT NULL,
    updated_by  text NOT NULL
);

INSERT INTO organisation(id, doc, updated_at, updated_by) VALUES (1,
    '{"name":"","country":"NL","sector":null,"subsector":null,"nis2_class":"none",'
    || '"entity_types":[],"cer_critical":false,"dora_financial":false,'
    || '"annual_turnover_eur":null,"microenterprise":false,'
    || '"recipients":{"csirt":{"name":"NCSC-NL","contact":"cert@ncsc.nl"},'
    || '"supervisor":{"name":"","contact":""},'
    || '"dpa":{"name":"Autoriteit Persoonsgegevens","contact":"https://autoriteitpersoonsgegevens.nl/datalek-melden"},'
    || '"cer_authority":{"name":"","contact":""},'
    || '"financial_supervisor":{"name":"","contact":""}}}',
    to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), 'meldpunt');
