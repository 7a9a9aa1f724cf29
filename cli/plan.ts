/**
 * `kafkasim plan <scenario> --sweep SETTING=V1,V2 ...`: capacity planning. Runs every
 * point of the grid of settings (the cartesian product) on worker threads and prints, per point, what the
 * model measures: throughput, produce and end-to-end latency, consumer lag, errors, lost records and
 * violations, and its bottleneck. `plan merge` combines the folders of a plan's shards. What the figures
 * rest on, and what is not modelled, is in docs/capacity.md.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { NOT_MODELLED, parseScenario } from '../sim/index.js';
import { collect, type ExploreIo } from './explore.js';
import { createPool } from './explore-runner.js';
import { bestPoint, formatCsv, formatTable, meets, mergePlans, PlanFolder, planIdentity } from './plan-out.js';
import { type PlanConfig, planConfig, type PlanFlags, type Slo, sloOf } from './plan-options.js';
import { findMaxAll, formatFindMax, type MaxResult, SUSTAINED_SHARE } from './plan-find.js';
import { planChart } from './plan-chart.js';
import { type PointResult, type PointTask, runPoint } from './plan-task.js';
import { settingsText } from './explore-options.js';
import { shellQuote } from './format.js';

/** Runs this shard's points, two per worker in flight; each result is written as it finishes. */
async function runPoints(config: PlanConfig, baseText: string, baseFile: string, folder: PlanFolder, io: ExploreIo, stopped: () => boolean): Promise<PointResult[]> {
  const done = new Map(folder.done().map((r) => [r.index, r]));
  const all = config.points.filter((p) => p.index % config.shard.count === config.shard.index);
  const mine = all.filter((p) => !done.has(p.index));
  const pool = await createPool<PointTask, PointResult>(Math.min(config.workers, Math.max(1, mine.length)), 'plan-worker.js', runPoint);
  const bar =
    config.progress && io.tty
      ? new cliProgress.SingleBar({ format: 'plan [{bar}] {value}/{total} points | {elapsed}s', hideCursor: true, stream: process.stderr }, cliProgress.Presets.shades_classic)
      : undefined;
  const started = performance.now();
  bar?.start(mine.length, 0, { elapsed: 0 });
  const results: PointResult[] = all.flatMap((p) => (done.has(p.index) ? [done.get(p.index)!] : []));
  const queue = [...mine];
  const worker = async () => {
    for (let p = queue.shift(); p !== undefined && !stopped(); p = queue.shift()) {
      const r = await pool.run({ index: p.index, settings: p.settings, baseText, baseFile });
      folder.add(r);
      results.push(r);
      bar?.update(results.length, { elapsed: Math.round((performance.now() - started) / 1000) });
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, config.workers) * 2 }, worker));
  } finally {
    bar?.stop();
    await pool.close();
  }
  return results.sort((a, b) => a.index - b.index);
}

interface PlanReport {
  base: string;
  sweeps: PlanConfig['sweeps'];
  shards: string[];
  points: PointResult[];
  rejected: PlanConfig['rejected'];
  slo?: Slo;
  best?: PointResult;
}

function summaryOf(r: PlanReport): Record<string, unknown> {
  const best = r.slo ? bestPoint(r.points, r.slo) : undefined;
  return {
    base: r.base,
    sweeps: r.sweeps,
    shards: r.shards,
    notModelled: NOT_MODELLED,
    ...(r.slo ? { slo: r.slo.text, meetingSlo: r.points.filter((p) => meets(p.figures, r.slo!)).length, best: best ?? null } : {}),
    rejected: r.rejected,
    points: r.points,
  };
}

