-- Texts that tell a customer the order is ready, for customers who agreed to them
-- (customer.smsUpdates). One row per order, written with the move to ready; the text is
-- sent only when no app acknowledged the update within a short delay.
CREATE TABLE order_notices (
  order_id uuid PRIMARY KEY REFERENCES orders (id) ON DELETE CASCADE,
  phone text NOT NULL,
  -- When the order became ready; the sender waits its delay after this.
  ready_at timestamptz NOT NULL,
  -- The earliest next attempt, after a temporary provider error.
  next_attempt_at timestamptz NOT NULL,
  status text NOT NULL CHECK (status IN ('pending', 'sending', 'sent', 'not_needed', 'skipped', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  lease_until timestamptz,
  provider text,
  provider_message_id text,
  -- The text as sent; with no SMS provider configured it is kept here instead of sent.
  body text,
  reason text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX order_notices_pending ON order_notices (ready_at) WHERE status = 'pending';

-- An order that its discount made free is settled without a card, by a payment of 0
-- from the provider "none", so free and paid orders take the same path to the kitchen.
ALTER TABLE payments DROP CONSTRAINT payments_amount_minor_check;
ALTER TABLE payments ADD CONSTRAINT payments_amount_minor_check CHECK (amount_minor >= 0);
