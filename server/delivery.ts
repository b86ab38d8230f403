import type { Logger } from '../common/logger.js';
import type { GatewayFrame, OfferPayload } from '../common/protocol.js';
import { Topics, type Bus, type Subscription } from '../bus/types.js';
import type { OfferDecision } from '../engine/index.js';
import type { Db } from '../store/types.js';
import { generateCode } from './codes.js';
import { renderForChannel } from '../messages/render.js';
import { formatValidUntil } from '../messages/valid-until.js';
import type { FenceUpdate } from './fence-updates.js';
import { OfferContext } from './offer-context.js';
import { insertOffer, listUndeliveredOffers, markPushDelivered } from './repos/offers.js';

/** Renders the nearby segment's push template for one offer; nothing when it breaks a limit, so the app's default text shows. */
function renderOfferMessage(
  template: { title: string; body: string },
  facts: { code: string; truck: string; benefit: string; validUntil: number; timeZone: string },
): { title: string; body: string } | undefined {
  const rendering = renderForChannel('push', template, {
    code: facts.code,
    truck: facts.truck,
    benefit: facts.benefit,
    validUntil: formatValidUntil(facts.validUntil, facts.timeZone, 'en-US'),
  });
  return rendering.ok ? { title: rendering.title, body: rendering.body } : undefined;
}

/** Code draws before giving up; with 31^8 codes a second collision in a row means something else is wrong. */
const MAX_CODE_ATTEMPTS = 5;
const UNIQUE_VIOLATION = '23505';

export interface PushTarget {
  sendToDevice(deviceId: string, frame: GatewayFrame): boolean;
}

export interface DeliveryOptions {
  bus: Bus;
  db: Db;
  push: PushTarget;
  logger: Logger;
  /**
   * Called with each offer this process reads from the `pushes` topic, whichever process
   * recorded it, so every console shows every offer (for the live map). An offer pushed
   * again after a redelivery is reported again.
   */
  onOffer?: (offer: OfferPayload) => void;
  now?: () => number;
  /** Distinguishes this process's consumer groups from other processes' on a shared bus. */
  instanceId: string;
}

/**
 * Turns offer decisions into offers: records each one with a fresh single-use code
 * (once per offer id, so a replayed decision changes nothing), pushes it to the
 * device when connected, and pushes what is still undelivered when a device connects.
 * The quiet hours and the frequency cap do not hold an offer back, because it responds to
 * the phone entering the fence, and later it would reach someone who has walked on.
 */
export class Delivery {
  private subscriptions: Subscription[] = [];
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly context: OfferContext;

  constructor(private readonly options: DeliveryOptions) {
    this.logger = options.logger.child({ component: 'delivery' });
    this.now = options.now ?? Date.now;
    this.context = new OfferContext(options.db);
  }

  async start(): Promise<void> {
    const { bus } = this.options;
    this.subscriptions.push(
      await bus.subscribe<FenceUpdate>({
        topic: Topics.fences,
        groupId: `delivery-fences-${this.options.instanceId}`,
        handler: async (records) => {
          for (const record of records) this.forget(record.value);
        },
      }),
      // Every process reads every push and sends the ones whose device socket it has open.
      await bus.subscribe<OfferPayload>({
        topic: Topics.pushes,
        groupId: `pushes-${this.options.instanceId}`,
        handler: async (records) => {
          for (const record of records) {
            this.push(record.value);
            this.options.onOffer?.(record.value);
          }
        },
      }),
      await bus.subscribe<OfferDecision>({
        topic: Topics.offers,
        groupId: 'delivery',
        fromBeginning: true,
        handler: async (records) => {
          for (const record of records) await this.deliver(record.value);
        },
      }),
    );
  }

  async stop(): Promise<void> {
    await Promise.all(this.subscriptions.map((subscription) => subscription.stop()));
    this.subscriptions = [];
  }

  /** Pushes offers the device has not acknowledged yet; called when a device connects. */
  async resendUndelivered(deviceId: string): Promise<void> {
    try {
      const offers = await listUndeliveredOffers(this.options.db, deviceId);
      for (const offer of offers) this.push(offer);
    } catch (error) {
      this.logger.error({ err: error, deviceId }, 'resending undelivered offers failed; they will be sent on the next connect');
    }
  }

