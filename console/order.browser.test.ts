import type { Browser, BrowserContext, BrowserContextOptions, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningCloudburst } from '../server/app-server.js';
import { localDateAt } from '../server/orders/local-date.js';
import { instantToLocal } from '../server/time-zone.js';
import {
  adminBody,
  adminConsoleUrl,
  apiRequest,
  launchChromium,
  startConsoleServer,
  textOf,
  waitForText as waitForTextWithin,
  watchContext,
  type ConsoleServer,
  type PageProblems,
} from './browser-harness.js';

/**
 * The customer's order page against a real server, in Debian's Chromium on a phone-sized
 * screen. A phone inside a campaign's fence shares its location after consenting, gets
 * its offer pushed, orders with the code and pays with a sandbox card. The staff then move
 * the order through the admin API, and the page must show each status from the SDK's
 * push. Other phones open the links campaign messages carry, keep their cart over a
 * reload, cancel an unpaid order to change it and pay after a declined card. They also
 * order on without a code the server rejects, pick one of many trucks, and read the page
 * and its errors in Chinese. Nothing in the page may load from another host.
 */

const SCREENSHOT_PATH = '/tmp/order-page.png';
const BOARD_SCREENSHOT_PATH = '/tmp/order-page-board.png';
const TIME_ZONE = 'America/Los_Angeles';
const WAIT_MS = 20_000;
const SHARED_CODE = 'WRAP-7788';
const FREE_DRINK_CODE = 'FREE-2222';
/** The code of a campaign the admin ends while a phone has it in the cart. */
const ENDING_CODE = 'ENDS-3333';
/** The code of a street fair of seven trucks, two of them named Curry Up. */
const FAIR_CODE = 'FEST-4444';

const TACO_LOCO = { name: 'Taco Loco', lat: 37.7793, lon: -122.4193, timeZone: TIME_ZONE };
/** About 2.4 km from Taco Loco, far outside its fence. */
const DUMPLING_DASH = { name: 'Dumpling Dash', lat: 37.7946, lon: -122.3999, timeZone: TIME_ZONE };

const MENU = {
  currency: 'USD',
  items: [
    {
      id: 'taco',
      name: 'Carnitas taco',
      translations: { 'zh-CN': { name: '猪肉塔可' } },
      priceMinor: 450,
      available: true,
      soldOut: false,
      options: [
        {
          id: 'salsa',
          name: 'Salsa',
          min: 1,
          max: 1,
          choices: [
            { id: 'verde', name: 'Verde', priceDeltaMinor: 0 },
            { id: 'roja', name: 'Roja', priceDeltaMinor: 50 },
          ],
        },
      ],
    },
    { id: 'horchata', name: 'Horchata', translations: { 'zh-CN': { name: '墨西哥米浆' } }, priceMinor: 300, available: true, soldOut: false },
    { id: 'burrito', name: 'Burrito', priceMinor: 1100, available: true, soldOut: true },
  ],
  specials: [],
};

/** Returns a menu whose pork bun is the special of `localDate`, with 2 to sell. */
function specialMenu(localDate: string) {
  return {
    currency: 'USD',
    items: [{ id: 'pork-bun', name: 'Pork bun', priceMinor: 400, available: true, soldOut: false }],
    specials: [{ itemId: 'pork-bun', date: localDate, quantity: 2 }],
  };
}

/**
 * The street fair's trucks, about 3 km south-west of Taco Loco, so no phone of the other
 * tests comes near their fences. From the phone NEAR_GELATO_GO they are 350 m, 931 m,
 * 1105 m, 1274 m, 1575 m, 1621 m and 1936 m away, in this order.
 */
const FAIR_TRUCKS = [
  { name: 'Gelato Go', lat: 37.7609, lon: -122.435 },
  { name: 'Curry Up', lat: 37.75, lon: -122.439 },
  { name: 'Curry Up', lat: 37.766, lon: -122.442 },
  { name: 'Bao Bus', lat: 37.7685, lon: -122.43 },
  { name: 'Falafel Friends', lat: 37.75, lon: -122.42 },
  { name: 'Elote Express', lat: 37.77, lon: -122.445 },
  { name: 'Crepe Cart', lat: 37.745, lon: -122.45 },
].map((truck) => ({ ...truck, timeZone: TIME_ZONE }));

/** A phone about 350 m south of Gelato Go: 0.00315° of latitude is 350.3 m. */
const NEAR_GELATO_GO: BrowserContextOptions = {
  geolocation: { latitude: 37.7609 - 0.00315, longitude: -122.435, accuracy: 10 },
  permissions: ['geolocation'],
};

/** A phone held about 30 m north of Taco Loco, inside its 150 m fence. */
const NEAR_TACO_LOCO: BrowserContextOptions = {
  geolocation: { latitude: TACO_LOCO.lat + 0.0003, longitude: TACO_LOCO.lon, accuracy: 10 },
  permissions: ['geolocation'],
};

/** Waits as the harness's `waitForText` does, for this file's longer WAIT_MS. */
function waitForText(locator: Locator, expected: string | RegExp): Promise<void> {
  return waitForTextWithin(locator, expected, WAIT_MS);
}

/** Reads the order the page follows from its sessionStorage. */
async function followedOrderId(page: Page): Promise<string> {
  const session = await page.evaluate(() => sessionStorage.getItem('cloudburst.order.session'));
  return (JSON.parse(session ?? '{}') as { orderId: string }).orderId;
}

