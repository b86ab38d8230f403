/**
 * Reads `token=...` from a URL fragment such as `#token=abc&view=map`. Returns the token (null
 * when absent or empty) and the fragment without it, `''` when nothing else was there.
 */
export function splitTokenFragment(hash: string): { token: string | null; rest: string } {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const token = params.get('token')?.trim() || null;
  if (!params.has('token')) return { token: null, rest: hash };
  params.delete('token');
  const remaining = params.toString();
  return { token, rest: remaining ? `#${remaining}` : '' };
}
