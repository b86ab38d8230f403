import { Hono } from 'hono';
import { errorResponse } from '../http-errors.js';
import { messengerEventsHandler, messengerVerifyHandler } from '../webhooks/messenger-handlers.js';
import type { WebhookOptions } from '../webhooks/options.js';
import { twilioInboundHandler, twilioStatusHandler } from '../webhooks/twilio-handlers.js';

export { WEBHOOKS_MOUNT_PATH, type WebhookOptions } from '../webhooks/options.js';

/**
 * Provider webhooks, mounted at `WEBHOOKS_MOUNT_PATH` (`/v1/webhooks`). No admin token:
 * each request is authenticated by its provider's signature instead. A provider that is
 * not configured gets 404 with a JSON error naming the missing setting.
 *
 * @example
 * app.route(WEBHOOKS_MOUNT_PATH, webhookRoutes({ db, channels, logger, brand: () => 'Taco Cloud' }));
 */
export function webhookRoutes(options: WebhookOptions): Hono {
  const logger = options.logger.child({ component: 'webhooks' });
  const app = new Hono();

  // Errors get the API's JSON shape wherever the router is mounted.
  app.onError((error, c) => errorResponse(error, c, logger));

  app.post('/twilio/inbound', twilioInboundHandler(options));
  app.post('/twilio/status', twilioStatusHandler(options));
  app.get('/messenger', messengerVerifyHandler(options));
  app.post('/messenger', messengerEventsHandler(options));

  return app;
}
