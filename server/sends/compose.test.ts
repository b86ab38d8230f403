import { describe, expect, it } from 'vitest';
import type { Contact } from '../repos/contacts.js';
import type { SendJob } from '../repos/send-jobs.js';
import type { Template } from '../repos/templates.js';
import { composeMessage, type ComposeInput } from './compose.js';
import type { CampaignContext } from './job-context.js';
import { capReached, quietUntil, DEFAULT_MESSAGING_RULES, type MessagingRules } from './policy.js';

const LA = 'America/Los_Angeles';
/** 12:00 in Los Angeles on 5 December 2026. */
const NOON = Date.parse('2026-12-05T20:00:00.000Z');
const NO_QUIET: MessagingRules = { quietHours: null, frequencyCap: { max: 2, perHours: 24 } };

const campaign: CampaignContext = {
  id: 'c1',
  name: 'Lunch',
  status: 'active',
  benefit: { kind: 'percent', value: 20, description: '20% off' },
  timeZone: LA,
  truckName: 'Taco Cloud',
  validFrom: NOON - 3_600_000,
  validUntil: NOON + 3_600_000,
};

function job(kind: SendJob['kind']): SendJob {
  return {
    id: 'j1',
    campaignId: 'c1',
    segmentId: 's1',
    contactId: 'k1',
    kind,
    code: null,
    sendAt: new Date(NOON).toISOString(),
    status: 'sending',
    attempts: 1,
    nextAttemptAt: new Date(NOON).toISOString(),
    provider: null,
    sender: null,
    recipient: null,
    providerMessageId: null,
    reason: null,
    sentAt: null,
    updatedAt: new Date(NOON).toISOString(),
  };
}

const ANA: Contact = {
  id: 'k1',
  firstName: 'Ana',
  phone: '+14155552671',
  email: 'ana@example.com',
  messengerPsid: '1001',
  consents: {
    sms: { granted: true, at: '2026-12-01T00:00:00.000Z', source: 'import' },
    email: { granted: false, at: '2026-12-02T00:00:00.000Z', source: 'unsubscribe link' },
    messenger: { granted: true, at: '2026-12-01T00:00:00.000Z', source: 'import' },
  },
};

function template(kind: Template['kind'], body: string, subject: string | null = null): Template {
  return { segmentId: 's1', kind, subject, body, updatedAt: '' };
}

function compose(overrides: Partial<ComposeInput>): ReturnType<typeof composeMessage> {
  return composeMessage({
    job: job('sms'),
    campaign,
    template: template('sms', 'Hi {{firstName|there}}, {{benefit}}: {{code}}'),
    contact: ANA,
    code: 'K7MP3QXA',
    sentInCapWindow: 0,
    rules: NO_QUIET,
    publicUrl: 'https://trucks.example',
    sender: '+14155550100',
    now: NOON,
    ...overrides,
  });
}

