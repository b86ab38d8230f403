import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FeatureCollection } from 'geojson';
import type { GeoJSONSource } from 'maplibre-gl';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { GatewayFrame, OfferPayload } from '../common/protocol.js';
import { silentLogger } from '../common/logger.js';
import { startCloudburst, type RunningCloudburst } from '../server/app-server.js';
import { backendOptions } from '../test/backend.js';
import { instantToLocal } from '../server/time-zone.js';

/**
 * The console against a real server: the console is built into a temporary folder, the server
 * serves it, and Debian's Chromium (driven by playwright-core, which downloads no browser) loads
 * it from 127.0.0.1. Nothing in the page may load from another host.
 */

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOT_PATH = '/tmp/console.png';
const TIME_ZONE = 'America/Los_Angeles';

const TRUCKS = [
  { name: 'Taco Loco', lat: 37.7793, lon: -122.4193, permitLocationId: 'P-1001' },
  { name: 'Dumpling Dash', lat: 37.7946, lon: -122.3999, permitLocationId: 'P-1002' },
  { name: 'Crepe Escape', lat: 37.7609, lon: -122.435 },
];

type ConsoleCounts = { trucks: number; fences: number; devices: number; offers: number };

async function adminPost(server: RunningCloudburst, route: string, body: unknown): Promise<Record<string, any>> {
  const response = await fetch(`${server.url}${route}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${server.adminToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (response.status !== 201) throw new Error(`POST ${route} failed with HTTP ${response.status}: ${text}`);
  return JSON.parse(text) as Record<string, any>;
}

/** Registers a device, sends one ping at the position and resolves with the offer the server pushes. */
async function pingForOffer(server: RunningCloudburst, lat: number, lon: number): Promise<OfferPayload> {
  const response = await fetch(`${server.url}/v1/devices`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  const { token } = (await response.json()) as { deviceId: string; token: string };
  const socket = new WebSocket(`${server.url.replace(/^http/, 'ws')}/v1/devices/connect`, { perMessageDeflate: false });
  try {
    return await new Promise<OfferPayload>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no offer frame within 15 s of the ping')), 15_000);
      socket.on('error', reject);
      socket.on('open', () => socket.send(JSON.stringify({ type: 'hello', token })));
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as GatewayFrame;
        if (frame.type === 'welcome') {
          socket.send(JSON.stringify({ type: 'pings', pings: [{ seq: frame.lastSeq + 1, lat, lon, accuracy: 10, ts: Date.now() }] }));
        } else if (frame.type === 'offer') {
          clearTimeout(timer);
          resolve(frame.offer);
        } else if (frame.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`gateway error ${frame.code}: ${frame.message}`));
        }
      });
    });
  } finally {
    socket.close();
  }
}

const readCounts = (page: Page): Promise<ConsoleCounts | null> =>
  page.evaluate(() => (window.__cloudburst ? { ...window.__cloudburst.state.counts } : null));

async function waitForCounts(page: Page, expected: Partial<ConsoleCounts>): Promise<void> {
  await page.waitForFunction(
    (want) => {
      const counts = window.__cloudburst?.state.counts;
      return counts !== undefined && Object.entries(want).every(([key, value]) => counts[key as keyof typeof counts] === value);
    },
    expected,
    { timeout: 15_000 },
  );
}

/** Features of a GeoJSON source as stored in the map. */
function sourceFeatures(page: Page, sourceId: string): Promise<{ type: string; properties: Record<string, unknown>; vertices: number }[]> {
  return page.evaluate(async (id) => {
    const source = window.__cloudburst!.map.getSource<GeoJSONSource>(id)!;
    const data = (await source.getData()) as FeatureCollection;
    return data.features.map((feature) => ({
      type: feature.geometry.type,
      properties: feature.properties ?? {},
      vertices: feature.geometry.type === 'Polygon' ? feature.geometry.coordinates[0]!.length : 1,
    }));
  }, sourceId);
}

describe('console in Chromium', () => {
  let dataDir: string;
  let server: RunningCloudburst;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];
  const externalRequests: string[] = [];

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'cloudburst-console-'));
    const consoleDir = path.join(dataDir, 'console');
    await build({
      configFile: path.join(import.meta.dirname, 'vite.config.ts'),
      logLevel: 'warn',
      build: { outDir: consoleDir, emptyOutDir: true },
    });
    server = await startCloudburst({
      dataDir,
      port: 0,
      host: '127.0.0.1',
      adminToken: 'console-test-token',
      logger: silentLogger(),
      consoleDir,
      ...(await backendOptions()),
    });
    for (const truck of TRUCKS) await adminPost(server, '/v1/admin/trucks', { ...truck, timeZone: TIME_ZONE });

    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 850 } });
    const origin = new URL(server.url).origin;
    context.on('request', (request) => {
      const url = request.url();
      if (!/^(data|blob):/.test(url) && new URL(url).origin !== origin && !url.startsWith(origin.replace(/^http/, 'ws'))) {
        externalRequests.push(url);
      }
    });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(`${server.url}/#token=${encodeURIComponent(server.adminToken)}`);
    await page.waitForFunction(() => window.__cloudburst !== undefined, null, { timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('removes the token from the address', async () => {
    expect(page.url()).not.toContain('token');
    expect(await page.evaluate(() => sessionStorage.getItem('cloudburst.adminToken'))).toBe(server.adminToken);
  });

  it('shows the feed as live', async () => {
    await page.waitForSelector('[data-testid=connection-status][data-status=live]', { timeout: 15_000 });
    expect(await page.textContent('[data-testid=connection-status]')).toContain('Live');
  });

  it('counts three trucks', async () => {
    await waitForCounts(page, { trucks: 3 });
    expect((await readCounts(page))?.trucks).toBe(3);
    expect(await page.textContent('[data-testid=truck-count]')).toBe('3');
  });

  it('draws three trucks on the map', async () => {
    const trucks = await sourceFeatures(page, 'trucks');
    expect(trucks).toHaveLength(3);
    expect(trucks.map((truck) => truck.properties.name).sort()).toEqual(TRUCKS.map((truck) => truck.name).sort());
  });

  it('renders the trucks in view', async () => {
    // querySourceFeatures returns only features in tiles that the map has loaded for the current view.
    const renderedTruckIds = () =>
      page.evaluate(() => new Set(window.__cloudburst!.map.querySourceFeatures('trucks').map((feature) => feature.properties.id)).size);
    await expect.poll(renderedTruckIds, { timeout: 10_000 }).toBe(3);
    const inView = await page.evaluate(
      (trucks) => trucks.every((truck) => window.__cloudburst!.map.getBounds().contains([truck.lon, truck.lat])),
      TRUCKS,
    );
    expect(inView).toBe(true);
  });

  it('adds fence circles live', async () => {
    const now = Date.now();
    await adminPost(server, '/v1/admin/campaigns', {
      name: 'Lunch burst',
      truckIds: 'all',
      window: { start: instantToLocal(now - 60_000, TIME_ZONE), end: instantToLocal(now + 3_600_000, TIME_ZONE) },
      radiusM: 150,
      benefit: { kind: 'percent', value: 15 },
    });
    await waitForCounts(page, { fences: 3 });
    const fences = await sourceFeatures(page, 'fences');
    expect(fences).toHaveLength(3);
    expect(fences.every((fence) => fence.type === 'Polygon' && fence.vertices === 65)).toBe(true);
    expect(fences.every((fence) => fence.properties.active === true)).toBe(true);
  });

  it('lists an offer sent to a phone near a truck', async () => {
    const truck = TRUCKS[0]!;
    const offer = await pingForOffer(server, truck.lat + 0.0003, truck.lon);
    await waitForCounts(page, { offers: 1 });
    const row = page.locator('[data-testid=offer-list] [data-testid=offer-row]').first();
    await expect.poll(() => row.textContent(), { timeout: 10_000 }).toContain(offer.code);
    expect(await row.textContent()).toContain(truck.name);
    expect(await row.textContent()).toContain(offer.deviceId.slice(0, 8));
    expect(await sourceFeatures(page, 'offers')).toHaveLength(1);
    expect(await page.textContent('[data-testid=offer-count]')).toBe('1');
  });

  it('shows the device on the map', async () => {
    await waitForCounts(page, { devices: 1 });
    expect(await sourceFeatures(page, 'devices')).toHaveLength(1);
  });

  it('opens a popup when a truck is clicked', async () => {
    const truck = TRUCKS[0]!;
    const point = await page.evaluate(({ lon, lat }) => {
      const map = window.__cloudburst!.map;
      const projected = map.project([lon, lat]);
      const box = map.getCanvas().getBoundingClientRect();
      return { x: box.left + projected.x, y: box.top + projected.y };
    }, truck);
    await page.mouse.click(point.x, point.y);
    const popup = page.locator('.maplibregl-popup-content');
    await popup.waitFor({ timeout: 5_000 });
    expect(await popup.textContent()).toContain(truck.name);
    expect(await popup.textContent()).toContain(`Permit location: ${truck.permitLocationId}`);
  });

  it('takes a screenshot', async () => {
    await page.screenshot({ path: SCREENSHOT_PATH });
  });

  it('switches the language to zh-CN', async () => {
    await page.selectOption('[data-testid=language-switcher]', 'zh-CN');
    await expect.poll(() => page.textContent('#offers-title')).toBe('最近的优惠');
    expect(await page.textContent('[data-testid=connection-status]')).toContain('实时');
    expect(await page.getAttribute('html', 'lang')).toBe('zh-CN');
    expect(await page.title()).toBe('Cloudburst 控制台');
  });

  it('keeps zh-CN after a reload', async () => {
    await page.reload();
    await waitForCounts(page, { trucks: 3 });
    expect(await page.textContent('#offers-title')).toBe('最近的优惠');
    expect(await page.evaluate(() => localStorage.getItem('cloudburst.locale'))).toBe('zh-CN');
  });

  it('adds a new truck live', async () => {
    await adminPost(server, '/v1/admin/trucks', { name: 'Late Arrival', lat: 37.77, lon: -122.41, timeZone: TIME_ZONE });
    await waitForCounts(page, { trucks: 4 });
    expect(await sourceFeatures(page, 'trucks')).toHaveLength(4);
  });

  it('asks for the token again when the server rejects it', async () => {
    const other = await context.newPage();
    try {
      await other.goto(`${server.url}/#token=wrong-token`);
      await other.waitForSelector('[data-testid=login-rejected]', { timeout: 15_000 });
      expect(await other.evaluate(() => sessionStorage.getItem('cloudburst.adminToken'))).toBeNull();
    } finally {
      await other.close();
    }
  });

  it('loads nothing from other hosts', () => {
    expect(externalRequests).toEqual([]);
  });

  it('throws no page errors', () => {
    expect(pageErrors).toEqual([]);
  });
});
