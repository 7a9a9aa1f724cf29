/**
 * The Kafka configs the simulator models: names, types, units, defaults per Kafka version, and the
 * conversion of the loosely typed values a YAML file gives (`"all"`, `"true"`, `"30s"`) into Kafka's types.
 *
 * Groups follow Kafka's documentation: `broker` (server.properties), `topic` (per-topic overrides, which
 * have their own names in Kafka: `flush.messages` overrides the broker's `log.flush.interval.messages`),
 * `producer` and `consumer`. Values keep Kafka's units: `*.ms` in milliseconds, `*.seconds` in seconds,
 * sizes in bytes. Kafka's `Long.MAX_VALUE` is represented as `Number.MAX_SAFE_INTEGER`.
 */
import { parseBytes, parseDurationUs, problemText, UnitError, type ProblemParts } from './units.js';

/** Kafka's config values as they appear in a properties file, after type conversion. */
export type ConfigValue = number | string | boolean | string[];
export type ConfigMap = Record<string, ConfigValue>;

export type ConfigGroup = 'broker' | 'topic' | 'producer' | 'consumer';
export const CONFIG_GROUPS: readonly ConfigGroup[] = ['broker', 'topic', 'producer', 'consumer'];

/** Kafka's `int` (32-bit), `long` (here: up to MAX_SAFE_INTEGER), `boolean`, a string from a fixed set, or any string. */
export type ConfigType = 'int' | 'long' | 'boolean' | 'enum' | 'string';

export interface ConfigEntry {
  name: string;
  type: ConfigType;
  /** Default of the newest profile ({@link KAFKA_VERSION_DEFAULT}); older profiles override it. */
  default: ConfigValue;
  /** `ms` and `s` keys also accept duration strings (`30s`); `bytes` keys accept sizes (`16KiB`). */
  unit?: 'ms' | 's' | 'bytes';
  /** One line, shown in the JSON Schema and in `kafkasim` help. */
  doc: string;
  /** Inclusive bounds for numbers (Kafka's validators). `max` defaults to the type's maximum. */
  min?: number;
  max?: number;
  /** For numbers: the only allowed values (acks). */
  allowed?: readonly number[];
  /** For numbers: accepted spellings of a value (acks: `all` → -1). Matched case-insensitively. */
  aliases?: Readonly<Record<string, number>>;
  /** For enums: the accepted values (lower case; input is matched case-insensitively). */
  values?: readonly string[];
  /** For enums: values Kafka accepts but the simulator does not model yet (rejected with an explanation). */
  notModelled?: readonly string[];
  /** For topic configs: the broker config that supplies the default when the topic does not set it. */
  brokerSynonym?: string;
}

/** Kafka's Long.MAX_VALUE, as close as a JS number gets exactly. */
export const LONG_MAX = Number.MAX_SAFE_INTEGER;
const INT_MAX = 2_147_483_647;

type Spec = Omit<ConfigEntry, 'name'>;
const ms = (dflt: number, doc: string, extra: Partial<Spec> = {}): Spec => ({ type: 'long', default: dflt, unit: 'ms', min: 0, doc, ...extra });
const msInt = (dflt: number, doc: string, extra: Partial<Spec> = {}): Spec => ms(dflt, doc, { type: 'int', ...extra });
const bytes = (dflt: number, doc: string, extra: Partial<Spec> = {}): Spec => ({ type: 'int', default: dflt, unit: 'bytes', min: 0, doc, ...extra });
const int = (dflt: number, doc: string, extra: Partial<Spec> = {}): Spec => ({ type: 'int', default: dflt, doc, ...extra });
const bool = (dflt: boolean, doc: string): Spec => ({ type: 'boolean', default: dflt, doc });

