/**
 * Scenario files: YAML (or JSON) text → the validated, normalized {@link Scenario} the model runs.
 *
 * Two stages. A zod schema checks the raw shape (types, unknown keys, unit syntax); it is also the source
 * of the JSON Schema editors use (`schema/scenario.schema.json`). Then normalization converts units,
 * merges Kafka configs with the version's defaults, and checks cross-references (topics, brokers,
 * producers, labels). Every problem is collected with its path; {@link ScenarioError}'s message is the
 * first one in file order, on one line: `<source>: <path>: <problem> (got <value>); expected <what>`.
 */
import { z } from 'zod';
import { CHECK_NAMES, RECORD_COUNTERS } from '../checks/checks.js';
import { KAFKA_ERRORS } from '../trace/events.js';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node } from 'yaml';
import {
  CONFIG_CATALOGUE,
  ConfigError,
  convertConfigValue,
  KAFKA_VERSION_DEFAULT,
  kafkaVersions,
  BEHAVIOUR_KEYS,
  PROFILES,
  resolveBehaviour,
  resolveConfig,
  suggest,
  unknownConfigParts,
  type ConfigGroup,
} from '../config/config.js';
import type { Behaviour } from '../config/config.js';
import type {
  BrokerId,
  ConfigMap,
  ConsumerSpec,
  DiskSpec,
  ExpectSpec,
  Expectation,
  FaultSpec,
  KeySpec,
  LatencySpec,
  NetworkSpec,
  ProducerSpec,
  Scenario,
  Target,
  TopicSpec,
} from './types.js';
import {
  BANDWIDTH_EXPECTED,
  BANDWIDTH_PATTERN,
  DURATION_EXPECTED,
  DURATION_PATTERN,
  formatDurationUs,
  parseBandwidth,
  parseBytes,
  parseDurationUs,
  parseRatePerSec,
  problemText,
  RATE_EXPECTED,
  RATE_PATTERN,
  SIZE_EXPECTED,
  SIZE_PATTERN,
  UnitError,
  type ProblemParts,
} from '../config/units.js';

// ---------------------------------------------------------------------------------------------------
// Names the file may use

/** Invariant checks that `expect.violations` / `expect.noViolations` may name. */
export { CHECK_NAMES, type CheckName } from '../checks/checks.js';

/** Record counters of the run summary that `expect.records` may name. */
export { RECORD_COUNTERS } from '../checks/checks.js';

/**
 * Kafka error names (`org.apache.kafka.common.protocol.Errors`) that `expect.errors` may name: the ones a
 * producer can see, as the trace names them (sim/trace.ts).
 */
export const KAFKA_ERROR_NAMES = KAFKA_ERRORS.filter((e) => e !== 'NONE');

/** Fault verbs, in the order the file documents them. */
export const FAULT_VERBS = ['crash', 'restart', 'shutdown', 'pause', 'resume', 'slowDisk', 'restoreDisk', 'partition', 'heal'] as const;
type Verb = (typeof FAULT_VERBS)[number];

/** Network defaults: a LAN in one data centre (0.5 ms one way, exponential jitter of mean 0.1 ms, 10 GbE). */
export const DEFAULT_NETWORK: Readonly<NetworkSpec> = Object.freeze({ latency: Object.freeze({ baseUs: 500, jitterMeanUs: 100 }), nicBytesPerSec: 1.25e9, links: Object.freeze([]) as unknown as NetworkSpec['links'] });

/** Disk defaults: a datacentre NVMe SSD; Linux-like dirty page limits (vm.dirty_bytes 1 GiB, expire 30 s). */
export const DEFAULT_DISK: Readonly<DiskSpec> = Object.freeze({ writeBytesPerSec: 500e6, writeLatencyUs: 100, readBytesPerSec: 2e9, pageCacheBytes: 16 * 1024 ** 3, dirtyBytesMax: 1024 ** 3, dirtyExpireUs: 30_000_000 });

/** Default seed when the file gives none. */
export const DEFAULT_SEED = 1;
/** Default record value size. */
export const DEFAULT_RECORD_BYTES = 100;
/** Upper bound on `cluster.brokers` as a count (a guard against typos like 3000). */
export const MAX_BROKERS = 1000;

// ---------------------------------------------------------------------------------------------------
// Raw schema (zod). Leaf error messages are "expected …" phrases; see translateIssue.

const TARGET_EXPECTED =
  'a target: broker N (or bN, or N), leader of TOPIC-P, followers of TOPIC-P, follower of TOPIC-P, controller, all brokers, producer NAME, consumer NAME, or a label set by an earlier fault\'s as:';
const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
const NAME_EXPECTED = 'a name of letters, digits, ".", "_" or "-"';
const LABEL_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const LABEL_EXPECTED = 'a label: a letter, then letters, digits, ".", "_" or "-"';
const EXPECTATION_EXPECTED = 'a count (exact), or {min, max} or {eq}';

/** Config objects, so an unknown key in one is reported as an unknown Kafka config of its group. */
const CONFIG_OBJECTS = new WeakMap<object, ConfigGroup>();

function unitField(pattern: RegExp, expected: string, description: string) {
  return z
    .union([z.number({ error: expected }).nonnegative({ error: expected }), z.string({ error: expected }).regex(pattern, { error: expected })], { error: expected })
    .meta({ description });
}
const duration = (d: string) => unitField(DURATION_PATTERN, DURATION_EXPECTED, `${d} A duration: 30s, 250ms, 1.5s, 2m, 500us, 1h; a bare number means milliseconds.`);
const size = (d: string) => unitField(SIZE_PATTERN, SIZE_EXPECTED, `${d} A size: 100B, 1KB (1000), 16KiB (1024), 1MB, 1MiB, 1GB; a bare number means bytes.`);
const rate = (d: string) => unitField(RATE_PATTERN, RATE_EXPECTED, `${d} A rate: 5000/s, 100/ms, 60/m; a bare number means per second.`);
const bandwidth = (d: string) => unitField(BANDWIDTH_PATTERN, BANDWIDTH_EXPECTED, `${d} A bandwidth: 10Gbit/s, 1Gbps, 125MB/s, 100MiB/s; a bare number means bytes per second.`);
const count = (d: string, min = 0) => {
  const expected = `a whole number ≥ ${min}`;
  return z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).meta({ description: d });
};
const name = (d: string) => z.string().regex(NAME_PATTERN, { error: NAME_EXPECTED }).meta({ description: d });

const TargetSchema = z.union([z.string().min(1), z.number().int().nonnegative()], { error: TARGET_EXPECTED }).meta({ id: 'Target', description: TARGET_EXPECTED });
const TargetGroupSchema = z.union([TargetSchema, z.array(TargetSchema).min(1)], { error: `${TARGET_EXPECTED}, or a list of them` });
const CutSchema = z.union(
  [
    TargetSchema,
    z.strictObject({
      between: z.tuple([TargetGroupSchema, TargetGroupSchema], { error: 'two targets or lists of targets: [A, B]' }).meta({ description: 'Cut every link between group A and group B.' }),
      oneWay: z.boolean().optional().meta({ description: 'Cut only A → B (default false: both ways).' }),
    }),
  ],
  { error: `${TARGET_EXPECTED}, or {between: [A, B], oneWay}` },
).meta({ id: 'Cut', description: 'A target (isolated from every other node), or {between: [A, B], oneWay}.' });

function configSchema(group: ConfigGroup, what: string) {
  const shape: Record<string, z.ZodOptional<z.ZodType>> = {};
  for (const e of CONFIG_CATALOGUE[group]) {
    const unit = e.unit ? ` Unit: ${e.unit}.` : '';
    const value = z.union([z.number(), z.string(), z.boolean()], { error: 'a number, a string, true or false' });
    shape[e.name] = value.optional().meta({ description: `${e.doc}${unit} Default (Kafka ${KAFKA_VERSION_DEFAULT}): ${String(e.default)}.`, default: e.default });
  }
  const schema = z.strictObject(shape).meta({ description: `${what}, by Kafka's names.` });
  CONFIG_OBJECTS.set(schema, group);
  return schema;
}

