/** `kafkasim explore`'s options, checked: a bad value is a one-line error naming the option. */
import { CHECK_NAMES, type CheckName, FAULT_KINDS, type FaultKind, parseDurationUs, type Scenario, type SearchSpec, UnitError } from '../sim/index.js';

export interface ExploreFlags {
  runs?: string;
  time?: string;
  workers?: string;
  shard?: string;
  faults?: string;
  checks?: string;
  out?: string;
  seed?: string;
  maxFaults?: string;
  quiet?: string;
  shrinkBudget?: string;
  keepGoing?: boolean;
  oneAtATime?: boolean;
  progress?: boolean;
  json?: boolean;
  trace?: boolean;
}

export interface ExploreConfig {
  spec: SearchSpec;
  /** Runs of the whole search (all shards); undefined with --time alone. */
  runs?: number;
  /** Stop starting runs after this much wall time, ms. */
  timeMs?: number;
  workers: number;
  /** This process runs the run numbers i with i % count === index. */
  shard: { index: number; count: number };
  outDir: string;
  shrinkBudget: number;
  keepGoing: boolean;
  progress: boolean;
  json: boolean;
  writeTrace: boolean;
}

export class ExploreOptionError extends Error {}

function count(flag: string, raw: string | undefined, fallback: number, min = 1): number {
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < min || !Number.isSafeInteger(Number(raw))) throw new ExploreOptionError(`${flag}: got ${raw}; expected a whole number ≥ ${min}`);
  return Number(raw);
}

function list<T extends string>(flag: string, raw: string | undefined, known: readonly T[]): T[] | undefined {
  if (raw === undefined) return undefined;
  const items = raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = items.filter((s) => !(known as readonly string[]).includes(s));
  if (bad.length > 0 || items.length === 0) throw new ExploreOptionError(`${flag}: got ${bad.join(',') || raw}; expected some of ${known.join(', ')}`);
  return items as T[];
}

function duration(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  try {
    return Math.floor(parseDurationUs(raw) / 1000);
  } catch (e) {
    if (e instanceof UnitError) throw new ExploreOptionError(`${flag}: got ${raw}; expected a duration such as 90s or 10m`);
    throw e;
  }
}

function shardOf(raw: string | undefined): { index: number; count: number } {
  if (raw === undefined) return { index: 0, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  const i = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || i < 1 || i > n) throw new ExploreOptionError(`--shard: got ${raw}; expected i/n with 1 ≤ i ≤ n, e.g. 2/8`);
  return { index: i - 1, count: n };
}

export function exploreConfig(base: Scenario, baseText: string, baseFile: string, flags: ExploreFlags, cores: number): ExploreConfig {
  const timeMs = duration('--time', flags.time);
  const quietMs = duration('--quiet', flags.quiet);
  const faults = list<FaultKind>('--faults', flags.faults, FAULT_KINDS);
  const spec: SearchSpec = {
    base,
    baseText,
    baseFile,
    seed: count('--seed', flags.seed, base.seed, 0),
    schedule: { maxFaults: count('--max-faults', flags.maxFaults, 4), ...(flags.oneAtATime ? { oneAtATime: true } : {}), ...(faults ? { faults } : {}), ...(quietMs !== undefined ? { quietMs } : {}) },
    checks: list<CheckName>('--checks', flags.checks, CHECK_NAMES) ?? [],
  };
  return {
    spec,
    runs: flags.runs === undefined && timeMs !== undefined ? undefined : count('--runs', flags.runs, 100),
    ...(timeMs !== undefined ? { timeMs } : {}),
    workers: count('--workers', flags.workers, Math.max(1, cores)),
    shard: shardOf(flags.shard),
    outDir: flags.out ?? `explore-results/${base.name}`,
    shrinkBudget: count('--shrink-budget', flags.shrinkBudget, 300, 0),
    keepGoing: flags.keepGoing === true,
    progress: flags.progress !== false && flags.json !== true,
    json: flags.json === true,
    writeTrace: flags.trace !== false,
  };
}

/** The flags that reproduce this search (for the summary's command). */
export function searchFlags(c: ExploreConfig): string[] {
  const s = c.spec.schedule;
  return [
    '--seed',
    String(c.spec.seed),
    ...(c.runs !== undefined ? ['--runs', String(c.runs)] : []),
    ...(c.timeMs !== undefined ? ['--time', `${c.timeMs / 1000}s`] : []),
    ...(s.faults ? ['--faults', s.faults.join(',')] : []),
    ...(s.maxFaults !== 4 ? ['--max-faults', String(s.maxFaults)] : []),
    ...(s.quietMs !== undefined ? ['--quiet', `${s.quietMs}ms`] : []),
    ...(s.oneAtATime ? ['--one-at-a-time'] : []),
    ...(c.spec.checks.length > 0 ? ['--checks', c.spec.checks.join(',')] : []),
  ];
}
