-- The transition rules a campaign sets (dwell, exit margin, stale time, accuracy and
-- speed limits), as given: the engine fills in its defaults for the fields left out.
ALTER TABLE campaigns ADD COLUMN rules jsonb NOT NULL DEFAULT '{}';
ALTER TABLE fences ADD COLUMN rules jsonb NOT NULL DEFAULT '{}';
