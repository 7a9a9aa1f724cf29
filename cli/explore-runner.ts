/**
 * Where a search's runs execute: in this thread (one worker), or in a pool of worker threads (tinypool,
 * the pool vitest uses: small, maintained, with a promise per task). Either way a run gives the same
 * result: it depends on its task alone.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type RunResult, type RunTask, runTask } from './explore-task.js';

export interface Runner {
  run(task: RunTask): Promise<RunResult>;
  close(): Promise<void>;
}

/** The compiled worker module (from the sources under test, the build's copy). */
function workerFile(): string {
  const beside = new URL('./explore-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(beside))) return beside.href;
  return new URL('../dist/cli/explore-worker.js', import.meta.url).href;
}

function inThisThread(): Runner {
  return {
    async run(task) {
      // Let signals and the progress bar through between runs.
      await new Promise((resolve) => setImmediate(resolve));
      return runTask(task);
    },
    async close() {},
  };
}

export async function createRunner(workers: number): Promise<Runner> {
  if (workers <= 1) return inThisThread();
  const { Tinypool } = await import('tinypool');
  // A larger young generation than a worker's default: a run allocates about 130 MB, mostly short-lived
  // (measured: 343 ms a run with the default, 315 with 192 MB).
  const pool = new Tinypool({ filename: workerFile(), minThreads: workers, maxThreads: workers, resourceLimits: { maxYoungGenerationSizeMb: 192 } });
  return {
    run: (task) => pool.run(task) as Promise<RunResult>,
    close: () => pool.destroy(),
  };
}
