import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { parseMessengerWebhook, verifyMetaSignature } from './messenger.js';

const SECRET = 'meta-app-secret';
const RAW = JSON.stringify({ object: 'page', entry: [{ id: '111', time: 1, messaging: [] }], note: '中文 ✓ 🌯' });

function sign(body: string | Buffer, secret = SECRET): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

describe('verifyMetaSignature', () => {
  it('accepts a valid signature', () => {
    expect(verifyMetaSignature(SECRET, RAW, sign(RAW))).toBe(true);
  });

  it('accepts the raw body as bytes', () => {
    const bytes = Buffer.from(RAW, 'utf8');
    expect(verifyMetaSignature(SECRET, bytes, sign(bytes))).toBe(true);
  });

  it('accepts upper-case hex', () => {
    const header = `sha256=${sign(RAW).slice('sha256='.length).toUpperCase()}`;
    expect(verifyMetaSignature(SECRET, RAW, header)).toBe(true);
  });

  it('rejects a tampered body', () => {
    const tampered = RAW.replace('中文', '中国');
    expect(verifyMetaSignature(SECRET, tampered, sign(RAW))).toBe(false);
  });

  it('rejects re-serialised JSON', () => {
    const reformatted = JSON.stringify(JSON.parse(RAW), null, 2);
    expect(verifyMetaSignature(SECRET, reformatted, sign(RAW))).toBe(false);
  });

  it('rejects a wrong secret', () => {
    expect(verifyMetaSignature(SECRET, RAW, sign(RAW, 'other-secret'))).toBe(false);
  });

  it('rejects a missing header', () => {
    expect(verifyMetaSignature(SECRET, RAW, undefined)).toBe(false);
    expect(verifyMetaSignature(SECRET, RAW, null)).toBe(false);
    expect(verifyMetaSignature(SECRET, RAW, '')).toBe(false);
  });

  it('rejects malformed headers', () => {
    const hex = sign(RAW).slice('sha256='.length);
    expect(verifyMetaSignature(SECRET, RAW, hex)).toBe(false);
    expect(verifyMetaSignature(SECRET, RAW, `sha1=${hex}`)).toBe(false);
    expect(verifyMetaSignature(SECRET, RAW, `sha256=${hex.slice(2)}`)).toBe(false);
    expect(verifyMetaSignature(SECRET, RAW, `sha256=${'zz'.repeat(32)}`)).toBe(false);
  });

  it('throws for an empty secret', () => {
    expect(() => verifyMetaSignature('', RAW, sign(RAW, ''))).toThrow('invalid appSecret: "" (expected the Meta app secret)');
  });
});

