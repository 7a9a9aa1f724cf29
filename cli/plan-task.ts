/**
 * One point of a capacity plan, as a worker thread (or the main thread, with one worker) runs it: the base
 * scenario with the point's settings, simulated in summary mode, reduced to the plan's figures.
 */
import { isSeq, parseDocument } from 'yaml';
import { internalErrorText } from './explore-task.js';
import { applyFailure, type Failure, failureProblem } from './plan-failure.js';
import { applySettings, parseRatePerSec, parseScenario, type RunSummary, type SettingValue, simulate, UnitError } from '../sim/index.js';

/** The settings a plan adds to {@link applySettings}'s, and why a value is wrong (undefined: right). */
export const PLAN_SETTINGS = {
  rate: (v: string): string | undefined => {
    try {
      return parseRatePerSec(v) > 0 ? undefined : 'a rate above 0 such as 5000/s';
    } catch (e) {
      if (e instanceof UnitError) return 'a rate such as 5000/s, 100/ms or 60/m';
      throw e;
    }
  },
  partitions: (v: string): string | undefined => (/^\d+$/.test(v) && Number(v) >= 1 ? undefined : 'a whole number ≥ 1'),
  failure: failureProblem,
} as const;

/**
 * The scenario text with a point's settings: `rate` to every producer's rate, `partitions` to every topic's
 * partition count (dropping explicit replica assignments, as replication.factor does), the rest by
 * {@link applySettings}, and last `failure`'s faults (plan-failure.ts), placed on the point's cluster.
 */
export function applyPlanSettings(text: string, settings: Readonly<Record<string, SettingValue>>): string {
  const rest: Record<string, SettingValue> = {};
  const own: Array<[string, SettingValue]> = [];
  for (const [k, v] of Object.entries(settings)) {
    if (k === 'failure') continue;
    if (k in PLAN_SETTINGS) own.push([k, v]);
    else rest[k] = v;
  }
  const applied = Object.keys(rest).length > 0 ? applySettings(text, rest) : text;
  const withFailure = (t: string) => (settings.failure === undefined ? t : applyFailure(t, String(settings.failure) as Failure));
  if (own.length === 0) return withFailure(applied);
  const doc = parseDocument(applied);
  for (const [k, v] of own) {
    const list = doc.get(k === 'rate' ? 'producers' : 'topics');
    const n = isSeq(list) ? list.items.length : 0;
    for (let i = 0; i < n; i++) {
      if (k === 'rate') doc.setIn(['producers', i, 'rate'], String(v));
      else {
        doc.setIn(['topics', i, 'partitions'], Number(v));
        doc.deleteIn(['topics', i, 'replicas']);
      }
    }
  }
  return withFailure(doc.toString());
}

export interface PointTask {
  index: number;
  baseText: string;
  baseFile: string;
  settings: Record<string, SettingValue>;
}

/** Latency percentiles, ms. */
export interface Latency {
  p50: number;
  p99: number;
  p999: number;
}

/** What a plan keeps of a point's run. */
export interface PointFigures {
  /** Records acknowledged per second of simulated time. */
  recordsPerSec: number;
  /** Acknowledged value bytes per second, MB/s (10^6 bytes). */
  mbPerSec: number;
  acked: number;
  produceMs: Latency;
  endToEndMs: Latency;
  /** Consumer lag at the end: the groups' total lag, else acknowledged minus consumed records; null without consumers. */
  lag: number | null;
  /** Produce errors the producers saw (retried and final). */
  errors: number;
  /** Records whose send failed. */
  failed: number;
  /** Acknowledged records lost. */
  lost: number;
  /** The checks violated (each once). */
  violations: string[];
  traceHash: string;
  /**
   * With faults: ms from the last fault until every partition's ISR was full again (the last ISR change),
   * null when it was not by the end of the run. Absent without faults.
   */
  recoveryMs?: number | null;
}

/** The recovery time of a run with faults (see PointFigures.recoveryMs); undefined without faults. */
export function recoveryOf(s: RunSummary): number | null | undefined {
  const faults = s.timeline.filter((t) => t.kind === 'fault');
  if (faults.length === 0) return undefined;
  const lastFault = faults[faults.length - 1]!.atMs;
  if (!s.partitions.every((p) => p.isr.length === p.replicas.length)) return null;
  const isr = s.timeline.filter((t) => t.kind === 'isr' && t.atMs >= lastFault);
  return Math.round(Math.max(0, (isr.length > 0 ? isr[isr.length - 1]!.atMs : lastFault) - lastFault));
}

export interface PointResult {
  index: number;
  settings: Record<string, SettingValue>;
  figures?: PointFigures;
  /** The simulator stopped with an internal error. */
  error?: string;
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;

/** The figures of a run; `valueBytes` is the mean record size, weighted by the producers' rates. */
export function figuresOf(s: RunSummary, valueBytes: number, hasConsumers: boolean): PointFigures {
  const seconds = s.simulatedMs / 1000;
  const perSec = seconds > 0 ? s.records.acked / seconds : 0;
  const lat = (p: { p50: number; p99: number; p999: number }): Latency => ({ p50: p.p50, p99: p.p99, p999: p.p999 });
  let lag: number | null = null;
  if (s.groups.length > 0) lag = s.groups.reduce((sum, g) => sum + g.totalLag, 0);
  else if (hasConsumers) lag = Math.max(0, s.records.acked - s.records.consumed);
  const recoveryMs = recoveryOf(s);
  const recovery = recoveryMs === undefined ? {} : { recoveryMs };
  return {
    recordsPerSec: round(perSec, 1),
    mbPerSec: round((perSec * valueBytes) / 1e6, 3),
    acked: s.records.acked,
    produceMs: lat(s.latencyMs.produce),
    endToEndMs: lat(s.latencyMs.endToEnd),
    lag,
    errors: Object.values(s.errors).reduce((a, b) => a + b, 0),
    failed: s.records.failed,
    lost: s.records.lostAcked,
    violations: [...new Set(s.violations.map((v) => v.check))],
    traceHash: s.traceHash,
    ...recovery,
  };
}

/** A point's run and figures; an internal error of the simulator is a result too. */
export function runPoint(task: PointTask): PointResult {
  const { index, settings } = task;
  try {
    const scenario = parseScenario(applyPlanSettings(task.baseText, settings), task.baseFile);
    const rate = scenario.producers.reduce((sum, p) => sum + p.ratePerSec, 0);
    const valueBytes = rate > 0 ? scenario.producers.reduce((sum, p) => sum + p.ratePerSec * p.recordBytes, 0) / rate : 0;
    return { index, settings, figures: figuresOf(simulate(scenario), valueBytes, scenario.consumers.length > 0) };
  } catch (e) {
    return { index, settings, error: internalErrorText(e) };
  }
}
