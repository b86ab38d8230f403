// Runs the shared bus suite against a real Kafka broker: KAFKA_BROKERS, by default the
// one `npm run services:start` starts. A missing broker fails the run; it never skips.
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../common/logger.js';
import { describeBus } from './bus-suite.js';
import { KafkaBus } from './kafka.js';

const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:59092').split(',');

describeBus('Kafka', ({ partitions }) => new KafkaBus({ brokers: BROKERS, partitions, logger: silentLogger() }));

describe('KafkaBus without a broker', () => {
  it('rejects produce as unavailable', async () => {
    const bus = new KafkaBus({ brokers: ['127.0.0.1:1'], logger: silentLogger() });
    try {
      await expect(bus.produce('t', [{ key: 'k', value: 1 }])).rejects.toMatchObject({ code: 'unavailable', retriable: true });
    } finally {
      await bus.close();
    }
  }, 120_000);
});
