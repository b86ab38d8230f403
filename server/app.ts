import { existsSync } from 'node:fs';
import path from 'node:path';
import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { cors } from 'hono/cors';
import { serveStatic } from '@hono/node-server/serve-static';
import { CloudburstError } from '../common/errors.js';
import type { Logger } from '../common/logger.js';
import { requireAdmin } from './auth.js';
import { errorResponse } from './http-errors.js';
import { adminRoutes } from './routes/admin.js';
import { campaignRoutes } from './routes/campaigns.js';
import { codeRoutes } from './routes/codes.js';
import { contactRoutes } from './routes/contacts.js';
import { importRoutes } from './routes/imports.js';
import { sendRoutes } from './routes/sends.js';
import { signupAdminRoutes, signupRoutes } from './routes/signup.js';
import { WEBHOOKS_MOUNT_PATH, webhookRoutes } from './routes/webhooks.js';
import type { ChannelSettings } from './sends/channel-config.js';
import { unsubscribeRoutes } from './unsubscribe/routes.js';
import { deviceRoutes } from './routes/devices.js';
import { codeOfferRoutes } from './routes/code-offers.js';
import { orderAdminRoutes, orderRoutes } from './routes/orders.js';
import { PAYMENT_WEBHOOKS_MOUNT_PATH, paymentRoutes, paymentWebhookRoutes } from './routes/payments.js';
import type { ServerServices } from './services.js';

/** Largest HTTP request body, apart from contact-list uploads, which stream. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the HTTP API and, when `consoleDir` exists, serves the built console at `/`. */
export function createApp(
  services: ServerServices,
  options: {
    logger: Logger;
    consoleDir?: string;
    /** Provider settings for the webhooks; `publicUrl` is read per request, as it is known only once the server listens. */
    channels: ChannelSettings;
  },
): Hono {
  const logger = options.logger.child({ component: 'http' });
  const app = new Hono();

  app.onError((error, c) => errorResponse(error, c, logger));
  app.notFound((c) => errorResponse(new CloudburstError('not_found', `no route for ${c.req.method} ${c.req.path}`), c, logger));

  // Contact-list imports stream their body and set their own, larger limit.
  const isImportUpload = (path: string) => /^\/v1\/admin\/segments\/[^/]+\/imports$/.test(path);
  const smallBodies = bodyLimit({
    maxSize: MAX_BODY_BYTES,
    onError: () => {
      throw new CloudburstError('payload_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
    },
  });
  app.use('/v1/*', async (c, next) => (isImportUpload(c.req.path) ? next() : smallBodies(c, next)));

  app.get('/healthz', (c) =>
    services.isReady() ? c.json({ status: 'ok' }) : c.json({ status: 'starting or stopping' }, 503),
  );

  app.get('/v1/config', (c) => c.json({ tileUrl: services.tileUrl ?? null, tileAttribution: services.tileAttribution ?? null }));

  // Phones register from the customer's web page, which may be served from another origin.
  app.use('/v1/devices/*', cors({ origin: '*', allowMethods: ['POST'], allowHeaders: ['content-type'] }));
  app.use('/v1/config', cors({ origin: '*', allowMethods: ['GET'] }));
  app.route('/v1/devices', deviceRoutes(services));

  // The customer's page reads menus and places orders, possibly from another origin.
  const orderCors = cors({ origin: '*', allowMethods: ['GET', 'POST'], allowHeaders: ['content-type', 'idempotency-key', 'authorization'] });
  for (const path of ['/v1/trucks/*', '/v1/orders', '/v1/orders/*', '/v1/payments/*', '/v1/codes/*']) app.use(path, orderCors);
  app.route('/v1', orderRoutes(services, { logger: options.logger }));
  app.route('/v1', codeOfferRoutes(services, { logger: options.logger }));
  app.route('/v1', paymentRoutes(services, { logger: options.logger }));

  // Providers call these; each request is checked against the provider's own signature.
  app.route(PAYMENT_WEBHOOKS_MOUNT_PATH, paymentWebhookRoutes(services, { logger: options.logger }));
  app.route(WEBHOOKS_MOUNT_PATH, webhookRoutes({ db: services.db, channels: options.channels, logger: options.logger, brand: () => options.channels.brand ?? 'Cloudburst' }));

  // The public sign-up page behind the QR code at the truck.
  const signupOptions = { publicUrl: () => options.channels.publicUrl, logger: options.logger };
  app.route('/', signupRoutes(services, signupOptions));
  app.route('/', unsubscribeRoutes({ db: services.db, logger: options.logger }));

  app.use('/v1/admin/*', requireAdmin(services.adminToken));
  app.route('/v1/admin', signupAdminRoutes(services, signupOptions));
  app.route('/v1/admin', adminRoutes(services, options.logger));
  app.route('/v1/admin', campaignRoutes(services, options.logger));
  app.route('/v1/admin', codeRoutes(services));
  app.route('/v1/admin', sendRoutes(services, options.logger));
  app.route('/v1/admin', contactRoutes(services, options.logger));
  app.route('/v1/admin', importRoutes(services, options.logger));
  app.route('/v1/admin', orderAdminRoutes(services, { logger: options.logger }));

  const consoleDir = options.consoleDir;
  if (consoleDir && existsSync(path.join(consoleDir, 'index.html'))) {
    // API paths never fall back to the console page, so an unknown one stays a JSON 404.
    const outsideApi = (handler: MiddlewareHandler): MiddlewareHandler =>
      async function serveConsole(c, next) {
        return c.req.path.startsWith('/v1/') ? next() : handler(c, next);
      };
    // The customer's order page, where the order link in campaign messages leads.
    app.get('/order', serveStatic({ root: consoleDir, path: 'order.html' }));
    app.use('/*', outsideApi(serveStatic({ root: consoleDir })));
    app.get('/*', outsideApi(serveStatic({ root: consoleDir, path: 'index.html' })));
  } else {
    logger.warn({ consoleDir }, 'console not built; run `npm run build` to serve it');
  }

  return app;
}
