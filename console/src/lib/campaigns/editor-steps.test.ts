import { describe, expect, it } from 'vitest';
import { stepOfField, templatePath } from './editor-steps.js';

describe('stepOfField', () => {
  it.each([
    ['name', 'goal'],
    ['goal.convert', 'goal'],
    ['truckIds.0', 'target'],
    ['window.end', 'target'],
    ['radiusM', 'target'],
    ['sendAt', 'target'],
    ['segments', 'target'],
    ['segments.2.code', 'target'],
    ['segments.2.templates.sms.body', 'messages'],
    ['nearbyTemplates.push.subject', 'messages'],
    ['benefit.valid.start', 'benefit'],
    ['channels.1', 'channels'],
    ['(body)', 'target'],
  ])('puts %s on the %s step', (field, step) => {
    expect(stepOfField(field)).toBe(step);
  });
});

describe('templatePath', () => {
  it('names a segment template by index', () => {
    expect(templatePath(1, 'x_post')).toBe('segments.1.templates.x_post');
  });

  it('names a nearby template', () => {
    expect(templatePath('nearby', 'push')).toBe('nearbyTemplates.push');
  });
});
