import http from 'node:http';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { startTwilioStandIn, type TwilioStandIn } from '../test/stand-ins/twilio-api.js';
import { outcomeForApiFailure, outcomeForRequestError, parseRetryAfter } from './twilio-errors.js';
import { createTwilioSms, type TwilioSmsConfig } from './twilio-sms.js';
import type { ChannelProvider, OutgoingMessage, SendOutcome } from './types.js';

const FROM = '+14155550100';
const TO = '+14155550123';
const SERVICE_SID = `MG${'a'.repeat(32)}`;
const CALLBACK_URL = 'https://cloudburst.example/webhooks/twilio/status';
const TEXT = '今天午餐 tacos 八折 🌮🔥 Reply STOP to opt out';

let standIn: TwilioStandIn;
let clock = Date.parse('2026-12-04T19:00:00Z');
const providers: ChannelProvider[] = [];

beforeAll(async () => {
  standIn = await startTwilioStandIn({ now: () => clock });
});

afterEach(async () => {
  await Promise.all(providers.splice(0).map((provider) => provider.close?.()));
  standIn.clearRules();
  standIn.messages.length = 0;
  standIn.requests.length = 0;
});

afterAll(async () => {
  await standIn.close();
});

function provider(overrides: Partial<TwilioSmsConfig> = {}, logger?: pino.Logger): ChannelProvider {
  const sms = createTwilioSms(
    {
      accountSid: standIn.accountSid,
      authToken: standIn.authToken,
      apiBaseUrl: standIn.url,
      from: FROM,
      statusCallbackUrl: CALLBACK_URL,
      ...overrides,
    },
    logger,
  );
  providers.push(sms);
  return sms;
}

function reasonOf(outcome: SendOutcome): string | undefined {
  return outcome.status === 'sent' ? undefined : outcome.reason;
}

function message(overrides: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return { jobId: 'job-1', channel: 'sms', sender: '', to: TO, text: TEXT, ...overrides };
}

/** Builds the parked outcome of an attempt Twilio may have accepted, spelled out so a change of wording shows. */
function unknown(cause: string, providerCode: string): SendOutcome {
  return {
    status: 'failed',
    reason:
      `${cause}. The provider may have accepted the message, so it was not sent again. ` +
      'Check the messaging logs in the Twilio Console, and retry the send from the console only if the message is not there',
    providerCode,
  };
}

describe('createTwilioSms sending', () => {
  it('sends To, From, Body and StatusCallback exactly', async () => {
    const outcome = await provider().send(message());

    expect(standIn.messages).toHaveLength(1);
    const recorded = standIn.messages[0]!;
    expect(outcome).toEqual({ status: 'sent', providerMessageId: recorded.sid });
    expect(recorded.sid).toMatch(/^SM[0-9a-f]{32}$/);
    expect(recorded.form).toEqual({ To: TO, From: FROM, Body: TEXT, StatusCallback: CALLBACK_URL });
    expect(recorded.contentType).toBe('application/x-www-form-urlencoded');
  });

  it('keeps Chinese and emoji intact', async () => {
    await provider().send(message());

    expect(standIn.messages[0]!.form.Body).toBe(TEXT);
    expect(standIn.messages[0]!.rawBody).toBe(
      `To=%2B14155550123&StatusCallback=${encodeURIComponent(CALLBACK_URL)}&From=%2B14155550100&Body=${encodeURIComponent(TEXT)}`,
    );
  });

  it('sends MessagingServiceSid instead of From when configured', async () => {
    await provider({ from: undefined, messagingServiceSid: SERVICE_SID, statusCallbackUrl: undefined }).send(message());

    expect(standIn.messages[0]!.form).toEqual({ To: TO, MessagingServiceSid: SERVICE_SID, Body: TEXT });
  });

  it('prefers the message sender over the configured one', async () => {
    const sms = provider();
    await sms.send(message({ sender: SERVICE_SID }));
    await sms.send(message({ sender: '+14155550111' }));

    expect(standIn.messages[0]!.form.MessagingServiceSid).toBe(SERVICE_SID);
    expect(standIn.messages[0]!.form.From).toBeUndefined();
    expect(standIn.messages[1]!.form.From).toBe('+14155550111');
  });

  it('rejects a message for another channel', async () => {
    await expect(provider().send(message({ channel: 'email' }))).rejects.toThrow(
      'twilio-sms cannot send job job-1: channel is "email", expected "sms"',
    );
  });

  it('fails an invalid To without calling Twilio', async () => {
    const outcome = await provider().send(message({ to: '415-555-0123' }));

    expect(outcome).toEqual({
      status: 'failed',
      reason: 'invalid to: "415-555-0123" (expected an E.164 number such as "+14155550100")',
      providerCode: 'invalid_to',
    });
    expect(standIn.requests).toEqual([]);
  });

  it('fails an invalid sender without calling Twilio', async () => {
    const outcome = await provider().send(message({ sender: 'CloudBurst' }));

    expect(outcome).toMatchObject({ status: 'failed', providerCode: 'invalid_sender' });
    expect(reasonOf(outcome)).toContain('invalid sender: "CloudBurst"');
    expect(standIn.requests).toEqual([]);
  });

  it('fails an empty text without calling Twilio', async () => {
    const outcome = await provider().send(message({ text: '' }));

    expect(outcome).toMatchObject({ status: 'failed', providerCode: 'empty_text' });
    expect(standIn.requests).toEqual([]);
  });
});

