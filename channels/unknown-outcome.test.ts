import { describe, expect, it } from 'vitest';
import { provesNotConnected, serverErrorMayHaveActed, unknownOutcome } from './unknown-outcome.js';

describe('unknownOutcome', () => {
  it('says the message was not sent again and what to check', () => {
    expect(unknownOutcome('X did not answer within 200 ms', "the X account's posts", 'timeout')).toEqual({
      status: 'failed',
      reason:
        'X did not answer within 200 ms. The provider may have accepted the message, so it was not sent again. ' +
        "Check the X account's posts, and retry the send from the console only if the message is not there",
      providerCode: 'timeout',
    });
  });
});

describe('provesNotConnected', () => {
  it.each([
    ['refused connect', { code: 'ECONNREFUSED', syscall: 'connect' }],
    ['unknown host', { code: 'ENOTFOUND', syscall: 'getaddrinfo' }],
    ['DNS retry later', { code: 'EAI_AGAIN', syscall: 'getaddrinfo' }],
    ['connect timeout of the OS', { code: 'ETIMEDOUT', syscall: 'connect' }],
    ['undici connect timeout', { code: 'UND_ERR_CONNECT_TIMEOUT' }],
    ['no route', { code: 'EHOSTUNREACH' }],
    ['expired certificate', { code: 'CERT_HAS_EXPIRED' }],
    ['wrong host name in certificate', { code: 'ERR_TLS_CERT_ALTNAME_INVALID' }],
  ])('accepts %s', (_case, error) => {
    expect(provesNotConnected(Object.assign(new Error('failed'), error))).toBe(true);
  });

  it.each([
    ['reset while reading', { code: 'ECONNRESET', syscall: 'read' }],
    ['broken pipe while writing', { code: 'EPIPE', syscall: 'write' }],
    ['undici other side closed', { code: 'UND_ERR_SOCKET' }],
    ['undici headers timeout', { code: 'UND_ERR_HEADERS_TIMEOUT' }],
    ['axios timeout', { code: 'ECONNABORTED' }],
    ['no code', {}],
  ])('rejects %s', (_case, error) => {
    expect(provesNotConnected(Object.assign(new Error('failed'), error))).toBe(false);
  });

  it('rejects values that are not errors', () => {
    expect(provesNotConnected(undefined)).toBe(false);
    expect(provesNotConnected(null)).toBe(false);
    expect(provesNotConnected('ECONNREFUSED')).toBe(false);
  });
});

describe('serverErrorMayHaveActed', () => {
  it.each([
    [500, true],
    [502, true],
    [503, false],
    [504, true],
    [507, true],
    [429, false],
    [408, false],
    [400, false],
    [201, false],
  ])('HTTP %i gives %s', (status, expected) => {
    expect(serverErrorMayHaveActed(status)).toBe(expected);
  });
});
