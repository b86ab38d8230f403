import { describe, expect, it } from 'vitest';
import { ImportFileError, ImportInputError, importContacts } from './import.js';
import { chunked, collect, collectText } from './import-suite.js';

/** Yields `text` in chunks of `size` bytes, then fails as a socket that the client closed. */
async function* cutOff(text: string, size = 64 * 1024): AsyncGenerator<Uint8Array> {
  yield* chunked(text, size);
  throw Object.assign(new Error('aborted'), { code: 'ECONNRESET' });
}

const emails = (count: number, from = 0) => Array.from({ length: count }, (_, index) => `r${from + index}@example.com\n`).join('');

describe('binary input', () => {
  it('stops at a NUL byte near the start before reading a row', async () => {
    const { contacts, issues, summary, error } = await collectText('email\nann@example.com\nbob@exa\u0000mple.com\n');

    expect(contacts).toEqual([]);
    expect(issues).toEqual([]);
    expect(error).toBeInstanceOf(ImportFileError);
    expect((error as ImportFileError).problem).toBe('not_text');
    expect((error as ImportFileError).line).toBe(3);
    expect((error as Error).message).toBe(
      'line 3: the file is not text (found a NUL byte at byte offset 29). Export the list as CSV or JSON and import that file',
    );
    expect(summary).toMatchObject({ complete: false, rowsRead: 0 });
  });

  it('names a ZIP archive, as an xlsx workbook is', async () => {
    const workbook = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]), Buffer.from('"[Content_Types].xml'.repeat(20))]);

    const { error } = await collect(chunked(workbook));

    expect((error as Error).message).toBe(
      'line 1: the file is not text (found a NUL byte at byte offset 5). It looks like a ZIP archive, such as an Excel workbook (.xlsx). ' +
        'Export the list as CSV or JSON and import that file',
    );
  });

  it('keeps the rows before a NUL byte further on', async () => {
    const text = `email\n${emails(600)}bad\u0000@example.com\n${emails(5, 600)}`;
    const offset = Buffer.byteLength(`email\n${emails(600)}bad`);

    const { contacts, summary, error } = await collect(chunked(text, 1000));

    expect(contacts).toHaveLength(600);
    expect(contacts.at(-1)?.line).toBe(601);
    expect((error as ImportFileError).problem).toBe('not_text');
    expect((error as Error).message).toBe(
      `line 602: the file is not text (found a NUL byte at byte offset ${offset}). Export the list as CSV or JSON and import that file`,
    );
    expect(summary).toMatchObject({ complete: false, rowsRead: 600, contacts: 600 });
  });

  it('finds a NUL character split across UTF-16LE chunks', async () => {
    const text = `email\r\n${emails(600).replaceAll('\n', '\r\n')}x\u0000y\r\n`;
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    const offset = 2 + Buffer.byteLength(`email\r\n${emails(600).replaceAll('\n', '\r\n')}x`, 'utf16le');

    // The first chunk ends with the first of the NUL character's two zero bytes.
    const { contacts, error } = await collect(
      (async function* () {
        yield bytes.subarray(0, offset + 1);
        yield bytes.subarray(offset + 1);
      })(),
    );

    expect(contacts).toHaveLength(600);
    expect((error as Error).message).toBe(
      `line 602: the file is not text (found a NUL character at byte offset ${offset}). Export the list as CSV or JSON and import that file`,
    );
  });

  it('reads UTF-16LE text, whose ASCII characters have zero bytes', async () => {
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`email\r\n${emails(600).replaceAll('\n', '\r\n')}`, 'utf16le')]);

    const { contacts, error } = await collect(chunked(bytes, 7));

    expect(error).toBeUndefined();
    expect(contacts).toHaveLength(600);
  });
});

