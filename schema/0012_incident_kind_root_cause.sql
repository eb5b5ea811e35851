-- 0012: what was recorded, and the apparent root cause (issue 16 items 9
-- and 11).  (0011 is taken by another branch.)
--
-- kind: an incident, a near miss or a significant cyber threat (NIS2 art.
-- 6(6), (5), (11)); only an incident can be a significant incident, the
-- others may be notified voluntarily (art. 30).  Every incident recorded so
-- far was an incident.
--
-- root_cause_category (one of a fixed list, server/core/incident_types.c)
-- and root_cause (words): the apparent root cause.  Incidents with the same
-- one may count together as one significant incident (CIR 2024/2690 art. 4;
-- RTS 2024/1772 art. 8(2)), so they are looked up by category.
ALTER TABLE incidents ADD COLUMN kind TEXT NOT NULL DEFAULT 'incident'
    CHECK (kind IN ('incident', 'near_miss', 'cyber_threat'));
ALTER TABLE incidents ADD COLUMN root_cause_category TEXT
    CHECK (root_cause_category IS NULL OR root_cause_category IN
           ('malicious_action', 'human_error', 'system_failure', 'process_failure',
            'third_party_failure', 'natural_phenomenon', 'other'));
ALTER TABLE incidents ADD COLUMN root_cause TEXT;
CREATE INDEX incidents_root_cause ON incidents(root_cause_category)
    WHERE root_cause_category IS NOT NULL;