/** The table and the lines after it (no wall times: the same plan prints the same text). */
function report(r: PlanReport, format: PlanConfig['format'], outDir: string): string {
  if (format === 'json') return JSON.stringify(summaryOf(r)) + '\n';
  if (format === 'csv') return formatCsv(r.points, r.sweeps, r.slo);
  const sizes = Object.values(r.sweeps).map((v) => v.length);
  const lines = [
    `plan ${r.base}: ${r.points.length} point${r.points.length === 1 ? '' : 's'} of the grid ${Object.keys(r.sweeps).join(' × ')} (${sizes.join(' × ')}), shard${r.shards.length === 1 ? '' : 's'} ${r.shards.join(', ')}`,
    '',
    formatTable(r.points, r.sweeps, r.slo).trimEnd(),
    '',
  ];
  if (r.rejected.length > 0)
    lines.push(`skipped ${r.rejected.length} point${r.rejected.length === 1 ? '' : 's'} the scenario rejects, e.g. ${r.rejected[0]!.settings}: ${r.rejected[0]!.why.split('\n')[0]}`);
  if (r.slo) {
    const best = bestPoint(r.points, r.slo);
    const n = r.points.filter((p) => meets(p.figures, r.slo!)).length;
    lines.push(
      `SLO produce ${r.slo.text}: met by ${n} of ${r.points.length} points (and no acknowledged record lost, no violation)`,
      best
        ? `best point meeting it: ${settingsText(best.settings)}: ${best.figures!.recordsPerSec.toFixed(0)} records/s, produce p99 ${best.figures!.produceMs.p99.toFixed(1)} ms`
        : 'best point meeting it: none',
    );
  }
  lines.push(NOT_MODELLED, `results: ${outDir}/  (results.jsonl, summary.json)`);
  return lines.join('\n') + '\n';
}

/** `--find-max`: each point's highest sustained rate, bisected on the pool; summary.json in the out folder. */
async function findMaxCommand(config: PlanConfig, text: string, file: string, io: ExploreIo): Promise<number> {
  const fm = config.findMax!;
  const slo = config.slo!;
  const pool = await createPool<PointTask, PointResult>(Math.min(config.workers, Math.max(1, config.points.length)), 'plan-worker.js', runPoint);
  let results: MaxResult[];
  try {
    results = await findMaxAll(config.points, fm, slo, pool, text, file);
  } finally {
    await pool.close();
  }
  mkdirSync(config.outDir, { recursive: true });
  const summary = { base: file, sweeps: config.sweeps, findMax: { lo: fm.loPerSec, hi: fm.hiPerSec, sustainedShare: SUSTAINED_SHARE }, slo: slo.text, notModelled: NOT_MODELLED, points: results };
  writeFileSync(join(config.outDir, 'summary.json'), JSON.stringify(summary, null, 2) + '\n');
  if (config.format === 'json') io.out(JSON.stringify(summary) + '\n');
  else {
    io.out(
      [
        `plan ${file}: the highest producer rate each point sustains between ${fm.loPerSec}/s and ${fm.hiPerSec}/s (produce ${slo.text}, nothing acknowledged lost, no violation, at least ${SUSTAINED_SHARE * 100}% of the offered records acknowledged; bisected to within 5%)`,
        '',
        formatFindMax(results, slo, fm).trimEnd(),
        '',
        NOT_MODELLED,
        `results: ${config.outDir}/  (summary.json)`,
      ].join('\n') + '\n',
    );
  }
  return results.some((r) => r.error !== undefined) ? 3 : 0;
}

