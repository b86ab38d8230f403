import { describe, expect, it } from 'vitest';
import { otherLanguage, SIGNUP_LANGUAGES, SIGNUP_TEXT_KEYS, toSignupLanguageTag, translate } from './i18n.js';

function placeholders(text: string): string[] {
  return [...text.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!).sort();
}

describe('sign-up texts', () => {
  it('have the same placeholders in both languages', () => {
    expect(SIGNUP_TEXT_KEYS).toHaveLength(33);
    for (const key of SIGNUP_TEXT_KEYS) {
      expect(placeholders(translate('zh-CN', key)), key).toEqual(placeholders(translate('en', key)));
      expect(translate('zh-CN', key), key).not.toBe('');
    }
  });

  it('tell how to stop texts in both languages', () => {
    for (const language of SIGNUP_LANGUAGES) expect(translate(language, 'consentSms')).toContain('STOP');
  });

  it('fill placeholders', () => {
    expect(translate('en', 'consentEmail', { truck: 'Taco Uno' })).toBe('Email me offers from Taco Uno. You can unsubscribe at any time.');
    expect(translate('zh-CN', 'thanksNamed', { name: '小明' })).toBe('谢谢，小明！');
    expect(translate('en', 'validUntil')).toBe('Valid until {time}');
  });

  it('offer the other language', () => {
    expect(otherLanguage('en')).toBe('zh-CN');
    expect(otherLanguage('zh-CN')).toBe('en');
  });

  it('read every Chinese tag as zh-CN', () => {
    expect(toSignupLanguageTag('zh')).toBe('zh-CN');
    expect(toSignupLanguageTag('zh-TW')).toBe('zh-CN');
    expect(toSignupLanguageTag('ZH-hans')).toBe('zh-CN');
    expect(toSignupLanguageTag('en-GB')).toBe('en-GB');
    expect(toSignupLanguageTag('zu')).toBe('zu');
  });
});
