import { Topics, type Bus } from '../../bus/types.js';
import type { Logger } from '../../common/logger.js';
import type { DeviceMessage } from '../../common/protocol.js';
import { sleep } from '../../common/retry.js';
import type { Queryable } from '../../store/types.js';
import { getContact } from '../repos/contacts.js';
import { getSendJob, recordDeliveryReport, type SendJob } from '../repos/send-jobs.js';
import { readSetting } from '../repos/settings.js';
import { composeMessage } from './compose.js';
import { JobContextCache } from './job-context.js';
import { DEFAULT_MESSAGING_RULES, type MessagingRules } from './policy.js';
import { pushMessageId, toDeviceMessage } from './providers.js';

/** Campaign statuses whose codes can be redeemed, the same list as in redemption.ts. */
const LIVE_CAMPAIGN_STATUSES = ['scheduled', 'active'];

/** Maximum messages one connect sends again. A device gets a few per campaign, so this only bounds a backlog. */
const MAX_RESENT_PER_CONNECT = 100;

/** How often an ack looks again for a send that the scheduler has not recorded yet. */
const ACK_RETRY_MS = 100;

/**
 * How long an ack waits for that record. The scheduler records the send right after
 * the bus took the message, so a few seconds cover a slow store.
 */
const DEFAULT_ACK_WAIT_MS = 5_000;

export interface PushRedeliveryOptions {
  db: Queryable;
  bus: Bus;
  logger: Logger;
  /** Base URL of the order links in the messages. It is read at each resend because it is known only once the server listens. */
  publicUrl: () => string;
  now?: () => number;
  /** How long an ack waits for the scheduler to record the send it acknowledges (default 5 s). */
  ackWaitMs?: number;
}

/**
 * Keeps campaign pushes until the device acknowledges them. A push job stays `sent`
 * until the device replies with a message-ack, which makes it `delivered`. Each welcome
 * sends the device's `sent` pushes again while their campaign's codes are valid.
 *
 * The text is rendered again from the job's template, contact and code, because the
 * store keeps no copy of what was sent.
 * NOTE: a resend shows the current template and contact, so an edit made after the
 * first send (unschedule, edit, schedule again) changes its text.
 */
export class PushRedelivery {
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly context: JobContextCache;

  constructor(private readonly options: PushRedeliveryOptions) {
    this.logger = options.logger.child({ component: 'push-redelivery' });
    this.now = options.now ?? Date.now;
    this.context = new JobContextCache(options.db, this.now);
  }

  /**
   * Sends the device's unacknowledged pushes again through the `messages` topic, so the
   * process holding its socket writes them. Never throws, because a failure is logged
   * and the next connect tries again. Returns the number of messages sent.
   */
  async resendUndelivered(deviceId: string): Promise<number> {
    try {
      const now = this.now();
      const jobs = await listUndeliveredPushes(this.options.db, deviceId, now);
      const messages: DeviceMessage[] = [];
      if (jobs.length > 0) {
        const rules = await readSetting<MessagingRules>(this.options.db, 'messaging', DEFAULT_MESSAGING_RULES);
        for (const job of jobs) {
          const message = await this.recompose(job, deviceId, rules, now);
          if (message) messages.push(message);
        }
      }

      if (messages.length > 0) {
        await this.options.bus.produce<DeviceMessage>(Topics.messages, messages.map((message) => ({ key: deviceId, value: message })));
      }
      this.logger.debug({ deviceId, undelivered: jobs.length, resent: messages.length }, 'resent undelivered campaign messages');
      return messages.length;
    } catch (error) {
      this.logger.error({ err: error, deviceId }, 'resending undelivered campaign messages failed; they are sent again on the next connect');
      return 0;
    }
  }

