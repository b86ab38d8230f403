import { CloudburstError, invalidInput } from '../../common/errors.js';

/**
 * Payment provider settings. The sandbox needs none; Stripe needs its secret key and
 * the signing secret of the webhook endpoint `<PUBLIC_URL>/v1/webhooks/payments/stripe`.
 */
export type PaymentSettings =
  | { provider: 'sandbox' }
  | { provider: 'stripe'; secretKey: string; webhookSecret: string; apiBaseUrl?: string };

/**
 * Reads PAYMENT_PROVIDER (sandbox, the default, or stripe) and, for Stripe,
 * STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET and the optional STRIPE_API_BASE_URL.
 *
 * @throws invalid_input naming the variable that is missing or malformed; a secret is never echoed
 */
export function paymentSettingsFromEnv(env: NodeJS.ProcessEnv): PaymentSettings {
  const provider = env.PAYMENT_PROVIDER || 'sandbox';
  if (provider === 'sandbox') return { provider };
  if (provider !== 'stripe') throw invalidInput('PAYMENT_PROVIDER', provider, 'sandbox or stripe');

  const secretKey = env.STRIPE_SECRET_KEY ?? '';
  if (!/^(sk|rk)_\S+$/.test(secretKey)) {
    throw new CloudburstError('invalid_input', `invalid STRIPE_SECRET_KEY: ${secretKey === '' ? 'missing' : 'malformed'} (expected a secret key sk_... or a restricted key rk_...)`, {
      field: 'STRIPE_SECRET_KEY',
    });
  }
  const webhookSecret = env.STRIPE_WEBHOOK_SECRET ?? '';
  if (!/^whsec_\S+$/.test(webhookSecret)) {
    throw new CloudburstError('invalid_input', `invalid STRIPE_WEBHOOK_SECRET: ${webhookSecret === '' ? 'missing' : 'malformed'} (expected the endpoint's signing secret whsec_...)`, {
      field: 'STRIPE_WEBHOOK_SECRET',
    });
  }
  const apiBaseUrl = env.STRIPE_API_BASE_URL || undefined;
  if (apiBaseUrl !== undefined && !/^https?:\/\/\S+$/.test(apiBaseUrl)) throw invalidInput('STRIPE_API_BASE_URL', apiBaseUrl, 'an http or https URL');
  return { provider: 'stripe', secretKey, webhookSecret, ...(apiBaseUrl ? { apiBaseUrl } : {}) };
}
