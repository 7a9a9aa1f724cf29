/**
 * The raw shape of a scenario file as zod schemas: types, unknown keys, unit syntax. Leaf error messages are
 * "expected …" phrases (see problems.ts). Also the source of the JSON Schema editors use.
 */
import { z } from 'zod';
import { CHECK_NAMES, RECORD_COUNTERS } from '../checks/checks.js';
import { CONFIG_CATALOGUE, KAFKA_VERSION_DEFAULT, kafkaVersions, BEHAVIOUR_KEYS, type ConfigGroup } from '../config/config.js';
import { BANDWIDTH_EXPECTED, BANDWIDTH_PATTERN, DURATION_EXPECTED, DURATION_PATTERN, RATE_EXPECTED, RATE_PATTERN, SIZE_EXPECTED, SIZE_PATTERN } from '../config/units.js';
import { KAFKA_ERROR_NAMES, DEFAULT_SEED, GROUP_COUNTERS, LIMITS, MAX_BROKERS, SETTING_EXPECTED } from './names.js';
import { DEFAULT_HARDWARE, HARDWARE_PRESETS } from './hardware.js';

export const TARGET_EXPECTED =
  "a target: broker N (or bN, or N), leader of TOPIC-P, followers of TOPIC-P, follower of TOPIC-P, controller, all brokers, rack NAME, producer NAME, consumer NAME, coordinator of group NAME, or a label set by an earlier fault's as:";
const NAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
const NAME_EXPECTED = 'a name of letters, digits, ".", "_" or "-"';
const LABEL_PATTERN = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
const LABEL_EXPECTED = 'a label: a letter, then letters, digits, ".", "_" or "-"';
export const EXPECTATION_EXPECTED = 'a count (exact), or {min, max} or {eq}';

/** Config objects, so an unknown key in one is reported as an unknown Kafka config of its group. */
export const CONFIG_OBJECTS = new WeakMap<object, ConfigGroup>();

function unitField(pattern: RegExp, expected: string, description: string) {
  return z.union([z.number({ error: expected }).nonnegative({ error: expected }), z.string({ error: expected }).regex(pattern, { error: expected })], { error: expected }).meta({ description });
}
const duration = (d: string) => unitField(DURATION_PATTERN, DURATION_EXPECTED, `${d} A duration: 30s, 250ms, 1.5s, 2m, 500us, 1h; a bare number means milliseconds.`);
const size = (d: string) => unitField(SIZE_PATTERN, SIZE_EXPECTED, `${d} A size: 100B, 1KB (1000), 16KiB (1024), 1MB, 1MiB, 1GB; a bare number means bytes.`);
const rate = (d: string) => unitField(RATE_PATTERN, RATE_EXPECTED, `${d} A rate: 5000/s, 100/ms, 60/m; a bare number means per second.`);
const bandwidth = (d: string) => unitField(BANDWIDTH_PATTERN, BANDWIDTH_EXPECTED, `${d} A bandwidth: 10Gbit/s, 1Gbps, 125MB/s, 100MiB/s; a bare number means bytes per second.`);
const count = (d: string, min = 0) => {
  const expected = `a whole number ≥ ${min}`;
  return z.number({ error: expected }).int({ error: expected }).min(min, { error: expected }).meta({ description: d });
};
const name = (d: string) =>
  z
    .string()
    .regex(NAME_PATTERN, { error: NAME_EXPECTED })
    .max(LIMITS.nameLength, { error: `at most ${LIMITS.nameLength} characters` })
    .meta({ description: d });

/** An array of at most `max` items, saying so when it has more. */
const upTo = <T extends z.ZodType>(item: T, max: number, what: string) => z.array(item).max(max, { error: `at most ${max.toLocaleString('en-US')} ${what} (kafkasim's limit)` });

const TargetSchema = z.union([z.string().min(1), z.number().int().nonnegative()], { error: TARGET_EXPECTED }).meta({ id: 'Target', description: TARGET_EXPECTED });
const TargetGroupSchema = z.union([TargetSchema, z.array(TargetSchema).min(1)], { error: `${TARGET_EXPECTED}, or a list of them` });
const CutSchema = z
  .union(
    [
      TargetSchema,
      z.strictObject({
        between: z.tuple([TargetGroupSchema, TargetGroupSchema], { error: 'two targets or lists of targets: [A, B]' }).meta({ description: 'Cut every link between group A and group B.' }),
        oneWay: z.boolean().optional().meta({ description: 'Cut only A → B (default false: both ways).' }),
      }),
    ],
    { error: `${TARGET_EXPECTED}, or {between: [A, B], oneWay}` },
  )
  .meta({ id: 'Cut', description: 'A target (isolated from every other node), or {between: [A, B], oneWay}.' });

