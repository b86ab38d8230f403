-- A device that connects is sent the campaign pushes its contact has not acknowledged.
-- That lookup goes from the device to its contact, and without this index it scans every contact.
CREATE INDEX contacts_device ON contacts (device_id) WHERE device_id IS NOT NULL;
