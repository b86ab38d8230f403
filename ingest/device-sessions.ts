import type { Logger } from '../common/logger.js';
import type { DeviceDirectory } from './device-directory.js';
import { LogLimiter } from './log-limiter.js';

/** The part of a device connection that the session registry needs. */
export interface SessionConnection {
  readonly connectionId: string;
  /** Closes the connection because a newer one for the same device took over. */
  replace(): void;
}

/**
 * State of one device shared by its successive connections: the dedupe position,
 * the current connection and a queue that serializes work across connections.
 */
export class DeviceSession<C extends SessionConnection = SessionConnection> {
  /** Highest seq accepted or rejected for the device, by this gateway or per the directory. */
  lastSeq: number;
  /** Highest seq written to the directory. */
  savedSeq: number;
  connection: C | undefined;
  saveTimer: NodeJS.Timeout | undefined;
  saveQueue: Promise<void> = Promise.resolve();
  /** Tasks queued or running in `taskQueue`. The session is not evicted while any remain. */
  pendingTasks = 0;
  taskQueue: Promise<void> = Promise.resolve();

  constructor(
    readonly deviceId: string,
    lastSeq: number,
  ) {
    this.lastSeq = lastSeq;
    this.savedSeq = lastSeq;
  }
}

/**
 * Registry of device sessions. It enforces one current connection per device and
 * writes each device's lastSeq to the directory lazily: `saveDelayMs` after a
 * change, and at once on disconnect and on `close`.
 */
export class DeviceSessions<C extends SessionConnection> {
  private readonly sessions = new Map<string, DeviceSession<C>>();
  private readonly saveFailureLog: LogLimiter;
  private closed = false;

  constructor(
    private readonly options: { devices: DeviceDirectory; logger: Logger; saveDelayMs: number },
  ) {
    this.saveFailureLog = new LogLimiter(options.logger, { maxPerWindow: 10, windowMs: 10_000 });
  }

  /**
   * Makes `connection` the current connection of the device and returns its session
   * with the connection it replaced, if any. The caller closes the replaced connection.
   * `directoryLastSeq` only raises the session's lastSeq, because the directory may
   * lag behind what this gateway accepted.
   */
  attach(deviceId: string, directoryLastSeq: number, connection: C): { session: DeviceSession<C>; replaced?: C } {
    let session = this.sessions.get(deviceId);
    if (!session) {
      session = new DeviceSession<C>(deviceId, directoryLastSeq);
      this.sessions.set(deviceId, session);
    }
    session.lastSeq = Math.max(session.lastSeq, directoryLastSeq);
    session.savedSeq = Math.max(session.savedSeq, directoryLastSeq);

    const replaced = session.connection;
    session.connection = connection;
    return replaced ? { session, replaced } : { session };
  }

  /** Clears the device's current connection if it is `connection`, and saves its lastSeq now. */
  detach(session: DeviceSession<C>, connection: C): void {
    if (session.connection !== connection) return;
    session.connection = undefined;
    void this.save(session);
  }

  get(deviceId: string): DeviceSession<C> | undefined {
    return this.sessions.get(deviceId);
  }

  /**
   * Runs `task` after every task queued earlier for this device, on any connection.
   * A replacing connection queues its welcome here, so the welcome's lastSeq includes
   * any batch the old connection still had in `bus.produce`.
   */
  runExclusive<T>(session: DeviceSession<C>, task: () => Promise<T>): Promise<T> {
    session.pendingTasks += 1;
    const result = session.taskQueue.then(task).finally(() => {
      session.pendingTasks -= 1;
      if (session.connection === undefined) void this.save(session);
    });
    session.taskQueue = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }

  /** Raises the device's lastSeq to `seq` and schedules a save. */
  advance(session: DeviceSession<C>, seq: number): void {
    if (seq <= session.lastSeq) return;
    session.lastSeq = seq;
    this.scheduleSave(session);
  }

  /** Writes every unsaved lastSeq to the directory, then stops scheduling saves. A failed write is logged and not retried. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.sessions.values()].map((session) => this.save(session)));
  }

  private scheduleSave(session: DeviceSession<C>): void {
    if (session.saveTimer || this.closed) return;
    session.saveTimer = setTimeout(() => {
      session.saveTimer = undefined;
      void this.save(session);
    }, this.options.saveDelayMs);
    session.saveTimer.unref();
  }

  /** Queues a write of the session's lastSeq. Writes of one device run one at a time, so they land in order. */
  private save(session: DeviceSession<C>): Promise<void> {
    clearTimeout(session.saveTimer);
    session.saveTimer = undefined;
    session.saveQueue = session.saveQueue.then(() => this.writeLastSeq(session));
    return session.saveQueue;
  }

  private async writeLastSeq(session: DeviceSession<C>): Promise<void> {
    const seq = session.lastSeq;
    if (seq > session.savedSeq) {
      try {
        await this.options.devices.saveLastSeq(session.deviceId, seq);
        session.savedSeq = Math.max(session.savedSeq, seq);
      } catch (error) {
        // A lost lastSeq only weakens dedupe, because the engine also ignores seqs it has seen.
        this.saveFailureLog.warn({ err: error, deviceId: session.deviceId, lastSeq: seq }, 'failed to save device lastSeq; will retry unless the gateway is closing');
        this.scheduleSave(session);
        return;
      }
    }

    // NOTE: a hello whose authenticate() read the directory before this write finished
    // can still see the older lastSeq after the session is evicted. The device then
    // resends pings that are already on the bus, and the engine drops them by seq.
    const idle =
      session.connection === undefined &&
      session.pendingTasks === 0 &&
      session.savedSeq >= session.lastSeq &&
      session.saveTimer === undefined;
    if (idle && this.sessions.get(session.deviceId) === session) {
      this.sessions.delete(session.deviceId);
    }
  }
}
