/**
 * One point of a capacity plan: a scenario's text with a point's settings (`rate`, `partitions`, or any
 * setting {@link applySettings} takes), simulated in summary mode and reduced to the plan's figures.
 * `kafkasim plan` (on worker threads) and the visualizer's what-if tab (in a Web Worker) both run points
 * with {@link runPlanPoint}, so the same point gives the same figures, and the same trace hash, in both.
 */
import { applyFailure, type Failure, failureProblem } from './plan-failure.js';
import { isSeq, parseDocument } from 'yaml';
import { parseRatePerSec, UnitError } from '../config/units.js';
import type { RunSummary } from '../report/summary.js';
import { parseScenario } from '../scenario/parse.js';
import { applySettings, isSetting, settingProblem } from '../scenario/story.js';
import type { SettingValue } from '../scenario/types.js';
import { simulate } from './simulation.js';

/** What a plan's figures leave out: they are an upper bound set by what is modelled. */
export const NOT_MODELLED =
  "bottleneck: the most utilized resource of the run (NIC, disk, cores, network or I/O threads, request queue; a producer's connection when only it is 90% busy or more), busy time over the run; broker CPU costs are estimates (docs/capacity.md)";

/** The settings a plan adds to {@link applySettings}'s, and why a value is wrong (undefined: right). */
export const PLAN_SETTINGS: Readonly<Record<'rate' | 'partitions' | 'logDirs' | 'failure' | 'seed', (v: string) => string | undefined>> = {
  rate: (v: string): string | undefined => {
    try {
      return parseRatePerSec(v) > 0 ? undefined : 'a rate above 0 such as 5000/s';
    } catch (e) {
      if (e instanceof UnitError) return 'a rate such as 5000/s, 100/ms or 60/m';
      throw e;
    }
  },
  partitions: (v: string): string | undefined => (/^\d+$/.test(v) && Number(v) >= 1 ? undefined : 'a whole number ≥ 1'),
  logDirs: (v: string): string | undefined => (/^\d+$/.test(v) && Number(v) >= 1 && Number(v) <= MAX_LOG_DIRS ? undefined : `a whole number from 1 to ${MAX_LOG_DIRS}`),
  failure: failureProblem,
  seed: (v: string): string | undefined => (/^\d+$/.test(v) && Number.isSafeInteger(Number(v)) ? undefined : 'a whole number ≥ 0'),
};

const isPlanOwn = (name: string): name is keyof typeof PLAN_SETTINGS => name === 'rate' || name === 'partitions' || name === 'logDirs' || name === 'failure' || name === 'seed';

/** The most log directories a plan's `logDirs` gives a broker. */
const MAX_LOG_DIRS = 64;

/** `logDirs=N`'s log.dirs: N directories, /data/1 to /data/N, each its own disk. */
export function logDirsOf(n: number): string {
  return Array.from({ length: n }, (_, i) => `/data/${i + 1}`).join(',');
}

/** Whether a plan can set `name`: `rate`, `partitions`, `logDirs`, `failure`, `seed`, or a setting of {@link applySettings}. */
export function isPlanSetting(name: string): boolean {
  return isPlanOwn(name) || isSetting(name);
}

/** Why `value` is not a valid value of plan setting `name` (an unknown name included), or undefined. */
export function planSettingProblem(name: string, value: string): string | undefined {
  if (isPlanOwn(name)) return PLAN_SETTINGS[name](value);
  if (!isSetting(name)) return 'a Kafka producer, broker, topic or consumer config name, brokers, replication.factor, kafkaVersion, rate, partitions, logDirs, failure or seed';
  return value === '' ? 'a value' : settingProblem(name, value);
}

/**
 * The scenario text with a point's settings: `rate` to every producer's rate, `partitions` to every topic's
 * partition count (dropping explicit replica assignments, as replication.factor does), `logDirs` to the
 * brokers' log.dirs (that many directories, each its own disk: {@link logDirsOf}), `seed` to the
 * scenario's seed (the run's random streams: network latencies, keys, faults' timing), the rest by
 * {@link applySettings}, and last `failure`'s faults (plan-failure.ts), placed on the point's cluster.
 */
export function applyPlanSettings(text: string, settings: Readonly<Record<string, SettingValue>>): string {
  const rest: Record<string, SettingValue> = {};
  const own: Array<[string, SettingValue]> = [];
  for (const [k, v] of Object.entries(settings)) {
    if (k === 'failure') continue;
    if (isPlanOwn(k)) own.push([k, v]);
    else rest[k] = v;
  }
  const applied = Object.keys(rest).length > 0 ? applySettings(text, rest) : text;
  const withFailure = (t: string) => (settings.failure === undefined ? t : applyFailure(t, String(settings.failure) as Failure));
  if (own.length === 0) return withFailure(applied);
  const doc = parseDocument(applied);
  for (const [k, v] of own) {
    if (k === 'seed') {
      doc.set('seed', Number(v));
      continue;
    }
    if (k === 'logDirs') {
      doc.setIn(['cluster', 'config', 'log.dirs'], logDirsOf(Number(v)));
      continue;
    }
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

/** Latency percentiles, ms. */
export interface Latency {
  p50: number;
  p99: number;
  p999: number;
}

/** The resource that limited a run, when the run's summary names one: the busiest resource of the busiest node. */
export interface PointBottleneck {
  /** The node, e.g. `b2`, `p:p1`. */
  node: string;
  /** The resource, e.g. `disk-write`, `nic-out`, `connection` (RESOURCE_NAMES). */
  resource: string;
  /** Its utilization over the run, 0..1. */
  utilization: number;
  /** A disk of a broker with several log directories: its directory (log.dirs). */
  dir?: string;
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
  /** The run's most utilized resource (absent when nothing was busy, and in results from before the resource model). */
  bottleneck?: PointBottleneck;
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

/** The run's bottleneck as a plan keeps it (utilization to 4 places); undefined when nothing was busy. */
export function pointBottleneck(s: RunSummary): PointBottleneck | undefined {
  const b = s.bottleneck;
  return b === null ? undefined : { node: b.node, resource: b.resource, utilization: Math.round(b.utilization * 1e4) / 1e4, ...(b.dir === undefined ? {} : { dir: b.dir }) };
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
  const bottleneck = pointBottleneck(s);
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
    ...(recoveryMs === undefined ? {} : { recoveryMs }),
    ...(bottleneck === undefined ? {} : { bottleneck }),
  };
}

/**
 * Runs one point: the base scenario's text with the point's settings, parsed (a ScenarioError when the
 * scenario rejects them) and simulated with the scenario's own seed, reduced to its figures.
 */
export function runPlanPoint(baseText: string, baseFile: string, settings: Readonly<Record<string, SettingValue>>): PointFigures {
  const scenario = parseScenario(applyPlanSettings(baseText, settings), baseFile);
  const rate = scenario.producers.reduce((sum, p) => sum + p.ratePerSec, 0);
  const valueBytes = rate > 0 ? scenario.producers.reduce((sum, p) => sum + p.ratePerSec * p.recordBytes, 0) / rate : 0;
  return figuresOf(simulate(scenario), valueBytes, scenario.consumers.length > 0);
}

/** A setting's value as a number: rates (`20000/s`, records/s) and plain numbers; NaN otherwise. */
export function numericValue(v: SettingValue): number {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return Number.NaN;
  if (/\/(s|ms|m)$/.test(v)) {
    try {
      return parseRatePerSec(v);
    } catch (e) {
      if (e instanceof UnitError) return Number.NaN;
      throw e;
    }
  }
  return /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : Number.NaN;
}
