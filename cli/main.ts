/**
 * The `kafkasim` command line: run a scenario (human report or JSON, NDJSON trace, Kafka-like what-if
 * overrides), validate scenarios, print the JSON Schema, hash a trace file, list scenarios, and show what
 * Kafka's partition assignors give a consumer group (`assign`).
 *
 * Exit codes: 0 ok; 1 the scenario's expect block failed (unless --no-expect skips it); 2 bad input (scenario, config, file, option);
 * 3 an internal error of the simulator.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { parse as parseYaml, parseDocument } from 'yaml';
import {
  ConfigError,
  evaluateExpect,
  type ExpectEvaluation,
  parseScenario,
  scenarioJsonSchema,
  PlanSettingError,
  ScenarioError,
  type Scenario,
  type RunSummary,
  createSimulation,
  parseDurationUs,
  UnitError,
} from '../sim/index.js';
import { addAssignCommand, AssignInputError } from './assign.js';
import { addExploreCommand, ExploreFolderError, ExploreOptionError } from './explore.js';
import { addPlanCommand } from './plan.js';
import { budgetRefusal } from './budget.js';
import { formatRunReport, reproduceCommand } from './format.js';
import { applyOverrides, blame, hasOverrides, OverrideError, overrideFlags, type AppliedOverride, type Overrides } from './overrides.js';
import { hashTraceFile, NdjsonWriter, TraceFileError } from './trace-file.js';

/** Bad input: printed as one line, exit code 2. */
export class InputError extends Error {}

/** Where output goes; tests may pass their own. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
}

const processIo: Io = {
  out: (t) => void process.stdout.write(t),
  err: (t) => void process.stderr.write(t),
};

const SCENARIO_EXTENSIONS = /\.(ya?ml|json)$/i;

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'not a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'ENOSPC':
      return 'no space left on device';
    case 'EROFS':
      return 'read-only file system';
    case 'EDQUOT':
      return 'disk quota exceeded';
    case 'EIO':
      return 'input/output error';
    default:
      return err.message ?? String(e);
  }
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new InputError(`cannot read ${path}: ${errnoText(e)}`);
  }
}

function packageVersion(): string {
  try {
    const pkg = JSON.parse(readFileSync(fileURLToPath(new URL('../../package.json', import.meta.url)), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function parseSeed(text: string): number {
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(Number(text))) throw new InputError(`--seed expects a whole number ≥ 0 (got "${text}")`);
  return Number(text);
}

function parseUntil(text: string, flag = '--until'): number {
  try {
    const us = parseDurationUs(/^\d+(\.\d+)?$/.test(text) ? Number(text) : text);
    if (us <= 0) throw new InputError(`${flag} must be above 0 (got "${text}")`);
    return us;
  } catch (e) {
    if (e instanceof UnitError) throw new InputError(`${flag}: ${e.message}`);
    throw e;
  }
}

/**
 * Reads and validates a scenario, with the overrides applied to the raw object first.
 * Throws ScenarioError / InputError for bad input.
 */
export function loadScenario(file: string, o: Overrides): Scenario {
  const text = readText(file);
  if (!hasOverrides(o)) return parseScenario(text, file);
  const doc = parseDocument(text, { prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) return parseScenario(text, file); // throws the positioned YAML error
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: 1000 });
  } catch {
    return parseScenario(text, file);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return parseScenario(text, file);
  let applied: AppliedOverride[];
  try {
    applied = applyOverrides(raw, o);
  } catch (e) {
    if (e instanceof OverrideError) throw new InputError(e.message);
    throw e;
  }
  try {
    return parseScenario(JSON.stringify(raw), file);
  } catch (e) {
    if (e instanceof ScenarioError) {
      const flag = blame(e.problems[0]?.path ?? '', applied);
      throw new InputError(flag ? `${e.message} (from ${flag})` : e.message);
    }
    throw e;
  }
}

// ---------------------------------------------------------------------------------------------------
// run

interface RunOptions {
  seed?: string;
  trace?: string;
  json?: boolean;
  until?: string;
  config?: string[];
  topicConfig?: string[];
  producerProperty?: string[];
  consumerProperty?: string[];
  set?: string[];
  /** False with --no-expect: the scenario's expect: block is neither evaluated nor enforced. */
  expect?: boolean;
  /** --groups-at: simulated times to describe the consumer groups at. */
  groupsAt?: string[];
}

