/**
 * `kafkasim explore <scenario>`: the failure search. Draws fault schedules (and run seeds) from the
 * search's seed, runs them on worker threads, checks the invariants, shrinks the first failure to a
 * minimal schedule and writes it as a scenario file with its trace and a regression test. `explore merge`
 * combines the result folders of a search's shards.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { parseDocument } from 'yaml';
import {
  type CheckName,
  counterexampleName,
  livenessBoundMs,
  parseDurationUs,
  describeSettings,
  describeStep,
  type ExploreCase,
  type Found,
  parseScenario,
  planSteps,
  Search,
  type Violation,
} from '../sim/index.js';
import { type CounterexampleLine, ExploreFolderError, identityOf, mergeFolders, regressionTestOf, ResultFolder, type RunLine } from './explore-out.js';
import { type ExploreConfig, exploreConfig, type ExploreFlags, ExploreOptionError, searchFlags } from './explore-options.js';
import { createRunner, type Runner } from './explore-runner.js';
import type { RunResult, RunTask } from './explore-task.js';
import { shellQuote } from './format.js';

export { ExploreFolderError, ExploreOptionError };

export interface ExploreIo {
  out(text: string): void;
  err(text: string): void;
  /** Show a progress bar on stderr (a terminal). */
  tty: boolean;
}

/** A failing run: a violation of a check, or an internal error of the simulator. */
interface Failing {
  run: number;
  case: ExploreCase;
  violation?: Violation;
  error?: string;
}

/** A crash of the simulator, shrunk and written as a scenario file. */
export interface CrashLine {
  file: string;
  run: number;
  error: string;
  faults: string[];
  shrunkFrom: number;
  tries: number;
}

interface Stats {
  runs: number;
  resumed: number;
  violations: Partial<Record<CheckName, number>>;
  failingRuns: number[];
  crashes: number;
  /** Runs whose liveness checks ran (a quiet, healed end long enough). */
  livenessChecked: number;
  runMs: number;
}

export class Explorer {
  readonly search: Search;
  readonly stats: Stats = { runs: 0, resumed: 0, violations: {}, failingRuns: [], crashes: 0, livenessChecked: 0, runMs: 0 };
  readonly failing: Failing[] = [];
  readonly counterexamples: CounterexampleLine[] = [];
  readonly crashes: CrashLine[] = [];
  interrupted = false;
  private readonly started = performance.now();
  /** Wall time of the search phase (the runs drawn), ms; shrinking comes after. */
  private searchMs = 0;
  private shrinkRuns = 0;
  /** Runs finished by this process, for the rate (the stats may leave out some: see searchPhase). */
  private finished = 0;
  private readonly lines: Array<{ line: RunLine; runMs: number }> = [];
  private readonly done = new Set<number>();
  private bar: cliProgress.SingleBar | undefined;

  constructor(
    readonly config: ExploreConfig,
    readonly folder: ResultFolder,
    private readonly runner: Runner,
    private readonly io: ExploreIo,
  ) {
    this.search = new Search(config.spec);
    for (const r of folder.done()) {
      this.done.add(r.run);
      this.stats.resumed++;
    }
  }

  elapsedMs(): number {
    return performance.now() - this.started;
  }

  task(c: ExploreCase, tracePath?: string): RunTask {
    const { baseText, baseFile } = this.config.spec;
    return { baseText, baseFile, steps: c.steps, seed: c.seed, window: this.search.window, ...(c.settings ? { settings: c.settings } : {}), ...(tracePath ? { tracePath } : {}) };
  }

  private stopStarting(): boolean {
    const c = this.config;
    return this.interrupted || (c.timeMs !== undefined && this.elapsedMs() >= c.timeMs) || (!c.keepGoing && this.failing.length > 0);
  }

  /** The run numbers of this shard, in order, without those already done; undefined when none is left. */
  private *runNumbers(): Generator<number> {
    const { index, count } = this.config.shard;
    for (let i = index; this.config.runs === undefined || i < this.config.runs; i += count) if (!this.done.has(i)) yield i;
  }

  private record(run: number, c: ExploreCase, r: RunResult): void {
    const failures = this.search.failures(r);
    const line: RunLine = { run, seed: c.seed, faults: planSteps(c.steps, this.search.window).length, violations: failures.map((v) => v.check), acked: r.acked, lost: r.lost, hash: r.traceHash };
    if (r.error !== undefined) line.error = r.error;
    if (c.settings !== undefined) line.settings = c.settings;
    if (r.livenessChecked !== undefined) line.livenessChecked = r.livenessChecked;
    this.folder.addRun(line);
    this.finished++;
    this.lines.push({ line, runMs: r.runMs });
    this.count(line, r.runMs);
    if (failures.length > 0 || r.error !== undefined) this.failing.push({ run, case: c, ...(r.error !== undefined ? { error: r.error } : { violation: failures[0]! }) });
    this.tick();
  }

