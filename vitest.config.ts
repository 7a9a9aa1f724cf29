/**
 * Tests in three projects (`vitest run --project unit`, ...; `npm test` runs all):
 *
 * - unit: fast tests of one module at a time; also the default for a new test file.
 * - scenarios: tests that run simulations end to end (every scenario file, golden files, properties, the
 *   CLI, the visualizer's derived views over real traces).
 * - browser: drive headless Chromium over the app, built with vite once per run (test/viz/build-once.ts);
 *   files run two at a time like the others, so neither core idles at the end of a run.
 *
 * Timeouts are generous bounds against hangs on a busy machine, never speed checks: no test depends on
 * how fast the machine is (speed is the benchmarks' business, `npm run bench`).
 */
import { defineConfig, mergeConfig } from 'vitest/config';
import viteConfig from './vite.config.js';

const BROWSER = ['test/viz/browser*.test.ts'];
const SCENARIOS = [
  'test/scenarios/**/*.test.ts',
  'test/package.test.ts',
  'test/sim/run/**/*.test.ts',
  'test/cli/main.test.ts',
  'test/cli/explore*.test.ts',
  'test/cli/plan*.test.ts',
  'test/sim/explore/**/*.test.ts',
  'test/viz/derive/**/*.test.ts',
  'test/viz/io/**/*.test.ts',
  'test/docs/**/*.test.ts',
];

export default mergeConfig(
  viteConfig,
  defineConfig({
    test: {
      // Two files at a time on the two cores (vitest's default is one fewer than the cores), browser files
      // included: at most two browsers at once, never more than the machine has cores.
      maxWorkers: 2,
      projects: [
        {
          extends: true,
          test: { name: 'unit', include: ['test/**/*.test.ts'], exclude: [...BROWSER, ...SCENARIOS], testTimeout: 30_000, hookTimeout: 30_000 },
        },
        {
          extends: true,
          test: { name: 'scenarios', include: SCENARIOS, testTimeout: 120_000, hookTimeout: 120_000 },
        },
        {
          extends: true,
          test: {
            name: 'browser',
            include: BROWSER,
            testTimeout: 300_000,
            hookTimeout: 300_000,
            globalSetup: ['test/viz/build-once.ts'],
            expect: { poll: { timeout: 60_000 } },
          },
        },
      ],
    },
  }),
);