describe('createTwilioSms error mapping', () => {
  it('maps 21211 to a permanent failure', async () => {
    standIn.setRule({ kind: 'invalid-number', to: TO });
    const outcome = await provider().send(message());

    expect(outcome).toEqual({
      status: 'failed',
      reason: `Twilio error 21211: invalid 'To' phone number: Invalid 'To' Phone Number: ${TO}`,
      providerCode: '21211',
    });
    expect(standIn.messages).toEqual([]);
  });

  it('maps 21610 to unsubscribed', async () => {
    standIn.setRule({ kind: 'unsubscribed', to: TO });
    const outcome = await provider().send(message());

    expect(outcome).toMatchObject({ status: 'failed', providerCode: '21610' });
    expect(reasonOf(outcome)).toContain('recipient replied STOP and is unsubscribed');
  });

  it.each([
    [21614, "'To' number is not a mobile number"],
    [21408, 'sending to the region of the'],
  ])('maps %i to a permanent failure', async (code, reason) => {
    standIn.setRule({ kind: 'error', to: TO, httpStatus: 400, code, message: 'rejected' });
    const outcome = await provider().send(message());

    expect(outcome).toMatchObject({ status: 'failed', providerCode: String(code) });
    expect(reasonOf(outcome)).toContain(reason);
  });

  it('maps 429 with Retry-After to a delayed retry', async () => {
    standIn.setRule({ kind: 'rate-limit', perSecond: 2, retryAfterSeconds: 7 });
    const sms = provider();

    const first = await sms.send(message());
    const second = await sms.send(message());
    const third = await sms.send(message());

    expect(first.status).toBe('sent');
    expect(second.status).toBe('sent');
    expect(third).toEqual({
      status: 'retry',
      reason: 'Twilio error 20429: Twilio rate limit reached: Too Many Requests',
      retryAfterMs: 7000,
      providerCode: '20429',
    });
    expect(standIn.messages).toHaveLength(2);
  });

  it('keeps Retry-After per concurrent send', async () => {
    standIn.setRule({ kind: 'rate-limit', perSecond: 2, retryAfterSeconds: 3 });
    const sms = provider();

    const outcomes = await Promise.all([sms.send(message()), sms.send(message()), sms.send(message())]);
    const retries = outcomes.filter((outcome) => outcome.status === 'retry');

    expect(outcomes.filter((outcome) => outcome.status === 'sent')).toHaveLength(2);
    expect(retries).toEqual([{ status: 'retry', reason: expect.stringContaining('20429'), retryAfterMs: 3000, providerCode: '20429' }]);
  });

  it('counts the rate limit per sender', async () => {
    standIn.setRule({ kind: 'rate-limit', perSecond: 1, retryAfterSeconds: 1 });
    const sms = provider();

    const fromDefault = await sms.send(message());
    const fromOther = await sms.send(message({ sender: '+14155550111' }));
    const fromDefaultAgain = await sms.send(message());

    expect(fromDefault.status).toBe('sent');
    expect(fromOther.status).toBe('sent');
    expect(fromDefaultAgain.status).toBe('retry');
  });

  it('accepts again once the rate window has passed', async () => {
    standIn.setRule({ kind: 'rate-limit', perSecond: 1, retryAfterSeconds: 1 });
    const sms = provider();

    await sms.send(message());
    const limited = await sms.send(message());
    clock += 1_000;
    const later = await sms.send(message());

    expect(limited.status).toBe('retry');
    expect(later.status).toBe('sent');
  });

  it('parks a 500 as an unknown outcome', async () => {
    standIn.setRule({ kind: 'server-errors', count: 1 });

    const outcome = await provider().send(message());

    expect(outcome).toEqual(unknown('Twilio error 20500: Internal Server Error', '20500'));
    expect(standIn.requests).toEqual([{ method: 'POST', path: `/2010-04-01/Accounts/${standIn.accountSid}/Messages.json`, status: 500 }]);
  });

  it('retries a 503 and sends on the next attempt', async () => {
    standIn.setRule({ kind: 'error', to: TO, httpStatus: 503, code: 20503, message: 'Service unavailable' });
    const sms = provider();

    const first = await sms.send(message());
    standIn.clearRules();
    const second = await sms.send(message());

    expect(first).toEqual({ status: 'retry', reason: 'Twilio error 20503: Service unavailable', providerCode: '20503' });
    expect(second.status).toBe('sent');
    expect(standIn.messages).toHaveLength(1);
  });

  it('maps wrong credentials to a permanent failure', async () => {
    const outcome = await provider({ authToken: 'not-the-token' }).send(message());

    expect(outcome).toEqual({
      status: 'failed',
      reason:
        'Twilio error 20003: Twilio rejected the account SID or auth token: Authenticate. ' +
        'Permanent for this message: fix twilio.accountSid and twilio.authToken, then send it again',
      providerCode: '20003',
    });
    expect(standIn.requests).toEqual([{ method: 'POST', path: `/2010-04-01/Accounts/${standIn.accountSid}/Messages.json`, status: 401 }]);
  });

  it('parks a timeout after the request was sent', async () => {
    standIn.setRule({ kind: 'stall', to: TO });

    const outcome = await provider({ requestTimeoutMs: 200 }).send(message());

    expect(outcome).toEqual(unknown('Twilio did not answer within 200 ms (ECONNABORTED)', 'timeout'));
    expect(standIn.requests).toEqual([{ method: 'POST', path: `/2010-04-01/Accounts/${standIn.accountSid}/Messages.json`, status: 0 }]);
  });

  it('parks a connection closed after the request was sent', async () => {
    standIn.setRule({ kind: 'reset', to: TO });

    const outcome = await provider().send(message());

    expect(outcome).toEqual(unknown('Twilio request failed without a reply: socket hang up (ECONNRESET)', 'ECONNRESET'));
    expect(standIn.requests).toHaveLength(1);
    expect(standIn.messages).toEqual([]);
  });

  it('maps a refused connection to a retry', async () => {
    const closed = await startTwilioStandIn();
    await closed.close();
    const sms = createTwilioSms({ accountSid: closed.accountSid, authToken: closed.authToken, apiBaseUrl: closed.url, from: FROM });
    providers.push(sms);

    const outcome = await sms.send(message());

    const address = new URL(closed.url).host;
    expect(outcome).toEqual({
      status: 'retry',
      reason: `Could not connect to Twilio: connect ECONNREFUSED ${address} (ECONNREFUSED)`,
      providerCode: 'ECONNREFUSED',
    });
  });
});

