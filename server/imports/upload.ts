import type { IncomingMessage } from 'node:http';
import { releaseForUpload } from '../http-timeouts.js';

/**
 * An upload that stopped before the end of its file. `reason` is a clause that
 * follows "because", and `advice` a sentence on what to do with the rest of the file.
 */
export class UploadStoppedError extends Error {
  readonly reason: string;
  readonly advice?: string;

  constructor(reason: string, options: { advice?: string; cause?: unknown } = {}) {
    super(reason, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'UploadStoppedError';
    this.reason = reason;
    this.advice = options.advice;
  }
}

export interface UploadOptions {
  /** Bytes accepted at most. */
  maxBytes: number;
  /** The Node request under the body, when the app runs on a Node server. Its connection is closed when the upload stalls. */
  incoming?: IncomingMessage;
}

/**
 * Returns a request body as a stream for the importer. The request leaves the
 * server's request deadline, because a large import takes as long as its
 * batches take to store. The stream fails with UploadStoppedError instead when
 * the client sends nothing for the upload idle time while the importer waits
 * for data, when the client closes the connection, or when the body passes `maxBytes`.
 */
export function streamUpload(body: AsyncIterable<Uint8Array>, options: UploadOptions): AsyncIterable<Uint8Array> {
  const idleMs = releaseForUpload(options.incoming);
  return readUpload(body, idleMs, options);
}

async function* readUpload(body: AsyncIterable<Uint8Array>, idleMs: number, options: UploadOptions): AsyncGenerator<Uint8Array> {
  const iterator = body[Symbol.asyncIterator]();
  let received = 0;
  let finished = false;

  try {
    while (true) {
      let next: IteratorResult<Uint8Array>;
      try {
        next = await nextWithin(iterator, idleMs, options.incoming);
      } catch (error) {
        // A body that failed, or stalled with a read still pending, cannot be closed again.
        finished = true;
        throw error instanceof UploadStoppedError ? error : describeBodyError(error);
      }
      if (next.done === true) {
        finished = true;
        return;
      }

      received += next.value.byteLength;
      if (received > options.maxBytes) {
        throw new UploadStoppedError(`the file is larger than ${options.maxBytes} bytes, the most that one import accepts`, {
          advice: 'Split the rest of the file into smaller files and import each of them',
        });
      }
      yield next.value;
    }
  } finally {
    // An importer that stops early, such as at a fault in the file, leaves the rest of the body unread.
    if (!finished) {
      await iterator.return?.();
    }
  }
}

/** Waits for the next chunk, and fails when none arrives within `idleMs`. */
async function nextWithin(
  iterator: AsyncIterator<Uint8Array>,
  idleMs: number,
  incoming: IncomingMessage | undefined,
): Promise<IteratorResult<Uint8Array>> {
  const next = iterator.next();
  let timer: NodeJS.Timeout | undefined;
  const idle = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      // The read still pending fails once the connection closes, and nothing waits for it any more.
      next.catch(() => undefined);
      incoming?.destroy();
      reject(
        new UploadStoppedError(`no data arrived for ${formatSeconds(idleMs)}, so the server closed the connection`, {
          advice: 'Check the network and import the rest of the file again, or the whole file, because contacts already in the segment are not added twice',
        }),
      );
    }, idleMs);
  });

  try {
    return await Promise.race([next, idle]);
  } finally {
    clearTimeout(timer);
  }
}

function describeBodyError(error: unknown): UploadStoppedError {
  const { code, message, name } = (error ?? {}) as { code?: unknown; message?: unknown; name?: unknown };
  // Node reports a client that closed its connection mid-body as `aborted` with code ECONNRESET.
  const closed = code === 'ECONNRESET' || message === 'aborted' || name === 'AbortError';
  return new UploadStoppedError(closed ? 'the client closed the connection' : `the connection failed (${String(message ?? error)})`, { cause: error });
}

function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}
