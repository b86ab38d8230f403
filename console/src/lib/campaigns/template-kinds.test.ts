import { describe, expect, it } from 'vitest';
import { channelOfKind, hasSubject, kindsForSegment } from './template-kinds.js';
import { TEMPLATE_KINDS } from './types.js';

describe('kindsForSegment', () => {
  it('lists the kinds of the chosen channels in channel order', () => {
    expect(kindsForSegment('facebook', ['email', 'x', 'sms'])).toEqual(['sms', 'x_post', 'x_dm', 'email']);
  });

  it('gives the nearby segment its push only', () => {
    expect(kindsForSegment('nearby', ['sms'])).toEqual(['push']);
  });
});

describe('channelOfKind', () => {
  it('sends both X kinds on X', () => {
    expect([channelOfKind('x_post'), channelOfKind('x_dm'), channelOfKind('sms')]).toEqual(['x', 'x', 'sms']);
  });
});

describe('hasSubject', () => {
  it('is true for email and push only', () => {
    expect(TEMPLATE_KINDS.filter(hasSubject)).toEqual(['push', 'email']);
  });
});