/** Whether two paths name the same file: the same path, or (for files that exist) the same inode. */
function sameFile(a: string, b: string): boolean {
  if (resolve(a) === resolve(b)) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** The NDJSON trace writer `--trace` asks for (none without it); never over an input of the run. */
function openTraceWriter(path: string | undefined, inputs: string[]): NdjsonWriter | undefined {
  if (path === undefined) return undefined;
  if (path !== '-') {
    const input = inputs.find((i) => i !== '-' && sameFile(path, i));
    if (input !== undefined) throw new InputError(`refusing to write the trace to ${path}: it is the run's input ${input}; choose another file`);
  }
  try {
    return new NdjsonWriter(path);
  } catch (e) {
    throw new InputError(`cannot write the trace to ${path}: ${errnoText(e)}`);
  }
}

/** Runs the scenario (to the end, or to `untilUs`) and returns its summary, or the internal error it hit. */
function runToSummary(scenario: Scenario, seed: number, writer: NdjsonWriter | undefined, untilUs: number | undefined, groupsAtUs: number[] = []): RunSummary | Error {
  try {
    const sim = createSimulation(scenario, { seed, sinks: writer ? [writer] : [], groupsAtUs });
    if (untilUs === undefined) sim.run();
    else {
      sim.runUntil(untilUs);
      // Stopped early: close the trace the way the end of a run does, so checks see an end.
      sim.stop();
    }
    const summary = sim.summary();
    writer?.close();
    if (writer?.error !== undefined) throw writer.error;
    return summary;
  } catch (e) {
    try {
      writer?.close();
    } catch {
      // the internal error is the one to report
    }
    // A failed write of the trace is the user's (a full disk, a closed device): exit 2, not an internal error.
    if (writer?.error !== undefined) throw new InputError(`cannot write the trace to ${writer.path}: ${errnoText(writer.error)}`);
    return e instanceof Error ? e : new Error(String(e));
  }
}

function runCommand(file: string, opts: RunOptions, io: Io): number {
  const overrides: Overrides = {
    set: opts.set ?? [],
    config: opts.config ?? [],
    topicConfig: opts.topicConfig ?? [],
    producerProperty: opts.producerProperty ?? [],
    consumerProperty: opts.consumerProperty ?? [],
  };
  const seedOpt = opts.seed === undefined ? undefined : parseSeed(opts.seed);
  const untilUs = opts.until === undefined ? undefined : parseUntil(opts.until);
  const groupsAtUs = (opts.groupsAt ?? []).flatMap((t) => t.split(',')).map((t) => parseUntil(t.trim(), '--groups-at'));
  if (opts.trace === '-' && opts.json) throw new InputError('--trace - and --json both write to stdout; write the trace to a file');
  const scenario = loadScenario(file, overrides);
  const tooBig = budgetRefusal(scenario);
  if (tooBig !== undefined) throw new InputError(tooBig);
  const seed = seedOpt ?? scenario.seed;
  const skipExpect = opts.expect === false;
  const flags = [...(opts.until !== undefined ? ['--until', opts.until] : []), ...(skipExpect ? ['--no-expect'] : []), ...overrideFlags(overrides)];
  const reproduce = reproduceCommand(file, seed, flags);

  const writer = openTraceWriter(opts.trace, [file]);
  const report = opts.trace === '-' ? io.err : io.out;

  const started = performance.now();
  const summary = runToSummary(scenario, seed, writer, untilUs, groupsAtUs);
  if (summary instanceof Error) {
    if (process.env.KAFKASIM_DEBUG) io.err(`${summary.stack}\n`);
    io.err(`kafkasim: internal error: ${summary.message} (scenario ${scenario.name}, seed ${seed}; reproduce: ${reproduce})\n`);
    return 3;
  }
  const wallMs = Math.round((performance.now() - started) * 1000) / 1000;
  const stoppedEarly = untilUs !== undefined && summary.simulatedMs * 1000 < scenario.durationUs;
  const evaluation: ExpectEvaluation | undefined = scenario.expect && !skipExpect ? evaluateExpect(scenario.expect, summary) : undefined;
  const enforced = !stoppedEarly;

  if (opts.json) {
    const out = {
      ...summary,
      ...(evaluation ? { expect: { ...evaluation, enforced } } : {}),
      ...(skipExpect && scenario.expect ? { expectSkipped: true } : {}),
      ...(untilUs !== undefined ? { untilMs: untilUs / 1000 } : {}),
      ...(writer ? { traceFile: opts.trace } : {}),
      wallMs,
      reproduce,
    };
    io.out(JSON.stringify(out) + '\n');
  } else {
    report(
      formatRunReport(summary, {
        file,
        wallMs,
        reproduce,
        ...(evaluation ? { expect: evaluation, expectEnforced: enforced } : {}),
        ...(skipExpect && scenario.expect ? { expectSkipped: true } : {}),
        ...(stoppedEarly ? { untilMs: untilUs / 1000 } : {}),
        ...(opts.trace !== undefined ? { traceFile: opts.trace } : {}),
      }),
    );
  }
  if (writer?.broken) io.err('kafkasim: the trace reader closed stdout; the trace is incomplete\n');
  return evaluation && enforced && !evaluation.passed ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------------
// validate, schema, hash, list

function validateCommand(files: string[], io: Io): number {
  let bad = 0;
  for (const file of files) {
    try {
      const s = parseScenario(readText(file), file);
      io.out(`ok  ${file}  (${s.name})\n`);
    } catch (e) {
      bad++;
      if (e instanceof ScenarioError) {
        for (const p of e.problems) {
          const pos = p.line !== undefined ? `:${p.line}:${p.col}` : '';
          io.err(`kafkasim: ${file}${pos}: ${p.path ? `${p.path}: ` : ''}${p.message}\n`);
        }
      } else if (e instanceof InputError || e instanceof ConfigError) io.err(`kafkasim: ${e.message}\n`);
      else throw e;
    }
  }
  return bad > 0 ? 2 : 0;
}

function hashCommand(file: string, io: Io): number {
  try {
    const { hash } = hashTraceFile(file);
    io.out(`${hash}\n`);
    return 0;
  } catch (e) {
    if (e instanceof TraceFileError) throw new InputError(e.message);
    if ((e as NodeJS.ErrnoException).code) throw new InputError(`cannot read ${file}: ${errnoText(e)}`);
    throw e;
  }
}

function scenarioFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (SCENARIO_EXTENSIONS.test(entry.name)) out.push(p);
    }
  };
  walk(dir);
  return out;
}

