import type { Logger } from '../../common/logger.js';
import { backoffDelay, sleep } from '../../common/retry.js';
import type { ChannelName, SendOutcome } from '../../channels/types.js';
import type { Db } from '../../store/types.js';
import type { TemplateKind } from '../campaigns/definition.js';
import { issueRecipientCode } from '../repos/codes.js';
import { getContact, recordConsents, type Contact } from '../repos/contacts.js';
import {
  claimDueJobs,
  clearJobToSend,
  closeJob,
  countSentToContact,
  findSentInCampaign,
  lockContactForSend,
  markSent,
  parkExpiredClaims,
  parkUnrecordedSend,
  requeueJob,
  requeueUnclearedClaims,
  type SendJob,
} from '../repos/send-jobs.js';
import { readSetting } from '../repos/settings.js';
import { checkSendRules, composeMessage, type ComposeInput, type Decision } from './compose.js';
import { JobContextCache } from './job-context.js';
import { DEFAULT_MESSAGING_RULES, MESSAGING_RULES_TTL_MS, type MessagingRules } from './policy.js';
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

export interface WriteRetryOptions {
  /** Retries after the first failed write. */
  retries: number;
  initialMs: number;
  maxMs: number;
}

/**
 * Four retries, 1.5 to 3 s in all: long enough for a store connection to be replaced,
 * and far inside the default 60 s lease, so the claim is still held when the write lands.
 */
const DEFAULT_WRITE_RETRY: WriteRetryOptions = { retries: 4, initialMs: 200, maxMs: 2_000 };

export interface SchedulerOptions {
  db: Db;
  lanes: Record<ChannelName, SendLane>;
  logger: Logger;
  publicUrl: string;
  now?: () => number;
  /** Time between two passes over the lanes. */
  tickMs?: number;
  /** How long a claim is held before the job counts as abandoned: longer than any provider call plus the write retries. */
  leaseMs?: number;
  /** Attempts before a job that keeps failing temporarily is parked (default 8: 7 retries, 10 to 21 minutes of backoff in all). */
  maxAttempts?: number;
  /** Most messages one lane claims per pass; bounds the burst after an idle spell. */
  burst?: number;
  /** Retries of a store write that records what a provider did with a message. */
  writeRetry?: WriteRetryOptions;
  /** Jitter source for the backoff, in [0, 1); tests fix it to get exact retry times. */
  random?: () => number;
  /** Moves campaigns whose window opened or closed; run on every pass. */
  onTick?: (now: number) => Promise<void>;
}

export interface SchedulerStats {
  sent: number;
  retried: number;
  parked: number;
  skipped: number;
}

type SendDecision = Extract<Decision, { action: 'send' }>;
type Refusal = Exclude<Decision, { action: 'send' }>;
/** The job's claim expired and another pass parked it while this one was deciding. */
type Lost = { action: 'lost' };

/**
 * Sends the queued messages when they fall due, one lane per channel, each at its
 * sender's pace. Each job is claimed in a committed transaction before its provider is
 * called. Once the provider was called, the job never goes back to the queue, because
 * the provider may have taken the message. A failed write of the outcome is retried
 * instead. A claim left behind by a stopped process or a store that stayed down is
 * parked for a person to look at (see parkExpiredClaims). A claim that expired before
 * the job was cleared to send reached no provider, so it is queued again. The frequency
 * cap and the once-per-campaign rule are checked under a lock on the contact's row, so
 * processes sharing the store never send a contact more than the rules allow.
 */
export class SendScheduler {
  readonly stats: SchedulerStats = { sent: 0, retried: 0, parked: 0, skipped: 0 };
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly writeRetry: WriteRetryOptions;
  private readonly context: JobContextCache;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private rules: { at: number; value: MessagingRules } | undefined;
  private secret: string | undefined;
  private readonly contactQueues = new Map<string, Promise<void>>();
  /** The batch each lane is working through, so the timer does not claim another beside it. */
  private readonly busyLanes = new Map<ChannelName, Promise<void>>();

