/**
 * The order link as campaign messages carry it: `/order?code=XXXX` opens the page with
 * the code filled in, and `/order?truck=<id>` opens a truck's menu without a code.
 */

/** Maximum length of a code from a link, the same as the server's for a typed code. */
const MAX_CODE_LENGTH = 64;

/** A truck id is a UUID; anything else in the link is ignored rather than sent. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface OrderLink {
  code: string | null;
  truckId: string | null;
}

/** Reads `code` and `truck` from a query string such as `?code=TACO-1234`; blank or malformed values give null. */
export function parseOrderLink(search: string): OrderLink {
  const params = new URLSearchParams(search);
  const code = params.get('code')?.trim() ?? '';
  const truckId = params.get('truck')?.trim() ?? '';
  return {
    code: code === '' || code.length > MAX_CODE_LENGTH ? null : code,
    truckId: UUID.test(truckId) ? truckId.toLowerCase() : null,
  };
}
