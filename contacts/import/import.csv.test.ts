import { describe, expect, it } from 'vitest';
import { ImportFileError } from './errors.js';
import { chunked, collect, collectText } from './import-suite.js';

const NO_REACH = 'the row has no valid email, phone, X user id or Messenger PSID, so it was not imported';

describe('generic CSV', () => {
  it('reads every recognised column', async () => {
    const csv = [
      'First Name,last_name,Name,EMAIL,phone,locale,twitter_id,PSID,external-id,sms_consent,Email Consent,messengerConsent,X_CONSENT',
      'Ann,Lee,Ann Lee,Ann.Lee@Example.COM,(415) 555-2671,en_us,1111111111111111111,2222222222222222,crm-7,yes,N,true,0',
    ].join('\n');

    const { contacts, issues, summary } = await collectText(csv);

    expect(issues).toEqual([]);
    expect(contacts).toEqual([
      {
        line: 2,
        firstName: 'Ann',
        lastName: 'Lee',
        fullName: 'Ann Lee',
        email: 'ann.lee@example.com',
        phone: '+14155552671',
        locale: 'en-US',
        xUserId: '1111111111111111111',
        messengerPsid: '2222222222222222',
        externalId: 'crm-7',
        consent: { sms: true, email: false, messenger: true, x: false },
      },
    ]);
    expect(summary).toMatchObject({ format: 'csv', complete: true, rowsRead: 1, contacts: 1, ignoredColumns: [] });
    expect(summary.source).toBeUndefined();
  });

  it('takes the first name from the first word of name', async () => {
    const { contacts } = await collectText('name,email\n"  Mary   Ann Smith ",mary@example.com\n');

    expect(contacts).toEqual([{ line: 2, firstName: 'Mary', fullName: 'Mary   Ann Smith', email: 'mary@example.com', consent: {} }]);
  });

  it('lists unknown columns once', async () => {
    const { summary } = await collectText('email,favourite taco,notes\na@example.com,al pastor,x\nb@example.com,carnitas,y\n');

    expect(summary.ignoredColumns).toEqual(['favourite taco', 'notes']);
  });

  it('accepts every consent spelling', async () => {
    const values = ['yes', 'no', 'YES', 'No', 'true', 'FALSE', '1', '0', 'y', 'N', ' yes '];
    const csv = ['email,sms_consent', ...values.map((value, index) => `c${index}@example.com,${value}`)].join('\n');

    const { contacts, issues } = await collectText(csv);

    expect(issues).toEqual([]);
    expect(contacts.map((contact) => contact.consent.sms)).toEqual([true, false, true, false, true, false, true, false, true, false, true]);
  });

  it('leaves consent unset for an empty cell', async () => {
    const { contacts } = await collectText('email,sms_consent,email_consent\na@example.com,,yes\n');

    expect(contacts[0]?.consent).toEqual({ email: true });
  });

  it('rejects a row with a bad consent value', async () => {
    const { contacts, issues, summary } = await collectText('email,SMS Consent\nann@example.com,maybe\nbob@example.com,yes\n');

    expect(contacts.map((contact) => contact.line)).toEqual([3]);
    expect(issues).toEqual([
      {
        line: 2,
        field: 'SMS Consent',
        value: 'maybe',
        reason: 'SMS Consent value "maybe" is invalid: expected yes, no, true, false, 1, 0, y or n',
        severity: 'error',
      },
    ]);
    expect(summary.rowsRejected).toBe(1);
    expect(summary.errors).toBe(1);
  });

  it('keeps the contact without a bad locale', async () => {
    const { contacts, issues } = await collectText('email,locale\nann@example.com,english!\nbob@example.com,zh_hant_tw\n');

    expect(contacts).toEqual([
      { line: 2, email: 'ann@example.com', consent: {} },
      { line: 3, email: 'bob@example.com', locale: 'zh-Hant-TW', consent: {} },
    ]);
    expect(issues).toEqual([
      {
        line: 2,
        field: 'locale',
        value: 'english!',
        reason: 'locale "english!" is not a valid BCP 47 language tag, such as en-US',
        severity: 'warning',
      },
    ]);
  });

  it('keeps the contact by email when the phone is in scientific notation', async () => {
    const { contacts, issues } = await collectText('email,phone\nann@example.com,1.41555E+10\n');

    expect(contacts).toEqual([{ line: 2, email: 'ann@example.com', consent: {} }]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 2, field: 'phone', value: '1.41555E+10', severity: 'warning' });
    expect(issues[0]?.reason).toMatch(/^phone number "1\.41555E\+10" is in scientific notation/);
  });

  it('rejects a row whose only key is a phone in scientific notation', async () => {
    const { contacts, issues } = await collectText('name,phone\nAnn,4.15555e10\n');

    expect(contacts).toEqual([]);
    expect(issues).toHaveLength(2);
    expect(issues[0]).toMatchObject({ line: 2, field: 'phone', value: '4.15555e10', severity: 'error' });
    expect(issues[0]?.reason).toMatch(/scientific notation/);
    expect(issues[1]).toEqual({ line: 2, reason: NO_REACH, severity: 'error' });
  });

  it('rejects a row without any key', async () => {
    const { contacts, issues } = await collectText('name,email,phone\nAnn,,\n');

    expect(contacts).toEqual([]);
    expect(issues).toEqual([{ line: 2, reason: NO_REACH, severity: 'error' }]);
  });

  it('keeps a contact reached only by X user id or PSID', async () => {
    const { contacts, issues } = await collectText('x_user_id,messenger_psid\n12345,\n,67890\n');

    expect(issues).toEqual([]);
    expect(contacts).toEqual([
      { line: 2, xUserId: '12345', consent: {} },
      { line: 3, messengerPsid: '67890', consent: {} },
    ]);
  });

  it('drops an X user id that is not digits', async () => {
    const { contacts, issues } = await collectText('email,x_user_id\nann@example.com,1.11111E+18\nbob@example.com,@bob\n');

    expect(contacts.map((contact) => contact.xUserId)).toEqual([undefined, undefined]);
    expect(issues.map((issue) => [issue.line, issue.field, issue.value, issue.severity])).toEqual([
      [2, 'x_user_id', '1.11111E+18', 'warning'],
      [3, 'x_user_id', '@bob', 'warning'],
    ]);
    expect(issues[0]?.reason).toMatch(/^X user id "1\.11111E\+18" is in scientific notation/);
    expect(issues[1]?.reason).toBe('X user id "@bob" is invalid: expected digits only');
  });

  it('drops a name that is not valid UTF-8', async () => {
    const bytes = Buffer.concat([Buffer.from('email,first_name\nann@example.com,Jos'), Buffer.from([0xe9]), Buffer.from('\n')]);

    const { contacts, issues } = await collect(chunked(bytes));

    expect(contacts).toEqual([{ line: 2, email: 'ann@example.com', consent: {} }]);
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ line: 2, field: 'first_name', value: 'Jos\uFFFD', severity: 'warning' });
    expect(issues[0]?.reason).toMatch(/could not be decoded as text/);
  });
});

