import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const consoleDir = fileURLToPath(new URL('.', import.meta.url));
const repoDir = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root: consoleDir,
  base: '/',
  plugins: [svelte()],
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // maplibre-gl alone is about 1.1 MB minified, so the default 500 kB warning would always fire.
    chunkSizeWarningLimit: 1500,
  },
  server: {
    host: '127.0.0.1',
    // The console imports pure modules from ../common.
    fs: { allow: [repoDir] },
    proxy: {
      '/v1': { target: 'http://127.0.0.1:8080', ws: true },
    },
  },
});
