import type { ChannelName } from '../../channels/types.js';
import type { Queryable } from '../../store/types.js';
import type { TemplateKind } from '../campaigns/definition.js';
import type { Campaign } from './campaigns.js';

export type SendStatus = 'queued' | 'sending' | 'sent' | 'delivered' | 'failed' | 'parked' | 'skipped' | 'cancelled';

export interface SendJob {
  id: string;
  campaignId: string;
  segmentId: string;
  contactId: string | null;
  kind: TemplateKind;
  code: string | null;
  sendAt: string;
  status: SendStatus;
  attempts: number;
  nextAttemptAt: string;
  provider: string | null;
  sender: string | null;
  recipient: string | null;
  providerMessageId: string | null;
  reason: string | null;
  sentAt: string | null;
  updatedAt: string;
}

/** The channel a message kind goes out on. */
export function channelOfKind(kind: TemplateKind): ChannelName {
  return kind === 'x_post' || kind === 'x_dm' ? 'x' : kind;
}

/** The contact column a kind needs to reach someone; an X post reaches the followers at large. */
const ADDRESS_COLUMN: Record<Exclude<TemplateKind, 'x_post'>, string> = {
  push: 'device_id',
  sms: 'phone_e164',
  email: 'email',
  messenger: 'messenger_psid',
  x_dm: 'x_user_id',
};

interface JobRow {
  id: string;
  campaign_id: string;
  segment_id: string;
  contact_id: string | null;
  kind: TemplateKind;
  code: string | null;
  send_at: Date | string;
  status: SendStatus;
  attempts: number;
  next_attempt_at: Date | string;
  provider: string | null;
  sender: string | null;
  recipient: string | null;
  provider_message_id: string | null;
  reason: string | null;
  sent_at: Date | string | null;
  updated_at: Date | string;
}

const iso = (value: Date | string) => new Date(value).toISOString();

function toJob(row: JobRow): SendJob {
  return {
    id: row.id,
    campaignId: row.campaign_id,
    segmentId: row.segment_id,
    contactId: row.contact_id,
    kind: row.kind,
    code: row.code,
    sendAt: iso(row.send_at),
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: iso(row.next_attempt_at),
    provider: row.provider,
    sender: row.sender,
    recipient: row.recipient,
    providerMessageId: row.provider_message_id,
    reason: row.reason,
    sentAt: row.sent_at === null ? null : iso(row.sent_at),
    updatedAt: iso(row.updated_at),
  };
}

const CONFLICT = `ON CONFLICT (campaign_id, segment_id, kind, coalesce(contact_id, '00000000-0000-0000-0000-000000000000'::uuid))
  DO UPDATE SET status = 'queued', send_at = excluded.send_at, next_attempt_at = excluded.next_attempt_at, reason = NULL, updated_at = now()
  WHERE send_jobs.status = 'cancelled'`;

/**
 * Queues one job per segment member and template whose channel the campaign uses and
 * for which the member has an address. Jobs already queued or sent stay as they are,
 * and cancelled ones (from an unschedule) are queued again, so running it twice, or
 * again after an import, never queues a message twice. Consent is checked at send time.
 * `onlyContactId` limits it to one member, such as a sign-up.
 * Returns the number of jobs queued.
 */
