import { randomUUID } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCloudburst } from '../server/app-server.js';
import {
  adminBody,
  adminConsoleUrl,
  adminRequest,
  answerDialog,
  apiRequest,
  launchChromium,
  startConsoleServer,
  textOf,
  WAIT_MS,
  waitForText,
  watchContext,
  type ConsoleServer,
  type PageProblems,
} from './browser-harness.js';
import { formatClockTime } from './src/lib/pickup/format.js';

/**
 * The staff's pickup board against a real server, in Debian's Chromium. Orders are placed and
 * paid with the sandbox card through the public API. The board must show each one from the
 * live feed without a reload and move it through preparing and ready to picked up. It must also
 * follow moves other staff make through the admin API, and refund an order once the staff
 * confirms the amount. The browser runs in Shanghai time, so the ready times must come out in
 * the truck's Los Angeles time.
 */

const SCREENSHOT_PATH = '/tmp/console-pickup.png';
const TRUCK_TIME_ZONE = 'America/Los_Angeles';
const BROWSER_TIME_ZONE = 'Asia/Shanghai';

const MENU = {
  currency: 'USD',
  items: [
    {
      id: 'burger',
      name: 'Burger',
      priceMinor: 1000,
      available: true,
      soldOut: false,
      options: [
        {
          id: 'extras',
          name: 'Extras',
          min: 0,
          max: 2,
          choices: [
            { id: 'cheddar', name: 'Cheddar', priceDeltaMinor: 150 },
            { id: 'bacon', name: 'Bacon', priceDeltaMinor: 200 },
          ],
        },
      ],
    },
    { id: 'taco', name: 'Taco', priceMinor: 400, available: true, soldOut: false },
  ],
};

/** The sandbox's test card that always pays. */
const TEST_CARD = { number: '4242424242424242', expMonth: 12, expYear: new Date().getUTCFullYear() + 2, cvc: '123' };

interface PlacedOrder {
  id: string;
  orderToken: string;
}

interface AdminOrderReply {
  id: string;
  status: string;
  pickupNumber: string | null;
  estimatedReadyAt: string | null;
}

/** Places an order as the customer's phone does and returns its id and order token. Throws naming the reply on failure. */
async function placeOrder(server: RunningCloudburst, truckId: string, customerName: string, lines: unknown[]): Promise<PlacedOrder> {
  const placed = await apiRequest(server, 'POST', '/v1/orders', { truckId, lines, customer: { name: customerName } }, { 'Idempotency-Key': randomUUID() });
  if (placed.status !== 201) throw new Error(`placing an order failed with HTTP ${placed.status}: ${JSON.stringify(placed.body)}`);
  return { id: placed.body.order.id, orderToken: placed.body.orderToken };
}

/** Pays an order with the sandbox test card. Throws naming the reply unless the payment succeeded. */
async function payOrder(server: RunningCloudburst, order: PlacedOrder): Promise<void> {
  const token = await apiRequest(server, 'POST', '/v1/payments/sandbox/tokens', TEST_CARD);
  if (token.status !== 201) throw new Error(`tokenizing the sandbox card failed with HTTP ${token.status}: ${JSON.stringify(token.body)}`);
  const paid = await apiRequest(server, 'POST', `/v1/orders/${order.id}/payments`, { paymentMethod: token.body.token }, {
    authorization: `Bearer ${order.orderToken}`,
    'Idempotency-Key': randomUUID(),
  });
  if (paid.status !== 201) throw new Error(`paying order ${order.id} failed with HTTP ${paid.status}: ${JSON.stringify(paid.body)}`);
}