const LinkSchema = z.strictObject({
  from: z.union([z.string(), z.number()]).meta({ description: 'A node: bN, broker N, controller, producer NAME, consumer NAME.' }),
  to: z.union([z.string(), z.number()]).meta({ description: 'A node, as from.' }),
  latency: duration('Fixed one-way delay of this link (default: the network\'s).').optional(),
  jitter: duration('Mean of the exponential extra delay (default: the network\'s).').optional(),
  oneWay: z.boolean().optional().meta({ description: 'Only from → to (default false: both directions).' }),
});

const NetworkSchema = z.strictObject({
  latency: duration('Fixed one-way delay of every link. Default 0.5ms.').optional(),
  jitter: duration('Mean of an exponential extra delay per message. Default 0.1ms.').optional(),
  bandwidth: bandwidth('NIC bandwidth of every node, each direction. Default 10Gbit/s.').optional(),
  links: z.array(LinkSchema).optional().meta({ description: 'Per-link latency overrides.' }),
});

const DiskSchema = z.strictObject({
  writeThroughput: bandwidth('Sequential write throughput (page-cache writeback, fsync). Default 500MB/s.').optional(),
  writeLatency: duration('Latency of one device write or fsync. Default 0.1ms.').optional(),
  readThroughput: bandwidth('Throughput of reads that miss the page cache. Default 2GB/s.').optional(),
  pageCache: size('Page cache for log data: reads of the last this-many written bytes come from memory, older ones from the disk at readThroughput. Default 16GiB.').optional(),
  dirtyMax: size('Dirty page-cache bytes above which appends block (vm.dirty_bytes). Default 1GiB.').optional(),
  dirtyExpire: duration('Age after which a dirty page is written back (vm.dirty_expire_centisecs). Default 30s.').optional(),
}).meta({ id: 'Disk', description: 'Disk model of a broker.' });

function behaviourField(key: keyof typeof BEHAVIOUR_KEYS) {
  const k = BEHAVIOUR_KEYS[key];
  const values = k.values;
  const schema = typeof values[0] === 'boolean' ? z.boolean() : z.enum(values as [string, ...string[]]);
  return schema.optional().meta({ description: k.doc });
}

const BehaviourSchema = z
  .strictObject({
    truncation: behaviourField('truncation'),
    controller: behaviourField('controller'),
    hwFrozenUnderMinIsr: behaviourField('hwFrozenUnderMinIsr'),
    eligibleLeaderReplicas: behaviourField('eligibleLeaderReplicas'),
    consumerTruncationDetection: behaviourField('consumerTruncationDetection'),
  })
  .meta({ description: 'Overrides of the kafkaVersion profile\'s behaviour, one by one (docs/profiles.md).' });

const ClusterSchema = z.strictObject({
  brokers: z
    .union([z.number().int().min(1).max(MAX_BROKERS), z.array(z.number().int().nonnegative()).min(1)], { error: `a broker count 1..${MAX_BROKERS}, or a list of broker ids such as [1, 2, 3]` })
    .meta({ description: 'A count n (brokers 1..n), or a list of broker ids (node.id).' }),
  kafkaVersion: z.union([z.string(), z.number()]).optional().meta({ description: `Behaviour profile, one of ${kafkaVersions().join(', ')}. Default ${KAFKA_VERSION_DEFAULT}.` }),
  behaviour: BehaviourSchema.optional(),
  config: configSchema('broker', 'Broker configs (server.properties)').optional(),
  network: NetworkSchema.optional(),
  disk: DiskSchema.optional(),
  disks: z.record(z.string(), DiskSchema).optional().meta({ description: 'Per-broker disk overrides, by broker id ("2", b2 or "broker 2").' }),
});

const TopicSchema = z.strictObject({
  name: z.string().min(1).meta({ description: 'Topic name (ASCII letters, digits, ".", "_", "-").' }),
  partitions: count('Partition count. Default: num.partitions (1).', 1).optional(),
  'replication.factor': count('Replicas per partition. Default: default.replication.factor (1).', 1).optional(),
  config: configSchema('topic', 'Topic config overrides').optional(),
  replicas: z
    .array(z.array(z.number().int().nonnegative()).min(1))
    .min(1)
    .optional()
    .meta({ description: 'Explicit replica assignment: one list of broker ids per partition, preferred leader first.' }),
});

const KeysSchema = z
  .union(
    [
      z.literal('none'),
      z.strictObject({
        uniform: count('Keys key-0 .. key-(N-1), drawn uniformly.', 1).optional(),
        zipf: count('N keys drawn with a Zipf skew.', 1).optional(),
        exponent: z.number().positive().optional().meta({ description: 'Zipf exponent s (default 1).' }),
        fixed: z.string().optional().meta({ description: 'One key for every record.' }),
      }),
    ],
    { error: 'none, {uniform: N}, {zipf: N, exponent: S} or {fixed: "key"}' },
  )
  .meta({ description: 'Record keys: none (null keys), {uniform: N}, {zipf: N, exponent: S}, {fixed: "key"}.' });

const ProducerSchema = z.strictObject({
  name: name('Producer name, unique among producers.'),
  topic: z.string().meta({ description: 'Topic it sends to.' }),
  rate: rate('Records per second the application calls send() at.'),
  recordSize: size('Value size of each record. Default 100B.').optional(),
  keys: KeysSchema.optional(),
  start: duration('When the application starts sending. Default 0s.').optional(),
  stop: duration('When it stops (default: the end of the run).').optional(),
  records: count('Stop after this many records.', 1).optional(),
  config: configSchema('producer', 'Producer configs').optional(),
});

const ConsumerSchema = z.strictObject({
  name: name('Consumer name, unique among consumers.'),
  topic: z.string().meta({ description: 'Topic it reads.' }),
  partitions: z.array(z.number().int().nonnegative()).min(1).optional().meta({ description: 'Partitions to read (default all).' }),
  from: z
    .union([z.enum(['earliest', 'latest']), z.number().int().nonnegative()], { error: 'earliest, latest or an offset (a whole number ≥ 0)' })
    .optional()
    .meta({ description: 'Start position: earliest (default), latest, or an offset.' }),
  start: duration('When the consumer starts. Default 0s.').optional(),
  config: configSchema('consumer', 'Consumer configs').optional(),
});

const FaultSchema = z
  .strictObject({
    at: duration('When the fault happens.'),
    crash: TargetSchema.optional().meta({ description: 'Stop the process abruptly (mode: process keeps the page cache; power loses unflushed data).' }),
    restart: TargetSchema.optional().meta({ description: 'Start a crashed or shut-down broker again.' }),
    shutdown: TargetSchema.optional().meta({ description: 'Controlled shutdown: leadership moves away first.' }),
    pause: TargetSchema.optional().meta({ description: 'Freeze the process (a GC stall) until resume.' }),
    resume: TargetSchema.optional().meta({ description: 'End a pause.' }),
    slowDisk: TargetSchema.optional().meta({ description: 'Make the disk factor times slower until restoreDisk.' }),
    restoreDisk: TargetSchema.optional().meta({ description: 'End a slowDisk.' }),
    partition: CutSchema.optional().meta({ description: 'Cut links: a target (isolated from every other node) or {between: [A, B], oneWay}.' }),
    heal: z.union([CutSchema, z.literal('all')]).optional().meta({ description: 'Restore links: all, or the same shapes as partition.' }),
    mode: z.enum(['process', 'power']).optional().meta({ description: 'For crash: process (default) or power.' }),
    factor: z.number().positive().optional().meta({ description: 'For slowDisk: how many times slower.' }),
    as: z.string().regex(LABEL_PATTERN, { error: LABEL_EXPECTED }).optional().meta({ description: 'Name the resolved target so later faults can refer to it.' }),
  })
  .meta({ description: 'One fault: at, exactly one verb, and its options.' });

