import { describe, expect, it } from 'vitest';
import { splitTokenFragment } from './admin-token.js';
import { shortenId } from './format.js';
import { parseFrame } from './live-frame.js';
import { parseTileConfig } from './tile-config.js';

describe('splitTokenFragment', () => {
  it('takes the token out of the fragment', () => {
    expect(splitTokenFragment('#token=s3cr%2Bt')).toEqual({ token: 's3cr+t', rest: '' });
  });

  it('keeps other fragment parameters', () => {
    expect(splitTokenFragment('#view=map&token=abc')).toEqual({ token: 'abc', rest: '#view=map' });
  });

  it('returns null without a token', () => {
    expect(splitTokenFragment('#view=map')).toEqual({ token: null, rest: '#view=map' });
    expect(splitTokenFragment('')).toEqual({ token: null, rest: '' });
  });

  it('drops an empty token from the address', () => {
    expect(splitTokenFragment('#token=')).toEqual({ token: null, rest: '' });
  });
});

describe('parseTileConfig', () => {
  it('accepts an http(s) template', () => {
    expect(parseTileConfig({ tileUrl: 'https://tiles.example/{z}/{x}/{y}.png', tileAttribution: '© Example' })).toEqual({
      tileUrl: 'https://tiles.example/{z}/{x}/{y}.png',
      attribution: '© Example',
    });
  });

  it.each([
    ['a null tileUrl', { tileUrl: null }],
    ['a missing tileUrl', {}],
    ['a template without {z}', { tileUrl: 'https://tiles.example/{x}/{y}.png' }],
    ['a non-http scheme', { tileUrl: 'javascript:{z}{x}{y}' }],
    ['a non-object body', 'tiles'],
  ])('returns null for %s', (_case, body) => {
    expect(parseTileConfig(body)).toBeNull();
  });
});

describe('parseFrame', () => {
  it('parses a known frame', () => {
    expect(parseFrame('{"type":"fence-removed","fenceId":"f1"}')).toEqual({ type: 'fence-removed', fenceId: 'f1' });
  });

  it.each([
    ['invalid JSON', '{'],
    ['an unknown type', '{"type":"welcome"}'],
    ['a JSON array', '[]'],
    ['binary data', new ArrayBuffer(2)],
  ])('returns null for %s', (_case, data) => {
    expect(parseFrame(data)).toBeNull();
  });
});

describe('shortenId', () => {
  it('shortens long ids', () => {
    expect(shortenId('0f8c2a9e-1b2c-4d5e-8f90-123456789abc')).toBe('0f8c2a9e…');
  });

  it('keeps short ids whole', () => {
    expect(shortenId('d1')).toBe('d1');
    expect(shortenId('123456789')).toBe('123456789');
  });
});
