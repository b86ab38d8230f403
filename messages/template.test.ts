import { describe, expect, it } from 'vitest';
import {
  findMissingValues,
  parseTemplate,
  renderTemplate,
  TEMPLATE_VARIABLES,
  type TemplateValues,
  type VariableName,
} from './template.js';

const VALUES: Record<VariableName, string> = {
  firstName: 'Maria',
  code: 'K7MP3QXA',
  truck: 'Taco Loco',
  validUntil: 'Sat, Dec 5, 1:30 PM PST',
  orderLink: 'https://example.com/o/K7MP3QXA',
  benefit: '20% off',
};

function render(text: string, values: TemplateValues = VALUES): string {
  const parsed = parseTemplate(text);
  expect(parsed.errors).toEqual([]);
  return renderTemplate(parsed, values);
}

describe('TEMPLATE_VARIABLES', () => {
  it('lists the six variables in picker order', () => {
    expect(TEMPLATE_VARIABLES.map((variable) => variable.name)).toEqual([
      'firstName',
      'code',
      'truck',
      'validUntil',
      'orderLink',
      'benefit',
    ]);
  });

  it.each(TEMPLATE_VARIABLES)('describes $name in one line', ({ description, sample }) => {
    expect(description).toMatch(/^[A-Z].*\.$/);
    expect(description).not.toContain('\n');
    expect(sample).not.toBe('');
  });
});

describe('parseTemplate', () => {
  it('splits text and placeholders', () => {
    const parsed = parseTemplate('Hi {{firstName|there}}, use {{code}}!');

    expect(parsed).toEqual({
      source: 'Hi {{firstName|there}}, use {{code}}!',
      parts: [
        { kind: 'text', text: 'Hi ' },
        { kind: 'variable', name: 'firstName', fallback: 'there', offset: 3, length: 19 },
        { kind: 'text', text: ', use ' },
        { kind: 'variable', name: 'code', offset: 28, length: 8 },
        { kind: 'text', text: '!' },
      ],
      variables: ['firstName', 'code'],
      errors: [],
    });
  });

  it('lists distinct variables in order of first use', () => {
    const parsed = parseTemplate('{{truck}} {{code}} {{truck}} {{benefit}} {{code}}');

    expect(parsed.variables).toEqual(['truck', 'code', 'benefit']);
  });

  it('returns one text part for a template without variables', () => {
    expect(parseTemplate('Lunch is on!').parts).toEqual([{ kind: 'text', text: 'Lunch is on!' }]);
  });

  it('returns no parts for an empty template', () => {
    expect(parseTemplate('')).toEqual({ source: '', parts: [], variables: [], errors: [] });
  });

  it('allows whitespace inside the braces', () => {
    const parsed = parseTemplate('{{ firstName | there }}');

    expect(parsed.parts).toEqual([{ kind: 'variable', name: 'firstName', fallback: 'there', offset: 0, length: 23 }]);
  });
});

