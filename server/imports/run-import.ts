import { randomUUID } from 'node:crypto';
import type { ChannelName } from '../../channels/types.js';
import { CloudburstError } from '../../common/errors.js';
import type { Logger } from '../../common/logger.js';
import { isPhoneCountry } from '../../contacts/phone.js';
import {
  importContacts,
  type DetectedFormat,
  type ImportFormat,
  type ImportInput,
  type ImportProgress,
  type RowIssue,
} from '../../contacts/import/import.js';
import { transactionRetryingRaces } from '../../store/race-retry.js';
import type { Db, Queryable } from '../../store/types.js';
import { holdsFences } from '../campaigns/status.js';
import { getCampaign } from '../repos/campaigns.js';
import { recordConsents, upsertContacts, type ConsentChange } from '../repos/contacts.js';
import { finishImport, getImport, insertImport, insertImportIssues, updateImportProgress, type ImportRecord } from '../repos/imports.js';
import { addSegmentMembers, getSegment, type Segment } from '../repos/segments.js';
import { queueCampaignSends } from '../repos/send-jobs.js';
import { describeStop, stoppedBy } from './import-stop.js';

export interface ImportRequest {
  segmentId: string;
  format: ImportFormat;
  defaultCountry: string;
  fileName?: string;
  /** Client-chosen id, so a console can follow the progress while it still uploads. */
  importId?: string;
  /**
   * Channels the marketer confirms every person in the list agreed to be contacted
   * on. Rows that state their own consent for a channel keep what they state.
   */
  consentChannels?: ChannelName[];
}

/** Contacts per transaction: small enough that requests waiting on the embedded store are not held long. */
const BATCH_SIZE = 250;

/**
 * Batches between two refreshes of the planner's statistics. PGlite runs no autovacuum, so
 * without them the planner keeps the plan of an empty table and scans every contact for
 * each batch's lookup, which makes a large import slow down as it grows.
 */
const ANALYZE_EVERY_BATCHES = 100;

/** Which segment sources each detected format may feed, so a follower list does not land in the sign-ups by mistake. */
const FORMAT_SOURCES: Record<string, readonly string[]> = {
  'meta-leads': ['facebook'],
  square: ['point_of_sale'],
  'x-followers': ['twitter'],
};

/**
 * Reads a contact list into a segment, a batch at a time: each batch's contacts,
 * memberships, consent and row issues are written in one transaction, so an import
 * stopped half way keeps every batch before the fault, and the progress row says how
 * far it got. When the campaign is already scheduled, the new members' sends are queued.
 *
 * The import record is created once the start of the file shows its format, so a
 * file that the segment cannot take is rejected with no record left behind.
 *
 * @throws CloudburstError `invalid_input` with field `format` and the format as
 * its value, requested or detected, when the segment's source cannot take it
 */
