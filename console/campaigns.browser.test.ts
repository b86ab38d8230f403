import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Browser, Locator, Page, Request, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_VALUES } from '../messages/preview-values.js';
import { renderForChannel } from '../messages/render.js';
import type { RunningCloudburst } from '../server/app-server.js';
import { instantToLocal } from '../server/time-zone.js';
import { benefitText } from './src/lib/campaigns/benefit-text.js';
import { emptyDraft } from './src/lib/campaigns/draft.js';
import {
  adminBody,
  adminConsoleUrl,
  adminRequest,
  launchChromium,
  startConsoleServer,
  textOf,
  WAIT_MS,
  waitForText,
  watchContext,
  type ConsoleServer,
  type PageProblems,
} from './browser-harness.js';

/**
 * The campaign workflow of the console against a real server, in Debian's Chromium. A
 * campaign is written in the editor and a contact list is imported into one of its
 * segments. Once the campaign is scheduled, its SMS lands in the outbox, because no
 * Twilio account is configured. Nothing in the page may load from another host.
 */

const SCREENSHOT_PATH = '/tmp/console-campaigns.png';
const TIME_ZONE = 'America/Los_Angeles';
/** Named unlike the sample truck, so the preview shows which of the two it renders. */
const TRUCK = { name: 'Dumpling Dash', lat: 37.7793, lon: -122.4193, timeZone: TIME_ZONE };
/** The campaign keeps the editor's default benefit, 10 percent off, whose text the server fills in on save. */
const BENEFIT_TEXT = '10% off';
/** What the editor previews with: the campaign's own truck and benefit, and sample values for the rest. */
const CAMPAIGN_VALUES = { ...SAMPLE_VALUES, truck: TRUCK.name, benefit: BENEFIT_TEXT };

/** An emoji makes the SMS UCS-2, and at 100 UCS-2 units with the campaign's values it takes 2 parts of 67. */
const SMS_TEMPLATE = 'Hi {{firstName|there}} 🌮 {{benefit}} at {{truck}} today. Show code {{code}} at the window. Reply STOP to opt out.';
const X_POST_TEMPLATE =
  'Lunch rush at Taco Loco! ' + 'Fresh tacos, warm tortillas, bright salsa and cold horchata all afternoon. '.repeat(4) + 'Find {{truck}} downtown.';
/**
 * A post that fits in 280 with a one-character truck name, so the server saves it, but not
 * with the truck's real name, so its send is parked.
 */
const X_POST_OVER_WITH_TRUCK_NAME =
  'Lunch rush at {{truck}}! ' + 'Fresh tacos, warm tortillas, bright salsa and cold horchata all afternoon. '.repeat(3) + 'Come early, the line grows by noon.';
/** The posts here use only {{truck}}, which the server's check on save renders as one character. */
const SAVE_CHECK_VALUES = { ...SAMPLE_VALUES, truck: 'A' };

// Line 4 has a phone in scientific notation and nothing else to reach, line 6 repeats line 2,
// line 7 keeps its email but not its phone, and line 8 has no address at all.
const CONTACTS_CSV = [
  'first_name,phone,email',
  'Ana,+14155550101,ana@example.com',
  'Ben,+14155550102,',
  'Cy,1.4155550103E+10,',
  'Dee,+14155550104,dee@example.com',
  'Ana,+14155550101,ana@example.com',
  'Fay,not-a-phone,fay@example.com',
  'Eve,,',
  '',
].join('\n');

/** A public post with the single-use code that a segment with unique codes cannot post. */
const X_POST_WITH_CODE = 'Lunch at {{truck}}: show {{code}} at the window.';

/** Issues the server stores per import. It only counts the issues after these. */
const MAX_KEPT_ISSUES = 10_000;
/** Each row below has an invalid email, which is one issue, and so no valid address, which is a second. */
const ISSUES_PER_BAD_ROW = 2;
const BAD_ROWS = 10_050;
const BAD_EMAILS_CSV = ['first_name,email', ...Array.from({ length: BAD_ROWS }, (_, index) => `Guest ${index},guest-${index}.example.com`), ''].join('\n');

/** The datetime-local value of an instant in the truck's zone, to the minute. */
const localMinute = (instant: number) => instantToLocal(instant, TIME_ZONE).slice(0, 16);

/** Reads the newest import of a segment through the admin API. */
async function latestImport(server: RunningCloudburst, segmentId: string): Promise<{ id: string; status: string; error: string; summary: { rowsRead: number } }> {
  const { imports } = (await adminRequest(server, 'GET', `/segments/${segmentId}/imports`)).body as {
    imports: Array<{ id: string; status: string; error: string; summary: { rowsRead: number } }>;
  };
  return imports[0]!;
}

