/**
 * The normalized, validated form of a scenario file. `parseScenario` (scenario.ts) turns YAML/JSON text
 * into this; the model only ever sees this form. All times are integer microseconds (suffix `Us`), all
 * sizes bytes, all rates per second. Kafka configs keep Kafka's names verbatim and Kafka's units
 * (milliseconds for `*.ms`), already merged with the defaults of the scenario's Kafka version.
 */

import type { Behaviour, ConfigMap } from '../config/config.js';
import type { RecordCounter } from '../checks/records.js';
import type { CheckName } from '../checks/violation.js';

export type { ConfigMap, ConfigValue } from '../config/config.js';

/** A broker id as in `node.id` (brokers are numbered 1..n unless the scenario names them). */
export type BrokerId = number;

export interface LatencySpec {
  /** Fixed part of the one-way delay, µs. */
  baseUs: number;
  /** Random extra delay: exponential with this mean, µs (0 = none). */
  jitterMeanUs: number;
}

export interface NetworkSpec {
  /** One-way latency of every link unless a link override says otherwise. */
  latency: LatencySpec;
  /** Per-node NIC bandwidth, each direction, bytes per second. */
  nicBytesPerSec: number;
  /** Per-link latency overrides (directed: from → to). Node names as in the trace: "b1", "ctl", "p:NAME", "c:NAME". */
  links: Array<{ from: string; to: string; latency: LatencySpec; loss: number }>;
  /**
   * Packet loss of every link unless a link override says otherwise: the probability that one
   * transmission is lost (TCP retransmits it: a delay, never a loss). 0 = none.
   */
  loss: number;
}

export interface DiskSpec {
  /** Sequential write throughput of the device, bytes/s (page-cache writeback and fsync run at this rate). */
  writeBytesPerSec: number;
  /** Latency of one device write or fsync, µs. */
  writeLatencyUs: number;
  /** Sequential read throughput for reads that miss the page cache, bytes/s. */
  readBytesPerSec: number;
  /**
   * Page cache available for the broker's log data, bytes: reads of data written more recently than
   * this many bytes ago are served from memory, older data from the device.
   */
  pageCacheBytes: number;
  /** Dirty page-cache bytes above which appends block until writeback catches up (vm.dirty_bytes). */
  dirtyBytesMax: number;
  /** Age after which the OS writes a dirty page back (vm.dirty_expire_centisecs), µs. */
  dirtyExpireUs: number;
}

/** A machine's CPU and NIC (its disk is a DiskSpec): from a hardware preset (hardware.ts) and the scenario's overrides. */
export interface MachineSpec {
  /** The preset it started from (`default` unless the scenario names one). */
  preset: string;
  /** Cores (hardware threads) the broker's network and I/O threads run on. */
  cores: number;
  /** NIC bandwidth each way, bytes/s. */
  nicBytesPerSec: number;
}

export interface ClusterSpec {
  /** Broker ids, in order (1..n for `brokers: n`). */
  brokers: BrokerId[];
  /** Behaviour profile: "0.10", "2.8", "3.9" or "4.1" (sim/config.ts PROFILES, docs/profiles.md). */
  kafkaVersion: string;
  /** The profile's behaviour with the file's `cluster.behaviour` overrides applied. */
  behaviour: Behaviour;
  /** Broker-level configs (server.properties), merged with the version's defaults. */
  config: ConfigMap;
  network: NetworkSpec;
  disk: DiskSpec;
  /** Per-broker disk overrides. */
  brokerDisks: Record<string, Partial<DiskSpec>>;
  /** The brokers' machine (`cluster.hardware`). */
  machine: MachineSpec;
  /** Per-broker machines (`cluster.machines`), by broker id; the others run on `machine`. */
  machines: Record<string, MachineSpec>;
  /** broker.rack of each broker that has one, by broker id ("2"); empty without racks. */
  racks: Record<string, string>;
}

export interface TopicSpec {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Topic-level config overrides (min.insync.replicas, unclean.leader.election.enable, ...); only what the file set. */
  config: ConfigMap;
  /** Explicit replica assignment, partition → broker ids (as kafka-topics --replica-assignment). */
  replicaAssignment?: BrokerId[][];
}

export type KeySpec =
  | { kind: 'none' }
  /** Keys "key-0" .. "key-(count-1)", drawn uniformly. */
  | { kind: 'uniform'; count: number }
  /** Keys drawn with a Zipf-like skew (exponent s). */
  | { kind: 'zipf'; count: number; exponent: number }
  /** One fixed key for every record. */
  | { kind: 'fixed'; key: string };