function configSchema(group: ConfigGroup, what: string) {
  const shape: Record<string, z.ZodOptional<z.ZodType>> = {};
  for (const e of CONFIG_CATALOGUE[group]) {
    const unit = e.unit ? ` Unit: ${e.unit}.` : '';
    const value = z.union([z.number(), z.string(), z.boolean()], { error: 'a number, a string, true or false' });
    shape[e.name] = value.optional().meta({ description: `${e.doc}${unit} Default (Kafka ${KAFKA_VERSION_DEFAULT}): ${e.default === '' ? 'empty' : String(e.default)}.`, default: e.default });
  }
  const schema = z.strictObject(shape).meta({ description: `${what}, by Kafka's names.` });
  CONFIG_OBJECTS.set(schema, group);
  return schema;
}

const lossField = (d: string) =>
  z.union([z.number(), z.string()]).meta({
    description: `${d} The probability that one transmission of a packet is lost: 0.01 or 1%. TCP sends it again after a loss probe (10 ms or two round trips), then after retransmission timeouts (200 ms, doubling) if that is lost too, so a loss delays the message and those behind it on its connection; nothing is lost.`,
  });

const LinkSchema = z.strictObject({
  from: z.union([z.string(), z.number()]).meta({ description: 'A node: bN, broker N, controller, producer NAME, consumer NAME.' }),
  to: z.union([z.string(), z.number()]).meta({ description: 'A node, as from.' }),
  latency: duration("Fixed one-way delay of this link (default: the network's).").optional(),
  jitter: duration("Mean of the exponential extra delay (default: the network's).").optional(),
  loss: lossField("Packet loss on this link (default: the network's).").optional(),
  oneWay: z.boolean().optional().meta({ description: 'Only from → to (default false: both directions).' }),
});

export const NetworkSchema = z.strictObject({
  latency: duration('Fixed one-way delay of every link. Default 0.5ms.').optional(),
  jitter: duration('Mean of an exponential extra delay per message. Default 0.1ms.').optional(),
  bandwidth: bandwidth('NIC bandwidth of every node, each direction. Default 10Gbit/s.').optional(),
  loss: lossField('Packet loss of every link. Default 0.').optional(),
  links: z.array(LinkSchema).optional().meta({ description: 'Per-link latency and loss overrides.' }),
});

const DiskSchema = z
  .strictObject({
    writeThroughput: bandwidth('Sequential write throughput (page-cache writeback, fsync). Default 500MB/s.').optional(),
    writeLatency: duration('Latency of one device write or fsync. Default 0.1ms.').optional(),
    readThroughput: bandwidth('Throughput of reads that miss the page cache. Default 2GB/s.').optional(),
    pageCache: size('Page cache for log data: reads of the last this-many written bytes come from memory, older ones from the disk at readThroughput. Default 16GiB.').optional(),
    dirtyMax: size('Dirty page-cache bytes above which appends block (vm.dirty_bytes). Default 1GiB.').optional(),
    dirtyExpire: duration('Age after which a dirty page is written back (vm.dirty_expire_centisecs). Default 30s.').optional(),
  })
  .meta({ id: 'Disk', description: 'Disk model of a broker.' });

const MachineSchema = z
  .union(
    [
      z.string(),
      z.strictObject({
        preset: z
          .string()
          .optional()
          .meta({ description: `A hardware preset: ${Object.keys(HARDWARE_PRESETS).join(', ')} (docs/capacity.md). Default ${DEFAULT_HARDWARE}.` }),
        cores: z.number().int().min(1).max(1024).optional().meta({ description: "Cores (hardware threads, a cloud instance's vCPUs) the broker's threads run on. Default: the preset's." }),
        bandwidth: bandwidth("NIC bandwidth each direction. Default: the preset's (the cluster's network.bandwidth when set).").optional(),
      }),
    ],
    { error: `a hardware preset (${Object.keys(HARDWARE_PRESETS).join(', ')}) or {preset, cores, bandwidth}` },
  )
  .meta({
    id: 'Machine',
    description: `A machine: a preset name (${Object.keys(HARDWARE_PRESETS).join(', ')}) or {preset, cores, bandwidth}. The preset sets the NIC, the disk, the page cache and the cores; network: and disk: fields override it.`,
  });

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
    rackAwareAssignment: behaviourField('rackAwareAssignment'),
    messageFormat: behaviourField('messageFormat'),
  })
  .meta({ description: "Overrides of the kafkaVersion profile's behaviour, one by one (docs/profiles.md)." });