describe('parseMessengerWebhook', () => {
  it('returns messages, postbacks and opt-ins', () => {
    const events = parseMessengerWebhook({
      object: 'page',
      entry: [
        {
          id: '111',
          time: 1_765_000_000_000,
          messaging: [
            { sender: { id: '2001' }, recipient: { id: '111' }, timestamp: 1_765_000_000_001, message: { mid: 'm_1', text: '明天还有吗? 🌮' } },
            { sender: { id: '2002' }, recipient: { id: '111' }, timestamp: 1_765_000_000_002, message: { mid: 'm_2', attachments: [] } },
            { sender: { id: '111' }, recipient: { id: '2001' }, timestamp: 1_765_000_000_003, message: { mid: 'm_3', text: 'echo', is_echo: true } },
            { sender: { id: '2003' }, recipient: { id: '111' }, timestamp: 1_765_000_000_004, postback: { title: 'Get Started', payload: 'START' } },
            { sender: { id: '2001' }, recipient: { id: '111' }, timestamp: 1_765_000_000_005, delivery: { mids: ['m_9'], watermark: 1 } },
          ],
        },
        {
          id: '111',
          time: 1_765_000_000_100,
          messaging: [
            {
              sender: { id: '2004' },
              recipient: { id: '111' },
              timestamp: 1_765_000_000_101,
              optin: {
                type: 'notification_messages',
                payload: 'lunch-deals',
                notification_messages_token: 'nmt-1',
                token_expiry_timestamp: 1_780_000_000_000,
                user_token_status: 'NOT_REFRESHED',
                title: 'Lunch deals',
              },
            },
            {
              sender: { id: '2005' },
              recipient: { id: '111' },
              timestamp: 1_765_000_000_102,
              optin: { type: 'notification_messages', notification_messages_token: 'nmt-2', notification_messages_status: 'STOP_NOTIFICATIONS' },
            },
            {
              sender: { id: '2006' },
              recipient: { id: '111' },
              timestamp: 1_765_000_000_103,
              optin: {
                type: 'notification_messages',
                notification_messages_token: 'nmt-3',
                notification_messages_status: 'RESUME NOTIFICATIONS',
                token_expiry_timestamp: '1780000000',
              },
            },
            { sender: { id: '2007' }, recipient: { id: '111' }, timestamp: 1_765_000_000_104, optin: { ref: 'send-to-messenger-plugin' } },
          ],
        },
        { id: '111', time: 1_765_000_000_200, standby: [{ sender: { id: '2008' } }] },
      ],
    });

    expect(events).toEqual({
      inbound: [
        { kind: 'message', psid: '2001', pageId: '111', timestamp: 1_765_000_000_001, text: '明天还有吗? 🌮' },
        { kind: 'message', psid: '2002', pageId: '111', timestamp: 1_765_000_000_002 },
        { kind: 'postback', psid: '2003', pageId: '111', timestamp: 1_765_000_000_004, text: 'Get Started' },
      ],
      optins: [
        { kind: 'opt_in', psid: '2004', pageId: '111', timestamp: 1_765_000_000_101, notificationToken: 'nmt-1', tokenExpiresAt: 1_780_000_000_000 },
        { kind: 'stop', psid: '2005', pageId: '111', timestamp: 1_765_000_000_102, notificationToken: 'nmt-2' },
        { kind: 'resume', psid: '2006', pageId: '111', timestamp: 1_765_000_000_103, notificationToken: 'nmt-3', tokenExpiresAt: 1_780_000_000_000 },
      ],
    });
  });

  const invalidBodies: Array<{ name: string; body: unknown; field: string; message: string }> = [
    {
      name: 'an Instagram webhook',
      body: { object: 'instagram', entry: [] },
      field: 'object',
      message: 'invalid object: "instagram" (expected "page" (a Messenger webhook))',
    },
    {
      name: 'a body without entry',
      body: { object: 'page' },
      field: 'entry',
      message: 'invalid entry: missing (Invalid input: expected array, received undefined)',
    },
    {
      name: 'a sender without id',
      body: { object: 'page', entry: [{ id: '111', messaging: [{ sender: {}, recipient: { id: '111' }, timestamp: 1 }] }] },
      field: 'entry.0.messaging.0.sender.id',
      message: 'invalid entry.0.messaging.0.sender.id: missing (Invalid input: expected string, received undefined)',
    },
    {
      name: 'a non-numeric page id',
      body: { object: 'page', entry: [{ id: 'my-page', messaging: [] }] },
      field: 'entry.0.id',
      message: 'invalid entry.0.id: "my-page" (expected a numeric id)',
    },
    {
      name: 'a timestamp in words',
      body: { object: 'page', entry: [{ id: '111', messaging: [{ sender: { id: '2' }, recipient: { id: '111' }, timestamp: 'yesterday' }] }] },
      field: 'entry.0.messaging.0.timestamp',
      message: 'invalid entry.0.messaging.0.timestamp: "yesterday" (expected a Unix timestamp)',
    },
    {
      name: 'an opt-in without token',
      body: {
        object: 'page',
        entry: [{ id: '111', messaging: [{ sender: { id: '2' }, recipient: { id: '111' }, timestamp: 1, optin: { type: 'notification_messages' } }] }],
      },
      field: 'entry.0.messaging.0.optin.notification_messages_token',
      message: 'invalid entry.0.messaging.0.optin.notification_messages_token: missing (expected the token for a notification_messages opt-in)',
    },
    {
      name: 'an unknown opt-in status',
      body: {
        object: 'page',
        entry: [
          {
            id: '111',
            messaging: [
              {
                sender: { id: '2' },
                recipient: { id: '111' },
                timestamp: 1,
                optin: { type: 'notification_messages', notification_messages_token: 't', notification_messages_status: 'PAUSE' },
              },
            ],
          },
        ],
      },
      field: 'entry.0.messaging.0.optin.notification_messages_status',
      message:
        'invalid entry.0.messaging.0.optin.notification_messages_status: "PAUSE" ' +
        '(Invalid option: expected one of "STOP_NOTIFICATIONS"|"STOP NOTIFICATIONS"|"RESUME_NOTIFICATIONS"|"RESUME NOTIFICATIONS")',
    },
    {
      name: 'a body that is not an object',
      body: 'object=page',
      field: '(body)',
      message: 'invalid (body): "object=page" (Invalid input: expected object, received string)',
    },
  ];

  for (const { name, body, field, message } of invalidBodies) {
    it(`rejects ${name}`, () => {
      let thrown: unknown;
      try {
        parseMessengerWebhook(body);
      } catch (error) {
        thrown = error;
      }

      expect(thrown).toBeInstanceOf(CloudburstError);
      expect((thrown as CloudburstError).code).toBe('invalid_input');
      expect((thrown as CloudburstError).field).toBe(field);
      expect((thrown as CloudburstError).message).toBe(message);
    });
  }
});