export interface ProducerSpec {
  name: string;
  topic: string;
  /** Records per second the application calls send() at (evenly spaced). */
  ratePerSec: number;
  /** Value size in bytes of each record. */
  recordBytes: number;
  /** Uncompressed / compressed bytes of its batches under its compression.type (the codec's default when absent). */
  compressionRatio?: number;
  keys: KeySpec;
  startUs: number;
  /** When the application stops calling send(); undefined = the end of the run. */
  stopUs?: number;
  /** Stop after this many records, if set. */
  maxRecords?: number;
  /** Producer configs (acks, linger.ms, ...) merged with the version's defaults. */
  config: ConfigMap;
}

export interface ConsumerSpec {
  name: string;
  topic: string;
  /** Partitions to read; undefined = all. */
  partitions?: number[];
  /** Where to start: earliest, latest, or an offset. */
  from: 'earliest' | 'latest' | number;
  startUs: number;
  /** Consumer configs (fetch.max.wait.ms, ...) merged with the version's defaults. */
  config: ConfigMap;
  /** group.id, when it joins a group (then `partitions` is unset and `from` is unused: committed offsets, else auto.offset.reset). */
  group?: string;
  /** The application's time per record poll() returned, µs (0: none). */
  processingUs: number;
  /** Worker threads the records are handed to (0: the poller processes them). */
  workers: number;
  /** When the application calls commitSync() itself. */
  commit: 'none' | 'afterProcessing' | 'beforeProcessing';
}

/**
 * A target names what a fault acts on. Resolved by the model at the fault's time, so
 * "the current leader of orders-0" means the leader then.
 */
export type Target =
  | { kind: 'broker'; id: BrokerId }
  | { kind: 'leader'; topic: string; partition: number }
  /** Every replica of the partition except the current leader. */
  | { kind: 'followers'; topic: string; partition: number }
  /** The first replica in assignment order that is not the current leader. */
  | { kind: 'follower'; topic: string; partition: number }
  | { kind: 'controller' }
  | { kind: 'allBrokers' }
  /** Every broker whose broker.rack is `rack` (fixed when the scenario is read). */
  | { kind: 'rack'; rack: string; brokers: BrokerId[] }
  | { kind: 'producer'; name: string }
  | { kind: 'consumer'; name: string }
  /** The group coordinator of a consumer group: the leader of its __consumer_offsets partition then. */
  | { kind: 'coordinator'; group: string }
  /** A label given to an earlier fault's resolved target with `as:`. */
  | { kind: 'label'; label: string };

export type FaultSpec =
  | { atUs: number; verb: 'crash'; target: Target; mode: 'process' | 'power'; as?: string; text: string }
  | { atUs: number; verb: 'restart'; target: Target; as?: string; text: string }
  /** Controlled shutdown: leadership moves away first, then the process stops. */
  | { atUs: number; verb: 'shutdown'; target: Target; as?: string; text: string }
  | { atUs: number; verb: 'pause'; target: Target; as?: string; text: string }
  | { atUs: number; verb: 'resume'; target: Target; as?: string; text: string }
  /** `dir`: one log directory's disk (an index into log.dirs); absent: every disk of the broker. */
  | { atUs: number; verb: 'slowDisk'; target: Target; factor: number; dir?: number; as?: string; text: string }
  | { atUs: number; verb: 'restoreDisk'; target: Target; dir?: number; as?: string; text: string }
  /** A log directory's disk fails (KIP-112/858): its partitions go offline on the broker; `dir` absent: every disk. */
  | { atUs: number; verb: 'failDisk'; target: Target; dir?: number; as?: string; text: string }
  /** A failed disk is replaced by an empty, formatted one and the broker (re)started with it. */
  | { atUs: number; verb: 'replaceDisk'; target: Target; dir?: number; as?: string; text: string }
  /**
   * Cut links. `isolate`: the target from every other node (both ways).
   * `between`: every link between group a and group b (both ways, or only a → b when oneWay).
   */
  | { atUs: number; verb: 'partition'; isolate?: Target; between?: { a: Target[]; b: Target[]; oneWay: boolean }; as?: string; text: string }
  /**
   * Admin ElectLeaders with ElectionType.PREFERRED, sent to the controller: for every partition, or those
   * of `topic`, or the one partition `topic`-`partition`.
   */
  | { atUs: number; verb: 'electLeaders'; election: 'preferred'; topic?: string; partition?: number; text: string }
  /** Admin CreatePartitions: `topic` grows to `increaseTo` partitions. */
  | { atUs: number; verb: 'createPartitions'; topic: string; increaseTo: number; text: string }
  /** A new broker `id` starts and registers with the controller. */
  | { atUs: number; verb: 'addBroker'; id: number; text: string }
  /** Admin AlterPartitionReassignments: each partition's target replicas; `throttleBytesPerSec` as --throttle sets it. */
  | { atUs: number; verb: 'reassign'; targets: Array<{ tp: string; replicas: number[] }>; throttleBytesPerSec?: number; text: string }
  /** Admin UnregisterBroker. */
  | { atUs: number; verb: 'unregisterBroker'; id: number; text: string }
  /**
   * Heal everything: every cut link, slow disk, paused process, and stopped or crashed process (brokers,
   * the controller, clients). Not written in files: `liveness:` appends it at the end of the faults.
   */
  | { atUs: number; verb: 'healAll'; text: string }
  /** Heal: with nothing named, every cut link; else the same shapes as partition. */
  | { atUs: number; verb: 'heal'; isolate?: Target; between?: { a: Target[]; b: Target[]; oneWay: boolean }; text: string };