export async function queueCampaignSends(db: Queryable, campaign: Campaign, sendAt: number, onlyContactId?: string): Promise<number> {
  const at = new Date(sendAt).toISOString();
  const templates = await db.query<{ segment_id: string; kind: TemplateKind }>(
    `SELECT t.segment_id, t.kind FROM templates t JOIN segments s ON s.id = t.segment_id
     WHERE s.campaign_id = $1 AND s.source <> 'nearby' ORDER BY s.created_at, t.kind`,
    [campaign.id],
  );
  let queued = 0;
  for (const { segment_id: segmentId, kind } of templates) {
    if (!campaign.channels.includes(channelOfKind(kind))) continue;
    if (kind === 'x_post') {
      const rows = await db.query(
        `INSERT INTO send_jobs (id, campaign_id, segment_id, contact_id, kind, send_at, status, next_attempt_at)
         VALUES (gen_random_uuid(), $1, $2, NULL, 'x_post', $3, 'queued', $3) ${CONFLICT} RETURNING id`,
        [campaign.id, segmentId, at],
      );
      queued += rows.length;
      continue;
    }
    const rows = await db.query(
      `INSERT INTO send_jobs (id, campaign_id, segment_id, contact_id, kind, send_at, status, next_attempt_at)
       SELECT gen_random_uuid(), $1, m.segment_id, m.contact_id, $3, $4, 'queued', $4
       FROM segment_members m JOIN contacts c ON c.id = m.contact_id
       WHERE m.segment_id = $2 AND c.${ADDRESS_COLUMN[kind]} IS NOT NULL AND ($5::uuid IS NULL OR c.id = $5)
       ${CONFLICT} RETURNING id`,
      [campaign.id, segmentId, kind, at, onlyContactId ?? null],
    );
    queued += rows.length;
  }
  return queued;
}

export async function cancelQueuedSends(db: Queryable, campaignId: string, reason: string): Promise<number> {
  const rows = await db.query(
    `UPDATE send_jobs SET status = 'cancelled', reason = $2, updated_at = now() WHERE campaign_id = $1 AND status = 'queued' RETURNING id`,
    [campaignId, reason],
  );
  return rows.length;
}

/**
 * Parks the jobs whose claim outlived its lease after they were cleared to send: the
 * process that claimed them stopped while sending, and whether the provider took the
 * message is unknown. Sending again could send twice, so a person decides (POST
 * /sends/:id/retry); the recipient is filled in so they know whom to check.
 */
export async function parkExpiredClaims(db: Queryable, now: number): Promise<SendJob[]> {
  const rows = await db.query<JobRow>(
    `UPDATE send_jobs j SET status = 'parked', lease_until = NULL, updated_at = now(),
       recipient = coalesce(j.recipient, CASE j.kind
         WHEN 'sms' THEN c.phone_e164 WHEN 'email' THEN c.email WHEN 'messenger' THEN c.messenger_psid
         WHEN 'x_dm' THEN c.x_user_id WHEN 'push' THEN c.device_id::text END),
       reason = 'outcome unknown: the process stopped while sending; not sent again automatically to avoid a duplicate'
     FROM send_jobs o LEFT JOIN contacts c ON c.id = o.contact_id
     WHERE o.id = j.id AND j.status = 'sending' AND j.cleared_at IS NOT NULL AND j.lease_until < $1::timestamptz
     RETURNING j.*`,
    [new Date(now).toISOString()],
  );
  return rows.map(toJob);
}

/**
 * Puts back in the queue the jobs whose claim outlived its lease before they were cleared
 * to send: the process stopped before calling any provider, so sending them now cannot
 * send twice. They keep their attempts, and are due at once.
 */
export async function requeueUnclearedClaims(db: Queryable, now: number): Promise<SendJob[]> {
  const rows = await db.query<JobRow>(
    `UPDATE send_jobs SET status = 'queued', lease_until = NULL, next_attempt_at = $1::timestamptz, updated_at = now(),
       reason = 'claimed by a process that stopped before sending; queued again'
     WHERE status = 'sending' AND cleared_at IS NULL AND lease_until < $1::timestamptz RETURNING *`,
    [new Date(now).toISOString()],
  );
  return rows.map(toJob);
}

export interface ClaimRequest {
  sender: string;
  provider: string;
  kinds: TemplateKind[];
  /** Messages per second this sender may send. */
  ratePerSecond: number;
  /** Most messages an idle sender may send at once. */
  burst: number;
  leaseMs: number;
  now: number;
}

/**
 * Claims the due jobs the sender may send now, in one transaction the caller opens.
 * The sender's slot row is locked, so processes sharing the store share its pace:
 * each claim moves `next_at` on by one interval per job, and no more than `burst`
 * intervals of unused time are carried over. Claimed jobs are committed as `sending`,
 * not yet cleared (see clearJobToSend), before any provider is called.
 */
