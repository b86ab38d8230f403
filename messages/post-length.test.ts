import { describe, expect, it } from 'vitest';
import { measurePost, type PostMeasure } from './post-length.js';

interface PostCase {
  name: string;
  text: string;
  expected: PostMeasure;
}

const cases: PostCase[] = [
  {
    name: 'empty post',
    text: '',
    expected: { weightedLength: 0, limit: 280, remaining: 280, valid: false },
  },
  {
    name: '280 Latin characters',
    text: 'a'.repeat(280),
    expected: { weightedLength: 280, limit: 280, remaining: 0, valid: true },
  },
  {
    name: '281 Latin characters',
    text: 'a'.repeat(281),
    expected: { weightedLength: 281, limit: 280, remaining: -1, valid: false },
  },
  {
    name: 'long URL',
    text: 'https://example.com/menu/specials/today/tacos-al-pastor-and-horchata',
    expected: { weightedLength: 23, limit: 280, remaining: 257, valid: true },
  },
  {
    name: 'short URL',
    text: 'https://x.co',
    expected: { weightedLength: 23, limit: 280, remaining: 257, valid: true },
  },
  {
    name: 'text with URL',
    text: 'Tacos at https://example.com/menu',
    expected: { weightedLength: 32, limit: 280, remaining: 248, valid: true },
  },
  {
    name: 'CJK character',
    text: '中',
    expected: { weightedLength: 2, limit: 280, remaining: 278, valid: true },
  },
  {
    name: '140 CJK characters',
    text: '中'.repeat(140),
    expected: { weightedLength: 280, limit: 280, remaining: 0, valid: true },
  },
  {
    name: '141 CJK characters',
    text: '中'.repeat(141),
    expected: { weightedLength: 282, limit: 280, remaining: -2, valid: false },
  },
  {
    name: 'Chinese with Latin digits',
    text: '午餐5折',
    expected: { weightedLength: 7, limit: 280, remaining: 273, valid: true },
  },
  {
    name: 'emoji',
    text: '\u{1F32E}',
    expected: { weightedLength: 2, limit: 280, remaining: 278, valid: true },
  },
  {
    name: 'emoji ZWJ sequence',
    text: '\u{1F469}\u200D\u{1F373}',
    expected: { weightedLength: 2, limit: 280, remaining: 278, valid: true },
  },
  {
    name: 'Latin with emoji at 280',
    text: 'a'.repeat(278) + '\u{1F32E}',
    expected: { weightedLength: 280, limit: 280, remaining: 0, valid: true },
  },
  {
    name: 'Latin with emoji at 281',
    text: 'a'.repeat(279) + '\u{1F32E}',
    expected: { weightedLength: 281, limit: 280, remaining: -1, valid: false },
  },
  {
    name: 'invalid character',
    text: 'taco \uFFFE',
    expected: { weightedLength: 7, limit: 280, remaining: 273, valid: false },
  },
];

describe('measurePost', () => {
  it.each(cases)('$name', ({ text, expected }) => {
    expect(measurePost(text)).toEqual(expected);
  });
});
