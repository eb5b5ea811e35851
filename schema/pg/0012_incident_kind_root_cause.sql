-- 0012 (PostgreSQL): what was recorded, and the apparent root cause
-- (schema/0012_incident_kind_root_cause.sql).
ALTER TABLE incidents ADD COLUMN kind text NOT NULL DEFAULT 'incident'
    CHECK (kind IN ('incident', 'near_miss', 'cyber_threat'));
ALTER TABLE incidents ADD COLUMN root_cause_category text
    CHECK (root_cause_category IS NULL OR root_cause_category IN
           ('malicious_action', 'human_error', 'system_failure', 'process_failure',
            'third_party_failure', 'natural_phenomenon', 'other'));
ALTER TABLE incidents ADD COLUMN root_cause text;
CREATE INDEX incidents_root_cause ON incidents(root_cause_category)
    WHERE root_cause_category IS NOT NULL;