export async function claimDueJobs(tx: Queryable, request: ClaimRequest): Promise<SendJob[]> {
  const intervalMs = 1000 / request.ratePerSecond;
  const now = request.now;
  // A sender seen for the first time starts with a full burst.
  await tx.query(`INSERT INTO sender_slots (sender, next_at) VALUES ($1, $2::timestamptz) ON CONFLICT (sender) DO NOTHING`, [
    request.sender,
    new Date(now - request.burst * intervalMs).toISOString(),
  ]);
  const [slot] = await tx.query<{ next_at: Date | string }>(`SELECT next_at FROM sender_slots WHERE sender = $1 FOR UPDATE`, [request.sender]);
  const nextAt = new Date(slot!.next_at).getTime();
  if (nextAt > now) return [];

  // Unused time counts for at most `burst` messages: the slot due now and burst - 1 before it.
  const start = Math.max(nextAt, now - (request.burst - 1) * intervalMs);
  const budget = Math.min(request.burst, Math.floor((now - start) / intervalMs) + 1);
  const rows = await tx.query<JobRow>(
    `UPDATE send_jobs SET status = 'sending', attempts = attempts + 1, lease_until = $5::timestamptz, sender = $3, provider = $4, cleared_at = NULL,
       updated_at = now()
     WHERE id IN (
       SELECT id FROM send_jobs WHERE status = 'queued' AND next_attempt_at <= $1::timestamptz AND kind = ANY($2::text[])
       ORDER BY next_attempt_at, id LIMIT $6 FOR UPDATE SKIP LOCKED)
     RETURNING *`,
    [new Date(now).toISOString(), request.kinds, request.sender, request.provider, new Date(now + request.leaseMs).toISOString(), budget],
  );
  if (rows.length > 0) {
    await tx.query(`UPDATE sender_slots SET next_at = $2::timestamptz WHERE sender = $1`, [
      request.sender,
      new Date(start + rows.length * intervalMs).toISOString(),
    ]);
  }
  return rows.map(toJob).sort((a, b) => a.nextAttemptAt.localeCompare(b.nextAttemptAt) || a.id.localeCompare(b.id));
}

/**
 * Records a message the provider took. Only a job still claimed moves, so a late reply
 * cannot undo a park. Returns false when the job was no longer claimed: its lease ran
 * out and it was parked as "outcome unknown".
 */