  private count(line: RunLine, runMs: number): void {
    const st = this.stats;
    st.runs++;
    st.runMs += runMs;
    for (const check of new Set(line.violations)) st.violations[check] = (st.violations[check] ?? 0) + 1;
    if (line.error !== undefined) st.crashes++;
    if (line.livenessChecked) st.livenessChecked++;
    if (line.violations.length > 0 || line.error !== undefined) st.failingRuns.push(line.run);
  }

  /**
   * A search that stops at its first failure reports the runs up to it: those after it that were in
   * flight are in runs.jsonl, but which of them finished depends on the workers' speed.
   */
  private upToFirstFailure(): void {
    const first = Math.min(...this.failing.map((f) => f.run));
    Object.assign(this.stats, { runs: 0, violations: {}, failingRuns: [], crashes: 0, livenessChecked: 0, runMs: 0 });
    for (const { line, runMs } of this.lines) if (line.run <= first) this.count(line, runMs);
    this.failing.splice(0, this.failing.length, ...this.failing.filter((f) => f.run === first));
  }

  /** Runs this shard's runs, two per worker in flight, until done, out of time, interrupted or failed. */
  async searchPhase(): Promise<void> {
    this.startBar();
    const numbers = this.runNumbers();
    const inflight = new Set<Promise<void>>();
    for (;;) {
      while (inflight.size < this.config.workers * 2 && !this.stopStarting()) {
        const next = numbers.next();
        if (next.done) break;
        const run = next.value;
        const c = this.search.draw(run);
        const p: Promise<void> = this.runner.run(this.task(c)).then((r) => this.record(run, c, r));
        inflight.add(p);
        void p.finally(() => inflight.delete(p)).catch(() => {});
      }
      if (inflight.size === 0) break;
      await Promise.race(inflight);
    }
    this.bar?.stop();
    this.searchMs = this.elapsedMs();
    this.failing.sort((a, b) => a.run - b.run);
    if (!this.config.keepGoing && this.failing.length > 0) this.upToFirstFailure();
  }

  /** The failures to shrink: the first one, or with --keep-going the first of each check and the first crash. */
  private toShrink(): Failing[] {
    if (!this.config.keepGoing) return this.failing.slice(0, 1);
    const seen = new Set<string>();
    return this.failing.filter((f) => {
      const kind = f.violation?.check ?? 'crash';
      return !seen.has(kind) && (seen.add(kind), true);
    });
  }

  async shrinkPhase(): Promise<void> {
    for (const f of this.toShrink()) {
      if (this.interrupted && this.counterexamples.length + this.crashes.length > 0) break;
      if (f.violation) await this.writeCounterexample(await this.shrinkViolation(f, f.violation));
      else await this.writeCrash(f, f.error ?? '');
    }
  }

  private async shrinkViolation(f: Failing, violation: Violation): Promise<Found & { tries: number }> {
    const shrunkFrom = planSteps(f.case.steps, this.search.window).length;
    if (this.interrupted) return { run: f.run, case: f.case, violation, shrunkFrom, tries: 0 };
    this.note(`shrinking run ${f.run} (${violation.check}, ${shrunkFrom} faults)…`);
    const violates = async (c: ExploreCase) => this.search.failures(await this.runner.run(this.task(c))).find((v) => v.check === violation.check);
    const s = await this.search.shrink(f.run, violates, this.config.shrinkBudget, () => this.interrupted);
    this.shrinkRuns += s.tries;
    return { run: f.run, case: s.case, violation: s.failure, shrunkFrom, tries: s.tries };
  }

  /** A run that stopped the simulator: shrunk to the smallest schedule with the same error, written to replay. */
  private async writeCrash(f: Failing, error: string): Promise<void> {
    const shrunkFrom = planSteps(f.case.steps, this.search.window).length;
    let c = f.case;
    let tries = 0;
    if (!this.interrupted) {
      this.note(`shrinking run ${f.run} (internal error, ${shrunkFrom} faults)…`);
      const same = async (x: ExploreCase) => ((await this.runner.run(this.task(x))).error === error ? error : undefined);
      ({ case: c, tries } = await this.search.shrink(f.run, same, this.config.shrinkBudget, () => this.interrupted));
      this.shrinkRuns += tries;
    }
    const file = `crash-${String(f.run).padStart(6, '0')}.yaml`;
    this.folder.write(file, this.search.crashScenario(f.run, c, error));
    this.crashes.push({ file, run: f.run, error, faults: planSteps(c.steps, this.search.window).map(describeStep), shrunkFrom, tries });
  }

