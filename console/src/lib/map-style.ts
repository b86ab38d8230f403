import type { AddLayerObject, MapOptions } from 'maplibre-gl';
import type { TileConfig } from './tile-config.js';

export type StyleSpec = Exclude<MapOptions['style'], string | undefined>;
type LayerSpec = StyleSpec['layers'][number];

/** Layer colors, shared with the legend so the two always match. */
export const MAP_COLORS = {
  background: '#eef1f5',
  grid: '#cdd5df',
  truck: '#e8590c',
  truckOutline: '#ffffff',
  fence: '#1c7ed6',
  device: '#2f9e44',
  deviceStale: '#adb5bd',
  offer: '#d6336c',
} as const;

/** GeoJSON source ids. Each data layer reads the source of the same name. */
export const SOURCE_IDS = ['grid', 'fences', 'devices', 'offers', 'trucks'] as const;
export type SourceId = (typeof SOURCE_IDS)[number];

const TILE_SOURCE_ID = 'tiles';
const GRID_LAYER_ID = 'grid';

const emptyCollection = { type: 'FeatureCollection', features: [] } as const;

/**
 * Builds a style with no external resources: a background, a GeoJSON grid and empty GeoJSON
 * sources for the live data. It has no glyphs or sprite URL, so it must contain no symbol layers.
 */
export function offlineStyle(): StyleSpec {
  const sources = Object.fromEntries(SOURCE_IDS.map((id) => [id, { type: 'geojson', data: emptyCollection }]));
  return {
    version: 8,
    sources: sources as StyleSpec['sources'],
    layers: [{ id: 'background', type: 'background', paint: { 'background-color': MAP_COLORS.background } }, ...LAYERS],
  };
}

/** Layers above the background, bottom to top. Trucks come last so they stay visible and clickable. */
const LAYERS: LayerSpec[] = [
  { id: GRID_LAYER_ID, type: 'line', source: 'grid', paint: { 'line-color': MAP_COLORS.grid, 'line-width': 1 } },
  {
    id: 'fences-fill',
    type: 'fill',
    source: 'fences',
    paint: { 'fill-color': MAP_COLORS.fence, 'fill-opacity': ['case', ['get', 'active'], 0.16, 0.05] },
  },
  {
    id: 'fences-outline',
    type: 'line',
    source: 'fences',
    filter: ['==', ['get', 'active'], true],
    paint: { 'line-color': MAP_COLORS.fence, 'line-width': 2 },
  },
  {
    id: 'fences-outline-inactive',
    type: 'line',
    source: 'fences',
    filter: ['==', ['get', 'active'], false],
    paint: { 'line-color': MAP_COLORS.fence, 'line-width': 1.5, 'line-dasharray': [2, 2], 'line-opacity': 0.7 },
  },
  {
    id: 'devices',
    type: 'circle',
    source: 'devices',
    paint: {
      'circle-radius': 4,
      'circle-color': ['case', ['get', 'stale'], MAP_COLORS.deviceStale, MAP_COLORS.device],
      'circle-stroke-color': '#ffffff',
      'circle-stroke-width': 1,
    },
  },
  {
    id: 'offers-pulse',
    type: 'circle',
    source: 'offers',
    paint: { 'circle-radius': 8, 'circle-color': MAP_COLORS.offer, 'circle-opacity': 0.35 },
  },
  {
    id: 'offers',
    type: 'circle',
    source: 'offers',
    paint: { 'circle-radius': 5, 'circle-color': MAP_COLORS.offer, 'circle-stroke-color': '#ffffff', 'circle-stroke-width': 1.5 },
  },
  {
    id: 'trucks',
    type: 'circle',
    source: 'trucks',
    paint: {
      'circle-radius': 8,
      'circle-color': MAP_COLORS.truck,
      'circle-stroke-color': MAP_COLORS.truckOutline,
      'circle-stroke-width': 2.5,
    },
  },
];

/** Layer whose pulse animation `pulsePaint` drives. */
export const PULSE_LAYER_ID = 'offers-pulse';

/** Paint of the offer pulse at `phase` in [0, 1): a ring that grows from 6 to 22 px while fading out. */
export function pulsePaint(phase: number): { radius: number; opacity: number } {
  return { radius: 6 + 16 * phase, opacity: 0.5 * (1 - phase) };
}

/** Raster basemap source and layer, to be inserted under the grid. */
export function tileSourceAndLayer(config: TileConfig): {
  sourceId: string;
  source: { type: 'raster'; tiles: string[]; tileSize: number; attribution: string };
  layer: AddLayerObject;
  beforeLayerId: string;
} {
  return {
    sourceId: TILE_SOURCE_ID,
    source: { type: 'raster', tiles: [config.tileUrl], tileSize: 256, attribution: config.attribution },
    layer: { id: TILE_SOURCE_ID, type: 'raster', source: TILE_SOURCE_ID },
    beforeLayerId: GRID_LAYER_ID,
  };
}