const ExpectationSchema = z
  .union([count('Exact count.'), z.strictObject({ min: count('At least.').optional(), max: count('At most.').optional(), eq: count('Exactly.').optional() })], { error: EXPECTATION_EXPECTED })
  .meta({ id: 'Expectation', description: 'A count (exact) or {min, max} or {eq}.' });

function keyedExpectations(names: readonly string[], description: string) {
  return z.strictObject(Object.fromEntries(names.map((n) => [n, ExpectationSchema.optional()]))).meta({ description });
}

const ElectionsSchema = z
  .union(
    [
      count('Exact number of elections of any kind.'),
      z.strictObject({
        all: ExpectationSchema.optional(),
        clean: ExpectationSchema.optional(),
        unclean: ExpectationSchema.optional(),
        min: count('At least (all elections).').optional(),
        max: count('At most (all elections).').optional(),
        eq: count('Exactly (all elections).').optional(),
      }),
    ],
    { error: 'a count, {min, max} for all elections, or {all, clean, unclean}' },
  )
  .meta({ description: 'Leader elections: a count, {min, max}, or {all, clean, unclean} each an expectation.' });

const CheckNameSchema = z.enum(CHECK_NAMES);

const ExpectSchema = z.strictObject({
  records: keyedExpectations(RECORD_COUNTERS, 'Record counters of the run summary.').optional(),
  elections: ElectionsSchema.optional(),
  truncatedByBroker: z.record(z.string(), ExpectationSchema).optional().meta({ description: 'Records each broker removed from its log by truncation, by broker id: { "1": 8, "2": 3 }.' }),
  isrShrinks: ExpectationSchema.optional(),
  isrExpands: ExpectationSchema.optional(),
  errors: keyedExpectations(KAFKA_ERROR_NAMES, 'Errors producers saw (retried or final), by Kafka error name.').optional(),
  violations: z.array(CheckNameSchema).optional().meta({ description: 'Checks that must report a violation.' }),
  noViolations: z
    .union([z.literal('all'), z.array(CheckNameSchema)], { error: `all, or a list of checks: ${CHECK_NAMES.join(', ')}` })
    .optional()
    .meta({ description: 'Checks that must report none; all = every check not in violations. Default: none asserted.' }),
});

const ScenarioSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: 'Path or URL of this JSON Schema (for editors; ignored).' }),
    name: z.string().min(1).meta({ description: 'Scenario name.' }),
    description: z.string().optional().meta({ description: 'What the scenario shows.' }),
    seed: z.number().int().nonnegative().optional().meta({ description: `Seed when the command line gives none. Default ${DEFAULT_SEED}.` }),
    duration: duration('Simulated length of the run.'),
    cluster: ClusterSchema,
    topics: z.array(TopicSchema).optional(),
    producers: z.array(ProducerSchema).optional(),
    consumers: z.array(ConsumerSchema).optional(),
    faults: z.array(FaultSchema).optional().meta({ description: 'Faults; applied in time order (stable).' }),
    expect: ExpectSchema.optional().meta({ description: 'What the run must show; checked by kafkasim run (exit code 1 when it fails) and by the tests.' }),
  })
  .meta({ title: 'kafkasim scenario', description: 'A kafkasim scenario: a Kafka cluster, its workload, faults and expectations.' });

type RawScenario = z.infer<typeof ScenarioSchema>;
type RawTopic = z.infer<typeof TopicSchema>;
type RawProducer = z.infer<typeof ProducerSchema>;
type RawConsumer = z.infer<typeof ConsumerSchema>;
type RawFault = z.infer<typeof FaultSchema>;
type RawDisk = z.infer<typeof DiskSchema>;
type RawExpectation = z.infer<typeof ExpectationSchema>;
type RawTarget = z.infer<typeof TargetSchema>;
type RawCut = z.infer<typeof CutSchema>;

/**
 * A JSON Schema (draft-07) of the raw file, for editors (`# yaml-language-server: $schema=…` in YAML, or a
 * `$schema` key in JSON). Generated from the same zod schema parseScenario validates with.
 */
export function scenarioJsonSchema(): object {
  return z.toJSONSchema(ScenarioSchema, { io: 'input', target: 'draft-7' });
}

// ---------------------------------------------------------------------------------------------------
// Problems and errors

type Path = (string | number)[];

/** One problem found in a scenario. */
export interface ScenarioProblem {
  /** Where, e.g. `producers[0].config.ackz`; empty for the whole file. */
  path: string;
  /** What, on one line, without source and path. */
  message: string;
  /** 1-based position in the text, when known. */
  line?: number;
  col?: number;
}

/** A scenario that does not parse or validate. `message` is one line: the first problem in file order. */
export class ScenarioError extends Error {
  readonly source: string;
  /** Every problem found, in file order. */
  readonly problems: ScenarioProblem[];
  constructor(source: string, problems: ScenarioProblem[]) {
    const first = problems[0]!;
    super(first.path ? `${source}: ${first.path}: ${first.message}` : `${source}: ${first.message}`);
    this.name = 'ScenarioError';
    this.source = source;
    this.problems = problems;
  }
}

function formatPath(path: Path): string {
  return path.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');
}

interface Found {
  path: Path;
  parts: ProblemParts;
}

/** Collects problems during normalization; helpers return undefined after reporting. */
class Problems {
  readonly found: Found[] = [];
  report(path: Path, parts: ProblemParts): undefined {
    this.found.push({ path, parts });
    return undefined;
  }
  /** Runs a unit parser on an optional value; a UnitError becomes a problem at path. */
  unit(path: Path, raw: unknown, parse: (v: unknown) => number): number | undefined {
    if (raw === undefined) return undefined;
    try {
      return parse(raw);
    } catch (e) {
      if (e instanceof UnitError) return this.report(path, e.parts);
      throw e;
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Entry point

/**
 * Parses and validates a scenario from YAML or JSON text.
 * @param source the file name used in messages (default `<scenario>`).
 * @throws ScenarioError with every problem found; its message is the first, on one line.
 */
export function parseScenario(text: string, source = '<scenario>'): Scenario {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true, merge: true });
  if (doc.errors.length > 0) throw yamlError(doc, lines, source);
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    throw new ScenarioError(source, [{ path: '', message: `invalid YAML: ${firstLine(String(e instanceof Error ? e.message : e))}` }]);
  }
  const problems = new Problems();
  if (input === null || input === undefined) {
    throw new ScenarioError(source, [{ path: '', message: 'empty scenario; expected a mapping with name, duration and cluster' }]);
  }
  const parsed = ScenarioSchema.safeParse(input, { error: zodMessage });
  if (!parsed.success) {
    for (const issue of parsed.error.issues) translateIssue(issue, input, [], problems);
    throw scenarioError(source, problems, doc, lines);
  }
  const scenario = normalize(parsed.data, problems);
  if (problems.found.length > 0) throw scenarioError(source, problems, doc, lines);
  return scenario;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!.trim();
}

function yamlError(doc: Document, lines: LineCounter, source: string): ScenarioError {
  const problems = doc.errors.map((e) => {
    const { line, col } = lines.linePos(e.pos[0]);
    return { path: '', message: `invalid YAML: ${firstLine(e.message)}`, line, col };
  });
  const first = problems[0]!;
  const err = new ScenarioError(source, problems);
  // The position goes where the path would: `file.yaml:3:5: invalid YAML: …` is clickable in terminals.
  err.message = `${source}:${first.line}:${first.col}: ${first.message}`;
  return err;
}

