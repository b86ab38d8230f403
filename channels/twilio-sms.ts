/**
 * The `sms` channel over Twilio's Messages API, called through the official twilio
 * package (v6). One send is one `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`,
 * and its reply or error becomes a SendOutcome. Twilio reports delivery later in the
 * status callback, which twilio-inbound.ts parses.
 */
import twilio from 'twilio';
import type { MessageListInstanceCreateOptions } from 'twilio/lib/rest/api/v2010/account/message.js';
import { silentLogger, type Logger } from '../common/logger.js';
import {
  DEFAULT_TWILIO_REQUEST_TIMEOUT_MS,
  E164,
  MESSAGING_SERVICE_SID,
  validateTwilioSmsConfig,
  type TwilioSmsConfig,
} from './twilio-config.js';
import { outcomeForApiFailure, outcomeForRequestError } from './twilio-errors.js';
import { TwilioHttpClient, type ReplyCapture } from './twilio-http-client.js';
import type { ChannelProvider, OutgoingMessage, SendOutcome } from './types.js';

export type { TwilioSmsConfig } from './twilio-config.js';

type SenderParams = { from: string } | { messagingServiceSid: string };
type FailedOutcome = Extract<SendOutcome, { status: 'failed' }>;

/**
 * Creates the Twilio SMS provider.
 *
 * The sender is `message.sender` when it is set (an E.164 number or a Messaging Service
 * SID), else `config.messagingServiceSid`, else `config.from`. Only one of `From` and
 * `MessagingServiceSid` is sent. The log never contains the auth token, the message text
 * or the recipient's number.
 *
 * @throws CloudburstError `invalid_input` naming the invalid `twilio.*` setting
 *
 * @example
 * const sms = createTwilioSms({ accountSid, authToken, messagingServiceSid, statusCallbackUrl }, logger);
 * const outcome = await sms.send({ jobId, channel: 'sms', sender: '', to: '+14155550123', text: 'Tacos are 20% off until 12:30' });
 */
export function createTwilioSms(config: TwilioSmsConfig, logger: Logger = silentLogger()): ChannelProvider {
  const settings = validateTwilioSmsConfig(config);
  const timeoutMs = settings.requestTimeoutMs ?? DEFAULT_TWILIO_REQUEST_TIMEOUT_MS;
  const httpClient = new TwilioHttpClient({ apiBaseUrl: settings.apiBaseUrl, timeoutMs });
  const client = twilio(settings.accountSid, settings.authToken, { httpClient });
  const log = logger.child({ component: 'twilio-sms' });

  async function send(message: OutgoingMessage): Promise<SendOutcome> {
    if (message.channel !== 'sms') {
      throw new Error(`twilio-sms cannot send job ${message.jobId}: channel is ${JSON.stringify(message.channel)}, expected "sms"`);
    }

    const rejected = checkMessage(message);
    if (rejected !== undefined) {
      log.warn({ jobId: message.jobId, providerCode: rejected.providerCode }, 'SMS not sent: invalid message');
      return rejected;
    }

    const params: MessageListInstanceCreateOptions = {
      to: message.to,
      body: message.text,
      ...chooseSender(message.sender, settings),
      ...(settings.statusCallbackUrl === undefined ? {} : { statusCallback: settings.statusCallbackUrl }),
    };
    const capture: ReplyCapture = {};
    let outcome: SendOutcome;
    try {
      const created = await httpClient.captureReply(capture, () => client.messages.create(params));
      outcome = acceptedOutcome(created.sid);
    } catch (error) {
      outcome = outcomeForError(error, capture, timeoutMs);
    }

    logOutcome(log, message.jobId, outcome);
    return outcome;
  }

  return {
    channel: 'sms',
    name: 'twilio',
    send,
    async close() {
      httpClient.close();
    },
  };
}

function checkMessage(message: OutgoingMessage): FailedOutcome | undefined {
  if (!E164.test(message.to)) {
    return {
      status: 'failed',
      reason: `invalid to: ${JSON.stringify(message.to)} (expected an E.164 number such as "+14155550100")`,
      providerCode: 'invalid_to',
    };
  }
  if (message.sender !== '' && !E164.test(message.sender) && !MESSAGING_SERVICE_SID.test(message.sender)) {
    return {
      status: 'failed',
      reason: `invalid sender: ${JSON.stringify(message.sender)} (expected an E.164 number or "MG" followed by 32 hex digits)`,
      providerCode: 'invalid_sender',
    };
  }
  if (message.text === '') {
    return { status: 'failed', reason: 'invalid text: "" (expected a non-empty SMS body)', providerCode: 'empty_text' };
  }
  return undefined;
}

function chooseSender(sender: string, settings: TwilioSmsConfig): SenderParams {
  if (sender !== '') {
    return MESSAGING_SERVICE_SID.test(sender) ? { messagingServiceSid: sender } : { from: sender };
  }
  // validateTwilioSmsConfig guarantees that one of the two is set.
  return settings.messagingServiceSid !== undefined
    ? { messagingServiceSid: settings.messagingServiceSid }
    : { from: settings.from! };
}

function acceptedOutcome(sid: string | undefined): SendOutcome {
  if (typeof sid === 'string' && sid !== '') return { status: 'sent', providerMessageId: sid };

  // A 2xx without a SID means the message may be on its way, so a retry could send it twice.
  return { status: 'failed', reason: 'Twilio accepted the request but returned no message SID', providerCode: 'missing_sid' };
}

/**
 * The twilio package throws a RestException for an HTTP error reply, or a
 * TwilioServiceException when the body has the RFC 9457 shape. Both carry the HTTP
 * `status` and Twilio's `code`. An error without a `status` never got a reply.
 */
function outcomeForError(error: unknown, capture: ReplyCapture, timeoutMs: number): SendOutcome {
  const reply = error as { status?: unknown; code?: unknown; message?: unknown; detail?: unknown };
  if (typeof reply?.status !== 'number') return outcomeForRequestError(error, timeoutMs);

  const retryAfter = capture.headers?.['retry-after'];
  let message: string | undefined;
  if (typeof reply.detail === 'string') message = reply.detail;
  else if (typeof reply.message === 'string') message = reply.message;

  return outcomeForApiFailure({
    httpStatus: reply.status,
    code: typeof reply.code === 'number' ? reply.code : undefined,
    message,
    retryAfter: typeof retryAfter === 'string' ? retryAfter : undefined,
  });
}

function logOutcome(log: Logger, jobId: string, outcome: SendOutcome): void {
  if (outcome.status === 'sent') {
    log.info({ jobId, messageSid: outcome.providerMessageId }, 'SMS accepted by Twilio');
    return;
  }

  const context = { jobId, outcome: outcome.status, providerCode: outcome.providerCode };
  if (outcome.providerCode === '20003' || outcome.providerCode === 'http_401' || outcome.providerCode === 'http_403') {
    log.error(context, 'Twilio rejected the credentials, so every SMS fails until twilio.accountSid and twilio.authToken are fixed');
  } else if (outcome.status === 'retry') {
    log.warn({ ...context, retryAfterMs: outcome.retryAfterMs }, 'SMS send failed temporarily');
  } else {
    log.warn(context, 'SMS send failed and is not retried');
  }
}
