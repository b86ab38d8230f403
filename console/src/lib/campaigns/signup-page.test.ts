import { describe, expect, it } from 'vitest';
import { signupPageState } from './signup-page.js';

describe('signupPageState', () => {
  it.each([
    ['draft', 'not_yet_open'],
    ['scheduled', 'open'],
    ['active', 'open'],
    ['ended', 'closed'],
  ] as const)('%s campaign has a page that is %s', (status, state) => {
    expect(signupPageState(status)).toBe(state);
  });
});
