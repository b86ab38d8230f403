import { CloudburstError, invalidInput } from '../../common/errors.js';
import type { Queryable } from '../../store/types.js';
import { generateCode, generateSharedCode, parseChosenCode } from '../codes.js';

/** Draws before giving up on a free code; at 4 random symbols a collision is already rare. */
const MAX_CODE_ATTEMPTS = 8;

const UNIQUE_VIOLATION = '23505';

export interface CodeWindow {
  /** Epoch milliseconds from which the code is accepted. */
  validFrom: number;
  /** Epoch milliseconds from which the code is no longer accepted. */
  validUntil: number;
}

export interface SegmentCodeRequest extends CodeWindow {
  campaignId: string;
  segmentId: string;
  /** The marketer's own code; a generated one when absent. */
  code?: string;
  /** A segment or campaign name (or a ready prefix) for the generated code; the segment's name when absent. */
  prefix?: string;
}

export interface RecipientCodeRequest extends CodeWindow {
  campaignId: string;
  segmentId: string;
  contactId?: string;
  deviceId?: string;
}

export interface IssuedCode {
  code: string;
  /** False when the segment or recipient already had this code. */
  created: boolean;
}

export interface CodeInfo {
  code: string;
  campaign: { id: string; name: string; status: string };
  segment: { id: string; name: string } | null;
  singleUse: boolean;
  recipient: { contactId: string | null; deviceId: string | null };
  validFrom: string;
  validUntil: string;
  /** When a single-use code was redeemed; always null for a shared code. */
  redeemedAt: string | null;
  /** Redemptions so far: 0 or 1 for a single-use code, one per customer for a shared code. */
  redemptions: number;
}

/**
 * Creates the segment's shared code (not single-use), also recorded in
 * `segments.shared_code`, and returns it. When the segment already has one, the
 * existing code gets the new window and is returned, unless the marketer requests a
 * different code. A code recorded in `segments.shared_code` without its row counts as
 * the marketer's choice. A replaced code is deleted while the campaign is a draft; later
 * it stays valid, because messages may already carry it.
 *
 * @throws CloudburstError `not_found` for a segment outside the campaign,
 *   `conflict` when the marketer's code belongs to something else,
 *   `invalid_input` for a malformed code or window
 */
export async function ensureSegmentCode(db: Queryable, request: SegmentCodeRequest): Promise<IssuedCode> {
  const chosen = request.code === undefined ? undefined : parseChosenCode('code', request.code);
  checkWindow(request);

  for (let attempt = 1; attempt <= MAX_CODE_ATTEMPTS; attempt++) {
    const segment = await readSegment(db, request.campaignId, request.segmentId);
    let wanted = chosen;
    if (segment.sharedCode !== null && (chosen === undefined || chosen === segment.sharedCode)) {
      const updated = await db.query(
        `UPDATE codes SET valid_from = $3::timestamptz, valid_until = $4::timestamptz
         WHERE code = $1 AND segment_id = $2 AND NOT single_use
         RETURNING code`,
        [segment.sharedCode, request.segmentId, iso(request.validFrom), iso(request.validUntil)],
      );
      if (updated.length > 0) return { code: segment.sharedCode, created: false };
      // The segment records a code without its row: a marketer's choice written before
      // the campaign went live, so it is created as if chosen here.
      wanted = parseChosenCode('code', segment.sharedCode);
    }

    const code = wanted ?? generateSharedCode(request.prefix ?? segment.name);
    const outcome = await pointSegmentAt(db, request, segment.sharedCode, code);
    if (outcome === 'created') return { code, created: true };
    if (outcome === 'taken' && wanted !== undefined) throw codeTaken(code);
    // A generated code was taken, or another caller changed the segment's code meanwhile: look again.
  }
  throw new CloudburstError('unavailable', `no free shared code for segment ${request.segmentId} after ${MAX_CODE_ATTEMPTS} attempts; retry later`, {
    retriable: true,
    context: { segmentId: request.segmentId },
  });
}

/**
 * Points the segment at `code` and inserts the code in one statement, provided the
 * segment still has `previous` and no code has that value.
 */