async function waitForAttribute(locator: Locator, name: string, expected: string): Promise<void> {
  await expect.poll(() => locator.getAttribute(name), { timeout: WAIT_MS }).toBe(expected);
}

describe('campaign workflow in Chromium', () => {
  let consoleServer: ConsoleServer;
  let server: RunningCloudburst;
  let browser: Browser;
  let page: Page;
  let problems: PageProblems;
  let campaignId: string;

  beforeAll(async () => {
    consoleServer = await startConsoleServer('campaigns');
    server = consoleServer.server;
    await adminBody(server, 'POST', '/trucks', TRUCK);
    // Without this the SMS would wait for the end of the quiet hours when the test runs at night in Los Angeles.
    await adminBody(server, 'PUT', '/settings/messaging', { quietHours: null, frequencyCap: null });

    browser = await launchChromium();
    const context = await browser.newContext({ locale: 'en-US', viewport: { width: 1400, height: 900 } });
    problems = watchContext(context, server.url);
    page = await context.newPage();
    await page.goto(adminConsoleUrl(server));
    await page.getByTestId('nav-campaigns').waitFor({ timeout: 30_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await consoleServer?.close();
  });

  it('opens the campaigns view from the navigation', async () => {
    await page.getByTestId('nav-campaigns').click();
    await page.getByTestId('campaign-list-empty').waitFor({ timeout: WAIT_MS });
    expect(new URL(page.url()).hash).toBe('#view=campaigns');
    expect(await page.getByTestId('nav-campaigns').getAttribute('aria-current')).toBe('page');
  });

  it('fills the goal and target market steps', async () => {
    await page.getByTestId('new-campaign').click();
    await page.getByLabel('Campaign name').fill('Friday lunch burst');
    await page.getByLabel('People to reach').fill('100');
    await page.getByLabel('People who buy').fill('10');

    await page.getByTestId('step-next').click();
    const now = Date.now();
    // Ten minutes ahead, so the campaign stays scheduled, not active, for the whole test.
    await page.getByLabel('Window start').fill(localMinute(now + 10 * 60_000));
    await page.getByLabel('Window end').fill(localMinute(now + 2 * 3_600_000));
    await page.getByLabel('Send messages at').fill(localMinute(now));
    await page.getByLabel('Radius (m)').fill('150');

    await page.getByTestId('add-segment-point_of_sale').click();
    await page.getByTestId('segment-0').getByLabel('Segment name', { exact: true }).fill('Counter sign-ups');
    expect(await page.getByTestId('segment-0').getByLabel('Codes', { exact: true }).inputValue()).toBe('shared');
    await page.getByTestId('segment-0').getByLabel('Shared code', { exact: true }).fill('TACO10');
    await page.getByTestId('add-segment-facebook').click();
    await page.getByTestId('segment-1').getByLabel('Segment name', { exact: true }).fill('Facebook fans');
    expect(await page.getByTestId('segment-1').getByLabel('Codes', { exact: true }).inputValue()).toBe('unique');

    // A public post cannot carry a code per person, so X followers start with a shared code.
    await page.getByTestId('add-segment-twitter').click();
    expect(await page.getByTestId('segment-2').getByLabel('Codes', { exact: true }).inputValue()).toBe('shared');
    await page.getByTestId('segment-2').getByTestId('remove-segment').click();
    expect(await page.getByTestId('segment-2').count()).toBe(0);
  });

  it('chooses the benefit and the channels', async () => {
    await page.getByTestId('step-next').click();
    expect(await page.getByLabel('Percent off', { exact: true }).inputValue()).toBe('10');

    await page.getByTestId('step-next').click();
    const channels = page.getByTestId('channels-step');
    await channels.getByLabel('SMS', { exact: true }).check();
    await channels.getByLabel('X', { exact: true }).check();
    expect(await channels.getByLabel('Push', { exact: true }).isChecked()).toBe(true);
  });

  it('lists a template syntax error with its line and column', async () => {
    await page.getByTestId('step-next').click();
    const sms = page.locator('[data-testid=messages-segment][data-source=facebook] [data-testid=template-sms]');
    await sms.getByLabel('Message').fill('Hello\n{{fristName}} there');

    const error = sms.getByTestId('template-error');
    await error.waitFor({ timeout: WAIT_MS });
    expect(await error.getAttribute('data-line')).toBe('2');
    expect(await error.getAttribute('data-column')).toBe('1');
    expect(await textOf(error)).toBe('Line 2, column 1: unknown variable "fristName".');
  });

  it('previews an SMS with an emoji as UCS-2 in two parts', async () => {
    const expected = renderForChannel('sms', SMS_TEMPLATE, CAMPAIGN_VALUES);
    expect(expected.encoding).toBe('UCS-2');
    expect(expected.units).toBe(100);
    expect(expected.parts).toBe(2);

    const sms = page.locator('[data-testid=messages-segment][data-source=facebook] [data-testid=template-sms]');
    await sms.getByLabel('Message').fill(SMS_TEMPLATE);
    await waitForText(sms.getByTestId('sms-encoding'), 'UCS-2');
    expect(await sms.getByTestId('sms-preview').getAttribute('data-parts')).toBe('2');
    expect(await textOf(sms.getByTestId('sms-parts'))).toBe('2 (at most 10)');
    expect(await textOf(sms.getByTestId('sms-units'))).toBe(String(expected.units));
    expect(await textOf(sms.getByTestId('sms-per-part'))).toBe('67');
    expect(await textOf(sms.locator('[data-testid=sms-text] mark'))).toBe('🌮');
    expect(await textOf(sms.getByTestId('ucs2-trigger'))).toBe('🌮 at line 1, column 24');
    expect(await sms.getByTestId('template-error').count()).toBe(0);
  });

  it("previews with the campaign's truck and benefit", async () => {
    const sms = page.locator('[data-testid=messages-segment][data-source=facebook] [data-testid=template-sms]');
    expect(await textOf(sms.getByTestId('sms-text'))).toBe(renderForChannel('sms', SMS_TEMPLATE, CAMPAIGN_VALUES).text);
    expect(await textOf(sms.getByTestId('sms-text'))).toContain(`${BENEFIT_TEXT} at ${TRUCK.name} today`);
  });

  it('previews the worst case with more parts', async () => {
    const sms = page.locator('[data-testid=messages-segment][data-source=facebook] [data-testid=template-sms]');
    await page.getByTestId('worst-case-toggle').check();
    await expect.poll(() => sms.getByTestId('sms-preview').getAttribute('data-parts'), { timeout: WAIT_MS }).not.toBe('2');
    expect(Number(await sms.getByTestId('sms-preview').getAttribute('data-parts'))).toBeGreaterThan(2);
    await page.getByTestId('worst-case-toggle').uncheck();
    await waitForAttribute(sms.getByTestId('sms-preview'), 'data-parts', '2');
  });

  it('shows an X post over 280 as over the limit', async () => {
    const expected = renderForChannel('x', X_POST_TEMPLATE, CAMPAIGN_VALUES, { kind: 'post' });
    const post = page.locator('[data-testid=messages-segment][data-source=facebook] [data-testid=template-x_post]');
    await post.getByLabel('Message').fill(X_POST_TEMPLATE);

    await waitForAttribute(post.getByTestId('x-preview'), 'data-over', 'true');
    const length = post.getByTestId('x-length');
    expect(await length.getAttribute('data-length')).toBe(String(expected.weightedLength));
    expect(await length.getAttribute('data-remaining')).toBe(String(expected.remaining));
    expect(await textOf(length)).toContain(`${expected.weightedLength} / 280`);
    expect(await textOf(length)).toContain(`${-expected.remaining} over the limit`);
    expect(await post.locator('[data-testid=preview-issue][data-code=too_long]').count()).toBe(1);
  });

  it('shows the server rejection next to the shared code', async () => {
    await page.getByTestId('save-draft').click();
    const error = page.locator('[data-testid=field-error][data-field="segments.0.code"]');
    await error.waitFor({ timeout: WAIT_MS });
    expect(await textOf(error)).toContain('segments.0.code');
    expect(await page.getByTestId('step-target').getAttribute('aria-current')).toBe('step');
    const campaigns = await adminRequest(server, 'GET', '/campaigns');
    expect(campaigns.body).toEqual({ campaigns: [] });
  });

  it('shows the rejected post by its field', async () => {
    const shortest = renderForChannel('x', X_POST_TEMPLATE, SAVE_CHECK_VALUES, { kind: 'post' });
    expect(shortest.remaining).toBeLessThan(0);

    await page.getByTestId('segment-0').getByLabel('Shared code', { exact: true }).fill('HUNGRY');
    await page.getByTestId('save-draft').click();
    const error = page.locator('[data-testid=field-error][data-field="segments.1.templates.x_post.body"]');
    await error.waitFor({ timeout: WAIT_MS });
    expect(await textOf(error)).toBe(
      `Rejected by the server: invalid segments.1.templates.x_post.body: the post has weighted length ${shortest.weightedLength}, ` +
        `${-shortest.remaining} over the limit of 280, whatever the recipient's values`,
    );
    expect(await page.getByTestId('step-messages').getAttribute('aria-current')).toBe('step');
    const post = page.locator('[data-testid=messages-segment][data-source=facebook] [data-testid=template-x_post]');
    expect(await post.locator('[data-testid=field-error]').count()).toBe(1);
    const campaigns = await adminRequest(server, 'GET', '/campaigns');
    expect(campaigns.body).toEqual({ campaigns: [] });
  });

  it('shows a unique code in a post as an error', async () => {
    const post = page.locator('[data-testid=messages-segment][data-source=facebook] [data-testid=template-x_post]');
    await post.getByLabel('Message').fill(X_POST_WITH_CODE);
    const issue = post.locator('[data-testid=preview-issue][data-code=unique_code_in_post]');
    await issue.waitFor({ timeout: WAIT_MS });
    expect(await issue.getAttribute('data-severity')).toBe('error');
    expect(await textOf(issue)).toBe(
      'The post shows {{code}}, but everyone reads the same post and this segment gives each person their own code, ' +
        'so the server rejects it on save. Choose a shared code for the segment, or give a fallback such as {{code|at the truck}}.',
    );
    expect(await post.getByTestId('preview').getAttribute('data-ok')).toBe('false');
    // The post fits in 280, so the code is the preview's only issue.
    expect(renderForChannel('x', X_POST_WITH_CODE, CAMPAIGN_VALUES, { kind: 'post' }).issues).toEqual([]);
    expect(await post.getByTestId('preview-issue').count()).toBe(1);

    // The server rejects what the preview flags.
    await page.getByTestId('save-draft').click();
    const error = post.locator('[data-testid=field-error][data-field="segments.1.templates.x_post.body"]');
    // The earlier save's length error stays on the field until this save's reply replaces it.
    await expect.poll(() => textOf(error), { timeout: WAIT_MS }).toContain('expected no {{code}} in a public post of a segment with unique codes');

    await post.getByLabel('Message').fill(X_POST_WITH_CODE.replace('{{code}}', '{{code|your code}}'));
    await waitForAttribute(post.getByTestId('preview'), 'data-ok', 'true');
    expect(await issue.count()).toBe(0);
  });

  it('previews the real truck name as over', async () => {
    expect(renderForChannel('x', X_POST_OVER_WITH_TRUCK_NAME, SAVE_CHECK_VALUES, { kind: 'post' }).remaining).toBeGreaterThanOrEqual(0);
    const withTruck = renderForChannel('x', X_POST_OVER_WITH_TRUCK_NAME, CAMPAIGN_VALUES, { kind: 'post' });
    expect(withTruck.remaining).toBeLessThan(0);

    const post = page.locator('[data-testid=messages-segment][data-source=facebook] [data-testid=template-x_post]');
    await post.getByLabel('Message').fill(X_POST_OVER_WITH_TRUCK_NAME);
    // The editor previews with the campaign's one truck, so it warns before the send is parked.
    await waitForAttribute(post.getByTestId('x-length'), 'data-length', String(withTruck.weightedLength));
    expect(await post.getByTestId('x-preview').getAttribute('data-over')).toBe('true');
  });

  it('saves the draft', async () => {
    await page.getByTestId('save-draft').click();
    await waitForText(page.getByTestId('save-state'), 'All changes saved');
    expect(await page.locator('[data-testid=field-error]').count()).toBe(0);
    expect(await page.locator('[data-testid=campaign-workspace] [data-testid=status-badge]').getAttribute('data-status')).toBe('draft');

    const listed = (await adminRequest(server, 'GET', '/campaigns')).body as { campaigns: Array<{ id: string; status: string }> };
    expect(listed.campaigns).toHaveLength(1);
    campaignId = listed.campaigns[0]!.id;
    const stored = (await adminRequest(server, 'GET', `/campaigns/${campaignId}`)).body as {
      campaign: {
        status: string;
        channels: string[];
        radiusM: number;
        goal: unknown;
        benefit: { description: string };
        segments: Array<{ source: string; name: string; codeMode: string; sharedCode: string | null }>;
      };
      templates: Array<{ kind: string; body: string }>;
    };
    expect(stored.campaign.status).toBe('draft');
    expect(stored.campaign.channels).toEqual(['push', 'sms', 'x']);
    expect(stored.campaign.radiusM).toBe(150);
    expect(stored.campaign.goal).toEqual({ reach: 100, convert: 10 });
    // The editor previewed {{benefit}} with the text the server fills in.
    expect(stored.campaign.benefit.description).toBe(BENEFIT_TEXT);
    expect(benefitText(emptyDraft().benefit)).toBe(BENEFIT_TEXT);
    expect(stored.campaign.segments.map(({ source, name, codeMode, sharedCode }) => ({ source, name, codeMode, sharedCode }))).toEqual([
      { source: 'nearby', name: 'Nearby phones', codeMode: 'unique', sharedCode: null },
      { source: 'point_of_sale', name: 'Counter sign-ups', codeMode: 'shared', sharedCode: 'HUNGRY' },
      { source: 'facebook', name: 'Facebook fans', codeMode: 'unique', sharedCode: null },
    ]);
    expect(stored.templates.map(({ kind, body }) => ({ kind, body }))).toEqual([
      { kind: 'sms', body: SMS_TEMPLATE },
      { kind: 'x_post', body: X_POST_OVER_WITH_TRUCK_NAME },
    ]);
  });

  it('imports a contact list into the facebook segment', async () => {
    const file = path.join(consoleServer.dataDir, 'facebook-leads.csv');
    await writeFile(file, CONTACTS_CSV);
    await page.getByTestId('tab-audience').click();
    const segment = page.locator('[data-testid=audience-segment][data-source=facebook]');
    await segment.getByLabel('Contact list file').setInputFiles(file);
    await segment.getByLabel('SMS', { exact: true }).check();
    await segment.getByTestId('start-import').click();

    const summary = segment.getByTestId('import-summary');
    await waitForAttribute(summary, 'data-status', 'done');
    expect(await segment.getByTestId('import-progress').getAttribute('data-fraction')).toBe('1');
    expect(await segment.getByTestId('import-progress').getAttribute('data-rows')).toBe('7');
    const counts: Record<string, string | null> = {};
    for (const name of ['rowsRead', 'contacts', 'added', 'duplicates', 'rowsRejected', 'errors', 'warnings']) {
      counts[name] = await segment.getByTestId(`import-${name}`).getAttribute('data-value');
    }
    expect(counts).toEqual({ rowsRead: '7', contacts: '4', added: '4', duplicates: '1', rowsRejected: '2', errors: '3', warnings: '1' });
  });

  it('lists the import issues by line', async () => {
    const rows = page.locator('[data-testid=audience-segment][data-source=facebook] [data-testid=import-issue]');
    await expect.poll(() => rows.count(), { timeout: WAIT_MS }).toBe(5);
    const issues = await rows.evaluateAll((elements) =>
      elements.map((element) => ({
        line: element.getAttribute('data-line'),
        severity: element.getAttribute('data-severity'),
        field: element.getAttribute('data-field'),
        value: element.querySelectorAll('td')[3]?.textContent,
      })),
    );
    expect(issues).toEqual([
      { line: '4', severity: 'error', field: 'phone', value: '1.4155550103E+10' },
      { line: '4', severity: 'error', field: '', value: '' },
      { line: '6', severity: 'duplicate', field: 'email', value: 'ana@example.com' },
      { line: '7', severity: 'warning', field: 'phone', value: 'not-a-phone' },
      { line: '8', severity: 'error', field: '', value: '' },
    ]);
    expect(await textOf(rows.nth(0).locator('td').nth(4))).toContain('scientific notation');

    await page.locator('[data-testid=audience-segment][data-source=facebook] [data-testid=issue-severity]').selectOption('error');
    await expect.poll(() => rows.count(), { timeout: WAIT_MS }).toBe(3);
    await waitForAttribute(page.locator('[data-testid=audience-segment][data-source=facebook] [data-testid=segment-members]'), 'data-value', '4');
  });

  it('reports an import that stopped before any row', async () => {
    const file = path.join(consoleServer.dataDir, 'empty.csv');
    await writeFile(file, '');
    const segment = page.locator('[data-testid=audience-segment][data-source=point_of_sale]');
    await segment.getByLabel('Contact list file').setInputFiles(file);
    const uploaded = page.waitForResponse((response) => response.request().method() === 'POST' && /\/imports$/.test(new URL(response.url()).pathname));
    await segment.getByTestId('start-import').click();
    expect((await uploaded).status()).toBe(422);
    const record = await latestImport(server, (await segment.getAttribute('data-segment-id'))!);
    expect(record.status).toBe('failed');
    expect(record.summary.rowsRead).toBe(0);
    expect(record.error).toContain('empty');

    await waitForAttribute(segment.getByTestId('import-summary'), 'data-status', 'failed');
    expect(await textOf(segment.getByTestId('import-failure'))).toBe(`Reason: ${record.error}`);
    const empty = segment.getByTestId('issues-empty');
    await empty.waitFor({ timeout: WAIT_MS });
    expect(await textOf(empty)).toBe(`The import stopped before it read any row, so no row was imported. Reason: ${record.error}`);
    expect(await empty.getAttribute('data-key')).toBe('campaigns.issues.stoppedAtStart');
  });

  it('shows only the new import from its start', { timeout: 180_000 }, async () => {
    const file = path.join(consoleServer.dataDir, 'bad-emails.csv');
    await writeFile(file, BAD_EMAILS_CSV);
    const segmentId = await page.locator('[data-testid=audience-segment][data-source=point_of_sale]').getAttribute('data-segment-id');
    const importsPath = `/v1/admin/segments/${segmentId}/imports`;

    // The panel reads the segment's latest import, the failed one, when it opens. That read is
    // held until the new upload has started, and the upload until the read has returned, so the
    // failed import arrives while the new one runs.
    let uploadStarted: () => void = () => {};
    const started = new Promise<void>((resolve) => (uploadStarted = resolve));
    const latestRead = page.waitForResponse((response) => response.request().method() === 'GET' && new URL(response.url()).pathname === importsPath);
    const hold = async (route: Route, request: Request) => {
      if (request.method() === 'GET') {
        await started;
      } else {
        uploadStarted();
        await latestRead;
      }
      await route.continue();
    };
    await page.route((url) => url.pathname === importsPath, hold);
    try {
      await page.getByTestId('tab-sends').click();
      await page.getByTestId('tab-audience').click();
      const segment = page.locator('[data-testid=audience-segment][data-source=point_of_sale]');
      await segment.getByLabel('Contact list file').setInputFiles(file);
      // Records every summary and the most progress bars the segment shows from the click on.
      await segment.evaluate((element) => {
        const seen = { summaries: [] as string[], maxProgressBars: 0 };
        const record = () => {
          seen.maxProgressBars = Math.max(seen.maxProgressBars, element.querySelectorAll('[data-testid=import-progress]').length);
          for (const summary of element.querySelectorAll('[data-testid=import-summary]')) {
            const id = summary.getAttribute('data-import-id') ?? '';
            if (!seen.summaries.includes(id)) seen.summaries.push(id);
          }
        };
        new MutationObserver(record).observe(element, { subtree: true, childList: true, attributes: true });
        Object.assign(window, { importPanelSeen: seen });
      });
      const uploaded = page.waitForResponse((response) => response.request().method() === 'POST' && new URL(response.url()).pathname === importsPath);
      await segment.getByTestId('start-import').click();

      expect(await segment.getByTestId('import-progress').count()).toBe(1);
      expect(await segment.getByTestId('import-summary').count()).toBe(0);
      await latestRead;
      expect((await uploaded).status()).toBe(201);
      const newId = (await latestImport(server, segmentId!)).id;

      const summary = segment.getByTestId('import-summary');
      await expect.poll(() => summary.getAttribute('data-import-id'), { timeout: WAIT_MS }).toBe(newId);
      expect(await summary.getAttribute('data-status')).toBe('done');
      const seen = await page.evaluate(() => (window as unknown as { importPanelSeen: { summaries: string[]; maxProgressBars: number } }).importPanelSeen);
      expect(seen).toEqual({ summaries: [newId], maxProgressBars: 1 });
      expect(await segment.getByTestId('import-progress').getAttribute('data-fraction')).toBe('1');
    } finally {
      await page.unroute((url) => url.pathname === importsPath, hold);
    }
  });

  it('counts the issues beyond the kept ones', async () => {
    const segment = page.locator('[data-testid=audience-segment][data-source=point_of_sale]');
    const issues = BAD_ROWS * ISSUES_PER_BAD_ROW;
    const dropped = issues - MAX_KEPT_ISSUES;
    expect(await segment.getByTestId('import-rowsRead').getAttribute('data-value')).toBe(String(BAD_ROWS));
    expect(await segment.getByTestId('import-rowsRejected').getAttribute('data-value')).toBe(String(BAD_ROWS));
    expect(await segment.getByTestId('import-errors').getAttribute('data-value')).toBe(String(issues));
    const note = segment.getByTestId('import-issues-dropped');
    expect(await note.getAttribute('data-value')).toBe(String(dropped));
    expect(await textOf(note)).toBe(
      `${dropped.toLocaleString('en-US')} further issues were counted but not kept; fix the rows listed and import the file again to see them`,
    );
    const rows = segment.getByTestId('import-issue');
    await expect.poll(() => rows.count(), { timeout: WAIT_MS }).toBe(25);
    expect(await rows.first().getAttribute('data-line')).toBe('2');
  });

  it('shows the point-of-sale sign-up link and QR code', async () => {
    const segmentId = await page.locator('[data-testid=audience-segment][data-source=point_of_sale]').getAttribute('data-segment-id');
    const qr = await fetch(`${server.url}/v1/admin/segments/${segmentId}/qr.svg`, { headers: { authorization: `Bearer ${server.adminToken}` } });
    expect(qr.status).toBe(200);
    expect(qr.headers.get('content-type')).toBe('image/svg+xml; charset=utf-8');
    expect(await qr.text()).toMatch(/^<svg /);
    const signup = page.locator('[data-testid=audience-segment][data-source=point_of_sale] [data-testid=pos-signup]');
    const image = signup.getByTestId('pos-qr');
    await expect.poll(() => image.evaluate((element) => (element as HTMLImageElement).naturalWidth), { timeout: WAIT_MS }).toBeGreaterThan(0);
    expect(await image.getAttribute('src')).toMatch(/^blob:/);
    const link = (await adminRequest(server, 'GET', `/segments/${segmentId}/signup-link`)).body as { url: string };
    await waitForText(signup.getByTestId('pos-link'), link.url);
    expect(link.url).toContain(segmentId);

    // The draft's page returns 410 Gone, and the console shows when it opens.
    expect(link.url.startsWith(`${server.url}/join/`)).toBe(true);
    const page410 = await fetch(link.url);
    await page410.arrayBuffer();
    expect(page410.status).toBe(410);
    const state = signup.getByTestId('pos-page-state');
    expect(await state.getAttribute('data-state')).toBe('not_yet_open');
    expect(await textOf(state)).toBe(
      'The sign-up page opens when the campaign is scheduled; until then it says that sign-up is closed. ' +
        'The link and the QR code stay the same, so you can print them now.',
    );
  });

  it('schedules the campaign', async () => {
    await page.getByTestId('schedule').click();
    const badge = page.locator('[data-testid=campaign-workspace] [data-testid=status-badge]');
    await waitForAttribute(badge, 'data-status', 'scheduled');
    expect(await textOf(badge)).toBe('Scheduled');
    await page.getByTestId('tab-definition').click();
    await page.getByTestId('editor-locked').waitFor({ timeout: WAIT_MS });
    await page.locator('[data-testid=campaign-summary] [data-testid=shared-code]').waitFor({ timeout: WAIT_MS });
    expect(await textOf(page.locator('[data-testid=campaign-summary] [data-testid=shared-code]'))).toBe('HUNGRY');
  });

  it('opens the sign-up page once scheduled', async () => {
    await page.getByTestId('tab-audience').click();
    const signup = page.locator('[data-testid=audience-segment][data-source=point_of_sale] [data-testid=pos-signup]');
    const link = signup.getByTestId('pos-link');
    await link.waitFor({ timeout: WAIT_MS });
    const href = (await link.getAttribute('href'))!;
    expect(href.startsWith(`${server.url}/join/`)).toBe(true);
    const opened = await fetch(href);
    await opened.arrayBuffer();
    expect(opened.status).toBe(200);
    expect(await signup.getByTestId('pos-page-state').count()).toBe(0);
  });

  it('sends the SMS and parks the over-long post', async () => {
    await page.getByTestId('tab-sends').click();
    const sent = page.locator('[data-testid=send-row][data-kind=sms][data-status=sent]');
    await expect.poll(() => sent.count(), { timeout: WAIT_MS }).toBe(3);
    // The post fit with one-character values on save, but not with the truck's real name.
    const rendered = renderForChannel('x', X_POST_OVER_WITH_TRUCK_NAME, { ...SAMPLE_VALUES, truck: TRUCK.name }, { kind: 'post' });
    const post = page.locator('[data-testid=send-row][data-kind=x_post]');
    await waitForAttribute(post, 'data-status', 'parked');
    expect(await textOf(post.getByTestId('send-reason'))).toBe(
      `the message cannot be sent as written: the post has weighted length ${rendered.weightedLength}, ${-rendered.remaining} over the limit of 280`,
    );

    const retried = page.waitForResponse((response) => /\/v1\/admin\/sends\/[^/]+\/retry$/.test(new URL(response.url()).pathname));
    await post.getByTestId('retry-send').click();
    const reply = await retried;
    expect(reply.status()).toBe(200);
    const { send } = (await reply.json()) as { send: { id: string; status: string } };
    expect(send.status).toBe('queued');
    // Rendered again with the same truck, the post is over the limit again.
    const parkedIds = async () => ((await adminRequest(server, 'GET', `/campaigns/${campaignId}/sends?status=parked`)).body.sends as Array<{ id: string }>).map((job) => job.id);
    await expect.poll(parkedIds, { timeout: WAIT_MS }).toEqual([send.id]);
  });

  it('shows the SMS with its code in the outbox', async () => {
    const codes = await page
      .locator('[data-testid=send-row][data-kind=sms]')
      .evaluateAll((rows) =>
        rows.map((row): [string | null, string | null] => [
          row.getAttribute('data-send-id'),
          row.querySelector('[data-testid=send-code]')?.textContent ?? null,
        ]),
      );
    const codeOfJob = new Map(codes);
    expect(codeOfJob.size).toBe(3);

    await page.getByTestId('tab-outbox').click();
    const rows = page.locator('[data-testid=outbox-row][data-channel=sms]');
    await expect.poll(() => rows.count(), { timeout: WAIT_MS }).toBe(3);
    const messages = await rows.evaluateAll((elements) =>
      elements.map((element) => ({ jobId: element.getAttribute('data-job-id'), body: element.querySelector('[data-testid=outbox-body]')?.textContent ?? '' })),
    );
    for (const { jobId, body } of messages) {
      const code = codeOfJob.get(jobId);
      expect(code).toMatch(/^[2-9A-Z]{8}$/);
      expect(body).toContain(`Show code ${code} at the window`);
      expect(body).toContain('🌮');
    }
  });

  it('shows the campaign at a glance in the list', async () => {
    await page.getByTestId('back-to-list').click();
    const row = page.locator(`[data-testid=campaign-row][data-campaign-id="${campaignId}"]`);
    await row.waitFor({ timeout: WAIT_MS });
    expect(await row.getByTestId('status-badge').getAttribute('data-status')).toBe('scheduled');
    expect(await row.getByTestId('goal-reached').getAttribute('data-target')).toBe('100');
    await waitForAttribute(row.getByTestId('goal-reached'), 'data-value', '3');
    expect(await row.getByTestId('send-count-sent').getAttribute('data-value')).toBe('3');
    await page.screenshot({ path: SCREENSHOT_PATH, fullPage: true });
  });

  it('switches the campaign view to zh-CN', async () => {
    await page.selectOption('[data-testid=language-switcher]', 'zh-CN');
    await waitForText(page.locator('#campaign-list-title'), '营销活动');
    expect(await textOf(page.getByTestId('new-campaign'))).toBe('新建活动');
    expect(await textOf(page.getByTestId('nav-map'))).toBe('实时地图');
    const badge = page.locator(`[data-testid=campaign-row][data-campaign-id="${campaignId}"] [data-testid=status-badge]`);
    expect(await textOf(badge)).toBe('已排期');

    await page.locator(`[data-testid=campaign-row][data-campaign-id="${campaignId}"] button`).click();
    await waitForText(page.getByTestId('tab-outbox'), '发件箱');
    expect(await textOf(page.getByTestId('step-goal'))).toBe('1. 目标');
    const nearby = page.locator('[data-testid=summary-segment][data-source=nearby] [data-testid=summary-segment-name]');
    await waitForText(nearby, '附近的手机');
    expect(await textOf(page.getByTestId('editor-locked'))).toBe('只有草稿可以修改。请先取消排期再编辑。');
  });

  it('unschedules and ends the campaign', async () => {
    const badge = page.locator('[data-testid=campaign-workspace] [data-testid=status-badge]');
    await page.getByTestId('unschedule').click();
    await waitForAttribute(badge, 'data-status', 'draft');
    expect(await textOf(badge)).toBe('草稿');
    expect(await page.getByTestId('editor-locked').count()).toBe(0);
    expect(await page.getByTestId('save-draft').isEnabled()).toBe(true);

    await page.getByTestId('end-campaign').click();
    await waitForAttribute(badge, 'data-status', 'ended');
    expect(await page.getByTestId('end-campaign').count()).toBe(0);
    const stored = (await adminRequest(server, 'GET', `/campaigns/${campaignId}`)).body as { campaign: { status: string } };
    expect(stored.campaign.status).toBe('ended');
  });

  it('loads nothing from other hosts', () => {
    expect(problems.externalRequests).toEqual([]);
  });

  it('throws no page errors', () => {
    expect(problems.pageErrors).toEqual([]);
  });
});
