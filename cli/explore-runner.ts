/**
 * Where a search's runs (or a plan's points) execute: in this thread (one worker), or in a pool of worker
 * threads (tinypool, the pool vitest uses: small, maintained, with a promise per task). Either way a run
 * gives the same result: it depends on its task alone.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type RunResult, type RunTask, runTask } from './explore-task.js';

export interface Pool<T, R> {
  run(task: T): Promise<R>;
  close(): Promise<void>;
}

export type Runner = Pool<RunTask, RunResult>;

/** A compiled worker module, e.g. explore-worker.js (from the sources under test, the build's copy). */
function workerFile(name: string): string {
  const beside = new URL(`./${name}`, import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside.href;
  return new URL(`../dist/cli/${name}`, import.meta.url).href;
}

function inThisThread<T, R>(work: (task: T) => R): Pool<T, R> {
  return {
    async run(task) {
      // Let signals and the progress bar through between runs.
      await new Promise((resolve) => setImmediate(resolve));
      return work(task);
    },
    async close() {},
  };
}

/** `workers` threads running the default export of the worker module `file`; one worker: `work` in this thread. */
export async function createPool<T, R>(workers: number, file: string, work: (task: T) => R): Promise<Pool<T, R>> {
  if (workers <= 1) return inThisThread(work);
  const { Tinypool } = await import('tinypool');
  // A larger young generation than a worker's default: a run allocates about 130 MB, mostly short-lived
  // (measured: 343 ms a run with the default, 315 with 192 MB).
  const pool = new Tinypool({ filename: workerFile(file), minThreads: workers, maxThreads: workers, resourceLimits: { maxYoungGenerationSizeMb: 192 } });
  return {
    run: (task) => pool.run(task) as Promise<R>,
    close: () => pool.destroy(),
  };
}

export function createRunner(workers: number): Promise<Runner> {
  return createPool(workers, 'explore-worker.js', runTask);
}
