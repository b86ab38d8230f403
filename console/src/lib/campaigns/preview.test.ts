import { describe, expect, it } from 'vitest';
import { SAMPLE_VALUES } from '../../../../messages/preview-values.js';
import { markCharacters, markRanges, previewIssues, previewValues, renderPreview } from './preview.js';
import type { TemplateKind } from './types.js';

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
    expect(previewValues('sample')).toEqual(SAMPLE_VALUES);
  });

  it('puts known values into the sample', () => {
    const values = previewValues('sample', { truck: ' Dumpling Dash ', benefit: '10% off', firstName: null, code: '  ' });
    expect(values).toEqual({ ...SAMPLE_VALUES, truck: 'Dumpling Dash', benefit: '10% off' });
    expect(SAMPLE_VALUES.truck).toBe('Taco Loco');
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

describe('previewIssues', () => {
  const issuesOf = (kind: TemplateKind, body: string, codeMode: 'shared' | 'unique') => {
    const template = { subject: '', body };
    return previewIssues(kind, template, codeMode, renderPreview(kind, template, SAMPLE_VALUES));
  };

  it('rejects a unique code in an X post', () => {
    expect(issuesOf('x_post', 'Show {{ code }} at the window', 'unique')).toEqual([{ severity: 'error', code: 'unique_code_in_post', field: 'text' }]);
  });

  it('accepts the code with a fallback', () => {
    expect(issuesOf('x_post', 'Show {{code|your code}} at the window', 'unique')).toEqual([]);
    expect(issuesOf('x_post', 'Show {{code|}} at the window', 'unique')).toEqual([]);
  });

  it('accepts a shared code in an X post', () => {
    expect(issuesOf('x_post', 'Show {{code}} at the window', 'shared')).toEqual([]);
  });

  it('accepts a unique code in a direct message', () => {
    expect(issuesOf('x_dm', 'Show {{code}} at the window', 'unique')).toEqual([]);
    expect(issuesOf('sms', 'Show {{code}} at the window', 'unique')).toEqual([]);
  });

  it('ignores an escaped placeholder', () => {
    expect(issuesOf('x_post', 'Type \\{{code}} yourself', 'unique')).toEqual([]);
  });

  it('keeps the rendering issues first', () => {
    const issues = issuesOf('x_post', '{{code}} ' + 'a'.repeat(300), 'unique');
    expect(issues.map((issue) => issue.code)).toEqual(['too_long', 'unique_code_in_post']);
  });
});
