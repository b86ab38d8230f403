import { describe, expect, it } from 'vitest';
import { messengerSendPlan, STANDARD_WINDOW_MS, type MessengerSendPlanInput, type MessengerSendPlan } from './messenger-window.js';

const NOW = Date.parse('2026-12-05T12:00:00Z');
const HOUR = 3_600_000;

describe('messengerSendPlan', () => {
  const cases: Array<{ name: string; input: MessengerSendPlanInput; expected: MessengerSendPlan }> = [
    {
      name: 'inside 24 hours',
      input: { lastUserMessageAt: NOW - 23 * HOUR, now: NOW },
      expected: { ok: true, recipient: 'psid', messagingType: 'UPDATE' },
    },
    {
      name: 'one millisecond before the window closes',
      input: { lastUserMessageAt: NOW - STANDARD_WINDOW_MS + 1, now: NOW },
      expected: { ok: true, recipient: 'psid', messagingType: 'UPDATE' },
    },
    {
      name: 'inside the window with a token prefers the psid',
      input: { lastUserMessageAt: NOW - HOUR, notificationToken: 'tok-1', now: NOW },
      expected: { ok: true, recipient: 'psid', messagingType: 'UPDATE' },
    },
    {
      name: 'last message stamped slightly in the future',
      input: { lastUserMessageAt: NOW + 5_000, now: NOW },
      expected: { ok: true, recipient: 'psid', messagingType: 'UPDATE' },
    },
    {
      name: 'exactly 24 hours is outside',
      input: { lastUserMessageAt: NOW - STANDARD_WINDOW_MS, now: NOW },
      expected: {
        ok: false,
        code: 'outside_window',
        reason:
          'Not sent: this person last wrote to the page 24 hours ago. Messenger allows promotions only within 24 hours of ' +
          "the person's last message, unless they opted in to marketing messages, and they have not.",
      },
    },
    {
      name: 'three days ago without a token',
      input: { lastUserMessageAt: NOW - 72 * HOUR - 5, now: NOW },
      expected: {
        ok: false,
        code: 'outside_window',
        reason:
          'Not sent: this person last wrote to the page 3 days ago. Messenger allows promotions only within 24 hours of ' +
          "the person's last message, unless they opted in to marketing messages, and they have not.",
      },
    },
    {
      name: 'outside with a valid token',
      input: { lastUserMessageAt: NOW - 30 * HOUR, notificationToken: 'tok-1', tokenExpiresAt: NOW + HOUR, now: NOW },
      expected: { ok: true, recipient: 'notification_token', messagingType: 'UPDATE' },
    },
    {
      name: 'token without expiry and no conversation',
      input: { notificationToken: 'tok-1', now: NOW },
      expected: { ok: true, recipient: 'notification_token', messagingType: 'UPDATE' },
    },
    {
      name: 'outside with an expired token',
      input: { lastUserMessageAt: NOW - 30 * HOUR, notificationToken: 'tok-1', tokenExpiresAt: NOW, now: NOW },
      expected: {
        ok: false,
        code: 'token_expired',
        reason:
          "Not sent: this person's opt-in to marketing messages expired on 2026-12-05T12:00:00.000Z " +
          'and they last wrote to the page 30 hours ago. They must opt in again.',
      },
    },
    {
      name: 'outside with a stopped token',
      input: { lastUserMessageAt: NOW - 50 * HOUR, notificationToken: 'tok-1', notificationsStopped: true, now: NOW },
      expected: {
        ok: false,
        code: 'notifications_stopped',
        reason: 'Not sent: this person turned off marketing messages from the page, and they last wrote to the page 2 days ago.',
      },
    },
    {
      name: 'empty token counts as none',
      input: { notificationToken: '', now: NOW },
      expected: {
        ok: false,
        code: 'never_messaged',
        reason: 'Not sent: this person has never written to the page, and Messenger lets a page message only people who wrote to it first.',
      },
    },
    {
      name: 'neither a message nor a token',
      input: { now: NOW },
      expected: {
        ok: false,
        code: 'never_messaged',
        reason: 'Not sent: this person has never written to the page, and Messenger lets a page message only people who wrote to it first.',
      },
    },
  ];

  for (const { name, input, expected } of cases) {
    it(name, () => {
      expect(messengerSendPlan(input)).toEqual(expected);
    });
  }

  it('rejects a non-finite now', () => {
    expect(() => messengerSendPlan({ now: Number.NaN })).toThrow('invalid now: NaN (expected epoch milliseconds)');
  });

  it('rejects a non-finite token expiry', () => {
    expect(() => messengerSendPlan({ now: NOW, notificationToken: 't', tokenExpiresAt: Infinity })).toThrow(
      'invalid tokenExpiresAt: Infinity (expected epoch milliseconds)',
    );
  });
});