  async acknowledge(deviceId: string, offerId: string): Promise<void> {
    try {
      const updated = await markPushDelivered(this.options.db, offerId, deviceId);
      if (!updated) this.logger.debug({ deviceId, offerId }, 'offer-ack for an unknown or already delivered offer');
    } catch (error) {
      this.logger.error({ err: error, deviceId, offerId }, 'recording an offer-ack failed');
    }
  }

  private async deliver(decision: OfferDecision): Promise<void> {
    const [campaign, truck, fenceEnd] = await Promise.all([
      this.context.campaign(decision.campaignId),
      this.context.truck(decision.truckId, decision.campaignId),
      this.context.fenceEnd(decision.fenceId, decision.campaignId),
    ]);
    const decidedAt = this.now();
    const ping = { seq: decision.ping.seq, ts: decision.ping.ts, lat: decision.ping.lat, lon: decision.ping.lon };
    // The push goes out through the `pushes` topic, from whichever process has the
    // device's socket, so it stays pending here until the device acknowledges it. A push
    // that misses is sent again when the device reconnects.
    const pushStatus = 'pending';

    for (let attempt = 1; ; attempt++) {
      const code = generateCode();
      let inserted: boolean;
      try {
        inserted = await insertOffer(
          this.options.db,
          {
            offerId: decision.offerId,
            campaignId: decision.campaignId,
            deviceId: decision.deviceId,
            truckId: decision.truckId,
            fenceId: decision.fenceId,
            code,
            validFrom: decidedAt,
            validUntil: Math.max(fenceEnd, decidedAt),
            ping,
            distanceM: decision.distanceM,
            decidedAt,
          },
          pushStatus,
        );
      } catch (error) {
        const isCollision = (error as { code?: string }).code === UNIQUE_VIOLATION && /codes_pkey|offers_code_key/.test(String(error));
        if (!isCollision || attempt >= MAX_CODE_ATTEMPTS) throw error;
        this.logger.warn({ offerId: decision.offerId, attempt }, 'code collision; drawing another code');
        continue;
      }

      if (!inserted) {
        // A redelivered decision: the process that recorded it may have died before its
        // push went out, so push the recorded offer again while the device has not acked it.
        const pending = (await listUndeliveredOffers(this.options.db, decision.deviceId)).filter(
          (offer) => offer.campaignId === decision.campaignId,
        );
        this.logger.debug({ offerId: decision.offerId, deviceId: decision.deviceId, pending: pending.length }, 'offer already recorded');
        if (pending.length > 0) {
          await this.options.bus.produce<OfferPayload>(Topics.pushes, pending.map((offer) => ({ key: offer.deviceId, value: offer })));
        }
        return;
      }

      const offer: OfferPayload = {
        offerId: decision.offerId,
        campaignId: decision.campaignId,
        campaignName: campaign.name,
        deviceId: decision.deviceId,
        truck: { id: decision.truckId, ...truck },
        code,
        benefit: campaign.benefit,
        validUntil: new Date(Math.max(fenceEnd, decidedAt)).toISOString(),
        ping,
        distanceM: decision.distanceM,
        decidedAt: new Date(decidedAt).toISOString(),
      };
      const message = campaign.pushTemplate && renderOfferMessage(campaign.pushTemplate, { code, truck: truck.name, benefit: campaign.benefit.description, validUntil: Math.max(fenceEnd, decidedAt), timeZone: campaign.timeZone });
      if (message) offer.message = message;
      await this.options.bus.produce<OfferPayload>(Topics.pushes, [{ key: offer.deviceId, value: offer }]);
      return;
    }
  }

  private forget(update: FenceUpdate): void {
    switch (update.type) {
      case 'upsert':
        this.context.forgetFence(update.fence.id);
        break;
      case 'truck-moved':
        this.context.forgetTruck(update.truckId);
        break;
      case 'campaign-removed':
        this.context.forgetCampaign(update.campaignId);
        break;
    }
  }

  private push(offer: OfferPayload): boolean {
    return this.options.push.sendToDevice(offer.deviceId, { type: 'offer', offer });
  }
}
