-- A device connecting is sent the campaign pushes its contact has not acknowledged; the
-- lookup goes from the device to its contact, which without this index scans every contact.
CREATE INDEX contacts_device ON contacts (device_id) WHERE device_id IS NOT NULL;
