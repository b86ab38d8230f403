/**
 * Every text of the public sign-up pages, in English and Simplified Chinese.
 * Placeholders in braces, such as `{truck}`, are filled by `translate`.
 */

export const SIGNUP_LANGUAGES = ['en', 'zh-CN'] as const;
export type SignupLanguage = (typeof SIGNUP_LANGUAGES)[number];

export const DEFAULT_SIGNUP_LANGUAGE: SignupLanguage = 'en';

const EN = {
  pageTitle: 'Offers from {truck}',
  intro: 'Leave your email address or phone number and get your discount code right away.',
  benefitLabel: 'Your offer',
  firstNameLabel: 'First name (optional)',
  emailLabel: 'Email',
  phoneLabel: 'Mobile phone',
  countryLabel: 'Country of the phone number',
  contactHint: 'Enter an email address, a phone number or both.',
  consentHeading: 'Future offers (optional)',
  consentOptional: 'You get the code whether or not you tick a box.',
  consentSms: 'Text me offers from {truck} at this number. Message and data rates may apply. Reply STOP at any time to stop the texts.',
  // NOTE: no email sender sets `unsubscribeUrl` yet, so emails carry no unsubscribe
  // link and this promise is not kept until one does.
  consentEmail: 'Email me offers from {truck}. You can unsubscribe at any time.',
  submit: 'Get my code',
  otherLanguage: '中文',
  thanksTitle: 'Thank you!',
  thanksNamed: 'Thank you, {name}!',
  codeLabel: 'Your code',
  showCode: 'Show this code at the window when you order.',
  validUntil: 'Valid until {time}',
  closedTitle: 'Sign-up is closed',
  closedBody: 'This offer no longer takes sign-ups. Ask at the truck for the current offers.',
  notFoundTitle: 'Sign-up page not found',
  notFoundBody: 'Check the link, or scan the QR code at the truck again.',
  errorHeading: 'Please check the form',
  errorContactMissing: 'Enter an email address or a phone number.',
  errorEmail: 'The email address “{value}” is not valid.',
  errorPhone: 'The phone number “{value}” is not valid. For a number from another country, start with + and the country code.',
  errorCountry: 'Choose a country from the list.',
  errorFirstName: 'The first name is too long: use at most {max} characters.',
  errorConsentSms: 'To get texts, enter your phone number.',
  errorConsentEmail: 'To get emails, enter your email address.',
  errorTooMany: 'Too many sign-ups from this network. Try again in a minute.',
  errorGeneric: 'Something went wrong. Please try again.',
} as const;

export type SignupTextKey = keyof typeof EN;

export const SIGNUP_TEXT_KEYS = Object.keys(EN) as SignupTextKey[];

const ZH_CN: Record<SignupTextKey, string> = {
  pageTitle: '{truck} 的优惠',
  intro: '留下电子邮件地址或手机号码，立即领取优惠码。',
  benefitLabel: '您的优惠',
  firstNameLabel: '名字（选填）',
  emailLabel: '电子邮件',
  phoneLabel: '手机号码',
  countryLabel: '手机号码所属国家或地区',
  contactHint: '请填写电子邮件地址、手机号码，或两者都填。',
  consentHeading: '以后的优惠（选填）',
  consentOptional: '无论是否勾选，您都能领取优惠码。',
  consentSms: '同意 {truck} 通过短信向此号码发送优惠信息。可能产生短信和流量费用。随时回复 STOP 即可停止接收短信。',
  consentEmail: '同意 {truck} 通过电子邮件向我发送优惠信息。可随时退订。',
  submit: '领取优惠码',
  otherLanguage: 'English',
  thanksTitle: '谢谢！',
  thanksNamed: '谢谢，{name}！',
  codeLabel: '您的优惠码',
  showCode: '点餐时请在窗口出示此优惠码。',
  validUntil: '有效期至 {time}',
  closedTitle: '登记已结束',
  closedBody: '此优惠已不再接受登记。欢迎到餐车窗口询问当前的优惠。',
  notFoundTitle: '找不到登记页面',
  notFoundBody: '请检查链接，或在餐车旁重新扫描二维码。',
  errorHeading: '请检查表单',
  errorContactMissing: '请填写电子邮件地址或手机号码。',
  errorEmail: '电子邮件地址“{value}”无效。',
  errorPhone: '手机号码“{value}”无效。如为其他国家或地区的号码，请以 + 和国家代码开头。',
  errorCountry: '请从列表中选择国家或地区。',
  errorFirstName: '名字太长，最多 {max} 个字符。',
  errorConsentSms: '如需接收短信，请填写手机号码。',
  errorConsentEmail: '如需接收电子邮件，请填写电子邮件地址。',
  errorTooMany: '此网络的登记次数过多，请一分钟后再试。',
  errorGeneric: '出了点问题，请重试。',
};

const TEXTS: Record<SignupLanguage, Record<SignupTextKey, string>> = { en: EN, 'zh-CN': ZH_CN };

/** Returns the text `key` in `language` with each `{name}` placeholder replaced by `values[name]`. */
export function translate(language: SignupLanguage, key: SignupTextKey, values: Record<string, string | number> = {}): string {
  return TEXTS[language][key].replace(/\{(\w+)\}/g, (placeholder, name: string) =>
    name in values ? String(values[name]) : placeholder,
  );
}

/** Returns the language the page's switch link offers: the other one of the two. */
export function otherLanguage(language: SignupLanguage): SignupLanguage {
  return language === 'en' ? 'zh-CN' : 'en';
}

/**
 * Maps a detected language tag to a supported one: every Chinese tag (zh, zh-Hans,
 * zh-TW) reads the Simplified Chinese page, the only Chinese one there is.
 */
export function toSignupLanguageTag(tag: string): string {
  return /^zh(-|$)/i.test(tag) ? 'zh-CN' : tag;
}

export function isSignupLanguage(value: unknown): value is SignupLanguage {
  return (SIGNUP_LANGUAGES as readonly unknown[]).includes(value);
}
