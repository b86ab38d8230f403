import type { Queryable } from '../../store/types.js';

export type OrderNoticeStatus = 'pending' | 'sending' | 'sent' | 'not_needed' | 'skipped' | 'failed';

export interface OrderNotice {
  orderId: string;
  phone: string;
  status: OrderNoticeStatus;
  attempts: number;
  readyAt: string;
  provider: string | null;
  providerMessageId: string | null;
  body: string | null;
  reason: string | null;
}

interface NoticeRow {
  order_id: string;
  phone: string;
  status: OrderNoticeStatus;
  attempts: number | string;
  ready_at: Date | string;
  provider: string | null;
  provider_message_id: string | null;
  body: string | null;
  reason: string | null;
}

const COLUMNS = 'order_id, phone, status, attempts, ready_at, provider, provider_message_id, body, reason';

function toNotice(row: NoticeRow): OrderNotice {
  return {
    orderId: row.order_id,
    phone: row.phone,
    status: row.status,
    attempts: Number(row.attempts),
    readyAt: new Date(row.ready_at).toISOString(),
    provider: row.provider,
    providerMessageId: row.provider_message_id,
    body: row.body,
    reason: row.reason,
  };
}

/** Records that the order became ready at `at` for a customer who agreed to a text; once per order. */
export async function insertReadyNotice(db: Queryable, orderId: string, phone: string, at: number): Promise<void> {
  await db.query(
    `INSERT INTO order_notices (order_id, phone, ready_at, next_attempt_at, status)
     VALUES ($1, $2, $3::timestamptz, $3::timestamptz, 'pending') ON CONFLICT (order_id) DO NOTHING`,
    [orderId, phone, new Date(at).toISOString()],
  );
}

/**
 * Marks the order's pending text as not needed because the device that placed the order
 * showed the update. Returns false when there was nothing to cancel, or the device is not the order's.
 */
export async function cancelReadyNotice(db: Queryable, orderId: string, deviceId: string): Promise<boolean> {
  const rows = await db.query<{ order_id: string }>(
    `UPDATE order_notices n SET status = 'not_needed', reason = 'the app showed the update', updated_at = now()
     FROM orders o
     WHERE n.order_id = $1 AND o.id = n.order_id AND o.customer->>'deviceId' = $2 AND n.status = 'pending'
     RETURNING n.order_id`,
    [orderId, deviceId],
  );
  return rows.length > 0;
}

/**
 * Claims up to `limit` texts whose order became ready at least `delayMs` before `now`,
 * leasing each until `now + leaseMs`. A claim is a committed status change, so two
 * processes never send the same text.
 */
export async function claimDueNotices(db: Queryable, request: { now: number; delayMs: number; leaseMs: number; limit: number }): Promise<OrderNotice[]> {
  const rows = await db.query<NoticeRow>(
    `UPDATE order_notices SET status = 'sending', attempts = attempts + 1, lease_until = $3::timestamptz, updated_at = now()
     WHERE order_id IN (
       SELECT order_id FROM order_notices
       WHERE status = 'pending' AND ready_at <= $1::timestamptz AND next_attempt_at <= $2::timestamptz
       ORDER BY ready_at LIMIT $4 FOR UPDATE SKIP LOCKED)
     RETURNING ${COLUMNS}`,
    [new Date(request.now - request.delayMs).toISOString(), new Date(request.now).toISOString(), new Date(request.now + request.leaseMs).toISOString(), request.limit],
  );
  return rows.map(toNotice);
}

/** Closes a claimed text with its outcome. */
export async function finishNotice(
  db: Queryable,
  orderId: string,
  outcome: { status: 'sent' | 'not_needed' | 'skipped' | 'failed'; reason?: string; provider?: string; providerMessageId?: string; body?: string },
): Promise<void> {
  await db.query(
    `UPDATE order_notices SET status = $2, reason = $3, provider = $4, provider_message_id = $5, body = $6, lease_until = NULL, updated_at = now()
     WHERE order_id = $1`,
    [orderId, outcome.status, outcome.reason ?? null, outcome.provider ?? null, outcome.providerMessageId ?? null, outcome.body ?? null],
  );
}

/** Returns a claimed text to pending after a temporary error, to be tried at `at`. */
export async function retryNotice(db: Queryable, orderId: string, at: number, reason: string): Promise<void> {
  await db.query(
    `UPDATE order_notices SET status = 'pending', next_attempt_at = $2::timestamptz, reason = $3, lease_until = NULL, updated_at = now()
     WHERE order_id = $1`,
    [orderId, new Date(at).toISOString(), reason],
  );
}

/**
 * Fails the texts whose claim outlived its lease: the process sending them stopped, and
 * the text may or may not have gone out, so it is not sent again.
 */
export async function failExpiredNoticeClaims(db: Queryable, now: number): Promise<OrderNotice[]> {
  const rows = await db.query<NoticeRow>(
    `UPDATE order_notices SET status = 'failed', reason = 'outcome unknown: the process stopped while sending', lease_until = NULL, updated_at = now()
     WHERE status = 'sending' AND lease_until < $1::timestamptz
     RETURNING ${COLUMNS}`,
    [new Date(now).toISOString()],
  );
  return rows.map(toNotice);
}

export async function getOrderNotice(db: Queryable, orderId: string): Promise<OrderNotice | undefined> {
  const [row] = await db.query<NoticeRow>(`SELECT ${COLUMNS} FROM order_notices WHERE order_id = $1`, [orderId]);
  return row ? toNotice(row) : undefined;
}
