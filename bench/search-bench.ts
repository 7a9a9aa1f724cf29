/**
 * The failure search's throughput (`npm run bench -- search`, and a block of `npm run bench`): runs per
 * minute of `kafkasim explore` on bench/explore-run.yaml (3 brokers, 6 partitions, RF 3, 1,000 keyed
 * records/s of 200 B, a consumer, 60 s simulated) with the search's own fault schedules (crashes,
 * single-broker power loss and partitions, up to 4 faults, overlapping), through the command's worker
 * pool. Both pools (one worker, the same-run baseline; two, both cores) live for the whole benchmark, as a
 * search's pool lives for its thousands of runs, and are warmed first, off the clock: a new worker thread
 * runs its first few runs at half speed or less while its code is compiled (measured: 1,096, 949 and 785
 * ms for a pool's first runs against about 450 later). Rounds then alternate the pools, each on new run
 * numbers; the medians are reported. Issue 14's target: 1,000 runs a minute with both cores.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseScenario, Search } from '../sim/index.js';
import { createRunner, type Runner } from '../cli/explore-runner.js';
import type { RunResult } from '../cli/explore-task.js';

const ROUNDS = 3;
const RUNS_PER_ROUND = 24;
/** Runs per worker before the clock starts: a new worker thread's code is compiled over its first runs. */
const WARM_RUNS_PER_WORKER = 4;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
}

/** `count` search runs from run number `first` on, all handed to the pool at once (as the search keeps it busy). */
function runs(runner: Runner, search: Search, baseText: string, first: number, count: number): Promise<RunResult[]> {
  return Promise.all(
    Array.from({ length: count }, (_, i) => {
      const c = search.draw(first + i);
      return runner.run({ baseText, baseFile: 'bench/explore-run.yaml', steps: c.steps, seed: c.seed, window: search.window });
    }),
  );
}

async function round(runner: Runner, search: Search, baseText: string, first: number): Promise<{ runsPerMin: number; msPerRun: number }> {
  const t0 = performance.now();
  const results = await runs(runner, search, baseText, first, RUNS_PER_ROUND);
  const sec = (performance.now() - t0) / 1000;
  return { runsPerMin: (60 * RUNS_PER_ROUND) / sec, msPerRun: results.reduce((n, r) => n + r.runMs, 0) / results.length };
}

export async function searchBench(benchDir: string) {
  const baseText = readFileSync(join(benchDir, 'explore-run.yaml'), 'utf8');
  const base = parseScenario(baseText, 'bench/explore-run.yaml');
  const search = new Search({ base, baseText, baseFile: 'bench/explore-run.yaml', seed: 1, schedule: {}, checks: [] });
  const pools = new Map<number, Runner>();
  for (const workers of [1, 2]) {
    const runner = await createRunner(workers);
    pools.set(workers, runner);
    // Off the clock, on run numbers the rounds do not use.
    await runs(runner, search, baseText, 1_000_000 + 1000 * workers, WARM_RUNS_PER_WORKER * workers);
  }
  const one: number[] = [];
  const two: number[] = [];
  const runMs: number[] = [];
  let next = 0;
  for (let r = 0; r < ROUNDS; r++) {
    for (const workers of [1, 2]) {
      const out = await round(pools.get(workers)!, search, baseText, next);
      next += RUNS_PER_ROUND;
      (workers === 1 ? one : two).push(Math.round(out.runsPerMin));
      runMs.push(out.msPerRun);
    }
  }
  for (const runner of pools.values()) await runner.close();
  const runsPerMinTwoWorkers = median(two);
  return {
    runsPerRound: RUNS_PER_ROUND,
    warmRunsPerWorker: WARM_RUNS_PER_WORKER,
    runsPerMinOneWorker: median(one),
    runsPerMinTwoWorkers,
    roundsOneWorker: one,
    roundsTwoWorkers: two,
    speedupTwoWorkers: Number((runsPerMinTwoWorkers / median(one)).toFixed(2)),
    msPerRun: Math.round(median(runMs)),
    targetRunsPerMin: 1000,
  };
}
