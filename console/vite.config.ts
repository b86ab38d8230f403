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
    // Two pages: the admin console, and the customer's order page that the server serves at /order.
    rolldownOptions: {
      input: {
        console: fileURLToPath(new URL('index.html', import.meta.url)),
        order: fileURLToPath(new URL('order.html', import.meta.url)),
      },
    },
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
