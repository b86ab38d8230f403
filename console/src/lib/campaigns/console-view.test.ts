import { describe, expect, it } from 'vitest';
import { readView, viewHash } from './console-view.js';

describe('readView', () => {
  it.each([
    ['', 'map'],
    ['#view=campaigns', 'campaigns'],
    ['#view=pickup', 'pickup'],
    ['#view=menu', 'menu'],
    ['#x=1&view=campaigns', 'campaigns'],
    ['#view=settings', 'map'],
  ])('reads %j as %s', (hash, view) => {
    expect(readView(hash)).toBe(view);
  });
});

describe('viewHash', () => {
  it('adds the campaigns view', () => {
    expect(viewHash('', 'campaigns')).toBe('#view=campaigns');
  });

  it('adds the pickup view', () => {
    expect(viewHash('#view=campaigns', 'pickup')).toBe('#view=pickup');
  });

  it('adds the menu view', () => {
    expect(viewHash('#view=pickup', 'menu')).toBe('#view=menu');
  });

  it('drops the parameter for the map', () => {
    expect(viewHash('#view=campaigns', 'map')).toBe('');
    expect(viewHash('#view=pickup', 'map')).toBe('');
    expect(viewHash('#view=menu', 'map')).toBe('');
  });

  it('keeps other parameters', () => {
    expect(viewHash('#x=1', 'campaigns')).toBe('#x=1&view=campaigns');
  });
});
