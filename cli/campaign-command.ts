import type { AdminClient } from '../demo/admin-client.js';
import type { CampaignSummary } from '../server/campaigns/summary.js';
import type { Campaign } from '../server/repos/campaigns.js';
import type { SendJob, SendStatus } from '../server/repos/send-jobs.js';
import { instantToLocal } from '../server/time-zone.js';
import { assertPositionals, connect, CONNECTION_HELP, explainApiError, formatCount, formatTable, parseCommandArgs, uuidArgument } from './admin-http.js';
import { readJsonObjectFile } from './json-file.js';

const HELP_COMMAND = 'cloudburst campaign --help';

/** Parked and skipped sends listed by `campaign status`. */
const CLOSED_SENDS_SHOWN = 10;

const HELP = `Usage: cloudburst campaign <subcommand> [options]

Prepares, schedules and watches campaigns on a running server (start one with
"cloudburst start").

Subcommands:
  apply FILE [--schedule] [--new]
                           Create or update a draft from FILE, a campaign definition as
                           JSON (the body of POST /v1/admin/campaigns). When FILE has an
                           "id", or one draft has the same "name", that draft is updated
                           and its imported segment members stay; otherwise a new draft is
                           created ("status": "draft" unless FILE sets one). Prints the
                           segment ids that "cloudburst import --segment" takes.
                           --schedule then schedules the campaign. When a campaign of
                           that name is scheduled or active, apply stops and says how to
                           edit it; --new creates another campaign instead.
  schedule ID              Schedule a draft: creates its fences, shared codes and queued sends.
  unschedule ID            Return a scheduled campaign to draft; cancels its queued sends.
  end ID                   End a campaign; removes its fences and cancels its queued sends.
  status ID [--json]       Print the status, window, goal against people reached and codes
                           redeemed, members and sends of each segment, the next send, and
                           why sends were parked or skipped (first ${CLOSED_SENDS_SHOWN} of each).
                           --json prints the summary as GET /campaigns/:id/summary returns it.
  list                     List the campaigns, newest first.

Options:
${CONNECTION_HELP}

Examples:
  cloudburst campaign apply friday-lunch.json
  cloudburst campaign apply friday-lunch.json --schedule
  cloudburst campaign status 0b6f1c2e-8d3a-4f5b-9c7d-2e1f0a9b8c7d
`;

/** The order sends move through, for the columns of the status table. */
const SEND_STATUSES: readonly SendStatus[] = ['queued', 'sending', 'sent', 'delivered', 'failed', 'parked', 'skipped', 'cancelled'];

const STATUS_CHANGES = { schedule: 'scheduled', unschedule: 'draft', end: 'ended' } as const;

