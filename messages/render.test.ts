import { describe, expect, it } from 'vitest';
import type { ChannelName } from '../channels/types.js';
import { CloudburstError } from '../common/errors.js';
import { SAMPLE_VALUES, worstCaseValues } from './preview-values.js';
import { renderForChannel, type PushTemplate, type RenderingIssue } from './render.js';
import { parseTemplate, type TemplateValues } from './template.js';

const TACO = '\u{1F32E}';

const VALUES: TemplateValues = {
  firstName: 'Maria',
  code: 'K7MP3QXA',
  truck: 'Taco Loco',
  benefit: '20% off',
  orderLink: 'https://example.com/o/K7MP3QXA',
  validUntil: 'Sat, Dec 5, 1:30 PM PST',
};

function codes(issues: RenderingIssue[]): string[] {
  return issues.map((issue) => `${issue.severity}:${issue.code}:${issue.field}`);
}

describe('renderForChannel sms', () => {
  it('renders GSM-7 text in one part', () => {
    const rendering = renderForChannel('sms', 'Hi {{firstName|there}}, {{benefit}} at {{truck}}: {{code}}', VALUES);

    expect(rendering).toEqual({
      channel: 'sms',
      text: 'Hi Maria, 20% off at Taco Loco: K7MP3QXA',
      encoding: 'GSM-7',
      units: 40,
      parts: 1,
      perPart: 160,
      remainingInPart: 120,
      maxParts: 10,
      warnAboveParts: 4,
      ucs2Triggers: [],
      issues: [],
      ok: true,
    });
  });

  it.each([
    ['€3', 159, 1, 160, 1],
    ['€€', 160, 1, 160, 0],
    ['[€]', 162, 2, 153, 144],
  ])('counts extension characters of %j across 160', (benefit, units, parts, perPart, remainingInPart) => {
    const rendering = renderForChannel('sms', `${'a'.repeat(155)} {{benefit}}`, { benefit });

    expect(rendering.encoding).toBe('GSM-7');
    expect(rendering.units).toBe(units);
    expect(rendering.parts).toBe(parts);
    expect(rendering.perPart).toBe(perPart);
    expect(rendering.remainingInPart).toBe(remainingInPart);
  });

  it('counts a literal { as two septets', () => {
    expect(renderForChannel('sms', 'a'.repeat(158) + '{', {})).toMatchObject({ units: 160, parts: 1, perPart: 160 });
    expect(renderForChannel('sms', 'a'.repeat(159) + '{', {})).toMatchObject({ units: 161, parts: 2, perPart: 153 });
  });

  it('counts an escaped \\{{ as the two braces it renders', () => {
    const rendering = renderForChannel('sms', 'a'.repeat(156) + '\\{{', {});

    expect(rendering.text).toBe('a'.repeat(156) + '{{');
    expect(rendering).toMatchObject({ units: 160, parts: 1, remainingInPart: 0 });
  });

  it('points at an emoji in the template that forces UCS-2', () => {
    const rendering = renderForChannel('sms', `Lunch at {{truck}} ${TACO}`, VALUES);

    expect(rendering).toMatchObject({
      text: `Lunch at Taco Loco ${TACO}`,
      encoding: 'UCS-2',
      units: 21,
      parts: 1,
      perPart: 70,
      remainingInPart: 49,
    });
    expect(rendering.ucs2Triggers).toEqual([{ character: TACO, position: { offset: 19, line: 1, column: 20 } }]);
  });

  it('names the variable whose value forces UCS-2', () => {
    const template = `${'a'.repeat(140)} {{firstName}}`;

    const latin = renderForChannel('sms', template, { firstName: 'Ana' });
    const emoji = renderForChannel('sms', template, { firstName: TACO });

    expect(latin).toMatchObject({ encoding: 'GSM-7', units: 144, parts: 1, perPart: 160 });
    expect(emoji).toMatchObject({ encoding: 'UCS-2', units: 143, parts: 3, perPart: 67, remainingInPart: 58 });
    expect(emoji.ucs2Triggers).toEqual([{ character: TACO, variable: 'firstName' }]);
  });

  it('points at a used fallback that forces UCS-2', () => {
    const template = `Hola {{firstName|amigo ${TACO}}}!`;

    const withFallback = renderForChannel('sms', template, {});
    const withName = renderForChannel('sms', template, { firstName: 'Ana' });

    expect(withFallback.text).toBe(`Hola amigo ${TACO}!`);
    expect(withFallback.ucs2Triggers).toEqual([
      { character: TACO, position: { offset: 23, line: 1, column: 24 }, variable: 'firstName' },
    ]);
    expect(withName).toMatchObject({ text: 'Hola Ana!', encoding: 'GSM-7', ucs2Triggers: [] });
  });

  it('counts Chinese as UCS-2 with 70 and 67 per part', () => {
    const seventy = '半价'.repeat(35);

    expect(renderForChannel('sms', seventy, {})).toMatchObject({
      encoding: 'UCS-2',
      units: 70,
      parts: 1,
      perPart: 70,
      remainingInPart: 0,
    });
    expect(renderForChannel('sms', `${seventy}{{code}}`, { code: 'K' })).toMatchObject({
      encoding: 'UCS-2',
      units: 71,
      parts: 2,
      perPart: 67,
      remainingInPart: 63,
    });
  });

  it('warns above four parts by default', () => {
    expect(renderForChannel('sms', 'a'.repeat(612), {}).issues).toEqual([]);

    const rendering = renderForChannel('sms', 'a'.repeat(613), {});

    expect(rendering.parts).toBe(5);
    expect(rendering.ok).toBe(true);
    expect(rendering.issues).toEqual([
      {
        severity: 'warning',
        code: 'many_parts',
        field: 'text',
        message: 'the SMS takes 5 parts of 153 septets, more than 4, and Twilio bills each part as one message.',
      },
    ]);
  });

  it('takes the warning threshold from options', () => {
    expect(renderForChannel('sms', 'a'.repeat(613), {}, { warnAboveParts: 5 }).issues).toEqual([]);
    expect(codes(renderForChannel('sms', 'a'.repeat(307), {}, { warnAboveParts: 2 }).issues)).toEqual([
      'warning:many_parts:text',
    ]);
  });

  it('allows ten parts', () => {
    const rendering = renderForChannel('sms', 'a'.repeat(1530), {});

    expect(rendering.parts).toBe(10);
    expect(rendering.ok).toBe(true);
    expect(codes(rendering.issues)).toEqual(['warning:many_parts:text']);
  });

  it('rejects eleven GSM-7 parts', () => {
    const rendering = renderForChannel('sms', 'a'.repeat(1531), {});

    expect(rendering.parts).toBe(11);
    expect(rendering.ok).toBe(false);
    expect(rendering.issues).toEqual([
      {
        severity: 'error',
        code: 'too_many_parts',
        field: 'text',
        message: 'the SMS takes 11 parts, over the maximum of 10. Remove at least 1 septet.',
      },
    ]);
  });

  it('rejects eleven UCS-2 parts', () => {
    const rendering = renderForChannel('sms', 'ж'.repeat(700), {});

    expect(rendering.parts).toBe(11);
    expect(rendering.issues.map((issue) => issue.message)).toEqual([
      'the SMS takes 11 parts, over the maximum of 10. Remove at least 30 UCS-2 units.',
    ]);
  });

  it('rejects an empty SMS and warns of the missing value', () => {
    const rendering = renderForChannel('sms', '{{firstName}}', {});

    expect(rendering.ok).toBe(false);
    expect(rendering.issues).toEqual([
      {
        severity: 'warning',
        code: 'missing_value',
        field: 'text',
        message: '{{firstName}} in the text has no value and no fallback, so it renders empty. Add a fallback such as {{firstName|…}}.',
        variable: 'firstName',
      },
      { severity: 'error', code: 'empty', field: 'text', message: 'the SMS is empty after rendering' },
    ]);
  });

  it('reports template errors with their position', () => {
    const rendering = renderForChannel('sms', 'Hi {{fristName}}', VALUES);

    expect(rendering.ok).toBe(false);
    expect(rendering.text).toBe('Hi {{fristName}}');
    expect(rendering.issues).toEqual([
      {
        severity: 'error',
        code: 'invalid_template',
        field: 'text',
        message: 'text template: unknown variable "fristName" at line 1, column 4. Did you mean firstName?',
        templateError: {
          code: 'unknown_variable',
          variable: 'fristName',
          offset: 3,
          length: 13,
          line: 1,
          column: 4,
          message: 'unknown variable "fristName" at line 1, column 4. Did you mean firstName?',
        },
      },
    ]);
  });

  it('accepts a parsed template', () => {
    const parsed = parseTemplate('Hi {{firstName}}');

    expect(renderForChannel('sms', parsed, VALUES)).toEqual(renderForChannel('sms', 'Hi {{firstName}}', VALUES));
  });
});