describe('input stream that fails', () => {
  it('keeps the CSV rows before the failure and names the next line', async () => {
    const text = 'name,email\nAnn,ann@example.com\n"Bob\nLee",bob@example.com\nCat,cat@exa';

    const { contacts, summary, error } = await collect(cutOff(text));

    expect(contacts.map((contact) => [contact.line, contact.email])).toEqual([
      [2, 'ann@example.com'],
      [3, 'bob@example.com'],
    ]);
    expect(error).toBeInstanceOf(ImportInputError);
    expect((error as ImportInputError).line).toBe(5);
    expect((error as ImportInputError).element).toBeUndefined();
    expect((error as Error).message).toBe('line 5: the input failed before the row that starts here was read: aborted');
    expect(((error as Error).cause as Error).message).toBe('aborted');
    expect(summary).toMatchObject({ complete: false, rowsRead: 2, bytesRead: Buffer.byteLength(text) });
    expect(summary.error).toBe(error);
  });

  it('keeps the CSV rows of chunks after the start', async () => {
    const text = `email\n${emails(1000)}`;

    const { contacts, error } = await collect(cutOff(text, 4000));

    // csv-parse holds back a line end at the end of a chunk until the next chunk shows whether
    // a CRLF goes on, so the last row, although complete, was not read before the failure.
    expect(contacts).toHaveLength(999);
    expect((error as ImportInputError).line).toBe(1001);
  });

  it('names the element after the last JSON element read', async () => {
    const text = '[{"email": "a@example.com"}, {"email": "b@example.com"}, {"email": "c@exa';

    const { contacts, error } = await collect(cutOff(text));

    expect(contacts).toHaveLength(2);
    expect((error as ImportInputError).line).toBe(1);
    expect((error as ImportInputError).element).toBe(3);
    expect((error as Error).message).toBe('line 1, element 3: the input failed before the element that starts here was read: aborted');
  });

  it('names line 1 when nothing arrived', async () => {
    const { error, summary } = await collect(cutOff(''));

    expect((error as ImportInputError).line).toBe(1);
    expect(summary).toMatchObject({ complete: false, rowsRead: 0, bytesRead: 0 });
  });
});

describe('quoted cells', () => {
  it('escapes control characters and cuts long values', async () => {
    const longPhone = '9'.repeat(300);
    const csv = `email,phone,first_name,\u001b[2Jnotes\n\u001b[31mann@example.com,${longPhone},Ann\u202e,\nbob@example.com,,Bob,\n`;

    const { issues, summary } = await collectText(csv);

    expect(issues).toEqual([
      {
        line: 2,
        field: 'email',
        value: '\\u001b[31mann@example.com',
        reason:
          'email address "\\u001b[31mann@example.com" is invalid: the part before @ contains a character other than letters, digits and ' +
          "!#$%&'*+-/=?^_`{|}~.",
        severity: 'error',
      },
      {
        line: 2,
        field: 'phone',
        value: `${'9'.repeat(256)}…`,
        reason: `phone number "${'9'.repeat(60)}…" is too long for a phone number`,
        severity: 'error',
      },
      { line: 2, reason: 'the row has no valid email, phone, X user id or Messenger PSID, so it was not imported', severity: 'error' },
    ]);
    expect(summary.ignoredColumns).toEqual(['\\u001b[2Jnotes']);
  });

  it('escapes a header without an address column', async () => {
    const { error } = await collectText('na\u0085me,\u2066notes\u2069\nAnn,x\n');

    expect((error as Error).message).toMatch(/, found "na\\u0085me", "\\u2066notes\\u2069"$/);
  });

  it('escapes a JSON key listed as ignored', async () => {
    const { summary } = await collectText('[{"email": "a@example.com", "not\\u0007es": "x"}]');

    expect(summary.ignoredColumns).toEqual(['not\\u0007es']);
  });
});

describe('onFormat', () => {
  it('receives the detected format before the first row', async () => {
    const seen: unknown[] = [];
    const run = importContacts(chunked('id,form_id,full_name,phone_number,email\nl:1,f:1,Ann,p:+14155552671,\n'), {
      format: 'auto',
      defaultCountry: 'US',
      onFormat: (format, source) => {
        seen.push([format, source]);
      },
    });

    const batches = [];
    for await (const batch of run.batches) batches.push(batch);

    expect(seen).toEqual([['meta-leads', 'facebook']]);
    expect(batches).toHaveLength(1);
  });

  it('stops the import with the error it throws', async () => {
    const refusal = new Error('meta-leads files go elsewhere');

    const { batches, summary, error } = await collect(chunked('id,form_id,full_name,phone_number,email\nl:1,f:1,Ann,p:+14155552671,\n'), {
      onFormat: async () => {
        throw refusal;
      },
    });

    expect(error).toBe(refusal);
    expect(batches).toEqual([]);
    expect(summary).toMatchObject({ format: 'meta-leads', complete: false, rowsRead: 0, error: refusal });
  });
});
