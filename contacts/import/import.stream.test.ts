import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { detectFormat, sniffDelimiter } from './detect.js';
import { importContacts } from './import.js';
import { chunked, collect, collectText } from './import-suite.js';
import type { ImportProgress } from './types.js';

const TRICKY_CSV = [
  '\uFEFFName,Email,Phone,SMS Consent,Notes',
  '"Núñez, José",jose@example.com,(415) 555-2671,yes,"multi',
  'line ""quoted"" note"',
  'Ann,ANN@example.com,,no,',
  'Bob,bob@example.com,1.41555E+10,maybe,',
  'Carol,carol@example.com,415.555.2671,y,',
  'Dan,,,,',
  'Eve,eve@example.com,650 253 0000,n,"a\r\nb"',
].join('\r\n');

const TRICKY_JSON = `[
  {"name": "Núñez, José", "email": "jose@example.com", "phone": "(415) 555-2671", "smsConsent": "yes"},
  {"name": "Ann", "email": "ANN@example.com"}, {"name": "Bob", "email": "bob@example.com", "phone": "1.41555E+10"},
  {"name": "Carol", "email": "jose@example.com"},
  "not a contact"
]`;

describe('chunked input', () => {
  it.each([
    ['CSV', TRICKY_CSV],
    ['JSON', TRICKY_JSON],
  ])('gives the same %s result for 1-byte chunks', async (_format, text) => {
    const whole = await collectText(text);
    const bytewise = await collect(chunked(text, 1));

    expect(whole.contacts.length).toBeGreaterThan(1);
    expect(whole.issues.length).toBeGreaterThan(1);
    expect(bytewise.contacts).toEqual(whole.contacts);
    expect(bytewise.issues).toEqual(whole.issues);
    expect(bytewise.summary).toEqual(whole.summary);
  });

  it('reads the tricky CSV as expected', async () => {
    const { contacts, issues } = await collectText(TRICKY_CSV);

    expect(contacts.map((contact) => [contact.line, contact.email, contact.phone, contact.consent])).toEqual([
      [2, 'jose@example.com', '+14155552671', { sms: true }],
      [4, 'ann@example.com', undefined, { sms: false }],
      [8, 'eve@example.com', '+16502530000', { sms: false }],
    ]);
    expect(issues.map((issue) => [issue.line, issue.field, issue.severity])).toEqual([
      [5, 'SMS Consent', 'error'],
      [5, 'Phone', 'error'],
      [6, 'Phone', 'duplicate'],
      [7, undefined, 'error'],
    ]);
  });

  it('reads string chunks and a Node readable stream', async () => {
    const fromStrings = await collect(
      (async function* () {
        yield 'email,name\nann@exa';
        yield 'mple.com,Ann\n';
      })(),
    );
    const fromStream = await collect(Readable.from([Buffer.from('email,name\nann@example.com,Ann\n')]));

    const expected = [{ line: 2, email: 'ann@example.com', fullName: 'Ann', firstName: 'Ann', consent: {} }];
    expect(fromStrings.contacts).toEqual(expected);
    expect(fromStream.contacts).toEqual(expected);
  });

  it('splits a UTF-8 character across chunks', async () => {
    const { contacts } = await collect(chunked('email,name\nann@example.com,Zoë Ñandú\n', 1));

    expect(contacts[0]?.fullName).toBe('Zoë Ñandú');
  });
});