async function getOrder(server: RunningCloudburst, id: string): Promise<AdminOrderReply> {
  const reply = await adminRequest(server, 'GET', `/orders/${id}`);
  if (reply.status !== 200) throw new Error(`reading order ${id} failed with HTTP ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body.order as AdminOrderReply;
}

async function refundByApi(server: RunningCloudburst, id: string): Promise<void> {
  const reply = await adminRequest(server, 'POST', `/orders/${id}/refund`);
  if (reply.status !== 200) throw new Error(`refunding order ${id} failed with HTTP ${reply.status}: ${JSON.stringify(reply.body)}`);
}

async function moveByApi(server: RunningCloudburst, id: string, status: string): Promise<void> {
  const reply = await adminRequest(server, 'POST', `/orders/${id}/status`, { status });
  if (reply.status !== 200) throw new Error(`moving order ${id} to ${status} failed with HTTP ${reply.status}: ${JSON.stringify(reply.body)}`);
}

describe('pickup board in Chromium', () => {
  let consoleServer: ConsoleServer;
  let server: RunningCloudburst;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let truckId: string;
  let first: PlacedOrder;
  let second: PlacedOrder;
  let third: PlacedOrder;
  let refunded: PlacedOrder;
  let troubled: PlacedOrder;
  /** Times the page fetched the whole queue; an order shown without a new fetch came from the live feed. */
  let queueFetches = 0;
  /** Ids of the orders whose refund the page requested, one entry per request. */
  const refundRequests: string[] = [];

  const card = (id: string) => page.locator(`[data-testid=pickup-card][data-order-id="${id}"]`);
  const column = (status: string) => page.locator(`[data-testid=pickup-column][data-status=${status}]`);
  const cardStatus = (id: string) => card(id).getAttribute('data-status');

  beforeAll(async () => {
    consoleServer = await startConsoleServer('pickup');
    server = consoleServer.server;
    truckId = (await adminBody(server, 'POST', '/trucks', { name: 'Taco Loco', lat: 37.7793, lon: -122.4193, timeZone: TRUCK_TIME_ZONE })).truck.id;
    await adminBody(server, 'PUT', `/trucks/${truckId}/menu`, MENU);

    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'en-US', timezoneId: BROWSER_TIME_ZONE, viewport: { width: 1400, height: 900 } });
    // The fake clock runs at real speed until the late test moves it forward.
    await context.clock.install();
    problems = watchContext(context, server.url);
    context.on('request', (sent) => {
      const url = sent.url();
      if (sent.method() === 'GET' && new URL(url).pathname === `/v1/admin/trucks/${truckId}/orders`) queueFetches += 1;
      const refund = /^\/v1\/admin\/orders\/([^/]+)\/refund$/.exec(new URL(url).pathname);
      if (sent.method() === 'POST' && refund) refundRequests.push(refund[1]!);
    });
    page = await context.newPage();
    await page.goto(adminConsoleUrl(server));
    await page.getByTestId('nav-pickup').waitFor({ timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await consoleServer?.close();
  });

  it('opens the pickup view and picks the truck', async () => {
    await page.getByTestId('nav-pickup').click();
    await page.getByTestId('pickup-no-truck').waitFor({ timeout: WAIT_MS });
    expect(new URL(page.url()).hash).toBe('#view=pickup');
    expect(await page.getByTestId('nav-pickup').getAttribute('aria-current')).toBe('page');

    const picker = page.getByTestId('pickup-truck');
    await expect.poll(() => picker.locator(`option[value="${truckId}"]`).count(), { timeout: WAIT_MS }).toBe(1);
    await picker.selectOption(truckId);
    await expect.poll(() => page.getByTestId('pickup-column').count(), { timeout: WAIT_MS }).toBe(3);
    expect(await page.evaluate(() => localStorage.getItem('cloudburst.pickupTruck'))).toBe(truckId);
    for (const status of ['paid', 'preparing', 'ready']) {
      await waitForText(column(status).getByTestId('pickup-column-count'), '0');
    }
    expect(await textOf(column('paid').locator('h3'))).toBe('New 0');
  });

  it('shows a paid order live, without fetching the queue again', async () => {
    await expect.poll(() => page.getByTestId('pickup-loading').count(), { timeout: WAIT_MS }).toBe(0);
    const fetchesBefore = queueFetches;
    first = await placeOrder(server, truckId, 'Ana', [
      { itemId: 'burger', quantity: 1, choices: ['cheddar', 'bacon'] },
      { itemId: 'taco', quantity: 2 },
    ]);
    await payOrder(server, first);

    await card(first.id).waitFor({ timeout: WAIT_MS });
    expect(queueFetches).toBe(fetchesBefore);
    expect(await cardStatus(first.id)).toBe('paid');
    expect(await column('paid').getByTestId('pickup-card').count()).toBe(1);

    const stored = await getOrder(server, first.id);
    expect(stored.pickupNumber).toMatch(/^\d{3,}$/);
    expect(await textOf(card(first.id).getByTestId('pickup-number'))).toBe(stored.pickupNumber);
    expect(await textOf(card(first.id).getByTestId('pickup-customer'))).toBe('Ana');
    const lines = await card(first.id).getByTestId('pickup-line').evaluateAll((items) => items.map((item) => item.textContent?.replace(/\s+/g, ' ').trim()));
    expect(lines).toEqual(['1 × Burger Cheddar, Bacon', '2 × Taco']);
    const readyAt = formatClockTime(stored.estimatedReadyAt!, 'en-US', TRUCK_TIME_ZONE).replace(/\s+/g, ' ');
    expect(await textOf(card(first.id).getByTestId('pickup-ready-at'))).toBe(`Ready by ${readyAt}`);
    expect(await card(first.id).getAttribute('data-late')).toBe('false');
    await waitForText(page.getByTestId('nav-badge-pickup'), '1');
  });

  it('disables the buttons while a move runs, then starts preparing', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      '**/v1/admin/orders/*/status',
      async (route) => {
        await released;
        await route.continue();
      },
      { times: 1 },
    );

    await card(first.id).getByTestId('pickup-move-preparing').click();
    await expect.poll(() => card(first.id).getByTestId('pickup-move-preparing').isDisabled(), { timeout: WAIT_MS }).toBe(true);
    expect(await card(first.id).getByTestId('pickup-move-ready').isDisabled()).toBe(true);
    expect(await card(first.id).getByTestId('pickup-move-preparing').getAttribute('aria-busy')).toBe('true');
    release();

    await expect.poll(() => cardStatus(first.id), { timeout: WAIT_MS }).toBe('preparing');
    expect(await column('preparing').getByTestId('pickup-card').count()).toBe(1);
    expect(await card(first.id).getByTestId('pickup-move-ready').isEnabled()).toBe(true);
    expect(await card(first.id).getByTestId('pickup-move-preparing').count()).toBe(0);
    expect((await getOrder(server, first.id)).status).toBe('preparing');
    await expect.poll(() => page.getByTestId('nav-badge-pickup').count(), { timeout: WAIT_MS }).toBe(0);
  });

  it('marks the order ready, then picked up, and it leaves the board', async () => {
    await card(first.id).getByTestId('pickup-move-ready').click();
    await expect.poll(() => cardStatus(first.id), { timeout: WAIT_MS }).toBe('ready');
    expect(await column('ready').getByTestId('pickup-card').count()).toBe(1);

    await card(first.id).getByTestId('pickup-move-picked_up').click();
    await expect.poll(() => card(first.id).count(), { timeout: WAIT_MS }).toBe(0);
    expect((await getOrder(server, first.id)).status).toBe('picked_up');
    expect(await page.getByTestId('pickup-card').count()).toBe(0);
  });

  it('follows a second order that other staff move through the API', async () => {
    second = await placeOrder(server, truckId, 'Ben', [{ itemId: 'taco', quantity: 1 }]);
    await payOrder(server, second);
    await card(second.id).waitFor({ timeout: WAIT_MS });
    expect(await cardStatus(second.id)).toBe('paid');

    await moveByApi(server, second.id, 'preparing');
    await expect.poll(() => cardStatus(second.id), { timeout: WAIT_MS }).toBe('preparing');
    expect(await column('preparing').getByTestId('pickup-card').count()).toBe(1);
    expect(await column('paid').getByTestId('pickup-card').count()).toBe(0);
  });

  it('explains a move another staff member made first', async () => {
    // Another window hands the order out while this board's Ready request is on its way.
    await page.route(
      '**/v1/admin/orders/*/status',
      async (route) => {
        await moveByApi(server, second.id, 'ready');
        await moveByApi(server, second.id, 'picked_up');
        await route.continue();
      },
      { times: 1 },
    );
    const rejected = page.waitForResponse((response) => response.url().endsWith(`/v1/admin/orders/${second.id}/status`));
    await card(second.id).getByTestId('pickup-move-ready').click();
    expect((await rejected).status()).toBe(409);

    const stored = await getOrder(server, second.id);
    const notice = page.getByTestId('pickup-notice');
    await notice.waitFor({ timeout: WAIT_MS });
    expect(await notice.getAttribute('data-kind')).toBe('conflict');
    expect(await textOf(notice.getByTestId('pickup-notice-text'))).toBe(
      `Another staff member moved order ${stored.pickupNumber} first. Its status is now: Picked up.`,
    );
    await expect.poll(() => card(second.id).count(), { timeout: WAIT_MS }).toBe(0);

    await page.getByTestId('pickup-notice-dismiss').click();
    expect(await notice.count()).toBe(0);
  });

  it('keeps the truck after a reload', async () => {
    const fetchesBefore = queueFetches;
    await page.reload();
    await page.getByTestId('pickup-view').waitFor({ timeout: WAIT_MS });
    await expect.poll(() => page.getByTestId('pickup-column').count(), { timeout: WAIT_MS }).toBe(3);
    await expect.poll(() => page.getByTestId('pickup-loading').count(), { timeout: WAIT_MS }).toBe(0);
    expect(await page.getByTestId('pickup-card').count()).toBe(0);
    expect(await page.getByTestId('pickup-truck').inputValue()).toBe(truckId);
    expect(queueFetches).toBeGreaterThan(fetchesBefore);
  });

  it('does nothing when the refund is dismissed', async () => {
    // A burger with cheddar: 10.00 + 1.50.
    refunded = await placeOrder(server, truckId, 'Dee', [{ itemId: 'burger', quantity: 1, choices: ['cheddar'] }]);
    await payOrder(server, refunded);
    await card(refunded.id).waitFor({ timeout: WAIT_MS });
    expect(await textOf(card(refunded.id).getByTestId('pickup-refund'))).toBe('Refund');

    const question = answerDialog(page, false);
    await card(refunded.id).getByTestId('pickup-refund').click();
    expect(await question).toBe("Refund $11.50 to the customer's card?");

    expect(refundRequests).toEqual([]);
    expect(await cardStatus(refunded.id)).toBe('paid');
    expect(await card(refunded.id).getByTestId('pickup-refund').isEnabled()).toBe(true);
    expect((await getOrder(server, refunded.id)).status).toBe('paid');
  });

  it('refunds a confirmed paid order', async () => {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.route(
      '**/v1/admin/orders/*/refund',
      async (route) => {
        await released;
        await route.continue();
      },
      { times: 1 },
    );

    const question = answerDialog(page, true);
    await card(refunded.id).getByTestId('pickup-refund').click();
    expect(await question).toBe("Refund $11.50 to the customer's card?");
    await expect.poll(() => card(refunded.id).getByTestId('pickup-refund').getAttribute('aria-busy'), { timeout: WAIT_MS }).toBe('true');
    expect(await card(refunded.id).getByTestId('pickup-refund').isDisabled()).toBe(true);
    expect(await card(refunded.id).getByTestId('pickup-move-preparing').isDisabled()).toBe(true);
    expect(await card(refunded.id).getByTestId('pickup-move-ready').isDisabled()).toBe(true);
    release();

    await expect.poll(() => card(refunded.id).count(), { timeout: WAIT_MS }).toBe(0);
    expect(refundRequests).toEqual([refunded.id]);
    expect((await getOrder(server, refunded.id)).status).toBe('refunded');
    expect(await page.getByTestId('pickup-notice').count()).toBe(0);
    expect(await column('paid').getByTestId('pickup-card').count()).toBe(0);
  });

  it('shows a failed refund on the card', async () => {
    troubled = await placeOrder(server, truckId, 'Eve', [{ itemId: 'taco', quantity: 2 }]);
    await payOrder(server, troubled);
    await card(troubled.id).waitFor({ timeout: WAIT_MS });
    await page.route(
      '**/v1/admin/orders/*/refund',
      (route) =>
        route.fulfill({
          status: 503,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'unavailable', message: 'refund of payment pay-1 failed: processor busy; try again', field: 'id' } }),
        }),
      { times: 1 },
    );

    const question = answerDialog(page, true);
    await card(troubled.id).getByTestId('pickup-refund').click();
    expect(await question).toBe("Refund $8.00 to the customer's card?");
    await waitForText(card(troubled.id).getByTestId('pickup-refund-error'), 'Could not refund: refund of payment pay-1 failed: processor busy; try again');
    expect(await cardStatus(troubled.id)).toBe('paid');
    expect(await card(troubled.id).getByTestId('pickup-refund').isEnabled()).toBe(true);
    expect((await getOrder(server, troubled.id)).status).toBe('paid');
  });

  it('shows a pending refund until refunded', async () => {
    // The provider takes its time: the server replies 202 with the order still paid.
    const stored = await adminRequest(server, 'GET', `/orders/${troubled.id}`);
    await page.route(
      '**/v1/admin/orders/*/refund',
      (route) =>
        route.fulfill({ status: 202, contentType: 'application/json', body: JSON.stringify({ order: stored.body.order, refund: { status: 'pending', amountMinor: 800 } }) }),
      { times: 1 },
    );

    const question = answerDialog(page, true);
    await card(troubled.id).getByTestId('pickup-refund').click();
    await question;
    await waitForText(card(troubled.id).getByTestId('pickup-refund-pending'), 'Refund pending');
    expect(await card(troubled.id).getByTestId('pickup-refund').count()).toBe(0);
    expect(await card(troubled.id).getByTestId('pickup-refund-error').count()).toBe(0);
    expect(await cardStatus(troubled.id)).toBe('paid');

    // The provider completes it: the order's frame takes the card off the board.
    await refundByApi(server, troubled.id);
    await expect.poll(() => card(troubled.id).count(), { timeout: WAIT_MS }).toBe(0);
    expect((await getOrder(server, troubled.id)).status).toBe('refunded');
  });

  it('flags an order late once its estimate passed', async () => {
    third = await placeOrder(server, truckId, 'Cy', [{ itemId: 'burger', quantity: 1 }]);
    await payOrder(server, third);
    await card(third.id).waitFor({ timeout: WAIT_MS });
    expect(await card(third.id).getByTestId('pickup-late').count()).toBe(0);

    await page.clock.fastForward('02:00:00');
    await expect.poll(() => card(third.id).getAttribute('data-late'), { timeout: WAIT_MS }).toBe('true');
    expect(await textOf(card(third.id).getByTestId('pickup-late'))).toBe('Late');
    await page.screenshot({ path: SCREENSHOT_PATH, fullPage: true });
  });

  it('switches the board to zh-CN', async () => {
    await page.selectOption('[data-testid=language-switcher]', 'zh-CN');
    await waitForText(column('paid').locator('h3'), '新订单 1');
    expect(await textOf(column('preparing').locator('h3'))).toBe('制作中 0');
    expect(await textOf(column('ready').locator('h3'))).toBe('待取餐 0');
    expect(await textOf(card(third.id).getByTestId('pickup-move-preparing'))).toBe('开始制作');
    expect(await textOf(card(third.id).getByTestId('pickup-move-ready'))).toBe('已做好');
    expect(await textOf(card(third.id).getByTestId('pickup-refund'))).toBe('退款');
    const question = answerDialog(page, false);
    await card(third.id).getByTestId('pickup-refund').click();
    expect(await question).toBe('将 US$10.00 退回顾客的银行卡？');
    expect(await textOf(card(third.id).getByTestId('pickup-late'))).toBe('已超时');
    const readyAt = formatClockTime((await getOrder(server, third.id)).estimatedReadyAt!, 'zh-CN', TRUCK_TIME_ZONE);
    expect(await textOf(card(third.id).getByTestId('pickup-ready-at'))).toBe(`预计 ${readyAt} 做好`);
    expect(await textOf(page.getByTestId('nav-pickup'))).toBe('取餐 1 新订单：1');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
  });

  it('loads nothing from other hosts', () => {
    expect(problems.externalRequests).toEqual([]);
  });

  it('throws no page errors', () => {
    expect(problems.pageErrors).toEqual([]);
  });
});
