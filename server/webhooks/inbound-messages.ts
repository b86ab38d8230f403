import type { Queryable } from '../../store/types.js';

/** One row of `inbound_messages`, the audit trail of what people sent us. */
export interface InboundMessageRecord {
  /** The provider's id of the message, such as Twilio's MessageSid: the idempotency key. */
  id: string;
  channel: 'sms' | 'messenger';
  /** Phone number (sms) or page-scoped id (messenger) of the person who wrote. */
  sender: string;
  body: string;
  keyword: string | null;
  /** Epoch milliseconds. */
  receivedAt: number;
}

/**
 * Inserts the message unless a row with its id exists. Returns false for a message
 * already recorded, which is how a retried webhook is recognised and skipped.
 */
export async function insertInboundMessage(db: Queryable, message: InboundMessageRecord): Promise<boolean> {
  const rows = await db.query<{ id: string }>(
    `INSERT INTO inbound_messages (id, channel, sender, body, keyword, received_at)
     VALUES ($1, $2, $3, $4, $5, $6::timestamptz)
     ON CONFLICT (id) DO NOTHING RETURNING id`,
    [message.id, message.channel, message.sender, message.body, message.keyword, new Date(message.receivedAt).toISOString()],
  );
  return rows.length === 1;
}
