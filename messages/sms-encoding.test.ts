import { describe, expect, it } from 'vitest';
import { measureSms, splitSms, type SmsMeasure } from './sms-encoding.js';

const TACO = '\u{1F32E}';

interface MeasureCase {
  name: string;
  text: string;
  expected: Omit<SmsMeasure, 'nonGsmCharacters'>;
  /** Units of each part that splitSms returns. */
  partUnits: number[];
}

const cases: MeasureCase[] = [
  {
    name: 'empty text',
    text: '',
    expected: { encoding: 'GSM-7', units: 0, parts: 0, perPart: 160, remainingInPart: 160 },
    partUnits: [],
  },
  {
    name: '160 GSM-7 characters',
    text: 'a'.repeat(160),
    expected: { encoding: 'GSM-7', units: 160, parts: 1, perPart: 160, remainingInPart: 0 },
    partUnits: [160],
  },
  {
    name: '161 GSM-7 characters',
    text: 'a'.repeat(161),
    expected: { encoding: 'GSM-7', units: 161, parts: 2, perPart: 153, remainingInPart: 145 },
    partUnits: [153, 8],
  },
  {
    name: '153 x 2 GSM-7 characters',
    text: 'a'.repeat(306),
    expected: { encoding: 'GSM-7', units: 306, parts: 2, perPart: 153, remainingInPart: 0 },
    partUnits: [153, 153],
  },
  {
    name: '153 x 2 + 1 GSM-7 characters',
    text: 'a'.repeat(307),
    expected: { encoding: 'GSM-7', units: 307, parts: 3, perPart: 153, remainingInPart: 152 },
    partUnits: [153, 153, 1],
  },
  {
    name: 'extension character filling 160',
    text: 'a'.repeat(158) + '€',
    expected: { encoding: 'GSM-7', units: 160, parts: 1, perPart: 160, remainingInPart: 0 },
    partUnits: [160],
  },
  {
    name: 'extension character reaching 161',
    text: 'a'.repeat(159) + '€',
    expected: { encoding: 'GSM-7', units: 161, parts: 2, perPart: 153, remainingInPart: 145 },
    partUnits: [153, 8],
  },
  {
    name: 'extension character across part boundary',
    text: 'a'.repeat(152) + '€' + 'a'.repeat(7),
    expected: { encoding: 'GSM-7', units: 161, parts: 2, perPart: 153, remainingInPart: 144 },
    partUnits: [152, 9],
  },
  {
    name: 'extension character ending a part',
    text: 'a'.repeat(151) + '€' + 'a'.repeat(8),
    expected: { encoding: 'GSM-7', units: 161, parts: 2, perPart: 153, remainingInPart: 145 },
    partUnits: [153, 8],
  },
  {
    name: 'only extension characters',
    text: '€'.repeat(81),
    expected: { encoding: 'GSM-7', units: 162, parts: 2, perPart: 153, remainingInPart: 143 },
    partUnits: [152, 10],
  },
  {
    name: '70 UCS-2 units',
    text: 'ж'.repeat(70),
    expected: { encoding: 'UCS-2', units: 70, parts: 1, perPart: 70, remainingInPart: 0 },
    partUnits: [70],
  },
  {
    name: '71 UCS-2 units',
    text: 'ж'.repeat(71),
    expected: { encoding: 'UCS-2', units: 71, parts: 2, perPart: 67, remainingInPart: 63 },
    partUnits: [67, 4],
  },
  {
    name: '67 x 2 UCS-2 units',
    text: 'ж'.repeat(134),
    expected: { encoding: 'UCS-2', units: 134, parts: 2, perPart: 67, remainingInPart: 0 },
    partUnits: [67, 67],
  },
  {
    name: '67 x 2 + 1 UCS-2 units',
    text: 'ж'.repeat(135),
    expected: { encoding: 'UCS-2', units: 135, parts: 3, perPart: 67, remainingInPart: 66 },
    partUnits: [67, 67, 1],
  },
  {
    name: 'Chinese message',
    text: '今天午餐半价，快来！',
    expected: { encoding: 'UCS-2', units: 10, parts: 1, perPart: 70, remainingInPart: 60 },
    partUnits: [10],
  },
  {
    name: 'emoji forcing UCS-2',
    text: `Lunch ${TACO}`,
    expected: { encoding: 'UCS-2', units: 8, parts: 1, perPart: 70, remainingInPart: 62 },
    partUnits: [8],
  },
  {
    name: 'emoji filling 70 units',
    text: 'a'.repeat(68) + TACO,
    expected: { encoding: 'UCS-2', units: 70, parts: 1, perPart: 70, remainingInPart: 0 },
    partUnits: [70],
  },
  {
    name: 'surrogate pair across part boundary',
    text: 'a'.repeat(66) + TACO + 'a'.repeat(3),
    expected: { encoding: 'UCS-2', units: 71, parts: 2, perPart: 67, remainingInPart: 62 },
    partUnits: [66, 5],
  },
  {
    name: 'surrogate pair ending a part',
    text: 'a'.repeat(65) + TACO + 'a'.repeat(4),
    expected: { encoding: 'UCS-2', units: 71, parts: 2, perPart: 67, remainingInPart: 63 },
    partUnits: [67, 4],
  },
];

describe('measureSms', () => {
  it.each(cases)('$name', ({ text, expected }) => {
    expect(measureSms(text)).toMatchObject(expected);
  });

  it('counts every basic character as one septet', () => {
    const basic =
      '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?' +
      '¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

    const measure = measureSms(basic);

    expect(basic.length).toBe(127);
    expect(measure.encoding).toBe('GSM-7');
    expect(measure.units).toBe(127);
  });

  it.each(['\f', '^', '{', '}', '\\', '[', ']', '~', '|', '€'])(
    'counts extension character %j as two septets',
    (character) => {
      const measure = measureSms(character);

      expect(measure.encoding).toBe('GSM-7');
      expect(measure.units).toBe(2);
    },
  );

  it('lists distinct non-GSM characters in order', () => {
    const measure = measureSms(`Taco ${TACO} ça ${TACO} 半价`);

    expect(measure.encoding).toBe('UCS-2');
    expect(measure.nonGsmCharacters).toEqual([TACO, 'ç', '半', '价']);
  });

  it('lists no characters for GSM-7 text', () => {
    expect(measureSms('Tacos {2 for €5} ^_^').nonGsmCharacters).toEqual([]);
  });

  it('counts extension characters as one unit in UCS-2', () => {
    const measure = measureSms('€ 半');

    expect(measure.encoding).toBe('UCS-2');
    expect(measure.units).toBe(3);
  });
});

describe('splitSms', () => {
  it.each(cases)('$name', ({ text, expected, partUnits }) => {
    const parts = splitSms(text);

    expect(parts).toHaveLength(expected.parts);
    expect(parts.join('')).toBe(text);
    // Each part is measured on its own; in these cases that gives the units it has in the whole text.
    expect(parts.map((part) => measureSms(part).units)).toEqual(partUnits);
  });

  it('keeps an extension character whole', () => {
    const parts = splitSms('a'.repeat(152) + '€' + 'a'.repeat(7));

    expect(parts[0]).toBe('a'.repeat(152));
    expect(parts[1]).toBe('€' + 'a'.repeat(7));
  });

  it('keeps a surrogate pair whole', () => {
    const parts = splitSms('a'.repeat(66) + TACO + 'a'.repeat(3));

    expect(parts[0]).toBe('a'.repeat(66));
    expect(parts[1]).toBe(TACO + 'aaa');
  });
});
