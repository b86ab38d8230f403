import type { Logger } from '../../common/logger.js';
import { backoffDelay } from '../../common/retry.js';
import type { ChannelName, SendOutcome } from '../../channels/types.js';
import type { Db } from '../../store/types.js';
import type { TemplateKind } from '../campaigns/definition.js';
import { issueRecipientCode } from '../repos/codes.js';
import { getContact, recordConsents, type Contact } from '../repos/contacts.js';
import { claimDueJobs, closeJob, countSentToContact, findSentInCampaign, markSent, parkExpiredClaims, requeueJob, type SendJob } from '../repos/send-jobs.js';
import { readSetting } from '../repos/settings.js';
import { checkSendRules, composeMessage, type Decision } from './compose.js';
import { JobContextCache } from './job-context.js';
import { DEFAULT_MESSAGING_RULES, type MessagingRules } from './policy.js';
import type { SendLane } from './providers.js';
import { unsubscribeSecret, unsubscribeUrl } from '../unsubscribe/links.js';

/** Message kinds each channel's lane sends. */
const KINDS_OF: Record<ChannelName, TemplateKind[]> = {
  push: ['push'],
  sms: ['sms'],
  x: ['x_post', 'x_dm'],
  messenger: ['messenger'],
  email: ['email'],
};

/** Twilio's own error for a recipient who replied STOP: their opt-out is recorded here too. */
const TWILIO_UNSUBSCRIBED = '21610';

export interface SchedulerOptions {
  db: Db;
  lanes: Record<ChannelName, SendLane>;
  logger: Logger;
  publicUrl: string;
  now?: () => number;
  /** Time between two passes over the lanes. */
  tickMs?: number;
  /** How long a claim is held before the job counts as abandoned (longer than any provider call). */
  leaseMs?: number;
  /** Attempts before a job that keeps failing temporarily is parked (default 8: about ten minutes of backoff). */
  maxAttempts?: number;
  /** Most messages one lane claims per pass; bounds the burst after an idle spell. */
  burst?: number;
  /** Moves campaigns whose window opened or closed; run on every pass. */
  onTick?: (now: number) => Promise<void>;
}

export interface SchedulerStats {
  sent: number;
  retried: number;
  parked: number;
  skipped: number;
}

/**
 * Sends the queued messages when they fall due, one lane per channel, each at its
 * sender's pace. Each job is claimed in a committed transaction before its provider is
 * called, so a restart never sends a message twice: a claim left behind by a stopped
 * process is parked for a person to look at (see parkExpiredClaims).
 */
export class SendScheduler {
  readonly stats: SchedulerStats = { sent: 0, retried: 0, parked: 0, skipped: 0 };
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly context: JobContextCache;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private rules: { at: number; value: MessagingRules } | undefined;
  private secret: string | undefined;
  private readonly contactQueues = new Map<string, Promise<void>>();

  constructor(private readonly options: SchedulerOptions) {
    this.logger = options.logger.child({ component: 'send-scheduler' });
    this.now = options.now ?? Date.now;
    this.context = new JobContextCache(options.db, this.now);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.logger.info(
      { lanes: Object.values(this.options.lanes).map((lane) => ({ channel: lane.channel, provider: lane.provider.name, perSecond: lane.ratePerSecond })) },
      'send scheduler started',
    );
    this.schedule(0);
  }