function listCommand(dirArg: string | undefined, io: Io): number {
  let dir = dirArg ?? 'scenarios';
  if (dirArg === undefined && !existsSync(dir)) dir = fileURLToPath(new URL('../../scenarios', import.meta.url));
  try {
    if (!statSync(dir).isDirectory()) throw new InputError(`${dir} is not a directory`);
  } catch (e) {
    if (e instanceof InputError) throw e;
    throw new InputError(`cannot list ${dir}: ${errnoText(e)}`);
  }
  const rows: string[][] = [];
  for (const file of scenarioFiles(dir)) {
    let name = '';
    let description = '';
    try {
      const raw = parseYaml(readFileSync(file, 'utf8')) as { name?: unknown; title?: unknown; description?: unknown } | null;
      name = typeof raw?.name === 'string' ? raw.name : '';
      // Its title, else the first line of its description.
      if (typeof raw?.title === 'string') description = raw.title;
      else description = typeof raw?.description === 'string' ? (raw.description.trim().split('\n')[0] ?? '') : '';
    } catch {
      description = '(not valid YAML; kafkasim validate explains)';
    }
    if (description.length > 110) description = `${description.slice(0, 109)}…`;
    rows.push([file, name, description]);
  }
  if (rows.length === 0) {
    io.out(`no scenarios in ${dir}\n`);
    return 0;
  }
  const width = Math.max(...rows.map((r) => r[0]!.length));
  const nameWidth = Math.max(...rows.map((r) => r[1]!.length));
  for (const [f, n, d] of rows) io.out(`${f!.padEnd(width)}  ${n!.padEnd(nameWidth)}  ${d}`.trimEnd() + '\n');
  return 0;
}

// ---------------------------------------------------------------------------------------------------
// main

