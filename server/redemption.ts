import { clipValue, CloudburstError, formatValue, invalidInput, type ErrorCode } from '../common/errors.js';
import type { OfferBenefit } from '../common/protocol.js';
import { normalizeEmail } from '../contacts/email.js';
import { normalizePhone } from '../contacts/phone.js';
import type { Queryable } from '../store/types.js';
import { normalizeCodeInput } from './codes.js';

/** Reason key of a rejected redemption, stable for clients to switch on. */
export type RedemptionFailure =
  | 'unknown'
  | 'not_yet_valid'
  | 'expired'
  | 'already_redeemed'
  | 'foreign'
  | 'campaign_not_live'
  | 'malformed'
  | 'customer_required';

/** The customer who presents the code. Any one field identifies them. */
export interface Customer {
  contactId?: string;
  deviceId?: string;
  /** E.164, such as +14155552671. */
  phone?: string;
  email?: string;
}

export interface RedeemRequest {
  /** As typed: spaces and lower case are accepted. */
  code: string;
  /** The truck where the code is presented; it must take part in the code's campaign. */
  truckId?: string;
  /** The campaign the cashier expects; a code of another campaign is rejected. */
  campaignId?: string;
  customer: Customer;
  /** Epoch milliseconds of the redemption. */
  at: number;
}

export interface Redemption {
  ok: true;
  code: string;
  campaignId: string;
  segmentId: string | null;
  singleUse: boolean;
  benefit: OfferBenefit;
  redeemedAt: string;
}

/** A rejected redemption: a CloudburstError whose body also carries `reason` and the instants that explain it. */
export class RedemptionError extends CloudburstError {
  readonly reason: RedemptionFailure;
  private readonly instants: Record<string, string>;

  constructor(
    code: ErrorCode,
    reason: RedemptionFailure,
    message: string,
    details: { field: string; value: unknown; instants?: Record<string, string>; context?: Record<string, unknown> },
  ) {
    super(code, message, { field: details.field, value: clipValue(details.value), context: { reason, ...details.instants, ...details.context } });
    this.name = 'RedemptionError';
    this.reason = reason;
    this.instants = details.instants ?? {};
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), reason: this.reason, ...this.instants };
  }
}

/** Campaign states whose codes may be redeemed. */
const LIVE_STATUSES = ['scheduled', 'active'];

/** Claims after a failure that found nothing wrong: each such failure means the code changed meanwhile. */
const MAX_CLAIM_ATTEMPTS = 3;

/**
 * Parameters: $1 code, $2 at, $3 campaignId, $4 truckId, $5 contactId, $6 deviceId,
 * $7 phone (E.164), $8 email (lower case). One row per stored code, with every fact a
 * redemption depends on.
 *
 * The customer key prefers a contact, found by id, phone, email or a device that
 * exactly one contact uses, so one person reaches the same key however the cashier
 * identifies them.
 *
 * A single-use code that names a recipient is `foreign_recipient` when some identifier
 * of the customer can be compared with the recipient's and none of them matches.
 */
const CODE_STATE = `
  SELECT k.code, k.campaign_id, k.segment_id, k.single_use, k.valid_from, k.valid_until, k.redeemed_at,
         c.status, c.benefit,
         ($3::uuid IS NULL OR k.campaign_id = $3::uuid) AS campaign_matches,
         ($4::uuid IS NULL OR EXISTS (SELECT 1 FROM campaign_trucks ct WHERE ct.campaign_id = k.campaign_id AND ct.truck_id = $4::uuid)) AS truck_matches,
         (c.status = ANY ($9::text[])) AS live,
         (k.valid_from <= $2::timestamptz) AS started,
         ($2::timestamptz < k.valid_until) AS unexpired,
         (k.single_use
           AND (k.contact_id IS NOT NULL OR k.device_id IS NOT NULL)
           AND (   (COALESCE(who.customer_key LIKE 'contact:%', false) AND k.contact_id IS NOT NULL)
                OR ($6::uuid IS NOT NULL AND COALESCE(k.device_id, r.device_id) IS NOT NULL)
                OR ($7::text IS NOT NULL AND r.phone_e164 IS NOT NULL)
                OR ($8::text IS NOT NULL AND r.email IS NOT NULL))
           AND NOT (   COALESCE(who.customer_key = 'contact:' || k.contact_id::text, false)
                    OR COALESCE($6::uuid = k.device_id OR $6::uuid = r.device_id, false)
                    OR COALESCE(r.phone_e164 = $7::text, false)
                    OR COALESCE(lower(r.email) = $8::text, false))) AS foreign_recipient,
         who.customer_key
  FROM codes k
  JOIN campaigns c ON c.id = k.campaign_id
  LEFT JOIN contacts r ON r.id = k.contact_id
  CROSS JOIN (
    SELECT COALESCE(
      'contact:' || $5::uuid::text,
      (SELECT 'contact:' || p.id::text FROM contacts p WHERE p.phone_e164 = $7::text),
      (SELECT 'contact:' || e.id::text FROM contacts e WHERE e.email IS NOT NULL AND lower(e.email) = $8::text),
      (SELECT 'contact:' || min(d.id::text) FROM contacts d WHERE d.device_id = $6::uuid HAVING count(*) = 1),
      'device:' || $6::uuid::text,
      'phone:' || $7::text,
      'email:' || $8::text
    ) AS customer_key
  ) who
  WHERE k.code = $1`;