function scenarioError(source: string, problems: Problems, doc: Document, lines: LineCounter): ScenarioError {
  const located = problems.found.map(({ path, parts }) => {
    const { order, ...pos } = positionOf(doc, lines, path);
    return { problem: { path: formatPath(path), message: problemText(parts), ...pos }, order };
  });
  located.sort((a, b) => a.order - b.order); // stable: the same place keeps discovery order
  return new ScenarioError(source, located.map((l) => l.problem));
}

/**
 * Line and column of the deepest node on the path (for a mapping entry its key, so the line reads well),
 * and an offset to sort by. A missing key can only point at its parent mapping; it sorts at the parent's
 * end, so a misspelt key inside the same mapping (`ratee` for a missing `rate`) is reported first.
 */
function positionOf(doc: Document, lines: LineCounter, path: Path): { line?: number; col?: number; order: number } {
  let node: unknown = doc.contents;
  let offset: number | undefined = rangeStart(node);
  let depth = 0;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? String(p.key.value) : String(p.key)) === String(seg));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number' && node.items[seg] !== undefined) {
      node = node.items[seg];
      offset = rangeStart(node) ?? offset;
    } else break;
    depth++;
  }
  const order = (depth === path.length ? offset : (node as Node | null)?.range?.[1]) ?? Infinity;
  return offset === undefined ? { order } : { ...lines.linePos(offset), order };
}

function rangeStart(node: unknown): number | undefined {
  return (node as Node | null)?.range?.[0];
}

// ---------------------------------------------------------------------------------------------------
// zod issues → problems

const TYPE_WORDS: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a mapping',
  array: 'a list',
};

/** Per-parse error map: every issue's message becomes an "expected …" phrase (or known keys, encoded). */
function zodMessage(iss: z.core.$ZodRawIssue): string | undefined {
  switch (iss.code) {
    case 'unrecognized_keys': {
      // The message carries what translateIssue needs for a did-you-mean: the object's keys and config group.
      const inst = iss.inst;
      const known = inst instanceof z.ZodObject ? Object.keys(inst.shape) : [];
      return JSON.stringify({ known, group: inst ? CONFIG_OBJECTS.get(inst) : undefined });
    }
    case 'invalid_type':
      return TYPE_WORDS[iss.expected] ?? iss.expected;
    case 'too_small':
      return iss.origin === 'array' ? `a list of at least ${String(iss.minimum)}` : iss.origin === 'string' ? 'a non-empty string' : `a number ${iss.inclusive ? '≥' : '>'} ${String(iss.minimum)}`;
    case 'too_big':
      return iss.origin === 'array' ? `a list of at most ${String(iss.maximum)}` : `a number ${iss.inclusive ? '≤' : '<'} ${String(iss.maximum)}`;
    case 'invalid_value':
      return `one of ${iss.values.map((v) => String(v)).join(', ')}`;
    default:
      return undefined;
  }
}

function valueAt(input: unknown, path: Path): { present: boolean; value?: unknown } {
  let v: unknown = input;
  for (const seg of path) {
    if (v === null || typeof v !== 'object' || !Object.hasOwn(v, seg)) return { present: false };
    v = (v as Record<string | number, unknown>)[seg];
  }
  return { present: true, value: v };
}

function translateIssue(issue: z.core.$ZodIssue, input: unknown, prefix: Path, out: Problems): void {
  const path = [...prefix, ...(issue.path as Path)];
  if (issue.code === 'unrecognized_keys') {
    for (const key of issue.keys) out.report([...path, key], unknownKeyParts(key, valueAt(input, [...path, key]).value, issue.message));
    return;
  }
  if (issue.code === 'invalid_union') {
    const branch = deepestBranch(issue.errors);
    if (branch) return branch.forEach((i) => translateIssue(i, input, path, out));
  }
  const at = valueAt(input, path);
  let parts: ProblemParts = at.present ? { expected: issue.message, got: at.value } : { problem: 'missing', expected: issue.message };
  if (issue.code === 'invalid_value' && typeof at.value === 'string') {
    const close = suggest(at.value, issue.values.map(String));
    if (close) parts = { ...parts, hint: `did you mean "${close}"?` };
  }
  out.report(path, parts);
}

/**
 * For a union none of whose options matched: the option that got furthest (its issues have the longest
 * paths, e.g. `{min: "x"}` failing inside `{min, max, eq}` rather than "not a number"), or undefined when
 * every option failed at the top, in which case the union's own message says what was expected.
 */
function deepestBranch(branches: z.core.$ZodIssue[][]): z.core.$ZodIssue[] | undefined {
  const depth = (b: z.core.$ZodIssue[]) => Math.max(...b.map((i) => (i.code === 'unrecognized_keys' ? 1 : i.path.length)));
  let best: z.core.$ZodIssue[] | undefined;
  for (const b of branches) if (b.length > 0 && depth(b) > 0 && (!best || depth(b) > depth(best))) best = b;
  return best;
}

function unknownKeyParts(key: string, got: unknown, encoded: string): ProblemParts {
  let info: { known: string[]; group?: ConfigGroup } = { known: [] };
  try {
    info = JSON.parse(encoded) as typeof info; // written by zodMessage
  } catch {
    // not ours (zod changed?): report the key without suggestions rather than fail
  }
  const { known, group } = info;
  if (group) return unknownConfigParts(group, key, got);
  const close = suggest(key, known);
  if (close) return { problem: 'unknown key', got, hint: `did you mean "${close}"?` };
  return { problem: 'unknown key', got, expected: `one of ${known.join(', ')}` };
}

// ---------------------------------------------------------------------------------------------------
// Normalization

/** What targets and node names can refer to. */
interface Env {
  brokers: BrokerId[];
  topics: Map<string, { partitions: number; rf: number }>;
  producers: Set<string>;
  consumers: Set<string>;
}

function normalize(raw: RawScenario, p: Problems): Scenario {
  const version = normVersion(raw.cluster.kafkaVersion, p);
  const brokerConfig = normConfig(['cluster', 'config'], 'broker', version, raw.cluster.config, p);
  const behaviour = resolveBehaviour(version, raw.cluster.behaviour as Partial<Behaviour> | undefined);
  checkBehaviourConfig(behaviour, raw.cluster.config ?? {}, p);
  const brokers = normBrokers(raw.cluster.brokers, p);
  const durationUs = positive(['duration'], p.unit(['duration'], raw.duration, parseDurationUs), raw.duration, DURATION_EXPECTED, p) ?? 0;
  const env: Env = { brokers, topics: new Map(), producers: new Set(), consumers: new Set() };
  const topics = normTopics(raw.topics ?? [], env, brokerConfig, p);
  const producers = normList(raw.producers ?? [], 'producers', env.producers, (r, i) => normProducer(r, i, version, env, durationUs, p), p);
  const consumers = normList(raw.consumers ?? [], 'consumers', env.consumers, (r, i) => normConsumer(r, i, version, env, durationUs, p), p);
  const cluster = {
    brokers,
    kafkaVersion: version,
    behaviour,
    config: brokerConfig,
    network: normNetwork(raw.cluster.network, env, p),
    disk: { ...DEFAULT_DISK, ...normDisk(['cluster', 'disk'], raw.cluster.disk, p) },
    brokerDisks: normBrokerDisks(raw.cluster.disks, env, p),
  };
  const faults = normFaults(raw.faults ?? [], env, durationUs, p);
  const scenario: Scenario = { name: raw.name, description: raw.description ?? '', seed: raw.seed ?? DEFAULT_SEED, durationUs, cluster, topics, producers, consumers, faults };
  if (raw.expect) scenario.expect = normExpect(raw.expect, env, p);
  return scenario;
}

