import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { deviceSocketUrl, resolveWebSocket } from './websocket.js';

describe('deviceSocketUrl', () => {
  const cases: Array<[string, string]> = [
    ['http://127.0.0.1:8080', 'ws://127.0.0.1:8080/v1/devices/connect'],
    ['https://api.example.com/', 'wss://api.example.com/v1/devices/connect'],
    ['https://example.com/cloudburst/?x=1#top', 'wss://example.com/cloudburst/v1/devices/connect'],
    ['wss://example.com', 'wss://example.com/v1/devices/connect'],
  ];

  for (const [base, expected] of cases) {
    it(`derives ${expected} from ${base}`, () => {
      expect(deviceSocketUrl(base)).toBe(expected);
    });
  }

  it('rejects other schemes', () => {
    expect(() => deviceSocketUrl('ftp://example.com')).toThrow('invalid url: "ftp://example.com" (expected an http, https, ws or wss URL)');
  });
});

describe('resolveWebSocket', () => {
  it('explains what to pass when no WebSocket exists', () => {
    const hasGlobal = typeof (globalThis as { WebSocket?: unknown }).WebSocket === 'function';

    if (hasGlobal) expect(resolveWebSocket(undefined)).toBe((globalThis as { WebSocket?: unknown }).WebSocket);
    else expect(() => resolveWebSocket(undefined)).toThrow('pass the WebSocket option');
  });
});

describe('sdk sources', () => {
  it('import no Node module and not ws, so they bundle for browsers', () => {
    const directory = fileURLToPath(new URL('.', import.meta.url));
    const sources = readdirSync(directory).filter((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));
    const offending = sources.filter((name) => /from ['"](node:|ws['"]|fs['"]|http['"]|net['"])/.test(readFileSync(`${directory}/${name}`, 'utf8')));

    expect(sources).toContain('client.ts');
    expect(offending).toEqual([]);
  });
});