describe('createTwilioSms logging', () => {
  it('never logs the auth token, the text or the recipient', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    });
    const logger = pino({ level: 'trace' }, sink);
    standIn.setRule({ kind: 'server-errors', count: 1 });
    const sms = provider({}, logger);

    await sms.send(message());
    await sms.send(message());
    await provider({ authToken: 'wrong-token-value' }, logger).send(message());

    const output = lines.join('');
    expect(lines).toHaveLength(3);
    expect(output).toContain('"messageSid"');
    expect(output).not.toContain(standIn.authToken);
    expect(output).not.toContain('wrong-token-value');
    expect(output).not.toContain('tacos');
    expect(output).not.toContain(TO);
  });
});

describe('createTwilioSms configuration', () => {
  const valid: TwilioSmsConfig = { accountSid: `AC${'0'.repeat(32)}`, authToken: 'secret-token', from: FROM };

  function configError(config: TwilioSmsConfig): CloudburstError {
    try {
      createTwilioSms(config);
    } catch (error) {
      return error as CloudburstError;
    }
    throw new Error('expected createTwilioSms to throw');
  }

  it('requires from or messagingServiceSid', () => {
    const error = configError({ ...valid, from: undefined });

    expect(error.field).toBe('twilio.from');
    expect(error.message).toBe(
      'invalid twilio.from: missing (expected from (an E.164 number) or messagingServiceSid (a Messaging Service SID))',
    );
  });

  it('names an invalid account SID', () => {
    const error = configError({ ...valid, accountSid: 'SK123' });

    expect(error.message).toBe('invalid twilio.accountSid: "SK123" (expected "AC" followed by 32 hex digits)');
  });

  it('names an invalid from number', () => {
    expect(configError({ ...valid, from: '4155550100' }).field).toBe('twilio.from');
  });

  it('names an invalid messagingServiceSid', () => {
    expect(configError({ ...valid, messagingServiceSid: 'MG1' }).field).toBe('twilio.messagingServiceSid');
  });

  it('never echoes the auth token', () => {
    const error = configError({ ...valid, authToken: '' });

    expect(error.field).toBe('twilio.authToken');
    expect(error.value).toBeUndefined();
    expect(error.message).toBe('invalid twilio.authToken: [redacted] (expected the account auth token)');
  });

  it('rejects plain http to a remote host', () => {
    const error = configError({ ...valid, apiBaseUrl: 'http://twilio-proxy.example:8080' });

    expect(error.field).toBe('twilio.apiBaseUrl');
    expect(error.message).toContain('expected https, or http on a loopback host');
  });

  it('names an invalid statusCallbackUrl', () => {
    expect(configError({ ...valid, statusCallbackUrl: 'not a url' }).field).toBe('twilio.statusCallbackUrl');
  });
});

