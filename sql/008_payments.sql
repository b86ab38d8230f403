-- Card payments of orders as the payment provider reported them, and the provider
-- webhook events already processed. Only the provider's payment id, the card's brand
-- and its last four digits are kept: never a card number, CVC or card token.

CREATE TABLE payments (
  -- The provider's payment id, such as pi_... at Stripe.
  id text PRIMARY KEY,
  order_id uuid NOT NULL REFERENCES orders (id) ON DELETE CASCADE,
  provider text NOT NULL,
  -- The client's Idempotency-Key of the payment request, so a retry finds this payment.
  idempotency_key text NOT NULL,
  status text NOT NULL CHECK (status IN ('requires_action', 'processing', 'succeeded', 'declined', 'failed', 'refunded')),
  amount_minor bigint NOT NULL CHECK (amount_minor > 0),
  currency text NOT NULL,
  card_brand text,
  card_last4 text CHECK (card_last4 ~ '^[0-9]{4}$'),
  decline_code text,
  -- Set when this payment moved its order to paid; a refund of any other payment leaves the order alone.
  applied_at timestamptz,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (order_id, idempotency_key)
);
CREATE INDEX payments_order ON payments (order_id);

-- Webhook events processed, per provider. An insert with ON CONFLICT DO NOTHING returns no
-- row for a redelivered event, so the same event twice changes nothing.
CREATE TABLE payment_events (
  provider text NOT NULL,
  event_id text NOT NULL,
  received_at timestamptz NOT NULL,
  PRIMARY KEY (provider, event_id)
);