describe('renderForChannel x', () => {
  it('counts a link as 23', () => {
    const rendering = renderForChannel('x', 'Order now: {{orderLink}}', {
      orderLink: 'https://example.com/menu/specials/today/tacos-al-pastor-and-horchata',
    });

    expect(rendering).toEqual({
      channel: 'x',
      kind: 'post',
      text: 'Order now: https://example.com/menu/specials/today/tacos-al-pastor-and-horchata',
      weightedLength: 34,
      limit: 280,
      remaining: 246,
      issues: [],
      ok: true,
    });
  });

  it('weighs Chinese characters 2', () => {
    const rendering = renderForChannel('x', '今天半价，代码 {{code}}', VALUES);

    expect(rendering.weightedLength).toBe(23);
    expect(renderForChannel('x', '半'.repeat(140), {}).remaining).toBe(0);
    expect(renderForChannel('x', '半'.repeat(141), {}).issues.map((issue) => issue.message)).toEqual([
      'the post has weighted length 282, 2 over the limit of 280',
    ]);
  });

  it('reports how far a post is over', () => {
    const rendering = renderForChannel('x', `${'a'.repeat(270)} {{truck}}`, { truck: 'Taco Loco Grill' });

    expect(rendering).toMatchObject({ weightedLength: 286, remaining: -6, ok: false });
    expect(rendering.issues).toEqual([
      {
        severity: 'error',
        code: 'too_long',
        field: 'text',
        message: 'the post has weighted length 286, 6 over the limit of 280',
      },
    ]);
  });

  it('allows 10,000 in a direct message', () => {
    const template = `${'a'.repeat(270)} {{truck}}`;

    expect(renderForChannel('x', template, { truck: 'Taco Loco Grill' }, { kind: 'dm' })).toMatchObject({
      kind: 'dm',
      weightedLength: 286,
      limit: 10_000,
      remaining: 9714,
      issues: [],
      ok: true,
    });
    expect(renderForChannel('x', 'a'.repeat(10_001), {}, { kind: 'dm' }).issues.map((issue) => issue.message)).toEqual([
      'the direct message has weighted length 10001, 1 over the limit of 10000',
    ]);
  });

  it('rejects a character X does not accept', () => {
    expect(codes(renderForChannel('x', 'Tacos \uFFFE', {}).issues)).toEqual(['error:invalid_characters:text']);
  });

  it('rejects an empty post', () => {
    expect(codes(renderForChannel('x', ' {{truck|}} ', {}).issues)).toEqual(['error:empty:text']);
  });
});