const ClusterSchema = z.strictObject({
  brokers: z
    .union([z.number().int().min(1).max(MAX_BROKERS), z.array(z.number().int().nonnegative().max(LIMITS.brokerId)).min(1).max(MAX_BROKERS)], {
      error: `a broker count 1..${MAX_BROKERS}, or a list of broker ids such as [1, 2, 3]`,
    })
    .meta({ description: 'A count n (brokers 1..n), or a list of broker ids (node.id).' }),
  kafkaVersion: z
    .union([z.string(), z.number()])
    .optional()
    .meta({ description: `Behaviour profile, one of ${kafkaVersions().join(', ')}. Default ${KAFKA_VERSION_DEFAULT}.` }),
  behaviour: BehaviourSchema.optional(),
  config: configSchema('broker', 'Broker configs (server.properties)').optional(),
  network: NetworkSchema.optional(),
  disk: DiskSchema.optional(),
  disks: z.record(z.string(), DiskSchema).optional().meta({ description: 'Per-broker disk overrides, by broker id ("2", b2 or "broker 2").' }),
  hardware: MachineSchema.optional(),
  machines: z
    .record(z.string(), MachineSchema)
    .optional()
    .meta({ description: 'Per-broker machines, by broker id ("2", b2 or "broker 2"): another preset, cores or NIC for that broker (its disk from the preset, under disks: overrides).' }),
  racks: z
    .array(z.union([z.string().regex(NAME_PATTERN, { error: `a rack: ${NAME_EXPECTED}` }), z.number().int().nonnegative()], { error: `a rack: ${NAME_EXPECTED}` }))
    .min(1)
    .optional()
    .meta({ description: 'broker.rack of each broker, in the order of brokers: [a, a, b, b, c, c]. Replica placement spreads each partition over racks; faults can target "rack a".' }),
});

const TopicSchema = z.strictObject({
  name: z.string().min(1).meta({ description: 'Topic name (ASCII letters, digits, ".", "_", "-").' }),
  partitions: count('Partition count. Default: num.partitions (1).', 1)
    .max(LIMITS.partitions, { error: `at most ${LIMITS.partitions.toLocaleString('en-US')} partitions (kafkasim's limit, Kafka's guidance for a KRaft cluster)` })
    .optional(),
  'replication.factor': count('Replicas per partition. Default: default.replication.factor (1).', 1)
    .max(MAX_BROKERS, { error: `at most ${MAX_BROKERS} (and no more than the brokers)` })
    .optional(),
  config: configSchema('topic', 'Topic config overrides').optional(),
  replicas: upTo(z.array(z.number().int().nonnegative().max(LIMITS.brokerId)).min(1).max(MAX_BROKERS), LIMITS.partitions, 'partitions')
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
  compressionRatio: z.number().min(1, { error: 'a compression ratio of at least 1 (uncompressed bytes / compressed bytes)' }).max(1000).optional().meta({
    description:
      "Uncompressed bytes / compressed bytes of this workload's batches under its compression.type. Default per codec: gzip 3, snappy 2, lz4 2, zstd 3 (docs/capacity.md). Ignored with compression.type none.",
  }),
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
  instances: count('Run this many identical consumers, named NAME-1 … NAME-N (a group.instance.id gets the same suffix). Default 1.', 1).optional(),
  processing: duration("The application's time per record returned by poll(): records are processed one after the other before the next poll(). Default 0s.").optional(),
  workers: count(
    'Worker threads: poll() hands its records to this many workers (each takes processing per record) and polls again while fewer than max.poll.records wait; auto-commit then counts records the workers have not finished. Needs processing.',
    1,
  ).optional(),
  commit: z.enum(['none', 'afterProcessing', 'beforeProcessing']).optional().meta({
    description:
      'When the application calls commitSync() itself: none (default; enable.auto.commit may still commit), afterProcessing (at-least-once), beforeProcessing (at-most-once: right after poll(), before processing). Needs group.id.',
  }),
  config: configSchema('consumer', 'Consumer configs').optional(),
});

