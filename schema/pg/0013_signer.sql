-- 0013 (PostgreSQL): a person's full name and function, as they sign
-- (schema/0013_signer.sql).
ALTER TABLE users ADD COLUMN full_name text CHECK (full_name IS NULL OR length(full_name) BETWEEN 1 AND 100);
ALTER TABLE users ADD COLUMN job_title text CHECK (job_title IS NULL OR length(job_title) BETWEEN 1 AND 100);
