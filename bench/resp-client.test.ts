import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { encodeCommand, parseReply, RespClient, RespError } from './resp-client.js';

function parseAll(text: string): unknown {
  const result = parseReply(Buffer.from(text), 0);
  if (typeof result === 'symbol') return result;
  return result.value;
}

describe('RESP encoding', () => {
  it('encodes a command as bulk strings', () => {
    expect(encodeCommand(['INTERSECTS', 'fences', 37.5])).toBe('*3\r\n$10\r\nINTERSECTS\r\n$6\r\nfences\r\n$4\r\n37.5\r\n');
  });

  it('counts bytes, not characters', () => {
    expect(encodeCommand(['é'])).toBe('*1\r\n$2\r\né\r\n');
  });
});

describe('RESP parsing', () => {
  it('parses each reply type', () => {
    expect(parseAll('+OK\r\n')).toBe('OK');
    expect(parseAll(':42\r\n')).toBe(42);
    expect(parseAll('$5\r\nhello\r\n')).toBe('hello');
    expect(parseAll('$-1\r\n')).toBeNull();
    expect(parseAll('*2\r\n:0\r\n*2\r\n$1\r\na\r\n$1\r\nb\r\n')).toEqual([0, ['a', 'b']]);
  });

  it('returns an error reply as a value', () => {
    const value = parseAll('-ERR invalid argument\r\n');
    expect(value).toBeInstanceOf(RespError);
    expect((value as RespError).message).toBe('ERR invalid argument');
  });

  it('reports a reply cut short as incomplete', () => {
    expect(typeof parseAll('$5\r\nhel')).toBe('symbol');
    expect(typeof parseAll('*2\r\n:1\r\n')).toBe('symbol');
    expect(typeof parseAll('+OK\r')).toBe('symbol');
  });

  it('rejects an unknown type byte', () => {
    expect(() => parseAll('?x\r\n')).toThrow(/unknown type byte/);
  });
});

describe('RespClient', () => {
  let server: net.Server | undefined;

  afterEach(() => {
    server?.close();
    server = undefined;
  });

  it('pipelines replies that arrive split across packets', async () => {
    // The server replies to two commands with the first reply split mid-value, then the second.
    server = net.createServer((socket) => {
      socket.once('data', () => {
        socket.write('*2\r\n:0\r\n*1\r\n$3\r\nab');
        setTimeout(() => socket.write('c\r\n+PONG\r\n'), 20);
      });
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;

    const client = await RespClient.connect('127.0.0.1', port, 2_000);
    const replies = await client.pipeline([['INTERSECTS', 'fences', 'IDS', 'POINT', 1, 2], ['PING']], 2_000);
    client.close();

    expect(replies).toEqual([[0, ['abc']], 'PONG']);
  });

  it('rejects outstanding commands when the server closes', async () => {
    server = net.createServer((socket) => socket.once('data', () => socket.end()));
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;

    const client = await RespClient.connect('127.0.0.1', port, 2_000);
    await expect(client.command(['PING'])).rejects.toThrow(/closed with 1 replies outstanding/);
  });
});
