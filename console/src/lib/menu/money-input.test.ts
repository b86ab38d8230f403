import { describe, expect, it } from 'vitest';
import { formatMoneyInput, parseCountInput, parseMoneyInput } from './money-input.js';

describe('parseMoneyInput', () => {
  it.each([
    ['4.50', 'USD', 450],
    ['4.5', 'USD', 450],
    ['4', 'USD', 400],
    ['.75', 'USD', 75],
    ['4.', 'USD', 400],
    [' 12.30 ', 'USD', 1230],
    ['0', 'USD', 0],
    ['4.10', 'USD', 410],
    ['1,234.56', 'USD', 123456],
    ['4.500', 'USD', 450],
    ['1200', 'JPY', 1200],
    ['1,200', 'JPY', 1200],
    ['1.0', 'JPY', 1],
    ['1.234', 'KWD', 1234],
    ['0.5', 'KWD', 500],
  ])('reads %j %s as %i minor units', (text, currency, minor) => {
    expect(parseMoneyInput(text, currency)).toEqual({ ok: true, value: minor });
  });

  it.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['abc', 'invalid'],
    ['4.5.0', 'invalid'],
    ['-1', 'invalid'],
    ['.', 'invalid'],
    ['1,23', 'invalid'],
    ['$4', 'invalid'],
    ['1e3', 'invalid'],
    ['99999999999999999', 'invalid'],
  ])('rejects %j as %s', (text, problem) => {
    expect(parseMoneyInput(text, 'USD')).toEqual({ ok: false, problem });
  });

  it('rejects more decimals than the currency has', () => {
    expect(parseMoneyInput('4.505', 'USD')).toEqual({ ok: false, problem: 'decimals' });
    expect(parseMoneyInput('100.5', 'JPY')).toEqual({ ok: false, problem: 'decimals' });
    expect(parseMoneyInput('1.2345', 'KWD')).toEqual({ ok: false, problem: 'decimals' });
  });
});

describe('formatMoneyInput', () => {
  it.each([
    [450, 'USD', '4.50'],
    [5, 'USD', '0.05'],
    [0, 'USD', '0.00'],
    [123456, 'USD', '1234.56'],
    [1000, 'JPY', '1000'],
    [1234, 'KWD', '1.234'],
    [-250, 'USD', '-2.50'],
  ])('writes %i %s as %j', (minor, currency, text) => {
    expect(formatMoneyInput(minor, currency)).toBe(text);
  });

  it('writes what parseMoneyInput reads back', () => {
    for (const [minor, currency] of [
      [1999, 'USD'],
      [7, 'KWD'],
      [880, 'JPY'],
    ] as const) {
      expect(parseMoneyInput(formatMoneyInput(minor, currency), currency)).toEqual({ ok: true, value: minor });
    }
  });
});

describe('parseCountInput', () => {
  it('reads whole numbers', () => {
    expect(parseCountInput('0')).toEqual({ ok: true, value: 0 });
    expect(parseCountInput(' 12 ')).toEqual({ ok: true, value: 12 });
  });

  it.each([
    ['', 'empty'],
    ['1.5', 'invalid'],
    ['-2', 'invalid'],
    ['two', 'invalid'],
    ['99999999999999999', 'invalid'],
  ])('rejects %j as %s', (text, problem) => {
    expect(parseCountInput(text)).toEqual({ ok: false, problem });
  });
});