describe('renderForChannel messenger', () => {
  it.each([
    ['Taco Loco', 1999, 1],
    ['Taco Locos', 2000, 0],
  ])('accepts %j within 2,000', (truck, length, remaining) => {
    const rendering = renderForChannel('messenger', `${'a'.repeat(1990)}{{truck}}`, { truck });

    expect(rendering).toMatchObject({ channel: 'messenger', length, limit: 2000, remaining, issues: [], ok: true });
  });

  it('counts an emoji as 2 and reports the excess', () => {
    const rendering = renderForChannel('messenger', `${'a'.repeat(1990)}{{truck}}`, { truck: `Taco Loco ${TACO}` });

    expect(rendering).toMatchObject({ length: 2002, remaining: -2, ok: false });
    expect(rendering.issues.map((issue) => issue.message)).toEqual([
      'the message has length 2002, 2 over the limit of 2000',
    ]);
  });
});

describe('renderForChannel email', () => {
  it('escapes a <script> first name in the HTML body', () => {
    const rendering = renderForChannel(
      'email',
      {
        subject: '{{benefit}} at {{truck}}, {{firstName}}',
        body: 'Hi {{firstName}},\n\n{{benefit}} today.\nOrder: {{orderLink}}',
      },
      {
        firstName: '<script>alert("x")</script>',
        benefit: 'Tacos & "more"',
        truck: 'Taco Loco',
        orderLink: 'https://example.com/o/K7?a=1&b=2',
      },
    );

    expect(rendering).toEqual({
      channel: 'email',
      subject: 'Tacos & "more" at Taco Loco, <script>alert("x")</script>',
      subjectLength: 56,
      text: 'Hi <script>alert("x")</script>,\n\nTacos & "more" today.\nOrder: https://example.com/o/K7?a=1&b=2',
      html:
        'Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;,<br>\n<br>\n' +
        'Tacos &amp; &quot;more&quot; today.<br>\n' +
        'Order: <a href="https://example.com/o/K7?a=1&amp;b=2">https://example.com/o/K7?a=1&amp;b=2</a>',
      issues: [],
      ok: true,
    });
  });

  it('escapes literal HTML in the template', () => {
    const rendering = renderForChannel('email', { subject: 'Offer', body: "<b>{{code}}</b> isn't bold" }, VALUES);

    expect(rendering.html).toBe('&lt;b&gt;K7MP3QXA&lt;/b&gt; isn&#39;t bold');
  });

  it('links only http and https order links', () => {
    const rendering = renderForChannel('email', { subject: 'Offer', body: '{{orderLink}}' }, { orderLink: 'javascript:alert(1)' });

    expect(rendering.html).toBe('javascript:alert(1)');
  });

  it('keeps CRLF and CR line breaks in the HTML', () => {
    const rendering = renderForChannel('email', { subject: 'Offer', body: 'a\r\nb\rc' }, {});

    expect(rendering.html).toBe('a<br>\nb<br>\nc');
  });

  it('replaces line breaks in the subject with a space', () => {
    const rendering = renderForChannel(
      'email',
      { subject: 'Hi {{firstName}}', body: 'Tacos' },
      { firstName: 'Ana\r\nBcc: someone@example.com' },
    );

    expect(rendering.subject).toBe('Hi Ana Bcc: someone@example.com');
  });

  it('warns about a subject over 78 characters', () => {
    expect(renderForChannel('email', { subject: 'x'.repeat(78), body: 'Tacos' }, {}).issues).toEqual([]);

    const rendering = renderForChannel('email', { subject: 'x'.repeat(70) + '{{truck}}', body: 'Tacos' }, VALUES);

    expect(rendering.subjectLength).toBe(79);
    expect(rendering.ok).toBe(true);
    expect(rendering.issues).toEqual([
      {
        severity: 'warning',
        code: 'long_subject',
        field: 'subject',
        message:
          'the subject has 79 characters, more than the 78 that RFC 5322 recommends for a header line. ' +
          'Inbox lists often cut long subjects short.',
      },
    ]);
  });

  it('rejects an empty subject and an empty body', () => {
    const rendering = renderForChannel('email', { subject: '  ', body: '\n' }, {});

    expect(rendering.ok).toBe(false);
    expect(rendering.issues).toEqual([
      { severity: 'error', code: 'empty', field: 'subject', message: 'the subject is empty after rendering' },
      { severity: 'error', code: 'empty', field: 'body', message: 'the body is empty after rendering' },
    ]);
  });

  it('names the template of each error', () => {
    const rendering = renderForChannel('email', { subject: 'Hi {{name}}', body: 'Use {{code' }, VALUES);

    expect(rendering.issues.map((issue) => [issue.field, issue.message])).toEqual([
      ['subject', 'subject template: unknown variable "name" at line 1, column 4. Use one of firstName, code, truck, validUntil, orderLink, benefit.'],
      ['body', 'body template: unclosed variable "code" at line 1, column 5. Add }} after it on the same line, or write \\{{ for literal braces.'],
    ]);
  });
});