export const FaultSchema = z
  .strictObject({
    at: duration('When the fault happens.'),
    crash: TargetSchema.optional().meta({ description: 'Stop the process abruptly (mode: process keeps the page cache; power loses unflushed data).' }),
    restart: TargetSchema.optional().meta({ description: 'Start a crashed or shut-down broker again.' }),
    shutdown: TargetSchema.optional().meta({ description: 'Controlled shutdown: leadership moves away first.' }),
    pause: TargetSchema.optional().meta({ description: 'Freeze the process (a GC stall) until resume.' }),
    resume: TargetSchema.optional().meta({ description: 'End a pause.' }),
    slowDisk: TargetSchema.optional().meta({ description: 'Make the disk factor times slower until restoreDisk.' }),
    restoreDisk: TargetSchema.optional().meta({ description: 'End a slowDisk.' }),
    failDisk: TargetSchema.optional().meta({
      description:
        "A broker's disk fails (KIP-112, KIP-858): the partitions of that log directory go offline on the broker (KAFKA_STORAGE_ERROR), it tells the controller at once, and their leadership and ISR move to other replicas. With dir, one log directory; without, every disk, and the broker halts.",
    }),
    replaceDisk: TargetSchema.optional().meta({
      description:
        'Replace a failed disk with an empty, formatted one and start the broker with it (Kafka reads log.dirs only at startup): a running broker first shuts down (controlled). It then copies its replicas of that disk back from their leaders.',
    }),
    partition: CutSchema.optional().meta({ description: 'Cut links: a target (isolated from every other node) or {between: [A, B], oneWay}.' }),
    heal: z
      .union([CutSchema, z.literal('all')])
      .optional()
      .meta({ description: 'Restore links: all, or the same shapes as partition.' }),
    electLeaders: z.literal('preferred', { error: 'preferred (kafka-leader-election --election-type preferred)' }).optional().meta({
      description:
        "Admin ElectLeaders (kafka-leader-election --election-type preferred): the controller moves each partition's leadership back to its preferred replica (the first in its assignment) where that replica is in the ISR and active.",
    }),
    for: z.string().min(1).optional().meta({ description: 'For electLeaders: a topic (all its partitions) or one partition TOPIC-N (default: every partition).' }),
    createPartitions: z.string().min(1).optional().meta({
      description: 'Admin CreatePartitions (kafka-topics --alter --partitions): add partitions to this topic, up to increaseTo; producers then map keys over the new count.',
    }),
    increaseTo: z.number().int().positive().max(LIMITS.partitions).optional().meta({ description: 'For createPartitions: the new partition count (NewPartitions.increaseTo).' }),
    addBroker: z
      .union([z.number().int().nonnegative().max(LIMITS.brokerId), z.string()])
      .optional()
      .meta({
        description: 'Start a new broker with this id (not in cluster.brokers): it registers with the controller and hosts nothing until a reassignment or new partitions place replicas on it.',
      }),
    reassign: z
      .record(z.string(), z.array(z.number().int().nonnegative().max(LIMITS.brokerId)).min(1).max(MAX_BROKERS))
      .optional()
      .meta({
        description:
          'Partition reassignment (kafka-reassign-partitions --execute, Admin AlterPartitionReassignments): TOPIC-N → its target replicas, preferred leader first. New replicas join as followers, catch up, and the old ones leave.',
      }),
    throttle: z
      .union([z.literal(-1), z.number().nonnegative(), z.string()], { error: 'a bandwidth such as 1MB/s, or -1 (no throttle)' })
      .optional()
      .meta({
        description: "For reassign: leader.replication.throttled.rate on the brokers involved (kafka-reassign-partitions --throttle), e.g. 1MB/s; -1 (the tool's default): none.",
      }),
    unregisterBroker: z
      .union([z.number().int().nonnegative().max(LIMITS.brokerId), z.string()])
      .optional()
      .meta({
        description: "Admin UnregisterBroker (kafka-cluster unregister): the controller removes the broker's registration; it leaves every ISR and leadership.",
      }),
    mode: z.enum(['process', 'power']).optional().meta({ description: 'For crash: process (default) or power.' }),
    factor: z.number().positive().optional().meta({ description: 'For slowDisk: how many times slower.' }),
    dir: z.string().optional().meta({ description: 'For slowDisk, restoreDisk, failDisk and replaceDisk: one log directory (of log.dirs) of the broker; without it, every disk of the broker.' }),
    as: z.string().regex(LABEL_PATTERN, { error: LABEL_EXPECTED }).optional().meta({ description: 'Name the resolved target so later faults can refer to it.' }),
  })
  .meta({ description: 'One fault: at, exactly one verb, and its options.' });

