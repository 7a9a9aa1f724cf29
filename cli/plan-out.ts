/**
 * A plan's results: its folder (plan.json: what was swept; results.jsonl: one line per point as it
 * finishes; summary.json: every point, rewritten at the end), merging the folders of its shards, and the
 * table, CSV and JSON it prints.
 */
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatBottleneck, type SettingChoices } from '../sim/index.js';
import { ExploreFolderError, readJsonLines } from './explore-out.js';
import type { Slo } from './plan-options.js';
import type { PointFigures } from '../sim/index.js';
import type { PointResult } from './plan-task.js';

/** What identifies a plan: folders with the same identity hold points of the same grid. */
export interface PlanIdentity {
  base: string;
  baseSha256: string;
  sweeps: SettingChoices;
}

export function planIdentity(base: string, baseText: string, sweeps: SettingChoices): PlanIdentity {
  return { base, baseSha256: createHash('sha256').update(baseText).digest('hex'), sweeps };
}

const key = (id: PlanIdentity) => JSON.stringify([id.baseSha256, id.sweeps]);

function readIdentity(dir: string): PlanIdentity & { shard?: string } {
  const path = join(dir, 'plan.json');
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as PlanIdentity & { shard?: string };
  } catch (e) {
    throw new ExploreFolderError(`cannot read ${path}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
  }
}

/** Opens (creating it) a plan's folder; its results.jsonl starts empty (a plan is short: it does not resume). */
export class PlanFolder {
  constructor(
    readonly dir: string,
    identity: PlanIdentity,
    meta: Record<string, unknown>,
  ) {
    mkdirSync(dir, { recursive: true });
    if (existsSync(join(dir, 'plan.json')) && key(readIdentity(dir)) !== key(identity)) throw new ExploreFolderError(`${dir} holds another plan; give another --out or remove it`);
    writeFileSync(join(dir, 'plan.json'), JSON.stringify({ ...identity, ...meta }, null, 2) + '\n');
    // The same plan started again resumes: the points in results.jsonl are not run again.
    if (!existsSync(join(dir, 'results.jsonl'))) writeFileSync(join(dir, 'results.jsonl'), '');
  }

  /** The points already run (a line cut short by an interruption is skipped). */
  done(): PointResult[] {
    return readJsonLines<PointResult>(join(this.dir, 'results.jsonl'));
  }

  add(r: PointResult): void {
    appendFileSync(join(this.dir, 'results.jsonl'), JSON.stringify(r) + '\n');
  }

  write(file: string, text: string): void {
    writeFileSync(join(this.dir, file), text);
  }
}

/** Combines the folders of one plan's shards into `out`: the points of all, in grid order. */
export function mergePlans(dirs: readonly string[], out: string): { identity: PlanIdentity; results: PointResult[]; shards: string[] } {
  const ids = dirs.map(readIdentity);
  const first = ids[0]!;
  ids.forEach((id, i) => {
    if (key(id) !== key(first)) throw new ExploreFolderError(`${dirs[i]} holds another plan than ${dirs[0]} (${id.base})`);
  });
  const byIndex = new Map<number, PointResult>();
  for (const d of dirs) for (const r of readJsonLines<PointResult>(join(d, 'results.jsonl'))) byIndex.set(r.index, r);
  const results = [...byIndex.values()].sort((a, b) => a.index - b.index);
  const identity: PlanIdentity = { base: first.base, baseSha256: first.baseSha256, sweeps: first.sweeps };
  const shards = ids.map((id) => id.shard ?? '1/1');
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, 'plan.json'), JSON.stringify({ ...identity, mergedFrom: dirs, shards }, null, 2) + '\n');
  writeFileSync(join(out, 'results.jsonl'), results.map((r) => JSON.stringify(r) + '\n').join(''));
  return { identity, results, shards };
}

/** Whether a point meets the objective: its produce latency below the bound, no acknowledged record lost, no violation. */
export function meets(f: PointFigures | undefined, slo: Slo): boolean {
  return f !== undefined && f.acked > 0 && f.produceMs[slo.percentile] < slo.belowMs && f.lost === 0 && f.violations.length === 0;
}

/** The point meeting the objective with the most records/s (ties: the lower p99, then the earlier point). */
export function bestPoint(results: readonly PointResult[], slo: Slo): PointResult | undefined {
  let best: PointResult | undefined;
  for (const r of results) {
    if (!meets(r.figures, slo)) continue;
    const f = r.figures!;
    const b = best?.figures;
    if (!b || f.recordsPerSec > b.recordsPerSec || (f.recordsPerSec === b.recordsPerSec && f.produceMs.p99 < b.produceMs.p99)) best = r;
  }
  return best;
}

const FIGURE_COLUMNS = ['records/s', 'MB/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'e2e p50', 'e2e p99', 'e2e p99.9', 'lag', 'errors', 'lost', 'violations', 'bottleneck'];

/** Whether some point ran faults: then the table and the CSV have the recovery time. */
function withRecovery(results: readonly PointResult[]): boolean {
  return results.some((r) => r.figures?.recoveryMs !== undefined);
}

/** `b1 nic-out 97%`, or `-`. */
const bottleneckText = (b: PointFigures['bottleneck']) => formatBottleneck(b as Parameters<typeof formatBottleneck>[0]);

const recoveryText = (ms: number | null | undefined) => (ms === undefined ? '-' : ms === null ? 'not by end' : (ms / 1000).toFixed(1));

function cells(r: PointResult, sweeps: SettingChoices, slo: Slo | undefined, recovery: boolean): string[] {
  const settings = Object.keys(sweeps).map((k) => String(r.settings[k]));
  const f = r.figures;
  const mark = slo ? [f ? (meets(f, slo) ? 'yes' : 'no') : '-'] : [];
  const rec = recovery ? [recoveryText(f?.recoveryMs)] : [];
  if (!f) return [...settings, 'internal error', ...FIGURE_COLUMNS.slice(1).map(() => '-'), ...rec, ...mark];
  const lat = (l: PointFigures['produceMs']) => [l.p50, l.p99, l.p999].map((x) => x.toFixed(1));
  return [
    ...settings,
    f.recordsPerSec.toFixed(0),
    f.mbPerSec.toFixed(2),
    ...lat(f.produceMs),
    ...lat(f.endToEndMs),
    f.lag === null ? '-' : String(f.lag),
    String(f.errors),
    String(f.lost),
    f.violations.join(',') || '-',
    bottleneckText(f.bottleneck),
    ...rec,
    ...mark,
  ];
}

function header(sweeps: SettingChoices, slo: Slo | undefined, recovery: boolean): string[] {
  return [...Object.keys(sweeps), ...FIGURE_COLUMNS, ...(recovery ? ['recovery s'] : []), ...(slo ? [slo.text] : [])];
}

/** The points as an aligned table: the swept settings left-aligned first, the figures right-aligned. */
export function formatTable(results: readonly PointResult[], sweeps: SettingChoices, slo: Slo | undefined): string {
  const recovery = withRecovery(results);
  const rows = [header(sweeps, slo, recovery), ...results.map((r) => cells(r, sweeps, slo, recovery))];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((row) => row[i]!.length)));
  const settings = Object.keys(sweeps).length;
  return (
    rows
      .map((row) =>
        row
          .map((c, i) => (i < settings ? c.padEnd(widths[i]!) : c.padStart(widths[i]!)))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

function csvCell(c: string): string {
  return /[",\n]/.test(c) ? `"${c.replaceAll('"', '""')}"` : c;
}

/** The points as CSV, one header line (settings, then figures with their units). */
export function formatCsv(results: readonly PointResult[], sweeps: SettingChoices, slo: Slo | undefined): string {
  const head = [
    ...Object.keys(sweeps),
    'records_per_s',
    'mb_per_s',
    'produce_p50_ms',
    'produce_p99_ms',
    'produce_p999_ms',
    'e2e_p50_ms',
    'e2e_p99_ms',
    'e2e_p999_ms',
    'lag',
    'errors',
    'lost',
    'violations',
    'bottleneck',
    'bottleneck_utilization',
    ...(withRecovery(results) ? ['recovery_ms'] : []),
    ...(slo ? ['meets_slo'] : []),
  ];
  const row = (r: PointResult): string[] => {
    const f = r.figures;
    const settings = Object.keys(sweeps).map((k) => String(r.settings[k]));
    if (!f) return [...settings, ...head.slice(settings.length).map(() => '')];
    const lat = (l: PointFigures['produceMs']) => [l.p50, l.p99, l.p999].map(String);
    const mark = slo ? [String(meets(f, slo))] : [];
    return [
      ...settings,
      String(f.recordsPerSec),
      String(f.mbPerSec),
      ...lat(f.produceMs),
      ...lat(f.endToEndMs),
      f.lag === null ? '' : String(f.lag),
      String(f.errors),
      String(f.lost),
      f.violations.join(' '),
      f.bottleneck ? `${f.bottleneck.node} ${f.bottleneck.resource}${f.bottleneck.dir === undefined ? '' : ` ${f.bottleneck.dir}`}` : '',
      f.bottleneck ? String(f.bottleneck.utilization) : '',
      ...(withRecovery(results) ? [f.recoveryMs === undefined || f.recoveryMs === null ? '' : String(f.recoveryMs)] : []),
      ...mark,
    ];
  };
  return [head, ...results.map(row)].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}
