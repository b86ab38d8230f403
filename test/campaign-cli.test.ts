import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { isDeepStrictEqual, promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { instantToLocal } from '../server/time-zone.js';
import { adminRequest, startTestServer, TEST_ADMIN_TOKEN } from './helpers.js';

const run = promisify(execFile);
const REPO = path.resolve(import.meta.dirname, '..');
const TIME_ZONE = 'America/Los_Angeles';
const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}';

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * The night before a campaign: define it, fill its segments from files, schedule it and
 * watch it, all through the `cloudburst` command against a running server. The steps
 * build on each other, so the tests run in order on one server.
 */
describe('cloudburst campaign and import commands', () => {
  let server: Awaited<ReturnType<typeof startTestServer>>;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let truckId: string;
  /** Local day after today in the truck's zone, so the window and its sends lie ahead. */
  let day: string;
  let campaignId: string;
  let segmentIds: Record<string, string>;

  /** Runs the CLI from source through tsx (dist/ is built only by `npm test`) and returns its exit code and output. */
  async function cli(args: string[], extraEnv: NodeJS.ProcessEnv = {}): Promise<CliResult> {
    try {
      const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'cli/cloudburst.ts', ...args], {
        cwd: REPO,
        env: { ...env, ...extraEnv },
        timeout: 60_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof failed.code !== 'number') throw error;
      return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  }

  function definition(changes: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      name: 'Friday lunch',
      truckIds: [truckId],
      window: { start: `${day}T11:00`, end: `${day}T14:00` },
      radiusM: 200,
      benefit: { kind: 'percent', value: 15 },
      channels: ['push', 'sms'],
      goal: { reach: 100, convert: 10 },
      segments: [
        { source: 'facebook', name: 'Lead form', templates: { sms: { body: 'Hi {{firstName|there}}! {{benefit}} at {{truck}} with {{code}}' } } },
        { source: 'point_of_sale', name: 'Square regulars' },
      ],
      ...changes,
    };
  }

  async function writeJson(name: string, value: unknown): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, JSON.stringify(value, null, 2));
    return file;
  }

  /** Polls the campaign summary until its send counts equal `expected`, as the running scheduler settles the jobs. */
  async function waitForSends(id: string, expected: Record<string, number>): Promise<void> {
    let sends: unknown;
    for (let poll = 0; poll < 150; poll++) {
      sends = (await adminRequest(server.url, 'GET', `/v1/admin/campaigns/${id}/summary`)).body.sends;
      if (isDeepStrictEqual(sends, expected)) return;
      await sleep(200);
    }
    throw new Error(`sends of campaign ${id} are ${JSON.stringify(sends)} after 150 polls (expected ${JSON.stringify(expected)})`);
  }

  beforeAll(async () => {
    server = await startTestServer();
    dir = path.join(server.dataDir, 'cli');
    await mkdir(dir);
    env = { ...process.env, CLOUDBURST_URL: server.url, ADMIN_TOKEN: TEST_ADMIN_TOKEN };
    delete env.LOG_LEVEL;

    const truck = await adminRequest(server.url, 'POST', '/v1/admin/trucks', { name: 'Taco Cloud', lat: 37.7793, lon: -122.4193, timeZone: TIME_ZONE });
    if (truck.status !== 201) throw new Error(`creating the truck failed: ${truck.status} ${JSON.stringify(truck.body)}`);
    truckId = truck.body.truck.id;
    day = instantToLocal(Date.now() + 86_400_000, TIME_ZONE).slice(0, 10);
  });

  afterAll(async () => {
    await server?.cleanup();
  });

  it('documents the commands in the help', async () => {
    const main = await cli(['--help']);
    expect(main.code).toBe(0);
    expect(main.stdout).toMatch(/^ {2}campaign {4}Create, update, schedule, end, list and watch campaigns/m);
    expect(main.stdout).toContain('cloudburst campaign apply friday-lunch.json');
    expect(main.stdout).toContain('cloudburst import --segment 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d leads.csv --consent sms');

    const campaign = await cli(['campaign', '--help']);
    expect(campaign.code).toBe(0);
    for (const usage of ['apply FILE [--schedule]', 'schedule ID', 'unschedule ID', 'end ID', 'status ID [--json]', 'list', '--url URL', '--token TOKEN']) {
      expect(campaign.stdout).toContain(usage);
    }

    const importHelp = await cli(['import', '--help']);
    expect(importHelp.code).toBe(0);
    for (const option of ['--segment SEGMENT_ID', '--format FORMAT', '--country CODE', '--consent CHANNELS', '--issues FILE', '--progress', 'Exit status: 0']) {
      expect(importHelp.stdout).toContain(option);
    }
  });

  it('creates a draft and prints its segments', async () => {
    const file = await writeJson('friday.json', definition());
    const { code, stdout, stderr } = await cli(['campaign', 'apply', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);

    const created = new RegExp(`^Created campaign (${UUID}) "Friday lunch"$`, 'm').exec(stdout);
    expect(created).not.toBeNull();
    campaignId = created![1]!;
    expect(stdout).toMatch(/^ {2}status {4}draft$/m);
    expect(stdout).toContain(`  window    ${day}T11:00 to ${day}T14:00 (${TIME_ZONE})`);

    const stored = await adminRequest(server.url, 'GET', `/v1/admin/campaigns/${campaignId}`);
    expect(stored.body.campaign.status).toBe('draft');
    segmentIds = Object.fromEntries(stored.body.campaign.segments.map((segment: { source: string; id: string }) => [segment.source, segment.id]));
    expect(Object.keys(segmentIds).sort()).toEqual(['facebook', 'nearby', 'point_of_sale']);
    expect(stdout).toMatch(new RegExp(`^ {2}${segmentIds.facebook} {2}facebook +Lead form +0$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^ {2}${segmentIds.point_of_sale} {2}point_of_sale +Square regulars +0$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^ {2}${segmentIds.nearby} {2}nearby +Nearby phones +0$`, 'm'));
  });

  it('updates the draft of the same name in place', async () => {
    const file = await writeJson('friday.json', definition({ radiusM: 300 }));
    const { code, stdout, stderr } = await cli(['campaign', 'apply', file]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toContain(`Updated campaign ${campaignId} "Friday lunch"`);

    const { body } = await adminRequest(server.url, 'GET', '/v1/admin/campaigns');
    expect(body.campaigns).toHaveLength(1);
    expect(body.campaigns[0]).toMatchObject({ id: campaignId, status: 'draft', radiusM: 300 });
  });

  it('names the field and value the API rejects', async () => {
    const broken = definition();
    (broken.segments as Array<Record<string, unknown>>)[0]!.templates = { sms: { body: 'Lunch with {{coupon}}' } };
    const file = await writeJson('broken.json', broken);
    const { code, stdout, stderr } = await cli(['campaign', 'apply', file]);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toMatch(new RegExp(`^cloudburst: campaign apply failed for ${file}: invalid segments\\.0\\.templates\\.sms\\.body: .*\\(HTTP 400 invalid_input\\)\n`));
    expect(stderr).toContain(`  field: segments.0.templates.sms.body (in ${file})\n`);
    expect(stderr).toContain('  value: "coupon"\n');
  });

  it('imports a CSV with consent and prints its issues', async () => {
    const csv = path.join(dir, 'leads.csv');
    await writeFile(
      csv,
      ['first_name,phone,email', 'Ana,+1 415 555 2671,', 'Bo,+14155552672,bo@example.com', 'Cy,1.41555E+10,', 'Di,(415) 555-2671,'].join('\n'),
    );
    const issuesFile = path.join(dir, 'issues.csv');
    const { code, stdout, stderr } = await cli(['import', '--segment', segmentIds.facebook!, csv, '--consent', 'sms', '--issues', issuesFile]);
    expect(stderr).toBe('');
    expect(code).toBe(0);

    expect(stdout).toMatch(new RegExp(`^Import ${UUID} of ${csv} into segment "Lead form" \\(facebook\\): done$`, 'm'));
    expect(stdout).toMatch(/^ {2}format {9}csv$/m);
    expect(stdout).toMatch(/^ {2}rows read {6}4$/m);
    expect(stdout).toMatch(/^ {2}contacts {7}2$/m);
    expect(stdout).toMatch(/^ {2}added {10}2 new members of the segment$/m);
    expect(stdout).toMatch(/^ {2}duplicates {5}1$/m);
    expect(stdout).toMatch(/^ {2}rows rejected {2}1$/m);
    expect(stdout).toMatch(/^ {2}errors {9}2$/m);
    expect(stdout).toMatch(/^ {2}warnings {7}0$/m);
    expect(stdout).toContain('\nIssues (3)\n');
    expect(stdout.endsWith(`\n\n3 issues written to ${issuesFile}\n`)).toBe(true);
    expect(stdout).toMatch(/^ {2}line {2}severity +field +value +reason$/m);
    expect(stdout).toMatch(/^ {5}4 {2}error +phone {2}1\.41555E\+10 +phone number "1\.41555E\+10" is in scientific notation/m);
    expect(stdout).toMatch(/^ {5}4 {2}error +the row has no valid email, phone, X user id or Messenger PSID, so it was not imported$/m);
    expect(stdout).toMatch(/^ {5}5 {2}duplicate +phone +\(415\) 555-2671 {2}same phone "\+14155552671" as the contact at line 2$/m);

    const report = (await readFile(issuesFile, 'utf8')).split('\r\n');
    expect(report[0]).toBe('line,severity,field,value,reason');
    expect(report[1]).toMatch(/^4,error,phone,1\.41555E\+10,"?phone number ""?1\.41555E\+10/);
    expect(report[2]).toBe('4,error,,,"the row has no valid email, phone, X user id or Messenger PSID, so it was not imported"');
    expect(report[3]).toBe('5,duplicate,phone,(415) 555-2671,"same phone ""+14155552671"" as the contact at line 2"');
    expect(report[4]).toBe('');
    expect(report).toHaveLength(5);

    const members = await adminRequest(server.url, 'GET', `/v1/admin/segments/${segmentIds.facebook}/members`);
    const phones = members.body.members.map((contact: { phone: string }) => contact.phone).sort();
    expect(phones).toEqual(['+14155552671', '+14155552672']);
    const contact = await adminRequest(server.url, 'GET', `/v1/admin/contacts/${members.body.members[0].id}`);
    expect(contact.body.contact.consents.sms.granted).toBe(true);
  });

  it('prints progress to stderr with --progress', async () => {
    const csv = path.join(dir, 'square.csv');
    await writeFile(csv, ['first_name,phone', 'Eve,+14155552673', 'Fay,+14155552674'].join('\n'));
    const { code, stdout, stderr } = await cli(['import', '--segment', segmentIds.point_of_sale!, csv, '--format', 'csv', '--progress']);
    expect(code).toBe(0);
    const size = (await readFile(csv)).length;
    expect(stderr.trimEnd().split('\n').at(-1)).toBe(`progress: 100% of ${size} bytes read, 2 rows, 2 contacts, 0 issues`);
    expect(stdout).toMatch(/^ {2}added {10}2 new members of the segment$/m);
    expect(stdout).not.toContain('Issues');
  });

  it('prints the first 20 issues and writes all', async () => {
    const csv = path.join(dir, 'repeats.csv');
    const repeats = Array.from({ length: 24 }, () => '+14155552673,');
    await writeFile(csv, ['phone,email', ...repeats, ',"=HYPERLINK(""http://example.com"")"'].join('\n'));
    const issuesFile = path.join(dir, 'repeats-issues.csv');

    const shown = await cli(['import', '--segment', segmentIds.point_of_sale!, csv]);
    expect(shown.code, shown.stdout).toBe(0);
    expect(shown.stdout).toContain('Issues (first 20 of 25; write them all with --issues FILE)');
    expect(shown.stdout.match(/^ +\d+ {2}duplicate {2}phone {2}\+14155552673 {2}same phone "\+14155552673" as the contact at line 2$/gm)).toHaveLength(20);

    const written = await cli(['import', '--segment', segmentIds.point_of_sale!, csv, '--issues', issuesFile]);
    expect(written.code).toBe(0);
    expect(written.stdout).toContain('\nIssues (first 20 of 25)\n');
    expect(written.stdout.endsWith(`\n\n25 issues written to ${issuesFile}\n`)).toBe(true);
    const report = (await readFile(issuesFile, 'utf8')).split('\r\n');
    expect(report).toHaveLength(27);
    expect(report[23]).toBe('25,duplicate,phone,+14155552673,"same phone ""+14155552673"" as the contact at line 2"');
    // The apostrophe keeps a spreadsheet from running the value as a formula.
    expect(report[24]).toBe(
      String.raw`26,error,email,"'=HYPERLINK(""http://example.com"")","email address ""=HYPERLINK(\""http://example.com\"")"" has no @. ` +
        'The cell looks like a spreadsheet formula, so save the column as plain text and import it again"',
    );
    expect(report[25]).toBe('26,error,,,"the row has no valid email, phone, X user id or Messenger PSID, so it was not imported"');
    expect(report[26]).toBe('');
  });

  it('exits 2 naming the line where a truncated JSON file stops', async () => {
    const json = path.join(dir, 'truncated.json');
    await writeFile(json, '[\n{"name": "Gus", "phone": "+14155552675"},\n{"name": "Hal", "phone": "+1415');
    const { code, stdout, stderr } = await cli(['import', '--segment', segmentIds.facebook!, json]);
    expect(stderr).toBe('');
    expect(code).toBe(2);
    expect(stdout).toMatch(new RegExp(`^Import ${UUID} of ${json} into segment "Lead form" \\(facebook\\): stopped early$`, 'm'));
    expect(stdout).toMatch(/^ {2}error {10}line 3, element 2: /m);
    expect(stdout).toContain('The contacts read before the fault were kept. Fix the file and import it again');
  });

  it('exits 2 on a spreadsheet workbook without printing its bytes', async () => {
    const workbook = path.join(dir, 'leads.xlsx');
    await writeFile(workbook, Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), Buffer.from('\u0007\u001b[2J"xl/workbook.xml')]));
    const { code, stdout, stderr } = await cli(['import', '--segment', segmentIds.facebook!, workbook]);
    expect(stderr).toBe('');
    expect(code).toBe(2);
    expect(stdout).toContain(
      '  error          line 1: the file is not text (found a NUL byte at byte offset 5). It looks like a ZIP archive, such as an Excel workbook (.xlsx). ' +
        'Export the list as CSV or JSON and import that file\n',
    );
    expect(stdout).not.toMatch(/[\u0000-\u0008\u000b-\u001f]/);
  });

  it('points to the right segment for an export of another source', async () => {
    const meta = path.join(dir, 'meta-leads.csv');
    await writeFile(meta, ['id,created_time,form_id,full_name,phone_number,email', 'l:1,2024-05-01,f:1,Ida Lee,p:+14155552676,ida@example.com'].join('\n'));
    const { code, stdout, stderr } = await cli(['import', '--segment', segmentIds.point_of_sale!, meta]);
    expect(stdout).toBe('');
    expect(code).toBe(1);
    expect(stderr).toBe(
      `cloudburst: import of ${meta} failed: invalid format: the file is a meta-leads export, which goes only into a facebook segment, ` +
        'but segment "Square regulars" is a point_of_sale segment (HTTP 400 invalid_input)\n' +
        '  field: format\n' +
        '  value: "meta-leads"\n' +
        '  The file itself can be imported, but not into segment "Square regulars" (point_of_sale). Pick a segment of the source named above:\n' +
        `  "cloudburst campaign status ${campaignId}" lists the campaign's segments with their ids and sources.\n`,
    );
    const members = await adminRequest(server.url, 'GET', `/v1/admin/segments/${segmentIds.point_of_sale}/members`);
    expect(members.body.members.map((contact: { email?: string }) => contact.email)).not.toContain('ida@example.com');
  });

  it('keeps imported members when the file names the campaign id', async () => {
    const file = await writeJson('friday-with-id.json', definition({ id: campaignId, name: 'Friday lunch rush' }));
    const { code, stdout } = await cli(['campaign', 'apply', file]);
    expect(code).toBe(0);
    expect(stdout).toContain(`Updated campaign ${campaignId} "Friday lunch rush"`);
    expect(stdout).toMatch(new RegExp(`^ {2}${segmentIds.facebook} {2}facebook +Lead form +3$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^ {2}${segmentIds.point_of_sale} {2}point_of_sale +Square regulars +2$`, 'm'));
  });

  it('schedules the campaign and shows its queued sends', async () => {
    const scheduled = await cli(['campaign', 'schedule', campaignId]);
    expect(scheduled.stderr).toBe('');
    expect(scheduled.code).toBe(0);
    expect(scheduled.stdout).toBe(`Campaign ${campaignId} "Friday lunch rush" is now scheduled\n`);

    const { code, stdout } = await cli(['campaign', 'status', campaignId]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^ {2}status {5}scheduled$/m);
    expect(stdout).toMatch(/^ {2}goal {7}reach 100, convert 10$/m);
    expect(stdout).toMatch(/^ {2}reached {4}0 of 100 \(0%\)$/m);
    expect(stdout).toMatch(/^ {2}converted {2}0 of 10 \(0%\)$/m);
    expect(stdout).toMatch(new RegExp(`^ {2}next send {2}${day}T11:00:00 ${TIME_ZONE} \\(${day}T\\d{2}:00:00\\.000Z\\)$`, 'm'));
    expect(stdout).toContain('Segments and their sends by status');
    expect(stdout).toMatch(new RegExp(`^ {2}${segmentIds.facebook} {2}facebook +Lead form +3 +3$`, 'm'));
    expect(stdout).toMatch(new RegExp(`^ {2}${segmentIds.point_of_sale} {2}point_of_sale +Square regulars +2 +0$`, 'm'));

    const json = await cli(['campaign', 'status', campaignId, '--json']);
    expect(json.code).toBe(0);
    const summary = JSON.parse(json.stdout);
    expect(summary.campaign).toMatchObject({ id: campaignId, status: 'scheduled', timeZone: TIME_ZONE });
    expect(summary.sends).toEqual({ queued: 3 });
    expect(summary.segments.find((segment: { id: string }) => segment.id === segmentIds.facebook)).toMatchObject({ members: 3, sends: { queued: 3 } });
  });

  it('lists, ends and refuses to reschedule a campaign', async () => {
    const file = await writeJson('saturday.json', definition({ name: 'Saturday brunch', segments: [] }));
    const applied = await cli(['campaign', 'apply', file, '--schedule']);
    expect(applied.code).toBe(0);
    const saturdayId = new RegExp(`^Created campaign (${UUID}) "Saturday brunch"$`, 'm').exec(applied.stdout)![1]!;
    expect(applied.stdout).toContain(`Scheduled campaign ${saturdayId}: status scheduled`);

    // Applying the file again is meant as an edit of the scheduled campaign: it stops and says how.
    const reapplied = await cli(['campaign', 'apply', file]);
    expect(reapplied.code).toBe(1);
    expect(reapplied.stderr).toContain(
      `campaign ${saturdayId} named "Saturday brunch" is scheduled; run "cloudburst campaign unschedule ${saturdayId}" first to edit it, or pass --new`,
    );
    // Scheduling again is a no-op.
    const twice = await cli(['campaign', 'schedule', saturdayId]);
    expect(twice.code).toBe(0);

    const ended = await cli(['campaign', 'end', saturdayId]);
    expect(ended.code).toBe(0);
    expect(ended.stdout).toBe(`Campaign ${saturdayId} "Saturday brunch" is now ended\n`);

    const list = await cli(['campaign', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(new RegExp(`^ {2}${saturdayId} {2}ended +Saturday brunch +${day}T11:00 to ${day}T14:00 {2}${TIME_ZONE} +0$`, 'm'));
    expect(list.stdout).toMatch(new RegExp(`^ {2}${campaignId} {2}scheduled +Friday lunch rush +${day}T11:00 to ${day}T14:00 {2}${TIME_ZONE} +5$`, 'm'));

    const again = await cli(['campaign', 'schedule', saturdayId]);
    expect(again.code).toBe(1);
    expect(again.stderr).toBe(
      `cloudburst: changing campaign ${saturdayId} to scheduled failed: campaign ${saturdayId} cannot go from ended to scheduled: ended is final (HTTP 409 conflict)\n` +
        '  field: status\n' +
        '  value: "scheduled"\n',
    );
  });

  it('unschedules the campaign back to draft', async () => {
    const { code, stdout } = await cli(['campaign', 'unschedule', campaignId]);
    expect(code).toBe(0);
    expect(stdout).toBe(`Campaign ${campaignId} "Friday lunch rush" is now draft\n`);

    const json = await cli(['campaign', 'status', campaignId, '--json']);
    const summary = JSON.parse(json.stdout);
    expect(summary.campaign.status).toBe('draft');
    expect(summary.sends).toEqual({ cancelled: 3 });
    expect(summary.nextSendAt).toBeNull();
  });

  it('rejects invalid arguments naming the option', async () => {
    const csv = path.join(dir, 'leads.csv');
    const cases: Array<[string[], string]> = [
      [['import', '--segment', segmentIds.facebook!, csv, '--colour', 'red'], `cloudburst: Unknown option '--colour'.`],
      [['import', '--segment', segmentIds.facebook!, csv, '--format', 'xml'], 'cloudburst: invalid --format: "xml" (expected one of auto, meta-leads, square, x-followers, csv, json)\n'],
      [['import', '--segment', segmentIds.facebook!], 'cloudburst: missing FILE: cloudburst import --segment SEGMENT_ID FILE (see "cloudburst import --help")\n'],
      [['import', csv], 'cloudburst: missing --segment (see "cloudburst import --help")\n'],
      [['import', '--segment', 'facebook', csv], 'cloudburst: invalid --segment: "facebook" (expected a UUID such as 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d)\n'],
      [['import', '--segment', segmentIds.facebook!, csv, '--consent', 'sms,fax'], 'cloudburst: invalid --consent: "fax" in "sms,fax" (expected a comma-separated list of push, sms, x, messenger, email)\n'],
      [['import', '--segment', segmentIds.facebook!, csv, '--country', 'USA'], 'cloudburst: invalid --country: "USA" (expected a two-letter ISO 3166-1 country code such as US)\n'],
      [['campaign', 'apply'], 'cloudburst: missing FILE: cloudburst campaign apply FILE (see "cloudburst campaign --help")\n'],
      [['campaign', 'status', 'friday'], 'cloudburst: invalid campaign ID: "friday" (expected a UUID such as 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d)\n'],
      [['campaign', 'publish', campaignId], 'cloudburst: unknown campaign subcommand "publish" (expected apply, schedule, unschedule, end, status or list; see "cloudburst campaign --help")\n'],
    ];
    // One at a time, so ten Node processes do not compete with the server under test for the CPU.
    for (const [args, expected] of cases) {
      const result = await cli(args);
      expect({ args, code: result.code }).toEqual({ args, code: 1 });
      if (expected.endsWith('\n')) expect(result.stderr).toBe(expected);
      else expect(result.stderr.startsWith(expected), result.stderr).toBe(true);
      expect(result.stdout).toBe('');
    }
  }, 120_000);

  it('reports a wrong token without printing it', async () => {
    const token = 'not-the-admin-token-4711';
    const { code, stderr } = await cli(['campaign', 'list', '--token', token]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/^cloudburst: campaign list failed: .* \(HTTP 401 unauthorized\)\n/);
    expect(stderr).toContain('check --token, $ADMIN_TOKEN or the admin-token file of the server');
    expect(stderr).not.toContain(token);
  });

  it('status lists parked and skipped sends with reasons', async () => {
    const fans = { source: 'facebook', name: 'Page fans', templates: { sms: { body: 'Hi {{firstName|there}}! {{benefit}} at {{truck}} with {{code}}' } } };
    const file = await writeJson('sunday.json', definition({ name: 'Sunday fans', segments: [fans] }));
    const applied = await cli(['campaign', 'apply', file]);
    expect(applied.code, applied.stderr).toBe(0);
    const sundayId = new RegExp(`^Created campaign (${UUID}) "Sunday fans"$`, 'm').exec(applied.stdout)![1]!;
    const fansId = new RegExp(`^ {2}(${UUID}) {2}facebook +Page fans +0$`, 'm').exec(applied.stdout)![1]!;
    const consented = path.join(dir, 'fans-consented.csv');
    await writeFile(consented, ['first_name,phone', 'Ida,+14155552681', 'Jo,+14155552682'].join('\n'));
    const unconsented = path.join(dir, 'fans-unconsented.csv');
    await writeFile(unconsented, ['first_name,phone', 'Kit,+14155552683'].join('\n'));
    expect((await cli(['import', '--segment', fansId, consented, '--consent', 'sms'])).code).toBe(0);
    expect((await cli(['import', '--segment', fansId, unconsented])).code).toBe(0);
    expect((await adminRequest(server.url, 'POST', `/v1/admin/campaigns/${sundayId}/status`, { status: 'scheduled' })).status).toBe(200);

    const { db } = server.services;
    const jobs = await db.query<{ id: string; phone: string }>(
      `SELECT j.id, c.phone_e164 AS phone FROM send_jobs j JOIN contacts c ON c.id = j.contact_id WHERE j.campaign_id = $1 ORDER BY c.phone_e164`,
      [sundayId],
    );
    expect(jobs.map((job) => job.phone)).toEqual(['+14155552681', '+14155552682', '+14155552683']);
    const [idaJob, , kitJob] = jobs.map((job) => job.id);
    // Ida's job looks claimed and cleared by a process that stopped mid-send, so the scheduler parks it.
    await db.query(`UPDATE send_jobs SET status = 'sending', attempts = 1, cleared_at = now(), lease_until = now() - interval '1 minute' WHERE id = $1`, [idaJob]);
    // Kit's job falls due now, and Kit gave no SMS consent, so the scheduler skips it.
    await db.query(`UPDATE send_jobs SET next_attempt_at = now() - interval '1 second' WHERE id = $1`, [kitJob]);
    await waitForSends(sundayId, { queued: 1, parked: 1, skipped: 1 });

    const { code, stdout, stderr } = await cli(['campaign', 'status', sundayId]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toBe(`Campaign ${sundayId} "Sunday fans"`);
    expect(lines).toContain('  status     scheduled');
    expect(lines).toContain('Segments and their sends by status');
    expect(lines).toContain(`  ${'id'.padEnd(36)}  source    name           members  queued  parked  skipped`);
    expect(lines).toContain(`  ${fansId}  facebook  Page fans            3       1       1        1`);
    expect(stdout).toContain(
      [
        '',
        'Parked sends (1; POST /v1/admin/sends/ID/retry queues one again)',
        `  ${'id'.padEnd(36)}  segment    kind  reason`,
        `  ${idaJob}  Page fans  sms   outcome unknown: the process stopped while sending; not sent again automatically to avoid a duplicate`,
        '',
        'Skipped sends (1; POST /v1/admin/sends/ID/retry queues one again)',
        `  ${'id'.padEnd(36)}  segment    kind  reason`,
        `  ${kitJob}  Page fans  sms   no consent on record for sms`,
        '',
      ].join('\n'),
    );
    expect(stdout.endsWith(`  ${kitJob}  Page fans  sms   no consent on record for sms\n`)).toBe(true);

    const json = await cli(['campaign', 'status', sundayId, '--json']);
    expect(JSON.parse(json.stdout).sends).toEqual({ queued: 1, parked: 1, skipped: 1 });
  });
});
