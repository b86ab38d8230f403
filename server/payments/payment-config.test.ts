import { describe, expect, it } from 'vitest';
import { CloudburstError } from '../../common/errors.js';
import { paymentSettingsFromEnv } from './payment-config.js';

function errorOf(env: NodeJS.ProcessEnv): CloudburstError {
  try {
    paymentSettingsFromEnv(env);
  } catch (error) {
    if (error instanceof CloudburstError) return error;
    throw error;
  }
  throw new Error('expected a CloudburstError');
}

describe('paymentSettingsFromEnv', () => {
  it('defaults to the sandbox', () => {
    expect(paymentSettingsFromEnv({})).toEqual({ provider: 'sandbox' });
    expect(paymentSettingsFromEnv({ PAYMENT_PROVIDER: '' })).toEqual({ provider: 'sandbox' });
  });

  it('reads the Stripe settings', () => {
    const env = { PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_abc', STRIPE_WEBHOOK_SECRET: 'whsec_def' };
    expect(paymentSettingsFromEnv(env)).toEqual({ provider: 'stripe', secretKey: 'sk_test_abc', webhookSecret: 'whsec_def' });
    expect(paymentSettingsFromEnv({ ...env, STRIPE_API_BASE_URL: 'http://127.0.0.1:4000' })).toMatchObject({ apiBaseUrl: 'http://127.0.0.1:4000' });
  });

  it('names the bad variable, never the secret', () => {
    expect(errorOf({ PAYMENT_PROVIDER: 'paypal' })).toMatchObject({ field: 'PAYMENT_PROVIDER', value: 'paypal' });
    expect(errorOf({ PAYMENT_PROVIDER: 'stripe' })).toMatchObject({ field: 'STRIPE_SECRET_KEY', message: expect.stringContaining('missing') });
    const malformed = errorOf({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'pk_live_secretish' });
    expect(malformed.field).toBe('STRIPE_SECRET_KEY');
    expect(malformed.message).not.toContain('secretish');
    expect(errorOf({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'oops' }).field).toBe('STRIPE_WEBHOOK_SECRET');
    expect(errorOf({ PAYMENT_PROVIDER: 'stripe', STRIPE_SECRET_KEY: 'sk_test_1', STRIPE_WEBHOOK_SECRET: 'whsec_1', STRIPE_API_BASE_URL: 'ftp://x' }).field).toBe('STRIPE_API_BASE_URL');
  });
});
