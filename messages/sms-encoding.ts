/**
 * SMS length rules for the campaign message editor: which encoding a text
 * needs, how many units it takes and how a gateway splits it into the parts
 * of a concatenated SMS. Pure functions with no I/O.
 *
 * GSM-7 is the GSM 7-bit default alphabet of 3GPP TS 23.038 (section 6.2.1)
 * with its default extension table. A text that contains any other character
 * is sent as UCS-2 and counted in UTF-16 code units, so a character outside
 * the Basic Multilingual Plane (most emoji) takes 2 units.
 */

export type SmsEncoding = 'GSM-7' | 'UCS-2';

export interface SmsMeasure {
  encoding: SmsEncoding;
  /** Septets for GSM-7, UTF-16 code units for UCS-2. */
  units: number;
  /** Number of SMS the text is sent as, 0 for an empty text. */
  parts: number;
  /** Capacity of one part in units: the single-message limit up to one part, the multipart limit beyond. */
  perPart: number;
  /** Units still free in the last part before the text needs another part. */
  remainingInPart: number;
  /** Distinct code points outside both GSM-7 tables, in order of first appearance. */
  nonGsmCharacters: string[];
}

/**
 * Capacities in units. A part of a concatenated SMS carries a 6-octet user
 * data header (concatenation information element), which leaves 134 of the
 * 140 octets: 153 septets or 67 UCS-2 code units.
 */
export const GSM7_SINGLE_PART_SEPTETS = 160;
export const GSM7_MULTIPART_SEPTETS = 153;
export const UCS2_SINGLE_PART_UNITS = 70;
export const UCS2_MULTIPART_UNITS = 67;

// The basic character set in table order, 0x00 to 0x7F, 16 positions per line.
// Position 0x1B is the escape to the extension table and has no character, so
// the second line has 15 characters.
// NOTE: only the default tables are used, so a character such as lowercase ç
// (the table has Ç) or Turkish ş makes the text UCS-2. A gateway that
// substitutes look-alike characters or uses a national language shift table
// may send such a text as GSM-7 in fewer parts than counted here.
const GSM7_BASIC_CHARACTERS =
  '@£$¥èéùìòÇ\nØø\rÅå' +
  'Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ' +
  ' !"#¤%&\'()*+,-./' +
  '0123456789:;<=>?' +
  '¡ABCDEFGHIJKLMNO' +
  'PQRSTUVWXYZÄÖÑÜ§' +
  '¿abcdefghijklmno' +
  'pqrstuvwxyzäöñüà';

// The default extension table: each character is sent as the escape septet
// followed by its own septet, so it counts 2.
const GSM7_EXTENSION_CHARACTERS = '\f^{}\\[~]|€';

const GSM7_BASIC = new Set(GSM7_BASIC_CHARACTERS);
const GSM7_EXTENSION = new Set(GSM7_EXTENSION_CHARACTERS);

interface SmsSegmentation {
  encoding: SmsEncoding;
  units: number;
  partTexts: string[];
  partUnits: number[];
  nonGsmCharacters: string[];
}

/** Measures `text` as the editor shows it: encoding, units, parts and the room left in the last part. */
export function measureSms(text: string): SmsMeasure {
  const segmentation = segmentSms(text);
  const parts = segmentation.partTexts.length;
  const perPart = capacityPerPart(segmentation.encoding, parts);
  const lastPartUnits = segmentation.partUnits.at(-1) ?? 0;

  return {
    encoding: segmentation.encoding,
    units: segmentation.units,
    parts,
    perPart,
    remainingInPart: perPart - lastPartUnits,
    nonGsmCharacters: segmentation.nonGsmCharacters,
  };
}

/**
 * Splits `text` into the parts it is sent as. The result has `measureSms(text).parts`
 * entries, an empty array for an empty text, and the parts joined give `text` back.
 */
export function splitSms(text: string): string[] {
  return segmentSms(text).partTexts;
}

function segmentSms(text: string): SmsSegmentation {
  // Iterating a string yields code points, so a surrogate pair stays one
  // character here and is never split across parts.
  const characters = Array.from(text);
  const nonGsmCharacters = findNonGsmCharacters(characters);
  const encoding: SmsEncoding = nonGsmCharacters.length === 0 ? 'GSM-7' : 'UCS-2';
  const unitsOf = encoding === 'GSM-7' ? gsm7Septets : utf16Units;

  let units = 0;
  for (const character of characters) {
    units += unitsOf(character);
  }

  if (units === 0) {
    return { encoding, units, partTexts: [], partUnits: [], nonGsmCharacters };
  }
  if (units <= capacityPerPart(encoding, 1)) {
    return { encoding, units, partTexts: [text], partUnits: [units], nonGsmCharacters };
  }

  // Fill each part greedily. A character that does not fit whole starts the
  // next part, so a part before an extension character or a surrogate pair
  // may end one unit short of its capacity.
  const capacity = capacityPerPart(encoding, 2);
  const partTexts: string[] = [];
  const partUnits: number[] = [];
  let current = '';
  let currentUnits = 0;
  for (const character of characters) {
    const characterUnits = unitsOf(character);
    if (currentUnits + characterUnits > capacity) {
      partTexts.push(current);
      partUnits.push(currentUnits);
      current = '';
      currentUnits = 0;
    }
    current += character;
    currentUnits += characterUnits;
  }
  partTexts.push(current);
  partUnits.push(currentUnits);

  return { encoding, units, partTexts, partUnits, nonGsmCharacters };
}

function findNonGsmCharacters(characters: readonly string[]): string[] {
  const found = new Set<string>();
  for (const character of characters) {
    if (!GSM7_BASIC.has(character) && !GSM7_EXTENSION.has(character)) {
      found.add(character);
    }
  }
  return [...found];
}

function gsm7Septets(character: string): number {
  return GSM7_EXTENSION.has(character) ? 2 : 1;
}

function utf16Units(character: string): number {
  return character.length;
}

function capacityPerPart(encoding: SmsEncoding, parts: number): number {
  const multipart = parts > 1;
  if (encoding === 'GSM-7') {
    return multipart ? GSM7_MULTIPART_SEPTETS : GSM7_SINGLE_PART_SEPTETS;
  }
  return multipart ? UCS2_MULTIPART_UNITS : UCS2_SINGLE_PART_UNITS;
}
