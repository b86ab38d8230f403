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
import { localDateIn } from './src/lib/menu/local-date.js';

/**
 * The menu editor against a real server, in Debian's Chromium. A truck's first menu is
 * typed into the form and saved with one PUT. Problems show at their field, both the ones
 * the form finds and the field the server rejects. The sold-out toggle saves at once and
 * the public menu reports it. The preparation time is saved with its own button once the
 * menu exists. The browser runs in Shanghai time, so "today" for the specials must be the
 * truck's Los Angeles date.
 */

const SCREENSHOT_PATH = '/tmp/console-menu.png';
const TRUCK_TIME_ZONE = 'America/Los_Angeles';
const BROWSER_TIME_ZONE = 'Asia/Shanghai';

/** The menu the form types in, as the server must store it. */
function expectedMenu(today: string) {
  return {
    currency: 'USD',
    items: [
      {
        id: 'burger',
        name: 'Burger',
        description: 'Beef on brioche',
        translations: { 'zh-CN': { name: '汉堡' } },
        priceMinor: 1050,
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
        available: true,
        soldOut: false,
      },
      { id: 'taco', name: 'Taco', translations: { 'zh-CN': { name: '塔可' } }, priceMinor: 400, options: [], available: true, soldOut: false },
    ],
    specials: [{ itemId: 'taco', date: today, quantity: 30, priceMinor: 300 }],
  };
}