/** Runs `cloudburst campaign <subcommand>` and returns the exit code. */
export async function runCampaignCommand(argv: string[]): Promise<number> {
  const [subcommand, ...rest] = argv;
  switch (subcommand) {
    case 'apply':
      return applyCampaign(rest);
    case 'schedule':
    case 'unschedule':
    case 'end':
      return changeStatus(subcommand, rest);
    case 'status':
      return printStatus(rest);
    case 'list':
      return listCampaigns(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(HELP);
      return subcommand === undefined ? 1 : 0;
    default:
      throw new Error(`unknown campaign subcommand ${JSON.stringify(subcommand)} (expected apply, schedule, unschedule, end, status or list; see "${HELP_COMMAND}")`);
  }
}

// ─── apply ──────────────────────────────────────────────────────────────────

async function applyCampaign(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { schedule: { type: 'boolean' }, new: { type: 'boolean' } }, HELP_COMMAND);
  if (values.help) return printHelp();
  assertPositionals(positionals, 1, HELP_COMMAND);
  const file = positionals[0];
  if (file === undefined) throw new Error(`missing FILE: cloudburst campaign apply FILE (see "${HELP_COMMAND}")`);

  const { id: fileId, ...definition } = await readJsonObjectFile(file, 'a campaign definition such as {"name": ..., "truckIds": ..., "window": ...}');
  const fileStatus = definition.status;
  if (values.schedule && fileStatus !== undefined && fileStatus !== 'draft') {
    throw new Error(`invalid --schedule: ${file} sets "status": ${JSON.stringify(fileStatus)}; remove --schedule, or set "status": "draft" in the file`);
  }
  const id = fileId === undefined ? undefined : uuidArgument(`"id" in ${file}`, typeof fileId === 'string' ? fileId : JSON.stringify(fileId), HELP_COMMAND);
  const admin = await connect(values);

  let campaign: Campaign;
  let created: boolean;
  try {
    const draftId = id ?? (await findDraftByName(admin, definition.name, file, values.new === true));
    if (draftId !== undefined) {
      ({ campaign } = await admin.request<{ campaign: Campaign }>('PUT', `/v1/admin/campaigns/${draftId}`, definition));
      created = false;
    } else {
      ({ campaign } = await admin.request<{ campaign: Campaign }>('POST', '/v1/admin/campaigns', { ...definition, status: fileStatus ?? 'draft' }));
      created = true;
    }
  } catch (error) {
    throw explainApiError(error, `campaign apply failed for ${file}`, file);
  }

  const lines = [`${created ? 'Created' : 'Updated'} campaign ${campaign.id} "${campaign.name}"`, ...describeCampaign(campaign)];
  process.stdout.write(`${lines.join('\n')}\n`);

  if (values.schedule) {
    const scheduled = await postStatus(admin, campaign.id, 'scheduled');
    process.stdout.write(`\nScheduled campaign ${scheduled.id}: status ${scheduled.status}\n`);
    process.stdout.write(`${segmentLines(scheduled, 'Segments and their shared codes').join('\n')}\n`);
  }
  return 0;
}

/**
 * Returns the id of the one draft named `name`. When a campaign of that name is
 * scheduled or active, applying the file again is almost always meant as an edit, so it
 * stops and says how to edit it, unless `createAnother` (--new). A campaign of that
 * name that has ended is left alone: a new draft is created, and a note reports it.
 */
async function findDraftByName(admin: AdminClient, name: unknown, file: string, createAnother: boolean): Promise<string | undefined> {
  // A missing or invalid name matches nothing, so the POST reports it.
  if (typeof name !== 'string' || name.trim() === '') return undefined;
  const { campaigns } = await admin.request<{ campaigns: Campaign[] }>('GET', '/v1/admin/campaigns');
  const named = campaigns.filter((campaign) => campaign.name === name.trim());
  const drafts = named.filter((campaign) => campaign.status === 'draft');

  if (drafts.length > 1) {
    throw new Error(
      `campaign apply failed for ${file}: ${drafts.length} drafts are named ${JSON.stringify(name.trim())} ` +
        `(${drafts.map((draft) => draft.id).join(', ')}); add "id" to the file to pick the one to update`,
    );
  }
  const running = named.find((campaign) => campaign.status === 'scheduled' || campaign.status === 'active');
  if (drafts.length === 0 && running && !createAnother) {
    throw new Error(
      `campaign apply failed for ${file}: campaign ${running.id} named ${JSON.stringify(name.trim())} is ${running.status}; ` +
        `run "cloudburst campaign unschedule ${running.id}" first to edit it, or pass --new to create another campaign`,
    );
  }
  if (drafts.length === 0 && named.length > 0) {
    const others = named.map((campaign) => `${campaign.id} (${campaign.status})`).join(', ');
    process.stderr.write(`note: no draft is named ${JSON.stringify(name.trim())}, only ${others}, so a new draft is created\n`);
  }
  return drafts[0]?.id;
}