/** Adds a Carnitas taco with Roja salsa, the item whose salsa must be chosen first. */
async function addTacoRoja(page: Page): Promise<void> {
  const taco = page.locator('[data-item-id=taco]');
  await taco.getByTestId('choose-item').click();
  await taco.getByLabel('Roja').check();
  await taco.getByTestId('add-with-options').click();
}

async function payWithCard(page: Page, number: string): Promise<void> {
  await page.getByLabel('Card number').fill(number);
  await page.getByLabel('Expiry (MM/YY)').fill('12/34');
  await page.getByLabel('CVC').fill('123');
  await page.getByTestId('pay').click();
}

describe('order page in Chromium', () => {
  let consoleServer: ConsoleServer;
  let server: RunningCloudburst;
  let browser: Browser;
  let tacoLocoId: string;
  let dumplingDashId: string;
  let campaignId: string;
  const contexts: BrowserContext[] = [];
  const problems: PageProblems = { externalRequests: [], pageErrors: [] };
  /** Every request of every page, as "METHOD path". */
  const requests: string[] = [];

  /** Opens a new phone: its own context, so its own localStorage, sessionStorage and permissions. */
  async function openPhone(options: BrowserContextOptions = {}): Promise<Page> {
    const context = await browser.newContext({
      locale: 'en-US',
      timezoneId: TIME_ZONE,
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
      ...options,
    });
    contexts.push(context);
    watchContext(context, server.url, problems);
    const origin = new URL(server.url).origin;
    context.on('request', (request) => {
      const url = request.url();
      if (url.startsWith(origin)) requests.push(`${request.method()} ${new URL(url).pathname}`);
    });
    return context.newPage();
  }

  beforeAll(async () => {
    consoleServer = await startConsoleServer('order-page');
    server = consoleServer.server;

    tacoLocoId = (await adminBody(server, 'POST', '/trucks', TACO_LOCO)).truck.id;
    dumplingDashId = (await adminBody(server, 'POST', '/trucks', DUMPLING_DASH)).truck.id;
    await adminBody(server, 'PUT', `/trucks/${tacoLocoId}/menu`, MENU);
    await adminBody(server, 'PUT', `/trucks/${dumplingDashId}/menu`, MENU);
    const now = Date.now();
    const created = await adminBody(server, 'POST', '/campaigns', {
      name: 'Lunch burst',
      truckIds: [tacoLocoId, dumplingDashId],
      window: { start: instantToLocal(now - 60_000, TIME_ZONE), end: instantToLocal(now + 3_600_000, TIME_ZONE) },
      radiusM: 150,
      benefit: { kind: 'percent', value: 10 },
      segments: [{ source: 'point_of_sale', name: 'Window sign-ups', codeMode: 'shared', code: SHARED_CODE }],
    });
    campaignId = created.campaign.id;
    await adminBody(server, 'POST', '/campaigns', {
      name: 'Free drink',
      truckIds: [dumplingDashId],
      window: { start: instantToLocal(now - 60_000, TIME_ZONE), end: instantToLocal(now + 3_600_000, TIME_ZONE) },
      radiusM: 100,
      benefit: { kind: 'free_item', item: 'horchata' },
      segments: [{ source: 'point_of_sale', name: 'Window sign-ups', codeMode: 'shared', code: FREE_DRINK_CODE }],
    });

    browser = await launchChromium();
  });

  afterAll(async () => {
    for (const context of contexts) await context.close();
    await browser?.close();
    await consoleServer?.close();
  });

  describe('a phone near the truck', () => {
    let page: Page;
    let code: string;
    let pickupNumber: string;

    beforeAll(async () => {
      page = await openPhone(NEAR_TACO_LOCO);
    });

    it('asks before sharing the location', async () => {
      await page.goto(`${server.url}/order`);
      await page.getByTestId('location-step').waitFor({ timeout: WAIT_MS });

      expect(await page.getByTestId('location-step').getAttribute('data-state')).toBe('unasked');
      expect(await textOf(page.locator('h1'))).toBe('Order ahead');
      expect(await page.title()).toBe('Order ahead');
      expect(requests.filter((request) => request === 'POST /v1/devices')).toEqual([]);
    });

    it('shows the pushed offer after consent', async () => {
      await page.getByTestId('share-location').click();
      await page.getByTestId('offer').waitFor({ timeout: WAIT_MS });

      const offers = (await adminBody(server, 'GET', `/campaigns/${campaignId}/offers`)).offers as Array<{ code: string; validUntil: string }>;
      expect(offers).toHaveLength(1);
      code = offers[0]!.code;
      expect(requests.filter((request) => request === 'POST /v1/devices')).toHaveLength(1);
      expect(await textOf(page.getByTestId('offer-code'))).toBe(code);
      expect(await textOf(page.getByTestId('offer-benefit'))).toBe('10% off');
      expect(await textOf(page.getByTestId('offer-trucks'))).toBe('Taco Loco');
      const validUntil = new Intl.DateTimeFormat('en-US', { year: 'numeric', month: 'short', day: 'numeric', hour: 'numeric', minute: '2-digit', timeZoneName: 'short', timeZone: TIME_ZONE }).format(
        new Date(offers[0]!.validUntil),
      );
      expect(await textOf(page.getByTestId('offer-valid-until'))).toBe(validUntil.replace(/\s+/g, ' '));
      expect(await page.getByTestId('location-step').getAttribute('data-state')).toBe('sharing');
      expect(await page.getByLabel('Discount code').inputValue()).toBe(code);
    });

    it('opens the pushed truck without a choice', async () => {
      await waitForText(page.locator('#menu-title'), 'Menu of Taco Loco');
      expect(await page.getByTestId('truck-choice').count()).toBe(0);
      expect(await textOf(page.getByTestId('cart-code'))).toBe(`Code ${code} Remove code`);
    });

    it('shows the truck menu with sold-out items', async () => {
      await waitForText(page.locator('#menu-title'), 'Menu of Taco Loco');
      expect(await page.getByTestId('menu-item').count()).toBe(3);
      expect(await textOf(page.locator('[data-item-id=burrito] [data-testid=sold-out]'))).toBe('Sold out');
      expect(await page.locator('[data-item-id=burrito] button').count()).toBe(0);
    });

    it('adds items with choices and previews the discount', async () => {
      const taco = page.locator('[data-item-id=taco]');
      for (let round = 0; round < 2; round += 1) {
        await taco.getByTestId('choose-item').click();
        await expect.poll(() => taco.getByTestId('add-with-options').isDisabled()).toBe(true);
        await taco.getByLabel('Roja').check();
        await taco.getByTestId('add-with-options').click();
      }
      await page.locator('[data-item-id=horchata]').getByTestId('add-item').click();

      expect(await page.getByTestId('cart-line').count()).toBe(2);
      expect(await page.getByTestId('cart-quantity').allTextContents()).toEqual(['2', '1']);
      expect(await textOf(page.getByTestId('cart-subtotal'))).toBe('$13.00');
      expect(await textOf(page.getByTestId('cart-discount'))).toBe('-$1.30');
      expect(await textOf(page.getByTestId('cart-total'))).toBe('$11.70');
    });

    it('places the order and asks for payment', async () => {
      expect(await page.getByTestId('sms-updates').isChecked()).toBe(false);
      expect(await page.getByTestId('sms-updates').isDisabled()).toBe(true);
      await page.getByLabel('Name').fill('Ana');
      await page.locator('#customer-phone').fill('+14155550142');
      await page.getByTestId('sms-updates').check();
      await page.getByTestId('place-order').click();

      await page.getByTestId('payment').waitFor({ timeout: WAIT_MS });
      await waitForText(page.getByTestId('status-text'), 'Waiting for payment.');
      expect(await textOf(page.getByTestId('order-total'))).toBe('$11.70');
      const order = (await adminBody(server, 'GET', `/orders/${await followedOrderId(page)}`)).order;
      expect(order).toMatchObject({ status: 'placed', code, totalMinor: 1170, customer: { name: 'Ana', phone: '+14155550142', smsUpdates: true } });
      expect(order.customer.deviceId).toEqual(expect.any(String));
    });

    it('pays with a card and shows the pickup number', async () => {
      await payWithCard(page, '4242 4242 4242 4242');

      await waitForText(page.getByTestId('status-text'), /^Order \d{3} is paid\. The truck will start on it soon\.$/);
      pickupNumber = await textOf(page.getByTestId('pickup-number'));
      const order = (await adminBody(server, 'GET', `/orders/${await followedOrderId(page)}`)).order;
      expect(order.status).toBe('paid');
      expect(pickupNumber).toBe(order.pickupNumber);
      expect(await page.getByTestId('payment').count()).toBe(0);
      expect(await textOf(page.locator('#status-title'))).toBe('Your order at Taco Loco');
    });

    it('follows the staff on the pickup board until ready', async () => {
      const orderId = await followedOrderId(page);
      const reads = () => requests.filter((request) => request === `GET /v1/orders/${orderId}`).length;
      const readsBefore = reads();

      // The staff's console at the pickup window: a desktop browser with the admin token.
      const staffContext = await browser.newContext({ locale: 'en-US', timezoneId: TIME_ZONE, viewport: { width: 1280, height: 800 } });
      contexts.push(staffContext);
      const board = await staffContext.newPage();
      board.on('pageerror', (error) => problems.pageErrors.push(error.message));
      await board.goto(adminConsoleUrl(server));
      await board.getByTestId('nav-pickup').click();
      const picker = board.getByTestId('pickup-truck');
      await expect.poll(() => picker.locator(`option[value="${tacoLocoId}"]`).count(), { timeout: 20_000 }).toBe(1);
      await picker.selectOption(tacoLocoId);
      const card = board.locator(`[data-testid=pickup-card][data-order-id="${orderId}"]`);
      await card.waitFor({ timeout: 20_000 });
      expect(await textOf(card.getByTestId('pickup-number'))).toBe(pickupNumber);

      await card.getByTestId('pickup-move-preparing').click();
      await waitForText(page.getByTestId('status-text'), `Order ${pickupNumber} is being prepared.`);
      await card.getByTestId('pickup-move-ready').click();
      await waitForText(page.getByTestId('status-text'), `Order ${pickupNumber} is ready at the pickup window`);

      expect(await page.getByTestId('order-status').getAttribute('data-status')).toBe('ready');
      expect(await page.getByTestId('status-text').getAttribute('aria-live')).toBe('polite');
      expect(await card.getAttribute('data-status')).toBe('ready');
      // The updates came over the device's WebSocket: the page did not poll.
      expect(reads()).toBe(readsBefore);
      // The phone showed the ready update, so the text the customer asked for is not needed.
      await expect.poll(async () => (await adminBody(server, 'GET', `/orders/${orderId}`)).readyText?.status, { timeout: 20_000 }).toBe('not_needed');
      await page.screenshot({ path: SCREENSHOT_PATH, fullPage: true });
      await board.screenshot({ path: BOARD_SCREENSHOT_PATH, fullPage: true });
    });

    it('keeps the status view after a reload', async () => {
      await page.reload();
      await waitForText(page.getByTestId('status-text'), `Order ${pickupNumber} is ready at the pickup window`);
      expect(await textOf(page.getByTestId('pickup-number'))).toBe(pickupNumber);
      expect(await textOf(page.locator('#status-title'))).toBe('Your order at Taco Loco');
    });
  });

  describe('a phone opening a truck link', () => {
    let page: Page;

    beforeAll(async () => {
      page = await openPhone();
    });

    it('opens the menu without a code', async () => {
      await page.goto(`${server.url}/order?truck=${tacoLocoId}`);
      await waitForText(page.locator('#menu-title'), 'Menu of Taco Loco');
      expect(await page.getByTestId('offer').count()).toBe(0);
      expect(await page.getByTestId('location-step').getAttribute('data-state')).toBe('unasked');
    });

    it('keeps working when the location is refused', async () => {
      await page.getByTestId('share-location').click();
      await expect.poll(() => page.getByTestId('location-step').getAttribute('data-state'), { timeout: WAIT_MS }).toBe('declined');
      expect(await textOf(page.locator('[data-testid=location-step] [role=status]'))).toBe('Location is off. You can still enter a code or open a link from a message.');
      expect(await page.getByTestId('menu-item').count()).toBe(3);
    });

    it('keeps the cart over a reload without sold-out items', async () => {
      await page.locator('[data-item-id=horchata]').getByTestId('add-item').click();
      await addTacoRoja(page);
      await waitForText(page.getByTestId('cart-total'), '$8.00');

      const soldOutTaco = { ...MENU, items: MENU.items.map((item) => (item.id === 'taco' ? { ...item, soldOut: true } : item)) };
      await adminBody(server, 'PUT', `/trucks/${tacoLocoId}/menu`, soldOutTaco);
      try {
        await page.reload();
        await waitForText(page.getByTestId('cart-removed'), 'No longer available, so removed from your order: Carnitas taco.');
        expect(await page.getByTestId('cart-line').count()).toBe(1);
        expect(await textOf(page.getByTestId('cart-line'))).toContain('Horchata');
        expect(await textOf(page.getByTestId('cart-total'))).toBe('$3.00');
      } finally {
        await adminBody(server, 'PUT', `/trucks/${tacoLocoId}/menu`, MENU);
      }
    });

    it('checks the details in the page', async () => {
      const placements = () => requests.filter((request) => request === 'POST /v1/orders').length;
      const before = placements();
      expect(await page.getByTestId('checkout').getAttribute('novalidate')).not.toBeNull();
      await page.locator('#customer-phone').fill('4155550142');
      await page.getByLabel('Email').fill('ana@');
      await page.getByTestId('place-order').click();

      await waitForText(page.locator('#customer-phone-error'), 'Start the number with + and the country code, such as +1 415 555 2671.');
      expect(await textOf(page.locator('#customer-email-error'))).toBe('Check the email address, such as name@example.com.');
      expect(await page.getByLabel('Email').getAttribute('aria-invalid')).toBe('true');
      expect(placements()).toBe(before);

      // Each error goes as soon as its field is edited, and the others stay.
      await page.locator('#customer-phone').fill('+14155550142');
      await waitForText(page.locator('#customer-phone-error'), '');
      expect(await page.locator('#customer-phone').getAttribute('aria-invalid')).toBeNull();
      expect(await textOf(page.locator('#customer-email-error'))).toBe('Check the email address, such as name@example.com.');
      await page.getByLabel('Email').fill('');
      await waitForText(page.locator('#customer-email-error'), '');
      await page.locator('#customer-phone').fill('');
    });

    it('checks a mistyped card before sending it', async () => {
      await waitForText(page.getByTestId('cart-total'), '$3.00');
      await page.getByTestId('place-order').click();
      await page.getByTestId('payment').waitFor({ timeout: WAIT_MS });
      const tokenRequests = () => requests.filter((request) => request === 'POST /v1/payments/sandbox/tokens').length;
      const before = tokenRequests();

      await payWithCard(page, '4242 4242 4242 4241');

      await waitForText(page.locator('#card-number-error'), 'Check the card number.');
      expect(await page.getByLabel('Card number').getAttribute('aria-invalid')).toBe('true');
      expect(tokenRequests()).toBe(before);
    });

    it('says where the CVC is on the card', async () => {
      const tokenRequests = () => requests.filter((request) => request === 'POST /v1/payments/sandbox/tokens').length;
      const before = tokenRequests();
      await page.getByLabel('Card number').fill('4242 4242 4242 4242');
      await waitForText(page.getByTestId('cvc-hint'), '3 digits on the back of the card.');

      await page.getByLabel('Card number').fill('3782 822463 10005');
      await waitForText(page.getByTestId('cvc-hint'), 'American Express: 4 digits on the front of the card.');
      await page.getByLabel('Expiry (MM/YY)').fill('12/34');
      await page.getByLabel('CVC').fill('123');
      await page.getByTestId('pay').click();
      await waitForText(page.locator('#card-cvc-error'), 'Enter the 4 digits on the front of your American Express card.');
      expect(tokenRequests()).toBe(before);
    });

    it('cancels an unpaid order to change it', async () => {
      const firstOrderId = await followedOrderId(page);
      expect(await page.evaluate(() => sessionStorage.getItem('cloudburst.order.cart'))).toBeNull();
      await page.getByTestId('change-order').click();

      await waitForText(page.locator('#menu-title'), 'Menu of Taco Loco');
      await waitForText(page.getByTestId('cart-total'), '$3.00');
      expect(await page.getByTestId('cart-quantity').allTextContents()).toEqual(['1']);
      expect(await page.evaluate(() => sessionStorage.getItem('cloudburst.order.session'))).toBeNull();
      expect(await page.getByTestId('cart-removed').count()).toBe(0);

      // The same cart again is a new order: the first one's key is not reused.
      await page.getByTestId('place-order').click();
      await page.getByTestId('payment').waitFor({ timeout: WAIT_MS });
      const secondOrderId = await followedOrderId(page);
      expect(secondOrderId).not.toBe(firstOrderId);
      expect(requests.filter((request) => request === `POST /v1/orders/${firstOrderId}/cancel`)).toHaveLength(1);
      expect((await adminBody(server, 'GET', `/orders/${firstOrderId}`)).order.status).toBe('cancelled');
      expect((await adminBody(server, 'GET', `/orders/${secondOrderId}`)).order).toMatchObject({ status: 'placed', totalMinor: 300 });
    });

    it('asks for the card again when its token is unknown', async () => {
      // A server restart loses the sandbox's tokens: the payment names a token the server no longer holds.
      await page.route('**/v1/orders/*/payments', (route) => route.continue({ postData: JSON.stringify({ paymentMethod: 'pm_sandbox_000000000000000000000000' }) }));
      try {
        await payWithCard(page, '4242 4242 4242 4242');
        await waitForText(page.getByTestId('payment-notice'), 'The card details have expired. Enter the card again.');
      } finally {
        await page.unroute('**/v1/orders/*/payments');
      }
      expect(await page.getByTestId('payment').getAttribute('data-step')).toBe('card');
      expect(await page.getByTestId('message-detail').count()).toBe(0);
      expect((await adminBody(server, 'GET', `/orders/${await followedOrderId(page)}`)).order.status).toBe('placed');
    });

    it('keeps the order after a declined card', async () => {
      await payWithCard(page, '4000 0000 0000 0002');

      await waitForText(page.getByTestId('payment-notice'), 'Your card was declined. Your order is kept, so try another card.');
      expect(await page.getByLabel('Card number').inputValue()).toBe('');
      expect(await page.getByLabel('CVC').inputValue()).toBe('');
      expect(await textOf(page.getByTestId('status-text'))).toBe('Waiting for payment.');
      expect((await adminBody(server, 'GET', `/orders/${await followedOrderId(page)}`)).order.status).toBe('placed');
    });

    it('pays with a second card', async () => {
      await payWithCard(page, '4242 4242 4242 4242');
      await waitForText(page.getByTestId('status-text'), /^Order \d{3} is paid\. The truck will start on it soon\.$/);
      expect(await textOf(page.getByTestId('order-total'))).toBe('$3.00');
      expect(await textOf(page.locator('#status-title'))).toBe('Your order at Taco Loco');
      expect(await page.evaluate(() => sessionStorage.getItem('cloudburst.order.cart'))).toBeNull();
    });
  });

  describe('a phone opening a code link', () => {
    let page: Page;

    beforeAll(async () => {
      page = await openPhone();
    });

    it('prefills the code and lists its trucks', async () => {
      await page.goto(`${server.url}/order?code=${SHARED_CODE.toLowerCase()}`);
      await waitForText(page.getByTestId('offer-code'), SHARED_CODE);

      expect(await page.getByLabel('Discount code').inputValue()).toBe(SHARED_CODE);
      expect(await textOf(page.getByTestId('offer-trucks'))).toBe('Dumpling Dash, Taco Loco');
      expect(await textOf(page.getByTestId('offer-benefit'))).toBe('10% off');
      expect(await page.getByTestId('truck-choice').getByRole('radio').count()).toBe(2);
      expect(await page.getByTestId('menu').count()).toBe(0);
    });

    it('opens the menu of the chosen truck', async () => {
      await page.getByTestId('truck-choice').getByLabel('Dumpling Dash').check();
      await waitForText(page.locator('#menu-title'), 'Menu of Dumpling Dash');
      await page.locator('[data-item-id=horchata]').getByTestId('add-item').click();
      await waitForText(page.getByTestId('cart-discount'), '-$0.30');
      expect(await textOf(page.getByTestId('cart-total'))).toBe('$2.70');
    });

    it('removes the code and applies it again', async () => {
      expect(await textOf(page.getByTestId('cart-code'))).toBe(`Code ${SHARED_CODE} Remove code`);
      await page.getByTestId('remove-code').click();

      await waitForText(page.getByTestId('cart-total'), '$3.00');
      expect(await page.getByTestId('cart-discount').count()).toBe(0);
      expect(await textOf(page.getByTestId('code-removed'))).toBe(`Code ${SHARED_CODE} was removed from your order. You can place the order without it.`);
      expect(await page.getByTestId('code-removed').getAttribute('role')).toBe('status');

      await page.getByRole('button', { name: 'Apply' }).click();
      await waitForText(page.getByTestId('cart-discount'), '-$0.30');
      expect(await textOf(page.getByTestId('cart-total'))).toBe('$2.70');
      expect(await page.getByTestId('code-removed').count()).toBe(0);
    });

    it('names an unknown code', async () => {
      await page.getByLabel('Discount code').fill('ZZZZ-9999');
      await page.getByRole('button', { name: 'Apply' }).click();
      await waitForText(page.locator('#order-code-error'), 'Code ZZZZ-9999 was not found. Check it as written in your message.');
      expect(await page.getByLabel('Discount code').getAttribute('aria-invalid')).toBe('true');
    });

    it('pays after the sandbox authentication', async () => {
      await page.getByTestId('place-order').click();
      await page.getByTestId('payment').waitFor({ timeout: WAIT_MS });
      expect(await textOf(page.getByTestId('order-total'))).toBe('$2.70');

      await payWithCard(page, '4000 0025 0000 3155');
      await page.getByTestId('authenticate').waitFor({ timeout: WAIT_MS });
      expect(await page.evaluate(() => document.activeElement?.id)).toBe('authenticate-title');
      await page.getByTestId('authenticate-confirm').click();

      await waitForText(page.getByTestId('status-text'), /^Order \d{3} is paid\. The truck will start on it soon\.$/);
      expect((await adminBody(server, 'GET', `/orders/${await followedOrderId(page)}`)).order).toMatchObject({ status: 'paid', code: SHARED_CODE, totalMinor: 270 });
    });
  });

  describe('a phone the server forgot', () => {
    it('registers again and places the order', async () => {
      const page = await openPhone();
      await page.goto(`${server.url}/order?truck=${dumplingDashId}`);
      // A token from before the server's data was reset.
      await page.evaluate(() => localStorage.setItem('cloudburst.order.device', JSON.stringify({ token: 'forgotten-token-0123456789abcdef', deviceId: '00000000-0000-4000-8000-000000000000', lastSeq: 0 })));
      await page.reload();
      await waitForText(page.locator('#menu-title'), 'Menu of Dumpling Dash');
      await page.locator('[data-item-id=horchata]').getByTestId('add-item').click();
      await page.getByTestId('place-order').click();

      await page.getByTestId('payment').waitFor({ timeout: WAIT_MS });
      const order = (await adminBody(server, 'GET', `/orders/${await followedOrderId(page)}`)).order;
      expect(order.customer.deviceId).toEqual(expect.any(String));
      expect(order.customer.deviceId).not.toBe('00000000-0000-4000-8000-000000000000');
      const stored = JSON.parse((await page.evaluate(() => localStorage.getItem('cloudburst.order.device'))) ?? '{}');
      expect(stored.token).not.toBe('forgotten-token-0123456789abcdef');
    });
  });

  describe('a phone with a free-item code', () => {
    let page: Page;

    beforeAll(async () => {
      page = await openPhone();
    });

    it('settles a free order without a card', async () => {
      await page.goto(`${server.url}/order?code=${FREE_DRINK_CODE}`);
      await waitForText(page.locator('#menu-title'), 'Menu of Dumpling Dash');
      expect(await textOf(page.getByTestId('offer-benefit'))).toBe('A free horchata');
      await page.locator('[data-item-id=horchata]').getByTestId('add-item').click();
      await waitForText(page.getByTestId('cart-total'), '$0.00');
      const tokenRequests = () => requests.filter((request) => request === 'POST /v1/payments/sandbox/tokens').length;
      const before = tokenRequests();
      await page.getByTestId('place-order').click();

      await waitForText(page.getByTestId('status-text'), /^Order \d{3} is paid\. The truck will start on it soon\.$/);
      expect(await textOf(page.getByTestId('order-total'))).toBe('$0.00');
      expect(tokenRequests()).toBe(before);
      expect((await adminBody(server, 'GET', `/orders/${await followedOrderId(page)}`)).order).toMatchObject({ status: 'paid', totalMinor: 0, code: FREE_DRINK_CODE });
    });

    it('starts a new order without the redeemed code', async () => {
      const orderId = await followedOrderId(page);
      await adminBody(server, 'POST', `/orders/${orderId}/status`, { status: 'ready' });
      await adminBody(server, 'POST', `/orders/${orderId}/status`, { status: 'picked_up' });
      await page.getByTestId('new-order').click({ timeout: WAIT_MS });

      await waitForText(page.locator('#menu-title'), 'Menu of Dumpling Dash');
      await waitForText(page.getByTestId('code-removed'), `This code was already used. Code ${FREE_DRINK_CODE} was removed from your order. You can place the order without it.`);
      await page.locator('[data-item-id=horchata]').getByTestId('add-item').click();
      await waitForText(page.getByTestId('cart-total'), '$3.00');
      expect(await page.getByTestId('cart-code').count()).toBe(0);
    });
  });

  describe('a phone changing an order of specials', () => {
    let page: Page;
    let truckId: string;

    beforeAll(async () => {
      truckId = (await adminBody(server, 'POST', '/trucks', { name: 'Bun Box', lat: 37.7300, lon: -122.4600, timeZone: TIME_ZONE })).truck.id;
      await adminBody(server, 'PUT', `/trucks/${truckId}/menu`, specialMenu(localDateAt(Date.now(), TIME_ZONE)));
      page = await openPhone();
    });

    it('gives the specials back when the order changes', async () => {
      await page.goto(`${server.url}/order?truck=${truckId}`);
      const bun = page.locator('[data-item-id=pork-bun]');
      await waitForText(bun.locator('.special'), "Today's special: 2 left");
      await bun.getByTestId('add-item').click();
      await bun.getByTestId('add-item').click();
      await waitForText(page.getByTestId('cart-total'), '$8.00');
      await page.getByTestId('place-order').click();
      await page.getByTestId('payment').waitFor({ timeout: WAIT_MS });
      const firstOrderId = await followedOrderId(page);

      await page.getByTestId('change-order').click();

      await waitForText(bun.locator('.special'), "Today's special: 2 left");
      expect(await bun.getByTestId('sold-out').count()).toBe(0);
      expect(await page.getByTestId('cart-quantity').allTextContents()).toEqual(['2']);
      expect(await textOf(page.getByTestId('cart-total'))).toBe('$8.00');
      expect((await adminBody(server, 'GET', `/orders/${firstOrderId}`)).order.status).toBe('cancelled');
    });

    it('shows the status of an order paid meanwhile', async () => {
      await page.getByTestId('place-order').click();
      await page.getByTestId('payment').waitFor({ timeout: WAIT_MS });
      const session = JSON.parse((await page.evaluate(() => sessionStorage.getItem('cloudburst.order.session'))) ?? '{}') as { orderId: string; orderToken: string };

      // Another tab of the customer pays the order just before this page's cancel arrives.
      let paymentStatus = 0;
      await page.route('**/v1/orders/*/cancel', async (route) => {
        const card = await apiRequest(server, 'POST', '/v1/payments/sandbox/tokens', { number: '4242424242424242', expMonth: 12, expYear: 2034, cvc: '123' });
        const auth = { authorization: `Bearer ${session.orderToken}`, 'idempotency-key': crypto.randomUUID() };
        paymentStatus = (await apiRequest(server, 'POST', `/v1/orders/${session.orderId}/payments`, { paymentMethod: card.body.token }, auth)).status;
        await route.continue();
      });
      try {
        await page.getByTestId('change-order').click();
        await waitForText(page.getByTestId('status-notice'), 'This order is no longer waiting for payment, so it cannot be changed.');
      } finally {
        await page.unroute('**/v1/orders/*/cancel');
      }
      expect(paymentStatus).toBe(201);
      expect(await textOf(page.getByTestId('status-text'))).toMatch(/^Order \d{3} is paid\. The truck will start on it soon\.$/);
      expect(await page.getByTestId('menu').count()).toBe(0);
      expect(await followedOrderId(page)).toBe(session.orderId);
      expect((await adminBody(server, 'GET', `/orders/${session.orderId}`)).order.status).toBe('paid');
    });
  });

  describe('a phone whose code ends before it orders', () => {
    let page: Page;
    let endingCampaignId: string;

    beforeAll(async () => {
      const now = Date.now();
      endingCampaignId = (
        await adminBody(server, 'POST', '/campaigns', {
          name: 'Last call',
          truckIds: [dumplingDashId],
          window: { start: instantToLocal(now - 60_000, TIME_ZONE), end: instantToLocal(now + 3_600_000, TIME_ZONE) },
          radiusM: 100,
          benefit: { kind: 'percent', value: 20 },
          segments: [{ source: 'point_of_sale', name: 'Window sign-ups', codeMode: 'shared', code: ENDING_CODE }],
        })
      ).campaign.id;
      page = await openPhone();
    });

    it('orders without the rejected code', async () => {
      await page.goto(`${server.url}/order?code=${ENDING_CODE}`);
      await waitForText(page.locator('#menu-title'), 'Menu of Dumpling Dash');
      await page.locator('[data-item-id=horchata]').getByTestId('add-item').click();
      await waitForText(page.getByTestId('cart-discount'), '-$0.60');
      await adminBody(server, 'POST', `/campaigns/${endingCampaignId}/status`, { status: 'ended' });

      await page.getByTestId('place-order').click();
      await waitForText(page.getByTestId('code-removed'), `The offer of this code has ended. Code ${ENDING_CODE} was removed from your order. You can place the order without it.`);
      expect(await page.getByTestId('code-removed').getAttribute('role')).toBe('alert');
      expect(await textOf(page.getByTestId('cart-total'))).toBe('$3.00');
      expect(await textOf(page.locator('#checkout-code-error'))).toBe('');

      await page.getByTestId('place-order').click();
      await page.getByTestId('payment').waitFor({ timeout: WAIT_MS });
      expect((await adminBody(server, 'GET', `/orders/${await followedOrderId(page)}`)).order).toMatchObject({ status: 'placed', code: null, totalMinor: 300 });
    });
  });

  describe('a phone opening a code link of many trucks', () => {
    beforeAll(async () => {
      const truckIds: string[] = [];
      for (const truck of FAIR_TRUCKS) truckIds.push((await adminBody(server, 'POST', '/trucks', truck)).truck.id);
      const now = Date.now();
      await adminBody(server, 'POST', '/campaigns', {
        name: 'Street fair',
        truckIds,
        window: { start: instantToLocal(now - 60_000, TIME_ZONE), end: instantToLocal(now + 3_600_000, TIME_ZONE) },
        radiusM: 100,
        benefit: { kind: 'percent', value: 5 },
        segments: [{ source: 'point_of_sale', name: 'Fair flyers', codeMode: 'shared', code: FAIR_CODE }],
      });
    });

    it('lists five by name and tells same names apart', async () => {
      const page = await openPhone();
      await page.goto(`${server.url}/order?code=${FAIR_CODE}`);
      const options = page.getByTestId('truck-choice').getByTestId('truck-option');
      await expect.poll(() => options.count(), { timeout: WAIT_MS }).toBe(5);

      expect(await textOf(page.getByTestId('offer-trucks'))).toBe('7 trucks');
      expect(await Promise.all((await options.all()).map(textOf))).toEqual(['Bao Bus', 'Crepe Cart', 'Curry Up #1', 'Curry Up #2', 'Elote Express']);
      expect(await page.getByTestId('truck-distance').count()).toBe(0);
      await page.getByTestId('trucks-toggle').click();
      await expect.poll(() => options.count()).toBe(7);
      expect(await textOf(page.getByTestId('trucks-toggle'))).toBe('Show fewer trucks');
    });

    it('sorts by distance once the phone shares its location', async () => {
      const page = await openPhone(NEAR_GELATO_GO);
      await page.goto(`${server.url}/order?code=${FAIR_CODE}`);
      await expect.poll(() => page.getByTestId('truck-option').count(), { timeout: WAIT_MS }).toBe(5);
      expect(await textOf(page.getByTestId('trucks-toggle'))).toBe('Show all 7 trucks');
      await page.getByTestId('share-location').click();

      await waitForText(page.getByTestId('truck-option').first(), 'Gelato Go 350 m');
      const labels = await Promise.all((await page.getByTestId('truck-option').all()).map(textOf));
      expect(labels.map((label) => label.replace(/ [\d.]+ k?m$/, ''))).toEqual(['Gelato Go', 'Curry Up', 'Curry Up', 'Bao Bus', 'Falafel Friends']);
      expect(await page.getByTestId('truck-ordinal').count()).toBe(0);
    });
  });

  describe('a phone in Chinese', () => {
    let page: Page;

    beforeAll(async () => {
      page = await openPhone({ locale: 'zh-CN' });
    });

    it('shows Chinese text', async () => {
      await page.goto(`${server.url}/order?truck=${tacoLocoId}`);
      await waitForText(page.locator('h1'), '提前点餐');

      expect(await textOf(page.locator('#location-title'))).toBe('附近的优惠');
      expect(await textOf(page.getByTestId('share-location'))).toBe('共享我的位置');
      await waitForText(page.locator('[data-item-id=horchata] h3'), '墨西哥米浆');
      expect(await textOf(page.locator('#menu-title'))).toBe('Taco Loco 的菜单');
      expect(await textOf(page.locator('[data-item-id=burrito] [data-testid=sold-out]'))).toBe('已售罄');
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    });

    it('remembers a language switch', async () => {
      await page.getByTestId('order-language').selectOption('en');
      await waitForText(page.locator('h1'), 'Order ahead');
      await page.reload();
      await waitForText(page.locator('h1'), 'Order ahead');
      expect(await textOf(page.locator('[data-item-id=horchata] h3'))).toBe('Horchata');
    });
  });

  describe('a phone ordering in Chinese', () => {
    let page: Page;

    beforeAll(async () => {
      page = await openPhone({ locale: 'zh-CN' });
    });

    it('translates a phone number the server rejects', async () => {
      await page.goto(`${server.url}/order?truck=${tacoLocoId}`);
      await page.locator('[data-item-id=horchata]').getByTestId('add-item').click();
      // The page accepts its form; the server's full check finds no such number (area code 555).
      await page.locator('#customer-phone').fill('+1 555 010 0000');
      await page.getByTestId('place-order').click();

      await waitForText(page.locator('#customer-phone-error'), '这不是有效的手机号。请检查国家代码和号码。');
      expect(await page.getByTestId('message-detail').count()).toBe(0);
      await page.locator('#customer-phone').fill('+14155550142');
      await waitForText(page.locator('#customer-phone-error'), '');
    });

    it('translates a declined card', async () => {
      await page.getByTestId('place-order').click();
      await page.getByTestId('payment').waitFor({ timeout: WAIT_MS });
      expect(await textOf(page.locator('#status-title'))).toBe('您在 Taco Loco 的订单');

      await page.locator('#card-number').fill('4000 0000 0000 9995');
      await waitForText(page.getByTestId('cvc-hint'), '卡背面的 3 位数字。');
      await page.locator('#card-expiry').fill('12/34');
      await page.locator('#card-cvc').fill('123');
      await page.getByTestId('pay').click();
      await waitForText(page.getByTestId('payment-notice'), '您的卡余额不足，付款被拒绝。订单已保留，请换一张卡。');
      expect(await textOf(page.getByTestId('change-order'))).toBe('取消并修改订单');
    });
  });

  it('loads nothing from other hosts and throws no errors', () => {
    expect(problems.externalRequests).toEqual([]);
    expect(problems.pageErrors).toEqual([]);
  });
});