const BROKER: Record<string, Spec> = {
  'min.insync.replicas': int(1, 'With acks=all, the fewest in-sync replicas (leader included) that must have a record before it is acknowledged; fewer gives NOT_ENOUGH_REPLICAS.', { min: 1 }),
  'unclean.leader.election.enable': bool(false, 'Allow a replica outside the ISR to become leader when no ISR member is alive (may lose acknowledged records).'),
  'replica.lag.time.max.ms': ms(
    30000,
    "A follower that has not caught up to the leader's log end within this time is removed from the ISR. At least 2: the isr-expiration task runs every replica.lag.time.max.ms / 2 ms, and Kafka's scheduler refuses a period of 0 (the broker does not start).",
    { min: 2 },
  ),
  'replica.fetch.wait.max.ms': msInt(500, "Longest time the leader holds a follower's fetch waiting for replica.fetch.min.bytes of data."),
  'replica.fetch.min.bytes': bytes(1, 'Bytes a follower fetch waits for before the leader answers (up to replica.fetch.wait.max.ms).'),
  'replica.fetch.max.bytes': bytes(1048576, 'Bytes per partition a follower fetch asks for (at least one batch is returned even if larger).'),
  'replica.fetch.response.max.bytes': bytes(10485760, 'Bytes per follower fetch response across all partitions.'),
  'replica.fetch.backoff.ms': msInt(1000, 'Pause of a replica fetcher after a fetch error (e.g. the leader is unreachable).'),
  'group.initial.rebalance.delay.ms': msInt(
    3000,
    "How long the group coordinator waits for more members before the first rebalance of an empty group; each new member extends it, up to the members' rebalance timeout (max.poll.interval.ms).",
  ),
  'group.min.session.timeout.ms': msInt(6000, 'Smallest session.timeout.ms a member may ask for (else INVALID_SESSION_TIMEOUT).'),
  'group.max.session.timeout.ms': msInt(1800000, 'Largest session.timeout.ms a member may ask for (else INVALID_SESSION_TIMEOUT).'),
  'offsets.topic.num.partitions': int(50, "Partitions of __consumer_offsets. A group's coordinator is the leader of partition abs(groupId.hashCode()) % this.", { min: 1 }),
  'offsets.topic.replication.factor': {
    type: 'int',
    default: 3,
    min: 1,
    max: 32767,
    doc: 'Replication factor of __consumer_offsets. With fewer brokers the topic cannot be created and groups find no coordinator (COORDINATOR_NOT_AVAILABLE).',
  },
  'offsets.commit.timeout.ms': msInt(5000, 'How long an offset commit waits for all in-sync replicas of its __consumer_offsets partition before it fails.', { min: 1 }),
  'group.consumer.session.timeout.ms': msInt(
    45000,
    'KIP-848 groups (group.protocol=consumer): a member without a ConsumerGroupHeartbeat for this long is fenced (the coordinator decides it, not the consumer).',
    { min: 1 },
  ),
  'group.consumer.heartbeat.interval.ms': msInt(5000, 'KIP-848 groups: the heartbeat interval the coordinator gives its members in every ConsumerGroupHeartbeat response.', { min: 1 }),
  'group.consumer.min.session.timeout.ms': msInt(45000, 'KIP-848 groups: the smallest group.consumer.session.timeout.ms allowed.', { min: 1 }),
  'group.consumer.max.session.timeout.ms': msInt(60000, 'KIP-848 groups: the largest group.consumer.session.timeout.ms allowed.', { min: 1 }),
  'group.consumer.min.heartbeat.interval.ms': msInt(5000, 'KIP-848 groups: the smallest group.consumer.heartbeat.interval.ms allowed.', { min: 1 }),
  'group.consumer.max.heartbeat.interval.ms': msInt(15000, 'KIP-848 groups: the largest group.consumer.heartbeat.interval.ms allowed.', { min: 1 }),
  'group.consumer.max.size': int(INT_MAX, 'KIP-848 groups: most members a group may have; one more gets GROUP_MAX_SIZE_REACHED.', { min: 1 }),
  'group.consumer.assignors': {
    type: 'string',
    default: 'uniform,range',
    doc: 'KIP-848 groups: the server-side assignors (uniform, range, or their class names); the first is the default, a member may name another with group.remote.assignor.',
  },
  'num.replica.fetchers': int(1, 'Fetcher threads (connections) per source broker that followers replicate with.', { min: 1 }),
  'broker.session.timeout.ms': msInt(9000, 'A broker without a heartbeat to the KRaft controller for this long is fenced and loses its leaderships.', { min: 1 }),
  'broker.heartbeat.interval.ms': msInt(2000, "Interval between a broker's heartbeats to the KRaft controller.", { min: 1 }),
  'zookeeper.session.timeout.ms': msInt(
    18000,
    'ZooKeeper-era clusters (behaviour.controller: zookeeper): a broker whose ZooKeeper session expires (no ping for this long) is declared dead by the controller. 6000 before Kafka 2.5 (KIP-537).',
    { min: 1 },
  ),
  'log.flush.interval.messages': { type: 'long', default: LONG_MAX, min: 1, doc: 'Messages appended to a partition before it is fsynced; default Long.MAX: the OS page cache decides.' },
  'log.flush.interval.ms': ms(LONG_MAX, 'Age of unflushed data before a partition is fsynced. Unset in Kafka (falls back to log.flush.scheduler.interval.ms = Long.MAX); here MAX_SAFE_INTEGER.'),
  'default.replication.factor': int(1, 'Replication factor of a topic that does not give one.', { min: 1, max: 32767 }),
  'num.partitions': int(1, 'Partition count of a topic that does not give one.', { min: 1 }),
  'auto.leader.rebalance.enable': bool(true, "Periodically move leadership back to each partition's preferred replica (the first in its assignment)."),
  'leader.imbalance.check.interval.seconds': { type: 'long', default: 300, unit: 's', min: 1, doc: 'How often the controller checks leader imbalance (seconds).' },
  'leader.imbalance.per.broker.percentage': int(
    10,
    "ZooKeeper mode only: share of a broker's preferred partitions led elsewhere above which its preferred leader elections run (KRaft has no such gate).",
    { min: 0, max: 100 },
  ),
  'num.io.threads': int(
    8,
    "Request handler threads per broker: they take requests from the request queue and run them (a produce's validation and append, a fetch's read); a request waits for a free one.",
    { min: 1 },
  ),
  'num.network.threads': int(3, 'Network threads per broker (per listener): they read requests off the connections into the request queue and write the responses.', { min: 1 }),
  'queued.max.requests': int(500, 'Requests the request queue holds; when it is full a network thread blocks on it and reads nothing more (back-pressure).', { min: 1 }),
  'compression.type': {
    type: 'enum',
    default: 'producer',
    values: ['producer'],
    notModelled: ['uncompressed', 'gzip', 'snappy', 'lz4', 'zstd'],
    doc: "The codec of the broker's log: producer keeps the producer's (no recompression). A codec of its own would make the broker recompress, which is not modelled.",
  },
  'message.max.bytes': bytes(1048588, 'Largest record batch a broker accepts (after compression); larger gives MESSAGE_TOO_LARGE.'),
  'controlled.shutdown.enable': bool(true, 'On shutdown, move leadership away before stopping.'),
  'log.dirs': {
    type: 'string',
    default: '',
    doc: "The log directories, comma-separated (JBOD): each is its own disk with the machine's disk spec, sharing its page cache; a new replica goes to the one with the fewest partitions of the broker (LogManager.nextLogDirs). Empty (Kafka: null, then log.dir): one directory.",
  },
  'log.dir.failure.timeout.ms': ms(
    30000,
    'Since 3.8 (KIP-858, KRaft): a broker that could not tell the controller of a failed log directory within this time shuts down (BrokerLifecycleManager.propagateDirectoryFailure). The ZooKeeper-era profiles (0.10, 2.8) have no such timeout.',
    { min: 1 },
  ),
  'metadata.log.dir': {
    type: 'string',
    default: '',
    doc: "KRaft: the directory of the broker's metadata log. Empty (Kafka: null): the first of log.dirs, on that directory's disk. When it fails the broker halts (ReplicaManager.handleLogDirFailure) and cannot start until the disk is replaced. A directory not in log.dirs is on a disk the simulator does not model, which never fails. The ZooKeeper-era profiles (0.10, 2.8) have no metadata log.",
  },
  'broker.rack': {
    type: 'string',
    default: '',
    doc: 'Rack of the broker; replica placement puts the replicas of a partition on different racks (StripedReplicaPlacer). Here it sets every broker; cluster.racks sets one per broker. Empty: no rack (Kafka: null).',
  },
  'replica.selector.class': {
    type: 'enum',
    default: '',
    values: ['', 'org.apache.kafka.common.replica.RackAwareReplicaSelector'],
    doc: 'KIP-392: org.apache.kafka.common.replica.RackAwareReplicaSelector lets a consumer with client.rack read from an in-sync replica in its rack (the leader tells it the preferred read replica). Empty (Kafka: null): consumers read from the leader.',
  },
  'eligible.leader.replicas.version': int(1, 'KIP-966 ELR feature level (0 off, 1 on; true/false accepted). On for new clusters from 4.1, off in 4.0.', {
    min: 0,
    max: 1,
    aliases: { true: 1, false: 0 },
  }),
};

