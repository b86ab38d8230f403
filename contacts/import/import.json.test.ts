import { describe, expect, it } from 'vitest';
import { ImportFileError } from './errors.js';
import { collectText } from './import-suite.js';

describe('JSON contact list', () => {
  it('reads camelCase, snake_case and native JSON values', async () => {
    const json = `[
  {
    "firstName": "Ann",
    "last_name": "Lee",
    "email": "ANN@example.com",
    "phone": 4155552671,
    "xUserId": "1111111111111111111",
    "messengerPsid": "2222222222222222",
    "externalId": "crm-1",
    "locale": "fr_CA",
    "smsConsent": true,
    "emailConsent": "no",
    "messenger_consent": null,
    "loyaltyTier": "gold"
  },
  { "name": "Bob Diaz", "email": "bob@example.com", "xConsent": false }
]`;

    const { contacts, issues, summary } = await collectText(json);

    expect(issues).toEqual([]);
    expect(contacts).toEqual([
      {
        line: 2,
        firstName: 'Ann',
        lastName: 'Lee',
        email: 'ann@example.com',
        phone: '+14155552671',
        xUserId: '1111111111111111111',
        messengerPsid: '2222222222222222',
        externalId: 'crm-1',
        locale: 'fr-CA',
        consent: { sms: true, email: false },
      },
      { line: 16, firstName: 'Bob', fullName: 'Bob Diaz', email: 'bob@example.com', consent: { x: false } },
    ]);
    expect(summary).toMatchObject({ format: 'json', complete: true, rowsRead: 2, ignoredColumns: ['loyaltyTier'] });
  });

  it('reports the line of each element on a single line', async () => {
    const { contacts } = await collectText('[{"email":"a@example.com"},{"email":"b@example.com"}]');

    expect(contacts.map((contact) => contact.line)).toEqual([1, 1]);
  });

  it('rejects an element that is not an object', async () => {
    const { contacts, issues } = await collectText('[\n"ann@example.com",\n{"email": "bob@example.com"}\n]');

    expect(contacts.map((contact) => contact.line)).toEqual([3]);
    expect(issues).toEqual([
      {
        line: 2,
        element: 1,
        reason: 'expected each element of the array to be an object of contact fields, found "ann@example.com"',
        severity: 'error',
      },
    ]);
  });

  it('drops an id written as an inexact JSON number', async () => {
    const { contacts, issues } = await collectText('[{"email": "a@example.com", "xUserId": 1111111111111111111}]');

    expect(contacts).toEqual([{ line: 1, email: 'a@example.com', consent: {} }]);
    expect(issues).toEqual([
      {
        line: 1,
        element: 1,
        field: 'xUserId',
        value: '1111111111111111200',
        reason:
          'xUserId 1111111111111111200 is a JSON number that cannot hold every digit of an id, because it is not an integer below 2^53. ' +
          'Write the id as a JSON string',
        severity: 'warning',
      },
    ]);
  });

  it('rejects a consent that is not a yes or no', async () => {
    const { contacts, issues } = await collectText('[{"email": "a@example.com", "smsConsent": {"value": true}}]');

    expect(contacts).toEqual([]);
    expect(issues).toEqual([
      {
        line: 1,
        element: 1,
        field: 'smsConsent',
        value: '{"value":true}',
        reason: 'smsConsent is {"value":true}, expected a string',
        severity: 'error',
      },
    ]);
  });

  it('rejects two keys for one field', async () => {
    const { contacts, issues } = await collectText('[{"email": "a@example.com", "Email": "b@example.com"}]');

    expect(contacts).toEqual([]);
    expect(issues[0]).toEqual({
      line: 1,
      element: 1,
      field: 'Email',
      value: 'b@example.com',
      reason: '"email" and "Email" both give the email. Keep one of them',
      severity: 'error',
    });
  });

  it('finds duplicates across elements', async () => {
    const { contacts, issues } = await collectText('[{"email": "a@example.com"}, {"email": "A@EXAMPLE.COM", "phone": "415 555 2671"}]');

    expect(contacts).toHaveLength(1);
    expect(issues).toEqual([
      {
        line: 1,
        element: 2,
        field: 'email',
        value: 'A@EXAMPLE.COM',
        reason: 'same email "a@example.com" as element 1 (line 1)',
        severity: 'duplicate',
        duplicateOf: 1,
        duplicateOfElement: 1,
      },
    ]);
  });
});