/** Reads the menu as saved. Throws naming the reply unless it is there. */
async function savedMenu(server: RunningCloudburst, truckId: string): Promise<any> {
  const reply = await adminRequest(server, 'GET', `/trucks/${truckId}/menu`);
  if (reply.status !== 200) throw new Error(`reading the menu failed with HTTP ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body.menu;
}

/** Reads the menu as the customer's phone shows it. */
async function publicMenu(server: RunningCloudburst, truckId: string): Promise<any> {
  const reply = await apiRequest(server, 'GET', `/v1/trucks/${truckId}/menu`);
  if (reply.status !== 200) throw new Error(`reading the public menu failed with HTTP ${reply.status}: ${JSON.stringify(reply.body)}`);
  return reply.body.menu;
}

describe('menu editor in Chromium', () => {
  let consoleServer: ConsoleServer;
  let server: RunningCloudburst;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let truckId: string;
  let today: string;
  /** PUTs of the menu the page sent. */
  let menuPuts = 0;
  /** Bodies of the sold-out PATCHes the page sent. */
  const menuPatches: unknown[] = [];
  /** Bodies of the PUTs, newest last. */
  const putBodies: any[] = [];
  /** Bodies of the preparation time PUTs, newest last. */
  const prepTimePuts: unknown[] = [];

  const item = (index: number) => page.locator(`[data-testid=menu-item][data-index="${index}"]`);
  const fieldError = (field: string) => page.locator(`[data-testid=menu-field-error][data-field="${field}"]`);
  const input = (field: string) => page.locator(`[data-field="${field}"]:is(input, textarea, select)`);
  const status = () => page.getByTestId('menu-status').getAttribute('data-status');

  beforeAll(async () => {
    consoleServer = await startConsoleServer('menu');
    server = consoleServer.server;
    truckId = (await adminBody(server, 'POST', '/trucks', { name: 'Taco Loco', lat: 37.7793, lon: -122.4193, timeZone: TRUCK_TIME_ZONE })).truck.id;
    today = localDateIn(TRUCK_TIME_ZONE);

    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'en-US', timezoneId: BROWSER_TIME_ZONE, viewport: { width: 1400, height: 900 } });
    problems = watchContext(context, server.url);
    context.on('request', (sent) => {
      const url = sent.url();
      if (sent.method() === 'PATCH' && new URL(url).pathname.startsWith(`/v1/admin/trucks/${truckId}/menu/items/`)) menuPatches.push(sent.postDataJSON());
      if (sent.method() === 'PUT' && new URL(url).pathname === `/v1/admin/trucks/${truckId}/prep-time`) prepTimePuts.push(sent.postDataJSON());
      if (sent.method() === 'PUT' && new URL(url).pathname === `/v1/admin/trucks/${truckId}/menu`) {
        menuPuts += 1;
        putBodies.push(sent.postDataJSON());
      }
    });
    page = await context.newPage();
    await page.goto(adminConsoleUrl(server));
    await page.getByTestId('nav-menu').waitFor({ timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await consoleServer?.close();
  });

  it('opens an empty menu for the truck', async () => {
    await page.getByTestId('nav-menu').click();
    await page.getByTestId('menu-no-truck').waitFor({ timeout: WAIT_MS });
    expect(new URL(page.url()).hash).toBe('#view=menu');
    expect(await page.getByTestId('nav-menu').getAttribute('aria-current')).toBe('page');

    const picker = page.getByTestId('menu-truck');
    await expect.poll(() => picker.locator(`option[value="${truckId}"]`).count(), { timeout: WAIT_MS }).toBe(1);
    await picker.selectOption(truckId);
    await expect.poll(status, { timeout: WAIT_MS }).toBe('none');
    expect(await textOf(page.getByTestId('menu-status'))).toBe('No menu saved yet');
    expect(await page.getByTestId('menu-currency').inputValue()).toBe('USD');
    expect(await page.getByTestId('menu-item').count()).toBe(0);
    expect(await page.getByTestId('menu-add-special').isDisabled()).toBe(true);
    expect(await page.evaluate(() => localStorage.getItem('cloudburst.menuTruck'))).toBe(truckId);
  });

  it('disables preparation time before a menu', async () => {
    const prep = page.getByTestId('menu-prep');
    expect(await textOf(prep.locator('legend'))).toBe('Preparation time');
    expect(await textOf(prep.locator('.hint'))).toBe('Save the menu once before setting the preparation time.');
    expect(await page.getByTestId('menu-prep-per-item').isDisabled()).toBe(true);
    expect(await page.getByTestId('menu-prep-per-order').isDisabled()).toBe(true);
    expect(await page.getByTestId('menu-prep-per-item').inputValue()).toBe('');
    expect(await page.getByTestId('menu-prep-save').isDisabled()).toBe(true);
  });

  it('marks unreadable fields before sending', async () => {
    await page.getByTestId('menu-add-item').click();
    await item(0).getByTestId('menu-item-price').fill('abc');
    expect(await status()).toBe('unsaved');
    await page.getByTestId('menu-save').click();

    await waitForText(fieldError('items.0.name'), 'Required.');
    expect(await textOf(fieldError('items.0.priceMinor'))).toBe('Type an amount such as 12.50.');
    expect(await input('items.0.priceMinor').getAttribute('aria-invalid')).toBe('true');
    expect(await textOf(page.getByTestId('menu-problems'))).toBe('The menu was not saved. Fix the marked fields.');
    expect(menuPuts).toBe(0);
    expect(await item(0).getByTestId('menu-item-price').inputValue()).toBe('abc');

    // Editing a field clears its problem and leaves the others.
    await item(0).getByTestId('menu-item-price').fill('10.505');
    expect(await fieldError('items.0.priceMinor').count()).toBe(0);
    expect(await fieldError('items.0.name').count()).toBe(1);
    await page.getByTestId('menu-save').click();
    await waitForText(fieldError('items.0.priceMinor'), 'USD amounts have at most 2 decimals.');
    expect(menuPuts).toBe(0);
  });

  it('saves items, options and a special', async () => {
    const burger = item(0);
    await burger.getByTestId('menu-item-name').fill('Burger');
    await burger.getByTestId('menu-item-name-zh').fill('汉堡');
    await burger.getByTestId('menu-item-description').fill('Beef on brioche');
    await burger.getByTestId('menu-item-price').fill('10.50');
    await burger.getByTestId('menu-add-group').click();
    const group = burger.getByTestId('menu-group');
    await group.getByTestId('menu-group-name').fill('Extras');
    await group.getByTestId('menu-group-min').fill('0');
    await group.getByTestId('menu-group-max').fill('2');
    await group.getByTestId('menu-add-choice').click();
    await group.getByTestId('menu-choice-name').nth(0).fill('Cheddar');
    await group.getByTestId('menu-choice-price').nth(0).fill('1.50');
    await group.getByTestId('menu-choice-name').nth(1).fill('Bacon');
    await group.getByTestId('menu-choice-price').nth(1).fill('2');

    await page.getByTestId('menu-add-item').click();
    await item(1).getByTestId('menu-item-name').fill('Taco');
    await item(1).getByTestId('menu-item-name-zh').fill('塔可');
    await item(1).getByTestId('menu-item-price').fill('4');

    await page.getByTestId('menu-add-special').click();
    const special = page.getByTestId('menu-special');
    expect(await special.getByTestId('menu-special-date').inputValue()).toBe(today);
    expect(await special.getByTestId('menu-special-date').getAttribute('min')).toBe(today);
    await special.getByTestId('menu-special-item').selectOption({ label: 'Taco' });
    await special.getByTestId('menu-special-quantity').fill('30');
    await special.getByTestId('menu-special-price').fill('3.00');

    await page.getByTestId('menu-save').click();
    await expect.poll(status, { timeout: WAIT_MS }).toBe('saved');
    expect(await textOf(page.getByTestId('menu-status'))).toMatch(/^All changes saved \(.+\)$/);
    expect(menuPuts).toBe(1);
    expect(await page.getByTestId('menu-problems').count()).toBe(0);
    expect(await page.getByTestId('menu-field-error').count()).toBe(0);
    expect(await savedMenu(server, truckId)).toEqual(expectedMenu(today));
    expect(await item(1).getAttribute('data-item-id')).toBe('taco');
  });

  it('sets the preparation time', async () => {
    // The first save stored the server's defaults: a minute per item and two per order.
    await expect.poll(() => page.getByTestId('menu-prep-per-item').inputValue(), { timeout: WAIT_MS }).toBe('1:00');
    expect(await page.getByTestId('menu-prep-per-order').inputValue()).toBe('2:00');
    expect(await page.getByTestId('menu-prep-per-item').isEnabled()).toBe(true);
    expect(await textOf(page.getByTestId('menu-prep').locator('.hint'))).toBe(
      'An order takes the time per order plus the time per item for each item, and starts after the orders ahead of it. A change sets the ready times of orders paid from now on.',
    );
    expect(await page.getByTestId('menu-prep-save').isDisabled()).toBe(true);

    await page.getByTestId('menu-prep-per-item').fill('1:30');
    await page.getByTestId('menu-prep-per-order').fill('45');
    expect(await page.getByTestId('menu-prep-status').getAttribute('data-status')).toBe('unsaved');
    // Enter saves the preparation time, not the menu.
    await page.getByTestId('menu-prep-per-order').press('Enter');

    await waitForText(page.getByTestId('menu-prep-status'), 'Saved');
    expect(prepTimePuts).toEqual([{ secondsPerItem: 90, secondsPerOrder: 45 }]);
    expect(menuPuts).toBe(1);
    expect(await page.getByTestId('menu-prep-per-order').inputValue()).toBe('0:45');
    expect(await status()).toBe('saved');
    const stored = await adminRequest(server, 'GET', `/trucks/${truckId}/menu`);
    expect(stored.body.prepTime).toEqual({ secondsPerItem: 90, secondsPerOrder: 45 });
  });

  it('shows the saved menu after reload', async () => {
    await page.reload();
    await page.getByTestId('menu-view').waitFor({ timeout: WAIT_MS });
    await expect.poll(status, { timeout: WAIT_MS }).toBe('saved');
    expect(await page.getByTestId('menu-truck').inputValue()).toBe(truckId);
    expect(await page.getByTestId('menu-item').count()).toBe(2);
    expect(await item(0).getByTestId('menu-item-name').inputValue()).toBe('Burger');
    expect(await item(0).getByTestId('menu-item-name-zh').inputValue()).toBe('汉堡');
    expect(await item(0).getByTestId('menu-item-description').inputValue()).toBe('Beef on brioche');
    expect(await item(0).getByTestId('menu-item-price').inputValue()).toBe('10.50');
    expect(await item(0).getByTestId('menu-group-max').inputValue()).toBe('2');
    expect(await item(0).getByTestId('menu-choice-name').evaluateAll((inputs) => inputs.map((one) => (one as HTMLInputElement).value))).toEqual([
      'Cheddar',
      'Bacon',
    ]);
    expect(await item(0).getByTestId('menu-choice-price').evaluateAll((inputs) => inputs.map((one) => (one as HTMLInputElement).value))).toEqual([
      '1.50',
      '2.00',
    ]);
    expect(await item(1).getByTestId('menu-item-price').inputValue()).toBe('4.00');
    const special = page.getByTestId('menu-special');
    expect(await special.count()).toBe(1);
    expect(await special.getByTestId('menu-special-quantity').inputValue()).toBe('30');
    expect(await special.getByTestId('menu-special-price').inputValue()).toBe('3.00');
    expect(await special.getByTestId('menu-special-date').inputValue()).toBe(today);
    expect(await page.getByTestId('menu-prep-per-item').inputValue()).toBe('1:30');
    expect(await page.getByTestId('menu-prep-per-order').inputValue()).toBe('0:45');
    expect(await page.getByTestId('menu-prep-status').getAttribute('data-status')).toBe('none');
  });

  it('shows a bad preparation time at the field', async () => {
    await page.getByTestId('menu-prep-per-item').fill('1:75');
    await page.getByTestId('menu-prep-per-order').fill('61:00');
    await page.getByTestId('menu-prep-save').click();
    await waitForText(fieldError('secondsPerItem'), 'Type minutes and seconds, such as 1:30, or seconds alone, such as 90.');
    expect(await textOf(fieldError('secondsPerOrder'))).toBe('At most 60:00.');
    expect(await input('secondsPerItem').getAttribute('aria-invalid')).toBe('true');
    expect(prepTimePuts).toHaveLength(1);

    // A rejection the form cannot foresee comes back from the server, at its field.
    await page.route(
      `**/v1/admin/trucks/${truckId}/prep-time`,
      (route) =>
        route.fulfill({
          status: 400,
          contentType: 'application/json',
          body: JSON.stringify({ error: { code: 'invalid_input', message: 'invalid secondsPerOrder: 50 (expected at most 40)', field: 'secondsPerOrder', value: 50 } }),
        }),
      { times: 1 },
    );
    await page.getByTestId('menu-prep-per-item').fill('2:00');
    expect(await fieldError('secondsPerItem').count()).toBe(0);
    await page.getByTestId('menu-prep-per-order').fill('50');
    await page.getByTestId('menu-prep-save').click();
    await waitForText(fieldError('secondsPerOrder'), 'Rejected by the server: invalid secondsPerOrder: 50 (expected at most 40)');
    expect(await page.getByTestId('menu-prep-per-order').inputValue()).toBe('50');
    expect(await page.getByTestId('menu-prep-status').getAttribute('data-status')).toBe('unsaved');
    expect((await adminRequest(server, 'GET', `/trucks/${truckId}/menu`)).body.prepTime).toEqual({ secondsPerItem: 90, secondsPerOrder: 45 });

    // Typing the stored values back leaves nothing unsaved for the next tests.
    await page.getByTestId('menu-prep-per-item').fill('90');
    await page.getByTestId('menu-prep-per-order').fill('0:45');
    expect(await fieldError('secondsPerOrder').count()).toBe(0);
    expect(await page.getByTestId('menu-prep-status').getAttribute('data-status')).toBe('none');
    expect(await page.getByTestId('menu-prep-save').isDisabled()).toBe(true);
  });

  it('shows the specials sold today', async () => {
    const placed = await apiRequest(server, 'POST', '/v1/orders', { truckId, lines: [{ itemId: 'taco', quantity: 2 }], customer: { name: 'Ana' } }, {
      'Idempotency-Key': randomUUID(),
    });
    if (placed.status !== 201) throw new Error(`placing an order failed with HTTP ${placed.status}: ${JSON.stringify(placed.body)}`);

    // Opening the view again loads the menu and today's sales anew.
    await page.getByTestId('nav-map').click();
    await page.getByTestId('nav-menu').click();
    await waitForText(page.getByTestId('menu-special-sold'), 'Sold today: 2 of 30');
  });

  it('shows server rejections at the field', async () => {
    const max = item(0).getByTestId('menu-group-max');
    await max.fill('3');
    await item(1).getByTestId('menu-item-description').fill('Corn tortilla');
    await page.getByTestId('menu-save').click();

    await waitForText(fieldError('items.0.options.0.max'), 'Rejected by the server: invalid items.0.options.0.max: 3 (expected at most the number of choices (2))');
    expect(menuPuts).toBe(2);
    expect(await status()).toBe('unsaved');
    expect(await max.inputValue()).toBe('3');
    expect(await item(1).getByTestId('menu-item-description').inputValue()).toBe('Corn tortilla');
    expect((await savedMenu(server, truckId)).items[0].options[0].max).toBe(2);

    // Back to the saved value: the error goes with the edit.
    await max.fill('2');
    expect(await fieldError('items.0.options.0.max').count()).toBe(0);
  });

  it('asks before dropping unsaved edits', async () => {
    expect(await status()).toBe('unsaved');
    expect(await page.evaluate(() => !window.dispatchEvent(new Event('beforeunload', { cancelable: true })))).toBe(true);

    const kept = answerDialog(page, false);
    await page.getByTestId('menu-truck').selectOption('');
    expect(await kept).toBe('This menu has unsaved changes. Drop them?');
    expect(await page.getByTestId('menu-truck').inputValue()).toBe(truckId);
    expect(await item(1).getByTestId('menu-item-description').inputValue()).toBe('Corn tortilla');

    // A switch to another view keeps the edits.
    await page.getByTestId('nav-pickup').click();
    await page.getByTestId('nav-menu').click();
    expect(await item(1).getByTestId('menu-item-description').inputValue()).toBe('Corn tortilla');
    expect(await status()).toBe('unsaved');
  });

  it('saves a sold-out toggle at once', async () => {
    // Another editor raised the burger's price since this page loaded the menu.
    const elsewhere = await savedMenu(server, truckId);
    elsewhere.items[0].priceMinor += 100;
    expect((await adminRequest(server, 'PUT', `/trucks/${truckId}/menu`, elsewhere)).status).toBe(200);

    const toggle = item(1).getByTestId('menu-item-sold-out');
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('data-pending'), { timeout: WAIT_MS }).toBe('false');
    expect(await toggle.getAttribute('aria-checked')).toBe('true');
    expect(menuPuts).toBe(2);
    expect(menuPatches).toEqual([{ soldOut: true }]);

    const published = await publicMenu(server, truckId);
    expect(published.items.map((one: { id: string; soldOut: boolean }) => [one.id, one.soldOut])).toEqual([
      ['burger', false],
      ['taco', true],
    ]);
    // The unsaved description went nowhere, and the other editor's price stays.
    expect((await savedMenu(server, truckId)).items[1]).toEqual({ ...expectedMenu(today).items[1], soldOut: true });
    expect((await savedMenu(server, truckId)).items[0].priceMinor).toBe(elsewhere.items[0].priceMinor);
    expect(await status()).toBe('unsaved');

    // The toggle did not adopt the other editor's version, so a Save cannot undo their price.
    await page.getByTestId('menu-save').click();
    await page.getByTestId('menu-stale').waitFor({ timeout: WAIT_MS });
    expect((await savedMenu(server, truckId)).items[0].priceMinor).toBe(elsewhere.items[0].priceMinor);

    const dropped = answerDialog(page, true);
    await page.getByTestId('menu-discard').click();
    expect(await dropped).toBe('This menu has unsaved changes. Drop them?');
    await expect.poll(status, { timeout: WAIT_MS }).toBe('saved');
    expect(await item(1).getByTestId('menu-item-description').inputValue()).toBe('');
    expect(await item(1).getByTestId('menu-item-sold-out').getAttribute('aria-checked')).toBe('true');
  });

  it("refuses a save over another editor's save", async () => {
    const elsewhere = await savedMenu(server, truckId);
    elsewhere.items[1].priceMinor += 25;
    expect((await adminRequest(server, 'PUT', `/trucks/${truckId}/menu`, elsewhere)).status).toBe(200);

    await item(1).getByTestId('menu-item-description').fill('Two corn tortillas');
    await page.getByTestId('menu-save').click();
    await waitForText(
      page.getByTestId('menu-stale'),
      'The menu was not saved: someone else saved it after you opened it, and saving now would undo their changes. Reload the page to see their version, then make your changes again.',
    );
    expect(await status()).toBe('unsaved');
    expect(await savedMenu(server, truckId)).toEqual(elsewhere);

    const dropped = answerDialog(page, true);
    await page.getByTestId('menu-discard').click();
    await dropped;
    await page.reload();
    await page.getByTestId('nav-menu').click();
    await expect.poll(status, { timeout: WAIT_MS }).toBe('saved');
  });

  it('reverts a failed sold-out toggle', async () => {
    await page.route(`**/v1/admin/trucks/${truckId}/menu/items/*`, (route) =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify({ error: { code: 'unavailable', message: 'the store is busy, try again' } }) }), { times: 1 });
    const toggle = item(0).getByTestId('menu-item-sold-out');
    await toggle.click();

    await waitForText(item(0).getByTestId('menu-item-sold-out-error'), 'Could not save sold out: the store is busy, try again');
    expect(await toggle.getAttribute('aria-checked')).toBe('false');
    expect(await status()).toBe('saved');
    expect((await publicMenu(server, truckId)).items[0].soldOut).toBe(false);
  });

  it('switches the editor to zh-CN', async () => {
    await page.selectOption('[data-testid=language-switcher]', 'zh-CN');
    await waitForText(page.getByTestId('nav-menu'), '菜单');
    expect(await textOf(page.getByTestId('menu-save'))).toBe('保存菜单');
    expect(await textOf(page.getByTestId('menu-prep').locator('legend'))).toBe('制作时间');
    expect(await textOf(page.getByTestId('menu-prep-save'))).toBe('保存制作时间');
    expect(await textOf(page.getByTestId('menu-status'))).toMatch(/^所有更改已保存（.+）$/);
    expect(await textOf(page.getByTestId('menu-special-sold'))).toBe('今日已售：2 / 30');
    expect(await textOf(item(1).getByTestId('menu-item-sold-out'))).toBe('已售罄');
    expect(await textOf(item(0).locator('label').filter({ has: page.getByTestId('menu-item-name-zh') }).locator('.label'))).toBe('中文名称');
    expect(await textOf(item(0).getByTestId('menu-item-sold-out-error'))).toBe('无法保存售罄状态：the store is busy, try again');

    await item(1).getByTestId('menu-item-price').fill('4.5.0');
    await page.getByTestId('menu-save').click();
    await waitForText(fieldError('items.1.priceMinor'), '请输入金额，例如 12.50。');
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-CN');
    await page.screenshot({ path: SCREENSHOT_PATH, fullPage: true });
  });

  it('loads nothing from other hosts', () => {
    expect(problems.externalRequests).toEqual([]);
  });

  it('throws no page errors', () => {
    expect(problems.pageErrors).toEqual([]);
  });
});
