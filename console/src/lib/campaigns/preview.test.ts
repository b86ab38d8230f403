import { describe, expect, it } from 'vitest';
import { SAMPLE_VALUES } from '../../../../messages/preview-values.js';
import { markCharacters, markRanges, previewValues, renderPreview } from './preview.js';

describe('renderPreview', () => {
  it('measures an SMS with an emoji as UCS-2', () => {
    const rendering = renderPreview('sms', { subject: '', body: 'Hi {{firstName}} 🌮' }, SAMPLE_VALUES);
    expect(rendering).toMatchObject({
      channel: 'sms',
      encoding: 'UCS-2',
      text: 'Hi Maria 🌮',
      ucs2Triggers: [{ character: '🌮', position: { offset: 17, line: 1, column: 18 } }],
    });
  });

  it('limits an X post to 280 and a direct message to 10,000', () => {
    const long = { subject: '', body: 'a'.repeat(300) };
    const post = renderPreview('x_post', long, SAMPLE_VALUES);
    const dm = renderPreview('x_dm', long, SAMPLE_VALUES);
    expect(post).toMatchObject({ channel: 'x', kind: 'post', limit: 280, remaining: -20 });
    expect(dm).toMatchObject({ channel: 'x', kind: 'dm', limit: 10_000, remaining: 9_700 });
  });

  it('renders the push subject as the title', () => {
    const rendering = renderPreview('push', { subject: '{{truck}}', body: '{{benefit}}' }, SAMPLE_VALUES);
    expect(rendering).toMatchObject({ channel: 'push', title: 'Taco Loco', body: '20% off' });
  });

  it('renders the email subject and an escaped HTML body', () => {
    const rendering = renderPreview('email', { subject: 'For {{firstName}}', body: '<b>{{code}}</b>' }, SAMPLE_VALUES);
    expect(rendering).toMatchObject({ channel: 'email', subject: 'For Maria', html: '&lt;b&gt;K7MP3QXA&lt;/b&gt;' });
  });

  it('reports a template error with its position', () => {
    const rendering = renderPreview('messenger', { subject: '', body: 'Hi\n{{fristName}}' }, SAMPLE_VALUES);
    const error = rendering.issues.find((issue) => issue.code === 'invalid_template')?.templateError;
    expect(error).toMatchObject({ code: 'unknown_variable', line: 2, column: 1, offset: 3, length: 13 });
  });
});

describe('previewValues', () => {
  it('uses the sample values', () => {
    expect(previewValues('sample', { truck: 'Dumpling Dash' })).toBe(SAMPLE_VALUES);
  });

  it('keeps known values in the worst case', () => {
    const values = previewValues('worst', { truck: 'Dumpling Dash' });
    expect(values.truck).toBe('Dumpling Dash');
    expect(values.code).toBe('WWWWWWWW');
  });
});

describe('markRanges', () => {
  it('marks and merges ranges', () => {
    expect(markRanges('abcdefg', [{ offset: 1, length: 2 }, { offset: 2, length: 2 }, { offset: 6, length: 5 }])).toEqual([
      { text: 'a', marked: false },
      { text: 'bcd', marked: true },
      { text: 'ef', marked: false },
      { text: 'g', marked: true },
    ]);
  });

  it('returns no runs for an empty text', () => {
    expect(markRanges('', [{ offset: 0, length: 2 }])).toEqual([]);
  });
});

describe('markCharacters', () => {
  it('marks each occurrence of a character, surrogate pairs whole', () => {
    expect(markCharacters('a🌮b🌮ç', new Set(['🌮', 'ç']))).toEqual([
      { text: 'a', marked: false },
      { text: '🌮', marked: true },
      { text: 'b', marked: false },
      { text: '🌮ç', marked: true },
    ]);
  });
});
