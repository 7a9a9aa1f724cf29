/**
 * The failure search's throughput (`npm run bench -- search`, and a block of `npm run bench`): runs per
 * minute of `kafkasim explore` on bench/explore-run.yaml (3 brokers, 6 partitions, RF 3, 1,000 keyed
 * records/s of 200 B, a consumer, 60 s simulated) with the search's own fault schedules (crashes,
 * single-broker power loss and partitions, up to 4 faults, overlapping), through the command's worker
 * pool. Rounds alternate one worker (the same-run baseline) and two (both cores), each on new run
 * numbers; the medians are reported. Issue 14's target: 1,000 runs a minute with both cores.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseScenario, Search } from '../sim/index.js';
import { createRunner } from '../cli/explore-runner.js';

const ROUNDS = 2;
const RUNS_PER_ROUND = 24;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

async function round(search: Search, baseText: string, workers: number, first: number): Promise<{ runsPerMin: number; violations: number; msPerRun: number }> {
  const runner = await createRunner(workers);
  // Warm the workers (module loading, the first JIT), off the clock.
  const warm = search.draw(1_000_000 + first);
  await Promise.all(Array.from({ length: workers }, () => runner.run({ baseText, baseFile: 'bench/explore-run.yaml', steps: warm.steps, seed: warm.seed, window: search.window })));
  const t0 = performance.now();
  const results = await Promise.all(
    Array.from({ length: RUNS_PER_ROUND }, (_, i) => {
      const c = search.draw(first + i);
      return runner.run({ baseText, baseFile: 'bench/explore-run.yaml', steps: c.steps, seed: c.seed, window: search.window });
    }),
  );
  const sec = (performance.now() - t0) / 1000;
  await runner.close();
  return {
    runsPerMin: (60 * RUNS_PER_ROUND) / sec,
    violations: results.filter((r) => r.violations.length > 0).length,
    msPerRun: results.reduce((n, r) => n + r.runMs, 0) / results.length,
  };
}

export async function searchBench(benchDir: string) {
  const baseText = readFileSync(join(benchDir, 'explore-run.yaml'), 'utf8');
  const base = parseScenario(baseText, 'bench/explore-run.yaml');
  const search = new Search({ base, baseText, baseFile: 'bench/explore-run.yaml', seed: 1, schedule: {}, checks: [] });
  const one: number[] = [];
  const two: number[] = [];
  const runMs: number[] = [];
  let next = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const workers of [1, 2]) {
      const out = await round(search, baseText, workers, next);
      next += RUNS_PER_ROUND;
      (workers === 1 ? one : two).push(Math.round(out.runsPerMin));
      runMs.push(out.msPerRun);
    }
  }
  const runsPerMinTwoWorkers = median(two);
  return {
    runsPerRound: RUNS_PER_ROUND,
    runsPerMinOneWorker: median(one),
    runsPerMinTwoWorkers,
    roundsOneWorker: one,
    roundsTwoWorkers: two,
    speedupTwoWorkers: Number((runsPerMinTwoWorkers / median(one)).toFixed(2)),
    msPerRun: Math.round(median(runMs)),
    targetRunsPerMin: 1000,
  };
}