describe('malformed JSON', () => {
  it('stops at invalid JSON and keeps the elements before it', async () => {
    const { contacts, error, summary } = await collectText('[\n{"email": "a@example.com"},\n{"email": "b@example.com",,}\n]');

    expect(contacts.map((contact) => contact.email)).toEqual(['a@example.com']);
    expect(error).toBeInstanceOf(ImportFileError);
    expect((error as ImportFileError).problem).toBe('json_syntax');
    expect((error as ImportFileError).element).toBe(2);
    expect((error as Error).message).toBe('line 3, element 2: unexpected "," in the JSON file, which is not valid JSON');
    expect(summary).toMatchObject({ complete: false, rowsRead: 1, contacts: 1 });
  });

  it('stops at an unexpected character', async () => {
    const { error } = await collectText('[\n{"email": \'a@example.com\'}\n]', { format: 'json' });

    expect((error as Error).message).toBe('line 2, element 1: unexpected character "\'" in the JSON file, which is not valid JSON');
  });

  it.each([
    ['inside an element', '[\n{"email": "a@example.com"},\n{"email": "b@exa', 'line 3, element 2'],
    ['after an element', '[\n{"email": "a@example.com"},\n', 'line 2'],
  ])('stops at a file cut short %s', async (_where, json, position) => {
    const { contacts, error } = await collectText(json);

    expect(contacts).toHaveLength(1);
    expect((error as Error).message).toBe(
      `${position}: the JSON file ends inside its JSON array, so it is cut short or a closing ] is missing`,
    );
  });

  it('stops at a line break inside a string', async () => {
    const { error } = await collectText('[\n{"email": "a@exa\nmple.com"}]');

    expect((error as Error).message).toBe('line 2, element 1: unexpected character "\\n" in the JSON file, which is not valid JSON');
  });

  it('stops at content after the array', async () => {
    const { contacts, error } = await collectText('[{"email": "a@example.com"}]\n[]');

    expect(contacts).toHaveLength(1);
    expect((error as Error).message).toBe('line 2: the JSON file continues after the end of its JSON array. Remove what follows the closing ]');
  });

  it('stops at an object in place of an array', async () => {
    const { error } = await collectText('{"email": "a@example.com"}');

    expect((error as Error).message).toBe('line 1: expected the JSON file to be a JSON array of contacts, but it starts with "{"');
  });

  it('stops at an empty JSON file', async () => {
    const { error } = await collectText('  \n', { format: 'json' });

    expect((error as ImportFileError).problem).toBe('empty_file');
  });
});

describe('X archive follower file', () => {
  const follower = (id: string) => `{\n  "follower" : {\n    "accountId" : "${id}",\n    "userLink" : "https://twitter.com/intent/user?user_id=${id}"\n  }\n}`;

  it('reads part files after part0', async () => {
    const { contacts, summary } = await collectText(`window.YTD.follower.part3 = [ ${follower('42')} ]`);

    expect(contacts).toEqual([{ line: 1, xUserId: '42', externalId: '42', consent: {} }]);
    expect(summary.ignoredColumns).toEqual([]);
  });

  it('finds a repeated follower', async () => {
    const { contacts, issues } = await collectText(`window.YTD.follower.part0 = [ ${follower('42')}, ${follower('42')} ]`);

    expect(contacts).toHaveLength(1);
    expect(issues).toEqual([
      {
        line: 6,
        element: 2,
        field: 'follower.accountId',
        value: '42',
        reason: 'same X user id "42" as element 1 (line 1)',
        severity: 'duplicate',
        duplicateOf: 1,
        duplicateOfElement: 1,
      },
    ]);
  });

  it('rejects a follower without a numeric account id', async () => {
    const json = 'window.YTD.follower.part0 = [\n{"follower": {"accountId": "jack"}},\n{"follower": {}},\n{"following": {"accountId": "1"}}\n]';

    const { contacts, issues } = await collectText(json);

    expect(contacts).toEqual([]);
    expect(issues).toEqual([
      { line: 2, element: 1, field: 'follower.accountId', value: 'jack', reason: 'X user id "jack" is invalid: expected digits only', severity: 'error' },
      { line: 2, element: 1, reason: 'the row has no valid email, phone, X user id or Messenger PSID, so it was not imported', severity: 'error' },
      { line: 3, element: 2, reason: 'follower.accountId is missing, so the follower cannot be reached', severity: 'error' },
      {
        line: 4,
        element: 3,
        reason: 'expected an element of the form {"follower": {"accountId": "..."}}, found {"following":{"accountId":"1"}}',
        severity: 'error',
      },
    ]);
  });

  it('stops at a truncated archive and keeps the followers before it', async () => {
    const text = `window.YTD.follower.part0 = [ ${follower('1')}, {\n  "follower" : {\n`;

    const { contacts, error } = await collectText(text);

    expect(contacts.map((contact) => contact.xUserId)).toEqual(['1']);
    expect((error as ImportFileError).problem).toBe('json_syntax');
    expect((error as Error).message).toBe(
      'line 7, element 2: the X archive follower file ends inside its JSON array, so it is cut short or a closing ] is missing',
    );
  });

  it('stops at another archive file', async () => {
    const { error } = await collectText('window.YTD.following.part0 = [ ]');

    expect((error as ImportFileError).problem).toBe('x_archive_prefix');
    expect((error as Error).message).toBe(
      'line 1: expected the X archive file data/follower.js, which starts with "window.YTD.follower.part0 =", ' +
        'but the file starts with "window.YTD.following.part0 ="',
    );
  });

  it('stops at a file without the assignment', async () => {
    const { error } = await collectText(`[ ${follower('1')} ]`, { format: 'x-followers' });

    expect((error as ImportFileError).problem).toBe('x_archive_prefix');
    expect((error as Error).message).toMatch(/, but the file starts with "\[ \{"$/);
  });
});