/** Topic-level overrides (kafka-topics --config). Each default is its broker synonym's value. */
const TOPIC: Record<string, Spec> = {
  'min.insync.replicas': { ...BROKER['min.insync.replicas']!, brokerSynonym: 'min.insync.replicas' },
  'unclean.leader.election.enable': { ...BROKER['unclean.leader.election.enable']!, brokerSynonym: 'unclean.leader.election.enable' },
  'flush.messages': { ...BROKER['log.flush.interval.messages']!, brokerSynonym: 'log.flush.interval.messages' },
  'flush.ms': { ...BROKER['log.flush.interval.ms']!, brokerSynonym: 'log.flush.interval.ms' },
  'max.message.bytes': { ...BROKER['message.max.bytes']!, brokerSynonym: 'message.max.bytes' },
  'compression.type': { ...BROKER['compression.type']!, brokerSynonym: 'compression.type' },
};

const PRODUCER: Record<string, Spec> = {
  acks: int(-1, "Acknowledgements the leader waits for: 0 none, 1 the leader's append, all (-1) the whole ISR. Given as 0, 1, all or -1; stored as -1 for all.", {
    allowed: [-1, 0, 1],
    aliases: { all: -1 },
  }),
  'enable.idempotence': bool(
    true,
    'Sequence numbers let the broker drop duplicates of retried batches. When not set explicitly it is turned off by acks≠all, retries=0 or max.in.flight>5 (as Kafka does).',
  ),
  'linger.ms': msInt(5, 'How long a batch waits for more records before it is sent (5 since Kafka 4.0, 0 before).'),
  'batch.size': bytes(16384, 'Target size of a batch per partition; a full batch is sent without waiting for linger.ms.'),
  'buffer.memory': bytes(33554432, 'Memory for batches not yet acknowledged: each new batch takes max(batch.size, its first record) from it; send() blocks up to max.block.ms when it is used up.', {
    type: 'long',
  }),
  'max.in.flight.requests.per.connection': int(5, 'Unacknowledged produce requests per broker connection (at most 5 with idempotence).', { min: 1 }),
  'request.timeout.ms': msInt(30000, 'How long the producer waits for a produce response before retrying.'),
  'delivery.timeout.ms': msInt(120000, 'Upper bound from send() to success or failure, retries included; must be ≥ linger.ms + request.timeout.ms.'),
  retries: int(INT_MAX, 'How often a failed batch is retried (within delivery.timeout.ms).', { min: 0 }),
  'retry.backoff.ms': ms(100, 'Initial pause before retrying a failed request; doubles per attempt up to retry.backoff.max.ms (±20% jitter).'),
  'retry.backoff.max.ms': ms(1000, 'Cap of the exponential retry backoff.'),
  'metadata.max.age.ms': ms(300000, 'Metadata is refreshed at least this often even without errors.'),
  'max.block.ms': ms(60000, 'How long send() may block for metadata or buffer space before it fails; the simulator models the wait for buffer.memory (BufferExhaustedException), not for metadata.'),
  'max.request.size': bytes(1048576, 'Largest produce request; a record larger than this (serialized, with batch overhead) fails in send() with RecordTooLargeException.', { min: 1 }),
  'partitioner.ignore.keys': bool(false, 'Ignore keys when choosing a partition (use the sticky partitioner for every record).'),
  'partitioner.adaptive.partitioning.enable': bool(true, 'The sticky partitioner prefers partitions whose broker has shorter queues (KIP-794).'),
  'compression.type': {
    type: 'enum',
    default: 'none',
    values: ['none', 'gzip', 'snappy', 'lz4', 'zstd'],
    doc: "Codec of the producer's batches: they shrink by the workload's compressionRatio on the wire and on disk; the producer spends CPU compressing them and the leader decompressing them to validate (LogValidator).",
  },
};