function describeCampaign(campaign: Campaign): string[] {
  return [
    ...formatFields([
      ['status', campaign.status],
      ['window', `${campaign.window.start} to ${campaign.window.end} (${campaign.timeZone})`],
      ['channels', campaign.channels.join(', ')],
    ]),
    '',
    ...segmentLines(campaign),
  ];
}

function segmentLines(campaign: Campaign, title = 'Segments (import contacts with "cloudburst import --segment ID FILE")'): string[] {
  const rows = campaign.segments.map((segment) => [segment.id, segment.source, segment.name, formatCount(segment.members), segment.sharedCode ?? '']);
  return [title, ...formatTable(['id', 'source', 'name', 'members', 'code'], rows, [3])];
}

// ─── status changes ─────────────────────────────────────────────────────────

async function changeStatus(subcommand: keyof typeof STATUS_CHANGES, argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {}, HELP_COMMAND);
  if (values.help) return printHelp();
  assertPositionals(positionals, 1, HELP_COMMAND);
  const id = uuidArgument('campaign ID', positionals[0], HELP_COMMAND);
  const admin = await connect(values);

  const campaign = await postStatus(admin, id, STATUS_CHANGES[subcommand]);
  process.stdout.write(`Campaign ${campaign.id} "${campaign.name}" is now ${campaign.status}\n`);
  return 0;
}

async function postStatus(admin: AdminClient, id: string, status: Campaign['status']): Promise<Campaign> {
  try {
    const { campaign } = await admin.request<{ campaign: Campaign }>('POST', `/v1/admin/campaigns/${id}/status`, { status });
    return campaign;
  } catch (error) {
    throw explainApiError(error, `changing campaign ${id} to ${status} failed`);
  }
}

// ─── status ─────────────────────────────────────────────────────────────────

async function printStatus(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, { json: { type: 'boolean' } }, HELP_COMMAND);
  if (values.help) return printHelp();
  assertPositionals(positionals, 1, HELP_COMMAND);
  const id = uuidArgument('campaign ID', positionals[0], HELP_COMMAND);
  const admin = await connect(values);

  try {
    const summary = await admin.request<CampaignSummary>('GET', `/v1/admin/campaigns/${id}/summary`);
    if (values.json) {
      process.stdout.write(`${JSON.stringify(summary)}\n`);
      return 0;
    }
    const closed: Array<{ status: 'parked' | 'skipped'; sends: SendJob[] }> = [];
    for (const status of ['parked', 'skipped'] as const) {
      if ((summary.sends[status] ?? 0) === 0) continue;
      const { sends } = await admin.request<{ sends: SendJob[] }>('GET', `/v1/admin/campaigns/${id}/sends?status=${status}&limit=${CLOSED_SENDS_SHOWN}`);
      closed.push({ status, sends });
    }
    process.stdout.write(`${formatSummary(summary, closed).join('\n')}\n`);
  } catch (error) {
    throw explainApiError(error, `campaign status failed for ${id}`);
  }
  return 0;
}