describe('composeMessage', () => {
  it('renders an SMS with the recipient values', () => {
    expect(compose({})).toEqual({
      action: 'send',
      recipient: '+14155552671',
      message: { jobId: 'j1', campaignId: 'c1', channel: 'sms', sender: '+14155550100', to: '+14155552671', text: 'Hi Ana, 20% off: K7MP3QXA' },
    });
  });

  it('skips a channel the contact opted out of, naming when and where', () => {
    const decision = compose({ job: job('email'), template: template('email', '{{code}}', 'Hi') });
    expect(decision).toEqual({ action: 'skip', recipient: 'ana@example.com', reason: 'opted out of email on 2026-12-02T00:00:00.000Z (unsubscribe link)' });
  });

  it('skips a channel without consent on record, but not a push to a registered device', () => {
    expect(compose({ contact: { ...ANA, consents: {} } })).toMatchObject({ action: 'skip', reason: 'no consent on record for sms' });
    const push = compose({ job: job('push'), template: template('push', '{{code}}', '{{truck}}'), contact: { ...ANA, deviceId: 'd1', consents: {} } });
    expect(push).toMatchObject({ action: 'send', message: { channel: 'push', to: 'd1', subject: 'Taco Cloud', text: 'K7MP3QXA' } });
  });

  it('skips when the frequency cap is reached', () => {
    expect(compose({ sentInCapWindow: 2 })).toEqual({
      action: 'skip',
      recipient: '+14155552671',
      reason: 'frequency cap: 2 messages in the last 24 h (at most 2)',
    });
    expect(compose({ sentInCapWindow: 1 })).toMatchObject({ action: 'send' });
  });

  it('waits out the quiet hours in the contact zone, or skips when the offer ends first', () => {
    const rules: MessagingRules = { quietHours: { start: '21:00', end: '08:00' }, frequencyCap: null };
    // 23:00 in Los Angeles; 08:00 comes at 16:00 UTC.
    const late = Date.parse('2026-12-06T07:00:00.000Z');
    const longCampaign = { ...campaign, validUntil: Date.parse('2026-12-06T20:00:00.000Z') };
    expect(compose({ rules, now: late, campaign: longCampaign })).toEqual({
      action: 'later',
      at: Date.parse('2026-12-06T16:00:00.000Z'),
      reason: 'quiet hours for the recipient until 2026-12-06T16:00:00.000Z',
    });
    expect(compose({ rules, now: late, campaign: { ...campaign, validUntil: late + 3_600_000 } })).toMatchObject({ action: 'skip' });
    // The same instant is 16:00 in Shanghai: not quiet there.
    expect(compose({ rules, now: late, campaign: longCampaign, contact: { ...ANA, timeZone: 'Asia/Shanghai' } })).toMatchObject({ action: 'send' });
  });

  it('skips a message that would arrive after the offer ended', () => {
    expect(compose({ now: campaign.validUntil })).toMatchObject({ action: 'skip', reason: 'the offer ended before the message could go out' });
  });

  it('writes on Messenger only inside the 24-hour window', () => {
    const messenger = { job: job('messenger'), template: template('messenger', '{{benefit}}') };
    expect(compose({ ...messenger, contact: { ...ANA, messengerLastMessageAt: NOON - 3_600_000 } })).toMatchObject({
      action: 'send',
      message: { to: '1001', messengerRecipient: 'psid', text: '20% off' },
    });
    const outside = compose({ ...messenger, contact: { ...ANA, messengerLastMessageAt: NOON - 25 * 3_600_000 } });
    expect(outside).toMatchObject({ action: 'park', recipient: '1001' });
  });

  it('parks a message that breaks its channel limit for this recipient', () => {
    const longName = 'A'.repeat(1_700);
    const decision = compose({ contact: { ...ANA, firstName: longName } });
    expect(decision.action).toBe('park');
    expect((decision as { reason: string }).reason).toMatch(/^the message cannot be sent as written: /);
  });

  it('posts to X without a recipient and counts a code-less post', () => {
    const decision = compose({ job: { ...job('x_post'), contactId: null }, template: template('x_post', '{{benefit}} at {{truck}} {{code|today}}'), contact: null, code: null });
    expect(decision).toMatchObject({ action: 'send', recipient: '', message: { channel: 'x', kind: 'post', to: '', text: '20% off at Taco Cloud today' } });
  });

  it('fills the order link and the email parts', () => {
    const decision = compose({ job: job('email'), template: template('email', 'Order: {{orderLink}}', '{{benefit}}'), contact: { ...ANA, consents: { email: ANA.consents.sms! } } });
    expect(decision).toMatchObject({
      action: 'send',
      message: { subject: '20% off', text: 'Order: https://trucks.example/order?code=K7MP3QXA' },
    });
  });
});

describe('quiet hours across daylight-saving changes', () => {
  const rules = DEFAULT_MESSAGING_RULES;

  it('ends at 08:00 local on the night the clocks go back', () => {
    // 23:00 PDT on 31 October; 08:00 PST on 1 November is 16:00 UTC.
    expect(quietUntil(rules, Date.parse('2026-11-01T06:00:00.000Z'), LA)).toBe(Date.parse('2026-11-01T16:00:00.000Z'));
  });

  it('ends at 08:00 local on the night the clocks go forward', () => {
    // 22:00 PST on 7 March; 08:00 PDT on 8 March is 15:00 UTC.
    expect(quietUntil(rules, Date.parse('2026-03-08T06:00:00.000Z'), LA)).toBe(Date.parse('2026-03-08T15:00:00.000Z'));
  });

  it('is not quiet at noon, and a window that does not wrap midnight works', () => {
    expect(quietUntil(rules, NOON, LA)).toBeNull();
    expect(quietUntil({ ...rules, quietHours: { start: '11:00', end: '13:00' } }, NOON, LA)).toBe(Date.parse('2026-12-05T21:00:00.000Z'));
  });

  it('counts the cap per contact', () => {
    expect(capReached(rules, 1)).toBe(false);
    expect(capReached(rules, 2)).toBe(true);
    expect(capReached({ ...rules, frequencyCap: null }, 100)).toBe(false);
  });
});