describe('renderTemplate', () => {
  it.each([
    ['{{firstName}}', 'Maria'],
    ['{{code}}', 'K7MP3QXA'],
    ['{{truck}}', 'Taco Loco'],
    ['{{validUntil}}', 'Sat, Dec 5, 1:30 PM PST'],
    ['{{orderLink}}', 'https://example.com/o/K7MP3QXA'],
    ['{{benefit}}', '20% off'],
  ])('renders %s', (template, expected) => {
    expect(render(template)).toBe(expected);
  });

  it('renders a whole message', () => {
    const text = 'Hi {{firstName}}! {{benefit}} at {{truck}} with code {{code}} until {{validUntil}}: {{orderLink}}';

    expect(render(text)).toBe(
      'Hi Maria! 20% off at Taco Loco with code K7MP3QXA until Sat, Dec 5, 1:30 PM PST: https://example.com/o/K7MP3QXA',
    );
  });

  it('renders with spaces inside the braces', () => {
    expect(render('Hi {{  firstName  }}!')).toBe('Hi Maria!');
  });

  it.each([
    ['missing', {}],
    ['null', { firstName: null }],
    ['empty', { firstName: '' }],
    ['whitespace-only', { firstName: ' \t ' }],
  ])('uses the fallback for a %s value', (_case, values: TemplateValues) => {
    expect(render('Hi {{firstName|there}}!', values)).toBe('Hi there!');
  });

  it('ignores the fallback when the value is set', () => {
    expect(render('Hi {{firstName|there}}!', { firstName: 'Ana' })).toBe('Hi Ana!');
  });

  it('trims values', () => {
    expect(render('Hi {{firstName}}!', { firstName: '  Ana \n' })).toBe('Hi Ana!');
  });

  it('trims the fallback', () => {
    expect(render('Hi {{ firstName |  mi amigo  }}!', {})).toBe('Hi mi amigo!');
  });

  it('keeps non-ASCII fallbacks', () => {
    expect(render('你好{{firstName|朋友}}', {})).toBe('你好朋友');
  });

  it('renders an empty value without fallback as nothing', () => {
    expect(render('Hi {{firstName}}!', {})).toBe('Hi !');
  });

  it('renders an empty fallback as nothing', () => {
    expect(render('Hi{{firstName|}}!', {})).toBe('Hi!');
  });

  it('keeps a value that looks like a placeholder', () => {
    expect(render('Hi {{firstName}}', { firstName: '{{code}}' })).toBe('Hi {{code}}');
  });

  it('renders a broken placeholder as typed', () => {
    const parsed = parseTemplate('Hi {{fristName}}, code {{code}} {{truck');

    expect(renderTemplate(parsed, VALUES)).toBe('Hi {{fristName}}, code K7MP3QXA {{truck');
  });
});

describe('escaping', () => {
  it('writes literal braces for \\{{', () => {
    expect(render('Type \\{{code}} to see {{code}}')).toBe('Type {{code}} to see K7MP3QXA');
  });

  it('writes a backslash before a value for \\\\{{', () => {
    expect(render('C:\\\\{{code}}')).toBe('C:\\K7MP3QXA');
  });

  it('writes a backslash and literal braces for \\\\\\{{', () => {
    expect(render('\\\\\\{{code}}')).toBe('\\{{code}}');
  });

  it('keeps other backslashes', () => {
    expect(render('a\\b \\\\ c\\')).toBe('a\\b \\\\ c\\');
  });

  it('keeps single braces and lone closing braces', () => {
    expect(render('{code} }} {')).toBe('{code} }} {');
  });

  it('escapes two placeholders in a row', () => {
    expect(render('\\{{a}}\\{{b}}')).toBe('{{a}}{{b}}');
  });
});

