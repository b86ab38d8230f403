-- One single-use code per recipient and segment, so issuing a recipient's code twice,
-- even from two processes at once, returns the code issued first.
CREATE UNIQUE INDEX codes_segment_contact_unique ON codes (segment_id, contact_id) WHERE contact_id IS NOT NULL AND segment_id IS NOT NULL;
