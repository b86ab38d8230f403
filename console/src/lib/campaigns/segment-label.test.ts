import { describe, expect, it } from 'vitest';
import { dictionaries } from '../messages/index.js';
import { segmentLabel } from './segment-label.js';

const chinese = (key: keyof (typeof dictionaries)['zh-CN']) => dictionaries['zh-CN'][key];
const english = (key: keyof (typeof dictionaries)['en']) => dictionaries.en[key];

describe('segmentLabel', () => {
  it('translates the nearby segment', () => {
    expect(segmentLabel({ source: 'nearby', name: 'Nearby phones' }, chinese)).toBe('附近的手机');
    expect(segmentLabel({ source: 'nearby', name: 'Nearby phones' }, english)).toBe('Nearby phones');
  });

  it('keeps the name of other segments', () => {
    expect(segmentLabel({ source: 'facebook', name: ' Facebook fans ' }, chinese)).toBe('Facebook fans');
  });

  it('labels a segment without a name', () => {
    expect(segmentLabel({ source: 'twitter', name: '  ' }, chinese)).toBe('未命名人群');
  });
});