describe('renderForChannel push', () => {
  it('renders title and body', () => {
    const rendering = renderForChannel('push', { title: '{{truck}}', body: '{{benefit}} with {{code}}' }, VALUES);

    expect(rendering).toEqual({
      channel: 'push',
      title: 'Taco Loco',
      titleLength: 9,
      body: '20% off with K7MP3QXA',
      bodyLength: 21,
      issues: [],
      ok: true,
    });
  });

  it('accepts 64 and 240 characters', () => {
    const rendering = renderForChannel('push', { title: TACO.repeat(64), body: 'b'.repeat(240) }, {});

    expect(rendering).toMatchObject({ titleLength: 64, bodyLength: 240, issues: [], ok: true });
  });

  it('rejects 65 and 241 characters', () => {
    const rendering = renderForChannel('push', { title: 't'.repeat(65), body: 'b'.repeat(241) }, {});

    expect(rendering.ok).toBe(false);
    expect(rendering.issues).toEqual([
      { severity: 'error', code: 'too_long', field: 'title', message: 'the title has 65 characters, 1 over the limit of 64' },
      { severity: 'error', code: 'too_long', field: 'body', message: 'the body has 241 characters, 1 over the limit of 240' },
    ]);
  });

  it('allows an empty title but not an empty body', () => {
    expect(codes(renderForChannel('push', { title: '', body: '' }, {}).issues)).toEqual(['error:empty:body']);
  });

  it('fits sample values but not worst-case values', () => {
    const template = { title: '{{benefit}} at {{truck}}', body: 'Code {{code}}' };

    expect(renderForChannel('push', template, SAMPLE_VALUES)).toMatchObject({ titleLength: 20, ok: true });

    const worst = renderForChannel('push', template, worstCaseValues());

    expect(worst.titleLength).toBe(84);
    expect(worst.issues.map((issue) => issue.message)).toEqual(['the title has 84 characters, 20 over the limit of 64']);
    expect(renderForChannel('push', template, worstCaseValues({ truck: 'Taco Loco', benefit: '20% off' })).ok).toBe(true);
  });
});