describe('template errors', () => {
  it('reports an unknown variable with a suggestion', () => {
    const parsed = parseTemplate('Hi {{fristName}}!');

    expect(parsed.errors).toEqual([
      {
        code: 'unknown_variable',
        variable: 'fristName',
        offset: 3,
        length: 13,
        line: 1,
        column: 4,
        message: 'unknown variable "fristName" at line 1, column 4. Did you mean firstName?',
      },
    ]);
    expect(parsed.variables).toEqual([]);
  });

  it('suggests a name that differs only in case', () => {
    const [error] = parseTemplate('{{ORDERLINK}}').errors;

    expect(error?.message).toBe('unknown variable "ORDERLINK" at line 1, column 1. Did you mean orderLink?');
  });

  it('lists the names for an unknown variable without a close match', () => {
    const [error] = parseTemplate('{{ price }}').errors;

    expect(error).toMatchObject({ code: 'unknown_variable', variable: 'price', offset: 0, length: 11 });
    expect(error?.message).toBe(
      'unknown variable "price" at line 1, column 1. Use one of firstName, code, truck, validUntil, orderLink, benefit.',
    );
  });

  it('reports an empty name', () => {
    const parsed = parseTemplate('a\n{{ }} and {{|there}}');

    expect(parsed.errors).toEqual([
      {
        code: 'empty_variable_name',
        variable: '',
        offset: 2,
        length: 5,
        line: 2,
        column: 1,
        message: 'empty variable name "{{ }}" at line 2, column 1. Write a name such as {{firstName}}, or \\{{ for literal braces.',
      },
      {
        code: 'empty_variable_name',
        variable: '',
        offset: 12,
        length: 10,
        line: 2,
        column: 11,
        message:
          'empty variable name "{{|there}}" at line 2, column 11. Write a name such as {{firstName}}, or \\{{ for literal braces.',
      },
    ]);
  });

  it('reports a placeholder unclosed at the end', () => {
    const parsed = parseTemplate('Code: {{ code');

    expect(parsed.errors).toEqual([
      {
        code: 'unclosed_variable',
        variable: 'code',
        offset: 6,
        length: 7,
        line: 1,
        column: 7,
        message: 'unclosed variable "code" at line 1, column 7. Add }} after it on the same line, or write \\{{ for literal braces.',
      },
    ]);
  });

  it('reports a placeholder unclosed before a line break', () => {
    const parsed = parseTemplate('Hi {{firstName\n}} there');

    expect(parsed.errors).toMatchObject([
      { code: 'unclosed_variable', variable: 'firstName', offset: 3, length: 11, line: 1, column: 4 },
    ]);
    expect(renderTemplate(parsed, VALUES)).toBe('Hi {{firstName\n}} there');
  });

  it('reports bare {{ as unclosed', () => {
    const parsed = parseTemplate('a {{');

    expect(parsed.errors).toEqual([
      {
        code: 'unclosed_variable',
        variable: '',
        offset: 2,
        length: 2,
        line: 1,
        column: 3,
        message: 'unclosed "{{" at line 1, column 3. Add }} after it on the same line, or write \\{{ for literal braces.',
      },
    ]);
  });

  it('parses a valid placeholder after an unclosed one', () => {
    const parsed = parseTemplate('{{truck {{code}}');

    expect(parsed.errors).toMatchObject([{ code: 'unclosed_variable', variable: 'truck', offset: 0, length: 7 }]);
    expect(parsed.variables).toEqual(['code']);
    expect(renderTemplate(parsed, VALUES)).toBe('{{truck K7MP3QXA');
  });

  it('counts lines across CRLF, CR and LF', () => {
    const parsed = parseTemplate('one\r\ntwo\rthree\n  {{nope}}');

    expect(parsed.errors).toMatchObject([{ variable: 'nope', offset: 17, line: 4, column: 3 }]);
  });

  it('counts columns in UTF-16 code units', () => {
    // The taco emoji is a surrogate pair, so it takes columns 1 and 2.
    const parsed = parseTemplate('\u{1F32E} {{nope}}');

    expect(parsed.errors).toMatchObject([{ offset: 3, line: 1, column: 4 }]);
  });

  it('reports every error in source order', () => {
    const parsed = parseTemplate('{{a}} {{firstName}} {{}} {{b');

    expect(parsed.errors.map((error) => [error.code, error.offset])).toEqual([
      ['unknown_variable', 0],
      ['empty_variable_name', 20],
      ['unclosed_variable', 25],
    ]);
    expect(parsed.variables).toEqual(['firstName']);
  });

  it('clips a very long unknown name in the message', () => {
    const name = 'x'.repeat(300);
    const [error] = parseTemplate(`{{${name}}}`).errors;

    expect(error?.variable).toBe(name);
    expect(error?.message.length).toBeLessThan(250);
  });
});

describe('findMissingValues', () => {
  it('lists variables without value or fallback', () => {
    const parsed = parseTemplate('{{firstName}} {{code}} {{truck|our truck}} {{firstName}} {{benefit}}');

    expect(findMissingValues(parsed, { code: 'K7', benefit: ' ' })).toEqual(['firstName', 'benefit']);
  });

  it('skips variables with a fallback, even an empty one', () => {
    const parsed = parseTemplate('{{firstName|}} {{truck|our truck}}');

    expect(findMissingValues(parsed, {})).toEqual([]);
  });
});
