/** Names a scenario file may use (checks, record counters, Kafka errors, fault verbs) and the defaults it falls back on. */
import { KAFKA_ERRORS } from '../trace/events.js';
import type { DiskSpec, NetworkSpec } from './types.js';

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
export const FAULT_VERBS = [
  'crash',
  'restart',
  'shutdown',
  'pause',
  'resume',
  'slowDisk',
  'restoreDisk',
  'failDisk',
  'replaceDisk',
  'partition',
  'heal',
  'electLeaders',
  'createPartitions',
  'addBroker',
  'reassign',
  'unregisterBroker',
] as const;
export type Verb = (typeof FAULT_VERBS)[number];

/** Network defaults: a LAN in one data centre (0.5 ms one way, exponential jitter of mean 0.1 ms, 10 GbE). */
export const DEFAULT_NETWORK: Readonly<NetworkSpec> = Object.freeze({
  latency: Object.freeze({ baseUs: 500, jitterMeanUs: 100 }),
  nicBytesPerSec: 1.25e9,
  links: Object.freeze([]) as unknown as NetworkSpec['links'],
  loss: 0,
});

/** Disk defaults: a datacentre NVMe SSD; Linux-like dirty page limits (vm.dirty_bytes 1 GiB, expire 30 s). */
export const DEFAULT_DISK: Readonly<DiskSpec> = Object.freeze({
  writeBytesPerSec: 500e6,
  writeLatencyUs: 100,
  readBytesPerSec: 2e9,
  pageCacheBytes: 16 * 1024 ** 3,
  dirtyBytesMax: 1024 ** 3,
  dirtyExpireUs: 30_000_000,
});

/** Default seed when the file gives none. */
export const DEFAULT_SEED = 1;
/** Default record value size. */
export const DEFAULT_RECORD_BYTES = 100;
/**
 * Input limits, enforced by the validator (README, Scenarios). Brokers and partitions follow Kafka's own
 * guidance for a KRaft cluster (up to 1,000 brokers and 200,000 partitions); the others are generous
 * bounds that keep one scenario's memory and the page's drawing within reach.
 */
export const LIMITS = Object.freeze({
  brokers: 1000,
  /** Partitions over all topics of the cluster. */
  partitions: 200_000,
  topics: 10_000,
  producers: 1000,
  consumers: 1000,
  faults: 10_000,
  /** A broker id (node.id) is a Java int. */
  brokerId: 2_147_483_647,
  /** Scenario, topic (Kafka's own limit), client and rack names. */
  nameLength: 249,
  descriptionLength: 10_000,
  /** A title, a question: one line. */
  titleLength: 160,
  /** A short answer: a sentence or two. */
  answerLength: 600,
});
/** Upper bound on `cluster.brokers` as a count (a guard against typos like 3000). */
export const MAX_BROKERS = LIMITS.brokers;

/** Settings a scenario's `compare.set` may change that are not Kafka configs: the broker count, every topic's replication factor, the version profile. */
export const SCENARIO_SETTINGS = ['brokers', 'replication.factor', 'kafkaVersion'] as const;
export const SETTING_EXPECTED = `a Kafka producer, broker, topic or consumer config name, or ${SCENARIO_SETTINGS.join(', ')}`;

/** What `expect.groups.NAME` may check about a consumer group, with what each counts. */
export const GROUP_COUNTER_DOCS = {
  rebalances: 'Rebalances the coordinator started (the group entered PreparingRebalance; for group.protocol=consumer, each group epoch bump).',
  generation: "The group's generation at the end.",
  members: 'Members in the group at the end.',
  removed: 'Members that left the group or were removed (session.timeout.ms, max.poll.interval.ms, close).',
  failedCommits: 'Offset commits that failed (CommitFailedException, REBALANCE_IN_PROGRESS, COORDINATOR_NOT_AVAILABLE, …).',
  lag: "Sum over the group's partitions of high watermark minus committed offset at the end (a partition with no committed offset counts its whole log).",
  pausedPartitionSeconds: 'Partition-seconds without an owner after the first assignment (what eager rebalances stop), to 0.1 s.',
} as const;

export const GROUP_COUNTERS = Object.keys(GROUP_COUNTER_DOCS) as ReadonlyArray<keyof typeof GROUP_COUNTER_DOCS>;
export type GroupCounter = keyof typeof GROUP_COUNTER_DOCS;
