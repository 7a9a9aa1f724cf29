/**
 * The capacity plan's cost (`npm run bench -- plan`, and a block of `npm run bench`): a 20-point
 * `kafkasim plan` sweep of bench/plan.yaml (3 brokers, 12 partitions, RF 3, acks=all, 100 B records, a
 * consumer, 30 s simulated) over the producer rate 50,000 → 1,000,000 records/s in steps of 50,000, run
 * through the plan's worker pool with two points in flight (the machine's two cores). It reports the
 * sweep's wall time, each point's wall time, and the cost ratio of the 1,000,000 records/s point to the
 * 100,000 records/s one. Issue 15's targets: the sweep under 2 minutes on two cores, and a 1M records/s
 * run costing less than 10 times a 100k records/s run (the simulator batches: its cost should follow the
 * requests, not the records).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createPool } from '../cli/explore-runner.js';
import { type PointResult, type PointTask, runPoint } from '../cli/plan-task.js';

const WORKERS = 2;
const RATES = Array.from({ length: 20 }, (_, i) => (i + 1) * 50_000);

export async function planBench(benchDir: string) {
  const baseFile = 'bench/plan.yaml';
  const baseText = readFileSync(join(benchDir, 'plan.yaml'), 'utf8');
  const pool = await createPool<PointTask, PointResult>(WORKERS, 'plan-worker.js', runPoint);
  const points: Array<{ rate: number; wallSec: number; ackedPerSec: number; produceP99Ms: number }> = [];
  const t0 = performance.now();
  try {
    // Highest rates first, so the two workers finish together.
    const queue = [...RATES].reverse();
    const worker = async () => {
      for (let rate = queue.shift(); rate !== undefined; rate = queue.shift()) {
        const started = performance.now();
        const r = await pool.run({ index: rate, settings: { rate: `${rate}/s` }, baseText, baseFile });
        if (!r.figures) throw new Error(`plan bench: ${rate}/s: ${r.error}`);
        points.push({ rate, wallSec: Number(((performance.now() - started) / 1000).toFixed(2)), ackedPerSec: Math.round(r.figures.recordsPerSec), produceP99Ms: r.figures.produceMs.p99 });
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, worker));
  } finally {
    await pool.close();
  }
  const wallSec = (performance.now() - t0) / 1000;
  points.sort((a, b) => a.rate - b.rate);
  const at = (rate: number) => points.find((p) => p.rate === rate)!.wallSec;
  const ratio = at(1_000_000) / at(100_000);
  return {
    points: points.length,
    simulatedSecPerPoint: 30,
    workers: WORKERS,
    wallSec: Number(wallSec.toFixed(1)),
    meanWallSecPerPoint: Number((points.reduce((s, p) => s + p.wallSec, 0) / points.length).toFixed(2)),
    costRatio1MTo100k: Number(ratio.toFixed(2)),
    perPoint: points,
    targets: { sweepUnderTwoMinutes: wallSec < 120, oneMillionUnderTenTimesHundredK: ratio < 10 },
  };
}