const REDEEMABLE = `campaign_matches AND truck_matches AND live AND started AND unexpired`;

/**
 * A single-use code is claimed by one conditional UPDATE: under concurrency PostgreSQL
 * re-checks `redeemed_at IS NULL` on the latest row version, so exactly one claim wins.
 * A shared code is claimed by inserting (code, customer key): the primary key lets one
 * insert per customer win and the others do nothing.
 */
const CLAIM = `
  WITH state AS (${CODE_STATE}),
  claimed AS (
    UPDATE codes SET redeemed_at = $2::timestamptz
    WHERE code = (SELECT code FROM state WHERE single_use AND NOT foreign_recipient AND ${REDEEMABLE})
      AND redeemed_at IS NULL
    RETURNING code, redeemed_at
  ),
  shared AS (
    INSERT INTO redemptions (code, customer_key, truck_id, redeemed_at)
    SELECT code, customer_key, $4::uuid, $2::timestamptz FROM state
    WHERE NOT single_use AND customer_key IS NOT NULL AND ${REDEEMABLE}
    ON CONFLICT (code, customer_key) DO NOTHING
    RETURNING code, redeemed_at
  )
  SELECT s.code, s.campaign_id, s.segment_id, s.single_use, s.benefit, won.redeemed_at
  FROM (SELECT * FROM claimed UNION ALL SELECT * FROM shared) won
  JOIN state s ON s.code = won.code`;

const EXPLAIN = `
  WITH state AS (${CODE_STATE})
  SELECT state.*,
         (SELECT x.redeemed_at FROM redemptions x WHERE x.code = state.code AND x.customer_key = state.customer_key) AS customer_redeemed_at
  FROM state`;

interface ClaimRow {
  code: string;
  campaign_id: string;
  segment_id: string | null;
  single_use: boolean;
  benefit: OfferBenefit | string;
  redeemed_at: Date | string;
}

interface StateRow {
  code: string;
  campaign_id: string;
  single_use: boolean;
  valid_from: Date | string;
  valid_until: Date | string;
  redeemed_at: Date | string | null;
  status: string;
  campaign_matches: boolean;
  truck_matches: boolean;
  live: boolean;
  started: boolean;
  unexpired: boolean;
  foreign_recipient: boolean;
  customer_key: string | null;
  customer_redeemed_at: Date | string | null;
}

/**
 * Redeems a code for a customer at a truck, atomically on both stores: each claim is
 * one statement, and a failed claim is explained by reading the code afterwards.
 *
 * @throws RedemptionError with `reason`: `unknown`, `foreign`, `campaign_not_live`,
 *   `not_yet_valid`, `expired`, `already_redeemed` (code `conflict`), or `malformed` and
 *   `customer_required` for input that cannot be redeemed
 */
export async function redeemCode(db: Queryable, request: RedeemRequest): Promise<Redemption> {
  const code = parseCode(request.code);
  if (!Number.isFinite(request.at)) throw invalidInput('at', request.at, 'epoch milliseconds');
  const params = [
    code,
    new Date(request.at).toISOString(),
    checkUuid('campaignId', request.campaignId),
    checkUuid('truckId', request.truckId),
    checkUuid('customer.contactId', request.customer.contactId),
    checkUuid('customer.deviceId', request.customer.deviceId),
    parsePhone(request.customer.phone),
    parseEmail(request.customer.email),
    LIVE_STATUSES,
  ];

  for (let attempt = 1; attempt <= MAX_CLAIM_ATTEMPTS; attempt++) {
    const [won] = await db.query<ClaimRow>(CLAIM, params);
    if (won) {
      return {
        ok: true,
        code: won.code,
        campaignId: won.campaign_id,
        segmentId: won.segment_id,
        singleUse: won.single_use,
        benefit: typeof won.benefit === 'string' ? (JSON.parse(won.benefit) as OfferBenefit) : won.benefit,
        redeemedAt: new Date(won.redeemed_at).toISOString(),
      };
    }

    const [state] = await db.query<StateRow>(EXPLAIN, params);
    const failure = explainFailure(code, request, state);
    if (failure) throw failure;
  }
  throw new CloudburstError('unavailable', `code ${code} changed during each of ${MAX_CLAIM_ATTEMPTS} redemption attempts; retry`, {
    retriable: true,
    context: { code },
  });
}