function normVersion(raw: string | number | undefined, p: Problems): string {
  if (raw === undefined) return KAFKA_VERSION_DEFAULT;
  const v = String(raw);
  if (Object.hasOwn(PROFILES, v)) return v;
  const quoted = kafkaVersions().map((k) => `"${k}"`).join(', ');
  // An unquoted 0.10 or 3.10 is the YAML number 0.1 or 3.1: say so rather than "unknown version 0.1".
  const hint = typeof raw === 'number' ? 'write the version in quotes: a YAML number loses trailing zeros' : undefined;
  p.report(['cluster', 'kafkaVersion'], { problem: 'unknown Kafka version', got: raw, expected: `one of ${quoted}`, hint });
  return KAFKA_VERSION_DEFAULT;
}

/** Configs that only mean something under one controller, and an ELR switch the version lacks. */
function checkBehaviourConfig(b: Behaviour, raw: Record<string, unknown>, p: Problems): void {
  const path = (k: string): Path => ['cluster', 'config', k];
  const only = (k: string, controller: Behaviour['controller']) => {
    if (raw[k] !== undefined && b.controller !== controller) {
      p.report(path(k), { problem: `only applies with behaviour.controller: ${controller} (this cluster's controller is ${b.controller})`, got: raw[k] });
    }
  };
  only('zookeeper.session.timeout.ms', 'zookeeper');
  only('broker.session.timeout.ms', 'kraft');
  only('broker.heartbeat.interval.ms', 'kraft');
  const elr = raw['eligible.leader.replicas.version'];
  if (elr !== undefined && !b.eligibleLeaderReplicas && elr !== 0 && elr !== false && elr !== '0' && elr !== 'false') {
    p.report(path('eligible.leader.replicas.version'), { problem: 'this Kafka version has no Eligible Leader Replicas (KIP-966 arrived in 4.0)', got: elr, hint: 'use kafkaVersion "4.1", or set cluster.behaviour.eligibleLeaderReplicas: true' });
  }
}

/**
 * A config map with defaults. Each key is converted on its own so every bad key is reported; Kafka's
 * cross-key rules (producer idempotence) are checked once the keys are fine. `topic` keeps only overrides.
 */
function normConfig(path: Path, group: ConfigGroup, version: string, raw: Record<string, unknown> | undefined, p: Problems): ConfigMap {
  const overrides = raw ?? {};
  const converted: ConfigMap = {};
  let ok = true;
  for (const [k, v] of Object.entries(overrides)) {
    if (v === undefined) continue;
    try {
      converted[k] = convertConfigValue(group, k, v);
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      p.report([...path, k], e.parts);
      ok = false;
    }
  }
  if (group === 'topic') return converted;
  if (!ok) return resolveConfig(group, version, {});
  try {
    return resolveConfig(group, version, converted);
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    p.report([...path, e.key], e.parts);
    return resolveConfig(group, version, {});
  }
}

function normBrokers(raw: number | number[], p: Problems): BrokerId[] {
  if (typeof raw === 'number') return Array.from({ length: raw }, (_, i) => i + 1);
  raw.forEach((id, i) => {
    if (raw.indexOf(id) !== i) p.report(['cluster', 'brokers', i], { problem: 'duplicate broker id', got: id });
  });
  return [...new Set(raw)];
}

/** Applies `norm` to each entry and checks names are unique; `names` collects them for later references. */
function normList<R extends { name: string }, T>(raws: R[], key: string, names: Set<string>, norm: (r: R, i: number) => T | undefined, p: Problems): T[] {
  const out: T[] = [];
  raws.forEach((r, i) => {
    if (names.has(r.name)) p.report([key, i, 'name'], { problem: `duplicate ${key.replace(/s$/, '')} name`, got: r.name, expected: 'a name not used before in this list' });
    names.add(r.name);
    const t = norm(r, i);
    if (t !== undefined) out.push(t);
  });
  return out;
}

// --- network and disks

function latencyOf(path: Path, latency: unknown, jitter: unknown, base: LatencySpec, p: Problems): LatencySpec {
  return {
    baseUs: p.unit([...path, 'latency'], latency, parseDurationUs) ?? base.baseUs,
    jitterMeanUs: p.unit([...path, 'jitter'], jitter, parseDurationUs) ?? base.jitterMeanUs,
  };
}

function positive(path: Path, value: number | undefined, raw: unknown, expected: string, p: Problems): number | undefined {
  if (value === 0) return p.report(path, { problem: 'must be above 0', got: raw, expected });
  return value;
}

function normNetwork(raw: z.infer<typeof NetworkSchema> | undefined, env: Env, p: Problems): NetworkSpec {
  const path: Path = ['cluster', 'network'];
  const latency = latencyOf(path, raw?.latency, raw?.jitter, DEFAULT_NETWORK.latency, p);
  const nic = positive([...path, 'bandwidth'], p.unit([...path, 'bandwidth'], raw?.bandwidth, parseBandwidth), raw?.bandwidth, BANDWIDTH_EXPECTED, p);
  const links: NetworkSpec['links'] = [];
  (raw?.links ?? []).forEach((l, i) => {
    const lp = [...path, 'links', i];
    const from = nodeName([...lp, 'from'], l.from, env, p);
    const to = nodeName([...lp, 'to'], l.to, env, p);
    if (from !== undefined && from === to) p.report([...lp, 'to'], { problem: 'a link needs two different nodes', got: l.to });
    const lat = latencyOf(lp, l.latency, l.jitter, latency, p);
    if (from === undefined || to === undefined) return;
    links.push({ from, to, latency: lat });
    if (!l.oneWay) links.push({ from: to, to: from, latency: lat });
  });
  return { latency, nicBytesPerSec: nic ?? DEFAULT_NETWORK.nicBytesPerSec, links };
}

/** A trace node name: "b1", "ctl", "p:NAME", "c:NAME". */
function nodeName(path: Path, raw: string | number, env: Env, p: Problems): string | undefined {
  const text = String(raw).trim();
  if (/^(controller|ctl)$/i.test(text)) return 'ctl';
  const client = /^(?:(producer|consumer) +|(p|c):)(.+)$/i.exec(text);
  if (client) {
    const kind = (client[1] ?? client[2]!).toLowerCase().startsWith('p') ? 'producer' : 'consumer';
    const t = checkClient(path, kind, client[3]!.trim(), text, env, p);
    return t && `${kind[0]}:${t.name}`;
  }
  const id = brokerIdOf(text);
  if (id !== undefined) return checkBroker(path, id, text, env, p) ? `b${id}` : undefined;
  return p.report(path, { expected: 'a node: bN, broker N, controller, producer NAME or consumer NAME', got: raw });
}

function normDisk(path: Path, raw: RawDisk | undefined, p: Problems): Partial<DiskSpec> {
  if (!raw) return {};
  const out: Partial<DiskSpec> = {};
  const bw = (k: 'writeThroughput' | 'readThroughput') => positive([...path, k], p.unit([...path, k], raw[k], parseBandwidth), raw[k], BANDWIDTH_EXPECTED, p);
  const set = <K extends keyof DiskSpec>(k: K, v: DiskSpec[K] | undefined) => v !== undefined && (out[k] = v);
  set('writeBytesPerSec', bw('writeThroughput'));
  set('readBytesPerSec', bw('readThroughput'));
  set('writeLatencyUs', p.unit([...path, 'writeLatency'], raw.writeLatency, parseDurationUs));
  set('dirtyBytesMax', p.unit([...path, 'dirtyMax'], raw.dirtyMax, parseBytes));
  set('pageCacheBytes', p.unit([...path, 'pageCache'], raw.pageCache, parseBytes));
  set('dirtyExpireUs', p.unit([...path, 'dirtyExpire'], raw.dirtyExpire, parseDurationUs));
  return out;
}

