import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { startTwilioStandIn, type TwilioStandIn } from '../test/stand-ins/twilio-api.js';
import { describeTwilioError } from './twilio-errors.js';
import {
  classifyInboundKeyword,
  emptyReply,
  helpReply,
  keywordReply,
  parseInboundSms,
  parseStatusCallback,
  TWIML_CONTENT_TYPE,
  verifyTwilioSignature,
  type InboundKeyword,
} from './twilio-inbound.js';
import { createTwilioSms } from './twilio-sms.js';

const CUSTOMER = '+14155550123';
const OUR_NUMBER = '+14155550100';
const BRAND = { name: 'Taco Cloud' };
const SID = `SM${'0123456789abcdef'.repeat(2)}`;

interface ReceivedWebhook {
  path: string;
  signature: string | undefined;
  params: Record<string, string>;
}

/**
 * Starts a local webhook target that works the way the hono routes are meant to: verify
 * the signature against the public URL, parse, and reply with TwiML.
 */
async function startWebhookReceiver(authToken: string) {
  const received: ReceivedWebhook[] = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const params = Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString('utf8')));
      const signature = request.headers['x-twilio-signature'] as string | undefined;
      const path = request.url ?? '/';
      received.push({ path, signature, params });

      if (!verifyTwilioSignature(authToken, `${url}${path}`, params, signature)) {
        response.writeHead(403).end();
        return;
      }
      if (path === '/sms') {
        const sms = parseInboundSms(params);
        response.writeHead(200, { 'content-type': TWIML_CONTENT_TYPE });
        response.end(keywordReply(classifyInboundKeyword(sms.body), BRAND));
        return;
      }
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

let standIn: TwilioStandIn;
let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

beforeAll(async () => {
  standIn = await startTwilioStandIn();
  receiver = await startWebhookReceiver(standIn.authToken);
});

beforeEach(() => {
  receiver.received.length = 0;
});

afterAll(async () => {
  await receiver.close();
  await standIn.close();
});

describe('verifyTwilioSignature', () => {
  async function signedInbound(): Promise<ReceivedWebhook> {
    const reply = await standIn.sendInbound(`${receiver.url}/sms`, CUSTOMER, OUR_NUMBER, '你好 🌮 where are you today?');
    expect(reply.status).toBe(200);
    return receiver.received[0]!;
  }

  it('accepts a correctly signed request', async () => {
    const webhook = await signedInbound();

    expect(webhook.signature).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(verifyTwilioSignature(standIn.authToken, `${receiver.url}/sms`, webhook.params, webhook.signature)).toBe(true);
  });

  it('rejects a tampered body', async () => {
    const webhook = await signedInbound();
    const tampered = { ...webhook.params, Body: 'STOP' };

    expect(verifyTwilioSignature(standIn.authToken, `${receiver.url}/sms`, tampered, webhook.signature)).toBe(false);
  });

  it('rejects an added parameter', async () => {
    const webhook = await signedInbound();
    const extended = { ...webhook.params, OptOutType: 'STOP' };

    expect(verifyTwilioSignature(standIn.authToken, `${receiver.url}/sms`, extended, webhook.signature)).toBe(false);
  });

  it('rejects a wrong URL', async () => {
    const webhook = await signedInbound();

    expect(verifyTwilioSignature(standIn.authToken, `${receiver.url}/status`, webhook.params, webhook.signature)).toBe(false);
    expect(verifyTwilioSignature(standIn.authToken, `https://cloudburst.example/sms`, webhook.params, webhook.signature)).toBe(false);
    expect(verifyTwilioSignature(standIn.authToken, `${receiver.url}/sms?campaign=1`, webhook.params, webhook.signature)).toBe(false);
  });

  it('rejects a missing header', async () => {
    const webhook = await signedInbound();

    expect(verifyTwilioSignature(standIn.authToken, `${receiver.url}/sms`, webhook.params, undefined)).toBe(false);
    expect(verifyTwilioSignature(standIn.authToken, `${receiver.url}/sms`, webhook.params, null)).toBe(false);
    expect(verifyTwilioSignature(standIn.authToken, `${receiver.url}/sms`, webhook.params, '')).toBe(false);
  });

  it('rejects another account token', async () => {
    const webhook = await signedInbound();

    expect(verifyTwilioSignature('f'.repeat(32), `${receiver.url}/sms`, webhook.params, webhook.signature)).toBe(false);
  });

  it('answers 403 to an unsigned request', async () => {
    const response = await fetch(`${receiver.url}/sms`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ MessageSid: SID, From: CUSTOMER, To: OUR_NUMBER, Body: 'STOP' }).toString(),
    });

    expect(response.status).toBe(403);
  });

  it('throws for a relative public URL', () => {
    expect(() => verifyTwilioSignature(standIn.authToken, '/sms', {}, 'x')).toThrow(
      'invalid publicUrl: "/sms" (expected the absolute URL Twilio calls)',
    );
  });

  it('throws for an empty auth token', () => {
    expect(() => verifyTwilioSignature('', 'https://cloudburst.example/sms', {}, 'x')).toThrow('invalid twilio.authToken: missing');
  });

  it('accepts an HMAC-SHA1 of the URL and sorted parameters', () => {
    // Twilio's signing rule, computed without the twilio package: the full URL, then each
    // POST parameter's name and value in name order, HMAC-SHA1 with the auth token, base64.
    const url = 'https://cloudburst.example/webhooks/twilio/sms?truck=7';
    const params = { To: OUR_NUMBER, From: CUSTOMER, Body: '八折 🌮', MessageSid: SID };
    const signed = url + Object.keys(params).sort().map((key) => key + params[key as keyof typeof params]).join('');
    const signature = createHmac('sha1', standIn.authToken).update(signed, 'utf8').digest('base64');

    expect(verifyTwilioSignature(standIn.authToken, url, params, signature)).toBe(true);
    expect(standIn.sign(url, params)).toBe(signature);
  });
});