/** Returns why the code cannot be redeemed now, in the order a cashier can act on, or undefined when nothing blocks the redemption. */
function explainFailure(code: string, request: RedeemRequest, state: StateRow | undefined): RedemptionError | undefined {
  if (!state) {
    return new RedemptionError('invalid_input', 'unknown', `code ${code} not found; check the code as written`, { field: 'code', value: code });
  }
  if (!state.campaign_matches) {
    return new RedemptionError('invalid_input', 'foreign', `code ${code} belongs to another campaign than ${request.campaignId}`, {
      field: 'campaignId',
      value: request.campaignId,
      context: { code },
    });
  }
  if (!state.truck_matches) {
    return new RedemptionError('invalid_input', 'foreign', `code ${code} is not valid at truck ${request.truckId}, which is not in the code's campaign`, {
      field: 'truckId',
      value: request.truckId,
      context: { code, campaignId: state.campaign_id },
    });
  }
  if (!state.live) {
    return new RedemptionError('invalid_input', 'campaign_not_live', `code ${code} belongs to a campaign that is ${state.status}, not live`, {
      field: 'code',
      value: code,
      context: { campaignId: state.campaign_id, status: state.status },
    });
  }

  const validFrom = new Date(state.valid_from).toISOString();
  const validUntil = new Date(state.valid_until).toISOString();
  if (!state.started) {
    return new RedemptionError('invalid_input', 'not_yet_valid', `code ${code} is not valid until ${validFrom}`, {
      field: 'code',
      value: code,
      instants: { validFrom },
    });
  }
  if (!state.unexpired) {
    return new RedemptionError('invalid_input', 'expired', `code ${code} expired at ${validUntil}`, {
      field: 'code',
      value: code,
      instants: { validUntil },
    });
  }

  if (state.single_use) {
    if (state.foreign_recipient) {
      return new RedemptionError('invalid_input', 'foreign', `code ${code} was issued to another customer`, {
        field: 'customer',
        value: request.customer,
        context: { code },
      });
    }
    if (state.redeemed_at !== null) {
      const redeemedAt = new Date(state.redeemed_at).toISOString();
      return new RedemptionError('conflict', 'already_redeemed', `code ${code} was already redeemed at ${redeemedAt}`, {
        field: 'code',
        value: code,
        instants: { redeemedAt },
      });
    }
    return undefined;
  }

  if (state.customer_key === null) {
    return new RedemptionError(
      'invalid_input',
      'customer_required',
      `invalid customer: missing (code ${code} is shared and redeemable once per customer, so give a contactId, deviceId, phone or email)`,
      { field: 'customer', value: request.customer },
    );
  }
  if (state.customer_redeemed_at !== null) {
    const redeemedAt = new Date(state.customer_redeemed_at).toISOString();
    return new RedemptionError('conflict', 'already_redeemed', `code ${code} was already redeemed by this customer at ${redeemedAt}`, {
      field: 'customer',
      value: request.customer,
      instants: { redeemedAt },
    });
  }
  return undefined;
}

function parseCode(raw: string): string {
  try {
    return normalizeCodeInput('code', raw);
  } catch (error) {
    if (!(error instanceof CloudburstError)) throw error;
    throw new RedemptionError(error.code, 'malformed', error.message, { field: 'code', value: raw, context: error.context });
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function checkUuid(field: string, value: string | undefined): string | null {
  if (value === undefined) return null;
  if (!UUID.test(value)) throw invalidInput(field, value, 'a UUID');
  return value.toLowerCase();
}

function parsePhone(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  if (!raw.trim().startsWith('+')) throw invalidInput('customer.phone', raw, 'an international number starting with +, such as +14155552671');
  // The country only matters for national numbers, which the check above excludes.
  const result = normalizePhone(raw, 'US');
  if (!result.ok) throw customerFieldError('customer.phone', raw, result.reason);
  return result.e164;
}

function parseEmail(raw: string | undefined): string | null {
  if (raw === undefined) return null;
  const result = normalizeEmail(raw);
  if (!result.ok) throw customerFieldError('customer.email', raw, result.reason);
  return result.email;
}

function customerFieldError(field: string, value: string, reason: string): CloudburstError {
  return new CloudburstError('invalid_input', `invalid ${field}: ${formatValue(value)} (${reason})`, { field, value: clipValue(value) });
}