const ExpectationSchema = z
  .union([count('Exact count.'), z.strictObject({ min: count('At least.').optional(), max: count('At most.').optional(), eq: count('Exactly.').optional() })], { error: EXPECTATION_EXPECTED })
  .meta({ id: 'Expectation', description: 'A count (exact) or {min, max} or {eq}.' });

const RangeSchema = z
  .strictObject({
    min: z.number({ error: 'a number ≥ 0' }).nonnegative({ error: 'a number ≥ 0' }).optional().meta({ description: 'At least.' }),
    max: z.number({ error: 'a number ≥ 0' }).nonnegative({ error: 'a number ≥ 0' }).optional().meta({ description: 'At most.' }),
  })
  .meta({ id: 'Range', description: "A measured figure's bounds: {min, max} (either or both)." });

const PercentilesSchema = z
  .strictObject({ p50: RangeSchema.optional(), p99: RangeSchema.optional(), p999: RangeSchema.optional() })
  .meta({ description: 'Latency percentiles, ms: p50, p99, p99.9 (p999).' });

function keyedExpectations(names: readonly string[], description: string) {
  return z.strictObject(Object.fromEntries(names.map((n) => [n, ExpectationSchema.optional()]))).meta({ description });
}

export const ElectionsSchema = z
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
  keysMoved: ExpectationSchema.optional().meta({ description: 'Keys that mapped to another partition when producers learned of added partitions (summed over producers).' }),
  reassignmentsCompleted: ExpectationSchema.optional().meta({ description: 'Partition reassignments the controller completed.' }),
  reassignmentDoneMs: ExpectationSchema.optional().meta({ description: 'When the last reassignment completed, ms from the start.' }),
  recordsPerSec: RangeSchema.optional().meta({
    description: "Records acknowledged per second of simulated time (acknowledged records / the run's length), as kafkasim plan's records/s.",
  }),
  latencyMs: z
    .strictObject({
      produce: PercentilesSchema.optional().meta({ description: 'send() to acknowledgement, per record.' }),
      endToEnd: PercentilesSchema.optional().meta({ description: 'send() to a consumer receiving it, per record.' }),
    })
    .optional()
    .meta({ description: 'Latency percentiles of the run summary, ms.' }),
  errors: keyedExpectations(KAFKA_ERROR_NAMES, 'Errors producers saw (retried or final), by Kafka error name.').optional(),
  groups: z
    .record(z.string(), keyedExpectations(GROUP_COUNTERS, 'Counters of one consumer group.'))
    .optional()
    .meta({ description: `Consumer groups by group.id, each with expectations on: ${GROUP_COUNTERS.join(', ')}.` }),
  violations: z.array(CheckNameSchema).optional().meta({ description: 'Checks that must report a violation.' }),
  noViolations: z
    .union([z.literal('all'), z.array(CheckNameSchema)], { error: `all, or a list of checks: ${CHECK_NAMES.join(', ')}` })
    .optional()
    .meta({ description: 'Checks that must report none; all = every check not in violations. Default: none asserted.' }),
});

/** One line of at most `max` characters. */
const line = (max: number, d: string) =>
  z
    .string({ error: 'a line of text' })
    .min(1, { error: 'a line of text' })
    .max(max, { error: `at most ${max} characters` })
    .regex(/^[^\n\r]*$/, { error: 'one line (no line breaks)' })
    .meta({ description: d });

const CompareSchema = z
  .strictObject({
    with: name('The name of another scenario to run beside this one (the other side of its question).').optional(),
    set: z
      .record(z.string(), z.union([z.number(), z.string(), z.boolean()], { error: 'a number, a string, true or false' }))
      .optional()
      .meta({ description: `Settings B changes, by name: ${SETTING_EXPECTED}. For example {acks: all}.` }),
  })
  .meta({ description: "What to compare this scenario with (the visualizer's compare mode, b): {with: NAME} or {set: {SETTING: VALUE}}, exactly one." });

