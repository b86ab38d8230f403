import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { getRequestListener } from '@hono/node-server';
import { openBus } from '../bus/open-bus.js';
import { Topics } from '../bus/types.js';
import { createLogger, type Logger } from '../common/logger.js';
import { ProximityEngine } from '../engine/index.js';
import { createSandboxProvider } from '../payments/sandbox.js';
import { createStripeProvider } from '../payments/stripe.js';
import type { PaymentProvider } from '../payments/types.js';
import { CloudburstError } from '../common/errors.js';
import { IngestGateway } from '../ingest/gateway.js';
import { migrate } from '../store/migrate.js';
import { openStore } from '../store/open-store.js';
import type { Db } from '../store/types.js';
import { resolveAdminToken } from './admin-token.js';
import { createApp } from './app.js';
import { DEFAULT_REPLAY_MAX_PINGS, type CloudburstConfig } from './config.js';
import { Delivery } from './delivery.js';
import { EngineRunner } from './engine-runner.js';
import { restoreEngine } from './engine-restore.js';
import { LiveFeed } from './live-feed.js';
import { PingRecorder } from './recorder.js';
import { listLiveFences } from './repos/fences.js';
import { findDeviceByToken } from './repos/devices.js';
import { LastSeqWriter } from './last-seq-writer.js';
import { listRecentOffers } from './repos/offers.js';
import { listTrucks, upsertTruck, type NewTruck, type Truck } from './repos/trucks.js';
import { campaignAnnouncer } from './campaigns/announce.js';
import { advanceCampaignClock } from './campaigns/service.js';
import { DEFAULT_RATES } from './sends/channel-config.js';
import { buildLanes, checkChannelSettings } from './sends/providers.js';
import { SendScheduler } from './sends/scheduler.js';
import { PushRedelivery } from './sends/push-redelivery.js';
import { failStalledImports } from './repos/imports.js';
import { httpServerOptions, withRequestDeadline, type HttpTimeouts } from './http-timeouts.js';
import type { DeviceMessage } from '../common/protocol.js';
import { acknowledgeOrderUpdate, subscribeOrderFeed } from './orders/order-feed.js';
import { cancelUnpaidOrders } from './orders/unpaid-orders.js';
import { sendDueReadyTexts } from './orders/ready-texts.js';
import type { PaymentSettings } from './payments/payment-config.js';
import { PAYMENT_WEBHOOKS_MOUNT_PATH } from './routes/payments.js';
import { toLiveFence, type ServerServices } from './services.js';

/** How long a clean stop waits for the bus to drain before it gives up and logs what is left. */
const DRAIN_TIMEOUT_MS = 15_000;
/** An import that wrote no batch for this long lost its process. */
const STALLED_IMPORT_MS = 2 * 60_000;
const STALLED_IMPORT_CHECK_MS = 30_000;
/** How often unpaid orders are looked for; a minute late is nothing next to their 15 minutes. */
const UNPAID_ORDER_CHECK_MS = 30_000;
/** Offers in the console's snapshot. */
const SNAPSHOT_OFFERS = 100;

export type StartOptions = Partial<CloudburstConfig> & {
  dataDir: string;
  logger?: Logger;
  /** Time between two passes of the send scheduler (default 250 ms). */
  sendTickMs?: number;
  /** Payment provider of orders; the in-memory sandbox when absent. */
  payments?: ServerServices['payments'];
  /** How long a ready order waits for the app's acknowledgement before its text goes out (default 20 s). */
  readyTextDelayMs?: number;
  /** How long clients may take to send a request and an import upload (defaults 300 s and 120 s without data). */
  httpTimeouts?: HttpTimeouts;
};

export interface RunningCloudburst {
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  port: number;
  adminToken: string;
  logger: Logger;
  services: {
    db: Db;
    engine: ProximityEngine;
    runner: EngineRunner;
    gateway: IngestGateway;
    scheduler: SendScheduler;
    api: { createTruck(input: Partial<NewTruck> & { name: string; lat: number; lon: number }): Promise<Truck> };
  };
  /** Stops accepting, drains the bus, closes sockets and the store. Safe to call twice. */
  stop(): Promise<void>;
}

/** Returns the built console folder: dist/console, found from the compiled server or from the sources. */
export function defaultConsoleDir(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  return here.includes(`${path.sep}dist${path.sep}`) ? path.resolve(here, '..', 'console') : path.resolve(here, '..', 'dist', 'console');
}

/**
 * Starts one Cloudburst process on the embedded defaults: the HTTP API, the
 * device and console WebSocket endpoints, the engine, delivery and the console,
 * over PGlite and the in-process bus.
 */
