-- 0021: a profile nobody has answered says "not known yet", not "no".
--
-- 0003 seeded the organisation profile with nis2_class "none" and false
-- for cer_critical, dora_financial and microenterprise, so a new
-- installation judged every incident as outside NIS2, CER and DORA before
-- anyone had said so.  Those were never answers: a profile that is still
-- the seed (version 1, written by meldpunt itself) gets null, the rules'
-- "unknown", for the four; the rules then name them as missing instead of
-- dropping the duties.  A profile an admin or the questionnaire has saved
-- is left as it is.  The version stays 1: it is still the seed, only
-- now the seed says what nobody has answered.
UPDATE organisation
   SET doc = json_set(doc, '$.nis2_class', json('null'), '$.cer_critical', json('null'),
                      '$.dora_financial', json('null'), '$.microenterprise', json('null'))
 WHERE id = 1 AND version = 1 AND updated_by = 'meldpunt';