  /** Stops after the pass in flight; jobs it claimed are finished first. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
    await Promise.all(Object.values(this.options.lanes).map((lane) => lane.provider.close?.()));
    this.logger.info(this.stats, 'send scheduler stopped');
  }

  /** Runs one pass now: what the timer does, exposed for tests and the CLI. */
  async runOnce(): Promise<void> {
    const now = this.now();
    for (const job of await parkExpiredClaims(this.options.db, now)) {
      this.stats.parked++;
      this.logger.warn({ jobId: job.id, campaignId: job.campaignId, kind: job.kind }, 'parked a send whose process stopped mid-send');
    }
    await this.options.onTick?.(now);
    await Promise.all(Object.values(this.options.lanes).map((lane) => this.runLane(lane, now)));
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .catch((error) => this.logger.error({ err: error }, 'send pass failed; trying again on the next pass'))
        .finally(() => this.schedule(this.options.tickMs ?? 250));
    }, delayMs);
  }

  private async runLane(lane: SendLane, now: number): Promise<void> {
    const jobs = await this.options.db.transaction((tx) =>
      claimDueJobs(tx, {
        sender: lane.sender,
        provider: lane.provider.name,
        kinds: KINDS_OF[lane.channel],
        ratePerSecond: lane.ratePerSecond,
        burst: Math.max(1, Math.min(this.options.burst ?? 50, Math.ceil(lane.ratePerSecond))),
        leaseMs: this.options.leaseMs ?? 60_000,
        now,
      }),
    );
    await Promise.all(jobs.map((job) => this.inContactOrder(job, () => this.process(lane, job))));
  }

  /**
   * Runs the jobs of one contact one after another, across lanes, so the frequency
   * cap and the once-per-campaign rule see each earlier message as sent.
   */
  private inContactOrder(job: SendJob, work: () => Promise<void>): Promise<void> {
    if (!job.contactId) return work();
    const key = job.contactId;
    const previous = this.contactQueues.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    this.contactQueues.set(key, next);
    void next.finally(() => {
      if (this.contactQueues.get(key) === next) this.contactQueues.delete(key);
    });
    return next;
  }

  private async process(lane: SendLane, job: SendJob): Promise<void> {
    const { db } = this.options;
    try {
      const decision = await this.decide(lane, job);
      switch (decision.action) {
        case 'skip':
          this.stats.skipped++;
          await closeJob(db, job.id, 'skipped', decision.reason, decision.recipient);
          this.logger.info({ jobId: job.id, campaignId: job.campaignId, kind: job.kind, reason: decision.reason }, 'send skipped');
          return;
        case 'park':
          this.stats.parked++;
          await closeJob(db, job.id, 'parked', decision.reason, decision.recipient);
          this.logger.warn({ jobId: job.id, campaignId: job.campaignId, kind: job.kind, reason: decision.reason }, 'send parked');
          return;
        case 'later':
          await requeueJob(db, job.id, decision.at, decision.reason, { countAttempt: false });
          return;
        case 'send': {
          const outcome = await lane.provider.send(decision.message);
          await this.apply(lane, job, decision, outcome);
          return;
        }
      }
    } catch (error) {
      // An unexpected error (store down, a bug): the job goes back with backoff, never lost.
      this.logger.error({ err: error, jobId: job.id, campaignId: job.campaignId }, 'send failed unexpectedly; retrying later');
      await this.retryOrPark(job, 'internal error: see the server log', undefined).catch((inner) =>
        this.logger.error({ err: inner, jobId: job.id }, 'could not requeue the job; its claim will be parked when it expires'),
      );
    }
  }

  private async decide(lane: SendLane, job: SendJob): Promise<Decision> {
    const { db } = this.options;
    const [campaign, segment, template] = await Promise.all([
      this.context.campaign(job.campaignId),
      this.context.segment(job.segmentId),
      this.context.template(job.segmentId, job.kind),
    ]);
    if (!campaign || !segment) return { action: 'skip', reason: 'the campaign or segment no longer exists' };
    if (!template) return { action: 'skip', reason: `the segment has no ${job.kind} template any more` };

    let contact: Contact | null = null;
    let sentInCapWindow = 0;
    const rules = await this.messagingRules();
    if (job.contactId) {
      contact = (await getContact(db, job.contactId)) ?? null;
      if (!contact) return { action: 'skip', reason: 'the contact was erased' };
      const earlier = await findSentInCampaign(db, job);
      if (earlier) return { action: 'skip', reason: `already sent this campaign's ${job.kind} to this contact (send ${earlier})` };
      if (rules.frequencyCap) sentInCapWindow = await countSentToContact(db, contact.id, this.now() - rules.frequencyCap.perHours * 3_600_000);
    }

    const checks = { job, campaign, template, contact, sentInCapWindow, rules, publicUrl: this.options.publicUrl, sender: lane.sender, now: this.now() };
    // A single-use code is issued only for a message that passes the rules.
    const refused = checkSendRules(checks);
    if (refused) return refused;

    let code: string | null = segment.sharedCode;
    if (segment.codeMode === 'unique' && contact) {
      ({ code } = await issueRecipientCode(db, {
        campaignId: campaign.id,
        segmentId: segment.id,
        contactId: contact.id,
        validFrom: campaign.validFrom,
        validUntil: campaign.validUntil,
      }));
    } else if (segment.codeMode === 'unique') {
      // A public post cannot carry a single-use code; its template should not use {{code}}.
      code = null;
    }
    job.code = code;

    return composeMessage({
      ...checks,
      code,
      ...(job.kind === 'email' && contact
        ? { unsubscribeUrl: unsubscribeUrl(this.options.publicUrl, (this.secret ??= await unsubscribeSecret(db)), contact.id) }
        : {}),
    });
  }

  private async apply(lane: SendLane, job: SendJob, decision: Extract<Decision, { action: 'send' }>, outcome: SendOutcome): Promise<void> {
    const { db } = this.options;
    const ids = { jobId: job.id, campaignId: job.campaignId, kind: job.kind, provider: lane.provider.name };
    switch (outcome.status) {
      case 'sent':
        this.stats.sent++;
        await markSent(db, job.id, { recipient: decision.recipient, code: job.code, providerMessageId: outcome.providerMessageId, at: this.now() });
        this.logger.debug({ ...ids, providerMessageId: outcome.providerMessageId }, 'message sent');
        return;
      case 'retry':
        this.logger.warn({ ...ids, attempt: job.attempts, reason: outcome.reason, retryAfterMs: outcome.retryAfterMs }, 'temporary send error');
        await this.retryOrPark(job, outcome.reason, outcome.retryAfterMs);
        return;
      case 'failed':
        this.stats.parked++;
        await closeJob(db, job.id, 'parked', outcome.reason, decision.recipient);
        this.logger.warn({ ...ids, reason: outcome.reason, providerCode: outcome.providerCode }, 'permanent send error; parked');
        if (lane.channel === 'sms' && outcome.providerCode === TWILIO_UNSUBSCRIBED && job.contactId) {
          await recordConsents(db, [{ contactId: job.contactId, channel: 'sms', granted: false, at: this.now(), source: 'twilio: recipient unsubscribed (21610)' }]);
        }
        return;
    }
  }

  private async retryOrPark(job: SendJob, reason: string, retryAfterMs: number | undefined): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 8;
    if (job.attempts >= maxAttempts) {
      this.stats.parked++;
      await closeJob(this.options.db, job.id, 'parked', `gave up after ${job.attempts} attempts: ${reason}`);
      return;
    }
    this.stats.retried++;
    // From about 5 s doubling to 10 min: a provider outage of several minutes does not park the queue.
    const delay = Math.max(retryAfterMs ?? 0, backoffDelay(job.attempts, { initialMs: 5_000, maxMs: 600_000 }));
    await requeueJob(this.options.db, job.id, this.now() + delay, reason, { countAttempt: true });
  }

  private async messagingRules(): Promise<MessagingRules> {
    const now = this.now();
    if (!this.rules || now - this.rules.at > 5_000) {
      this.rules = { at: now, value: await readSetting(this.options.db, 'messaging', DEFAULT_MESSAGING_RULES) };
    }
    return this.rules.value;
  }
}