function normBrokerDisks(raw: Record<string, RawDisk> | undefined, env: Env, p: Problems): Record<string, Partial<DiskSpec>> {
  const out: Record<string, Partial<DiskSpec>> = {};
  for (const [key, disk] of Object.entries(raw ?? {})) {
    const path: Path = ['cluster', 'disks', key];
    const id = brokerIdOf(key);
    if (id === undefined) {
      p.report(path, { problem: 'not a broker', got: key, expected: 'a broker id such as "2", b2 or "broker 2"' });
      continue;
    }
    if (!checkBroker(path, id, key, env, p)) continue;
    if (out[String(id)]) p.report(path, { problem: `broker ${id} has two disk overrides`, got: key });
    out[String(id)] = normDisk(path, disk, p);
  }
  return out;
}

// --- topics, producers, consumers

const TOPIC_NAME_ILLEGAL = "Topic name is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";

function normTopics(raws: RawTopic[], env: Env, brokerConfig: ConfigMap, p: Problems): TopicSpec[] {
  const names = new Set<string>();
  return normList(raws, 'topics', names, (r, i) => normTopic(r, i, env, brokerConfig, p), p).map((t) => {
    env.topics.set(t.name, { partitions: t.partitions, rf: t.replicationFactor });
    return t;
  });
}

function normTopic(raw: RawTopic, i: number, env: Env, brokerConfig: ConfigMap, p: Problems): TopicSpec | undefined {
  const path: Path = ['topics', i];
  checkTopicName([...path, 'name'], raw.name, p);
  const config = normConfig([...path, 'config'], 'topic', KAFKA_VERSION_DEFAULT, raw.config, p);
  if (raw.replicas) return topicWithAssignment(raw, path, env, config, p);
  const partitions = raw.partitions ?? (brokerConfig['num.partitions'] as number);
  const rf = raw['replication.factor'] ?? (brokerConfig['default.replication.factor'] as number);
  if (rf > env.brokers.length) {
    const where = raw['replication.factor'] === undefined ? path : [...path, 'replication.factor'];
    const from = raw['replication.factor'] === undefined ? ' (from default.replication.factor)' : '';
    p.report(where, { problem: `Replication factor: ${rf} larger than available brokers: ${env.brokers.length} (INVALID_REPLICATION_FACTOR)${from}`, expected: `at most ${env.brokers.length}` });
  }
  return { name: raw.name, partitions, replicationFactor: rf, config };
}

function checkTopicName(path: Path, name: string, p: Problems): void {
  if (!/^[a-zA-Z0-9._-]+$/.test(name)) p.report(path, { problem: TOPIC_NAME_ILLEGAL, got: name });
  else if (name.length > 249) p.report(path, { problem: 'Topic name is illegal, it can\'t be longer than 249 characters', got: name });
  else if (name === '.' || name === '..') p.report(path, { problem: 'Topic name cannot be "." or ".."', got: name });
}

/** `replicas` given: partitions and RF follow from it (as kafka-topics --replica-assignment), and must agree. */
function topicWithAssignment(raw: RawTopic, path: Path, env: Env, config: ConfigMap, p: Problems): TopicSpec {
  const assignment = raw.replicas!;
  const partitions = raw.partitions ?? assignment.length;
  const rf = raw['replication.factor'] ?? assignment[0]!.length;
  if (partitions !== assignment.length) {
    p.report([...path, 'replicas'], { problem: `${assignment.length} replica lists for ${partitions} partitions`, expected: 'one list per partition' });
  }
  assignment.forEach((list, j) => {
    const lp = [...path, 'replicas', j];
    if (list.length !== rf) p.report(lp, { problem: `All partitions should have the same number of replicas: ${list.length} for replication factor ${rf}`, got: list });
    const dup = list.filter((b, k) => list.indexOf(b) !== k);
    if (dup.length > 0) p.report(lp, { problem: `Duplicate brokers not allowed in replica assignment: ${dup.join(', ')} for partition id ${j}`, got: list });
    const unknown = list.filter((b) => !env.brokers.includes(b));
    if (unknown.length > 0) p.report(lp, { problem: `Unknown broker(s) in replica assignment: ${unknown.join(', ')}`, got: list, expected: `broker ids among ${env.brokers.join(', ')}` });
  });
  return { name: raw.name, partitions, replicationFactor: rf, config, replicaAssignment: assignment.map((l) => [...l]) };
}

function checkTopic(path: Path, topic: string, env: Env, p: Problems): { partitions: number; rf: number } | undefined {
  const t = env.topics.get(topic);
  if (t) return t;
  const close = suggest(topic, [...env.topics.keys()]);
  return p.report(path, { problem: 'unknown topic', got: topic, ...(close ? { hint: `did you mean "${close}"?` } : { expected: `one of the topics: ${[...env.topics.keys()].join(', ') || '(none defined)'}` }) });
}

function normTimes(path: Path, start: unknown, stop: unknown, durationUs: number, p: Problems): { startUs: number; stopUs?: number } {
  const startUs = p.unit([...path, 'start'], start, parseDurationUs) ?? 0;
  const stopUs = p.unit([...path, 'stop'], stop, parseDurationUs);
  if (durationUs > 0 && startUs > durationUs) p.report([...path, 'start'], { problem: `after the end of the run (${formatDurationUs(durationUs)})`, got: start });
  if (stopUs !== undefined && stopUs < startUs) p.report([...path, 'stop'], { problem: 'before start', got: stop, expected: `at least ${formatDurationUs(startUs)}` });
  return stopUs === undefined ? { startUs } : { startUs, stopUs };
}

function normKeys(path: Path, raw: RawProducer['keys'], p: Problems): KeySpec {
  if (raw === undefined || raw === 'none') return { kind: 'none' };
  const given = (['uniform', 'zipf', 'fixed'] as const).filter((k) => raw[k] !== undefined);
  if (given.length !== 1 || (raw.exponent !== undefined && given[0] !== 'zipf')) {
    p.report(path, { problem: 'one kind of keys per producer', got: raw, expected: 'none, {uniform: N}, {zipf: N, exponent: S} or {fixed: "key"}' });
    return { kind: 'none' };
  }
  if (raw.uniform !== undefined) return { kind: 'uniform', count: raw.uniform };
  if (raw.zipf !== undefined) return { kind: 'zipf', count: raw.zipf, exponent: raw.exponent ?? 1 };
  return { kind: 'fixed', key: raw.fixed! };
}

function normProducer(raw: RawProducer, i: number, version: string, env: Env, durationUs: number, p: Problems): ProducerSpec {
  const path: Path = ['producers', i];
  checkTopic([...path, 'topic'], raw.topic, env, p);
  const ratePerSec = positive([...path, 'rate'], p.unit([...path, 'rate'], raw.rate, parseRatePerSec), raw.rate, RATE_EXPECTED, p) ?? 0;
  const spec: ProducerSpec = {
    name: raw.name,
    topic: raw.topic,
    ratePerSec,
    recordBytes: p.unit([...path, 'recordSize'], raw.recordSize, parseBytes) ?? DEFAULT_RECORD_BYTES,
    keys: normKeys([...path, 'keys'], raw.keys, p),
    ...normTimes(path, raw.start, raw.stop, durationUs, p),
    config: normConfig([...path, 'config'], 'producer', version, raw.config, p),
  };
  if (raw.records !== undefined) spec.maxRecords = raw.records;
  return spec;
}

function normConsumer(raw: RawConsumer, i: number, version: string, env: Env, durationUs: number, p: Problems): ConsumerSpec {
  const path: Path = ['consumers', i];
  const topic = checkTopic([...path, 'topic'], raw.topic, env, p);
  (raw.partitions ?? []).forEach((n, j) => {
    if (topic && n >= topic.partitions) p.report([...path, 'partitions', j], { problem: `${raw.topic} has no partition ${n}`, got: n, expected: `a partition 0..${topic.partitions - 1}` });
    if (raw.partitions!.indexOf(n) !== j) p.report([...path, 'partitions', j], { problem: 'listed twice', got: n });
  });
  const spec: ConsumerSpec = {
    name: raw.name,
    topic: raw.topic,
    from: raw.from ?? 'earliest',
    startUs: normTimes(path, raw.start, undefined, durationUs, p).startUs,
    config: normConfig([...path, 'config'], 'consumer', version, raw.config, p),
  };
  if (raw.partitions) spec.partitions = [...raw.partitions];
  return spec;
}

