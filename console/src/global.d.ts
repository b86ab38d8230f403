import type { Map as MapLibreMap } from 'maplibre-gl';
import type { ConsoleState } from './lib/console-state.svelte.js';

declare global {
  interface Window {
    /** The map and live state, set once the map has loaded, for the browser test and for debugging. */
    __cloudburst?: { map: MapLibreMap; state: ConsoleState };
  }
}