const CounterexampleSchema = z
  .strictObject({
    check: CheckNameSchema.meta({ description: 'The check the run violates.' }),
    base: z.string().min(1).max(1000).optional().meta({ description: 'The scenario the search started from (its path).' }),
    run: z.number().int().nonnegative().optional().meta({ description: 'Which run of the search found it.' }),
    shrunkFrom: z.number().int().nonnegative().optional().meta({ description: 'How many faults it had before shrinking.' }),
    command: line(1000, 'The command that reproduces it.').optional(),
  })
  .meta({
    description:
      'This scenario is a counterexample a failure search (kafkasim explore) found: the check it violates and where it came from. The simulator ignores it; the visualizer jumps to the violation.',
  });

export const ScenarioSchema = z
  .strictObject({
    $schema: z.string().optional().meta({ description: 'Path or URL of this JSON Schema (for editors; ignored).' }),
    name: z
      .string()
      .min(1)
      .max(LIMITS.nameLength, { error: `a name of at most ${LIMITS.nameLength} characters` })
      .meta({ description: 'Scenario name.' }),
    title: line(LIMITS.titleLength, 'One line: what the scenario shows (default: its name).').optional(),
    question: line(LIMITS.titleLength, 'The question a user asks that this scenario answers (with answer).').optional(),
    answer: z
      .string({ error: 'a sentence or two' })
      .min(1, { error: 'a sentence or two' })
      .max(LIMITS.answerLength, { error: `at most ${LIMITS.answerLength} characters` })
      .optional()
      .meta({ description: "The question's short answer, as this run shows it: a sentence or two (the description is the long explanation)." }),
    compare: CompareSchema.optional(),
    description: z
      .string()
      .max(LIMITS.descriptionLength, { error: `at most ${LIMITS.descriptionLength.toLocaleString('en-US')} characters` })
      .optional()
      .meta({ description: 'What the scenario shows.' }),
    seed: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .meta({ description: `Seed when the command line gives none. Default ${DEFAULT_SEED}.` }),
    duration: duration('Simulated length of the run.'),
    cluster: ClusterSchema,
    topics: upTo(TopicSchema, LIMITS.topics, 'topics').optional(),
    producers: upTo(ProducerSchema, LIMITS.producers, 'producers').optional(),
    consumers: upTo(ConsumerSchema, LIMITS.consumers, 'consumers').optional(),
    faults: upTo(FaultSchema, LIMITS.faults, 'faults').optional().meta({ description: 'Faults; applied in time order (stable).' }),
    expect: ExpectSchema.optional().meta({ description: 'What the run must show; checked by kafkasim run (exit code 1 when it fails) and by the tests.' }),
    liveness: duration(
      'A liveness phase after the run: at the end of duration everything is healed (links, slow disks, paused and stopped or crashed processes) and the run goes on this long, quiet, for the liveness checks (write-answered, fully-replicated). They run only if it is at least the bound derived from the configs (docs/failures.md).',
    ).optional(),
    counterexample: CounterexampleSchema.optional(),
  })
  .meta({ title: 'kafkasim scenario', description: 'A kafkasim scenario: a Kafka cluster, its workload, faults and expectations.' });

export type RawScenario = z.infer<typeof ScenarioSchema>;
export type RawTopic = z.infer<typeof TopicSchema>;
export type RawProducer = z.infer<typeof ProducerSchema>;
export type RawConsumer = z.infer<typeof ConsumerSchema>;
export type RawFault = z.infer<typeof FaultSchema>;
export type RawDisk = z.infer<typeof DiskSchema>;
export type RawMachine = z.infer<typeof MachineSchema>;
export type RawExpectation = z.infer<typeof ExpectationSchema>;
export type RawTarget = z.infer<typeof TargetSchema>;
export type RawCut = z.infer<typeof CutSchema>;

/**
 * A JSON Schema (draft-07) of the raw file, for editors (`# yaml-language-server: $schema=…` in YAML, or a
 * `$schema` key in JSON). Generated from the same zod schema parseScenario validates with.
 */
export function scenarioJsonSchema(): object {
  return z.toJSONSchema(ScenarioSchema, { io: 'input', target: 'draft-7' });
}
