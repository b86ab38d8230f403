import { Topics, type Bus } from '../../bus/types.js';
import type { Logger } from '../../common/logger.js';
import type { DeviceMessage } from '../../common/protocol.js';
import { createSmtpProvider } from '../../channels/email.js';
import { createMessengerProvider } from '../../channels/messenger.js';
import { createTwilioSms } from '../../channels/twilio-sms.js';
import type { ChannelName, ChannelProvider, OutgoingMessage, SendOutcome } from '../../channels/types.js';
import { createXProvider } from '../../channels/x.js';
import type { Queryable } from '../../store/types.js';
import { insertOutboxEntry } from '../repos/outbox.js';
import type { ChannelSettings } from './channel-config.js';

/** One channel's way out: its provider, the sender it sends as, and that sender's pace. */
export interface SendLane {
  channel: ChannelName;
  provider: ChannelProvider;
  /** The sender the pace is kept for: a phone number, a Messaging Service, an account, a page. */
  sender: string;
  ratePerSecond: number;
  /** True when the lane writes to the outbox instead of a provider. */
  outbox: boolean;
}

const PROVIDER_TIMEOUT_MS = 10_000;

/** Builds a lane per channel: its provider when configured, the outbox otherwise. Push goes through the bus. */
export function buildLanes(settings: ChannelSettings, db: Queryable, bus: Bus, logger: Logger): Record<ChannelName, SendLane> {
  const outboxLane = (channel: ChannelName): SendLane => ({
    channel,
    provider: createOutboxProvider(db, channel),
    sender: `outbox:${channel}`,
    // The outbox is a table, so it needs no pace; the cap only bounds one claim.
    ratePerSecond: 1000,
    outbox: true,
  });
  const lane = (channel: ChannelName, provider: ChannelProvider, sender: string): SendLane => ({
    channel,
    provider,
    sender,
    ratePerSecond: settings.rates[channel],
    outbox: false,
  });

  const { twilio, x, messenger, smtp } = settings;
  return {
    push: lane('push', createPushProvider(bus), 'sdk'),
    sms: twilio
      ? lane(
          'sms',
          createTwilioSms(
            { ...twilio, statusCallbackUrl: `${settings.publicUrl}/v1/webhooks/twilio/status`, requestTimeoutMs: PROVIDER_TIMEOUT_MS },
            logger.child({ component: 'twilio' }),
          ),
          twilio.messagingServiceSid ?? twilio.from!,
        )
      : outboxLane('sms'),
    x: x ? lane('x', createXProvider({ accessToken: x.accessToken, apiBaseUrl: x.apiBaseUrl, timeoutMs: PROVIDER_TIMEOUT_MS }), `x:${x.accountId}`) : outboxLane('x'),
    messenger: messenger
      ? lane(
          'messenger',
          createMessengerProvider({
            pageAccessToken: messenger.pageAccessToken,
            appSecret: messenger.appSecret,
            apiBaseUrl: messenger.apiBaseUrl,
            timeoutMs: PROVIDER_TIMEOUT_MS,
          }),
          `messenger:${messenger.pageId}`,
        )
      : outboxLane('messenger'),
    email: smtp ? lane('email', createSmtpProvider({ url: smtp.url, from: smtp.from, timeoutMs: PROVIDER_TIMEOUT_MS }), smtp.from) : outboxLane('email'),
  };
}

/**
 * Builds every configured provider once and closes it, so a malformed setting (an
 * account SID of the wrong shape, an SMTP URL that does not parse) stops the process
 * at start, before it listens, instead of after.
 * @throws the provider's error, which names the setting
 */
export async function checkChannelSettings(settings: ChannelSettings, logger: Logger): Promise<void> {
  const inert = { query: async () => [] } as unknown as Queryable;
  const noBus = {} as Bus;
  const lanes = buildLanes({ ...settings, publicUrl: settings.publicUrl || 'http://127.0.0.1' }, inert, noBus, logger);
  await Promise.all(Object.values(lanes).map((lane) => lane.provider.close?.()));
}

/** Writes the message to the outbox table, once per job, where the console shows it. */
export function createOutboxProvider(db: Queryable, channel: ChannelName): ChannelProvider {
  return {
    channel,
    name: 'outbox',
    repeatSafe: true,
    async send(message: OutgoingMessage): Promise<SendOutcome> {
      const id = await insertOutboxEntry(db, {
        jobId: message.jobId,
        channel: message.kind ? `${channel}:${message.kind}` : channel,
        recipient: message.to,
        subject: message.subject,
        body: message.text,
      });
      return { status: 'sent', providerMessageId: `outbox:${id}` };
    },
  };
}

/**
 * Sends a campaign message to the device SDK: the `messages` topic reaches every
 * process, and the one holding the device's socket writes it. A device that is not
 * connected gets it later, because push-redelivery.ts sends the job again after each
 * welcome until the device replies with a message-ack. The job stays `sent` until then.
 */
export function createPushProvider(bus: Bus): ChannelProvider {
  return {
    channel: 'push',
    name: 'sdk',
    repeatSafe: true,
    async send(message: OutgoingMessage): Promise<SendOutcome> {
      await bus.produce<DeviceMessage>(Topics.messages, [{ key: message.to, value: toDeviceMessage(message) }]);
      return { status: 'sent', providerMessageId: pushMessageId(message.jobId) };
    },
  };
}

/** Builds the frame payload of a push, the same for the first send and every resend of a job. */
export function toDeviceMessage(message: OutgoingMessage): DeviceMessage {
  return {
    id: message.jobId,
    deviceId: message.to,
    campaignId: message.campaignId ?? '',
    title: message.subject,
    body: message.text,
    ...(message.code ? { code: message.code } : {}),
  };
}

/** Returns the provider message id a push job is recorded with, by which a message-ack finds the job. */
export function pushMessageId(jobId: string): string {
  return `push:${jobId}`;
}