export async function runImport(db: Db, request: ImportRequest, input: ImportInput, logger: Logger): Promise<ImportRecord> {
  const segment = await getSegment(db, request.segmentId);
  if (!segment) throw new CloudburstError('not_found', `segment ${request.segmentId} not found`, { field: 'segmentId', value: request.segmentId });
  if (segment.source === 'nearby') {
    throw new CloudburstError('invalid_input', `invalid segmentId: segment "${segment.name}" is the live nearby segment, which fills itself`, {
      field: 'segmentId',
      value: request.segmentId,
    });
  }
  if (request.format !== 'auto') {
    const mismatch = formatMismatch(request.format, segment, false);
    if (mismatch !== undefined) throw mismatch;
  }

  if (!isPhoneCountry(request.defaultCountry)) {
    throw new CloudburstError('invalid_input', `invalid defaultCountry: "${request.defaultCountry}" (expected a country with a telephone numbering plan, like "US" or "CN")`, {
      field: 'defaultCountry',
      value: request.defaultCountry,
    });
  }
  const importId = request.importId ?? randomUUID();
  if (request.importId && (await getImport(db, request.importId))) {
    throw new CloudburstError('conflict', `import ${request.importId} already exists; choose a new importId`, { field: 'importId', value: request.importId });
  }
  const source = `import ${request.fileName ? JSON.stringify(request.fileName) : '(unnamed file)'} ${importId}`;
  const log = logger.child({ component: 'import', importId, segmentId: segment.id });
  let recorded = false;
  const createRecord = async () => {
    await insertImport(db, { id: importId, segmentId: segment.id, format: request.format, fileName: request.fileName, defaultCountry: request.defaultCountry });
    recorded = true;
    log.info({ format: request.format, fileName: request.fileName }, 'import started');
  };

  let progress: ImportProgress = { bytesRead: 0, rowsRead: 0, contacts: 0, issues: 0 };
  let issueSeq = 0;
  let added = 0;
  let rejectedFormat: CloudburstError | undefined;
  const run = importContacts(input, {
    format: request.format,
    defaultCountry: request.defaultCountry,
    batchSize: BATCH_SIZE,
    onProgress: (next) => {
      progress = next;
    },
    onFormat: async (format) => {
      rejectedFormat = request.format === 'auto' ? formatMismatch(format, segment, true) : undefined;
      if (rejectedFormat !== undefined) throw rejectedFormat;
      await createRecord();
    },
  });

  let failure: Error | undefined;
  let batches = 0;
  try {
    for await (const batch of run.batches) {
      // A simultaneous import or sign-up may create one of this batch's contacts first; the rerun matches it.
      added += await transactionRetryingRaces(db, async (tx) => {
        const ids = await upsertContacts(tx, batch.contacts);
        const newMembers = await addSegmentMembers(tx, segment.id, ids, importId);
        await recordConsents(tx, consentChanges(batch.contacts, ids, request.consentChannels ?? [], source));
        await insertImportIssues(tx, importId, issueSeq, batch.issues.map(toStoredIssue));
        await updateImportProgress(tx, importId, { ...progress, added: added + newMembers });
        return newMembers;
      });
      issueSeq += batch.issues.length;
      batches += 1;
      if (batches % ANALYZE_EVERY_BATCHES === 1) await db.query('ANALYZE contacts, segment_members, consents');
      // Let the requests waiting behind this import's transactions run between batches.
      await new Promise((resolve) => setImmediate(resolve));
    }
  } catch (error) {
    failure = error as Error;
  }

  const summary = await run.summary;
  if (rejectedFormat !== undefined && failure === rejectedFormat) throw rejectedFormat;
  // An input that failed before its format was known leaves a record too.
  if (!recorded) await createRecord();

  const error = summary.error ?? failure;
  const stored = error === undefined ? { ...summary, added } : { ...summary, added, stoppedBy: stoppedBy(error), error: describeStop(error, summary) };
  const record = await finishImport(db, importId, stored);
  if (stored.error) {
    log.warn({ err: stored.error, rowsRead: summary.rowsRead, contacts: summary.contacts }, 'import stopped early, keeping the batches before the fault');
  } else {
    log.info({ rowsRead: summary.rowsRead, contacts: summary.contacts, added, errors: summary.errors, duplicates: summary.duplicates }, 'import finished');
  }
  await queueSendsOfNewMembers(db, segment.campaignId);
  return record;
}

/** Returns the error for a format whose export feeds only segments of another source, or undefined when the segment takes it. */
function formatMismatch(format: DetectedFormat, segment: Segment, detected: boolean): CloudburstError | undefined {
  const sources = FORMAT_SOURCES[format];
  if (sources === undefined || sources.includes(segment.source)) return undefined;
  const file = detected ? `the file is a ${format} export, which` : `"${format}"`;
  return new CloudburstError(
    'invalid_input',
    `invalid format: ${file} goes only into a ${sources.join(' or ')} segment, but segment ${JSON.stringify(segment.name)} is a ${segment.source} segment`,
    { field: 'format', value: format },
  );
}

/**
 * Puts a JSON issue's element number in front of its reason, because a stored
 * issue keeps only the line, and a JSON file written on one line has every element on line 1.
 */
function toStoredIssue(issue: RowIssue): RowIssue {
  return issue.element === undefined ? issue : { ...issue, reason: `element ${issue.element}: ${issue.reason}` };
}

async function queueSendsOfNewMembers(db: Queryable, campaignId: string): Promise<void> {
  const campaign = await getCampaign(db, campaignId);
  if (!campaign || !holdsFences(campaign.status)) return;
  const [row] = await db.query<{ send_at: Date | string | null }>(`SELECT min(send_at) AS send_at FROM send_jobs WHERE campaign_id = $1`, [campaignId]);
  const at = row?.send_at ? Math.max(new Date(row.send_at).getTime(), Date.now()) : Date.now();
  await queueCampaignSends(db, campaign, at);
}

/** The consent each row states, and the marketer's confirmation for the channels the row does not mention. */
function consentChanges(
  contacts: Array<{ consent: Partial<Record<string, boolean>> }>,
  ids: string[],
  confirmed: ChannelName[],
  source: string,
): ConsentChange[] {
  const at = Date.now();
  const changes: ConsentChange[] = [];
  contacts.forEach((contact, index) => {
    const channels = new Set<ChannelName>([...confirmed, ...(Object.keys(contact.consent) as ChannelName[])]);
    for (const channel of channels) {
      const stated = contact.consent[channel];
      changes.push({ contactId: ids[index]!, channel, granted: stated ?? true, at, source });
    }
  });
  return changes;
}

export type { RowIssue };
