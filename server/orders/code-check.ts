import { CloudburstError } from '../../common/errors.js';
import type { PricedCart } from '../../orders/cart.js';
import { applyDiscount, type DiscountBenefit } from '../../orders/discount.js';
import type { Queryable } from '../../store/types.js';
import { RedemptionError } from '../redemption.js';
import { getCodeInfo } from '../repos/codes.js';
import type { OrderChannel, OrderCustomer, OrderTracking } from '../repos/orders.js';

/** Campaign states whose codes may be used, as in redemption. */
const LIVE_STATUSES: ReadonlySet<string> = new Set(['scheduled', 'active']);

/** Message kinds of a send job, by the channel reports group them under. */
const CHANNEL_OF_SEND_KIND: Readonly<Record<string, OrderChannel>> = {
  push: 'push',
  sms: 'sms',
  email: 'email',
  messenger: 'messenger',
  x_post: 'x',
  x_dm: 'x',
};

/** A code the cart qualifies for, with what it takes off and where it came from. */
export interface CheckedCode {
  code: string;
  discountMinor: number;
  totalMinor: number;
  tracking: OrderTracking;
}

/** A code that the cart does not qualify for: the body also carries `reason` and, for a minimum spend, `missingMinor`. */
export class CodeRejectedError extends CloudburstError {
  readonly reason: string;
  readonly missingMinor?: number;

  constructor(code: string, reason: string, message: string, missingMinor?: number) {
    super('invalid_input', message, { field: 'code', value: code, context: { reason, missingMinor } });
    this.name = 'CodeRejectedError';
    this.reason = reason;
    this.missingMinor = missingMinor;
  }

  override toJSON(): Record<string, unknown> {
    const body = { ...super.toJSON(), reason: this.reason };
    return this.missingMinor === undefined ? body : { ...body, missingMinor: this.missingMinor };
  }
}

interface CodeFactsRow {
  benefit: DiscountBenefit | string;
  truck_in_campaign: boolean;
  code_device_id: string | null;
  recipient_device_id: string | null;
  recipient_phone: string | null;
  recipient_email: string | null;
  offered: boolean;
  send_kind: string | null;
  /** For a shared code: the kind and contact of the last message that carried it to this customer. */
  customer_send_kind: string | null;
  customer_contact_id: string | null;
}

/**
 * Checks that `code` (stored form, upper case) applies to the cart at the truck at `at`,
 * without redeeming it. The campaign must be live and include the truck, and `at` must
 * be inside the code's window. A single-use code must be unredeemed and, when it names a
 * recipient, the customer must be that recipient. The cart must meet the benefit's rules
 * (currency, minimum spend, free item). The payment step redeems the code atomically with `redeemCode`, so
 * two orders placed with one single-use code both pass here and only the first paid wins.
 *
 * NOTE: a shared code already redeemed by this customer passes here too. Telling needs
 * the customer key that redemption derives, so the payment step rejects it instead.
 *
 * @throws RedemptionError with the reasons of redemption (`unknown`, `foreign`,
 *   `campaign_not_live`, `not_yet_valid`, `expired`, `already_redeemed`, `customer_required`)
 * @throws CodeRejectedError with `currency_mismatch`, `min_spend` or `item_not_in_cart`
 */
export async function checkOrderCode(
  db: Queryable,
  request: { code: string; truckId: string; customer: OrderCustomer; at: number; cart: PricedCart },
): Promise<CheckedCode> {
  const { code, truckId, customer, at, cart } = request;
  const info = await getCodeInfo(db, code);
  if (!info) throw new RedemptionError('invalid_input', 'unknown', `code ${code} not found; check the code as written`, { field: 'code', value: code });
  const facts = await readCodeFacts(db, code, truckId, customer);

  if (!facts.truck_in_campaign) {
    throw new RedemptionError('invalid_input', 'foreign', `code ${code} is not valid at truck ${truckId}, which is not in the code's campaign`, {
      field: 'code',
      value: code,
      context: { truckId, campaignId: info.campaign.id },
    });
  }
  if (!LIVE_STATUSES.has(info.campaign.status)) {
    throw new RedemptionError('invalid_input', 'campaign_not_live', `code ${code} belongs to a campaign that is ${info.campaign.status}, not live`, {
      field: 'code',
      value: code,
      context: { campaignId: info.campaign.id, status: info.campaign.status },
    });
  }
  if (at < Date.parse(info.validFrom)) {
    throw new RedemptionError('invalid_input', 'not_yet_valid', `code ${code} is not valid until ${info.validFrom}`, {
      field: 'code',
      value: code,
      instants: { validFrom: info.validFrom },
    });
  }
  if (at >= Date.parse(info.validUntil)) {
    throw new RedemptionError('invalid_input', 'expired', `code ${code} expired at ${info.validUntil}`, {
      field: 'code',
      value: code,
      instants: { validUntil: info.validUntil },
    });
  }
  checkCustomer(code, info.singleUse, facts, customer);
  if (info.singleUse && info.redeemedAt !== null) {
    throw new RedemptionError('conflict', 'already_redeemed', `code ${code} was already redeemed at ${info.redeemedAt}`, {
      field: 'code',
      value: code,
      instants: { redeemedAt: info.redeemedAt },
    });
  }

  const benefit = typeof facts.benefit === 'string' ? (JSON.parse(facts.benefit) as DiscountBenefit) : facts.benefit;
  const discount = applyDiscount(cart.subtotalMinor, cart.currency, benefit, cart.lines);
  if (!discount.applied) {
    throw new CodeRejectedError(code, discount.rejection, `code ${code} does not apply to this order: ${discount.reason}`, discount.missingMinor);
  }

  return {
    code,
    discountMinor: discount.discountMinor,
    totalMinor: discount.totalMinor,
    tracking: {
      campaignId: info.campaign.id,
      segmentId: info.segment?.id ?? null,
      contactId: info.recipient.contactId ?? facts.customer_contact_id,
      deviceId: info.recipient.deviceId,
      channel: channelOf(facts, info.singleUse),
    },
  };
}

