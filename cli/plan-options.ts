/** `kafkasim plan`'s options, checked: a bad value is a one-line error naming the option. */
import { applyPlanSettings, parseDurationUs, parseRatePerSec, PLAN_SETTINGS, type SettingChoices, type SettingValue, UnitError } from '../sim/index.js';
import { combinationsOf, count, ExploreOptionError, rejectedCombinations, settingChoices, settingsText, shardOf } from './explore-options.js';
import { chartAxis } from './plan-chart.js';

export interface PlanFlags {
  sweep?: string[];
  workers?: string;
  shard?: string;
  out?: string;
  slo?: string;
  csv?: boolean;
  json?: boolean;
  progress?: boolean;
  findMax?: string;
  chart?: string;
  chartX?: string;
}

/** A latency objective on the produce latency: `p99<20ms`. */
export interface Slo {
  text: string;
  percentile: 'p50' | 'p99' | 'p999';
  belowMs: number;
}

export interface PlanPoint {
  index: number;
  settings: Record<string, SettingValue>;
}

export interface PlanConfig {
  sweeps: SettingChoices;
  /** Every point of the grid the base accepts, in grid order (the first --sweep outermost). */
  points: PlanPoint[];
  /** Points of the grid the base rejects: skipped. */
  rejected: Array<{ settings: string; why: string }>;
  workers: number;
  shard: { index: number; count: number };
  outDir: string;
  slo?: Slo;
  format: 'table' | 'csv' | 'json';
  progress: boolean;
  /** --find-max: the range of producer rates to bisect for each point. */
  findMax?: FindMax;
  /** --chart: the SVG file to write, and the swept setting on its x axis. */
  chart?: { file: string; axis: string };
}

export function sloOf(raw: string | undefined): Slo | undefined {
  if (raw === undefined) return undefined;
  const m = /^\s*(p50|p99|p99\.9)\s*<\s*(\S+)\s*$/.exec(raw);
  let belowMs = Number.NaN;
  try {
    if (m) belowMs = parseDurationUs(m[2]!) / 1000;
  } catch (e) {
    if (!(e instanceof UnitError)) throw e;
  }
  if (!m || !(belowMs > 0)) throw new ExploreOptionError(`--slo: got ${raw}; expected a produce latency bound such as p99<20ms (p50, p99 or p99.9)`);
  return { text: `${m[1]}<${m[2]}`, percentile: m[1] === 'p99.9' ? 'p999' : (m[1] as 'p50' | 'p99'), belowMs };
}

/** --find-max: the range of producer rates to bisect. */
export interface FindMax {
  loPerSec: number;
  hiPerSec: number;
}

export function findMaxOf(raw: string | undefined): FindMax | undefined {
  if (raw === undefined) return undefined;
  const m = /^rate=(\S+)\.\.(\S+)$/.exec(raw.trim());
  let lo = Number.NaN;
  let hi = Number.NaN;
  try {
    if (m) [lo, hi] = [parseRatePerSec(m[1]!), parseRatePerSec(m[2]!)];
  } catch (e) {
    if (!(e instanceof UnitError)) throw e;
  }
  if (!m || !(lo >= 1) || !(hi > lo)) throw new ExploreOptionError(`--find-max: got ${raw}; expected rate=LOW..HIGH with LOW < HIGH, e.g. rate=1000/s..500000/s`);
  return { loPerSec: Math.round(lo), hiPerSec: Math.round(hi) };
}

export function planConfig(baseText: string, baseFile: string, name: string, flags: PlanFlags, cores: number): PlanConfig {
  const findMax = findMaxOf(flags.findMax);
  if (!findMax && (!flags.sweep || flags.sweep.length === 0)) throw new ExploreOptionError('--sweep: none given; expected at least one SETTING=V1,V2, e.g. --sweep rate=1000/s,5000/s');
  const sweeps = flags.sweep && flags.sweep.length > 0 ? settingChoices('--sweep', flags.sweep, PLAN_SETTINGS) : {};
  const slo = sloOf(flags.slo);
  if (findMax && !slo) throw new ExploreOptionError('--find-max: needs --slo, the objective a rate must meet, e.g. --slo p99<20ms');
  if (findMax && sweeps.rate) throw new ExploreOptionError('--find-max rate: the rate is what it searches; drop --sweep rate');
  if (findMax && flags.shard) throw new ExploreOptionError('--find-max: not with --shard (each point is one bisection)');
  if (flags.csv && flags.json) throw new ExploreOptionError('--csv and --json: expected one of them');
  const { rejected } = rejectedCombinations(baseText, baseFile, sweeps, '--sweep', applyPlanSettings);
  const skip = new Set(rejected.map((r) => r.settings));
  const points = combinationsOf(sweeps)
    .map((settings, index) => ({ index, settings }))
    .filter((p) => !skip.has(settingsText(p.settings)));
  return {
    sweeps,
    points,
    rejected,
    workers: count('--workers', flags.workers, Math.max(1, cores)),
    shard: shardOf(flags.shard),
    outDir: flags.out ?? `plan-results/${name}`,
    ...(slo ? { slo } : {}),
    format: flags.csv ? 'csv' : flags.json ? 'json' : 'table',
    progress: flags.progress !== false && !flags.json && !flags.csv,
    ...(findMax ? { findMax } : {}),
    ...(flags.chart !== undefined ? { chart: { file: flags.chart, axis: chartAxis(sweeps, flags.chartX) } } : {}),
  };
}
