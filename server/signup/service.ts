import { CloudburstError } from '../../common/errors.js';
import type { Db, Queryable } from '../../store/types.js';
import type { Campaign } from '../repos/campaigns.js';
import { ensureSegmentCode, getCodeInfo, issueRecipientCode, type CodeWindow } from '../repos/codes.js';
import { findDeviceByToken } from '../repos/devices.js';
import { getContact, recordConsents, upsertContacts, type Contact, type ConsentChange } from '../repos/contacts.js';
import { addSegmentMembers, type SegmentWithCampaign } from '../repos/segments.js';
import { queueCampaignSends } from '../repos/send-jobs.js';
import { localToInstant } from '../time-zone.js';
import { SIGNUP_CHANNELS, type SignupInput } from './input.js';
import { findSignupTarget, type OpenSignupTarget } from './target.js';

export interface SignupRequest {
  segmentId: string;
  input: SignupInput;
  /** The page language, kept as the contact's locale when it has none yet. */
  locale: string;
  /** When the person signed up, ms since the epoch; the time of the consents. */
  at: number;
}

export interface SignupResult {
  contactId: string;
  code: string;
  /** When the code stops being accepted, ms since the epoch. */
  validUntil: number;
  target: OpenSignupTarget;
}

/** Attempts of the whole transaction when a simultaneous sign-up created the same contact or code first. */
const MAX_ATTEMPTS = 3;

const UNIQUE_VIOLATION = '23505';

/**
 * Signs a person up in one transaction: finds or creates the contact, records a
 * grant for each ticked channel, adds the contact to the segment and returns the
 * segment's code for them. An unticked box records nothing, neither a grant nor a
 * refusal, because leaving a box empty is not a request to stop messages.
 *
 * The grants pass `override`: ticking the box is the person's own opt-in, which
 * lifts an earlier STOP (consent_events keeps both). Signing up again returns the
 * same code: the shared one, or the contact's own single-use code.
 *
 * @throws CloudburstError `not_found` when the segment takes no sign-ups,
 *   `conflict` when its campaign closed meanwhile
 */
export async function signUp(db: Db, request: SignupRequest): Promise<SignupResult> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await db.transaction((tx) => signUpInTransaction(tx, request));
    } catch (error) {
      if (attempt >= MAX_ATTEMPTS || !isRaceLost(error)) throw error;
    }
  }
}

async function signUpInTransaction(tx: Queryable, request: SignupRequest): Promise<SignupResult> {
  const target = await findSignupTarget(tx, request.segmentId);
  if (target.state === 'unknown') {
    throw new CloudburstError('not_found', `sign-up segment ${request.segmentId} not found`, { field: 'segmentId', value: request.segmentId });
  }
  if (target.state === 'closed') throw signupClosed(target.segment, target.campaign);

  const { input } = request;
  const [contactId] = await upsertContacts(tx, [{ firstName: input.firstName, email: input.email, phone: input.phone, locale: request.locale }]);
  const contact = (await getContact(tx, contactId!))!;
  if (input.deviceToken !== undefined) {
    const device = await findDeviceByToken(tx, input.deviceToken);
    // The token is a secret of the device, so the error does not echo it.
    if (!device) throw new CloudburstError('invalid_input', 'invalid deviceToken: no device has this token (register the device first)', { field: 'deviceToken' });
    await tx.query(`UPDATE contacts SET device_id = $2 WHERE id = $1`, [contact.id, device.deviceId]);
  }

  const source = `signup page ${target.segment.name}`;
  const changes: ConsentChange[] = [];
  for (const channel of SIGNUP_CHANNELS) {
    if (!input.consent[channel]) continue;
    const holderId = await addressHolder(tx, contact, channel === 'sms' ? { phone: input.phone! } : { email: input.email! });
    changes.push({ contactId: holderId, channel, granted: true, at: request.at, source });
  }
  await recordConsents(tx, changes, { override: true });

  await addSegmentMembers(tx, target.segment.id, [contact.id]);
  // Before the send time, someone who signs up still gets the campaign's messages.
  await queueSendsForNewMember(tx, target.campaign, contact.id);
  const { code, validUntil } = await codeFor(tx, target, contact.id);
  return { contactId: contact.id, code, validUntil, target };
}

