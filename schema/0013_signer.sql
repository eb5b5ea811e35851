-- 0013: a person's full name and function, as they sign.
--
-- A signed notification names its signer as the authority needs it: the
-- full name and the function ("J. de Vries, CISO"), not the sign-in name.
-- NULL: not given (the document then falls back to the sign-in name).
ALTER TABLE users ADD COLUMN full_name TEXT CHECK (full_name IS NULL OR length(full_name) BETWEEN 1 AND 100);
ALTER TABLE users ADD COLUMN job_title TEXT CHECK (job_title IS NULL OR length(job_title) BETWEEN 1 AND 100);
