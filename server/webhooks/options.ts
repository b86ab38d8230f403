import type { Logger } from '../../common/logger.js';
import type { Db } from '../../store/types.js';
import type { ChannelSettings } from '../sends/channel-config.js';

/**
 * Path at which the app mounts the webhook routes. Twilio signs the full URL it calls, so the
 * signature check rebuilds that URL from `publicUrl` and this path.
 */
export const WEBHOOKS_MOUNT_PATH = '/v1/webhooks';

/** Dependencies of the webhook routes. */
export interface WebhookOptions {
  db: Db;
  /** Read on every request, so the routes follow a settings change without a restart. */
  channels: ChannelSettings;
  logger: Logger;
  /** The name recipients know the sender by, used in the reply to HELP. */
  brand: () => string;
  /** Clock for the time of an SMS consent change, in epoch milliseconds. Defaults to `Date.now`. */
  now?: () => number;
}
