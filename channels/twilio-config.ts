import { z } from 'zod';
import { CloudburstError, formatValue } from '../common/errors.js';

/** Settings of the Twilio SMS provider. */
export interface TwilioSmsConfig {
  /** Account SID: `AC` and 32 hex digits. It is the basic-auth user name of every API request. */
  accountSid: string;
  /** Auth token: the basic-auth password and the key Twilio signs webhooks with. Never logged. */
  authToken: string;
  /**
   * Origin that replaces `https://api.twilio.com`, such as a loopback stand-in in tests.
   * Plain `http` is accepted only for loopback hosts, so the auth token never crosses a
   * network unencrypted.
   */
  apiBaseUrl?: string;
  /** Default sender: an E.164 long code such as `+14155550100`. */
  from?: string;
  /** Default sender pool: a Messaging Service SID, `MG` and 32 hex digits. Preferred over `from`. */
  messagingServiceSid?: string;
  /** Public URL Twilio posts delivery status callbacks to, sent as `StatusCallback`. */
  statusCallbackUrl?: string;
  /** Deadline of one API request in milliseconds, connect and reply together. */
  requestTimeoutMs?: number;
}

/**
 * A third of the twilio package's 30-second default, so a stuck request returns to the
 * scheduler sooner. A judgement call, not a measured Twilio latency.
 */
export const DEFAULT_TWILIO_REQUEST_TIMEOUT_MS = 10_000;

export const E164 = /^\+[1-9]\d{1,14}$/;
export const ACCOUNT_SID = /^AC[0-9a-fA-F]{32}$/;
export const MESSAGING_SERVICE_SID = /^MG[0-9a-fA-F]{32}$/;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

const httpUrl = z.url({ protocol: /^https?$/, error: 'expected an http or https URL' });

const configSchema = z
  .object({
    accountSid: z.string().regex(ACCOUNT_SID, 'expected "AC" followed by 32 hex digits'),
    authToken: z.string().min(1, 'expected the account auth token'),
    apiBaseUrl: httpUrl
      .refine((url) => new URL(url).protocol === 'https:' || LOOPBACK_HOSTS.has(new URL(url).hostname), {
        error: 'expected https, or http on a loopback host (127.0.0.1, [::1], localhost)',
      })
      .optional(),
    from: z.string().regex(E164, 'expected an E.164 number such as "+14155550100"').optional(),
    messagingServiceSid: z.string().regex(MESSAGING_SERVICE_SID, 'expected "MG" followed by 32 hex digits').optional(),
    statusCallbackUrl: httpUrl.optional(),
    requestTimeoutMs: z.number().int().min(1).max(120_000).optional(),
  })
  .refine((config) => config.from !== undefined || config.messagingServiceSid !== undefined, {
    path: ['from'],
    error: 'expected from (an E.164 number) or messagingServiceSid (a Messaging Service SID)',
  });

/**
 * Validates the provider settings.
 *
 * @throws CloudburstError `invalid_input` naming the first invalid field as `twilio.<field>`.
 *   The value of `authToken` is never echoed.
 */
export function validateTwilioSmsConfig(config: TwilioSmsConfig): TwilioSmsConfig {
  const result = configSchema.safeParse(config);
  if (result.success) return result.data;

  const issue = result.error.issues[0]!;
  const key = issue.path.map(String).join('.');
  const field = `twilio.${key}`;
  const value = (config as unknown as Record<string, unknown>)[key];
  const printedValue = key === 'authToken' && value !== undefined ? '[redacted]' : formatValue(value);
  throw new CloudburstError('invalid_input', `invalid ${field}: ${printedValue} (${issue.message})`, {
    field,
    value: key === 'authToken' ? undefined : value,
  });
}
