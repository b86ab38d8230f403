import type { Logger } from '../common/logger.js';
import type { LiveDevice, PingRecord } from '../common/protocol.js';
import { Topics, type Bus, type Subscription } from '../bus/types.js';
import { ProximityEngine, type EngineEvent, type EnginePing, type OfferDecision } from '../engine/index.js';
import type { FenceUpdate } from './fence-updates.js';

/** The consumer group of every engine: the ping partitions are shared out among its members. */
export const ENGINE_GROUP = 'engine';

/** How often devices silent for longer than their fences' stale time are turned into unknown. */
const STALE_SWEEP_MS = 60_000;

/** Converts a ping from the bus to the engine's input. */
export function toEnginePing(ping: PingRecord): EnginePing {
  return { deviceId: ping.deviceId, seq: ping.seq, lat: ping.lat, lon: ping.lon, accuracyM: ping.accuracy, ts: ping.ts };
}

export interface EngineRunnerOptions {
  bus: Bus;
  engine: ProximityEngine;
  logger: Logger;
  /** Called with the latest position of each device in a processed batch (for the live map). */
  onPositions?: (devices: LiveDevice[]) => void;
  /** Called with every event the engine emits (enter, exit, offer). */
  onEvents?: (events: EngineEvent[]) => void;
  /** Distinguishes this process's consumer groups from other processes' on a shared bus. */
  instanceId: string;
}

/**
 * Feeds the proximity engine from the bus: pings in, offer decisions out on the
 * `offers` topic, and fence updates applied as they arrive. A batch of pings is
 * committed only after its decisions are on the bus.
 */
export class EngineRunner {
  private subscriptions: Subscription[] = [];
  private readonly logger: Logger;
  private pingsProcessed = 0;
  private offersDecided = 0;
  /**
   * Decisions whose produce failed. The engine has already marked those devices as
   * offered, so the redelivered pings decide nothing; these are produced again first.
   */
  private unsent: OfferDecision[] = [];
  private staleSweep: NodeJS.Timeout | undefined;

  constructor(private readonly options: EngineRunnerOptions) {
    this.logger = options.logger.child({ component: 'engine-runner' });
  }

  async start(): Promise<void> {
    const { bus } = this.options;
    this.subscriptions.push(
      await bus.subscribe<FenceUpdate>({
        topic: Topics.fences,
        groupId: `engine-fences-${this.options.instanceId}`,
        handler: async (records) => {
          for (const record of records) await this.applyFenceUpdate(record.value);
        },
      }),
      await bus.subscribe<PingRecord>({
        topic: Topics.pings,
        groupId: ENGINE_GROUP,
        fromBeginning: true,
        handler: (records) => this.processPings(records.map((record) => record.value)),
      }),
    );
    this.staleSweep = setInterval(() => {
      this.expireStale(Date.now()).catch((error: unknown) => this.logger.warn({ err: error }, 'expiring stale devices failed'));
    }, STALE_SWEEP_MS);
    this.staleSweep.unref();
    this.logger.info({ fences: this.options.engine.fenceCount }, 'engine runner started');
  }

  async stop(): Promise<void> {
    clearInterval(this.staleSweep);
    await Promise.all(this.subscriptions.map((subscription) => subscription.stop()));
    this.subscriptions = [];
    this.logger.info({ pingsProcessed: this.pingsProcessed, offersDecided: this.offersDecided }, 'engine runner stopped');
  }

  get stats(): { pingsProcessed: number; offersDecided: number } {
    return { pingsProcessed: this.pingsProcessed, offersDecided: this.offersDecided };
  }

  /**
   * Applies one fence update to the devices' last positions. A new fence or a truck
   * move can put devices inside, so the offers it decides go out like those of pings.
   */
  async applyFenceUpdate(update: FenceUpdate): Promise<void> {
    const { engine } = this.options;
    switch (update.type) {
      case 'upsert':
        await this.emit(engine.upsertFence(update.fence, Date.now()));
        break;
      case 'truck-moved': {
        const events = engine.moveTruck(update.truckId, update.lat, update.lon, update.at ?? Date.now());
        await this.emit(events);
        break;
      }
      case 'campaign-removed':
        engine.removeCampaign(update.campaignId);
        break;
    }
  }

  /** Turns the state of devices silent for too long into unknown. Called now and then. */
  async expireStale(now: number): Promise<void> {
    await this.emit(this.options.engine.expireStale(now));
  }

  /** Produces the offers among `events` and reports the events. */
  private async emit(events: EngineEvent[]): Promise<void> {
    if (events.length === 0) return;
    const decisions = events.filter((event): event is OfferDecision => event.type === 'offer');
    if (decisions.length > 0) {
      try {
        await this.options.bus.produce(
          Topics.offers,
          decisions.map((decision) => ({ key: decision.deviceId, value: decision })),
        );
      } catch (error) {
        this.unsent.push(...decisions);
        throw error;
      }
      this.offersDecided += decisions.length;
    }
    this.options.onEvents?.(events);
  }

  private async processPings(pings: PingRecord[]): Promise<void> {
    const { engine, bus, onPositions, onEvents } = this.options;
    const decisions: OfferDecision[] = [];
    const positions = new Map<string, LiveDevice>();
    const allEvents: EngineEvent[] = [];

    for (const ping of pings) {
      const events = engine.process(toEnginePing(ping));
      for (const event of events) {
        if (event.type === 'offer') decisions.push(event);
        if (onEvents) allEvents.push(event);
      }
      positions.set(ping.deviceId, { id: ping.deviceId, lat: ping.lat, lon: ping.lon, ts: ping.ts });
    }

    const toSend = this.unsent.length > 0 ? [...this.unsent, ...decisions] : decisions;
    if (toSend.length > 0) {
      try {
        await bus.produce(
          Topics.offers,
          toSend.map((decision) => ({ key: decision.deviceId, value: decision })),
        );
        this.unsent = [];
      } catch (error) {
        this.unsent = toSend;
        throw error;
      }
    }

    this.pingsProcessed += pings.length;
    this.offersDecided += toSend.length;
    if (onPositions) onPositions([...positions.values()]);
    if (onEvents && allEvents.length > 0) onEvents(allEvents);
  }
}
