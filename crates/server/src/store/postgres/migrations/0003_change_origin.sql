-- The device whose push answer carried each change, so its pulls can leave it out.
ALTER TABLE change_log ADD COLUMN origin TEXT;