const CONSUMER: Record<string, Spec> = {
  'fetch.min.bytes': bytes(1, 'Bytes a fetch waits for before the broker answers (up to fetch.max.wait.ms).'),
  'fetch.max.wait.ms': msInt(500, 'Longest time the broker holds a fetch waiting for fetch.min.bytes.'),
  'fetch.max.bytes': bytes(52428800, 'Bytes per fetch response across partitions (at least one batch is returned).'),
  'max.partition.fetch.bytes': bytes(1048576, 'Bytes per partition per fetch (at least one batch is returned).'),
  'max.poll.records': int(500, 'Records returned by one poll().', { min: 1 }),
  'isolation.level': {
    type: 'enum',
    default: 'read_uncommitted',
    values: ['read_uncommitted', 'read_committed'],
    doc: 'read_committed stops at the last stable offset; read_uncommitted reads up to the high watermark.',
  },
  'auto.offset.reset': {
    type: 'enum',
    default: 'latest',
    values: ['earliest', 'latest', 'none'],
    notModelled: ['by_duration'],
    doc: 'Where to start when there is no valid position: earliest, latest, or none (error).',
  },
  'client.rack': {
    type: 'string',
    default: '',
    doc: "KIP-392: the consumer's rack. With the brokers' replica.selector.class RackAwareReplicaSelector it reads from an in-sync replica in this rack. Empty: none.",
  },
  'group.id': {
    type: 'string',
    default: '',
    doc: 'The consumer group it joins (subscribe): the group coordinator assigns it partitions and stores its committed offsets. Empty: no group (the scenario lists its partitions).',
  },
  'group.instance.id': {
    type: 'string',
    default: '',
    doc: 'KIP-345 static membership: a member that comes back with the same id within session.timeout.ms keeps its partitions without a rebalance. Empty: dynamic member.',
  },
  'group.protocol': {
    type: 'enum',
    default: 'classic',
    values: ['classic', 'consumer'],
    doc: 'The rebalance protocol: classic (JoinGroup/SyncGroup, the client-side assignor, every member rejoins) or consumer (KIP-848, Kafka 4.0+: ConsumerGroupHeartbeat, the coordinator assigns and each member revokes and gets partitions on its own, no global barrier). With consumer, session.timeout.ms, heartbeat.interval.ms and partition.assignment.strategy are not used (the brokers’ group.consumer.* configs are).',
  },
  'group.remote.assignor': {
    type: 'string',
    default: '',
    doc: 'group.protocol=consumer: the server-side assignor this member asks for (uniform or range). Empty: the first of the brokers’ group.consumer.assignors.',
  },
  'partition.assignment.strategy': {
    type: 'string',
    default: 'range,cooperative-sticky',
    doc: "Client-side assignors, in preference order: range, roundrobin, sticky, cooperative-sticky (or their class names). The group uses the first all members support; the rebalance is cooperative only when every listed assignor is (cooperative-sticky). Kafka's default: [RangeAssignor, CooperativeStickyAssignor].",
  },
  'session.timeout.ms': msInt(45000, 'A member the coordinator hears no heartbeat from for this long is removed and the group rebalances.', { min: 1 }),
  'heartbeat.interval.ms': msInt(3000, 'Interval between heartbeats to the group coordinator.', { min: 1 }),
  'max.poll.interval.ms': msInt(300000, 'Longest time between poll() calls: the member leaves the group after it (its rebalance timeout too).', { min: 1 }),
  'enable.auto.commit': bool(true, 'Commit the positions of the records poll() returned, every auto.commit.interval.ms (inside poll()), before a rebalance and on close.'),
  'auto.commit.interval.ms': msInt(5000, 'Interval between automatic commits (enable.auto.commit).', { min: 0 }),
  'request.timeout.ms': msInt(30000, 'How long the consumer waits for a fetch response before retrying.'),
  'retry.backoff.ms': ms(100, 'Pause before retrying a failed request.'),
  'metadata.max.age.ms': ms(300000, 'Metadata is refreshed at least this often even without errors.'),
};

function withNames(specs: Record<string, Spec>): readonly ConfigEntry[] {
  return Object.entries(specs).map(([name, s]) => ({ name, ...s }));
}

/** Every modelled config, by group, with the defaults of {@link KAFKA_VERSION_DEFAULT}. */
export const CONFIG_CATALOGUE: Readonly<Record<ConfigGroup, readonly ConfigEntry[]>> = {
  broker: withNames(BROKER),
  topic: withNames(TOPIC),
  producer: withNames(PRODUCER),
  consumer: withNames(CONSUMER),
};

/**
 * How a Kafka generation behaves where no config says so (docs/profiles.md has the sources):
 * - `truncation`: what a replica does with its log on becoming a follower.
 *   `highWatermark` (before 0.11): truncate to its own high watermark (KIP-101's problem).
 *   `epochNoEpochInResponse` (0.11 to 1.x): ask the leader once (OffsetsForLeaderEpoch) for the end offset
 *   of its latest epoch; the answer carries no epoch (KIP-279's problem).
 *   `divergingEpoch` (2.0+; on fetch since 2.7): the leader answers with (epoch, end offset) and the
 *   follower repeats until the logs agree (KIP-279, KIP-595 truncation on fetch).
 * - `controller`: `zookeeper` declares a broker dead after zookeeper.session.timeout.ms; `kraft` fences it
 *   after broker.session.timeout.ms. The simulator runs one controller model for both (see docs/profiles.md).
 * - `hwFrozenUnderMinIsr`: the leader's HW does not advance while the ISR is below min ISR (3.7+, KAFKA-15583).
 * - `eligibleLeaderReplicas`: the version has KIP-966's ELR (4.0+); it is on when
 *   eligible.leader.replicas.version ≥ 1 too.
 * - `messageFormat`: the record format producers write and brokers store and replicate, which sets the
 *   bytes each record takes on the wire (v0 before 0.10, v1 in 0.10, v2 record batches since 0.11).
 */
export interface Behaviour {
  truncation: 'highWatermark' | 'epochNoEpochInResponse' | 'divergingEpoch';
  controller: 'zookeeper' | 'kraft';
  hwFrozenUnderMinIsr: boolean;
  eligibleLeaderReplicas: boolean;
  consumerTruncationDetection: boolean;
  rackAwareAssignment: boolean;
  messageFormat: 'v0' | 'v1' | 'v2';
}

