-- Cloudburst schema, version 1.
-- Runs unchanged on PGlite with its PostGIS extension and on PostgreSQL 15+ with PostGIS 3.3+.
-- Positions are geography(Point, 4326): distances in metres on the spheroid by default,
-- and on the sphere when a query passes use_spheroid = false, as the engine does.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE trucks (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  permit_location_id text UNIQUE,
  time_zone text NOT NULL,
  position geography(Point, 4326) NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX trucks_position_gist ON trucks USING gist (position);

CREATE TABLE campaigns (
  id uuid PRIMARY KEY,
  name text NOT NULL,
  status text NOT NULL DEFAULT 'active' CHECK (status IN ('draft', 'scheduled', 'active', 'ended')),
  -- The window in each truck's local time, as the marketer entered it (ISO local date-time).
  window_start_local text NOT NULL,
  window_end_local text NOT NULL,
  radius_m double precision NOT NULL CHECK (radius_m > 0),
  benefit jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaign_trucks (
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  truck_id uuid NOT NULL REFERENCES trucks (id) ON DELETE CASCADE,
  PRIMARY KEY (campaign_id, truck_id)
);

-- One circle per (campaign, truck): centred on the truck, active over the campaign
-- window resolved in the truck's time zone.
CREATE TABLE fences (
  id text PRIMARY KEY,
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  truck_id uuid NOT NULL REFERENCES trucks (id) ON DELETE CASCADE,
  kind text NOT NULL DEFAULT 'circle' CHECK (kind IN ('circle')),
  center geography(Point, 4326) NOT NULL,
  radius_m double precision NOT NULL CHECK (radius_m > 0),
  active_from timestamptz NOT NULL,
  active_until timestamptz NOT NULL,
  CHECK (active_until > active_from)
);
CREATE INDEX fences_center_gist ON fences USING gist (center);
CREATE INDEX fences_truck ON fences (truck_id);

CREATE TABLE segments (
  id uuid PRIMARY KEY,
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  source text NOT NULL CHECK (source IN ('nearby', 'facebook', 'twitter', 'point_of_sale', 'group')),
  name text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE devices (
  id uuid PRIMARY KEY,
  -- SHA-256 of the device token, hex; the token itself is never stored.
  token_hash text NOT NULL UNIQUE,
  platform text,
  last_seq bigint NOT NULL DEFAULT 0,
  last_seen_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contacts (
  id uuid PRIMARY KEY,
  first_name text,
  email text,
  phone_e164 text,
  locale text,
  device_id uuid REFERENCES devices (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX contacts_email_unique ON contacts (lower(email)) WHERE email IS NOT NULL;
CREATE UNIQUE INDEX contacts_phone_unique ON contacts (phone_e164) WHERE phone_e164 IS NOT NULL;

CREATE TABLE codes (
  code text PRIMARY KEY,
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  segment_id uuid REFERENCES segments (id) ON DELETE CASCADE,
  device_id uuid REFERENCES devices (id) ON DELETE SET NULL,
  contact_id uuid REFERENCES contacts (id) ON DELETE SET NULL,
  single_use boolean NOT NULL DEFAULT true,
  valid_from timestamptz NOT NULL,
  valid_until timestamptz NOT NULL,
  redeemed_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX codes_campaign ON codes (campaign_id);

CREATE TABLE offers (
  -- Derived from (campaign, device) by the engine, so a replay produces the same id.
  id uuid PRIMARY KEY,
  campaign_id uuid NOT NULL REFERENCES campaigns (id) ON DELETE CASCADE,
  device_id uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
  truck_id uuid NOT NULL REFERENCES trucks (id) ON DELETE CASCADE,
  fence_id text NOT NULL,
  segment_id uuid REFERENCES segments (id) ON DELETE SET NULL,
  code text NOT NULL UNIQUE REFERENCES codes (code),
  ping_seq bigint NOT NULL,
  ping_ts timestamptz NOT NULL,
  ping_position geography(Point, 4326) NOT NULL,
  distance_m double precision NOT NULL,
  decided_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (campaign_id, device_id)
);
CREATE INDEX offers_campaign_created ON offers (campaign_id, created_at DESC);

CREATE TABLE deliveries (
  id bigserial PRIMARY KEY,
  offer_id uuid NOT NULL REFERENCES offers (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('push', 'sms', 'x', 'messenger', 'email', 'outbox')),
  status text NOT NULL CHECK (status IN ('pending', 'sent', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  error text,
  sent_at timestamptz,
  delivered_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (offer_id, channel)
);

-- Raw pings, kept for replay and for the configured retention only.
CREATE TABLE pings (
  device_id uuid NOT NULL,
  seq bigint NOT NULL,
  ts timestamptz NOT NULL,
  position geography(Point, 4326) NOT NULL,
  accuracy_m double precision NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (device_id, seq)
);
CREATE INDEX pings_ts ON pings (ts);
CREATE INDEX pings_position_gist ON pings USING gist (position);
