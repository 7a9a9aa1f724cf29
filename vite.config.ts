/**
 * The visualizer (index.html, viz/): `vite` serves it, `vite build` writes dist/viz (the CLI's tsc build
 * owns the rest of dist/). sim/ is bundled for the browser as is: it has no node: imports.
 */
import { defineConfig, type Plugin } from 'vite';

/**
 * hdr-histogram-js probes for Node's zlib with `eval('require("zlib")…')` when it loads (guarded by a
 * try, falling back to pako). The page's Content-Security-Policy forbids eval, so the browser would
 * report a violation on every load: in the browser build the probe is simply "no zlib".
 */
function hdrHistogramWithoutEval(): Plugin {
  return {
    name: 'hdr-histogram-without-eval',
    transform(code, id) {
      if (!/hdr-histogram-js[\\/]dist[\\/]hdrhistogram\.umd\.js$/.test(id)) return null;
      const out = code.replace(/eval\('require\("zlib"\)\.(deflateSync|inflateSync)'\)/g, 'undefined.$1');
      return out === code ? null : { code: out, map: null };
    },
  };
}

export default defineConfig({
  base: './',
  plugins: [hdrHistogramWithoutEval()],
  worker: { format: 'es', plugins: () => [hdrHistogramWithoutEval()] },
  build: { outDir: 'dist/viz', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2000 },
  // The page's and the simulator worker's modules are transformed as the server starts, not on the first visit.
  server: { host: '127.0.0.1', warmup: { clientFiles: ['./viz/app/main.ts', './viz/io/sim-worker.ts'] } },
  // Every dependency the page and its workers import, pre-bundled before the first request: found only
  // when the worker loads, vite would re-optimize them and reload the page on the first visit.
  optimizeDeps: {
    entries: ['index.html', 'viz/io/sim-worker.ts', 'viz/io/trace-worker.ts', 'viz/io/whatif-worker.ts'],
    include: ['d3', 'yaml', 'zod', 'immer', 'seedrandom', 'hdr-histogram-js'],
  },
});
