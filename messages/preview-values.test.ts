import { describe, expect, it } from 'vitest';
import { renderForChannel } from './render.js';
import { SAMPLE_VALUES, WORST_CASE_LENGTHS, worstCaseValues } from './preview-values.js';
import { TEMPLATE_VARIABLES } from './template.js';

const IDEOGRAPH = '\u{20BB7}';

describe('SAMPLE_VALUES', () => {
  it('holds the sample of every variable', () => {
    expect(SAMPLE_VALUES).toEqual({
      firstName: 'Maria',
      code: 'K7MP3QXA',
      truck: 'Taco Loco',
      validUntil: 'Sat, Dec 5, 1:30 PM PST',
      orderLink: 'https://example.com/o/K7MP3QXA',
      benefit: '20% off',
    });
    expect(Object.keys(SAMPLE_VALUES)).toEqual(TEMPLATE_VARIABLES.map((variable) => variable.name));
  });
});

describe('worstCaseValues', () => {
  it('builds values of the default lengths', () => {
    expect(worstCaseValues()).toEqual({
      firstName: IDEOGRAPH.repeat(20),
      code: 'WWWWWWWW',
      truck: IDEOGRAPH.repeat(40),
      validUntil: IDEOGRAPH.repeat(32),
      orderLink: 'https://example.com/' + 'x'.repeat(40),
      benefit: IDEOGRAPH.repeat(40),
    });
    expect(worstCaseValues().orderLink).toHaveLength(WORST_CASE_LENGTHS.orderLink);
  });

  it('keeps known values and skips empty ones', () => {
    const values = worstCaseValues({ truck: ' Taco Loco ', benefit: '  ', firstName: null });

    expect(values.truck).toBe('Taco Loco');
    expect(values.benefit).toBe(IDEOGRAPH.repeat(40));
    expect(values.firstName).toBe(IDEOGRAPH.repeat(20));
  });

  it('takes lengths from the caller', () => {
    const values = worstCaseValues({}, { firstName: 3, code: 6, orderLink: 10 });

    expect(values.firstName).toBe(IDEOGRAPH.repeat(3));
    expect(values.code).toBe('WWWWWW');
    // A link never gets shorter than its prefix.
    expect(values.orderLink).toBe('https://example.com/');
  });

  it.each([-1, 2.5, Number.NaN])('rejects the length %d', (length) => {
    expect(() => worstCaseValues({}, { truck: length })).toThrow(/^invalid lengths\.truck: /);
  });

  it('turns a GSM-7 SMS into UCS-2', () => {
    const template = 'Hi {{firstName}}, code {{code}}';

    expect(renderForChannel('sms', template, SAMPLE_VALUES)).toMatchObject({ encoding: 'GSM-7', units: 23 });

    const worst = renderForChannel('sms', template, worstCaseValues());

    expect(worst).toMatchObject({ encoding: 'UCS-2', units: 58, parts: 1, perPart: 70 });
    expect(worst.ucs2Triggers).toEqual([{ character: IDEOGRAPH, variable: 'firstName' }]);
  });

  it('still counts the order link as 23 on X', () => {
    const rendering = renderForChannel('x', '{{orderLink}}', worstCaseValues({}, { orderLink: 200 }));

    expect(rendering.weightedLength).toBe(23);
  });
});
