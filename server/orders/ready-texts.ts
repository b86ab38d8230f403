import type { Logger } from '../../common/logger.js';
import type { Db } from '../../store/types.js';
import { findContactByPhone } from '../repos/contacts.js';
import { claimDueNotices, failExpiredNoticeClaims, finishNotice, retryNotice, type OrderNotice } from '../repos/order-notices.js';
import { getOrder } from '../repos/orders.js';
import { getTrucks } from '../repos/trucks.js';
import type { SendLane } from '../sends/providers.js';
import { readyText } from './ready-text.js';

/**
 * How long the app has to acknowledge a ready order before the text goes out. The SDK
 * acknowledges within a second when the page is open; the rest covers a reconnect.
 */
export const DEFAULT_READY_TEXT_DELAY_MS = 20_000;

/** Texts claimed in one pass; a truck makes a few orders a minute. */
const CLAIM_LIMIT = 20;
/** Longer than the provider timeout, so only a stopped process leaves a claim to expire. */
const LEASE_MS = 60_000;
/** Attempts before a temporary error becomes final: the food gets cold after that. */
const MAX_ATTEMPTS = 4;
const RETRY_BASE_MS = 5_000;

/** Statuses in which the food still waits at the window, so a text still helps. */
const WAITING = new Set(['ready']);

export interface ReadyTextDeps {
  db: Db;
  /** The SMS lane: Twilio when configured, else the outbox. */
  lane: SendLane;
  logger: Logger;
  delayMs?: number;
}

/**
 * Runs one pass of the ready-order texts: fails claims left by a stopped process, then
 * sends the texts whose order became ready at least the delay ago without an
 * acknowledgement from the app. A contact who replied STOP on SMS gets no text.
 */
export async function sendDueReadyTexts(deps: ReadyTextDeps, now: number): Promise<void> {
  const { db, logger } = deps;
  for (const expired of await failExpiredNoticeClaims(db, now)) {
    logger.warn({ orderId: expired.orderId }, 'ready-order text claim expired with its process; not sent again');
  }
  const claimed = await claimDueNotices(db, { now, delayMs: deps.delayMs ?? DEFAULT_READY_TEXT_DELAY_MS, leaseMs: LEASE_MS, limit: CLAIM_LIMIT });
  for (const notice of claimed) {
    try {
      await sendOne(deps, notice, now);
    } catch (error) {
      if (notice.attempts >= MAX_ATTEMPTS) {
        logger.error({ err: error, orderId: notice.orderId, attempts: notice.attempts }, 'ready-order text failed; giving up');
        await finishNotice(db, notice.orderId, { status: 'failed', reason: 'internal error, see the server log' });
      } else {
        logger.error({ err: error, orderId: notice.orderId, attempts: notice.attempts }, 'ready-order text failed; retrying');
        await retryNotice(db, notice.orderId, now + RETRY_BASE_MS * 2 ** (notice.attempts - 1), 'internal error, see the server log');
      }
    }
  }
}

async function sendOne(deps: ReadyTextDeps, notice: OrderNotice, now: number): Promise<void> {
  const { db, lane, logger } = deps;
  const order = await getOrder(db, notice.orderId);
  if (!order || !WAITING.has(order.status)) {
    await finishNotice(db, notice.orderId, { status: 'not_needed', reason: `order is ${order?.status ?? 'gone'}` });
    return;
  }
  const contact = await findContactByPhone(db, notice.phone);
  if (contact?.consents.sms?.granted === false) {
    await finishNotice(db, notice.orderId, { status: 'skipped', reason: 'the number opted out of SMS' });
    return;
  }

  const [truck] = await getTrucks(db, [order.truckId]);
  const text = readyText(order.customer.language ?? 'en', truck?.name ?? 'Cloudburst', order.pickupNumber ?? '');
  if (lane.outbox) {
    // With no SMS provider the text is kept on the notice, where the order's admin view shows it.
    await finishNotice(db, notice.orderId, { status: 'sent', provider: 'outbox', body: text });
    logger.info({ orderId: order.id }, 'ready-order text kept in the outbox: no SMS provider is configured');
    return;
  }
  const outcome = await lane.provider.send({ jobId: `order-ready:${order.id}`, channel: 'sms', sender: lane.sender, to: notice.phone, text });

  if (outcome.status === 'sent') {
    await finishNotice(db, notice.orderId, { status: 'sent', provider: lane.provider.name, providerMessageId: outcome.providerMessageId, body: text });
    logger.info({ orderId: order.id, provider: lane.provider.name }, 'ready-order text sent');
  } else if (outcome.status === 'retry' && notice.attempts < MAX_ATTEMPTS) {
    await retryNotice(db, notice.orderId, now + (outcome.retryAfterMs ?? RETRY_BASE_MS * 2 ** (notice.attempts - 1)), outcome.reason);
    logger.warn({ orderId: order.id, attempt: notice.attempts, reason: outcome.reason }, 'ready-order text deferred by the provider; retrying');
  } else {
    await finishNotice(db, notice.orderId, { status: 'failed', reason: outcome.reason, provider: lane.provider.name, body: text });
    logger.warn({ orderId: order.id, reason: outcome.reason }, 'ready-order text failed');
  }
}
