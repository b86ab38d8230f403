import type { Logger } from '../common/logger.js';
import { KafkaBus } from './kafka.js';
import { MemoryBus } from './memory-log.js';
import type { Bus } from './types.js';

export interface BusSettings {
  /** Kafka bootstrap brokers; the in-process log when empty or absent. */
  kafkaBrokers?: string[];
  /** Prefix of Kafka topic and group names. */
  kafkaNamespace?: string;
  /** Partitions per topic (of the in-process log, or of Kafka topics this process creates). */
  partitions?: number;
  logger: Logger;
}

/** Opens Kafka when brokers are configured, else the in-process log. */
export async function openBus(settings: BusSettings): Promise<Bus> {
  if (settings.kafkaBrokers && settings.kafkaBrokers.length > 0) {
    const bus = new KafkaBus({
      brokers: settings.kafkaBrokers,
      namespace: settings.kafkaNamespace,
      partitions: settings.partitions,
      logger: settings.logger,
    });
    await bus.connect();
    return bus;
  }
  return new MemoryBus({ partitions: settings.partitions, logger: settings.logger });
}