describe('batches', () => {
  function rows(count: number): string {
    return ['email', ...Array.from({ length: count }, (_, index) => `c${index}@example.com`)].join('\n');
  }

  it('cuts batches at batchSize contacts', async () => {
    const { batches } = await collectText(rows(7), { batchSize: 3 });

    expect(batches.map((batch) => batch.contacts.length)).toEqual([3, 3, 1]);
    expect(batches.flatMap((batch) => batch.contacts.map((contact) => contact.line))).toEqual([2, 3, 4, 5, 6, 7, 8]);
  });

  it('cuts batches at batchSize issues', async () => {
    const csv = ['email', ...Array.from({ length: 5 }, (_, index) => `bad${index}`)].join('\n');

    const { batches } = await collectText(csv, { batchSize: 2 });

    // each bad email gives two issues: the field and the unreachable row
    expect(batches.map((batch) => batch.issues.length)).toEqual([2, 2, 2, 2, 2]);
  });

  it('reads no further than the batch being built', async () => {
    let chunksPulled = 0;
    async function* source(): AsyncGenerator<string> {
      // The head is read to 8 KiB before parsing starts, so the header chunk fills it with blank lines.
      yield `email\n${'\n'.repeat(8 * 1024)}`;
      for (let index = 0; index < 1000; index += 1) {
        chunksPulled += 1;
        yield `c${index}@example.com\n`;
      }
    }

    const run = importContacts(source(), { format: 'csv', defaultCountry: 'US', batchSize: 10 });
    const iterator = run.batches[Symbol.asyncIterator]();
    const first = await iterator.next();
    const pulledForFirst = chunksPulled;
    const second = await iterator.next();

    expect(first.value?.contacts).toHaveLength(10);
    expect(second.value?.contacts).toHaveLength(10);
    // csv-parse holds back the line end at the end of a chunk until the next
    // chunk shows whether it is the start of a CRLF, so one chunk is read ahead.
    expect(pulledForFirst).toBe(11);
    expect(chunksPulled).toBe(21);
    await iterator.return?.(undefined);
  });

  it('closes the input and summarizes when the caller stops early', async () => {
    let closed = false;
    async function* source(): AsyncGenerator<string> {
      try {
        yield 'email\n';
        for (let index = 0; ; index += 1) {
          yield `c${index}@example.com\n`;
        }
      } finally {
        closed = true;
      }
    }

    const run = importContacts(source(), { format: 'auto', defaultCountry: 'US', batchSize: 5 });
    for await (const batch of run.batches) {
      expect(batch.contacts).toHaveLength(5);
      break;
    }
    const summary = await run.summary;

    expect(closed).toBe(true);
    expect(summary.complete).toBe(false);
    expect(summary.contacts).toBe(5);
  });

  it('hands out at most maxIssues issues and counts the rest', async () => {
    const csv = ['email,locale', ...Array.from({ length: 6 }, (_, index) => `c${index}@example.com,??`)].join('\n');

    const { issues, contacts, summary } = await collectText(csv, { maxIssues: 4, batchSize: 2 });

    expect(contacts).toHaveLength(6);
    expect(issues.map((issue) => issue.line)).toEqual([2, 3, 4, 5]);
    expect(summary).toMatchObject({ warnings: 6, issuesDropped: 2 });
  });

  it('reports progress with each batch and at the end', async () => {
    const progress: ImportProgress[] = [];
    const text = rows(5);

    await collectText(text, { batchSize: 2, onProgress: (update) => progress.push(update) });

    expect(progress.map((update) => [update.rowsRead, update.contacts])).toEqual([
      [2, 2],
      [4, 4],
      [5, 5],
      [5, 5],
    ]);
    expect(progress.at(-1)).toEqual({ bytesRead: Buffer.byteLength(text), rowsRead: 5, contacts: 5, issues: 0 });
  });
});

describe('importContacts options', () => {
  const input = chunked('email\n');

  it.each([
    [{ format: 'xml' }, 'invalid import format "xml": expected one of auto, meta-leads, square, x-followers, csv, json'],
    [{ defaultCountry: 'us' }, 'invalid default country "us"'],
    [{ batchSize: 0 }, 'invalid batch size 0: expected an integer of at least 1'],
    [{ maxIssues: -1 }, 'invalid issue limit -1: expected an integer of at least 0'],
  ])('rejects %j', (override, message) => {
    const options = { format: 'auto' as const, defaultCountry: 'US', ...override } as Parameters<typeof importContacts>[1];

    expect(() => importContacts(input, options)).toThrow(RangeError);
    expect(() => importContacts(input, options)).toThrow(message);
  });

  it('throws on input that is not iterable', async () => {
    const { error, summary } = await collect('email\n' as unknown as AsyncIterable<string>);

    expect(error).toBeInstanceOf(TypeError);
    expect(summary.error).toBe(error);
  });
});

describe('detectFormat', () => {
  it.each([
    ['window.YTD.follower.part0 = [ {', 'x-followers'],
    ['  [\n', 'json'],
    ['id,created_time,form_id,full_name,phone_number,email\n', 'meta-leads'],
    ['id\tcreated_time\tform_id\tfull_name\tphone_number\temail\r\n', 'meta-leads'],
    ['Reference ID,First Name,Email Address\n', 'square'],
    ['First Name,Square Customer ID\n', 'square'],
    ['email,phone_number,full_name\n', 'csv'],
    ['Email Address,Phone\n', 'csv'],
    ['"notes\n', 'csv'],
  ])('detects %j as %s', (head, format) => {
    expect(detectFormat(head)).toBe(format);
  });

  it.each([
    ['a,b;c', ','],
    ['a;b;c', ';'],
    ['"x;y;z"\ta\tb', '\t'],
    ['email', ','],
  ])('sniffs the delimiter of %j', (line, delimiter) => {
    expect(sniffDelimiter(line)).toBe(delimiter);
  });
});