export async function startCloudburst(options: StartOptions): Promise<RunningCloudburst> {
  const logger = options.logger ?? createLogger({ level: options.logLevel });
  const log = logger.child({ component: 'server' });
  const host = options.host ?? '127.0.0.1';
  let ready = false;

  const channels = { ...(options.channels ?? { rates: DEFAULT_RATES, publicUrl: '' }) };
  await checkChannelSettings(channels, logger);
  const adminToken = await resolveAdminToken(options.dataDir, options.adminToken);
  const db = await openStore({ databaseUrl: options.databaseUrl, dataDir: path.join(options.dataDir, 'pglite'), logger });
  await migrate(db, logger);

  const bus = await openBus({
    kafkaBrokers: options.kafkaBrokers,
    kafkaNamespace: options.kafkaNamespace,
    partitions: options.busPartitions,
    logger,
  });
  const engine = new ProximityEngine();
  const restored = await restoreEngine({ db, bus, engine, logger });

  const live: LiveFeed = new LiveFeed({
    adminToken,
    logger,
    snapshot: async () => ({
      type: 'snapshot',
      trucks: await listTrucks(db),
      fences: (await listLiveFences(db, Date.now())).map(toLiveFence),
      offers: await listRecentOffers(db, SNAPSHOT_OFFERS),
      devices: live.devicePositions(),
    }),
  });

  live.publishDevices(restored.positions);

  let delivery: Delivery | undefined;
  const lastSeqs = new LastSeqWriter(db, logger);
  const pushes = new PushRedelivery({ db, bus, logger, publicUrl: () => channels.publicUrl });
  const gateway = new IngestGateway({
    bus,
    logger,
    devices: {
      authenticate: (token) => findDeviceByToken(db, token),
      saveLastSeq: (deviceId, lastSeq) => lastSeqs.save(deviceId, lastSeq),
    },
    onOfferAck: (deviceId, offerId) => void delivery?.acknowledge(deviceId, offerId),
    onOrderAck: (deviceId, orderId, status) => void acknowledgeOrderUpdate(db, logger, deviceId, orderId, status),
    onMessageAck: (deviceId, messageId) => void pushes.acknowledge(deviceId, messageId),
    onDeviceConnected: (deviceId) => {
      void delivery?.resendUndelivered(deviceId);
      void pushes.resendUndelivered(deviceId);
    },
  });
  // Names this process's own consumer groups (fence updates, pushes) on a shared bus.
  const instanceId = randomUUID().slice(0, 8);
  delivery = new Delivery({ bus, db, push: gateway, logger, instanceId, onOffer: (offer) => live.publishOffer(offer) });

  const runner = new EngineRunner({ bus, engine, logger, instanceId, onPositions: (devices) => live.publishDevices(devices) });
  const recorder = new PingRecorder({ bus, db, logger, retentionHours: options.pingRetentionHours ?? 24 * 14 });
  await runner.start();
  await delivery.start();
  await recorder.start();
  // Every process reads every campaign message and writes the ones whose device socket it holds.
  const messageSubscription = await bus.subscribe<DeviceMessage>({
    topic: Topics.messages,
    groupId: `messages-${instanceId}`,
    handler: async (records) => {
      for (const record of records) gateway.sendToDevice(record.value.deviceId, { type: 'message', message: record.value });
    },
  });

  const orderSubscription = await subscribeOrderFeed({ bus, instanceId, live, devices: gateway });

  // The sandbox delivers its signed webhooks to this process's own route, as a real provider would over HTTP.
  const payments =
    options.payments ??
    (options.payment?.provider === 'stripe' ? stripeProvider(options.payment, channels.publicUrl, logger) : undefined) ??
    createSandboxProvider({
      webhookSecret: randomBytes(32).toString('hex'),
      logger,
      onWebhook: async (delivery) => {
        const response = await app.request(`${PAYMENT_WEBHOOKS_MOUNT_PATH}/sandbox`, { method: 'POST', headers: delivery.headers, body: delivery.rawBody });
        if (!response.ok) throw new Error(`sandbox webhook ${delivery.eventId} failed with HTTP ${response.status}`);
      },
    });

  const services: ServerServices = {
    db,
    bus,
    live,
    adminToken,
    tileUrl: options.tileUrl,
    tileAttribution: options.tileAttribution,
    isReady: () => ready,
    stats: () => ({ ...runner.stats, fences: engine.fenceCount, devices: engine.deviceCount, connections: gateway.connectionCount }),
    replayMaxPings: options.replayMaxPings ?? DEFAULT_REPLAY_MAX_PINGS,
    waitForFences: (fenceIds, timeoutMs) => pollUntil(() => fenceIds.every((id) => engine.hasFence(id)), timeoutMs),
    waitForFencesRemoved: (fenceIds, timeoutMs) => pollUntil(() => !fenceIds.some((id) => engine.hasFence(id)), timeoutMs),
    toLiveFence,
    payments,
  };
  const app = createApp(services, { logger, consoleDir: options.consoleDir ?? defaultConsoleDir(), channels });

  // Node's own requestTimeout would cut off a long import upload, so httpServerOptions turns it
  // off and withRequestDeadline puts the same limit back on every other request.
  const server: Server = createServer(httpServerOptions(), withRequestDeadline(getRequestListener(app.fetch), options.httpTimeouts));
  server.on('upgrade', (request, socket, head) => {
    const pathname = new URL(request.url ?? '/', 'http://localhost').pathname;
    if (pathname === '/v1/devices/connect') gateway.handleUpgrade(request, socket, head);
    else if (pathname === '/v1/live') live.handleUpgrade(request, socket, head);
    else {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`;

  channels.publicUrl ||= url;
  const announce = campaignAnnouncer(services, logger.child({ component: 'campaign-clock' }));
  let stalledCheckAt = 0;
  let unpaidCheckAt = 0;
  const orderLogger = logger.child({ component: 'orders' });
  const lanes = buildLanes(channels, db, bus, logger);
  const readyTexts = { db, lane: lanes.sms, logger: logger.child({ component: 'ready-texts' }), delayMs: options.readyTextDelayMs };
  const scheduler = new SendScheduler({
    db,
    lanes,
    logger,
    publicUrl: channels.publicUrl,
    tickMs: options.sendTickMs,
    onTick: async (now) => {
      if (now - stalledCheckAt >= STALLED_IMPORT_CHECK_MS) {
        stalledCheckAt = now;
        for (const stalled of await failStalledImports(db, now, STALLED_IMPORT_MS)) {
          log.warn({ importId: stalled.id, segmentId: stalled.segmentId, progress: stalled.progress }, 'import stopped with its process; marked failed');
        }
      }
      await sendDueReadyTexts(readyTexts, now);
      if (now - unpaidCheckAt >= UNPAID_ORDER_CHECK_MS) {
        unpaidCheckAt = now;
        await cancelUnpaidOrders({ db, bus, logger: orderLogger, unpaidMs: options.unpaidOrderMs }, now);
      }
      for (const change of await advanceCampaignClock(db, now)) {
        log.info({ campaignId: change.campaign.id, status: change.campaign.status }, 'campaign window reached; status changed');
        await announce(change);
      }
    },
  });
  scheduler.start();
  ready = true;
  log.info({ url, dataDir: options.dataDir, store: db.kind, bus: bus.kind }, 'cloudburst started');

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      ready = false;
      log.info('stopping: no new connections or pings');
      await gateway.stopAccepting();

      const drained = await Promise.race([
        bus.drain().then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), DRAIN_TIMEOUT_MS).unref()),
      ]);
      if (drained) log.info(runner.stats, 'bus drained');
      else log.error({ timeoutMs: DRAIN_TIMEOUT_MS }, 'bus did not drain in time; unprocessed pings are lost');

      await scheduler.stop();
      await gateway.close();
      await lastSeqs.flush();
      await live.close();
      await runner.stop();
      await delivery!.stop();
      await recorder.stop();
      await messageSubscription.stop();
      await orderSubscription.stop();
      await bus.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await db.close();
      log.info('cloudburst stopped');
    })();
    return stopping;
  };

  return {
    url,
    port,
    adminToken,
    logger,
    services: {
      db,
      engine,
      runner,
      gateway,
      scheduler,
      api: {
        createTruck: async (input) => {
          const { truck } = await upsertTruck(db, { timeZone: 'America/Los_Angeles', ...input });
          live.publish({ type: 'truck', truck });
          return truck;
        },
      },
    },
    stop,
  };
}

/** How often `pollUntil` checks its condition. */
const POLL_INTERVAL_MS = 10;

/** Resolves true as soon as `condition` holds, or false after `timeoutMs`. */
async function pollUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() >= deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
  return true;
}

/** Builds the Stripe adapter; 3-D Secure sends the customer back to the order page, so PUBLIC_URL must be set. */
function stripeProvider(settings: Extract<PaymentSettings, { provider: 'stripe' }>, publicUrl: string, logger: Logger): PaymentProvider {
  if (!publicUrl) {
    throw new CloudburstError('invalid_input', 'invalid PUBLIC_URL: missing (PAYMENT_PROVIDER=stripe needs the public address for its webhook and return page)', { field: 'PUBLIC_URL' });
  }
  return createStripeProvider({ ...settings, returnUrl: `${publicUrl.replace(/\/+$/, '')}/order`, logger });
}