describe('duplicates', () => {
  it('finds the same email in another case', async () => {
    const { contacts, issues, summary } = await collectText('email\nAnn@Example.com\n  ann@example.COM \n');

    expect(contacts.map((contact) => contact.line)).toEqual([2]);
    expect(issues).toEqual([
      {
        line: 3,
        field: 'email',
        value: 'ann@example.COM',
        reason: 'same email "ann@example.com" as the contact at line 2',
        severity: 'duplicate',
        duplicateOf: 2,
      },
    ]);
    expect(summary.duplicates).toBe(1);
  });

  it('finds the same phone in another format', async () => {
    const csv = ['email,phone', 'a@example.com,(415) 555-2671', 'b@example.com,+1 415-555-2671', 'c@example.com,415.555.2671'].join('\r\n');

    const { contacts, issues } = await collectText(csv);

    expect(contacts.map((contact) => contact.line)).toEqual([2]);
    expect(issues.map((issue) => [issue.line, issue.field, issue.value, issue.duplicateOf, issue.severity])).toEqual([
      [3, 'phone', '+1 415-555-2671', 2, 'duplicate'],
      [4, 'phone', '415.555.2671', 2, 'duplicate'],
    ]);
    expect(issues[0]?.reason).toBe('same phone "+14155552671" as the contact at line 2');
  });

  it('finds the same X user id and PSID', async () => {
    const { contacts, issues } = await collectText('x_user_id,psid\n123,\n,456\n123,\n,456\n');

    expect(contacts.map((contact) => contact.line)).toEqual([2, 3]);
    expect(issues.map((issue) => issue.reason)).toEqual([
      'same X user id "123" as the contact at line 2',
      'same Messenger PSID "456" as the contact at line 3',
    ]);
  });

  it('links rows through a chain of shared keys to the kept contact', async () => {
    const csv = ['email,phone', 'ann@example.com,650 253 0000', 'ann2@example.com,650-253-0000', 'ann2@example.com,'].join('\n');

    const { contacts, issues } = await collectText(csv);

    expect(contacts.map((contact) => contact.line)).toEqual([2]);
    expect(issues.map((issue) => [issue.line, issue.duplicateOf])).toEqual([
      [3, 2],
      [4, 2],
    ]);
  });

  it('does not count a rejected row as seen', async () => {
    const { contacts, issues } = await collectText('email,sms_consent\nann@example.com,perhaps\nann@example.com,yes\n');

    expect(contacts.map((contact) => contact.line)).toEqual([3]);
    expect(issues.map((issue) => issue.severity)).toEqual(['error']);
  });
});