describe('Twilio outcome mapping', () => {
  const now = Date.parse('2026-12-04T19:00:00Z');

  it('reads Retry-After as seconds or an HTTP date', () => {
    expect(parseRetryAfter('30', now)).toBe(30_000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Fri, 04 Dec 2026 19:00:45 GMT', now)).toBe(45_000);
    expect(parseRetryAfter('Fri, 04 Dec 2026 18:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('retries a 429 without Retry-After with no delay given', () => {
    expect(outcomeForApiFailure({ httpStatus: 429 }, now)).toEqual({ status: 'retry', reason: 'Twilio HTTP 429', providerCode: 'http_429' });
  });

  it('retries 503 without a Twilio code', () => {
    expect(outcomeForApiFailure({ httpStatus: 503 }, now)).toEqual({ status: 'retry', reason: 'Twilio HTTP 503', providerCode: 'http_503' });
  });

  it('retries 408', () => {
    expect(outcomeForApiFailure({ httpStatus: 408 }, now)).toEqual({ status: 'retry', reason: 'Twilio HTTP 408', providerCode: 'http_408' });
  });

  it.each([500, 502, 504])('parks %i without a Twilio code as unknown', (httpStatus) => {
    expect(outcomeForApiFailure({ httpStatus }, now)).toEqual(unknown(`Twilio HTTP ${httpStatus}`, `http_${httpStatus}`));
  });

  it('fails 403 as rejected credentials', () => {
    const outcome = outcomeForApiFailure({ httpStatus: 403 }, now);

    expect(outcome.status).toBe('failed');
    expect(reasonOf(outcome)).toContain('Permanent for this message');
  });

  it('fails an unknown 4xx code with its message', () => {
    expect(outcomeForApiFailure({ httpStatus: 400, code: 21606, message: "The 'From' phone number is not valid" }, now)).toEqual({
      status: 'failed',
      reason: "Twilio error 21606: The 'From' phone number is not valid",
      providerCode: '21606',
    });
  });

  it('parks an error without a system code as unknown', () => {
    expect(outcomeForRequestError(new SyntaxError('Unexpected token'), 1000)).toEqual(
      unknown('unexpected error from the twilio package: Unexpected token', 'unexpected'),
    );
  });

  it('retries a timeout before the request was sent', () => {
    // Never ended, so the request is not handed to the operating system, as when connecting hangs.
    const request = http.request(standIn.url, { method: 'POST' });
    request.on('error', () => undefined);
    const error = Object.assign(new Error('timeout of 200ms exceeded'), { code: 'ECONNABORTED', request });

    const outcome = outcomeForRequestError(error, 200);
    request.destroy();

    expect(outcome).toEqual({
      status: 'retry',
      reason: 'Twilio did not answer within 200 ms, before the request was sent (ECONNABORTED)',
      providerCode: 'timeout',
    });
  });

  it('parks a timeout after the whole request was sent', async () => {
    const request = http.request(standIn.url, { method: 'POST' });
    request.on('error', () => undefined);
    await new Promise<void>((resolve) => request.end('To=%2B14155550123', resolve));
    const error = Object.assign(new Error('timeout of 200ms exceeded'), { code: 'ECONNABORTED', request });

    const outcome = outcomeForRequestError(error, 200);
    request.destroy();

    expect(outcome).toEqual(unknown('Twilio did not answer within 200 ms (ECONNABORTED)', 'timeout'));
  });

  it('retries a DNS failure without a request', () => {
    const error = Object.assign(new Error('getaddrinfo ENOTFOUND api.twilio.com'), { code: 'ENOTFOUND', syscall: 'getaddrinfo' });

    expect(outcomeForRequestError(error, 1000)).toEqual({
      status: 'retry',
      reason: 'Could not connect to Twilio: getaddrinfo ENOTFOUND api.twilio.com (ENOTFOUND)',
      providerCode: 'ENOTFOUND',
    });
  });

  it('parks a read reset without a request as unknown', () => {
    const error = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET', syscall: 'read' });

    expect(outcomeForRequestError(error, 1000)).toEqual(unknown('Twilio request failed without a reply: read ECONNRESET (ECONNRESET)', 'ECONNRESET'));
  });
});
