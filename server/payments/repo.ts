import type { Queryable } from '../../store/types.js';

/** Statuses a stored payment can have: the provider's, plus `refunded` once the product refunded it in full. */
export type StoredPaymentStatus = 'requires_action' | 'processing' | 'succeeded' | 'declined' | 'failed' | 'refunded';

/** A payment row: the provider's id and what may be kept of the card, never its number. */
export interface StoredPayment {
  id: string;
  orderId: string;
  provider: string;
  idempotencyKey: string;
  status: StoredPaymentStatus;
  amountMinor: number;
  currency: string;
  cardBrand: string | null;
  cardLast4: string | null;
  declineCode: string | null;
  /** When this payment moved its order to paid. */
  appliedAt: string | null;
  createdAt: string;
  updatedAt: string;
}

export interface NewPayment {
  id: string;
  orderId: string;
  provider: string;
  idempotencyKey: string;
  status: StoredPaymentStatus;
  amountMinor: number;
  currency: string;
  cardBrand?: string;
  cardLast4?: string;
  declineCode?: string;
  /** Epoch milliseconds. */
  at: number;
}

/** Prefix of the key of a payment first learned from a webhook, which the payment request's own key replaces. */
export const WEBHOOK_KEY_PREFIX = 'webhook:';

const COLUMNS = `id, order_id, provider, idempotency_key, status, amount_minor, currency, card_brand, card_last4, decline_code,
  applied_at, created_at, updated_at`;

interface PaymentRow {
  id: string;
  order_id: string;
  provider: string;
  idempotency_key: string;
  status: StoredPaymentStatus;
  amount_minor: number | string;
  currency: string;
  card_brand: string | null;
  card_last4: string | null;
  decline_code: string | null;
  applied_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

/**
 * Inserts the payment, or, when the provider returned the same payment again (a retry with
 * the same key), updates its status unless it was already refunded. Returns the stored row.
 */
export async function upsertPayment(db: Queryable, payment: NewPayment): Promise<StoredPayment> {
  const at = new Date(payment.at).toISOString();
  const [row] = await db.query<PaymentRow>(
    `INSERT INTO payments (id, order_id, provider, idempotency_key, status, amount_minor, currency, card_brand, card_last4, decline_code, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
     ON CONFLICT (id) DO UPDATE SET status = CASE WHEN payments.status IN ('succeeded', 'refunded') THEN payments.status ELSE EXCLUDED.status END,
       decline_code = EXCLUDED.decline_code, updated_at = EXCLUDED.updated_at,
       card_brand = COALESCE(payments.card_brand, EXCLUDED.card_brand), card_last4 = COALESCE(payments.card_last4, EXCLUDED.card_last4),
       idempotency_key = CASE WHEN payments.idempotency_key LIKE '${WEBHOOK_KEY_PREFIX}%' THEN EXCLUDED.idempotency_key ELSE payments.idempotency_key END
     RETURNING ${COLUMNS}`,
    [
      payment.id,
      payment.orderId,
      payment.provider,
      payment.idempotencyKey,
      payment.status,
      payment.amountMinor,
      payment.currency,
      payment.cardBrand ?? null,
      payment.cardLast4 ?? null,
      payment.declineCode ?? null,
      at,
    ],
  );
  return toPayment(row!);
}

export async function getPayment(db: Queryable, id: string): Promise<StoredPayment | undefined> {
  const [row] = await db.query<PaymentRow>(`SELECT ${COLUMNS} FROM payments WHERE id = $1`, [id]);
  return row ? toPayment(row) : undefined;
}

/** Reads the payment and locks its row until the transaction ends, so two settlements of one payment run one after the other. */
export async function lockPayment(db: Queryable, id: string): Promise<StoredPayment | undefined> {
  const [row] = await db.query<PaymentRow>(`SELECT ${COLUMNS} FROM payments WHERE id = $1 FOR UPDATE`, [id]);
  return row ? toPayment(row) : undefined;
}

export async function findPaymentByKey(db: Queryable, orderId: string, idempotencyKey: string): Promise<StoredPayment | undefined> {
  const [row] = await db.query<PaymentRow>(`SELECT ${COLUMNS} FROM payments WHERE order_id = $1 AND idempotency_key = $2`, [orderId, idempotencyKey]);
  return row ? toPayment(row) : undefined;
}

export async function listPaymentsOfOrder(db: Queryable, orderId: string): Promise<StoredPayment[]> {
  const rows = await db.query<PaymentRow>(`SELECT ${COLUMNS} FROM payments WHERE order_id = $1 ORDER BY created_at, id`, [orderId]);
  return rows.map(toPayment);
}

export async function setPaymentStatus(db: Queryable, id: string, status: StoredPaymentStatus, at: number, applied = false): Promise<void> {
  const iso = new Date(at).toISOString();
  await db.query(`UPDATE payments SET status = $2, updated_at = $3, applied_at = CASE WHEN $4 THEN $3::timestamptz ELSE applied_at END WHERE id = $1`, [
    id,
    status,
    iso,
    applied,
  ]);
}

/** Records a webhook event; returns false when the event was recorded before, so the caller skips it. */
export async function recordPaymentEvent(db: Queryable, provider: string, eventId: string, at: number): Promise<boolean> {
  const rows = await db.query(
    `INSERT INTO payment_events (provider, event_id, received_at) VALUES ($1, $2, $3) ON CONFLICT (provider, event_id) DO NOTHING RETURNING event_id`,
    [provider, eventId, new Date(at).toISOString()],
  );
  return rows.length > 0;
}

function toPayment(row: PaymentRow): StoredPayment {
  return {
    id: row.id,
    orderId: row.order_id,
    provider: row.provider,
    idempotencyKey: row.idempotency_key,
    status: row.status,
    amountMinor: Number(row.amount_minor),
    currency: row.currency,
    cardBrand: row.card_brand,
    cardLast4: row.card_last4,
    declineCode: row.decline_code,
    appliedAt: row.applied_at === null ? null : new Date(row.applied_at).toISOString(),
    createdAt: new Date(row.created_at).toISOString(),
    updatedAt: new Date(row.updated_at).toISOString(),
  };
}

/** Deletes the payments of the order's idempotency key, other than `keepId`, that charged nothing. */
export async function deleteUnchargedPaymentsOfKey(db: Queryable, orderId: string, idempotencyKey: string, keepId: string): Promise<void> {
  await db.query(
    `DELETE FROM payments WHERE order_id = $1 AND idempotency_key = $2 AND id <> $3 AND status NOT IN ('succeeded', 'refunded')`,
    [orderId, idempotencyKey, keepId],
  );
}