async function pointSegmentAt(
  db: Queryable,
  request: SegmentCodeRequest,
  previous: string | null,
  code: string,
): Promise<'created' | 'taken' | 'moved'> {
  let rows: Array<{ created: boolean; taken: boolean }>;
  try {
    rows = await db.query<{ created: boolean; taken: boolean }>(
      `WITH pointed AS (
         UPDATE segments SET shared_code = $3
         WHERE id = $1 AND campaign_id = $2 AND shared_code IS NOT DISTINCT FROM $4::text
           AND NOT EXISTS (SELECT 1 FROM codes WHERE code = $3)
         RETURNING id
       ), inserted AS (
         INSERT INTO codes (code, campaign_id, segment_id, single_use, valid_from, valid_until)
         SELECT $3, $2, id, false, $5::timestamptz, $6::timestamptz FROM pointed
         RETURNING code
       ), retired AS (
         DELETE FROM codes
         WHERE code = $4::text AND code <> $3 AND segment_id = $1 AND NOT single_use
           AND EXISTS (SELECT 1 FROM pointed)
           AND EXISTS (SELECT 1 FROM campaigns WHERE id = $2 AND status = 'draft')
       )
       SELECT EXISTS (SELECT 1 FROM inserted) AS created, EXISTS (SELECT 1 FROM codes WHERE code = $3) AS taken`,
      [request.segmentId, request.campaignId, code, previous, iso(request.validFrom), iso(request.validUntil)],
    );
  } catch (error) {
    // Another caller inserted the same code after this statement's snapshot. The
    // statement failed, so a retry here would fail too inside the caller's transaction.
    if (isCodeCollision(error)) {
      throw new CloudburstError('conflict', `code ${code} was created by another request at the same moment; retry`, {
        field: 'code',
        value: code,
        retriable: true,
        cause: error,
      });
    }
    throw error;
  }

  const [row] = rows;
  if (row!.created) return 'created';
  return row!.taken ? 'taken' : 'moved';
}

/**
 * Returns the recipient's single-use code for the segment, creating it on the first
 * request. A contact has one code per segment, which a unique index enforces. A device
 * without a contact gets the code it already has for the segment, such as a nearby
 * offer's code. NOTE: no index covers devices, so two simultaneous first requests for
 * one device can create two codes.
 * An existing code is returned unchanged, window included.
 *
 * @throws CloudburstError `invalid_input` without a contact or device, `not_found`
 *   for a segment outside the campaign or an unknown contact or device
 */
export async function issueRecipientCode(db: Queryable, request: RecipientCodeRequest): Promise<IssuedCode> {
  if (request.contactId === undefined && request.deviceId === undefined) {
    throw invalidInput('contactId', undefined, 'a contactId or a deviceId for the recipient');
  }
  checkWindow(request);

  for (let attempt = 1; attempt <= MAX_CODE_ATTEMPTS; attempt++) {
    const [row] = await db.query<RecipientCodeRow>(
      `WITH segment AS (
         SELECT id FROM segments WHERE id = $2 AND campaign_id = $1
       ), contact AS (
         SELECT id FROM contacts WHERE id = $3::uuid
       ), device AS (
         SELECT id FROM devices WHERE id = $4::uuid
       ), existing AS (
         SELECT code FROM codes
         WHERE segment_id = $2 AND single_use
           AND CASE WHEN $3::uuid IS NULL THEN contact_id IS NULL AND device_id = $4::uuid ELSE contact_id = $3::uuid END
         ORDER BY created_at, code
         LIMIT 1
       ), inserted AS (
         INSERT INTO codes (code, campaign_id, segment_id, contact_id, device_id, single_use, valid_from, valid_until)
         SELECT $5, $1, id, $3::uuid, $4::uuid, true, $6::timestamptz, $7::timestamptz FROM segment
         WHERE NOT EXISTS (SELECT 1 FROM existing)
           AND ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM contact))
           AND ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM device))
         ON CONFLICT DO NOTHING
         RETURNING code
       )
       SELECT (SELECT code FROM inserted) AS inserted, (SELECT code FROM existing) AS existing,
              EXISTS (SELECT 1 FROM segment) AS segment_found,
              ($3::uuid IS NULL OR EXISTS (SELECT 1 FROM contact)) AS contact_found,
              ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM device)) AS device_found`,
      [
        request.campaignId,
        request.segmentId,
        request.contactId ?? null,
        request.deviceId ?? null,
        generateCode(),
        iso(request.validFrom),
        iso(request.validUntil),
      ],
    );

    if (row!.inserted !== null) return { code: row!.inserted, created: true };
    if (row!.existing !== null) return { code: row!.existing, created: false };
    if (!row!.segment_found) throw segmentNotFound(request.campaignId, request.segmentId);
    if (!row!.contact_found) {
      throw new CloudburstError('not_found', `contact ${request.contactId} not found`, { field: 'contactId', value: request.contactId });
    }
    if (!row!.device_found) {
      throw new CloudburstError('not_found', `device ${request.deviceId} not found`, { field: 'deviceId', value: request.deviceId });
    }
    // The drawn code was taken, or a simultaneous request issued the recipient's code
    // after this statement's snapshot. The next attempt finds it.
  }
  throw new CloudburstError('unavailable', `no free code for segment ${request.segmentId} after ${MAX_CODE_ATTEMPTS} attempts; retry later`, {
    retriable: true,
    context: { segmentId: request.segmentId },
  });
}

