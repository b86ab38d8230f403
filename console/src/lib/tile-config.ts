/** Optional raster basemap from `GET /v1/config`. Without it the map draws only its offline grid. */
export interface TileConfig {
  tileUrl: string;
  attribution: string;
}

/**
 * Validates the body of `GET /v1/config`. Returns null when `tileUrl` is null or missing, and also
 * when it is not an http(s) URL template with `{z}`, `{x}` and `{y}`, because maplibre would fail
 * on every tile of such a template.
 */
export function parseTileConfig(body: unknown): TileConfig | null {
  if (typeof body !== 'object' || body === null) return null;
  const { tileUrl, tileAttribution } = body as Record<string, unknown>;
  if (typeof tileUrl !== 'string') return null;
  if (!/^https?:\/\//i.test(tileUrl)) return null;
  if (!['{z}', '{x}', '{y}'].every((part) => tileUrl.includes(part))) return null;
  return { tileUrl, attribution: typeof tileAttribution === 'string' ? tileAttribution : '' };
}

/**
 * Fetches the tile settings. Any failure (network, HTTP status, invalid JSON or template) is
 * logged and returns null, because the map works without tiles.
 */
export async function fetchTileConfig(token: string, signal?: AbortSignal): Promise<TileConfig | null> {
  try {
    const response = await fetch('/v1/config', { headers: { Authorization: `Bearer ${token}` }, signal });
    if (!response.ok) {
      console.warn(`GET /v1/config failed with HTTP ${response.status}; the map shows no basemap tiles.`);
      return null;
    }
    const body: unknown = await response.json();
    const config = parseTileConfig(body);
    const tileUrl = (body as { tileUrl?: unknown } | null)?.tileUrl;
    if (!config && typeof tileUrl === 'string') {
      console.warn(`Ignoring tileUrl ${JSON.stringify(tileUrl)} from /v1/config: expected an http(s) URL with {z}, {x} and {y}.`);
    }
    return config;
  } catch (error) {
    if (signal?.aborted) return null;
    console.warn('GET /v1/config failed; the map shows no basemap tiles.', error);
    return null;
  }
}
