-- When a claimed job passed the frequency cap and the once-per-campaign rule, so its
-- provider may be called. The check and this mark are written in one transaction under
-- a lock on the contact's row. The cap counts the contact's jobs that are 'sending' with
-- this mark, so two processes cannot both clear a message that the cap allows only once.
-- A requeue and a new claim set it back to null.
ALTER TABLE send_jobs ADD COLUMN cleared_at timestamptz;

-- The cap and the once-per-campaign rule read a contact's jobs, and erasing a contact
-- deletes them: without this index each of those scans the whole queue.
CREATE INDEX send_jobs_contact ON send_jobs (contact_id);
