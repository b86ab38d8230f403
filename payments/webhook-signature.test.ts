import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CloudburstError } from '../common/errors.js';
import { findHeader, signWebhookPayload, verifyWebhookSignature } from './webhook-signature.js';

const SECRET = 'whsec_test_secret_1';
const BODY = '{"id":"evt_1","object":"event","type":"payment_intent.succeeded"}';
const NOW = 1_765_000_000_000;
const T = NOW / 1000;

function verify(header: string | undefined, overrides: { rawBody?: string; secret?: string; now?: number } = {}): void {
  verifyWebhookSignature({
    rawBody: overrides.rawBody ?? BODY,
    header,
    headerName: 'Stripe-Signature',
    secret: overrides.secret ?? SECRET,
    toleranceSeconds: 300,
    now: overrides.now ?? NOW,
  });
}

function rejection(header: string | undefined, overrides: Parameters<typeof verify>[1] = {}): CloudburstError {
  try {
    verify(header, overrides);
  } catch (error) {
    if (error instanceof CloudburstError) return error;
    throw error;
  }
  throw new Error('expected the signature to be rejected');
}

describe('webhook signature', () => {
  it('signs HMAC-SHA256 of timestamp, dot and body', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhookPayload(SECRET, BODY, T)).toBe(`t=${T},v1=${expected}`);
  });

  it('accepts a valid signature', () => {
    expect(() => verify(signWebhookPayload(SECRET, BODY, T))).not.toThrow();
  });

  it('accepts any matching v1 among several and ignores other schemes', () => {
    const good = signWebhookPayload(SECRET, BODY, T).split(',v1=')[1]!;
    expect(() => verify(`t=${T},v1=${'0'.repeat(64)},v0=abc,v1=${good}`)).not.toThrow();
  });

  it('rejects a tampered body', () => {
    const error = rejection(signWebhookPayload(SECRET, BODY, T), { rawBody: BODY.replace('succeeded', 'canceled') });
    expect(error.code).toBe('unauthorized');
    expect(error.field).toBe('Stripe-Signature');
    expect(error.message).toBe('invalid Stripe-Signature: no v1 signature matches the body (wrong secret, or the body changed after signing)');
  });

  it('rejects a wrong secret', () => {
    const error = rejection(signWebhookPayload('whsec_other', BODY, T));
    expect(error.message).toBe('invalid Stripe-Signature: no v1 signature matches the body (wrong secret, or the body changed after signing)');
  });

  it('rejects a timestamp changed after signing', () => {
    const header = signWebhookPayload(SECRET, BODY, T).replace(`t=${T}`, `t=${T + 1}`);
    expect(rejection(header).message).toContain('no v1 signature matches the body');
  });

  it('rejects an old timestamp', () => {
    expect(() => verify(signWebhookPayload(SECRET, BODY, T - 300))).not.toThrow();
    const error = rejection(signWebhookPayload(SECRET, BODY, T - 301));
    expect(error.code).toBe('unauthorized');
    expect(error.message).toBe(
      'invalid Stripe-Signature: signed 301 s ago, outside the tolerance of 300 s (check the sender\'s clock, or this is a replay)',
    );
  });

  it('rejects a timestamp too far in the future', () => {
    const error = rejection(signWebhookPayload(SECRET, BODY, T + 301));
    expect(error.message).toBe(
      'invalid Stripe-Signature: signed 301 s in the future, outside the tolerance of 300 s (check the sender\'s clock, or this is a replay)',
    );
  });

  it('rejects missing and malformed headers', () => {
    expect(rejection(undefined).message).toBe('Stripe-Signature header is missing');
    expect(rejection(' ').message).toBe('Stripe-Signature header is missing');
    expect(rejection('v1=abc').message).toBe('invalid Stripe-Signature: no timestamp (expected t=<unix seconds>,v1=<hex>)');
    expect(rejection(`t=${T}`).message).toBe('invalid Stripe-Signature: no v1 signature (expected t=<unix seconds>,v1=<hex>)');
    expect(rejection(`t=${T},v0=abc`).message).toBe('invalid Stripe-Signature: no v1 signature (expected t=<unix seconds>,v1=<hex>)');
    expect(rejection('t=soon,v1=abc').message).toBe('invalid Stripe-Signature: no timestamp (expected t=<unix seconds>,v1=<hex>)');
  });

  it('finds headers in any case', () => {
    expect(findHeader({ 'stripe-signature': 'a' }, 'Stripe-Signature')).toBe('a');
    expect(findHeader({ 'STRIPE-SIGNATURE': 'b' }, 'Stripe-Signature')).toBe('b');
    expect(findHeader({ other: 'c' }, 'Stripe-Signature')).toBeUndefined();
  });
});