async function queueSendsForNewMember(tx: Queryable, campaign: Campaign, contactId: string): Promise<void> {
  let at: number;
  if (campaign.sendAt) {
    at = localToInstant('sendAt', campaign.sendAt, campaign.timeZone);
  } else {
    const [row] = await tx.query<{ start: Date | string | null }>(`SELECT min(active_from) AS start FROM fences WHERE campaign_id = $1`, [campaign.id]);
    if (!row?.start) return;
    at = new Date(row.start).getTime();
  }
  if (at > Date.now()) await queueCampaignSends(tx, campaign, at, contactId);
}

/**
 * Returns the contact whose record contains `address`. Usually the signed-up contact, but
 * when it matched by email and already has another phone (or the phone belongs to
 * someone else), the upsert kept its old number. Consent given for the typed number
 * then belongs to that number's holder, created if none exists, so a grant never
 * reaches a number the person did not type.
 */
async function addressHolder(tx: Queryable, contact: Contact, address: { phone: string } | { email: string }): Promise<string> {
  if ('phone' in address ? contact.phone === address.phone : contact.email?.toLowerCase() === address.email) return contact.id;
  const [holderId] = await upsertContacts(tx, [address]);
  return holderId!;
}

/**
 * Returns the segment's shared code as stored, or the contact's single-use code.
 * Scheduling the campaign created the shared code, so reusing it spares every
 * sign-up the write to the code's row that `ensureSegmentCode` would make.
 */
async function codeFor(tx: Queryable, target: OpenSignupTarget, contactId: string): Promise<{ code: string; validUntil: number }> {
  const { segment, campaign } = target;
  let code: string;
  if (segment.codeMode === 'shared' && segment.sharedCode !== null) {
    code = segment.sharedCode;
  } else if (segment.codeMode === 'shared') {
    code = (await ensureSegmentCode(tx, { campaignId: campaign.id, segmentId: segment.id, prefix: segment.name, ...(await codeWindow(tx, campaign)) })).code;
  } else {
    code = (await issueRecipientCode(tx, { campaignId: campaign.id, segmentId: segment.id, contactId, ...(await codeWindow(tx, campaign)) })).code;
  }

  // The stored window, since a code issued earlier keeps the window it was issued with.
  const info = await getCodeInfo(tx, code);
  const validUntil = info ? Date.parse(info.validUntil) : (await codeWindow(tx, campaign)).validUntil;
  return { code, validUntil };
}

/** When the campaign's codes are accepted: the benefit's own window in the campaign zone, else its fences' span. */
async function codeWindow(tx: Queryable, campaign: Campaign): Promise<CodeWindow> {
  const valid = campaign.benefit.valid;
  if (valid) {
    return {
      validFrom: localToInstant('benefit.valid.start', valid.start, campaign.timeZone),
      validUntil: localToInstant('benefit.valid.end', valid.end, campaign.timeZone),
    };
  }
  const [row] = await tx.query<{ valid_from: Date | string | null; valid_until: Date | string | null }>(
    `SELECT min(active_from) AS valid_from, max(active_until) AS valid_until FROM fences WHERE campaign_id = $1`,
    [campaign.id],
  );
  if (!row || row.valid_from === null || row.valid_until === null) {
    throw new CloudburstError('conflict', `campaign ${campaign.id} has no fences, so its codes have no validity window; schedule it again`, {
      field: 'campaignId',
      value: campaign.id,
    });
  }
  return { validFrom: new Date(row.valid_from).getTime(), validUntil: new Date(row.valid_until).getTime() };
}

export function signupClosed(segment: SegmentWithCampaign, campaign: Campaign): CloudburstError {
  return new CloudburstError('conflict', `sign-up for segment ${segment.id} is closed: campaign ${campaign.id} is ${campaign.status}`, {
    field: 'segmentId',
    value: segment.id,
    context: { campaignId: campaign.id, status: campaign.status },
  });
}

/**
 * Tells whether a simultaneous sign-up inserted the same contact (unique email or phone) or a
 * code after this transaction's snapshot. The failed statement aborted the
 * transaction, so only a new transaction can see the winner's row.
 */
function isRaceLost(error: unknown): boolean {
  if (error instanceof CloudburstError) return error.retriable && error.code === 'conflict';
  return (error as { code?: unknown } | null)?.code === UNIQUE_VIOLATION;
}