function buildProgram(io: Io, setCode: (n: number) => void): Command {
  const program = new Command('kafkasim');
  program
    .description('A deterministic, in-process simulator of an Apache Kafka cluster.')
    .version(packageVersion(), '-V, --version')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.out, writeErr: io.err, outputError: () => {} })
    .addHelpText(
      'after',
      `
Exit codes: 0 ok, 1 an expect: block failed (--no-expect skips it), 2 bad input, 3 internal error.

Examples:
  kafkasim run scenarios/killed-leader.yaml
  kafkasim run scenarios/killed-leader.yaml --seed 7 --json
  kafkasim run scenarios/killed-leader.yaml --producer-property acks=1 --trace run.ndjson
  kafkasim run scenarios/killed-leader.yaml --config min.insync.replicas=3 --topic-config 'orders:unclean.leader.election.enable=true'
  kafkasim run scenarios/acks1-leader-loss.yaml --producer-property acks=all --no-expect   # a what-if: report only
  kafkasim assign --assignor cooperative-sticky --topics orders:6,audit:3 --members c1,c2,c3   # what Kafka would assign`,
    );

  program
    .command('run')
    .description('run a scenario and report what happened')
    .argument('<scenario>', 'scenario file (YAML or JSON)')
    .option('-s, --seed <n>', "seed of the run (default: the scenario's seed)")
    .option('-t, --trace <file>', 'stream the trace as NDJSON to file (- for stdout; the report then goes to stderr)')
    .option('--json', 'print the run summary as one JSON object instead of the report')
    .option('--until <duration>', 'stop at this simulated time (e.g. 30s); expectations are then shown but not enforced')
    .option('--no-expect', "skip the scenario's expect: block (for what-ifs that change the outcome): exit 0 unless the run fails")
    .option('--groups-at <durations>', 'also describe the consumer groups (kafka-consumer-groups --describe) at these simulated times, e.g. 20s,30s (repeatable)', collect)
    .option('-c, --config <key=value>', 'broker config for every broker, like server.properties (repeatable)', collect)
    .option('--topic-config <topic:key=value>', 'topic config, like kafka-configs --entity-type topics; topic * = all (repeatable)', collect)
    .option('--producer-property <key=value>', 'config of every producer, like kafka-console-producer --producer-property (repeatable)', collect)
    .option('--consumer-property <key=value>', 'config of every consumer (repeatable)', collect)
    .option('--set <path=value>', 'any scenario field by dotted path: duration=30s, topics.0.partitions=6, producers.p1.rate=500/s (repeatable)', collect)
    .action((file: string, opts: RunOptions) => setCode(runCommand(file, opts, io)));

  program
    .command('validate')
    .description('check scenario files; prints ok or every problem')
    .argument('<scenario...>', 'scenario files')
    .action((files: string[]) => setCode(validateCommand(files, io)));

  program
    .command('schema')
    .description('print the JSON Schema of scenario files')
    .action(() => {
      io.out(JSON.stringify(scenarioJsonSchema(), null, 2) + '\n');
      setCode(0);
    });

  program
    .command('hash')
    .description('recompute the trace hash of an NDJSON trace file')
    .argument('<trace>', 'trace file written by kafkasim run --trace')
    .action((file: string) => setCode(hashCommand(file, io)));

  program
    .command('list')
    .description('list scenarios: file, name, title (or the first line of the description)')
    .argument('[dir]', 'directory to search (default: scenarios)')
    .action((dir: string | undefined) => setCode(listCommand(dir, io)));

  addToolCommands(program, io, setCode);

  return program;
}

/** assign, explore and plan: commands of their own modules. */
function addToolCommands(program: Command, io: Io, setCode: (n: number) => void): void {
  addAssignCommand(program, io.out, readText, setCode);
  const withTty = { ...io, tty: io === processIo && process.stderr.isTTY === true };
  addExploreCommand(program, withTty, readText, setCode);
  addPlanCommand(program, withTty, readText, setCode);
}

/** One line for a CommanderError message: without "error: ", newlines joined. */
function commanderMessage(e: CommanderError): string {
  return e.message
    .replace(/^error: /, '')
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .join(' ');
}

let epipeGuard = false;

/** A reader that goes away (`kafkasim run … | head`) ends the output quietly, not with an EPIPE stack. */
function guardStdout(): void {
  if (epipeGuard) return;
  epipeGuard = true;
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw e;
    });
  }
}

/** Runs the CLI with arguments (without node and script) and returns the exit code. */
export async function main(argv: string[], io: Io = processIo): Promise<number> {
  if (io === processIo) guardStdout();
  let code = 0;
  const program = buildProgram(io, (n) => (code = n));
  if (argv.length === 0) {
    io.err(program.helpInformation());
    return 2;
  }
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return 0;
      if (e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync') return 2;
      io.err(`kafkasim: ${commanderMessage(e)}\n`);
      return 2;
    }
    if (
      e instanceof InputError ||
      e instanceof AssignInputError ||
      e instanceof ExploreOptionError ||
      e instanceof PlanSettingError ||
      e instanceof ExploreFolderError ||
      e instanceof ScenarioError ||
      e instanceof ConfigError ||
      e instanceof UnitError
    ) {
      io.err(`kafkasim: ${e.message.split('\n')[0]}\n`);
      return 2;
    }
    if (process.env.KAFKASIM_DEBUG && e instanceof Error) io.err(`${e.stack}\n`);
    io.err(`kafkasim: internal error: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}\n`);
    return 3;
  }
}
