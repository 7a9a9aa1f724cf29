/**
 * A search's result folder, written as results arrive so an interrupted search loses nothing:
 *
 * - search.json: what was searched (base file and its SHA-256, seed, faults, checks, runs, shard).
 * - runs.jsonl: one line per finished run (its seed, faults, violations, a trace hash).
 * - counterexample-NNNNNN.yaml / .trace.ndjson / .test.ts: a shrunk failing run as a scenario file,
 *   its full trace, and a vitest regression test.
 * - summary.json: totals, rewritten at the end (and when interrupted).
 *
 * A search started again with the same folder resumes: runs already in runs.jsonl are not run again.
 * `kafkasim explore merge` combines the folders of a search's shards.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { type CheckName, regressionTest, type SearchSpec, type SettingValue } from '../sim/index.js';

export interface RunLine {
  run: number;
  seed: number;
  faults: number;
  violations: CheckName[];
  acked: number;
  lost: number;
  hash: string;
  /** The simulator stopped with an internal error. */
  error?: string;
  /** Settings drawn (explore --vary). */
  settings?: Record<string, SettingValue>;
  /** Whether the run's liveness checks ran. */
  livenessChecked?: boolean;
}

export interface CounterexampleLine {
  file: string;
  check: CheckName;
  partition: string;
  detail: string;
  run: number;
  faults: string[];
  settings?: Record<string, SettingValue>;
  shrunkFrom: number;
  tries: number;
  traceHash: string;
}

/** What identifies a search: two folders with the same identity hold runs of the same search. */
export interface SearchIdentity {
  base: string;
  baseSha256: string;
  seed: number;
  schedule: SearchSpec['schedule'];
  checks: readonly CheckName[];
  vary?: SearchSpec['vary'];
}

export class ExploreFolderError extends Error {}

export function identityOf(spec: SearchSpec): SearchIdentity {
  return {
    base: spec.baseFile,
    baseSha256: createHash('sha256').update(spec.baseText).digest('hex'),
    seed: spec.seed,
    schedule: spec.schedule,
    checks: spec.checks,
    ...(spec.vary ? { vary: spec.vary } : {}),
  };
}

function sameSearch(a: SearchIdentity, b: SearchIdentity): boolean {
  const key = (x: SearchIdentity) => JSON.stringify([x.baseSha256, x.seed, x.schedule, x.checks, x.vary ?? {}]);
  return key(a) === key(b);
}

function readJson<T>(path: string): T {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as T;
  } catch (e) {
    throw new ExploreFolderError(`cannot read ${path}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

/** The lines of a JSON-lines file (none if it is missing; a line cut short by an interruption is skipped). */
export function readJsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .flatMap((line) => {
      try {
        return line.trim() === '' ? [] : [JSON.parse(line) as T];
      } catch {
        return [];
      }
    });
}

/** The runs a folder holds. */
export function readRuns(dir: string): RunLine[] {
  return readJsonLines<RunLine>(join(dir, 'runs.jsonl'));
}

export class ResultFolder {
  private readonly runsPath: string;

  /** Opens (creating it) the folder of a search; the runs it already holds are `done`. */
  constructor(
    readonly dir: string,
    readonly identity: SearchIdentity,
    meta: Record<string, unknown>,
  ) {
    mkdirSync(dir, { recursive: true });
    this.runsPath = join(dir, 'runs.jsonl');
    const searchPath = join(dir, 'search.json');
    if (existsSync(searchPath)) {
      const had = readJson<SearchIdentity>(searchPath);
      if (!sameSearch(had, identity)) throw new ExploreFolderError(`${dir} holds another search (${had.base}, seed ${had.seed}); give another --out or remove it`);
    }
    writeFileSync(searchPath, JSON.stringify({ ...identity, ...meta }, null, 2) + '\n');
  }

  done(): RunLine[] {
    return readRuns(this.dir);
  }

  addRun(line: RunLine): void {
    appendFileSync(this.runsPath, JSON.stringify(line) + '\n');
  }

  path(file: string): string {
    return join(this.dir, file);
  }

  write(file: string, text: string): string {
    const p = join(this.dir, file);
    writeFileSync(p, text);
    return p;
  }
}

/** The vitest regression test of a counterexample: the property it broke, which fails until it holds. */
export function regressionTestOf(yamlFile: string, c: CounterexampleLine, base: string): string {
  return regressionTest({ yamlFile, check: c.check, origin: `kafkasim explore (run ${c.run} of a search from ${base})` });
}

export interface Merged {
  identity: SearchIdentity;
  runs: RunLine[];
  counterexamples: CounterexampleLine[];
  shards: string[];
}

/** Combines the result folders of one search's shards into `out`. */
export function mergeFolders(dirs: readonly string[], out: string): Merged {
  const ids = dirs.map((d) => readJson<SearchIdentity & { shard?: string }>(join(d, 'search.json')));
  const first = ids[0]!;
  ids.forEach((id, i) => {
    if (!sameSearch(first, id)) throw new ExploreFolderError(`${dirs[i]} holds another search than ${dirs[0]} (${id.base}, seed ${id.seed})`);
  });
  mkdirSync(out, { recursive: true });
  const byRun = new Map<number, RunLine>();
  const counterexamples: CounterexampleLine[] = [];
  for (const d of dirs) {
    for (const r of readRuns(d)) byRun.set(r.run, r);
    const summaryPath = join(d, 'summary.json');
    if (existsSync(summaryPath)) counterexamples.push(...(readJson<{ counterexamples?: CounterexampleLine[] }>(summaryPath).counterexamples ?? []));
    for (const f of readdirSync(d).filter((f) => f.startsWith('counterexample-'))) copyFileSync(join(d, f), join(out, basename(f)));
  }
  const runs = [...byRun.values()].sort((a, b) => a.run - b.run);
  const identity: SearchIdentity = { base: first.base, baseSha256: first.baseSha256, seed: first.seed, schedule: first.schedule, checks: first.checks, ...(first.vary ? { vary: first.vary } : {}) };
  const shards = ids.map((id) => id.shard ?? '1/1');
  writeFileSync(join(out, 'search.json'), JSON.stringify({ ...identity, mergedFrom: dirs, shards }, null, 2) + '\n');
  writeFileSync(join(out, 'runs.jsonl'), runs.map((r) => JSON.stringify(r) + '\n').join(''));
  counterexamples.sort((a, b) => a.run - b.run);
  return { identity, runs, counterexamples, shards };
}
