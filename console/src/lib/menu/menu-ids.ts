/**
 * Ids for rows added in the editor. The server requires an id on every item, option group
 * and choice: 1 to 64 letters, digits, "_", "." or "-", starting with a letter or digit.
 * Order lines and specials refer to these ids, so the editor never changes a saved one.
 */

const MAX_ID_LENGTH = 64;
/** Room left for a "-12" suffix when the plain id is taken. */
const MAX_BASE_LENGTH = MAX_ID_LENGTH - 6;

/**
 * Derives an id from a name: "Crème brûlée" becomes "creme-brulee". A name without Latin
 * letters or digits, such as "红烧肉", gives `fallback`.
 */
export function idFromName(name: string, fallback: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, MAX_BASE_LENGTH)
    .replace(/-+$/, '');
  return slug === '' ? fallback : slug;
}

/** Returns `base`, or `base-2`, `base-3`… whichever `taken` does not hold yet, and adds it to `taken`. */
export function claimId(base: string, taken: Set<string>): string {
  let id = base;
  for (let suffix = 2; taken.has(id); suffix += 1) id = `${base}-${suffix}`;
  taken.add(id);
  return id;
}

/**
 * Gives every row without an id one derived from its name, unique among `rows`. Rows that
 * have an id keep it. Returns the ids in the rows' order.
 */
export function assignIds(rows: ReadonlyArray<{ id: string; name: string }>, fallback: string, taken: Set<string> = new Set()): string[] {
  for (const row of rows) if (row.id !== '') taken.add(row.id);
  return rows.map((row) => (row.id !== '' ? row.id : claimId(idFromName(row.name, fallback), taken)));
}
