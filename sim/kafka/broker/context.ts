/**
 * What the parts of a broker (lifecycle.ts, replica-manager.ts, partition.ts, replica-fetcher.ts and the
 * purgatories) use of the broker that owns them (Kafka's BrokerServer, broker.ts), so that they depend on
 * this small interface and not on the Broker class that constructs them.
 */
import type { Disk } from '../../resources/disk.js';
import type { RequestHandling } from '../../resources/cpu.js';
import type { Kernel } from '../../kernel/kernel.js';
import type { ProcessState } from '../../kernel/process.js';
import type { MetadataImage } from '../metadata.js';
import type { Network } from '../../resources/network.js';
import type { PartitionLog } from '../partition-log.js';
import type { ReplicationQuota } from './replication-quota.js';
import type { Trace } from '../../trace/bus.js';
import type { BrokerStopReason } from '../../trace/events.js';
import type { CoordinatorConfig } from '../group/messages.js';
import type { GroupRecordValues } from '../group/records.js';

export interface BrokerConfig {
  replicaLagTimeMaxMs: number;
  replicaFetchWaitMaxMs: number;
  replicaFetchMinBytes: number;
  replicaFetchMaxBytes: number;
  replicaFetchResponseMaxBytes: number;
  replicaFetchBackoffMs: number;
  /** replica.socket.timeout.ms: a fetch with no answer after this is abandoned. */
  replicaSocketTimeoutMs: number;
  brokerHeartbeatIntervalMs: number;
  /** log.dir.failure.timeout.ms: a failed log directory the controller was not told of within it shuts the broker down (KRaft; Infinity: none). */
  logDirFailureTimeoutMs: number;
  /** The log directory (index in log.dirs) holding the metadata log (metadata.log.dir), or -1: one of its own, or none (ZooKeeper mode). */
  metadataLogDir: number;
  /** flush.messages of a topic (log.flush.interval.messages unless the topic overrides it). */
  flushMessages: (topic: string) => number;
  /** flush.ms of a topic (log.flush.interval.ms unless the topic overrides it). */
  flushMs: (topic: string) => number;
  /** max.message.bytes per topic (the broker's message.max.bytes unless the topic sets it). */
  maxMessageBytes: (topic: string) => number;
  /** min.insync.replicas per topic. */
  minIsr: (topic: string) => number;
  /** KAFKA-15583 (3.7+): the HW does not advance while the ISR is below min ISR. */
  hwFrozenUnderMinIsr: boolean;
  /**
   * How a replica that becomes a follower truncates (sim/config.ts Behaviour): to its HW (before 0.11),
   * to the end offset of one OffsetsForLeaderEpoch answered without an epoch (0.11-1.x), or by
   * diverging epoch (2.0+, on fetch since 2.7).
   */
  truncation: 'highWatermark' | 'epochNoEpochInResponse' | 'divergingEpoch';
  /** broker.rack of a broker, as the metadata cache knows every broker's endpoint. */
  rackOf: (broker: number) => string | undefined;
  /** replica.selector.class is RackAwareReplicaSelector (KIP-392). */
  rackAwareReplicaSelector: boolean;
  /** The group coordinator's configs (group.*, offsets.*). */
  coordinator: CoordinatorConfig;
  /** The values of __consumer_offsets records, shared by the run's brokers. */
  groupRecords: GroupRecordValues;
}

/** The ReplicaManager's purgatories, as a Partition wakes them when its log or high watermark moves. */
export interface Purgatories {
  readonly producePurgatory: { checkAll(): void };
  readonly fetchPurgatory: { wake(tp: string, consumersOnly?: boolean): void };
  /** leader.replication.throttled.rate's quota (replication-quota.ts). */
  readonly leaderQuota: ReplicationQuota;
}

/** The broker as its parts see it: identity, resources, config, metadata state and timers. */
export interface BrokerContext {
  readonly id: number;
  /** The network node name (`b<id>`). */
  readonly node: string;
  readonly kernel: Kernel;
  readonly net: Network;
  readonly disk: Disk;
  /** Its SocketServer and request handler pool over its machine's cores. */
  readonly requests: RequestHandling;
  readonly trace: Trace;
  readonly cfg: BrokerConfig;
  /** Logs by partition: they survive process crashes. */
  readonly logs: Map<string, PartitionLog>;
  /**
   * Replicas whose log directory failed (failDisk), with that directory: offline on this broker
   * (HostedPartition.Offline) until the disk is replaced and the broker restarts.
   */
  readonly offlineTps: Map<string, number>;
  /** offlineTps' partitions, sorted, as the broker reports them to the controller; undefined when none. */
  offlineReplicas(): string[] | undefined;
  image: MetadataImage | null;
  brokerEpoch: number;
  /** The epoch read from the clean shutdown file at startup (KIP-966), or -1. */
  readonly previousBrokerEpoch: number;
  fenced: boolean;
  shuttingDown: boolean;
  /** Bumped on every crash and start. */
  readonly incarnation: number;
  readonly state: ProcessState;
  readonly replicaManager: Purgatories;
  /** Run `fn` after `delayUs` if this incarnation is still alive then. */
  timer(delayUs: number, fn: () => void): void;
  /** Run `fn` at absolute time `t` (µs) under the same rules as timer(). */
  timerAt(t: number, fn: () => void): void;
  logFor(tp: string): PartitionLog;
  /** A new metadata image: remember it, then let the ReplicaManager change roles. */
  applyImage(img: MetadataImage): void;
  /** The controller let a controlled shutdown finish (or its wait timed out: `reason`). */
  stopCleanly(reason?: BrokerStopReason): void;
  /** Begin a controlled shutdown (the process's own shutdown hook gives `reason`). */
  shutdown(reason?: BrokerStopReason): void;
}