/** The behaviour keys, their accepted values and what each means (for validation, the schema and help). */
export const BEHAVIOUR_KEYS: Readonly<Record<keyof Behaviour, { values: readonly (string | boolean)[]; doc: string }>> = {
  truncation: {
    values: ['highWatermark', 'epochNoEpochInResponse', 'divergingEpoch'],
    doc: "How a new follower truncates: highWatermark (before 0.11, KIP-101's problem), epochNoEpochInResponse (0.11-1.x: one OffsetsForLeaderEpoch answered with an end offset only, KIP-279's problem), divergingEpoch (2.0+: epoch in the answer, on fetch since 2.7).",
  },
  controller: {
    values: ['zookeeper', 'kraft'],
    doc: 'Failure detection: zookeeper (a broker is dead after zookeeper.session.timeout.ms) or kraft (fenced after broker.session.timeout.ms).',
  },
  hwFrozenUnderMinIsr: { values: [true, false], doc: "The leader's high watermark does not advance while the ISR is below min.insync.replicas (3.7+, KAFKA-15583)." },
  consumerTruncationDetection: {
    values: [true, false],
    doc: 'After a leader change a consumer checks its position with OffsetsForLeaderEpoch and, if the log was truncated below it, goes back to where it diverged (KIP-320; consumers since 2.3, KAFKA-7747). Without it, a truncated log gives OFFSET_OUT_OF_RANGE and auto.offset.reset, or silently skips records.',
  },
  eligibleLeaderReplicas: { values: [true, false], doc: 'The version has Eligible Leader Replicas (KIP-966, 4.0+); active when eligible.leader.replicas.version is 1 too.' },
  rackAwareAssignment: {
    values: [true, false],
    doc: "A consumer sends its client.rack in its group subscription (ConsumerProtocolSubscription v3) and the leader's range and sticky assignors match members with replica racks (KIP-881, 3.5+). Without it, client.rack only picks the replica to fetch from (KIP-392).",
  },
  messageFormat: {
    values: ['v0', 'v1', 'v2'],
    doc: 'The on-wire and on-disk record format (magic): v0 (before 0.10: 26 bytes per record, no batch header), v1 (0.10: 34 bytes per record with its timestamp, no batch header), v2 (0.11+ record batches: a 61-byte batch header and about 10 bytes per record).',
  },
};

/** A behaviour profile: how a Kafka version differs from the catalogue's defaults. */
export interface VersionProfile {
  /** Default overrides per group, relative to the catalogue; only what differs. */
  defaults: Partial<Record<ConfigGroup, ConfigMap>>;
  behaviour: Behaviour;
}

/** The newest profile, used when a scenario gives no `kafkaVersion`. */
export const KAFKA_VERSION_DEFAULT = '4.1';

/**
 * Profiles by version: each one's config defaults (what differs from the catalogue, i.e. from 4.1) and
 * behaviour. Valid `kafkaVersion` values are this table's keys. Sources for every entry: docs/profiles.md.
 */
export const PROFILES: Readonly<Record<string, VersionProfile>> = {
  '0.10': {
    defaults: {
      broker: {
        'unclean.leader.election.enable': true, // false since 0.11 (KIP-106)
        'replica.lag.time.max.ms': 10000, // 30000 since 2.5 (KIP-537)
        'zookeeper.session.timeout.ms': 6000, // 18000 since 2.5 (KIP-537)
        'eligible.leader.replicas.version': 0,
        'group.initial.rebalance.delay.ms': 0, // added in 0.11 (KIP-134): before, no delay
      },
      producer: { acks: 1, 'enable.idempotence': false, 'linger.ms': 0, retries: 0 }, // retries MAX_INT since 2.1 (KIP-91)
      consumer: { 'session.timeout.ms': 10000, 'partition.assignment.strategy': 'range', 'request.timeout.ms': 305000 }, // 45000 since 3.0 (KIP-735); [range, cooperative-sticky] since 3.0; request.timeout.ms 30000 since 2.0
    },
    behaviour: {
      truncation: 'highWatermark',
      controller: 'zookeeper',
      hwFrozenUnderMinIsr: false,
      eligibleLeaderReplicas: false,
      consumerTruncationDetection: false,
      rackAwareAssignment: false,
      messageFormat: 'v1',
    },
  },
  '2.8': {
    defaults: {
      broker: { 'eligible.leader.replicas.version': 0 },
      producer: { acks: 1, 'enable.idempotence': false, 'linger.ms': 0 }, // acks=all, idempotence since 3.0 (KIP-679)
      consumer: { 'session.timeout.ms': 10000, 'partition.assignment.strategy': 'range' }, // 45000 since 3.0 (KIP-735); [range, cooperative-sticky] since 3.0
    },
    behaviour: {
      truncation: 'divergingEpoch',
      controller: 'zookeeper',
      hwFrozenUnderMinIsr: false,
      eligibleLeaderReplicas: false,
      consumerTruncationDetection: true,
      rackAwareAssignment: false,
      messageFormat: 'v2',
    },
  },
  '3.9': {
    defaults: {
      broker: { 'eligible.leader.replicas.version': 0 },
      producer: { 'linger.ms': 0 }, // 5 since 4.0 (KIP-1030)
    },
    behaviour: {
      truncation: 'divergingEpoch',
      controller: 'kraft',
      hwFrozenUnderMinIsr: true,
      eligibleLeaderReplicas: false,
      consumerTruncationDetection: true,
      rackAwareAssignment: true,
      messageFormat: 'v2',
    },
  },
  '4.1': {
    defaults: {},
    behaviour: {
      truncation: 'divergingEpoch',
      controller: 'kraft',
      hwFrozenUnderMinIsr: true,
      eligibleLeaderReplicas: true,
      consumerTruncationDetection: true,
      rackAwareAssignment: true,
      messageFormat: 'v2',
    },
  },
};

export function kafkaVersions(): string[] {
  return Object.keys(PROFILES);
}