async function readCodeFacts(db: Queryable, code: string, truckId: string, customer: OrderCustomer): Promise<CodeFactsRow> {
  const [row] = await db.query<CodeFactsRow>(
    `SELECT c.benefit,
            EXISTS (SELECT 1 FROM campaign_trucks ct WHERE ct.campaign_id = k.campaign_id AND ct.truck_id = $2) AS truck_in_campaign,
            k.device_id AS code_device_id, r.device_id AS recipient_device_id, r.phone_e164 AS recipient_phone,
            lower(r.email) AS recipient_email,
            EXISTS (SELECT 1 FROM offers o WHERE o.code = k.code) AS offered,
            (SELECT j.kind FROM send_jobs j WHERE j.code = k.code AND j.sent_at IS NOT NULL ORDER BY j.sent_at DESC LIMIT 1) AS send_kind,
            m.kind AS customer_send_kind, m.contact_id AS customer_contact_id
     FROM codes k
     LEFT JOIN LATERAL (
       SELECT j.kind, j.contact_id FROM send_jobs j JOIN contacts ct ON ct.id = j.contact_id
       WHERE NOT k.single_use AND j.code = k.code AND j.sent_at IS NOT NULL
         AND (ct.phone_e164 = $3 OR lower(ct.email) = $4 OR ct.device_id = $5::uuid)
       ORDER BY j.sent_at DESC LIMIT 1) m ON true
     JOIN campaigns c ON c.id = k.campaign_id
     LEFT JOIN contacts r ON r.id = k.contact_id
     WHERE k.code = $1`,
    [code, truckId, customer.phone ?? null, customer.email ?? null, customer.deviceId ?? null],
  );
  // getCodeInfo found the code a statement earlier, and codes are deleted only with their draft campaign.
  if (!row) throw new CloudburstError('conflict', `code ${code} was deleted while the order was checked; retry`, { field: 'code', value: code, retriable: true });
  return row;
}

/**
 * Rejects a single-use code issued to someone else, by the rule redemption applies: the
 * customer is foreign when some identifier can be compared with the recipient's and none
 * matches. A shared code needs some identifier, because it is redeemable once per customer.
 */
function checkCustomer(code: string, singleUse: boolean, facts: CodeFactsRow, customer: OrderCustomer): void {
  if (!singleUse) {
    if (customer.deviceId === undefined && customer.phone === undefined && customer.email === undefined) {
      throw new RedemptionError(
        'invalid_input',
        'customer_required',
        `invalid customer: missing (code ${code} is shared and redeemable once per customer, so give a phone, email or deviceToken)`,
        { field: 'customer', value: {} },
      );
    }
    return;
  }

  const recipientDevices = [facts.code_device_id, facts.recipient_device_id].filter((id): id is string => id !== null);
  const pairs: Array<[string | undefined, readonly string[]]> = [
    [customer.deviceId, recipientDevices],
    [customer.phone, facts.recipient_phone === null ? [] : [facts.recipient_phone]],
    [customer.email, facts.recipient_email === null ? [] : [facts.recipient_email]],
  ];
  const comparable = pairs.filter(([given, known]) => given !== undefined && known.length > 0);
  if (comparable.length === 0) return;
  if (comparable.some(([given, known]) => known.includes(given!))) return;

  throw new RedemptionError('invalid_input', 'foreign', `code ${code} was issued to another customer`, {
    field: 'customer',
    value: customer,
    context: { code },
  });
}

/**
 * Returns the channel that brought the customer. A nearby offer's code is push. A single-use
 * code takes the channel of the last message sent with it. A shared code takes the channel of
 * the message that carried it to this customer, or null when none did (a code on a poster).
 */
function channelOf(facts: CodeFactsRow, singleUse: boolean): OrderChannel | null {
  if (facts.offered) return 'push';
  const kind = singleUse ? facts.send_kind : facts.customer_send_kind;
  if (kind === null) return null;
  return CHANNEL_OF_SEND_KIND[kind] ?? null;
}