function formatSummary(summary: CampaignSummary, closed: Array<{ status: 'parked' | 'skipped'; sends: SendJob[] }>): string[] {
  const { campaign } = summary;
  const { goal } = campaign;
  const lines = [`Campaign ${campaign.id} "${campaign.name}"`];
  lines.push(
    ...formatFields([
      ['status', campaign.status],
      ['window', `${campaign.window.start} to ${campaign.window.end} (${campaign.timeZone})`],
      ['channels', campaign.channels.join(', ')],
      ['goal', goal === null ? 'none set' : describeGoal(goal)],
      ['reached', progressAgainst(summary.reached, goal?.reach)],
      ['converted', progressAgainst(summary.converted, goal?.convert)],
      ['offers', formatCount(summary.offers)],
      ['next send', summary.nextSendAt === null ? 'none queued' : `${instantToLocal(Date.parse(summary.nextSendAt), campaign.timeZone)} ${campaign.timeZone} (${summary.nextSendAt})`],
    ]),
  );

  const statuses = SEND_STATUSES.filter((status) => (summary.sends[status] ?? 0) > 0);
  const rows = summary.segments.map((segment) => [
    segment.id,
    segment.source,
    segment.name,
    formatCount(segment.members),
    ...statuses.map((status) => formatCount(segment.sends[status] ?? 0)),
  ]);
  const numeric = [3, ...statuses.map((_, index) => 4 + index)];
  lines.push('', statuses.length === 0 ? 'Segments (no sends yet)' : 'Segments and their sends by status');
  lines.push(...formatTable(['id', 'source', 'name', 'members', ...statuses], rows, numeric));

  const segmentNames = new Map(summary.segments.map((segment) => [segment.id, segment.name]));
  for (const { status, sends } of closed) {
    const total = summary.sends[status] ?? 0;
    const range = total > sends.length ? `first ${sends.length} of ${formatCount(total)}` : `${sends.length}`;
    lines.push('', `${status === 'parked' ? 'Parked' : 'Skipped'} sends (${range}; POST /v1/admin/sends/ID/retry queues one again)`);
    lines.push(...formatTable(['id', 'segment', 'kind', 'reason'], sends.map((send) => [send.id, segmentNames.get(send.segmentId) ?? send.segmentId, send.kind, send.reason ?? ''])));
  }
  return lines;
}

function describeGoal(goal: NonNullable<CampaignSummary['campaign']['goal']>): string {
  const parts = [`reach ${formatCount(goal.reach)}`, `convert ${formatCount(goal.convert)}`];
  if (goal.revenueMinor !== undefined && goal.currency !== undefined) {
    const format = new Intl.NumberFormat('en-US', { style: 'currency', currency: goal.currency });
    // Minor units per major unit follow the currency: 100 for USD, 1 for JPY.
    const decimals = format.resolvedOptions().maximumFractionDigits ?? 2;
    parts.push(`revenue ${format.format(goal.revenueMinor / 10 ** decimals)}`);
  }
  return parts.join(', ');
}

function progressAgainst(count: number, target: number | undefined): string {
  if (target === undefined) return formatCount(count);
  if (target === 0) return `${formatCount(count)} of ${formatCount(target)}`;
  return `${formatCount(count)} of ${formatCount(target)} (${Math.round((count / target) * 100)}%)`;
}

// ─── list ───────────────────────────────────────────────────────────────────

async function listCampaigns(argv: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(argv, {}, HELP_COMMAND);
  if (values.help) return printHelp();
  assertPositionals(positionals, 0, HELP_COMMAND);
  const admin = await connect(values);

  let campaigns: Campaign[];
  try {
    ({ campaigns } = await admin.request<{ campaigns: Campaign[] }>('GET', '/v1/admin/campaigns'));
  } catch (error) {
    throw explainApiError(error, 'campaign list failed');
  }
  if (campaigns.length === 0) {
    process.stdout.write('No campaigns yet; create one with "cloudburst campaign apply FILE".\n');
    return 0;
  }
  const rows = campaigns.map((campaign) => [
    campaign.id,
    campaign.status,
    campaign.name,
    `${campaign.window.start} to ${campaign.window.end}`,
    campaign.timeZone,
    formatCount(campaign.segments.reduce((sum, segment) => sum + segment.members, 0)),
  ]);
  process.stdout.write(`${formatTable(['id', 'status', 'name', 'window (local)', 'time zone', 'members'], rows, [5]).join('\n')}\n`);
  return 0;
}

// ─── output ─────────────────────────────────────────────────────────────────

function printHelp(): number {
  process.stdout.write(HELP);
  return 0;
}

/** Formats label and value pairs as two aligned columns. */
function formatFields(fields: Array<[string, string]>): string[] {
  const width = Math.max(...fields.map(([label]) => label.length));
  return fields.map(([label, value]) => `  ${label.padEnd(width)}  ${value}`);
}
