import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../common/logger.js';
import { channelSettingsFromEnv, DEFAULT_RATES } from './channel-config.js';
import { checkChannelSettings } from './providers.js';

describe('channel settings', () => {
  it('accepts no providers at all: every channel writes to the outbox', async () => {
    await expect(checkChannelSettings({ rates: DEFAULT_RATES, publicUrl: '' }, silentLogger())).resolves.toBeUndefined();
  });

  it('stops at start on a malformed provider setting, naming it', async () => {
    const twilio = { accountSid: 'ACbad', authToken: 'secret', from: '+14155550100' };
    await expect(checkChannelSettings({ rates: DEFAULT_RATES, publicUrl: '', twilio }, silentLogger())).rejects.toThrow(
      'invalid twilio.accountSid: "ACbad" (expected "AC" followed by 32 hex digits)',
    );
  });

  it('reads providers and rates from the environment, naming what is missing', () => {
    const settings = channelSettingsFromEnv({ SMTP_URL: 'smtp://u:p@127.0.0.1:2525', SMTP_FROM: 'offers@example.com', SEND_RATE_SMS: '3' }, 'http://127.0.0.1:8080');
    expect(settings).toMatchObject({ smtp: { url: 'smtp://u:p@127.0.0.1:2525', from: 'offers@example.com' }, publicUrl: 'http://127.0.0.1:8080' });
    expect(settings.rates.sms).toBe(3);
    expect(() => channelSettingsFromEnv({ SEND_RATE_SMS: '0' }, '')).toThrow('invalid SEND_RATE_SMS: "0"');
    expect(() => channelSettingsFromEnv({ TWILIO_ACCOUNT_SID: 'AC' }, '')).toThrow('invalid TWILIO_AUTH_TOKEN');
    expect(() => channelSettingsFromEnv({ X_ACCESS_TOKEN: 't' }, '')).toThrow('invalid X_ACCOUNT_ID');
  });
});