  constructor(private readonly options: SchedulerOptions) {
    this.logger = options.logger.child({ component: 'send-scheduler' });
    this.now = options.now ?? Date.now;
    this.random = options.random ?? Math.random;
    this.writeRetry = options.writeRetry ?? DEFAULT_WRITE_RETRY;
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
    await Promise.all(this.busyLanes.values());
    await Promise.all(Object.values(this.options.lanes).map((lane) => lane.provider.close?.()));
    this.logger.info(this.stats, 'send scheduler stopped');
  }

  /** Runs one pass now and waits for every lane's jobs: a pass of the timer, for tests and the CLI. */
  async runOnce(): Promise<void> {
    const now = this.now();
    await this.recoverAndTick(now);
    await Promise.all(Object.values(this.options.lanes).map((lane) => this.runLane(lane, now)));
  }

  /**
   * Runs one pass of the timer. Each lane that finished its last batch claims its next one,
   * and the pass does not wait for them. A provider call that hangs until its timeout so
   * delays its own lane only, not the other channels or the campaign clock.
   */
  private async tick(): Promise<void> {
    const now = this.now();
    await this.recoverAndTick(now);
    for (const lane of Object.values(this.options.lanes)) {
      if (this.busyLanes.has(lane.channel)) continue;
      const run = this.runLane(lane, now)
        .catch((error) => this.logger.error({ err: error, channel: lane.channel }, 'send lane failed; trying again on the next pass'))
        .finally(() => this.busyLanes.delete(lane.channel));
      this.busyLanes.set(lane.channel, run);
    }
  }

  private async recoverAndTick(now: number): Promise<void> {
    for (const job of await parkExpiredClaims(this.options.db, now)) {
      this.stats.parked++;
      this.logger.warn({ jobId: job.id, campaignId: job.campaignId, kind: job.kind }, 'parked a send whose claim expired before its outcome was recorded');
    }
    for (const job of await requeueUnclearedClaims(this.options.db, now)) {
      this.logger.warn({ jobId: job.id, campaignId: job.campaignId, kind: job.kind }, 'queued again a send whose claim expired before any provider was called');
    }
    await this.options.onTick?.(now);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
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
   * Runs the jobs of one contact one after another, across lanes. The contact's lock
   * in the store already keeps the rules safe across processes. This queue makes a job
   * wait for the outcome of the one before it (sent, or requeued after a temporary
   * error), so it is not skipped for a message still in flight. It also waits here
   * rather than on the lock, where it would hold a store connection.
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
    const ids = { jobId: job.id, campaignId: job.campaignId, kind: job.kind };

    // before the provider: any error sends the job back to the queue
    let decision: SendDecision;
    try {
      const decided = await this.decide(lane, job);
      if (decided.action !== 'send') {
        await this.settle(job, decided);
        return;
      }
      decision = decided;
    } catch (error) {
      this.logger.error({ err: error, ...ids }, 'send failed before reaching the provider; retrying later');
      await this.retryOrPark(job, 'internal error: see the server log', undefined).catch((inner) =>
        this.logger.error({ err: inner, jobId: job.id }, 'could not requeue the job; its claim will be parked when it expires'),
      );
      return;
    }

    // the provider: a throw leaves the outcome unknown, so the job is parked, not retried,
    // unless a second send of the job cannot reach the recipient twice
    let outcome: SendOutcome;
    try {
      outcome = await lane.provider.send(decision.message);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (lane.provider.repeatSafe) {
        this.logger.warn({ err: error, ...ids, provider: lane.provider.name }, 'provider threw; retrying, since a repeat reaches no one twice');
        await this.retryOrPark(job, `the ${lane.provider.name} provider failed with "${message}"`, undefined).catch((inner) =>
          this.logger.error({ err: inner, jobId: job.id }, 'could not requeue the job; its claim will be parked when it expires'),
        );
        return;
      }
      this.logger.error({ err: error, ...ids, provider: lane.provider.name }, 'provider threw; parking the job as outcome unknown');
      outcome = {
        status: 'failed',
        reason: `outcome unknown: the ${lane.provider.name} provider failed with "${message}"; not sent again automatically to avoid a duplicate`,
      };
    }

    // after the provider: record the outcome, never requeue a message it may have taken
    await this.record(lane, job, decision, outcome);
  }

