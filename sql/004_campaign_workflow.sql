-- The campaign as the marketer plans it: goal, channels, segments with members and
-- codes, consent per contact and channel, message templates, durable send jobs and
-- the outbox of channels without a provider.

-- Goal: { reach, convert, revenueMinor?, currency? }. Channels: the channels the campaign uses.
-- time_zone: the zone of the benefit's validity window and of the send times
-- (the first truck's zone unless the marketer picks another).
ALTER TABLE campaigns ADD COLUMN goal jsonb;
ALTER TABLE campaigns ADD COLUMN channels text[] NOT NULL DEFAULT ARRAY['push'];
ALTER TABLE campaigns ADD COLUMN time_zone text;
ALTER TABLE campaigns ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
-- When the scheduled sends go out, local time in time_zone; null sends at the window start.
ALTER TABLE campaigns ADD COLUMN send_at_local text;

-- code_mode: 'shared' gives every member the segment's human-friendly code (once per
-- customer); 'unique' gives each recipient a single-use code of their own.
ALTER TABLE segments ADD COLUMN code_mode text NOT NULL DEFAULT 'unique' CHECK (code_mode IN ('shared', 'unique'));
ALTER TABLE segments ADD COLUMN shared_code text;

ALTER TABLE contacts ADD COLUMN last_name text;
ALTER TABLE contacts ADD COLUMN x_user_id text;
ALTER TABLE contacts ADD COLUMN messenger_psid text;
-- Messenger's messaging window: the person's last message to the page, and a
-- recurring-notification token they granted.
ALTER TABLE contacts ADD COLUMN messenger_last_message_at timestamptz;
ALTER TABLE contacts ADD COLUMN messenger_token text;
ALTER TABLE contacts ADD COLUMN messenger_token_expires_at timestamptz;
-- For quiet hours in the contact's own zone; the campaign's zone when null.
ALTER TABLE contacts ADD COLUMN time_zone text;
ALTER TABLE contacts ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE UNIQUE INDEX contacts_x_user_unique ON contacts (x_user_id) WHERE x_user_id IS NOT NULL;
CREATE UNIQUE INDEX contacts_messenger_unique ON contacts (messenger_psid) WHERE messenger_psid IS NOT NULL;

CREATE TABLE segment_members (
  segment_id uuid NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
  contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  import_id uuid,
  added_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (segment_id, contact_id)
);
CREATE INDEX segment_members_contact ON segment_members (contact_id);

-- The current consent per contact and channel; consent_events keeps every change.
CREATE TABLE consents (
  contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('push', 'sms', 'x', 'messenger', 'email')),
  granted boolean NOT NULL,
  at timestamptz NOT NULL,
  source text NOT NULL,
  PRIMARY KEY (contact_id, channel)
);

CREATE TABLE consent_events (
  id bigserial PRIMARY KEY,
  contact_id uuid NOT NULL REFERENCES contacts (id) ON DELETE CASCADE,
  channel text NOT NULL,
  granted boolean NOT NULL,
  at timestamptz NOT NULL,
  source text NOT NULL
);
CREATE INDEX consent_events_contact ON consent_events (contact_id, at);

CREATE TABLE imports (
  id uuid PRIMARY KEY,
  segment_id uuid NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
  status text NOT NULL CHECK (status IN ('running', 'done', 'failed')),
  format text NOT NULL,
  file_name text,
  default_country text NOT NULL,
  progress jsonb NOT NULL DEFAULT '{}',
  summary jsonb,
  error text,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz
);
CREATE INDEX imports_segment ON imports (segment_id, started_at DESC);

-- Rows an import reported: errors (no contact), warnings (contact kept without a
-- field) and duplicates, each with its line in the file.
CREATE TABLE import_issues (
  import_id uuid NOT NULL REFERENCES imports (id) ON DELETE CASCADE,
  seq integer NOT NULL,
  line integer NOT NULL,
  severity text NOT NULL CHECK (severity IN ('error', 'warning', 'duplicate')),
  field text,
  value text,
  reason text NOT NULL,
  PRIMARY KEY (import_id, seq)
);

-- One template per segment and message kind: push, sms, x_post, x_dm, messenger, email.
CREATE TABLE templates (
  segment_id uuid NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('push', 'sms', 'x_post', 'x_dm', 'messenger', 'email')),
  subject text,
  body text NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (segment_id, kind)
);

-- Who redeemed a shared code: once per customer.
CREATE TABLE redemptions (
  code text NOT NULL REFERENCES codes (code) ON DELETE CASCADE,
  customer_key text NOT NULL,
  truck_id uuid,
  redeemed_at timestamptz NOT NULL,
  PRIMARY KEY (code, customer_key)
);

-- Durable send jobs. A job is claimed (status 'sending') in its own committed
-- transaction before the provider is called, so a restarted process never sends it
-- again: a claim whose lease ran out is parked as "outcome unknown" for a person to check.
CREATE TABLE send_jobs (
  id uuid PRIMARY KEY,
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  segment_id uuid NOT NULL REFERENCES segments (id) ON DELETE CASCADE,
  -- Null for an X post, which goes to the followers at large.
  contact_id uuid REFERENCES contacts (id) ON DELETE CASCADE,
  kind text NOT NULL CHECK (kind IN ('push', 'sms', 'x_post', 'x_dm', 'messenger', 'email')),
  code text REFERENCES codes (code) ON DELETE SET NULL,
  send_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('queued', 'sending', 'sent', 'delivered', 'failed', 'parked', 'skipped', 'cancelled')),
  attempts integer NOT NULL DEFAULT 0,
  next_attempt_at timestamptz NOT NULL,
  lease_until timestamptz,
  provider text,
  sender text,
  recipient text,
  provider_message_id text,
  reason text,
  sent_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX send_jobs_once ON send_jobs (campaign_id, segment_id, kind, coalesce(contact_id, '00000000-0000-0000-0000-000000000000'::uuid));
CREATE INDEX send_jobs_due ON send_jobs (next_attempt_at) WHERE status = 'queued';
CREATE INDEX send_jobs_contact_sent ON send_jobs (contact_id, sent_at) WHERE sent_at IS NOT NULL;
CREATE INDEX send_jobs_provider_message ON send_jobs (provider_message_id) WHERE provider_message_id IS NOT NULL;

-- Per-sender pacing shared by every process: the earliest time the sender may send next.
CREATE TABLE sender_slots (
  sender text PRIMARY KEY,
  next_at timestamptz NOT NULL
);

-- What a channel without a provider would have sent.
CREATE TABLE outbox (
  id bigserial PRIMARY KEY,
  job_id uuid NOT NULL UNIQUE REFERENCES send_jobs (id) ON DELETE CASCADE,
  channel text NOT NULL,
  recipient text NOT NULL,
  subject text,
  body text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

-- Workspace settings as JSON by key, such as 'messaging' (quiet hours, frequency cap).
CREATE TABLE settings (
  key text PRIMARY KEY,
  value jsonb NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Inbound SMS, kept for the audit trail of STOP/START/HELP.
CREATE TABLE inbound_messages (
  id text PRIMARY KEY,
  channel text NOT NULL,
  sender text NOT NULL,
  body text NOT NULL,
  keyword text,
  received_at timestamptz NOT NULL DEFAULT now()
);