export async function markSent(
  db: Queryable,
  id: string,
  fields: { recipient: string; code: string | null; providerMessageId: string; at: number },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE send_jobs SET status = 'sent', lease_until = NULL, recipient = $2, code = $3, provider_message_id = $4, sent_at = $5::timestamptz,
       reason = NULL, updated_at = now()
     WHERE id = $1 AND status = 'sending' RETURNING id`,
    [id, fields.recipient, fields.code, fields.providerMessageId, new Date(fields.at).toISOString()],
  );
  return rows.length === 1;
}

/**
 * Parks a claimed job that the provider took but markSent could not record. The
 * job keeps `sent_at`, so the frequency cap and the once-per-campaign rule still
 * count the message, and `reason` warns a person not to retry it.
 */
export async function parkUnrecordedSend(
  db: Queryable,
  id: string,
  fields: { recipient: string; providerMessageId: string; at: number; reason: string },
): Promise<boolean> {
  const rows = await db.query(
    `UPDATE send_jobs SET status = 'parked', lease_until = NULL, recipient = $2, provider_message_id = $3, sent_at = $4::timestamptz,
       reason = $5, updated_at = now()
     WHERE id = $1 AND status = 'sending' RETURNING id`,
    [id, fields.recipient, fields.providerMessageId, new Date(fields.at).toISOString(), fields.reason],
  );
  return rows.length === 1;
}

/**
 * Puts a claimed job back in the queue to try again at `at` (a temporary error, or
 * quiet hours). Its clearance is dropped, so the cap stops counting it.
 */
export async function requeueJob(db: Queryable, id: string, at: number, reason: string, options: { countAttempt: boolean }): Promise<void> {
  await db.query(
    `UPDATE send_jobs SET status = 'queued', lease_until = NULL, cleared_at = NULL, next_attempt_at = $2::timestamptz, reason = $3,
       attempts = attempts - CASE WHEN $4::boolean THEN 0 ELSE 1 END, updated_at = now()
     WHERE id = $1 AND status = 'sending'`,
    [id, new Date(at).toISOString(), reason, options.countAttempt],
  );
}

/**
 * Makes the queued jobs held back by a rule, those whose reason starts with `reasonPrefix`,
 * due at `at`, so they are checked again under rules that changed. Returns how many.
 */
export async function releaseHeldJobs(db: Queryable, reasonPrefix: string, at: number): Promise<number> {
  const rows = await db.query<{ id: string }>(
    `UPDATE send_jobs SET next_attempt_at = $2::timestamptz, updated_at = now()
     WHERE status = 'queued' AND starts_with(reason, $1) AND next_attempt_at > $2::timestamptz RETURNING id`,
    [reasonPrefix, new Date(at).toISOString()],
  );
  return rows.length;
}

/** Ends a claimed job without sending: `parked` for a provider's permanent error, `skipped` for a rule (consent, cap). */
export async function closeJob(db: Queryable, id: string, status: 'parked' | 'skipped', reason: string, recipient?: string): Promise<void> {
  await db.query(
    `UPDATE send_jobs SET status = $2, lease_until = NULL, reason = $3, recipient = coalesce($4, recipient), updated_at = now()
     WHERE id = $1 AND status = 'sending'`,
    [id, status, reason, recipient ?? null],
  );
}

/** Queues a parked or failed job again at a person's request. */
export async function retryJob(db: Queryable, id: string, now: number): Promise<SendJob | undefined> {
  const rows = await db.query<JobRow>(
    `UPDATE send_jobs SET status = 'queued', next_attempt_at = $2::timestamptz, attempts = 0, reason = NULL, updated_at = now()
     WHERE id = $1 AND status IN ('parked', 'failed', 'skipped') RETURNING *`,
    [id, new Date(now).toISOString()],
  );
  return rows[0] ? toJob(rows[0]) : undefined;
}

/** Applies a provider's delivery report to the job that sent the message. */
export async function recordDeliveryReport(
  db: Queryable,
  providerMessageId: string,
  report: { delivered: boolean; reason?: string },
): Promise<SendJob | undefined> {
  const rows = await db.query<JobRow>(
    `UPDATE send_jobs SET status = $2, reason = $3, updated_at = now()
     WHERE provider_message_id = $1 AND status IN ('sent', 'delivered') RETURNING *`,
    [providerMessageId, report.delivered ? 'delivered' : 'failed', report.reason ?? null],
  );
  return rows[0] ? toJob(rows[0]) : undefined;
}

/**
 * Locks the contact's row until the transaction ends, so that the sends of one contact
 * are checked against the frequency cap and the once-per-campaign rule one at a time,
 * across every process sharing the store. `FOR NO KEY UPDATE` rather than `FOR UPDATE`
 * lets rows that reference the contact (new send jobs, consents) be inserted meanwhile.
 * Returns false when the contact no longer exists.
 */
export async function lockContactForSend(tx: Queryable, contactId: string): Promise<boolean> {
  const rows = await tx.query(`SELECT id FROM contacts WHERE id = $1 FOR NO KEY UPDATE`, [contactId]);
  return rows.length === 1;
}

/**
 * Marks a claimed job as cleared: it passed the rules and its provider may be called.
 * Call it in the transaction that holds lockContactForSend. Returns false when the
 * job is no longer claimed (its lease ran out and another pass parked it).
 */
export async function clearJobToSend(tx: Queryable, id: string, at: number): Promise<boolean> {
  const rows = await tx.query(`UPDATE send_jobs SET cleared_at = $2::timestamptz WHERE id = $1 AND status = 'sending' RETURNING id`, [
    id,
    new Date(at).toISOString(),
  ]);
  return rows.length === 1;
}

/**
 * Counts the messages to a contact that the frequency cap counts, over every campaign:
 * those sent since `since`, plus those cleared to send and still in flight, which
 * another process may be handing to its provider right now. `exceptJobId` leaves out the
 * job being checked, whose own earlier attempt (say, an SMS reported undelivered, then
 * retried by hand) is the same message, not another one.
 */
export async function countSentToContact(db: Queryable, contactId: string, since: number, exceptJobId?: string): Promise<number> {
  // Two counts rather than one OR, so each can use an index on contact_id. The second leaves out a job the first counted.
  const [row] = await db.query<{ count: number | string }>(
    `SELECT (SELECT count(*) FROM send_jobs WHERE contact_id = $1 AND sent_at >= $2::timestamptz AND id IS DISTINCT FROM $3::uuid)
          + (SELECT count(*) FROM send_jobs WHERE contact_id = $1 AND status = 'sending' AND cleared_at IS NOT NULL
               AND (sent_at IS NULL OR sent_at < $2::timestamptz) AND id IS DISTINCT FROM $3::uuid) AS count`,
    [contactId, new Date(since).toISOString(), exceptJobId ?? null],
  );
  return Number(row?.count ?? 0);
}

/**
 * Finds a message of the same kind that this campaign already sent, or is sending, to
 * the job's contact from another segment: someone in two segments gets one SMS. A job
 * parked after its provider took it counts as sent. Run it under lockContactForSend,
 * or two processes can both miss each other's message.
 */
export async function findSentInCampaign(
  db: Queryable,
  job: Pick<SendJob, 'id' | 'campaignId' | 'contactId' | 'kind'>,
): Promise<{ id: string; status: SendStatus } | undefined> {
  const rows = await db.query<{ id: string; status: SendStatus }>(
    `SELECT id, status FROM send_jobs WHERE contact_id = $2 AND campaign_id = $1 AND kind = $3 AND id <> $4
       AND (status IN ('sent', 'delivered') OR (status = 'parked' AND sent_at IS NOT NULL) OR (status = 'sending' AND cleared_at IS NOT NULL))
     ORDER BY sent_at NULLS LAST, id LIMIT 1`,
    [job.campaignId, job.contactId, job.kind, job.id],
  );
  return rows[0];
}

export async function getSendJob(db: Queryable, id: string): Promise<SendJob | undefined> {
  const rows = await db.query<JobRow>(`SELECT * FROM send_jobs WHERE id = $1`, [id]);
  return rows[0] ? toJob(rows[0]) : undefined;
}

export async function listSends(
  db: Queryable,
  campaignId: string,
  filter: { status?: SendStatus; limit: number; offset: number },
): Promise<SendJob[]> {
  const rows = await db.query<JobRow>(
    `SELECT * FROM send_jobs WHERE campaign_id = $1 AND ($2::text IS NULL OR status = $2)
     ORDER BY send_at, kind, id LIMIT $3 OFFSET $4`,
    [campaignId, filter.status ?? null, filter.limit, filter.offset],
  );
  return rows.map(toJob);
}

/** Counts per segment, kind and status, for the console's schedule view and the status command. */
export async function countSends(db: Queryable, campaignId: string): Promise<Array<{ segmentId: string; kind: TemplateKind; status: SendStatus; count: number; nextAt: string | null }>> {
  const rows = await db.query<{ segment_id: string; kind: TemplateKind; status: SendStatus; count: number | string; next_at: Date | string | null }>(
    `SELECT segment_id, kind, status, count(*) AS count, min(next_attempt_at) FILTER (WHERE status = 'queued') AS next_at
     FROM send_jobs WHERE campaign_id = $1 GROUP BY segment_id, kind, status ORDER BY segment_id, kind, status`,
    [campaignId],
  );
  return rows.map((row) => ({
    segmentId: row.segment_id,
    kind: row.kind,
    status: row.status,
    count: Number(row.count),
    nextAt: row.next_at === null ? null : iso(row.next_at),
  }));
}