describe('CSV layout', () => {
  it('reads a UTF-8 byte order mark and CRLF line ends', async () => {
    const { contacts, issues } = await collectText('\uFEFFemail,name\r\nann@example.com,Ann\r\nbob@example.com,Bob\r\n');

    expect(issues).toEqual([]);
    expect(contacts.map((contact) => [contact.line, contact.email, contact.fullName])).toEqual([
      [2, 'ann@example.com', 'Ann'],
      [3, 'bob@example.com', 'Bob'],
    ]);
  });

  it('skips a Meta phone that is only the prefix', async () => {
    const { contacts, issues } = await collectText('id,form_id,full_name,phone_number,email\nl:1,f:2,Ann,p:,ann@example.com\n');

    expect(issues).toEqual([]);
    expect(contacts).toEqual([{ line: 2, externalId: 'l:1', firstName: 'Ann', fullName: 'Ann', email: 'ann@example.com', consent: {} }]);
  });

  it('detects a Meta header behind a byte order mark', async () => {
    const { summary } = await collectText('\uFEFFid,form_id,full_name,phone_number,email\nl:1,f:2,Ann Lee,p:415 555 2671,\n');

    expect(summary.format).toBe('meta-leads');
    expect(summary.contacts).toBe(1);
  });

  it('counts lines of quoted fields with line breaks, commas and quotes', async () => {
    const csv = [
      'name,email,notes',
      '"Lee, Ann",ann@example.com,"first line',
      'second line"',
      '"Bob ""The Truck"" Diaz",bob@example.com,"a\r\nb\r\nc"',
      '',
      'Carol,carol@example.com,plain',
    ].join('\r\n');

    const { contacts, issues } = await collectText(csv);

    expect(issues).toEqual([]);
    expect(contacts.map((contact) => [contact.line, contact.fullName])).toEqual([
      [2, 'Lee, Ann'],
      [4, 'Bob "The Truck" Diaz'],
      [8, 'Carol'],
    ]);
  });

  it('skips blank lines without counting them as rows', async () => {
    const { contacts, summary } = await collectText('\n\nemail,name\n\n,\nann@example.com,Ann\n\n');

    expect(contacts.map((contact) => contact.line)).toEqual([6]);
    expect(summary.rowsRead).toBe(1);
  });

  it.each([
    ['tab', '\t'],
    ['semicolon', ';'],
  ])('detects a %s delimiter', async (_name, delimiter) => {
    const csv = [`email${delimiter}name`, `ann@example.com${delimiter}"Lee, Ann"`].join('\n');

    const { contacts, issues } = await collectText(csv);

    expect(issues).toEqual([]);
    expect(contacts).toEqual([{ line: 2, email: 'ann@example.com', fullName: 'Lee, Ann', firstName: 'Lee,', consent: {} }]);
  });

  it('reads UTF-16LE with a byte order mark, as Meta downloads come', async () => {
    const text = 'id\tcreated_time\tform_id\tfull_name\tphone_number\temail\r\nl:1\t2024-05-01\tf:5\tJosé Núñez\tp:+14155552671\tjose@example.com\r\n';
    const bytes = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);

    const { contacts, issues, summary } = await collect(chunked(bytes, 7));

    expect(issues).toEqual([]);
    expect(summary.format).toBe('meta-leads');
    expect(contacts).toEqual([
      {
        line: 2,
        externalId: 'l:1',
        firstName: 'José',
        fullName: 'José Núñez',
        phone: '+14155552671',
        email: 'jose@example.com',
        consent: {},
      },
    ]);
  });

  it('reads Square email subscription status as email consent', async () => {
    const csv = [
      'Reference ID,First Name,Email Address,Phone Number,Square Customer ID,Email Subscription Status',
      'r1,Ann,ann@example.com,,SQ1,Subscribed',
      'r2,Bob,bob@example.com,,SQ2,unsubscribed',
      'r3,Cat,cat@example.com,,SQ3,pending',
    ].join('\n');

    const { contacts, issues } = await collectText(csv);

    expect(contacts.map((contact) => [contact.externalId, contact.consent])).toEqual([
      ['SQ1', { email: true }],
      ['SQ2', { email: false }],
      ['SQ3', {}],
    ]);
    expect(issues).toEqual([
      {
        line: 4,
        field: 'Email Subscription Status',
        value: 'pending',
        reason: 'Email Subscription Status "pending" is neither subscribed nor unsubscribed, so email consent is left unset',
        severity: 'warning',
      },
    ]);
  });
});