// --- targets

/** `3`, `b3`, `broker 3` → 3. */
function brokerIdOf(text: string): number | undefined {
  const m = /^(?:broker\s*|b)?(\d+)$/i.exec(text.trim());
  return m ? Number(m[1]) : undefined;
}

function checkBroker(path: Path, id: number, got: unknown, env: Env, p: Problems): boolean {
  if (env.brokers.includes(id)) return true;
  return !!p.report(path, { problem: `no broker ${id}`, got, expected: `one of the brokers ${env.brokers.join(', ')}` });
}

function checkClient(path: Path, kind: 'producer' | 'consumer', name: string, got: unknown, env: Env, p: Problems): { name: string } | undefined {
  const names = kind === 'producer' ? env.producers : env.consumers;
  if (names.has(name)) return { name };
  const close = suggest(name, [...names]);
  return p.report(path, { problem: `unknown ${kind}`, got, ...(close ? { hint: `did you mean "${kind} ${close}"?` } : { expected: `one of: ${[...names].join(', ') || `(no ${kind}s defined)`}` }) });
}

/** Target syntax that is not a label; `undefined` when the text does not look like one (so it may be a label). */
function builtinTarget(text: string): { target: Target } | { bad: ProblemParts } | undefined {
  const t = text.trim().replace(/\s+/g, ' ');
  const id = brokerIdOf(t);
  if (id !== undefined) return { target: { kind: 'broker', id } };
  if (/^(controller|ctl)$/i.test(t)) return { target: { kind: 'controller' } };
  if (/^all brokers$/i.test(t)) return { target: { kind: 'allBrokers' } };
  const client = /^(producer|consumer) (.+)$/i.exec(t);
  if (client) return { target: { kind: client[1]!.toLowerCase() as 'producer' | 'consumer', name: client[2]! } };
  const role = /^(leader|followers|follower) of (.+)$/i.exec(t);
  if (!role) return undefined;
  const tp = /^(.+)-(\d+)$/.exec(role[2]!);
  if (!tp) return { bad: { problem: 'a partition is named TOPIC-N', got: text, expected: `${role[1]!.toLowerCase()} of ${role[2]}-0 (for partition 0)` } };
  return { target: { kind: role[1]!.toLowerCase() as 'leader' | 'followers' | 'follower', topic: tp[1]!, partition: Number(tp[2]) } };
}

/** A built-in target's references exist: broker, topic and partition, producer, consumer. */
function checkTarget(path: Path, t: Target, got: unknown, env: Env, p: Problems): boolean {
  switch (t.kind) {
    case 'broker':
      return checkBroker(path, t.id, got, env, p);
    case 'producer':
    case 'consumer':
      return !!checkClient(path, t.kind, t.name, got, env, p);
    case 'leader':
    case 'follower':
    case 'followers':
      return checkPartition(path, t, got, env, p);
    default:
      return true;
  }
}

function checkPartition(path: Path, t: { kind: string; topic: string; partition: number }, got: unknown, env: Env, p: Problems): boolean {
  const topic = env.topics.get(t.topic);
  if (!topic) {
    const close = suggest(t.topic, [...env.topics.keys()]);
    return !!p.report(path, { problem: `unknown topic "${t.topic}"`, got, ...(close ? { hint: `did you mean "${close}"?` } : {}) });
  }
  if (t.partition >= topic.partitions) return !!p.report(path, { problem: `${t.topic} has no partition ${t.partition}`, got, expected: `a partition 0..${topic.partitions - 1}` });
  if (t.kind !== 'leader' && topic.rf < 2) return !!p.report(path, { problem: `${t.topic}-${t.partition} has replication factor 1, so no followers`, got });
  return true;
}

/** Labels in effect while walking faults in time order: defined so far, and all (to explain "defined later"). */
interface Labels {
  defined: Set<string>;
  later: Map<string, string>;
}

function resolveTarget(path: Path, raw: RawTarget, env: Env, labels: Labels, p: Problems): Target | undefined {
  const text = String(raw);
  const parsed = builtinTarget(text);
  if (parsed && 'bad' in parsed) return p.report(path, parsed.bad);
  if (parsed) return checkTarget(path, parsed.target, raw, env, p) ? parsed.target : undefined;
  if (labels.defined.has(text)) return { kind: 'label', label: text };
  const later = labels.later.get(text);
  if (later) return p.report(path, { problem: `label "${text}" is only defined later (${later})`, got: raw, expected: 'a label defined by an earlier fault' });
  const close = suggest(text, [...labels.defined]);
  return p.report(path, { problem: 'unknown target', got: raw, ...(close ? { hint: `did you mean "${close}"?` } : { expected: TARGET_EXPECTED }) });
}

function targetText(t: Target): string {
  switch (t.kind) {
    case 'broker':
      return `broker ${t.id}`;
    case 'leader':
    case 'follower':
    case 'followers':
      return `${t.kind} of ${t.topic}-${t.partition}`;
    case 'controller':
      return 'controller';
    case 'allBrokers':
      return 'all brokers';
    case 'producer':
    case 'consumer':
      return `${t.kind} ${t.name}`;
    case 'label':
      return t.label;
  }
}

// --- faults

interface Timed {
  raw: RawFault;
  index: number;
  atUs: number;
}

function normFaults(raws: RawFault[], env: Env, durationUs: number, p: Problems): FaultSpec[] {
  const timed: Timed[] = raws.map((raw, index) => ({ raw, index, atUs: p.unit(['faults', index, 'at'], raw.at, parseDurationUs) ?? 0 }));
  timed.sort((a, b) => a.atUs - b.atUs); // Array.prototype.sort is stable: same time keeps file order
  const labels: Labels = { defined: new Set(), later: new Map() };
  for (const t of timed) if (t.raw.as) labels.later.set(t.raw.as, `faults[${t.index}] at ${formatDurationUs(t.atUs)}`);
  const out: FaultSpec[] = [];
  for (const t of timed) {
    if (durationUs > 0 && t.atUs > durationUs) p.report(['faults', t.index, 'at'], { problem: `after the end of the run (${formatDurationUs(durationUs)})`, got: t.raw.at });
    const f = normFault(t, env, labels, p);
    if (f) out.push(f);
    if (t.raw.as) labels.defined.add(t.raw.as);
  }
  return out;
}

function faultVerb(path: Path, raw: RawFault, p: Problems): Verb | undefined {
  const verbs = FAULT_VERBS.filter((v) => raw[v] !== undefined);
  if (verbs.length === 1) return verbs[0];
  if (verbs.length === 0) return p.report(path, { problem: 'a fault needs a verb', got: raw, expected: `one of ${FAULT_VERBS.join(', ')}` });
  return p.report(path, { problem: `one verb per fault, got ${verbs.join(' and ')}`, expected: 'a separate fault for each' });
}

function checkFaultOptions(path: Path, verb: Verb, raw: RawFault, p: Problems): void {
  if (raw.mode !== undefined && verb !== 'crash') p.report([...path, 'mode'], { problem: 'mode applies to crash only', got: raw.mode });
  if (raw.factor !== undefined && verb !== 'slowDisk') p.report([...path, 'factor'], { problem: 'factor applies to slowDisk only', got: raw.factor });
  if (verb === 'slowDisk' && raw.factor === undefined) p.report(path, { problem: 'slowDisk needs a factor', expected: 'factor: N (N times slower)' });
  const single = verb !== 'heal' && (verb !== 'partition' || typeof raw.partition !== 'object');
  if (raw.as !== undefined && !single) p.report([...path, 'as'], { problem: 'as: needs a fault with a single target', got: raw.as });
  if (raw.as !== undefined && (builtinTarget(raw.as) || /^all$/i.test(raw.as))) {
    p.report([...path, 'as'], { problem: 'this label reads as a target', got: raw.as, expected: 'a name such as old-leader or victim' });
  }
}