  private note(text: string): void {
    if (this.config.progress && this.io.tty) this.io.err(`${text}\n`);
  }

  private async writeCounterexample(found: Found & { tries: number }): Promise<void> {
    const name = counterexampleName(found.run);
    const yamlFile = `${name}.yaml`;
    const text = this.search.counterexample(found);
    this.folder.write(yamlFile, text);
    const tracePath = this.config.writeTrace ? this.folder.path(`${name}.trace.ndjson`) : undefined;
    const replay = await this.runner.run({ ...this.task(found.case, tracePath), text });
    if (!replay.violations.some((v) => v.check === found.violation.check))
      throw new Error(`the counterexample of run ${found.run} did not replay to ${found.violation.check} (seed ${this.config.spec.seed})`);
    const line: CounterexampleLine = {
      file: yamlFile,
      check: found.violation.check,
      partition: found.violation.partition,
      detail: found.violation.detail,
      run: found.run,
      faults: planSteps(found.case.steps, this.search.window).map(describeStep),
      ...(found.case.settings ? { settings: found.case.settings } : {}),
      shrunkFrom: found.shrunkFrom,
      tries: found.tries,
      traceHash: replay.traceHash,
    };
    this.folder.write(`${name}.test.ts`, regressionTestOf(yamlFile, line, this.config.spec.baseFile));
    this.counterexamples.push(line);
  }