describe('malformed CSV', () => {
  it('reports ragged rows and keeps going', async () => {
    const { contacts, issues, summary, error } = await collectText(
      'email,name\nann@example.com\nbob@example.com,Bob,extra\ncarol@example.com,Carol\n',
    );

    expect(error).toBeUndefined();
    expect(contacts.map((contact) => contact.line)).toEqual([4]);
    expect(issues).toEqual([
      {
        line: 2,
        reason: 'the row has 1 cell, but the header has 2 columns. Check the row for a missing delimiter or an unquoted one',
        severity: 'error',
      },
      {
        line: 3,
        reason: 'the row has 3 cells, but the header has 2 columns. Check the row for a missing delimiter or an unquoted one',
        severity: 'error',
      },
    ]);
    expect(summary).toMatchObject({ complete: true, rowsRead: 3, rowsRejected: 2, errors: 2 });
  });

  it('stops at an unterminated quote and keeps the rows before it', async () => {
    const csv = 'email,name\r\nann@example.com,Ann\r\nbob@example.com,"Bob\r\ncarol@example.com,Carol\r\n';

    const { contacts, summary, error } = await collectText(csv);

    expect(contacts.map((contact) => contact.email)).toEqual(['ann@example.com']);
    expect(error).toBeInstanceOf(ImportFileError);
    expect((error as ImportFileError).line).toBe(3);
    expect((error as ImportFileError).problem).toBe('csv_syntax');
    expect((error as Error).message).toBe('line 3: a quoted field in the row that starts here is never closed. Add the closing quote (")');
    expect(summary).toMatchObject({ complete: false, rowsRead: 1, contacts: 1 });
    expect(summary.error).toBe(error);
  });

  it('keeps text after a closing quote as written', async () => {
    const { contacts, issues, error } = await collectText('email,name\nann@example.com,Ann\nbob@example.com,"Bob"by\n');

    expect(error).toBeUndefined();
    expect(issues).toEqual([]);
    expect(contacts.map((contact) => [contact.line, contact.fullName])).toEqual([
      [2, 'Ann'],
      [3, '"Bob"by'],
    ]);
  });

  it('reports only the row with a stray quote and reads on', async () => {
    const csv = ['name,email', 'Bob "Bo" Lee,bob@example.com', 'Cat,cat"@example.com', 'Dan,dan@example.com'].join('\n');

    const { contacts, issues, summary, error } = await collectText(csv);

    expect(error).toBeUndefined();
    expect(contacts.map((contact) => [contact.line, contact.fullName, contact.email])).toEqual([
      [2, 'Bob "Bo" Lee', 'bob@example.com'],
      [4, 'Dan', 'dan@example.com'],
    ]);
    expect(issues).toEqual([
      {
        line: 3,
        field: 'email',
        value: 'cat"@example.com',
        reason: 'email address "cat\\"@example.com" is invalid: the part before @ contains a character other than letters, digits and !#$%&\'*+-/=?^_`{|}~.',
        severity: 'error',
      },
      { line: 3, reason: 'the row has no valid email, phone, X user id or Messenger PSID, so it was not imported', severity: 'error' },
    ]);
    expect(summary).toMatchObject({ complete: true, rowsRead: 3, contacts: 2, rowsRejected: 1 });
  });

  it('names the lines that a stray opening quote joined into one row', async () => {
    const csv = ['name,email', '"Eve,eve@example.com', 'Fay,fay@example.com', 'Gus,"gus@example.com"', 'Hal,hal@example.com'].join('\n');

    const { contacts, issues, error } = await collectText(csv);

    expect(error).toBeUndefined();
    expect(contacts.map((contact) => [contact.line, contact.email])).toEqual([[5, 'hal@example.com']]);
    expect(issues).toEqual([
      {
        line: 2,
        reason:
          'the row has 1 cell, but the header has 2 columns. A quoted cell in it runs over line breaks, so lines 2 to 4 were read as this one row. ' +
          'Check the row for a stray quote (") at the start of a cell',
        severity: 'error',
      },
    ]);
  });

  it('stops at a quoted field that would run past the record limit', async () => {
    async function* unclosed(): AsyncGenerator<string> {
      yield 'email,name\nann@example.com,"Ann\n';
      for (let i = 0; i < 40; i += 1) {
        yield `${'x'.repeat(32 * 1024)}\n`;
      }
    }

    const { contacts, error } = await collect(unclosed());

    expect(contacts).toEqual([]);
    expect((error as ImportFileError).line).toBe(2);
    expect((error as Error).message).toMatch(/^line 2: the row that starts here is longer than 1048576 bytes/);
  });

  it('stops at a header without a usable column', async () => {
    const { error, summary } = await collectText('name,favourite taco\nAnn,al pastor\n');

    expect((error as ImportFileError).problem).toBe('no_usable_column');
    expect((error as Error).message).toBe(
      'line 1: the csv header has no column for an email, phone, X user id or Messenger PSID, so no row could reach a contact. ' +
        'Expected one of email, phone, x_user_id, twitter_id, messenger_psid, psid, found "name", "favourite taco"',
    );
    expect(summary.rowsRead).toBe(0);
  });

  it('stops at a Meta export without phone and email columns', async () => {
    const { error } = await collectText('id,form_id,full_name\nl:1,f:1,Ann\n', { format: 'meta-leads' });

    expect((error as ImportFileError).problem).toBe('no_usable_column');
    expect((error as Error).message).toMatch(/Expected one of email, phone_number, found "id", "form_id", "full_name"$/);
  });

  it('stops at two columns for one field', async () => {
    const { error } = await collectText('email,Email Address\na@example.com,b@example.com\n');

    expect((error as ImportFileError).problem).toBe('duplicate_column');
    expect((error as Error).message).toBe('line 1: columns "email" and "Email Address" both give the email. Remove one of them');
  });

  it('stops at an empty file', async () => {
    const { error } = await collectText('');

    expect((error as ImportFileError).problem).toBe('empty_file');
    expect((error as Error).message).toBe('line 1: the file is empty, expected a header row followed by one row per contact');
  });

  it('stops at UTF-16BE', async () => {
    const bytes = Buffer.from([0xfe, 0xff, 0x00, 0x65]);

    const { error, summary } = await collect(chunked(bytes));

    expect((error as ImportFileError).problem).toBe('unsupported_encoding');
    expect(summary.format).toBeUndefined();
  });
});

