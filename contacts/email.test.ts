import { describe, expect, it } from 'vitest';
import { normalizeEmail } from './email.js';

describe('normalizeEmail', () => {
  const accepted: Array<[raw: string, email: string]> = [
    ['ann@example.com', 'ann@example.com'],
    ['  Ann.Lee@Example.COM  ', 'ann.lee@example.com'],
    ['\tBOB+Lunch@Mail.Example.org\n', 'bob+lunch@mail.example.org'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['user@bücher.de', 'user@xn--bcher-kva.de'],
    ['User@Xn--Bcher-Kva.De', 'user@xn--bcher-kva.de'],
    ['wang@例子.中国', 'wang@xn--fsqu00a.xn--fiqs8s'],
    [`${'a'.repeat(64)}@example.com`, `${'a'.repeat(64)}@example.com`],
  ];

  it.each(accepted)('accepts %j', (raw, email) => {
    expect(normalizeEmail(raw)).toEqual({ ok: true, email });
  });

  const rejected: Array<[raw: string, reason: RegExp]> = [
    ['', /is empty/],
    ['   ', /is empty/],
    ['ann.example.com', /has no @/],
    ['@example.com', /part before @ is empty/],
    ['ann@', /part after @ is empty/],
    ['ann@localhost', /has no dot/],
    ['.ann@example.com', /dot/],
    ['ann.@example.com', /dot/],
    ['ann..lee@example.com', /two dots in a row/],
    ['ann lee@example.com', /character other than/],
    ['"ann"@example.com', /character other than/],
    ['ann@b@example.com', /character other than/],
    ['ann@exa mple.com', /not a valid host name/],
    ['ann@-example.com', /domain label "-example"/],
    ['ann@example..com', /domain label ""/],
    ['ann@ex_ample.com', /domain label "ex_ample"/],
    ['ann@1.2.3.4', /top-level domain "4" is all digits/],
    ['ann@[1.2.3.4]', /not a valid host name/],
    [`${'a'.repeat(65)}@example.com`, /65 characters, the maximum is 64/],
    [`ann@${'a'.repeat(64)}.com`, /has 64 characters, the maximum is 63/],
    [`ann@${Array(5).fill('a'.repeat(60)).join('.')}.com`, /the maximum is 254/],
  ];

  it.each(rejected)('rejects %j', (raw, reason) => {
    const result = normalizeEmail(raw);
    expect(result.ok).toBe(false);
    expect(result.ok ? '' : result.reason).toMatch(reason);
  });

  it('quotes the raw value in the reason', () => {
    const result = normalizeEmail(' Ann.example.com ');
    expect(result.ok ? '' : result.reason).toContain('" Ann.example.com "');
  });
});
