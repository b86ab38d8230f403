import type { FeatureCollection } from 'geojson';
import type { GeoJSONSource } from 'maplibre-gl';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { GatewayFrame, OfferPayload } from '../common/protocol.js';
import type { RunningCloudburst } from '../server/app-server.js';
import { instantToLocal } from '../server/time-zone.js';
import { adminBody, adminConsoleUrl, launchChromium, startConsoleServer, watchContext, type ConsoleServer, type PageProblems } from './browser-harness.js';

/**
 * The live map of the console against a real server, in Debian's Chromium. Nothing in the
 * page may load from another host.
 */

const SCREENSHOT_PATH = '/tmp/console.png';
const TIME_ZONE = 'America/Los_Angeles';

const TRUCKS = [
  { name: 'Taco Loco', lat: 37.7793, lon: -122.4193, permitLocationId: 'P-1001' },
  { name: 'Dumpling Dash', lat: 37.7946, lon: -122.3999, permitLocationId: 'P-1002' },
  { name: 'Crepe Escape', lat: 37.7609, lon: -122.435 },
];

type ConsoleCounts = { trucks: number; fences: number; devices: number; offers: number };

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
  let consoleServer: ConsoleServer;
  let server: RunningCloudburst;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let problems: PageProblems;

  beforeAll(async () => {
    consoleServer = await startConsoleServer('console');
    server = consoleServer.server;
    for (const truck of TRUCKS) await adminBody(server, 'POST', '/trucks', { ...truck, timeZone: TIME_ZONE });

    browser = await launchChromium();
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 850 } });
    problems = watchContext(context, server.url);
    page = await context.newPage();
    await page.goto(adminConsoleUrl(server));
    await page.waitForFunction(() => window.__cloudburst !== undefined, null, { timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await consoleServer?.close();
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
    await adminBody(server, 'POST', '/campaigns', {
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
    await adminBody(server, 'POST', '/trucks', { name: 'Late Arrival', lat: 37.77, lon: -122.41, timeZone: TIME_ZONE });
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
    expect(problems.externalRequests).toEqual([]);
  });

  it('throws no page errors', () => {
    expect(problems.pageErrors).toEqual([]);
  });
});