interface RecipientCodeRow {
  inserted: string | null;
  existing: string | null;
  segment_found: boolean;
  contact_found: boolean;
  device_found: boolean;
}

interface CodeInfoRow {
  code: string;
  campaign_id: string;
  campaign_name: string;
  campaign_status: string;
  segment_id: string | null;
  segment_name: string | null;
  single_use: boolean;
  contact_id: string | null;
  device_id: string | null;
  valid_from: Date | string;
  valid_until: Date | string;
  redeemed_at: Date | string | null;
  redemptions: number | string;
}

/** Returns what is known about a stored code (given in its stored, upper-case form), or undefined. */
export async function getCodeInfo(db: Queryable, code: string): Promise<CodeInfo | undefined> {
  const [row] = await db.query<CodeInfoRow>(
    `SELECT k.code, k.campaign_id, c.name AS campaign_name, c.status AS campaign_status, k.segment_id, s.name AS segment_name,
            k.single_use, k.contact_id, k.device_id, k.valid_from, k.valid_until, k.redeemed_at,
            CASE WHEN k.single_use THEN (CASE WHEN k.redeemed_at IS NULL THEN 0 ELSE 1 END)
                 ELSE (SELECT count(*) FROM redemptions r WHERE r.code = k.code) END AS redemptions
     FROM codes k
     JOIN campaigns c ON c.id = k.campaign_id
     LEFT JOIN segments s ON s.id = k.segment_id
     WHERE k.code = $1`,
    [code],
  );
  if (!row) return undefined;

  return {
    code: row.code,
    campaign: { id: row.campaign_id, name: row.campaign_name, status: row.campaign_status },
    segment: row.segment_id === null ? null : { id: row.segment_id, name: row.segment_name ?? '' },
    singleUse: row.single_use,
    recipient: { contactId: row.contact_id, deviceId: row.device_id },
    validFrom: new Date(row.valid_from).toISOString(),
    validUntil: new Date(row.valid_until).toISOString(),
    redeemedAt: row.redeemed_at === null ? null : new Date(row.redeemed_at).toISOString(),
    redemptions: Number(row.redemptions),
  };
}

async function readSegment(
  db: Queryable,
  campaignId: string,
  segmentId: string,
): Promise<{ name: string; sharedCode: string | null }> {
  const [row] = await db.query<{ name: string; shared_code: string | null }>(
    `SELECT name, shared_code FROM segments WHERE id = $1 AND campaign_id = $2`,
    [segmentId, campaignId],
  );
  if (!row) throw segmentNotFound(campaignId, segmentId);
  return { name: row.name, sharedCode: row.shared_code };
}

function checkWindow(window: CodeWindow): void {
  if (!Number.isFinite(window.validFrom)) throw invalidInput('validFrom', window.validFrom, 'epoch milliseconds');
  if (!Number.isFinite(window.validUntil) || window.validUntil <= window.validFrom) {
    throw invalidInput('validUntil', window.validUntil, `epoch milliseconds after validFrom (${window.validFrom})`);
  }
}

function segmentNotFound(campaignId: string, segmentId: string): CloudburstError {
  return new CloudburstError('not_found', `segment ${segmentId} not found in campaign ${campaignId}`, {
    field: 'segmentId',
    value: segmentId,
    context: { campaignId },
  });
}

function codeTaken(code: string): CloudburstError {
  return new CloudburstError('conflict', `code ${code} is already taken; choose another code`, { field: 'code', value: code });
}

function isCodeCollision(error: unknown): boolean {
  return (error as { code?: string }).code === UNIQUE_VIOLATION && /codes_pkey/.test(String(error));
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