function normFault(t: Timed, env: Env, labels: Labels, p: Problems): FaultSpec | undefined {
  const path: Path = ['faults', t.index];
  const verb = faultVerb(path, t.raw, p);
  if (!verb) return undefined;
  checkFaultOptions(path, verb, t.raw, p);
  const as = t.raw.as !== undefined ? { as: t.raw.as } : {};
  if (verb === 'partition' || verb === 'heal') return cutFault(path, verb, t, env, labels, p);
  const target = resolveTarget([...path, verb], t.raw[verb]!, env, labels, p);
  if (!target) return undefined;
  if ((verb === 'slowDisk' || verb === 'restoreDisk') && (target.kind === 'producer' || target.kind === 'consumer')) {
    return p.report([...path, verb], { problem: `${verb} acts on a broker's disk`, got: t.raw[verb], expected: 'a broker target' });
  }
  const text = `${verb} ${targetText(target)}`;
  if (verb === 'crash') {
    const mode = t.raw.mode ?? 'process';
    return { atUs: t.atUs, verb, target, mode, ...as, text: `${text}${mode === 'power' ? ' (power loss)' : ''}${t.raw.as ? ` as ${t.raw.as}` : ''}` };
  }
  if (verb === 'slowDisk') return { atUs: t.atUs, verb, target, factor: t.raw.factor ?? 1, ...as, text: `${text} ×${t.raw.factor ?? 1}` };
  return { atUs: t.atUs, verb, target, ...as, text: `${text}${t.raw.as ? ` as ${t.raw.as}` : ''}` };
}

function cutFault(path: Path, verb: 'partition' | 'heal', t: Timed, env: Env, labels: Labels, p: Problems): FaultSpec | undefined {
  const raw = t.raw[verb]!;
  const vp = [...path, verb];
  if (verb === 'heal' && typeof raw === 'string' && /^all$/i.test(raw.trim())) return { atUs: t.atUs, verb, text: 'heal all' };
  const shape = cutShape(vp, verb, raw as RawCut, env, labels, p);
  if (!shape) return undefined;
  const as = verb === 'partition' && t.raw.as !== undefined ? { as: t.raw.as } : {};
  return { atUs: t.atUs, verb, ...shape.spec, ...as, text: `${verb} ${shape.text}` };
}

function cutShape(path: Path, verb: 'partition' | 'heal', raw: RawCut, env: Env, labels: Labels, p: Problems): { spec: Pick<Extract<FaultSpec, { verb: 'partition' }>, 'isolate' | 'between'>; text: string } | undefined {
  if (typeof raw !== 'object') {
    const isolate = resolveTarget(path, raw, env, labels, p);
    return isolate && { spec: { isolate }, text: `${verb === 'partition' ? 'isolate ' : ''}${targetText(isolate)}` };
  }
  const side = (k: 0 | 1) => {
    const group = raw.between[k];
    const targets = Array.isArray(group)
      ? group.map((r, j) => resolveTarget([...path, 'between', k, j], r, env, labels, p))
      : [resolveTarget([...path, 'between', k], group, env, labels, p)];
    return targets.every((x) => x !== undefined) ? (targets as Target[]) : undefined;
  };
  const a = side(0);
  const b = side(1);
  if (!a || !b) return undefined;
  const group = (ts: Target[]) => (ts.length === 1 ? targetText(ts[0]!) : `[${ts.map(targetText).join(', ')}]`);
  const oneWay = raw.oneWay ?? false;
  return { spec: { between: { a, b, oneWay } }, text: `between ${group(a)} and ${group(b)}${oneWay ? ' (one way)' : ''}` };
}

// --- expectations

function normExpectation(path: Path, raw: RawExpectation, p: Problems): Expectation | undefined {
  if (typeof raw === 'number') return { eq: raw };
  const out: Expectation = {};
  for (const k of ['eq', 'min', 'max'] as const) if (raw[k] !== undefined) out[k] = raw[k];
  if (Object.keys(out).length === 0) return p.report(path, { problem: 'empty expectation', got: raw, expected: EXPECTATION_EXPECTED });
  if (out.eq !== undefined && (out.min !== undefined || out.max !== undefined)) return p.report(path, { problem: 'eq together with min or max', got: raw, expected: EXPECTATION_EXPECTED });
  if (out.min !== undefined && out.max !== undefined && out.min > out.max) return p.report(path, { problem: 'min is above max', got: raw });
  return out;
}

function normKeyed(path: Path, raw: Record<string, RawExpectation | undefined> | undefined, p: Problems): Record<string, Expectation> {
  const out: Record<string, Expectation> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    const e = v === undefined ? undefined : normExpectation([...path, k], v, p);
    if (e) out[k] = e;
  }
  return out;
}

function normElections(raw: z.infer<typeof ElectionsSchema> | undefined, p: Problems): ExpectSpec['elections'] {
  const path: Path = ['expect', 'elections'];
  if (raw === undefined) return {};
  if (typeof raw === 'number') return { all: { eq: raw } };
  const { all, clean, unclean, ...range } = raw;
  const hasRange = Object.values(range).some((v) => v !== undefined);
  if (hasRange && (all !== undefined || clean !== undefined || unclean !== undefined)) {
    return p.report(path, { problem: 'mixes {min, max, eq} with all/clean/unclean', got: raw, expected: '{min, max} for all elections, or {all, clean, unclean}' }) ?? {};
  }
  if (hasRange) return { all: normExpectation(path, range, p) };
  const out: ExpectSpec['elections'] = {};
  for (const [k, v] of Object.entries({ all, clean, unclean })) {
    const e = v === undefined ? undefined : normExpectation([...path, k], v, p);
    if (e) out[k as 'all' | 'clean' | 'unclean'] = e;
  }
  return out;
}

function normExpect(raw: NonNullable<RawScenario['expect']>, env: Env, p: Problems): ExpectSpec {
  const violations = [...new Set(raw.violations ?? [])];
  const noViolations = raw.noViolations ?? [];
  if (Array.isArray(noViolations)) {
    noViolations.forEach((c, i) => {
      if (violations.includes(c)) p.report(['expect', 'noViolations', i], { problem: 'also listed in violations', got: c });
    });
  }
  const spec: ExpectSpec = {
    records: normKeyed(['expect', 'records'], raw.records, p),
    elections: normElections(raw.elections, p),
    errors: normKeyed(['expect', 'errors'], raw.errors, p),
    violations,
    noViolations: Array.isArray(noViolations) ? [...new Set(noViolations)] : 'all',
  };
  const shrinks = raw.isrShrinks === undefined ? undefined : normExpectation(['expect', 'isrShrinks'], raw.isrShrinks, p);
  const expands = raw.isrExpands === undefined ? undefined : normExpectation(['expect', 'isrExpands'], raw.isrExpands, p);
  if (shrinks) spec.isrShrinks = shrinks;
  if (raw.truncatedByBroker !== undefined) {
    const by: Record<string, Expectation> = {};
    for (const [key, v] of Object.entries(raw.truncatedByBroker)) {
      const path: Path = ['expect', 'truncatedByBroker', key];
      const id = brokerIdOf(key);
      if (id === undefined) p.report(path, { problem: 'not a broker', got: key, expected: 'a broker id such as "2", b2 or "broker 2"' });
      else if (checkBroker(path, id, key, env, p)) {
        const e = normExpectation(path, v, p);
        if (e) by[String(id)] = e;
      }
    }
    spec.truncatedByBroker = by;
  }
  if (expands) spec.isrExpands = expands;
  return spec;
}