/** A version's behaviour with the scenario's `cluster.behaviour` overrides (already validated) applied. */
export function resolveBehaviour(version: string, overrides: Partial<Behaviour> = {}): Behaviour {
  checkVersion(version);
  return { ...PROFILES[version]!.behaviour, ...overrides };
}

/** Thrown for an unknown config name, a bad value, an unknown version, or an inconsistent combination. */
export class ConfigError extends Error {
  /** The config name (or `kafkaVersion`). */
  readonly key: string;
  readonly parts: ProblemParts;
  constructor(key: string, parts: ProblemParts) {
    super(`${key}: ${problemText(parts)}`);
    this.name = 'ConfigError';
    this.key = key;
    this.parts = parts;
  }
}

/** The names of a group's configs, in catalogue order (for did-you-mean and help). */
export function configNames(group: ConfigGroup): string[] {
  return CONFIG_CATALOGUE[group].map((e) => e.name);
}

/** The catalogue entry for a name, or undefined. */
export function configEntry(group: ConfigGroup, name: string): ConfigEntry | undefined {
  return CONFIG_CATALOGUE[group].find((e) => e.name === name);
}

/** The default of one config under a version's profile. */
export function configDefault(group: ConfigGroup, version: string, name: string): ConfigValue | undefined {
  const fromProfile = PROFILES[version]?.defaults[group]?.[name];
  return fromProfile ?? configEntry(group, name)?.default;
}

function checkVersion(version: string): void {
  if (!Object.hasOwn(PROFILES, version)) {
    throw new ConfigError('kafkaVersion', {
      problem: 'unknown Kafka version',
      got: version,
      expected: `one of ${kafkaVersions()
        .map((v) => `"${v}"`)
        .join(', ')}`,
    });
  }
}

/**
 * Converts one value to the config's Kafka type: `"all"` → -1 for acks, `"true"` → true, `"30s"` → 30000
 * for a `.ms` key, `"16KiB"` → 16384 for a byte size, then checks Kafka's bounds.
 * @throws ConfigError for an unknown name (with a did-you-mean) or a value that does not fit.
 */
export function convertConfigValue(group: ConfigGroup, name: string, raw: unknown): ConfigValue {
  const e = configEntry(group, name);
  if (!e) throw new ConfigError(name, unknownConfigParts(group, name, raw));
  switch (e.type) {
    case 'boolean':
      return toBoolean(e, raw);
    case 'enum':
      return toEnum(e, raw);
    case 'string':
      return toText(e, raw);
    default:
      return checkRange(e, toNumber(e, raw), raw);
  }
}

/** Problem parts for an unknown config name: suggestion, or a note that it belongs to another group. */
export function unknownConfigParts(group: ConfigGroup, name: string, got: unknown): ProblemParts {
  const parts: ProblemParts = { problem: `unknown ${group} config`, got };
  // `{ log.dirs: /a,/b }`: in a flow mapping a comma ends the entry, and `/b` becomes a key of its own.
  if (group === 'broker' && name.startsWith('/'))
    return { ...parts, hint: 'a path is not a config: in { ... } a comma ends the entry, so quote a list of directories, e.g. { log.dirs: "/data/1,/data/2" }' };
  const close = suggest(name, configNames(group));
  if (close) return { ...parts, hint: `did you mean "${close}"?` };
  const hint = otherGroupHint(group, name);
  if (hint) return { ...parts, hint };
  return { ...parts, expected: `one of the ${configNames(group).length} ${group} configs the simulator models (sim/config.ts)` };
}

function otherGroupHint(group: ConfigGroup, name: string): string | undefined {
  if (group === 'topic') {
    const t = CONFIG_CATALOGUE.topic.find((e) => e.brokerSynonym === name);
    if (t) return `"${name}" is the broker config; the topic config is "${t.name}"`;
  }
  if (group === 'broker') {
    const t = configEntry('topic', name);
    if (t?.brokerSynonym) return `"${name}" is a topic config; the broker config is "${t.brokerSynonym}"`;
  }
  const other = CONFIG_GROUPS.find((g) => g !== group && g !== 'topic' && configEntry(g, name));
  return other ? `"${name}" is a ${other} config, not a ${group} config` : undefined;
}

function typeExpected(e: ConfigEntry): string {
  if (e.type === 'boolean') return 'true or false';
  if (e.type === 'enum') return `one of ${e.values!.map((v) => v || '"" (none)').join(', ')}`;
  if (e.type === 'string') return 'a string';
  if (e.allowed) return `one of ${e.allowed.join(', ')}${e.aliases ? ` or ${Object.keys(e.aliases).join(', ')}` : ''}`;
  const bounds = [e.min !== undefined ? `≥ ${e.min}` : '', e.max !== undefined ? `≤ ${e.max}` : ''].filter(Boolean).join(' and ');
  const unit = e.unit === 'ms' ? ' (milliseconds, or a duration such as 30s)' : e.unit === 's' ? ' (seconds, or a duration such as 5m)' : e.unit === 'bytes' ? ' (bytes, or a size such as 16KiB)' : '';
  return `a whole number${bounds ? ` ${bounds}` : ''}${unit}`;
}

function toBoolean(e: ConfigEntry, raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) return raw.trim().toLowerCase() === 'true';
  throw new ConfigError(e.name, { expected: typeExpected(e), got: raw });
}

function toEnum(e: ConfigEntry, raw: unknown): string {
  const v = typeof raw === 'string' ? raw.trim().toLowerCase() : undefined;
  const value = v === undefined ? undefined : e.values!.find((x) => x.toLowerCase() === v);
  if (value !== undefined) return value;
  if (v !== undefined && e.notModelled?.some((n) => v === n || v.startsWith(`${n}:`))) {
    throw new ConfigError(e.name, { problem: 'valid in Kafka but not modelled by the simulator yet', got: raw, expected: typeExpected(e) });
  }
  throw new ConfigError(e.name, { expected: typeExpected(e), got: raw });
}

