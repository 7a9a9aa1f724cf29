/**
 * `kafkasim plan --find-max rate=LO..HI --slo p99<20ms`: for each point of the grid, the highest producer
 * rate the cluster sustains under the objective, by bisection. A rate is sustained when the run meets the
 * objective (produce latency below the bound, nothing acknowledged lost, no violation) and acknowledges at
 * least 98% of what was offered. The search halves the range on a log scale (rates span decades) until its
 * ends are within 5% of each other, at most 16 runs a point.
 */
import type { PointFigures, SettingValue } from '../sim/index.js';
import { table } from './format.js';
import { settingsText } from './explore-options.js';
import type { Pool } from './explore-runner.js';
import { meets } from './plan-out.js';
import type { FindMax, PlanPoint, Slo } from './plan-options.js';
import type { PointResult, PointTask } from './plan-task.js';

/** The share of the offered rate a sustained run acknowledges at least. */
export const SUSTAINED_SHARE = 0.98;
const MAX_TRIES = 16;

export interface MaxResult {
  index: number;
  settings: Record<string, SettingValue>;
  /** The highest rate sustained (records/s offered); null when even the low end is not. */
  maxPerSec: number | null;
  /** The lowest rate found not sustained; null when even the high end is. */
  failsAtPerSec: number | null;
  /** The run at maxPerSec. */
  figures?: PointFigures;
  runs: number;
  error?: string;
}

export function sustained(f: PointFigures | undefined, ratePerSec: number, slo: Slo): boolean {
  return f !== undefined && meets(f, slo) && f.recordsPerSec >= SUSTAINED_SHARE * ratePerSec;
}

/** Bisects one point's rate; `run` runs the point at a rate. */
export async function findMaxOfPoint(point: PlanPoint, fm: FindMax, slo: Slo, run: (settings: Record<string, SettingValue>) => Promise<PointResult>): Promise<MaxResult> {
  let runs = 0;
  const at = async (rate: number) => {
    runs++;
    return run({ ...point.settings, rate: `${rate}/s` });
  };
  const base = { index: point.index, settings: point.settings };
  let lo = fm.loPerSec;
  let hi = fm.hiPerSec;
  const low = await at(lo);
  if (low.error !== undefined) return { ...base, maxPerSec: null, failsAtPerSec: null, runs, error: low.error };
  if (!sustained(low.figures, lo, slo)) return { ...base, maxPerSec: null, failsAtPerSec: lo, runs };
  let best = low.figures;
  const high = await at(hi);
  if (high.error !== undefined) return { ...base, maxPerSec: null, failsAtPerSec: null, runs, error: high.error };
  if (sustained(high.figures, hi, slo)) return { ...base, maxPerSec: hi, failsAtPerSec: null, figures: high.figures!, runs };
  while (hi / lo > 1.05 && runs < MAX_TRIES) {
    const mid = Math.round(Math.sqrt(lo * hi));
    const r = await at(mid);
    if (r.error !== undefined) return { ...base, maxPerSec: null, failsAtPerSec: null, runs, error: r.error };
    if (sustained(r.figures, mid, slo)) {
      lo = mid;
      best = r.figures;
    } else hi = mid;
  }
  return { ...base, maxPerSec: lo, failsAtPerSec: hi, figures: best!, runs };
}

/** Every point's bisection, the points side by side on the pool. */
export async function findMaxAll(points: readonly PlanPoint[], fm: FindMax, slo: Slo, pool: Pool<PointTask, PointResult>, baseText: string, baseFile: string): Promise<MaxResult[]> {
  const run = (settings: Record<string, SettingValue>) => pool.run({ index: 0, settings, baseText, baseFile });
  return Promise.all(points.map((p) => findMaxOfPoint(p, fm, slo, run)));
}

/** The table: each point's settings, its highest sustained rate, the rate that failed, and the run at the maximum. */
export function formatFindMax(results: readonly MaxResult[], slo: Slo, fm: FindMax): string {
  const keys = [...new Set(results.flatMap((r) => Object.keys(r.settings)))];
  const header = [...keys, 'max records/s', 'fails at', 'acked/s', `${slo.percentile === 'p999' ? 'p99.9' : slo.percentile} ms`, 'runs'];
  const rows = results.map((r) => [
    ...keys.map((k) => String(r.settings[k] ?? '-')),
    r.error !== undefined ? 'error' : r.maxPerSec === null ? `< ${fm.loPerSec}` : r.failsAtPerSec === null ? `≥ ${r.maxPerSec}` : String(r.maxPerSec),
    r.failsAtPerSec === null ? '-' : String(r.failsAtPerSec),
    r.figures ? r.figures.recordsPerSec.toFixed(0) : '-',
    r.figures ? r.figures.produceMs[slo.percentile].toFixed(1) : '-',
    String(r.runs),
  ]);
  const right = header.map((_, i) => i >= keys.length);
  return table([header, ...rows], right).join('\n') + '\n';
}

export function describePoint(r: MaxResult): string {
  return Object.keys(r.settings).length === 0 ? 'the scenario' : settingsText(r.settings);
}
