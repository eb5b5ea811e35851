-- 0021 (PostgreSQL): a profile nobody has answered says "not known yet",
-- not "no" (schema/0021_profile_unknown.sql): the seed's NIS2 class and
-- three yes/no answers become null while the profile is still the seed.
UPDATE organisation
   SET doc = (doc::jsonb || '{"nis2_class": null, "cer_critical": null, "dora_financial": null, "microenterprise": null}'::jsonb)::text
 WHERE id = 1 AND version = 1 AND updated_by = 'meldpunt';
