import { z } from 'zod';

/** Ids are stored lowercase; accepting either case keeps store and engine keyed alike. */
export const uuidParam = z.string().uuid('expected a UUID').transform((id) => id.toLowerCase());

/** `?limit=` and `?offset=` of a listing. */
export function pageParams(max: number, fallback: number) {
  return {
    limit: z.coerce.number().int().min(1).max(max).default(fallback),
    offset: z.coerce.number().int().min(0).max(100_000_000).default(0),
  };
}
