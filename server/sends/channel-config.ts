import { invalidInput } from '../../common/errors.js';
import type { ChannelName } from '../../channels/types.js';

/**
 * Which provider each channel uses and how fast its sender may go, read from the
 * environment. A channel without provider settings writes to the outbox, so the
 * embedded default runs the whole flow without any account.
 */
export interface ChannelSettings {
  twilio?: { accountSid: string; authToken: string; from?: string; messagingServiceSid?: string; apiBaseUrl?: string };
  x?: { accessToken: string; accountId: string; apiBaseUrl?: string };
  messenger?: { pageAccessToken: string; pageId: string; appSecret?: string; verifyToken?: string; apiBaseUrl?: string };
  smtp?: { url: string; from: string };
  /** Messages per second per channel's sender. */
  rates: Record<ChannelName, number>;
  /** Public base URL of this server, for order links, sign-up pages and webhook signatures. */
  publicUrl: string;
  /** The name people know the sender by (BRAND_NAME), used in the SMS HELP reply. */
  brand?: string;
}

/**
 * A Twilio long code takes about one message per second; a Messaging Service or a
 * toll-free number takes more, set with SEND_RATE_SMS. X and Messenger limits are per
 * app and page; these defaults stay well inside them.
 */
export const DEFAULT_RATES: Record<ChannelName, number> = { push: 200, sms: 1, x: 1, messenger: 20, email: 10 };

export function channelSettingsFromEnv(env: NodeJS.ProcessEnv, fallbackPublicUrl: string): ChannelSettings {
  const rates = { ...DEFAULT_RATES };
  for (const channel of Object.keys(rates) as ChannelName[]) {
    const name = `SEND_RATE_${channel.toUpperCase()}`;
    const raw = env[name];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0 || value > 10_000) throw invalidInput(name, raw, 'messages per second, above 0 and at most 10000');
    rates[channel] = value;
  }

  const settings: ChannelSettings = { rates, publicUrl: (env.PUBLIC_URL || fallbackPublicUrl).replace(/\/+$/, ''), brand: env.BRAND_NAME || undefined };
  if (env.TWILIO_ACCOUNT_SID || env.TWILIO_AUTH_TOKEN) {
    settings.twilio = {
      accountSid: required(env, 'TWILIO_ACCOUNT_SID'),
      authToken: required(env, 'TWILIO_AUTH_TOKEN'),
      from: env.TWILIO_FROM || undefined,
      messagingServiceSid: env.TWILIO_MESSAGING_SERVICE_SID || undefined,
      apiBaseUrl: env.TWILIO_API_BASE_URL || undefined,
    };
    if (!settings.twilio.from && !settings.twilio.messagingServiceSid) {
      throw invalidInput('TWILIO_FROM', '', 'a sender: TWILIO_FROM (an E.164 number) or TWILIO_MESSAGING_SERVICE_SID');
    }
  }
  if (env.X_ACCESS_TOKEN) {
    settings.x = { accessToken: env.X_ACCESS_TOKEN, accountId: required(env, 'X_ACCOUNT_ID'), apiBaseUrl: env.X_API_BASE_URL || undefined };
  }
  if (env.MESSENGER_PAGE_TOKEN) {
    settings.messenger = {
      pageAccessToken: env.MESSENGER_PAGE_TOKEN,
      pageId: required(env, 'MESSENGER_PAGE_ID'),
      appSecret: env.MESSENGER_APP_SECRET || undefined,
      verifyToken: env.MESSENGER_VERIFY_TOKEN || undefined,
      apiBaseUrl: env.MESSENGER_API_BASE_URL || undefined,
    };
  }
  if (env.SMTP_URL) settings.smtp = { url: env.SMTP_URL, from: required(env, 'SMTP_FROM') };
  return settings;
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw invalidInput(name, value ?? '', `a value: ${name} is needed with the other settings of its provider`);
  return value;
}