describe('inbound SMS round trip', () => {
  it('answers HELP with the brand and how to stop', async () => {
    const reply = await standIn.sendInbound(`${receiver.url}/sms`, CUSTOMER, OUR_NUMBER, ' help ');

    expect(reply.status).toBe(200);
    expect(reply.contentType).toBe(TWIML_CONTENT_TYPE);
    expect(reply.body).toBe(helpReply(BRAND));
    expect(reply.body).toContain('Reply STOP to unsubscribe');
  });

  it('answers STOP with no message', async () => {
    const reply = await standIn.sendInbound(`${receiver.url}/sms`, CUSTOMER, OUR_NUMBER, 'STOP');

    expect(reply.body).toBe('<?xml version="1.0" encoding="UTF-8"?><Response/>');
  });

  it('passes the inbound fields through parseInboundSms', async () => {
    const reply = await standIn.sendInbound(`${receiver.url}/sms`, CUSTOMER, OUR_NUMBER, '明天还在吗？🚚');

    expect(parseInboundSms(receiver.received[0]!.params)).toEqual({
      messageSid: reply.messageSid,
      from: CUSTOMER,
      to: OUR_NUMBER,
      body: '明天还在吗？🚚',
    });
  });
});

describe('status callback round trip', () => {
  async function sendOne(): Promise<string> {
    const sms = createTwilioSms({
      accountSid: standIn.accountSid,
      authToken: standIn.authToken,
      apiBaseUrl: standIn.url,
      from: OUR_NUMBER,
      statusCallbackUrl: `${receiver.url}/status`,
    });
    const outcome = await sms.send({ jobId: 'job-7', channel: 'sms', sender: '', to: CUSTOMER, text: 'Tacos 20% off' });
    await sms.close?.();
    if (outcome.status !== 'sent') throw new Error(`send failed: ${JSON.stringify(outcome)}`);
    return outcome.providerMessageId;
  }

  it('delivers a signed delivered callback', async () => {
    const messageSid = await sendOne();
    const reply = await standIn.sendStatusCallback(messageSid, 'delivered');
    const webhook = receiver.received[0]!;

    expect(reply.status).toBe(200);
    expect(webhook.path).toBe('/status');
    expect(verifyTwilioSignature(standIn.authToken, `${receiver.url}/status`, webhook.params, webhook.signature)).toBe(true);
    expect(parseStatusCallback(webhook.params)).toEqual({ messageSid, status: 'delivered' });
  });

  it('carries the delivery error code', async () => {
    const messageSid = await sendOne();
    await standIn.sendStatusCallback(messageSid, 'undelivered', 30003);
    const callback = parseStatusCallback(receiver.received[0]!.params);

    expect(callback).toEqual({ messageSid, status: 'undelivered', errorCode: 30003 });
    expect(describeTwilioError(callback.errorCode!)).toBe('unreachable destination handset');
  });
});

describe('classifyInboundKeyword', () => {
  const cases: Array<[body: string, keyword: InboundKeyword | null]> = [
    ['STOP', 'stop'],
    ['stop', 'stop'],
    ['  Stop  ', 'stop'],
    ['\nSTOP\n', 'stop'],
    ['STOPALL', 'stop'],
    ['unsubscribe', 'stop'],
    ['Cancel', 'stop'],
    ['END', 'stop'],
    ['quit', 'stop'],
    ['OPTOUT', 'stop'],
    ['revoke', 'stop'],
    ['START', 'start'],
    ['yes', 'start'],
    ['Unstop', 'start'],
    ['HELP', 'help'],
    [' info ', 'help'],
    ['stop sending me this', null],
    ['STOP PLEASE', null],
    ['please cancel', null],
    ['OPT OUT', null],
    ['Stop.', null],
    ['STOPP', null],
    ['', null],
    ['   ', null],
    ['tacos?', null],
  ];

  it.each(cases)('classifies %j as %s', (body, keyword) => {
    expect(classifyInboundKeyword(body)).toBe(keyword);
  });
});

