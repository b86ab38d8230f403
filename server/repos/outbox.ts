import type { Queryable } from '../../store/types.js';

export interface OutboxEntry {
  id: number;
  jobId: string;
  campaignId: string;
  channel: string;
  recipient: string;
  subject: string | null;
  body: string;
  createdAt: string;
}

/** Keeps what a channel without a provider would have sent; once per job. Returns the entry id. */
export async function insertOutboxEntry(
  db: Queryable,
  entry: { jobId: string; channel: string; recipient: string; subject?: string; body: string },
): Promise<number> {
  const rows = await db.query<{ id: number | string }>(
    `INSERT INTO outbox (job_id, channel, recipient, subject, body) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (job_id) DO UPDATE SET job_id = excluded.job_id RETURNING id`,
    [entry.jobId, entry.channel, entry.recipient, entry.subject ?? null, entry.body],
  );
  return Number(rows[0]!.id);
}

export async function listOutbox(db: Queryable, filter: { campaignId?: string; limit: number; offset: number }): Promise<OutboxEntry[]> {
  const rows = await db.query<{
    id: number | string;
    job_id: string;
    campaign_id: string;
    channel: string;
    recipient: string;
    subject: string | null;
    body: string;
    created_at: Date | string;
  }>(
    `SELECT o.id, o.job_id, j.campaign_id, o.channel, o.recipient, o.subject, o.body, o.created_at
     FROM outbox o JOIN send_jobs j ON j.id = o.job_id
     WHERE $1::uuid IS NULL OR j.campaign_id = $1
     ORDER BY o.id DESC LIMIT $2 OFFSET $3`,
    [filter.campaignId ?? null, filter.limit, filter.offset],
  );
  return rows.map((row) => ({
    id: Number(row.id),
    jobId: row.job_id,
    campaignId: row.campaign_id,
    channel: row.channel,
    recipient: row.recipient,
    subject: row.subject,
    body: row.body,
    createdAt: new Date(row.created_at).toISOString(),
  }));
}
