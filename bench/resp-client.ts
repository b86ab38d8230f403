/**
 * A minimal RESP2 client over one TCP connection, enough to pipeline commands to a
 * Tile38 or Redis server from a benchmark. Commands go out as arrays of bulk strings,
 * replies come back in order, and a server error reply is returned as a `RespError`
 * value, so one failed command does not reject the others of its pipeline.
 */
import net from 'node:net';

/** An error reply (`-ERR ...`) of the server. */
export class RespError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RespError';
  }
}

export type RespValue = string | number | null | RespError | RespValue[];

/** Returned by `parseReply` when the buffer ends inside a reply. */
const INCOMPLETE = Symbol('incomplete');

const CR = 0x0d;

/** Encodes one command as a RESP array of bulk strings. */
export function encodeCommand(args: readonly (string | number)[]): string {
  let out = `*${args.length}\r\n`;
  for (const arg of args) {
    const text = String(arg);
    out += `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
  }
  return out;
}

/**
 * Parses the reply that starts at `offset`. Returns the value and the offset after it,
 * or INCOMPLETE when `buffer` ends before the reply does.
 */
export function parseReply(buffer: Buffer, offset: number): { value: RespValue; end: number } | typeof INCOMPLETE {
  const lineEnd = buffer.indexOf(CR, offset);
  if (lineEnd === -1 || lineEnd + 1 >= buffer.length) return INCOMPLETE;

  const type = String.fromCharCode(buffer[offset] as number);
  const line = buffer.toString('utf8', offset + 1, lineEnd);
  const afterLine = lineEnd + 2;

  switch (type) {
    case '+':
      return { value: line, end: afterLine };
    case '-':
      return { value: new RespError(line), end: afterLine };
    case ':':
      return { value: Number(line), end: afterLine };
    case '$': {
      const length = Number(line);
      if (length === -1) return { value: null, end: afterLine };
      if (afterLine + length + 2 > buffer.length) return INCOMPLETE;
      return { value: buffer.toString('utf8', afterLine, afterLine + length), end: afterLine + length + 2 };
    }
    case '*': {
      const count = Number(line);
      if (count === -1) return { value: null, end: afterLine };
      const items: RespValue[] = [];
      let end = afterLine;
      for (let i = 0; i < count; i++) {
        const item = parseReply(buffer, end);
        if (item === INCOMPLETE) return INCOMPLETE;
        items.push(item.value);
        end = item.end;
      }
      return { value: items, end };
    }
    default:
      throw new Error(`invalid RESP reply: unknown type byte ${JSON.stringify(type)} at offset ${offset}`);
  }
}

interface PendingReply {
  resolve: (value: RespValue) => void;
  reject: (error: Error) => void;
}

export class RespClient {
  private readonly pending: PendingReply[] = [];
  private buffer: Buffer = Buffer.alloc(0);
  private failure: Error | undefined;

  private constructor(
    private readonly socket: net.Socket,
    readonly address: string,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', (error) => this.fail(new Error(`connection to ${address} failed: ${error.message}`, { cause: error })));
    socket.on('close', () => this.fail(new Error(`connection to ${address} closed with ${this.pending.length} replies outstanding`)));
  }

  /** Opens a connection to `host:port`, or rejects after `timeoutMs`. */
  static connect(host: string, port: number, timeoutMs: number): Promise<RespClient> {
    const address = `${host}:${port}`;
    return new Promise((resolve, reject) => {
      const socket = net.connect({ host, port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new Error(`timed out after ${timeoutMs} ms connecting to ${address}`));
      }, timeoutMs);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.removeAllListeners('error');
        resolve(new RespClient(socket, address));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(new Error(`connecting to ${address} failed: ${error.message}`, { cause: error }));
      });
    });
  }

  /** Sends one command and returns its reply. */
  async command(args: readonly (string | number)[]): Promise<RespValue> {
    const [reply] = await this.pipeline([args]);
    return reply as RespValue;
  }

  /**
   * Sends the commands in one write and returns their replies in order. Rejects when
   * the connection fails or when the replies take longer than `timeoutMs`.
   */
  pipeline(commands: readonly (readonly (string | number)[])[], timeoutMs = 30_000): Promise<RespValue[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);

    const replies = commands.map(
      () =>
        new Promise<RespValue>((resolve, reject) => {
          this.pending.push({ resolve, reject });
        }),
    );
    this.socket.write(commands.map(encodeCommand).join(''));

    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = new Error(`timed out after ${timeoutMs} ms waiting for ${commands.length} replies from ${this.address}`);
        this.fail(error);
        reject(error);
      }, timeoutMs);
    });
    return Promise.race([Promise.all(replies), timeout]).finally(() => clearTimeout(timer));
  }

  close(): void {
    this.failure ??= new Error(`connection to ${this.address} was closed by the client`);
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    this.buffer = this.buffer.length === 0 ? chunk : Buffer.concat([this.buffer, chunk]);

    let offset = 0;
    while (offset < this.buffer.length) {
      let reply;
      try {
        reply = parseReply(this.buffer, offset);
      } catch (error) {
        this.fail(error as Error);
        return;
      }
      if (reply === INCOMPLETE) break;

      const waiter = this.pending.shift();
      if (waiter === undefined) {
        this.fail(new Error(`unexpected reply from ${this.address}: no command is waiting for it`));
        return;
      }
      waiter.resolve(reply.value);
      offset = reply.end;
    }
    this.buffer = this.buffer.subarray(offset);
  }

  /** Rejects every outstanding command and closes the socket. */
  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiter of this.pending.splice(0)) waiter.reject(error);
    this.socket.destroy();
  }
}