describe('renderForChannel input checks', () => {
  it('rejects an unknown channel', () => {
    const call = () => renderForChannel('fax' as ChannelName, 'Hi', {});

    expect(call).toThrow(CloudburstError);
    expect(call).toThrow('invalid channel: "fax" (expected one of push, sms, x, messenger, email)');
  });

  it('rejects a string template for email', () => {
    expect(() => renderForChannel('email', 'Hi', {})).toThrow(
      'invalid template: "Hi" (expected an object with subject and body templates)',
    );
  });

  it('rejects a push template without a title', () => {
    expect(() => renderForChannel('push', { body: 'Hi' } as unknown as PushTemplate, {})).toThrow(
      'invalid template.title: missing (expected a template string or the result of parseTemplate)',
    );
  });

  it('rejects a pair template for sms', () => {
    expect(() => renderForChannel('sms', { title: 'a', body: 'b' }, {})).toThrow(
      'invalid template: {"title":"a","body":"b"} (expected a template string or the result of parseTemplate)',
    );
  });

  it.each([0, 1.5, Number.NaN])('rejects warnAboveParts %d', (warnAboveParts) => {
    expect(() => renderForChannel('sms', 'Hi', {}, { warnAboveParts })).toThrow(/^invalid warnAboveParts: /);
  });

  it('rejects an unknown X kind', () => {
    expect(() => renderForChannel('x', 'Hi', {}, { kind: 'reply' as 'post' })).toThrow(
      'invalid kind: "reply" (expected "post" or "dm")',
    );
  });
});
