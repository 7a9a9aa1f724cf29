/** `kafkasim explore`'s options, checked: a bad value is a one-line error naming the option. */
import {
  applySettings,
  CHECK_NAMES,
  type CheckName,
  FAULT_KINDS,
  type FaultKind,
  isSetting,
  parseDurationUs,
  parseScenario,
  type Scenario,
  ScenarioError,
  type SearchSpec,
  type SettingChoices,
  type SettingValue,
  settingProblem,
  UnitError,
} from '../sim/index.js';

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
  vary?: string[];
  liveness?: string;
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
  /** With --vary: how many combinations there are and which the base rejects (skipped). */
  combinations?: { total: number; rejected: Array<{ settings: string; why: string }> };
  keepGoing: boolean;
  /** --liveness as given (the base's text already has it). */
  liveness?: string;
  progress: boolean;
  json: boolean;
  writeTrace: boolean;
}

export class ExploreOptionError extends Error {}

export function count(flag: string, raw: string | undefined, fallback: number, min = 1): number {
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

export function duration(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  try {
    return Math.floor(parseDurationUs(raw) / 1000);
  } catch (e) {
    if (e instanceof UnitError) throw new ExploreOptionError(`${flag}: got ${raw}; expected a duration such as 90s or 10m`);
    throw e;
  }
}

export function shardOf(raw: string | undefined): { index: number; count: number } {
  if (raw === undefined) return { index: 0, count: 1 };
  const m = /^(\d+)\/(\d+)$/.exec(raw);
  const i = Number(m?.[1]);
  const n = Number(m?.[2]);
  if (!m || n < 1 || i < 1 || i > n) throw new ExploreOptionError(`--shard: got ${raw}; expected i/n with 1 ≤ i ≤ n, e.g. 2/8`);
  return { index: i - 1, count: n };
}

/** Settings a sweep may name beyond {@link applySettings}'s, with why a value is wrong (undefined: right). */
export type ExtraSettings = Readonly<Record<string, (value: string) => string | undefined>>;

/**
 * `--vary acks=all,1 --vary min.insync.replicas=1,2` (or plan's `--sweep`) → the values of each setting,
 * checked: a bad name or value is a one-line error naming the flag.
 */
export function settingChoices(flag: string, raws: string[], extra: ExtraSettings = {}, others = ['brokers', 'replication.factor', 'kafkaVersion']): SettingChoices {
  const out: Record<string, SettingValue[]> = {};
  for (const raw of raws) {
    const m = /^([^=]+)=(.+)$/.exec(raw);
    if (!m) throw new ExploreOptionError(`${flag}: got ${raw}; expected SETTING=V1,V2, e.g. acks=all,1`);
    const name = m[1]!.trim();
    const names = [...others, ...Object.keys(extra)];
    if (!isSetting(name) && extra[name] === undefined)
      throw new ExploreOptionError(`${flag}: got ${name}; expected a Kafka producer, broker, topic or consumer config name, ${names.slice(0, -1).join(', ')} or ${names.at(-1)}`);
    if (out[name] !== undefined) throw new ExploreOptionError(`${flag}: ${name} is given twice; expected each setting once, with all its values`);
    const values = m[2]!.split(',').map((v) => v.trim());
    for (const v of values) {
      const problem = extra[name] !== undefined ? extra[name](v) : settingProblem(name, v);
      if (problem !== undefined || v === '') throw new ExploreOptionError(`${flag}: ${name}=${v}: expected ${problem ?? 'a value'}`);
    }
    out[name] = values;
  }
  return out;
}

function varyOf(raws: string[]): SettingChoices {
  const brokers = raws.find((r) => /^\s*brokers\s*=/.test(r));
  if (brokers !== undefined) throw new ExploreOptionError("--vary: got brokers; the faults are drawn for the base's brokers, so brokers cannot vary");
  return settingChoices('--vary', raws, {}, ['replication.factor', 'kafkaVersion']);
}

/** Every combination of the values, the first setting's outermost: [{a: 1, b: x}, {a: 1, b: y}, {a: 2, b: x}, ...]. */
export function combinationsOf(choices: SettingChoices): Array<Record<string, SettingValue>> {
  let combos: Array<Record<string, SettingValue>> = [{}];
  for (const [k, vs] of Object.entries(choices)) combos = combos.flatMap((c) => vs.map((v) => ({ ...c, [k]: v })));
  return combos;
}

/** `acks=all linger.ms=5`. */
export function settingsText(settings: Readonly<Record<string, SettingValue>>): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

/**
 * The combinations of the --vary values the base rejects (acks=1 with the base's enable.idempotence=true,
 * say): the search skips them; with none left it is an error. `apply` writes a combination into the base
 * (plan's applies its own settings too).
 */
export function rejectedCombinations(
  baseText: string,
  baseFile: string,
  vary: SettingChoices,
  flag = '--vary',
  apply: (text: string, settings: Record<string, SettingValue>) => string = applySettings,
): { total: number; rejected: Array<{ settings: string; why: string }> } {
  const combos = combinationsOf(vary);
  if (combos.length > 4096) throw new ExploreOptionError(`${flag}: ${combos.length} combinations; expected at most 4096`);
  const rejected: Array<{ settings: string; why: string }> = [];
  for (const c of combos) {
    try {
      parseScenario(apply(baseText, c), baseFile);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      rejected.push({ settings: settingsText(c), why: e.message });
    }
  }
  if (rejected.length === combos.length) throw new ExploreOptionError(`${flag}: every combination is rejected, e.g. ${rejected[0]!.settings}: ${rejected[0]!.why}`);
  return { total: combos.length, rejected };
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
    ...(flags.vary ? { vary: varyOf(flags.vary) } : {}),
  };
  const combinations = spec.vary ? rejectedCombinations(baseText, baseFile, spec.vary) : undefined;
  return {
    spec,
    runs: flags.runs === undefined && timeMs !== undefined ? undefined : count('--runs', flags.runs, 100),
    ...(timeMs !== undefined ? { timeMs } : {}),
    workers: count('--workers', flags.workers, Math.max(1, cores)),
    shard: shardOf(flags.shard),
    outDir: flags.out ?? `explore-results/${base.name}`,
    shrinkBudget: count('--shrink-budget', flags.shrinkBudget, 300, 0),
    ...(combinations ? { combinations } : {}),
    keepGoing: flags.keepGoing === true,
    ...(flags.liveness !== undefined ? { liveness: flags.liveness } : {}),
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
    ...(c.liveness !== undefined ? ['--liveness', c.liveness] : []),
    ...(c.spec.checks.length > 0 ? ['--checks', c.spec.checks.join(',')] : []),
    ...Object.entries(c.spec.vary ?? {}).flatMap(([k, vs]) => ['--vary', `${k}=${vs.join(',')}`]),
  ];
}
