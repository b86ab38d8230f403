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
import { deviceRoutes } from './routes/devices.js';
import type { ServerServices } from './services.js';

/** Largest HTTP request body: campaign definitions are small; contact imports will stream instead. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Builds the HTTP API and, when `consoleDir` exists, serves the built console at `/`. */
export function createApp(services: ServerServices, options: { logger: Logger; consoleDir?: string }): Hono {
  const logger = options.logger.child({ component: 'http' });
  const app = new Hono();

  app.onError((error, c) => errorResponse(error, c, logger));
  app.notFound((c) => errorResponse(new CloudburstError('not_found', `no route for ${c.req.method} ${c.req.path}`), c, logger));

  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new CloudburstError('payload_too_large', `request body exceeds ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );

  app.get('/healthz', (c) =>
    services.isReady() ? c.json({ status: 'ok' }) : c.json({ status: 'starting or stopping' }, 503),
  );

  app.get('/v1/config', (c) => c.json({ tileUrl: services.tileUrl ?? null, tileAttribution: services.tileAttribution ?? null }));

  // Phones register from the customer's web page, which may be served from another origin.
  app.use('/v1/devices/*', cors({ origin: '*', allowMethods: ['POST'], allowHeaders: ['content-type'] }));
  app.use('/v1/config', cors({ origin: '*', allowMethods: ['GET'] }));
  app.route('/v1/devices', deviceRoutes(services));

  app.use('/v1/admin/*', requireAdmin(services.adminToken));
  app.route('/v1/admin', adminRoutes(services, options.logger));

  const consoleDir = options.consoleDir;
  if (consoleDir && existsSync(path.join(consoleDir, 'index.html'))) {
    // API paths never fall back to the console page, so an unknown one stays a JSON 404.
    const outsideApi = (handler: MiddlewareHandler): MiddlewareHandler =>
      async function serveConsole(c, next) {
        return c.req.path.startsWith('/v1/') ? next() : handler(c, next);
      };
    app.use('/*', outsideApi(serveStatic({ root: consoleDir })));
    app.get('/*', outsideApi(serveStatic({ root: consoleDir, path: 'index.html' })));
  } else {
    logger.warn({ consoleDir }, 'console not built; run `npm run build` to serve it');
  }

  return app;
}
