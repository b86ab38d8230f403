-- Where each recorded ping sits on the bus, so a restarted engine can rebuild device
-- positions from the pings before its group's committed offsets and leave the rest
-- to the topic. Null for pings recorded before this migration.
ALTER TABLE pings ADD COLUMN bus_partition integer;
ALTER TABLE pings ADD COLUMN bus_offset bigint;