describe('cells that a spreadsheet wrote', () => {
  const csvQuoted = (cell: string) => `"${cell.replaceAll('"', '""')}"`;

  it('reads Excel text formulas as their text', async () => {
    const csv = [
      'name,phone,external_id,sms_consent',
      'Ann,="4155552671",="00412",="yes"',
      // Quoted CSV cells whose text is ="4155552672" and ="007 ""B""", a quote doubled inside the formula's string.
      `Bob,${csvQuoted('="4155552672"')},${csvQuoted('="007 ""B"""')},no`,
      'Cat,="",="",',
    ].join('\n');

    const { contacts, issues, error } = await collectText(csv);

    expect(error).toBeUndefined();
    expect(issues).toEqual([
      { line: 4, reason: 'the row has no valid email, phone, X user id or Messenger PSID, so it was not imported', severity: 'error' },
    ]);
    expect(contacts).toEqual([
      { line: 2, firstName: 'Ann', fullName: 'Ann', phone: '+14155552671', externalId: '00412', consent: { sms: true } },
      { line: 3, firstName: 'Bob', fullName: 'Bob', phone: '+14155552672', externalId: '007 "B"', consent: { sms: false } },
    ]);
  });

  it('reports the cell as written when its text is invalid', async () => {
    const { contacts, issues } = await collectText('email,phone\nann@example.com,="415"\n');

    expect(contacts).toEqual([{ line: 2, email: 'ann@example.com', consent: {} }]);
    expect(issues).toEqual([
      {
        line: 2,
        field: 'phone',
        value: '="415"',
        reason: 'phone number "415" is too short for US',
        severity: 'warning',
      },
    ]);
  });

  it('leaves other formulas as written and says so', async () => {
    const { contacts, issues } = await collectText('email,phone\nann@example.com,="415"&"5552671"\n');

    expect(contacts).toEqual([{ line: 2, email: 'ann@example.com', consent: {} }]);
    expect(issues).toEqual([
      {
        line: 2,
        field: 'phone',
        value: '="415"&"5552671"',
        reason:
          'phone number "=\\"415\\"&\\"5552671\\"" is not a phone number. Expected digits with an optional leading + or 00 (default country US). ' +
          'The cell looks like a spreadsheet formula, so save the column as plain text and import it again',
        severity: 'warning',
      },
    ]);
  });
});