  /** Closes or requeues a job that is not sent on this pass. */
  private async settle(job: SendJob, decision: Refusal | Lost): Promise<void> {
    const { db } = this.options;
    const ids = { jobId: job.id, campaignId: job.campaignId, kind: job.kind };
    switch (decision.action) {
      case 'skip':
        await closeJob(db, job.id, 'skipped', decision.reason, decision.recipient);
        this.stats.skipped++;
        this.logger.info({ ...ids, reason: decision.reason }, 'send skipped');
        return;
      case 'park':
        await closeJob(db, job.id, 'parked', decision.reason, decision.recipient);
        this.stats.parked++;
        this.logger.warn({ ...ids, reason: decision.reason }, 'send parked');
        return;
      case 'later':
        await requeueJob(db, job.id, decision.at, decision.reason, { countAttempt: false });
        return;
      case 'lost':
        this.logger.warn(ids, 'the claim expired before the send and the job was parked; not sent');
        return;
    }
  }

  private async decide(lane: SendLane, job: SendJob): Promise<Decision | Lost> {
    const { db } = this.options;
    const [campaign, segment, template] = await Promise.all([
      this.context.campaign(job.campaignId),
      this.context.segment(job.segmentId),
      this.context.template(job.segmentId, job.kind),
    ]);
    if (!campaign || !segment) return { action: 'skip', reason: 'the campaign or segment no longer exists' };
    if (!template) return { action: 'skip', reason: `the segment has no ${job.kind} template any more` };

    const rules = await this.messagingRules();
    const checks: Omit<ComposeInput, 'code'> = {
      job,
      campaign,
      template,
      contact: null,
      sentInCapWindow: 0,
      rules,
      publicUrl: this.options.publicUrl,
      sender: lane.sender,
      now: this.now(),
    };
    if (job.contactId) {
      const cleared = await this.clearContactSend(job, job.contactId, checks);
      if ('action' in cleared) return cleared;
      Object.assign(checks, cleared);
    } else {
      const refused = checkSendRules(checks);
      if (refused) return refused;
      // Cleared like a contact's job, so a claim that expires from here on is parked, never sent again.
      if (!(await clearJobToSend(db, job.id, checks.now))) return { action: 'lost' };
    }
    const { contact } = checks;

    // A single-use code is issued only for a message that passed the rules.
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

  /**
   * Checks the rules for a job with a contact and marks the job cleared, in one
   * transaction that holds the contact's lock. Another process clearing a job for the
   * same contact waits for the commit and then counts this one, so the frequency cap
   * and the once-per-campaign rule hold across processes.
   */
  private clearContactSend(
    job: SendJob,
    contactId: string,
    checks: Omit<ComposeInput, 'code'>,
  ): Promise<{ contact: Contact; sentInCapWindow: number } | Refusal | Lost> {
    return this.options.db.transaction(async (tx) => {
      if (!(await lockContactForSend(tx, contactId))) return { action: 'skip', reason: 'the contact was erased' };
      const contact = (await getContact(tx, contactId))!;

      const earlier = await findSentInCampaign(tx, job);
      if (earlier) {
        const verb = earlier.status === 'sending' ? 'already sending' : 'already sent';
        return { action: 'skip', reason: `${verb} this campaign's ${job.kind} to this contact (send ${earlier.id})` };
      }
      // NOTE: a job skipped because of a message still in flight stays skipped, even when that message then fails.
      const cap = checks.rules.frequencyCap;
      const sentInCapWindow = cap ? await countSentToContact(tx, contactId, checks.now - cap.perHours * 3_600_000, job.id) : 0;
      const refused = checkSendRules({ ...checks, contact, sentInCapWindow });
      if (refused) return refused;

      if (!(await clearJobToSend(tx, job.id, checks.now))) return { action: 'lost' };
      return { contact, sentInCapWindow };
    });
  }

  /** Writes what the provider did with the message. It catches every store error, so a write that keeps failing leaves the claim to expire. */
  private async record(lane: SendLane, job: SendJob, decision: SendDecision, outcome: SendOutcome): Promise<void> {
    const { db } = this.options;
    const ids = { jobId: job.id, campaignId: job.campaignId, kind: job.kind, provider: lane.provider.name };
    const at = this.now();
    switch (outcome.status) {
      case 'sent': {
        this.stats.sent++;
        this.logger.debug({ ...ids, providerMessageId: outcome.providerMessageId }, 'message sent');
        const fields = { recipient: decision.recipient, code: job.code, providerMessageId: outcome.providerMessageId, at };
        const marked = await this.retryWrite(job, 'the sent message', () => markSent(db, job.id, fields));
        if (marked?.value === false) {
          this.logger.warn({ ...ids, providerMessageId: outcome.providerMessageId }, 'the provider took the message after its claim expired; the job stays parked');
        }
        if (marked) return;

        // A different statement may still go through, and the console then shows the message as sent rather than "outcome unknown".
        const reason = `sent by ${lane.provider.name} as ${outcome.providerMessageId}, but the store write failed; do not retry it`;
        try {
          await parkUnrecordedSend(db, job.id, { recipient: decision.recipient, providerMessageId: outcome.providerMessageId, at, reason });
          this.stats.parked++;
          this.logger.error({ ...ids, providerMessageId: outcome.providerMessageId }, 'parked a sent message whose record failed');
        } catch (error) {
          this.logger.error(
            { err: error, ...ids, providerMessageId: outcome.providerMessageId },
            'could not record the sent message; its claim will be parked as outcome unknown when it expires',
          );
        }
        return;
      }
      case 'retry':
        this.logger.warn({ ...ids, attempt: job.attempts, reason: outcome.reason, retryAfterMs: outcome.retryAfterMs }, 'temporary send error');
        await this.retryWrite(job, 'the temporary error', () => this.retryOrPark(job, outcome.reason, outcome.retryAfterMs));
        return;
      case 'failed':
        this.logger.warn({ ...ids, reason: outcome.reason, providerCode: outcome.providerCode }, 'permanent send error; parking');
        if (await this.retryWrite(job, 'the permanent error', () => closeJob(db, job.id, 'parked', outcome.reason, decision.recipient))) {
          this.stats.parked++;
        }
        if (lane.channel === 'sms' && outcome.providerCode === TWILIO_UNSUBSCRIBED && job.contactId) {
          const optOut = { contactId: job.contactId, channel: 'sms' as const, granted: false, at, source: 'twilio: recipient unsubscribed (21610)' };
          await this.retryWrite(job, 'the SMS opt-out', () => recordConsents(db, [optOut]));
        }
        return;
    }
  }

  /**
   * Runs a store write, retrying it with backoff, and logs each failure with the job id.
   * Returns the write's result, or undefined when every attempt failed.
   */
  private async retryWrite<T>(job: SendJob, what: string, write: () => Promise<T>): Promise<{ value: T } | undefined> {
    const { retries, initialMs, maxMs } = this.writeRetry;
    for (let attempt = 0; ; attempt++) {
      try {
        return { value: await write() };
      } catch (error) {
        if (attempt >= retries) {
          this.logger.error({ err: error, jobId: job.id, attempts: attempt + 1 }, `could not record ${what}`);
          return undefined;
        }
        const delayMs = backoffDelay(attempt, { initialMs, maxMs }, this.random);
        this.logger.warn({ err: error, jobId: job.id, attempt: attempt + 1, delayMs }, `recording ${what} failed; retrying`);
        await sleep(delayMs);
      }
    }
  }

  private async retryOrPark(job: SendJob, reason: string, retryAfterMs: number | undefined): Promise<void> {
    const maxAttempts = this.options.maxAttempts ?? 8;
    if (job.attempts >= maxAttempts) {
      await closeJob(this.options.db, job.id, 'parked', `gave up after ${job.attempts} attempts: ${reason}`);
      this.stats.parked++;
      return;
    }
    // The first retry waits 5 to 10 s and each later one twice as long, up to 10 min,
    // so a provider outage of several minutes does not park the queue.
    const delay = Math.max(retryAfterMs ?? 0, backoffDelay(job.attempts, { initialMs: 5_000, maxMs: 600_000 }, this.random));
    await requeueJob(this.options.db, job.id, this.now() + delay, reason, { countAttempt: true });
    this.stats.retried++;
  }

  private async messagingRules(): Promise<MessagingRules> {
    const now = this.now();
    if (!this.rules || now - this.rules.at > MESSAGING_RULES_TTL_MS) {
      this.rules = { at: now, value: await readSetting(this.options.db, 'messaging', DEFAULT_MESSAGING_RULES) };
    }
    return this.rules.value;
  }
}