function toText(e: ConfigEntry, raw: unknown): string {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number') return String(raw);
  throw new ConfigError(e.name, { expected: typeExpected(e), got: raw });
}

function toNumber(e: ConfigEntry, raw: unknown): number {
  const alias = e.aliases && (typeof raw === 'string' || typeof raw === 'boolean') ? e.aliases[String(raw).trim().toLowerCase()] : undefined;
  if (alias !== undefined) return alias;
  if (typeof raw === 'number' && Number.isInteger(raw)) return raw;
  if (typeof raw === 'string' && /^\s*-?\d+\s*$/.test(raw)) return Number(raw);
  if (typeof raw === 'string' && e.unit) return fromUnitString(e, raw);
  throw new ConfigError(e.name, { expected: typeExpected(e), got: raw });
}

/** `30s` for a `.ms` key, `5m` for a `.seconds` key, `16KiB` for a byte size. Must be whole in Kafka's unit. */
function fromUnitString(e: ConfigEntry, raw: string): number {
  try {
    if (e.unit === 'bytes') return parseBytes(raw);
    const us = parseDurationUs(raw);
    const per = e.unit === 'ms' ? 1000 : 1_000_000;
    if (us % per !== 0) throw new ConfigError(e.name, { problem: `not a whole number of ${e.unit === 'ms' ? 'milliseconds' : 'seconds'}`, got: raw, expected: typeExpected(e) });
    return us / per;
  } catch (err) {
    if (err instanceof UnitError) throw new ConfigError(e.name, { expected: typeExpected(e), got: raw });
    throw err;
  }
}

function checkRange(e: ConfigEntry, n: number, raw: unknown): number {
  const hi = e.max ?? (e.type === 'int' ? INT_MAX : LONG_MAX);
  const bad = e.allowed ? !e.allowed.includes(n) : n < (e.min ?? -Infinity) || n > hi;
  // Kafka's type limit (Integer.MAX_VALUE for an int) is only worth mentioning when it is what was hit.
  const expected = n > hi && e.max === undefined ? `at most ${hi} (the largest Kafka ${e.type})` : typeExpected(e);
  if (bad) throw new ConfigError(e.name, { problem: 'out of range', got: raw, expected });
  return n;
}

/** Converts every override (no defaults added). @throws ConfigError for the first bad one. */
export function convertConfigOverrides(group: ConfigGroup, overrides: Record<string, unknown>): ConfigMap {
  const out: ConfigMap = {};
  for (const [k, v] of Object.entries(overrides)) out[k] = convertConfigValue(group, k, v);
  return out;
}

/**
 * A group's full config for a Kafka version: the profile's defaults, overridden by `overrides` (converted
 * with {@link convertConfigValue}). For producers it then applies Kafka's own post-processing
 * (see {@link applyProducerRules}). For `topic` the defaults are the broker synonyms' defaults; to combine a
 * topic's overrides with a cluster's broker config use {@link effectiveTopicConfig}.
 * @throws ConfigError for an unknown version, an unknown name, a bad value or an inconsistent combination.
 */
export function resolveConfig(group: ConfigGroup, version: string, overrides: Record<string, unknown> = {}): ConfigMap {
  checkVersion(version);
  const out: ConfigMap = {};
  for (const name of configNames(group)) out[name] = configDefault(group, version, name)!;
  Object.assign(out, convertConfigOverrides(group, overrides));
  if (group === 'producer') applyProducerRules(out, new Set(Object.keys(overrides)));
  return out;
}

/**
 * Kafka's ProducerConfig/KafkaProducer post-processing, so the model sees what a real producer would run
 * with. Idempotence (default on) conflicts with acks≠all, retries=0 or max.in.flight>5: when the user set
 * `enable.idempotence` explicitly that is an error, otherwise idempotence is silently turned off.
 * delivery.timeout.ms below linger.ms + request.timeout.ms is an error when set explicitly, else raised.
 * batch.size above buffer.memory is an error (the first send() would throw).
 */
export function applyProducerRules(c: ConfigMap, explicit: ReadonlySet<string>): void {
  if (c['enable.idempotence'] === true) {
    const conflict = idempotenceConflict(c);
    if (conflict && explicit.has('enable.idempotence')) {
      throw new ConfigError('enable.idempotence', { problem: conflict, got: true, hint: 'set enable.idempotence: false, or leave it unset to let Kafka turn it off' });
    }
    if (conflict) c['enable.idempotence'] = false;
  }
  const floor = Math.min((c['linger.ms'] as number) + (c['request.timeout.ms'] as number), INT_MAX);
  if ((c['delivery.timeout.ms'] as number) < floor) {
    if (explicit.has('delivery.timeout.ms')) {
      throw new ConfigError('delivery.timeout.ms', {
        problem: 'delivery.timeout.ms should be equal to or larger than linger.ms + request.timeout.ms',
        got: c['delivery.timeout.ms'],
        expected: `at least ${floor}`,
      });
    }
    c['delivery.timeout.ms'] = floor;
  }
  const batchSize = c['batch.size'] as number;
  const memory = c['buffer.memory'] as number;
  if (batchSize > memory) {
    // BufferPool.allocate: every new batch takes at least batch.size bytes from the pool.
    throw new ConfigError('batch.size', {
      problem: `every new batch takes batch.size bytes from buffer.memory: Kafka's send() would throw IllegalArgumentException "Attempt to allocate ${batchSize} bytes, but there is a hard limit of ${memory} on memory allocations."`,
      got: batchSize,
      expected: `at most buffer.memory (${memory})`,
    });
  }
}