  /**
   * Records a device's message-ack, which makes the push job `delivered`. An ack for an
   * unknown job, another device's job or another kind is ignored. Never throws.
   * Returns the updated job, or undefined when nothing changed.
   */
  async acknowledge(deviceId: string, messageId: string): Promise<SendJob | undefined> {
    try {
      const job = await this.readRecordedSend(messageId);
      if (!job || job.kind !== 'push' || job.recipient !== deviceId) {
        this.logger.debug({ deviceId, messageId }, 'message-ack for an unknown message or another device; ignored');
        return undefined;
      }
      if (job.status === 'sending') {
        this.logger.warn({ deviceId, messageId }, 'message-ack before the send was recorded; the message is sent again on the next connect');
        return undefined;
      }

      const updated = await recordDeliveryReport(this.options.db, pushMessageId(job.id), { delivered: true });
      if (!updated) this.logger.debug({ deviceId, messageId, status: job.status }, 'message-ack for a send that is neither sent nor delivered; ignored');
      return updated;
    } catch (error) {
      this.logger.error({ err: error, deviceId, messageId }, 'recording a message-ack failed; the message is sent again on the next connect');
      return undefined;
    }
  }

  /**
   * Reads the job and waits while it is still `sending`. The push goes out on the bus
   * before the scheduler commits `sent`, so a fast device can ack first.
   */
  private async readRecordedSend(jobId: string): Promise<SendJob | undefined> {
    const retries = Math.ceil((this.options.ackWaitMs ?? DEFAULT_ACK_WAIT_MS) / ACK_RETRY_MS);
    let job = await getSendJob(this.options.db, jobId);
    for (let retry = 0; job?.status === 'sending' && retry < retries; retry++) {
      await sleep(ACK_RETRY_MS);
      job = await getSendJob(this.options.db, jobId);
    }
    return job;
  }

  /**
   * Renders the job's message again under the scheduler's rules, or returns undefined
   * when a rule now keeps it back, such as an opt-out, the quiet hours or the end of the offer.
   */
  private async recompose(job: SendJob, deviceId: string, rules: MessagingRules, now: number): Promise<DeviceMessage | undefined> {
    const [campaign, template, contact] = await Promise.all([
      this.context.campaign(job.campaignId),
      this.context.template(job.segmentId, 'push'),
      job.contactId ? getContact(this.options.db, job.contactId) : undefined,
    ]);
    if (!campaign || !template || !contact) {
      this.logger.debug({ deviceId, jobId: job.id }, 'not resending a push whose campaign, template or contact is gone');
      return undefined;
    }

    const decision = composeMessage({
      job,
      campaign,
      template,
      contact,
      code: job.code,
      sentInCapWindow: 0,
      // The frequency cap already counts this message, so it is left out.
      rules: { ...rules, frequencyCap: null },
      publicUrl: this.options.publicUrl(),
      sender: 'sdk',
      now,
    });
    if (decision.action !== 'send') {
      this.logger.debug({ deviceId, jobId: job.id, reason: decision.reason }, 'not resending a push');
      return undefined;
    }
    return toDeviceMessage({ ...decision.message, to: deviceId });
  }
}

/**
 * Lists the device's push jobs that are `sent` but not acknowledged, of live campaigns
 * whose code, when the job has one, is still valid at `now`. Oldest first, at most
 * MAX_RESENT_PER_CONNECT. The contacts_device index keeps it from scanning every contact.
 */
export async function listUndeliveredPushes(db: Queryable, deviceId: string, now: number): Promise<SendJob[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT j.id FROM send_jobs j
       JOIN contacts c ON c.id = j.contact_id
       JOIN campaigns k ON k.id = j.campaign_id
       LEFT JOIN codes d ON d.code = j.code
     WHERE c.device_id = $1::uuid AND j.recipient = $2 AND j.kind = 'push' AND j.status = 'sent'
       AND k.status = ANY ($3::text[]) AND (d.code IS NULL OR d.valid_until > $4::timestamptz)
     ORDER BY j.sent_at, j.id
     LIMIT $5`,
    [deviceId, deviceId, LIVE_CAMPAIGN_STATUSES, new Date(now).toISOString(), MAX_RESENT_PER_CONNECT],
  );

  const jobs: SendJob[] = [];
  for (const { id } of rows) {
    const job = await getSendJob(db, id);
    if (job) jobs.push(job);
  }
  return jobs;
}
