import { describe, expect, it } from 'vitest';
import { MemoryBus } from '../bus/memory-log.js';
import { Topics, type Bus, type BusMessage } from '../bus/types.js';
import { silentLogger } from '../common/logger.js';
import type { PingRecord } from '../common/protocol.js';
import { ProximityEngine, type OfferDecision } from '../engine/index.js';
import { EngineRunner } from './engine-runner.js';

/** Creates an in-process bus whose produce to `offers` fails the first `failures` times. */
function busFailingOffers(failures: number): Bus {
  const bus = new MemoryBus({ partitions: 1, logger: silentLogger() });
  let remaining = failures;
  const produce = bus.produce.bind(bus);
  bus.produce = async <T>(topic: string, messages: BusMessage<T>[]) => {
    if (topic === Topics.offers && remaining > 0) {
      remaining -= 1;
      throw new Error('broker unavailable in test');
    }
    return produce(topic, messages);
  };
  return bus;
}

describe('EngineRunner', () => {
  it('produces an offer again after a failed produce', async () => {
    const bus = busFailingOffers(1);
    const engine = new ProximityEngine();
    engine.upsertFence({
      id: 'c1:t1',
      campaignId: 'c1',
      truckId: 't1',
      lat: 37.7749,
      lon: -122.4194,
      radiusM: 100,
      activeFrom: 0,
      activeUntil: Number.MAX_SAFE_INTEGER,
    });
    const runner = new EngineRunner({ bus, engine, logger: silentLogger(), instanceId: 'test' });
    const offers: OfferDecision[] = [];
    await bus.subscribe<OfferDecision>({ topic: Topics.offers, groupId: 'test', handler: async (r) => void offers.push(...r.map((x) => x.value)) });
    await runner.start();

    const ping: PingRecord = { deviceId: 'd1', seq: 1, lat: 37.7749, lon: -122.4194, accuracy: 5, ts: 1_000, receivedAt: 1_000 };
    await bus.produce(Topics.pings, [{ key: 'd1', value: ping }]);
    await bus.drain();

    expect(offers.map((offer) => offer.deviceId)).toEqual(['d1']);
    await runner.stop();
    await bus.close();
  });
});