async function planCommand(file: string, flags: PlanFlags, io: ExploreIo, readText: (p: string) => string): Promise<number> {
  const text = readText(file);
  const base = parseScenario(text, file);
  const config = planConfig(text, file, base.name, flags, availableParallelism());
  if (config.findMax) return findMaxCommand(config, text, file, io);
  const shard = `${config.shard.index + 1}/${config.shard.count}`;
  const folder = new PlanFolder(config.outDir, planIdentity(file, text, config.sweeps), { shard, points: config.points.length });
  const started = performance.now();
  let interrupted = false;
  let signals = 0;
  const onSigint = () => {
    interrupted = true;
    if (++signals > 1) process.exit(130);
    io.err('\nstopping: finishing the points in flight (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSigint);
  let points: PointResult[];
  try {
    points = await runPoints(config, text, file, folder, io, () => interrupted);
  } finally {
    process.off('SIGINT', onSigint);
  }
  const r: PlanReport = { base: file, sweeps: config.sweeps, shards: [shard], points, rejected: config.rejected, ...(config.slo ? { slo: config.slo } : {}) };
  const command = ['npx', 'kafkasim', 'plan', file, ...Object.entries(config.sweeps).flatMap(([k, vs]) => ['--sweep', `${k}=${vs.join(',')}`])].map(shellQuote).join(' ');
  folder.write(
    'summary.json',
    JSON.stringify({ ...summaryOf(r), workers: config.workers, ms: Math.round(performance.now() - started), command, ...(interrupted ? { interrupted: true } : {}) }, null, 2) + '\n',
  );
  io.out(report(r, config.format, config.outDir));
  if (config.chart) {
    writeFileSync(config.chart.file, planChart(points, config.sweeps, config.chart.axis, base.name));
    const e2e = points.some((p) => p.figures !== undefined && p.figures.lag !== null) ? ', records/s and end-to-end p99' : ' and records/s';
    if (config.format === 'table') io.out(`chart: ${config.chart.file}  (produce p99${e2e} against ${config.chart.axis})\n`);
  }
  if (interrupted) io.err(`interrupted: ${points.length} of ${config.points.length} points done; the same command resumes\n`);
  return points.some((p) => p.error !== undefined) ? 3 : interrupted ? 130 : 0;
}

function mergeCommand(dirs: string[], opts: { out: string; csv?: boolean; json?: boolean; slo?: string }, io: ExploreIo): number {
  const m = mergePlans(dirs, opts.out);
  const slo = sloOf(opts.slo);
  const r: PlanReport = { base: m.identity.base, sweeps: m.identity.sweeps, shards: m.shards, points: m.results, rejected: [], ...(slo ? { slo } : {}) };
  writeFileSync(join(opts.out, 'summary.json'), JSON.stringify(summaryOf(r), null, 2) + '\n');
  io.out(report(r, opts.csv ? 'csv' : opts.json ? 'json' : 'table', opts.out));
  return m.results.some((p) => p.error !== undefined) ? 3 : 0;
}

const SWEEP_HELP =
  'a setting and its values: a Kafka producer, broker, topic or consumer config (acks=all,1; linger.ms=0,5), brokers, replication.factor, kafkaVersion, rate (every producer: rate=10000/s,50000/s), partitions (every topic), logDirs (how many log.dirs every broker has, each its own disk: logDirs=1,2,4) or failure (none, broker-down, disk-failure, rebalance, reassignment: see docs/capacity.md) (repeatable: the grid is every combination)';

export function addPlanCommand(program: Command, io: ExploreIo, readText: (p: string) => string, setCode: (n: number) => void): void {
  program.enablePositionalOptions();
  const plan = program
    .command('plan')
    .enablePositionalOptions()
    .description("run a grid of settings; print each point's throughput, latency, lag, errors, losses and bottleneck")
    .argument('<scenario>', 'the base scenario')
    .option('--sweep <setting=v1,v2>', SWEEP_HELP, collect)
    .option('--slo <bound>', 'mark the points whose produce latency percentile is below a bound, e.g. p99<20ms (p50, p99, p99.9), and print the best')
    .option('--chart <file.svg>', 'also write the sweep as an SVG chart: produce p99 and records/s against a numeric swept setting')
    .option('--chart-x <setting>', "the swept setting on the chart's x axis (default: the first with numeric values)")
    .option('--find-max <rate=lo..hi>', 'with --slo: for each point, bisect the producer rate between lo and hi for the highest one sustained, e.g. rate=1000/s..500000/s')
    .option('-w, --workers <k>', 'worker threads (default: the cores)')
    .option('--shard <i/n>', 'run only shard i of n: the points p with p % n = i - 1 (merge the folders with plan merge)')
    .option('-o, --out <dir>', 'result folder (default plan-results/NAME)')
    .option('--csv', 'print the points as CSV')
    .option('--json', 'print the summary as JSON')
    .option('--no-progress', 'no progress bar')
    .addHelpText('after', `\n${NOT_MODELLED}. See docs/capacity.md.`)
    .action(async (file: string, flags: PlanFlags) => setCode(await planCommand(file, flags, io, readText)));
  plan
    .command('merge')
    .description("combine the result folders of a plan's shards")
    .argument('<dirs...>', 'result folders of plan --shard runs')
    .requiredOption('-o, --out <dir>', 'the merged folder')
    .option('--slo <bound>', 'mark the points meeting a produce latency bound, e.g. p99<20ms')
    .option('--csv', 'print the points as CSV')
    .option('--json', 'print the summary as JSON')
    .action((dirs: string[], opts: { out: string; csv?: boolean; json?: boolean; slo?: string }) => setCode(mergeCommand(dirs, opts, io)));
}