/** A number expectation: exact, or a range. */
export type Expectation = { eq?: number; min?: number; max?: number };

export interface ExpectSpec {
  /** Record counters from the run summary, by name (RECORD_COUNTERS). */
  records: Partial<Record<RecordCounter, Expectation>>;
  /** Number of leader elections (all, clean, unclean). */
  elections: { all?: Expectation; clean?: Expectation; unclean?: Expectation };
  /** Records each broker removed by truncation, by broker id ("1"); a broker not listed is not checked. */
  truncatedByBroker?: Record<string, Expectation>;
  isrShrinks?: Expectation;
  isrExpands?: Expectation;
  /** keysRemapped events' keysMoved, summed. */
  keysMoved?: Expectation;
  /** reassign events of phase complete. */
  reassignmentsCompleted?: Expectation;
  /** Time of the last reassignment completed, ms. */
  reassignmentDoneMs?: Expectation;
  /** Records acknowledged per second of simulated time (acked / the run's length); min and max only. */
  recordsPerSec?: Expectation;
  /** Latency percentiles of the summary, ms, by kind (produce, endToEnd) and percentile; min and max only. */
  latencyMs?: Partial<Record<'produce' | 'endToEnd', Partial<Record<'p50' | 'p99' | 'p999', Expectation>>>>;
  /** Produce errors seen by the application (final outcomes plus retried errors), by Kafka error name. */
  errors: Record<string, Expectation>;
  /** Consumer groups by group.id: GROUP_COUNTERS (sim/scenario/names.ts). */
  groups?: Record<string, Record<string, Expectation>>;
  /** Checks that must report a violation (each by name). */
  violations: string[];
  /** Checks that must report none; `all` = every check not listed in `violations`. */
  noViolations: string[] | 'all';
}

/** A setting's value in `compare.set`: as written in the file. */
export type SettingValue = string | number | boolean;

/** What a scenario is best compared with: another scenario (by its name), or itself with settings changed. */
export type ScenarioCompare = { with: string; set?: undefined } | { set: Record<string, SettingValue>; with?: undefined };

export interface Scenario {
  name: string;
  /** One line: what the scenario shows (the name when the file has none). */
  title: string;
  description: string;
  /** The question a user asks that this scenario answers, and its short answer (the description is the long one). */
  question?: string;
  answer?: string;
  compare?: ScenarioCompare;
  /** Seed used when the command line gives none. */
  seed: number;
  /** Simulated length of the run, µs. */
  durationUs: number;
  cluster: ClusterSpec;
  topics: TopicSpec[];
  producers: ProducerSpec[];
  consumers: ConsumerSpec[];
  faults: FaultSpec[];
  expect?: ExpectSpec;
  /**
   * The liveness phase `liveness:` asked for: at `healAtUs` (the file's duration) a healAll fault heals
   * everything, and the run goes on `quietUs` more (`durationUs` includes it).
   */
  liveness?: { healAtUs: number; quietUs: number };
  /** When the file is a counterexample a failure search found: the check it violates and where it came from. Ignored by the run. */
  counterexample?: Counterexample;
}

/** A counterexample's provenance (`counterexample:` in a scenario file). */
export interface Counterexample {
  /** The violated check. */
  check: CheckName;
  /** The scenario the search started from. */
  base?: string;
  /** Which run of the search found it. */
  run?: number;
  /** Faults before shrinking. */
  shrunkFrom?: number;
  /** The command that reproduces it. */
  command?: string;
}
