-- Ordering ahead: each truck's menu, the daily specials sold, orders with their status
-- history, the secrets that let a phone read its order, and the pickup numbers of each day.

-- The menu as the admin saved it (see orders/menu.ts for its shape). The preparation
-- times feed the ready-time estimate of paid orders.
CREATE TABLE menus (
  truck_id uuid PRIMARY KEY REFERENCES trucks (id) ON DELETE CASCADE,
  menu jsonb NOT NULL,
  prep_seconds_per_item integer NOT NULL DEFAULT 60 CHECK (prep_seconds_per_item BETWEEN 0 AND 3600),
  prep_base_seconds integer NOT NULL DEFAULT 120 CHECK (prep_base_seconds BETWEEN 0 AND 3600),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Units of a daily special taken by orders not cancelled or refunded, per truck and
-- local day. Orders reserve units with a conditional UPDATE, so the count never
-- passes the special's quantity.
CREATE TABLE specials_sold (
  truck_id uuid NOT NULL REFERENCES trucks (id) ON DELETE CASCADE,
  local_date date NOT NULL,
  item_id text NOT NULL,
  sold integer NOT NULL DEFAULT 0 CHECK (sold >= 0),
  PRIMARY KEY (truck_id, local_date, item_id)
);

CREATE TABLE orders (
  id uuid PRIMARY KEY,
  truck_id uuid NOT NULL REFERENCES trucks (id) ON DELETE CASCADE,
  idempotency_key text NOT NULL,
  -- SHA-256 of the request as parsed, hex, which distinguishes a retry from another request with the same key.
  request_hash text NOT NULL,
  -- { name?, phone?, email?, deviceId? } as the customer gave them; never a device token.
  customer jsonb NOT NULL,
  -- The priced lines (orders/cart.ts PricedLine), so a later menu change leaves the order as sold.
  lines jsonb NOT NULL,
  item_count integer NOT NULL CHECK (item_count > 0),
  subtotal_minor bigint NOT NULL CHECK (subtotal_minor >= 0),
  discount_minor bigint NOT NULL CHECK (discount_minor >= 0),
  total_minor bigint NOT NULL CHECK (total_minor >= 0),
  currency text NOT NULL,
  code text REFERENCES codes (code) ON DELETE SET NULL,
  -- Tracking for the reports, copied from the code's record when the order has a code.
  campaign_id uuid REFERENCES campaigns (id) ON DELETE SET NULL,
  segment_id uuid REFERENCES segments (id) ON DELETE SET NULL,
  contact_id uuid REFERENCES contacts (id) ON DELETE SET NULL,
  device_id uuid REFERENCES devices (id) ON DELETE SET NULL,
  channel text CHECK (channel IN ('push', 'sms', 'x', 'messenger', 'email', 'outbox', 'walk_in')),
  status text NOT NULL CHECK (status IN ('placed', 'paid', 'preparing', 'ready', 'picked_up', 'cancelled', 'refunded')),
  pickup_number text,
  -- The truck's local day when the order was placed, which selects the day's specials.
  local_date date NOT NULL,
  paid_at timestamptz,
  estimated_ready_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (truck_id, idempotency_key)
);
CREATE INDEX orders_truck_status ON orders (truck_id, status, paid_at);
CREATE INDEX orders_campaign ON orders (campaign_id) WHERE campaign_id IS NOT NULL;

-- Every status an order took, with who set it ('customer', 'staff', 'payment', 'system').
CREATE TABLE order_events (
  id bigserial PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  status text NOT NULL,
  at timestamptz NOT NULL,
  actor text NOT NULL
);
CREATE INDEX order_events_order ON order_events (order_id, id);

-- SHA-256 of each secret that lets a phone read its order, hex. A retried placement
-- issues another secret, because only the hash of the first one is kept.
CREATE TABLE order_tokens (
  token_hash text PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_tokens_order ON order_tokens (order_id);

-- The last pickup number given per truck and local day of payment.
CREATE TABLE pickup_counters (
  truck_id uuid NOT NULL REFERENCES trucks (id) ON DELETE CASCADE,
  local_date date NOT NULL,
  last integer NOT NULL,
  PRIMARY KEY (truck_id, local_date)
);
