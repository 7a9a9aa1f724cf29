/**
 * The visualizer (index.html, viz/): `vite` serves it, `vite build` writes dist/viz (the CLI's tsc build
 * owns the rest of dist/). sim/ is bundled for the browser as is: it has no node: imports.
 */
import { defineConfig } from 'vite';

export default defineConfig({
  base: './',
  worker: { format: 'es' },
  build: { outDir: 'dist/viz', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  server: { host: '127.0.0.1' },
});
