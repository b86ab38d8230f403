import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, CODE_LENGTH, generateCode } from './codes.js';

describe('generateCode', () => {
  it('uses only the unambiguous alphabet', () => {
    for (let i = 0; i < 1000; i++) {
      const code = generateCode();
      expect(code).toHaveLength(CODE_LENGTH);
      expect(code).toMatch(/^[23456789ABCDEFGHJKMNPQRSTUVWXYZ]+$/);
    }
  });

  it('excludes characters people confuse', () => {
    for (const confusing of ['0', 'O', '1', 'I', 'L']) expect(CODE_ALPHABET).not.toContain(confusing);
  });

  it('draws every symbol about equally often', () => {
    const counts = new Map<string, number>();
    const draws = 20_000;
    for (let i = 0; i < draws; i++) {
      for (const symbol of generateCode()) counts.set(symbol, (counts.get(symbol) ?? 0) + 1);
    }
    const expected = (draws * CODE_LENGTH) / CODE_ALPHABET.length;
    expect(counts.size).toBe(CODE_ALPHABET.length);
    for (const count of counts.values()) {
      // Over 5,000 expected draws per symbol, a fair source stays well within ±10 %.
      expect(Math.abs(count - expected) / expected).toBeLessThan(0.1);
    }
  });

  it('does not repeat in a large sample', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50_000; i++) seen.add(generateCode());
    expect(seen.size).toBe(50_000);
  });
});
