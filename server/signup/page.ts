import { html, raw } from 'hono/html';
import { phoneCountryOptions } from './countries.js';
import { otherLanguage, translate, type SignupLanguage, type SignupTextKey } from './i18n.js';
import { MAX_FIRST_NAME_LENGTH, type SignupChannel } from './input.js';
import { PAGE_SCRIPT, PAGE_STYLE } from './page-assets.js';

/**
 * HTML of the public sign-up pages. Every interpolated value goes through hono's
 * `html` template, which escapes it; `raw` is used only for the fixed style and script.
 */

type Html = ReturnType<typeof html>;

export interface PageFrame {
  language: SignupLanguage;
  /** Nonce of this response's Content-Security-Policy. */
  nonce: string;
  segmentId: string;
}

/** Values the person typed, to fill the form again after an error. */
export interface FormValues {
  firstName?: string;
  email?: string;
  phone?: string;
  country?: string;
  consent?: Partial<Record<SignupChannel, boolean>>;
}

export interface SignupPageView {
  senderName: string;
  campaignName: string;
  benefit: string;
  channels: readonly SignupChannel[];
  defaultCountry: string;
  values?: FormValues;
  /** A translated error and the field it is about. */
  error?: { text: string; field?: string };
}

export interface ThanksView {
  firstName?: string;
  code: string;
  benefit: string;
  validUntilText: string;
}

export function joinPath(segmentId: string, language?: SignupLanguage): string {
  const path = `/join/${encodeURIComponent(segmentId)}`;
  return language === undefined ? path : `${path}?lang=${encodeURIComponent(language)}`;
}

export function signupPostPath(segmentId: string, language: SignupLanguage): string {
  return `/v1/signups/${encodeURIComponent(segmentId)}?lang=${encodeURIComponent(language)}`;
}

/** Renders the sign-up form, with a hidden result section the script fills in after a fetch. */
export function renderSignupPage(frame: PageFrame, view: SignupPageView): Html {
  const t = (key: SignupTextKey, values?: Record<string, string | number>) => translate(frame.language, key, values);
  const values = view.values ?? {};
  const invalid = (field: string) => (view.error?.field === field ? raw(' aria-invalid="true"') : '');
  const selectedCountry = values.country ?? view.defaultCountry;

  const consentBoxes = view.channels.map(
    (channel) => html`<label class="consent"><input type="checkbox" name="consent.${channel}" value="yes"${values.consent?.[channel] ? raw(' checked') : ''}${invalid(`consent.${channel}`)}><span>${t(channel === 'sms' ? 'consentSms' : 'consentEmail', { truck: view.senderName })}</span></label>`,
  );
  const countries = phoneCountryOptions(frame.language).map(
    ({ country, label }) => html`<option value="${country}"${country === selectedCountry ? raw(' selected') : ''}>${label}</option>`,
  );

  const body = html`<h1>${view.senderName}</h1>
<p class="campaign">${view.campaignName}</p>
<p class="benefit"><small>${t('benefitLabel')}</small>${view.benefit}</p>
<p id="signup-error" class="error" role="alert"${view.error ? '' : raw(' hidden')}>${view.error?.text ?? ''}</p>
<form id="signup-form" method="post" action="${signupPostPath(frame.segmentId, frame.language)}" data-error-generic="${t('errorGeneric')}">
<p>${t('intro')}</p>
<label for="firstName">${t('firstNameLabel')}</label>
<input type="text" id="firstName" name="firstName" autocomplete="given-name" maxlength="${MAX_FIRST_NAME_LENGTH}" value="${values.firstName ?? ''}"${invalid('firstName')}>
<label for="email">${t('emailLabel')}</label>
<input type="email" id="email" name="email" autocomplete="email" inputmode="email" value="${values.email ?? ''}"${invalid('email')}>
<label for="phone">${t('phoneLabel')}</label>
<input type="tel" id="phone" name="phone" autocomplete="tel" inputmode="tel" value="${values.phone ?? ''}"${invalid('phone')}>
<label for="country">${t('countryLabel')}</label>
<select id="country" name="country"${invalid('country')}>${countries}</select>
<p class="hint">${t('contactHint')}</p>
${view.channels.length > 0 ? html`<fieldset><legend>${t('consentHeading')}</legend><p class="hint">${t('consentOptional')}</p>${consentBoxes}</fieldset>` : ''}
<button type="submit">${t('submit')}</button>
</form>
${resultSection(frame.language, undefined)}
<script nonce="${frame.nonce}">${raw(PAGE_SCRIPT)}</script>`;

  return layout(frame, t('pageTitle', { truck: view.senderName }), body, true);
}

/** Renders the page a form post without JavaScript gets after signing up: the code, big. */
export function renderThanksPage(frame: PageFrame, view: ThanksView): Html {
  return layout(frame, translate(frame.language, 'codeLabel'), resultSection(frame.language, view), false);
}

/** Renders a short page with a title and one paragraph, for a closed or unknown sign-up or an error. */
export function renderNoticePage(frame: PageFrame, titleKey: SignupTextKey, bodyKey: SignupTextKey): Html {
  const title = translate(frame.language, titleKey);
  return layout(frame, title, html`<h1>${title}</h1><p>${translate(frame.language, bodyKey)}</p>`, true);
}

/**
 * Renders the code and its validity. On the form page the section is hidden until
 * the script fills its slots from the JSON reply, using the templates in its data attributes.
 */
function resultSection(language: SignupLanguage, view: ThanksView | undefined): Html {
  const t = (key: SignupTextKey, values?: Record<string, string | number>) => translate(language, key, values);
  const heading = view?.firstName ? t('thanksNamed', { name: view.firstName }) : t('thanksTitle');
  return html`<section id="signup-result" class="center"${view ? '' : raw(' hidden')} data-thanks="${t('thanksTitle')}" data-thanks-named="${t('thanksNamed')}" data-valid-until="${t('validUntil')}">
<h1 data-slot="heading">${heading}</h1>
<p>${t('codeLabel')}</p>
<p class="code" data-slot="code">${view?.code ?? ''}</p>
<p class="benefit" data-slot="benefit">${view?.benefit ?? ''}</p>
<p data-slot="valid-until">${view ? t('validUntil', { time: view.validUntilText }) : ''}</p>
<p>${t('showCode')}</p>
</section>`;
}

function layout(frame: PageFrame, title: string, body: Html, withLanguageSwitch: boolean): Html {
  const other = otherLanguage(frame.language);
  const languageSwitch = withLanguageSwitch
    ? html`<nav><a href="${joinPath(frame.segmentId, other)}" lang="${other}" hreflang="${other}">${translate(frame.language, 'otherLanguage')}</a></nav>`
    : '';
  return html`<!doctype html>
<html lang="${frame.language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${title}</title>
<style nonce="${frame.nonce}">${raw(PAGE_STYLE)}</style>
</head>
<body>
<main>
${languageSwitch}
${body}
</main>
</body>
</html>`;
}