  private startBar(): void {
    if (!this.config.progress || !this.io.tty) return;
    const total = this.config.runs !== undefined ? Math.ceil((this.config.runs - this.config.shard.index) / this.config.shard.count) - this.stats.resumed : 0;
    this.bar = new cliProgress.SingleBar(
      { format: 'explore [{bar}] {value}/{total} runs | {rate} runs/s | {violations} violations | {elapsed}s', hideCursor: true, stream: process.stderr },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(Math.max(total, 0), 0, { rate: '0.0', violations: 0, elapsed: 0 });
  }

  private tick(): void {
    const s = this.elapsedMs() / 1000;
    this.bar?.update(this.stats.runs, { rate: (this.stats.runs / Math.max(s, 1e-3)).toFixed(1), violations: this.stats.failingRuns.length, elapsed: Math.round(s) });
  }

  summary(): Record<string, unknown> {
    const ms = this.elapsedMs();
    const c = this.config;
    return {
      base: c.spec.baseFile,
      seed: c.spec.seed,
      shard: `${c.shard.index + 1}/${c.shard.count}`,
      workers: c.workers,
      runs: this.stats.runs,
      resumedRuns: this.stats.resumed,
      searchMs: Math.round(this.searchMs),
      runsPerMinute: Math.round((this.finished / Math.max(this.searchMs, 1)) * 60_000),
      shrinkRuns: this.shrinkRuns,
      shrinkMs: Math.round(ms - this.searchMs),
      msPerRun: this.stats.runs > 0 ? Math.round(this.stats.runMs / this.stats.runs) : 0,
      violations: this.stats.violations,
      failingRuns: this.stats.failingRuns.sort((a, b) => a - b).slice(0, 1000),
      internalErrors: this.stats.crashes,
      livenessChecked: this.stats.livenessChecked,
      ...(c.combinations ? { combinations: c.combinations.total, combinationsRejected: c.combinations.rejected } : {}),
      counterexamples: this.counterexamples,
      crashes: this.crashes,
      interrupted: this.interrupted,
      command: ['npx', 'kafkasim', 'explore', c.spec.baseFile, ...searchFlags(c)].map(shellQuote).join(' '),
    };
  }
}

function formatSummary(s: ReturnType<Explorer['summary']>, outDir: string): string {
  const v = s.violations as Record<string, number>;
  const lines = [
    `explore ${s.base}: ${s.runs} runs in ${((s.searchMs as number) / 1000).toFixed(1)} s (${s.runsPerMinute} runs/min, ${s.workers} worker${s.workers === 1 ? '' : 's'}, ${s.msPerRun} ms a run)${s.shrinkRuns ? `, ${s.shrinkRuns} more to shrink in ${((s.shrinkMs as number) / 1000).toFixed(1)} s` : ''}; search seed ${s.seed}, shard ${s.shard}${s.interrupted ? ', interrupted' : ''}`,
    Object.keys(v).length === 0
      ? 'violations: none'
      : `violations: ${Object.entries(v)
          .map(([k, n]) => `${k} in ${n} run${n === 1 ? '' : 's'}`)
          .join(', ')}`,
  ];
  lines.push(
    s.livenessChecked === 0
      ? 'liveness checks: none ran (--liveness auto adds a liveness phase to each run)'
      : `liveness checks (write-answered, fully-replicated): ran in ${s.livenessChecked} of ${s.runs} runs`,
  );
  const rejected = (s.combinationsRejected ?? []) as Array<{ settings: string; why: string }>;
  if (rejected.length > 0) lines.push(`--vary: ${rejected.length} of ${s.combinations} combinations skipped (the scenario rejects them), e.g. ${rejected[0]!.settings}`);
  for (const c of s.counterexamples as CounterexampleLine[]) {
    const file = `${outDir}/${c.file}`;
    lines.push(
      `counterexample: ${file}: ${c.check} on ${c.partition} (run ${c.run})`,
      `  ${c.detail}`,
      `  faults (${c.faults.length}, shrunk from ${c.shrunkFrom} in ${c.tries} runs): ${c.faults.join('; ') || 'none'}`,
      ...(c.settings ? [`  settings: ${describeSettings(c.settings)}`] : []),
      `  replay: npx kafkasim run ${shellQuote(file)}`,
      `  test:   ${file.replace(/\.yaml$/, '.test.ts')}`,
    );
  }
  for (const c of s.crashes as CrashLine[]) {
    const file = `${outDir}/${c.file}`;
    lines.push(
      `internal error: ${file} (run ${c.run}): the simulator failed; please report it with this file`,
      `  ${c.error}`,
      `  faults (${c.faults.length}, shrunk from ${c.shrunkFrom} in ${c.tries} runs): ${c.faults.join('; ') || 'none'}`,
      `  replay: KAFKASIM_DEBUG=1 npx kafkasim run ${shellQuote(file)}`,
    );
  }
  lines.push(`results: ${outDir}/  (runs.jsonl, summary.json)`, `search again: ${s.command as string} --out ${shellQuote(outDir)}`);
  return lines.join('\n') + '\n';
}

/**
 * The base's text with `--liveness` applied: `liveness: D` (a duration, or `auto`: the bound the liveness
 * checks need, derived from the scenario's configs, rounded up to a second).
 */
function withLiveness(text: string, file: string, liveness: string | undefined): string {
  if (liveness === undefined) return text;
  let value = liveness;
  if (liveness === 'auto') value = `${Math.ceil(livenessBoundMs(parseScenario(text, file)) / 1000)}s`;
  else {
    try {
      parseDurationUs(liveness);
    } catch {
      throw new ExploreOptionError(`--liveness: got ${liveness}; expected a duration such as 80s, or auto`);
    }
  }
  const doc = parseDocument(text);
  doc.set('liveness', value);
  return doc.toString({ lineWidth: 0 });
}

async function exploreCommand(file: string, flags: ExploreFlags, io: ExploreIo, readText: (p: string) => string): Promise<number> {
  const text = withLiveness(readText(file), file, flags.liveness);
  const config = exploreConfig(parseScenario(text, file), text, file, flags, availableParallelism());
  const meta = { runs: config.runs ?? null, time: flags.time ?? null, shard: `${config.shard.index + 1}/${config.shard.count}` };
  const folder = new ResultFolder(config.outDir, identityOf(config.spec), meta);
  const runner = await createRunner(config.workers);
  const explorer = new Explorer(config, folder, runner, io);
  let signals = 0;
  const onSigint = () => {
    explorer.interrupted = true;
    if (++signals > 1) process.exit(130);
    io.err('\nstopping: finishing the runs in flight (Ctrl-C again to quit now)\n');
  };
  process.on('SIGINT', onSigint);
  try {
    await explorer.searchPhase();
    await explorer.shrinkPhase();
  } finally {
    process.off('SIGINT', onSigint);
    await runner.close();
  }
  const summary = explorer.summary();
  folder.write('summary.json', JSON.stringify(summary, null, 2) + '\n');
  io.out(config.json ? JSON.stringify(summary) + '\n' : formatSummary(summary, config.outDir));
  if (explorer.stats.crashes > 0) return 3;
  return explorer.failing.length > 0 ? 1 : explorer.interrupted ? 130 : 0;
}

function mergeCommand(dirs: string[], out: string, io: ExploreIo, json: boolean): number {
  const m = mergeFolders(dirs, out);
  const violations: Record<string, number> = {};
  for (const r of m.runs) for (const c of new Set(r.violations)) violations[c] = (violations[c] ?? 0) + 1;
  const summary = {
    base: m.identity.base,
    seed: m.identity.seed,
    shards: m.shards,
    runs: m.runs.length,
    violations,
    failingRuns: m.runs.filter((r) => r.violations.length > 0).map((r) => r.run),
    counterexamples: m.counterexamples,
  };
  writeFileSync(`${out}/summary.json`, JSON.stringify(summary, null, 2) + '\n');
  const text = [
    `merged ${dirs.length} folders (shards ${m.shards.join(', ')}) of ${m.identity.base}, search seed ${m.identity.seed}: ${m.runs.length} runs`,
    Object.keys(violations).length === 0
      ? 'violations: none'
      : `violations: ${Object.entries(violations)
          .map(([k, n]) => `${k} in ${n} runs`)
          .join(', ')}`,
    ...m.counterexamples.map((c) => `counterexample: ${out}/${c.file}: ${c.check} on ${c.partition} (run ${c.run}, ${c.faults.length} faults)`),
  ].join('\n');
  io.out(json ? JSON.stringify(summary) + '\n' : text + '\n');
  return m.counterexamples.length > 0 || Object.keys(violations).length > 0 ? 1 : 0;
}

/** A repeatable option's values. */
export function collect(v: string, prev: string[] | undefined): string[] {
  return [...(prev ?? []), v];
}

export function addExploreCommand(program: Command, io: ExploreIo, readText: (p: string) => string, setCode: (n: number) => void): void {
  // Options after a subcommand are its own (explore and explore merge both have --out and --json).
  program.enablePositionalOptions();
  const explore = program
    .command('explore')
    .enablePositionalOptions()
    .description('search fault schedules for a violation of the checks; shrink it and write it as a scenario to replay')
    .argument('<scenario>', 'the base scenario (its faults are replaced by drawn ones)')
    .option('-n, --runs <n>', 'runs of the search, over all shards (default 100; with --time alone, no limit)')
    .option('--time <duration>', 'stop starting runs after this wall time, e.g. 10m')
    .option('-w, --workers <k>', 'worker threads (default: the cores)')
    .option('--shard <i/n>', 'run only shard i of n: the run numbers r with r % n = i - 1 (merge the folders with explore merge)')
    .option('--faults <kinds>', 'fault kinds to draw: crash,power,partition,oneway,pause,slowdisk,diskfail (default crash,power,partition)')
    .option('--checks <names>', 'checks whose violations count (default all)')
    .option(
      '--vary <setting=v1,v2>',
      'each run draws one of these values of a setting (a Kafka config name, replication.factor or kafkaVersion, as compare.set names them), e.g. acks=all,1 (repeatable; shrinks towards the first)',
      collect,
    )
    .option('--liveness <duration>', 'add a liveness phase to each run: heal everything after the faults and run this long (auto: the bound the liveness checks need)')
    .option('--max-faults <n>', 'at most this many faults a run (default 4)')
    .option('--one-at-a-time', 'a fault starts only after the previous one ended and the cluster recovered (the broker session timeout + 6s)')
    .option('--quiet <duration>', 'fault-free time at the end of each run, to recover before the checks (default the broker session timeout + 6s)')
    .option('-s, --seed <n>', "the search's seed (default the scenario's)")
    .option('-o, --out <dir>', 'result folder (default explore-results/NAME); a folder of the same search resumes it')
    .option('--shrink-budget <n>', 'at most this many runs to shrink a failure (default 300)')
    .option('--keep-going', 'search on after a failure; shrink the first failure of each check')
    .option('--no-trace', "don't write counterexamples' traces")
    .option('--no-progress', 'no progress bar')
    .option('--json', 'print the summary as JSON')
    .action(async (file: string, flags: ExploreFlags) => setCode(await exploreCommand(file, flags, io, readText)));
  explore
    .command('merge')
    .description("combine the result folders of a search's shards")
    .argument('<dirs...>', 'result folders of explore --shard runs')
    .requiredOption('-o, --out <dir>', 'the merged folder')
    .option('--json', 'print the summary as JSON')
    .action((dirs: string[], opts: { out: string; json?: boolean }) => setCode(mergeCommand(dirs, opts.out, io, opts.json === true)));
}