describe('parseInboundSms', () => {
  const valid = { MessageSid: SID, From: CUSTOMER, To: OUR_NUMBER, Body: 'hi', AccountSid: `AC${'1'.repeat(32)}` };

  function parseError(params: Record<string, unknown>): CloudburstError {
    try {
      parseInboundSms(params);
    } catch (error) {
      return error as CloudburstError;
    }
    throw new Error('expected parseInboundSms to throw');
  }

  it('accepts a short code as To', () => {
    expect(parseInboundSms({ ...valid, To: '894546' }).to).toBe('894546');
  });

  it('accepts an empty Body', () => {
    expect(parseInboundSms({ ...valid, Body: '' }).body).toBe('');
  });

  it('names a From that is not E.164', () => {
    const error = parseError({ ...valid, From: '4155550123' });

    expect(error.field).toBe('From');
    expect(error.message).toBe('invalid From: "4155550123" (expected an E.164 number such as "+14155550100")');
  });

  it('names a missing MessageSid', () => {
    const error = parseError({ ...valid, MessageSid: undefined });

    expect(error.field).toBe('MessageSid');
    expect(error.message).toMatch(/^invalid MessageSid: missing/);
  });

  it('names a missing Body', () => {
    expect(parseError({ ...valid, Body: undefined }).field).toBe('Body');
  });

  it('names an invalid To', () => {
    expect(parseError({ ...valid, To: 'our-number' }).message).toBe(
      'invalid To: "our-number" (expected an E.164 number or a short code)',
    );
  });
});

describe('parseStatusCallback', () => {
  const valid = { MessageSid: SID, MessageStatus: 'sent', SmsStatus: 'sent', To: CUSTOMER };

  function parseError(params: Record<string, unknown>): CloudburstError {
    try {
      parseStatusCallback(params);
    } catch (error) {
      return error as CloudburstError;
    }
    throw new Error('expected parseStatusCallback to throw');
  }

  it('parses every status the twilio package declares', () => {
    for (const status of ['queued', 'sending', 'sent', 'delivered', 'undelivered', 'failed', 'read', 'canceled']) {
      expect(parseStatusCallback({ ...valid, MessageStatus: status }).status).toBe(status);
    }
  });

  it('reads an empty ErrorCode as none', () => {
    expect(parseStatusCallback({ ...valid, ErrorCode: '' })).toEqual({ messageSid: SID, status: 'sent' });
  });

  it('names an unknown MessageStatus', () => {
    const error = parseError({ ...valid, MessageStatus: 'lost' });

    expect(error.field).toBe('MessageStatus');
    expect(error.message).toMatch(/^invalid MessageStatus: "lost" \(/);
  });

  it('names a non-numeric ErrorCode', () => {
    const error = parseError({ ...valid, MessageStatus: 'failed', ErrorCode: 'E30003' });

    expect(error.field).toBe('ErrorCode');
    expect(error.message).toBe('invalid ErrorCode: "E30003" (expected a numeric Twilio error code such as "30003")');
  });

  it('names a malformed MessageSid', () => {
    const error = parseError({ ...valid, MessageSid: 'SM123' });

    expect(error.field).toBe('MessageSid');
    expect(error.message).toBe('invalid MessageSid: "SM123" (expected "SM" or "MM" followed by 32 hex digits)');
  });

  it('names a missing MessageStatus', () => {
    expect(parseError({ MessageSid: SID }).field).toBe('MessageStatus');
  });
});

describe('TwiML replies', () => {
  it('builds the HELP reply', () => {
    expect(helpReply({ name: 'Taco Cloud', contact: 'tacocloud.example/help' })).toBe(
      '<?xml version="1.0" encoding="UTF-8"?><Response><Message>Taco Cloud: offers by text. Help: tacocloud.example/help. ' +
        'Reply STOP to unsubscribe, START to subscribe again. Msg &amp; data rates may apply.</Message></Response>',
    );
  });

  it('escapes the brand name', () => {
    expect(helpReply({ name: 'Bao & <Buns>' })).toContain('<Message>Bao &amp; &lt;Buns&gt;: offers by text.');
  });

  it('rejects an empty brand name', () => {
    expect(() => helpReply({ name: '  ' })).toThrow('invalid brand.name: ""');
  });

  it('replies to nothing but HELP', () => {
    expect(keywordReply('help', BRAND)).toBe(helpReply(BRAND));
    expect(keywordReply('stop', BRAND)).toBe(emptyReply());
    expect(keywordReply('start', BRAND)).toBe(emptyReply());
    expect(keywordReply(null, BRAND)).toBe(emptyReply());
  });
});
