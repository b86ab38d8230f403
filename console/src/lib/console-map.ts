import {
  AttributionControl,
  Map as MapLibreMap,
  NavigationControl,
  Popup,
  ScaleControl,
  setWorkerUrl,
  type GeoJSONSource,
  type MapLayerMouseEvent,
} from 'maplibre-gl';
import workerUrl from 'maplibre-gl/dist/maplibre-gl-worker.mjs?url';
import type { GeoJSON } from 'geojson';
import { boundsOf, type Bounds, type Position } from './geo.js';
import { gridFeatures, type TruckProperties } from './map-features.js';
import { offlineStyle, pulsePaint, PULSE_LAYER_ID, tileSourceAndLayer, type SourceId } from './map-style.js';
import type { TileConfig } from './tile-config.js';
import type { MessageKey } from './messages/index.js';

// maplibre-gl 6 looks for its worker next to its own module, which a bundle does not keep, so
// point it at the worker file that Vite copies into the build.
setWorkerUrl(workerUrl);

export interface CameraView {
  center: Position;
  zoom: number;
  bearing: number;
  pitch: number;
}

/** San Francisco, shown until the first trucks arrive. */
export const DEFAULT_VIEW: CameraView = { center: [-122.42, 37.77], zoom: 12, bearing: 0, pitch: 0 };

/** Creates the map with the offline style and translated control labels. */
export function createConsoleMap(container: HTMLElement, view: CameraView, t: (key: MessageKey) => string): MapLibreMap {
  const map = new MapLibreMap({
    container,
    style: offlineStyle(),
    ...view,
    attributionControl: false,
    locale: {
      'Map.Title': t('maplibre.mapTitle'),
      'NavigationControl.ZoomIn': t('maplibre.zoomIn'),
      'NavigationControl.ZoomOut': t('maplibre.zoomOut'),
      'NavigationControl.ResetBearing': t('maplibre.resetBearing'),
      'AttributionControl.ToggleAttribution': t('maplibre.toggleAttribution'),
      'AttributionControl.MapFeedback': t('maplibre.mapFeedback'),
      'LogoControl.Title': t('maplibre.logoTitle'),
      'Popup.Close': t('maplibre.popupClose'),
      'ScaleControl.Meters': t('maplibre.meters'),
      'ScaleControl.Kilometers': t('maplibre.kilometers'),
    },
  });
  map.addControl(new NavigationControl({ showCompass: true }), 'top-right');
  map.addControl(new ScaleControl({ unit: 'metric' }), 'bottom-left');
  map.addControl(new AttributionControl({ compact: true }), 'bottom-right');
  return map;
}

export function cameraOf(map: MapLibreMap): CameraView {
  const center = map.getCenter();
  return { center: [center.lng, center.lat], zoom: map.getZoom(), bearing: map.getBearing(), pitch: map.getPitch() };
}

export function setSourceData(map: MapLibreMap, id: SourceId, data: GeoJSON): void {
  map.getSource<GeoJSONSource>(id)?.setData(data);
}

/** Fits the view to the positions, showing a single position at zoom 15. Returns false when there are none. */
export function fitToPositions(map: MapLibreMap, positions: Iterable<Position>): boolean {
  const bounds = boundsOf(positions);
  if (!bounds) return false;
  map.fitBounds(bounds, { padding: 60, maxZoom: 15, duration: 0 });
  return true;
}

/** Redraws the grid for the visible area after every move. Returns the function that stops it. */
export function followGrid(map: MapLibreMap): () => void {
  const update = () => {
    const visible = map.getBounds();
    const bounds: Bounds = [
      [visible.getWest(), visible.getSouth()],
      [visible.getEast(), visible.getNorth()],
    ];
    setSourceData(map, 'grid', gridFeatures(bounds));
  };
  update();
  map.on('moveend', update);
  return () => map.off('moveend', update);
}

/** Adds the raster basemap under the data layers and hides the grid. Returns the function that removes it. */
export function showTiles(map: MapLibreMap, config: TileConfig): () => void {
  const { sourceId, source, layer, beforeLayerId } = tileSourceAndLayer(config);
  map.addSource(sourceId, source);
  map.addLayer(layer, beforeLayerId);
  map.setLayoutProperty(beforeLayerId, 'visibility', 'none');
  return () => {
    if (!map.getLayer(layer.id)) return;
    map.removeLayer(layer.id);
    map.removeSource(sourceId);
    map.setLayoutProperty(beforeLayerId, 'visibility', 'visible');
  };
}

/** Animates the ring around recent offers, one cycle every `periodMs`. Returns the function that stops it. */
export function animateOfferPulse(map: MapLibreMap, periodMs = 1600): () => void {
  let frame = requestAnimationFrame(function step(time: number) {
    const { radius, opacity } = pulsePaint((time % periodMs) / periodMs);
    map.setPaintProperty(PULSE_LAYER_ID, 'circle-radius', radius);
    map.setPaintProperty(PULSE_LAYER_ID, 'circle-opacity', opacity);
    frame = requestAnimationFrame(step);
  });
  return () => cancelAnimationFrame(frame);
}

/**
 * Opens a popup with the text from `describe` when a truck is clicked. The text goes through
 * setText, never setHTML, because truck names come from admins and could contain markup.
 */
export function showTruckPopups(map: MapLibreMap, describe: (truck: TruckProperties) => string): () => void {
  const popup = new Popup({ closeButton: true, maxWidth: '260px', offset: 12 });
  const onClick = (event: MapLayerMouseEvent) => {
    const feature = event.features?.[0];
    if (!feature || feature.geometry.type !== 'Point') return;
    const [lon, lat] = feature.geometry.coordinates as Position;
    popup
      .setLngLat([lon, lat])
      .setText(describe(feature.properties as TruckProperties))
      .addTo(map);
  };
  const onEnter = () => (map.getCanvas().style.cursor = 'pointer');
  const onLeave = () => (map.getCanvas().style.cursor = '');
  map.on('click', 'trucks', onClick);
  map.on('mouseenter', 'trucks', onEnter);
  map.on('mouseleave', 'trucks', onLeave);
  return () => {
    map.off('click', 'trucks', onClick);
    map.off('mouseenter', 'trucks', onEnter);
    map.off('mouseleave', 'trucks', onLeave);
    popup.remove();
  };
}
