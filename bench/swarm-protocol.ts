/** IPC messages between bench/ingest.ts and its device swarm processes (bench/swarm-worker.ts). */
import type { LatLon } from './positions.js';

/** Occurrences per description, for example `{ "ECONNRESET": 3 }`. */
export type Counts = Record<string, number>;

export interface SwarmErrors {
  /** Failed `POST /v1/devices`, by message. */
  registration: Counts;
  /** Sockets that never got their welcome, by reason. */
  connection: Counts;
  /** Error frames from the gateway, by code and field. */
  errorFrames: Counts;
  /** Sockets the server closed after their welcome, by close code and reason. */
  closes: Counts;
  /** Socket errors after the welcome, by error code. */
  socketErrors: Counts;
}

export interface ProcessUse {
  /** CPU time over wall time: 100 is one core kept busy. */
  cpuPercent: number;
  /** Share of the wall time that the event loop was running code, 0 to 1. */
  eventLoopUtilization: number;
}

export type SwarmCommand =
  | {
      type: 'setup';
      url: string;
      /** Global index of this process's first device. Device paths and the choice of walkers derive from it. */
      firstDevice: number;
      devices: number;
      trucks: LatLon[];
      radiusM: number;
      campaignId: string;
      registerConcurrency: number;
      connectConcurrency: number;
    }
  | {
      type: 'throughput';
      seconds: number;
      /** Maximum unacknowledged pings per device. */
      window: number;
      /** Maximum pings per frame. */
      batch: number;
      /** Maximum time to wait for the last acks after the window closed. */
      drainMs: number;
    }
  | {
      type: 'latency';
      seconds: number;
      /** Leading seconds whose pings are not measured and in which no device walks into a fence. */
      warmupSeconds: number;
      /** This process's share of the total ping rate, in pings per second. */
      rate: number;
      /** A device with this many unacknowledged pings skips its turn. */
      window: number;
      /** Share of devices that walk into their home truck's fence once, after the warm-up. */
      offerShare: number;
      /** Maximum time to wait for the last acks and offers after the last ping. */
      settleMs: number;
    }
  | { type: 'close' };

/** Counters every report carries, cumulative since the process started. */
export interface SwarmTotals {
  /** Pings covered by an ack. */
  acked: number;
  /** Pings rejected with an error frame. An ack covers them too, but they never reach the bus. */
  rejected: number;
  errors: SwarmErrors;
}

export type SwarmReport =
  | ({ type: 'ready'; registered: number; connected: number; registerMs: number; connectMs: number } & SwarmTotals)
  | ({
      type: 'throughput-done';
      sent: number;
      frames: number;
      /** Pings whose ack arrived within the window. */
      ackedInWindow: number;
      /** Pings still unacknowledged when the drain wait ended. */
      unackedAtEnd: number;
      client: ProcessUse;
    } & SwarmTotals)
  | ({
      type: 'latency-done';
      sent: number;
      /** Turns skipped because the device was closed or had `window` pings unacknowledged. */
      skipped: number;
      offersExpected: number;
      offersReceived: number;
      /** Offers whose triggering ping was not one of a walk into a fence. */
      offersUnmatched: number;
      /** Send to ack of each measured ping, in ms. */
      ackLatenciesMs: number[];
      /** Send of the triggering ping to the offer frame, in ms. */
      offerLatenciesMs: number[];
      /** Measured pings still unacknowledged when the settle wait ended. */
      unackedAtEnd: number;
      client: ProcessUse;
    } & SwarmTotals)
  | ({ type: 'closed'; unexpectedOffers: number } & SwarmTotals)
  | { type: 'failed'; message: string };