/** Kafka's messages for idempotence conflicts (ProducerConfig.postProcessAndValidateIdempotenceConfigs). */
function idempotenceConflict(c: ConfigMap): string | undefined {
  if (c['retries'] === 0) return 'Must set retries to non-zero when using the idempotent producer.';
  if (c['acks'] !== -1) return 'Must set acks to all in order to use the idempotent producer. Otherwise we cannot guarantee idempotence.';
  if ((c['max.in.flight.requests.per.connection'] as number) > 5) return 'Must set max.in.flight.requests.per.connection to at most 5 to use the idempotent producer.';
  return undefined;
}

/**
 * A topic's effective config, by topic-level name (`min.insync.replicas`, `unclean.leader.election.enable`,
 * `flush.messages`, `flush.ms`, `max.message.bytes`): the topic's override, else the cluster's broker
 * synonym (`log.flush.interval.messages` for `flush.messages`, ...), else the catalogue default.
 */
export function effectiveTopicConfig(brokerConfig: ConfigMap, topicConfig: ConfigMap): ConfigMap {
  const out: ConfigMap = {};
  for (const e of CONFIG_CATALOGUE.topic) out[e.name] = topicConfig[e.name] ?? brokerConfig[e.brokerSynonym!] ?? e.default;
  return out;
}

/**
 * The closest candidate to a misspelt name, or undefined when none is close. Compares case-insensitively
 * with `.`, `_`, `-` and spaces ignored first (`replicationFactor` → `replication.factor`), then by
 * Damerau–Levenshtein distance up to a third of the longer name's length (at least 1).
 */
export function suggest(name: string, candidates: readonly string[]): string | undefined {
  const squash = (s: string) => s.toLowerCase().replace(/[._\-\s]/g, '');
  const same = candidates.find((c) => squash(c) === squash(name));
  if (same !== undefined) return same;
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestD && d <= Math.max(1, Math.floor(Math.max(name.length, c.length) / 3))) [best, bestD] = [c, d];
  }
  return best;
}

/** Optimal-string-alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const d: number[][] = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let v = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, d[i - 2]![j - 2]! + 1);
      d[i]![j] = v;
    }
  }
  return d[a.length]![b.length]!;
}

/** partition.assignment.strategy: Kafka's class names and the short names (ConsumerPartitionAssignor's name()). */
const ASSIGNOR_CLASSES: Readonly<Record<string, string>> = {
  range: 'range',
  roundrobin: 'roundrobin',
  sticky: 'sticky',
  'cooperative-sticky': 'cooperative-sticky',
  'org.apache.kafka.clients.consumer.rangeassignor': 'range',
  'org.apache.kafka.clients.consumer.roundrobinassignor': 'roundrobin',
  'org.apache.kafka.clients.consumer.stickyassignor': 'sticky',
  'org.apache.kafka.clients.consumer.cooperativestickyassignor': 'cooperative-sticky',
};

/** The assignors of a partition.assignment.strategy value, by name, in order; an unknown one throws ConfigError. */
export function assignmentStrategies(value: string): Array<'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky'> {
  const out: Array<'range' | 'roundrobin' | 'sticky' | 'cooperative-sticky'> = [];
  for (const raw of value.split(',')) {
    const name = ASSIGNOR_CLASSES[raw.trim().toLowerCase()];
    if (name === undefined) {
      throw new ConfigError('partition.assignment.strategy', { problem: 'unknown assignor', got: raw.trim(), expected: 'range, roundrobin, sticky, cooperative-sticky, or their class names' });
    }
    out.push(name as 'range');
  }
  return out;
}

/** group.consumer.assignors and group.remote.assignor: KIP-848's server-side assignors (ConsumerGroupPartitionAssignor.name()) or their class names. */
const SERVER_ASSIGNOR_CLASSES: Readonly<Record<string, 'uniform' | 'range'>> = {
  uniform: 'uniform',
  range: 'range',
  'org.apache.kafka.coordinator.group.assignor.uniformassignor': 'uniform',
  'org.apache.kafka.coordinator.group.assignor.rangeassignor': 'range',
};

/** The server-side assignors of a group.consumer.assignors (or group.remote.assignor) value, in order; an unknown one throws ConfigError. */
export function serverAssignors(value: string, name = 'group.consumer.assignors'): Array<'uniform' | 'range'> {
  const out: Array<'uniform' | 'range'> = [];
  for (const raw of value.split(',')) {
    if (raw.trim() === '' && name !== 'group.consumer.assignors') continue;
    const a = SERVER_ASSIGNOR_CLASSES[raw.trim().toLowerCase()];
    if (a === undefined) throw new ConfigError(name, { problem: 'unknown server-side assignor', got: raw.trim(), expected: 'uniform, range, or their class names' });
    out.push(a);
  }
  return out;
}

/**
 * Which of the log directories holds the metadata log (KafkaConfig.metadataLogDir: metadata.log.dir, or
 * else the first of log.dirs): its index in `logDirs(logDirsValue)`, or -1 when it is a directory of its own.
 */
export function metadataLogDirIndex(logDirsValue: string, metadataLogDir: string): number {
  const dirs = logDirs(logDirsValue);
  return metadataLogDir.trim() === '' ? 0 : dirs.indexOf(metadataLogDir.trim());
}

/**
 * The directories of a log.dirs value, in order (empty: one, Kafka's log.dir). A blank entry or one given
 * twice throws ConfigError, as Kafka refuses them (KafkaConfig's "Duplicate log directory found").
 */
export function logDirs(value: string): string[] {
  if (value.trim() === '') return ['log.dir'];
  const dirs = value.split(',').map((d) => d.trim());
  if (dirs.some((d) => d === '')) throw new ConfigError('log.dirs', { problem: 'a blank log directory', got: value, expected: 'directories separated by commas, e.g. /data/1,/data/2' });
  const dup = dirs.find((d, i) => dirs.indexOf(d) !== i);
  if (dup !== undefined) throw new ConfigError('log.dirs', { problem: `duplicate log directory found: ${dup}`, got: value, expected: 'each directory once' });
  return dirs;
}
