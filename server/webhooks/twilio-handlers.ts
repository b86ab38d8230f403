/**
 * Handlers of Twilio's two webhooks: an inbound SMS and a delivery status callback. Both
 * are form-encoded and signed with the account's auth token (see twilio-request.ts).
 */
import type { Context } from 'hono';
import {
  classifyInboundKeyword,
  keywordReply,
  parseInboundSms,
  parseStatusCallback,
  TWIML_CONTENT_TYPE,
  type StatusCallback,
} from '../../channels/twilio-inbound.js';
import { describeTwilioError } from '../../channels/twilio-errors.js';
import { clipValue, CloudburstError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { recordDeliveryReport } from '../repos/send-jobs.js';
import { transactionRetryingRaces } from '../../store/race-retry.js';
import { recordInboundSms } from './inbound-sms.js';
import type { WebhookOptions } from './options.js';
import { readSignedTwilioForm, type TwilioForm } from './twilio-request.js';

type Handler = (c: Context) => Promise<Response>;

/**
 * `POST /twilio/inbound`: fields `MessageSid`, `From`, `To`, `Body`. Records the message,
 * applies STOP or START to the sender's SMS consent and replies with TwiML: the HELP text
 * for HELP or INFO, an empty response otherwise.
 */
export function twilioInboundHandler(options: WebhookOptions): Handler {
  const log = options.logger.child({ component: 'twilio-webhook' });
  const now = options.now ?? Date.now;

  return async function receiveInboundSms(c) {
    const form = await readSignedTwilioForm(c, options, '/twilio/inbound', log);
    const sms = parseOrLog(form, parseInboundSms, log, 'inbound SMS');
    const keyword = classifyInboundKeyword(sms.body);

    const result = await logStoreFailure(log, sms.messageSid, () => transactionRetryingRaces(options.db, (tx) => recordInboundSms(tx, sms, keyword, now())));
    if (result.duplicate) log.info({ messageSid: sms.messageSid, keyword }, 'inbound SMS already recorded; retried webhook ignored');
    else log.info({ messageSid: sms.messageSid, keyword, contactId: result.contactId }, 'inbound SMS recorded');

    // A retried webhook gets the same reply, because the reply to the first attempt may never have reached Twilio.
    const twiml = keywordReply(keyword, { name: options.brand() });
    return c.body(twiml, 200, { 'content-type': TWIML_CONTENT_TYPE });
  };
}

/**
 * `POST /twilio/status`: fields `MessageSid`, `MessageStatus`, `ErrorCode`. Marks the send
 * job with that provider message id as delivered or failed, and replies 200 with no body.
 */
export function twilioStatusHandler(options: WebhookOptions): Handler {
  const log = options.logger.child({ component: 'twilio-webhook' });

  return async function receiveStatusCallback(c) {
    const form = await readSignedTwilioForm(c, options, '/twilio/status', log);
    const callback = parseOrLog(form, parseStatusCallback, log, 'status callback');

    const report = deliveryReportOf(callback);
    if (report === undefined) {
      log.debug({ messageSid: callback.messageSid, status: callback.status }, 'status callback ignored: not a final delivery status');
      return c.body(null, 200);
    }

    const job = await logStoreFailure(log, callback.messageSid, () => recordDeliveryReport(options.db, callback.messageSid, report));
    if (job === undefined) {
      // No sent or delivered job has this id: it was deleted with its campaign, has already failed, or another tool sent it.
      log.info({ messageSid: callback.messageSid, status: callback.status }, 'status callback matched no sent job');
    } else {
      log.info({ messageSid: callback.messageSid, jobId: job.id, status: callback.status, errorCode: callback.errorCode }, 'delivery status recorded');
    }
    return c.body(null, 200);
  };
}

/**
 * Maps a status callback to a delivery report: `delivered` is delivered, `undelivered`
 * and `failed` are not, with a reason naming Twilio's error code. Returns undefined for
 * the other statuses, which are not final.
 */
export function deliveryReportOf(callback: StatusCallback): { delivered: boolean; reason?: string } | undefined {
  if (callback.status === 'delivered') return { delivered: true };
  if (callback.status !== 'undelivered' && callback.status !== 'failed') return undefined;

  const code = callback.errorCode;
  if (code === undefined) return { delivered: false, reason: `${callback.status} (Twilio sent no error code)` };
  const description = describeTwilioError(code) ?? `see https://www.twilio.com/docs/api/errors/${code}`;
  return { delivered: false, reason: `${callback.status} (${code}: ${description})` };
}

/** Logs a store failure with the MessageSid and rethrows it, so Twilio gets a 500. */
async function logStoreFailure<T>(log: Logger, messageSid: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    log.error({ messageSid, err: error }, 'Twilio webhook could not be stored');
    throw error;
  }
}

function parseOrLog<T>(form: TwilioForm, parse: (form: TwilioForm) => T, log: Logger, what: string): T {
  try {
    return parse(form);
  } catch (error) {
    // The field name only: its value may be a phone number or the text of the message.
    const field = error instanceof CloudburstError ? error.field : undefined;
    log.warn({ messageSid: clipValue(form.MessageSid), field }, `invalid ${what} rejected`);
    throw error;
  }
}
