-- When an import last wrote a batch, so an import whose process stopped can be told
-- from one that is still reading.
ALTER TABLE imports ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
