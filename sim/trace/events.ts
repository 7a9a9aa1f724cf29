/**
 * The trace: a typed, versioned union of everything that happened in a run. It is the only contract
 * between the simulator and everything that reads a run (checks, the CLI summary, the visualizer).
 * Written as NDJSON, one event per line, in emission order (non-decreasing `t`).
 *
 * Conventions: `t` is the virtual time in µs when the event happened. Node names: brokers "b1", "b2", ...;
 * the controller "ctl"; producers "p:NAME"; consumers "c:NAME". Partitions are "topic-N" (Kafka's
 * TopicPartition.toString()). Offsets are Kafka offsets (LEO and HW exclusive). `pid` and `seq`
 * identify a producer's records: record k of a batch is (pid, seq + k); the producer numbers records
 * per partition even with enable.idempotence=false, so every record's fate can be followed.
 * See docs/trace.md.
 */

/**
 * Bumped on any incompatible change to the event shapes or their meaning. 2: the header tells the
 * controller kind, session timeout and truncation rule; a delivery timeout is `TimeoutException` with
 * Kafka's message (was DELIVERY_TIMEOUT); truncations to the leader's log end are `leaderEndOffset`;
 * isr events carry `lastKnownElr` (KIP-966); messages held on a cut connection (`held`, `resend`).
 * 3: send() calls that fail before their records reach a batch (`sendError`: RecordTooLargeException,
 * BufferExhaustedException).
 * 4: consumer groups: header consumers carry `group` (and `instanceId`), `__consumer_offsets` is a topic
 * of the header when a group exists; new events `group`, `assignment`, `commit`, `coordinator`, `position`.
 * And the cluster changes during a run: `partitions` (CreatePartitions adds partitions to a topic),
 * `reassign` (a partition reassignment starts or completes), brokers added after time 0 (a `broker` event
 * for an id the header does not list) and unregistered (`fence` with reason `unregistered`); `election`
 * and `isr` reasons `reassignment`.
 */
export const TRACE_SCHEMA_VERSION = 4;

/**
 * What a producer's application can be told about a batch: error names as Kafka's protocol spells them
 * (org.apache.kafka.common.protocol.Errors), the producer's own `TimeoutException`
 * (org.apache.kafka.common.errors.TimeoutException: delivery.timeout.ms expired before an
 * acknowledgement; the ack event carries Kafka's message), and one outcome that is the simulator's, not
 * Kafka's: PRODUCER_CRASHED (the producer process died with the batch buffered or in flight; a real
 * application dies with it and no callback runs). CLIENT_OUTCOMES says what each of the last two is.
 */
export const KAFKA_ERRORS = [
  'NONE',
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'DUPLICATE_SEQUENCE_NUMBER',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'OFFSET_OUT_OF_RANGE',
  'KAFKA_STORAGE_ERROR',
  'MESSAGE_TOO_LARGE',
  'TimeoutException',
  'RecordTooLargeException',
  'BufferExhaustedException',
  'PRODUCER_CRASHED',
] as const;
export type KafkaError = (typeof KAFKA_ERRORS)[number];

/** The outcomes that are not protocol errors: what they are, in the words a report shows next to the name. */
export const CLIENT_OUTCOMES: Readonly<Partial<Record<KafkaError, string>>> = {
  TimeoutException: "the producer's org.apache.kafka.common.errors.TimeoutException: delivery.timeout.ms passed before an acknowledgement",
  RecordTooLargeException: "the producer's org.apache.kafka.common.errors.RecordTooLargeException from send(): the record is larger than max.request.size or buffer.memory",
  BufferExhaustedException: "the producer's org.apache.kafka.clients.producer.BufferExhaustedException (a TimeoutException) from send(): buffer.memory stayed full for max.block.ms",
  PRODUCER_CRASHED: 'simulator outcome, not a Kafka error: the producer process died with the batch unsent or unacknowledged',
};

/**
 * The message of the producer's TimeoutException for an expired batch, as Kafka's Sender.sendProducerData
 * builds it (2.1+, KIP-91): "Expiring 12 record(s) for orders-0:20001 ms has passed since batch creation".
 */
export function expiryMessage(count: number, tp: string, elapsedMs: number): string {
  return `Expiring ${count} record(s) for ${tp}:${elapsedMs} ms has passed since batch creation`;
}

export interface TopicInfo {
  name: string;
  partitions: number;
  replicationFactor: number;
  /** Replica assignment per partition, in assignment (preference) order. */
  replicas: number[][];
  /** Effective topic configs that matter for reliability. */
  minInsyncReplicas: number;
  uncleanLeaderElectionEnable: boolean;
}

/** First event of every trace: what ran. */
export interface HeaderEvent {
  type: 'header';
  t: 0;
  schema: number;
  scenario: string;
  seed: number;
  kafkaVersion: string;
  /**
   * How the controller learns a broker died: `kraft` fences it after broker.session.timeout.ms without a
   * heartbeat; `zookeeper` (before KRaft) declares it dead when its ZooKeeper session expires
   * (zookeeper.session.timeout.ms). `sessionTimeoutMs` is that timeout's value.
   */
  controller: 'zookeeper' | 'kraft';
  sessionTimeoutMs: number;
  /** How a new follower truncates its log (the version's behaviour `truncation`, docs/profiles.md). */
  truncation: 'highWatermark' | 'epochNoEpochInResponse' | 'divergingEpoch';
  durationUs: number;
  brokers: number[];
  topics: TopicInfo[];
  producers: Array<{ name: string; topic: string; acks: number; idempotence: boolean }>;
  /** `group`: its group.id when it is a group member; `instanceId`: group.instance.id of a static member. */
  consumers: Array<{ name: string; topic: string; group?: string; instanceId?: string }>;
  /** broker.rack of each broker that has one, by broker id ("2"); left out when no broker has a rack. */
  racks?: Record<string, string>;
}

/** A fault from the scenario was applied. `targets` are the node names it resolved to. */
export interface FaultEvent {
  type: 'fault';
  t: number;
  verb: string;
  text: string;
  targets: string[];
  /**
   * Why the fault did nothing (e.g. restart of a running broker): it was rejected. For electLeaders, the
   * partitions the controller answered PREFERRED_LEADER_NOT_AVAILABLE (the others were elected or needed
   * no election).
   */
  rejected?: string;
  /** What the fault waits for before it takes effect (a restart of a broker still shutting down). */
  pending?: string;
}

/**
 * A broker's disk (the device of one of its log directories, `log.dirs`; `log.dir` when it has one) failed
 * (the failDisk fault) or was replaced by an empty one (replaceDisk).
 */
export interface DiskEvent {
  type: 'disk';
  t: number;
  broker: number;
  dir: string;
  state: 'failed' | 'replaced';
}

/** A broker process changed state. */
export interface BrokerEvent {
  type: 'broker';
  t: number;
  broker: number;
  /** running: started or resumed; crashed: process died (mode says how); stopped: controlled shutdown done; paused: GC-like stall. */
  state: 'running' | 'crashed' | 'stopped' | 'paused' | 'shuttingDown';
  mode?: 'process' | 'power';
  /**
   * Why, when the broker stopped itself or its shutdown went another way than asked: `crashed` when it
   * halted because every log directory failed (`allLogDirsFailed`) or its metadata log directory did
   * (`metadataLogDirFailed`); `shuttingDown` when it could not tell the controller of a failed log
   * directory within log.dir.failure.timeout.ms (`logDirFailureTimeout`); `stopped` when the controller did
   * not let its controlled shutdown finish within the shutdown's 5 minutes (`controlledShutdownTimedOut`).
   * Absent otherwise.
   */
  reason?: BrokerStopReason;
}

/** Why a broker stopped itself (the `broker` event's `reason`). */
export type BrokerStopReason = 'allLogDirsFailed' | 'metadataLogDirFailed' | 'logDirFailureTimeout' | 'controlledShutdownTimedOut';

/**
 * The controller fenced or unfenced a broker. With a ZooKeeper controller (header `controller`) fenced
 * means declared dead (its ZooKeeper session expired or closed) and unfenced alive (registered again).
 */
export interface FenceEvent {
  type: 'fence';
  t: number;
  broker: number;
  fenced: boolean;
  /**
   * sessionTimeout: no heartbeat for the session timeout (KRaft: broker.session.timeout.ms; ZooKeeper:
   * zookeeper.session.timeout.ms, the broker's ZooKeeper session expired); controlledShutdown: its controlled
   * shutdown began; shutdownNow: the controller let it finish (SHUTDOWN_NOW) and fenced it; registered:
   * a new incarnation registered while the old one was unfenced; caughtUp: registered and caught up with metadata;
   * unregistered: Admin UnregisterBroker removed its registration (it is out of every ISR and leads nothing).
   */
  reason: 'sessionTimeout' | 'controlledShutdown' | 'shutdownNow' | 'caughtUp' | 'registered' | 'unregistered';
}

/** A directed network link went down or came back. */
export interface LinkEvent {
  type: 'link';
  t: number;
  from: string;
  to: string;
  up: boolean;
}

/**
 * A message (request or response) was sent on its TCP connection. `t` is the send time, `recvUs` the
 * planned arrival; a message sent on a cut link is held at once (a `held` event follows, and `recvUs` is `t`).
 */
export interface MsgEvent {
  type: 'msg';
  t: number;
  id: number;
  from: string;
  to: string;
  /** Kafka API name, e.g. Produce, ProduceResponse, Fetch, FetchResponse, BrokerHeartbeat, AlterPartition, Metadata. */
  kind: string;
  bytes: number;
  recvUs: number;
  /** Set when the message was lost at send time (link down, sender or receiver dead). */
  dropped?: string;
}

/**
 * A message was discarded before arrival: its connection closed (a client's request timeout, a process
 * that died and reset it) or it reached a process that is down or restarted.
 */
export interface DropEvent {
  type: 'drop';
  t: number;
  id: number;
  reason: string;
}

/**
 * A message waits on its connection (TCP retransmits it): its link is cut (`link down`) or an older
 * message of the same connection waits (`behind a retransmission`). A `resend` or a `drop` follows.
 */
export interface HeldEvent {
  type: 'held';
  t: number;
  id: number;
  reason: string;
}

/** A held message was retransmitted once its link was up again (the retransmission timer fired): due at `recvUs`. */
export interface ResendEvent {
  type: 'resend';
  t: number;
  id: number;
  from: string;
  to: string;
  kind: string;
  bytes: number;
  recvUs: number;
}

/** The controller changed a partition's leader (or left it without one: leader -1). */
export interface ElectionEvent {
  type: 'election';
  t: number;
  tp: string;
  leader: number;
  prevLeader: number;
  epoch: number;
  /** false when the new leader was not in the ISR (unclean.leader.election.enable). */
  clean: boolean;
  isr: number[];
  /**
   * Why: leaderFenced, controlledShutdown, preferred, unclean, lastKnownLeader (4.x: ISR and ELR empty,
   * the last known leader is elected, uncleanly), offline, offlinePartition, uncleanShutdown.
   */
  reason: string;
}

/** The controller committed a new ISR (and ELR) for a partition. */
export interface IsrEvent {
  type: 'isr';
  t: number;
  tp: string;
  isr: number[];
  prev: number[];
  elr: number[];
  /** KIP-966 (4.x): the leader when the ISR became empty, kept while the partition has no leader. */
  lastKnownElr: number[];
  partitionEpoch: number;
  /**
   * shrink (leader's AlterPartition: follower lagged replica.lag.time.max.ms), expand (caught up), fenced,
   * shutdown, election, uncleanShutdown (4.x: a broker registered again after an unclean shutdown and left
   * the ISR and ELR), reassignment (a reassignment completed: the removed replicas left the ISR),
   * unregistered (Admin UnregisterBroker), offlineDir (the broker's replica is in a failed log directory:
   * ReplicationControlManager.handleDirectoriesOffline, KIP-858).
   */
  reason: 'shrink' | 'expand' | 'fenced' | 'shutdown' | 'election' | 'uncleanShutdown' | 'reassignment' | 'unregistered' | 'offlineDir';
}

/**
 * The controller added partitions to a topic (Admin CreatePartitions, kafka-topics --alter --partitions):
 * the topic now has `partitions`; `replicas` are the new partitions' assignments, for partitions
 * `partitions - replicas.length` on, preferred leader first, and `isr` their ISRs: the active replicas
 * (registered, unfenced, not shutting down), in assignment order. Each is led by the first of its ISR,
 * leader epoch 0.
 */
export interface PartitionsEvent {
  type: 'partitions';
  t: number;
  topic: string;
  partitions: number;
  replicas: number[][];
  isr: number[][];
}

/**
 * A partition reassignment (KIP-455) changed phase. `start`: the controller set the replicas to the target
 * followed by those to remove, `adding` join as followers and catch up; `complete`: every target replica
 * was in the ISR, the replicas are the target, `removing` left (they stop and delete the partition).
 * `replicas` is the assignment after the change.
 */
export interface ReassignEvent {
  type: 'reassign';
  t: number;
  tp: string;
  phase: 'start' | 'complete';
  replicas: number[];
  adding: number[];
  removing: number[];
}

/** A replica appended a batch to its log: from a producer (leader) or from fetching (follower). */
export interface AppendEvent {
  type: 'append';
  t: number;
  broker: number;
  tp: string;
  offset: number;
  count: number;
  epoch: number;
  pid: number;
  seq: number;
  bytes: number;
  src: 'produce' | 'fetch';
}

/** A replica removed records from the end of its log. */
export interface TruncateEvent {
  type: 'truncate';
  t: number;
  broker: number;
  tp: string;
  /** The new log end offset. */
  to: number;
  removed: number;
  /**
   * divergingEpoch: cut to where the leader's epoch history differs (any generation's epoch-based
   * truncation, including 0.11-1.x's single OffsetsForLeaderEpoch); highWatermark: pre-0.11 truncation to
   * the replica's own HW on becoming a follower; leaderEndOffset: a fetch out of range because the leader's
   * log ends below ours, cut to the leader's log end (ReplicaFetcherThread.handleOffsetOutOfRange, every
   * generation, the only check before 0.11 besides the HW); powerLoss: unflushed data lost; diskFailure: the
   * log's disk failed (failDisk), the whole log is gone from this broker.
   */
  reason: 'divergingEpoch' | 'highWatermark' | 'leaderEndOffset' | 'powerLoss' | 'diskFailure';
}

/** A replica's high watermark moved. */
export interface HwEvent {
  type: 'hw';
  t: number;
  broker: number;
  tp: string;
  hw: number;
}

/** Data up to `to` (exclusive) is now on the broker's disk (survives power loss). */
export interface FlushEvent {
  type: 'flush';
  t: number;
  broker: number;
  tp: string;
  to: number;
}

/** A producer closed a batch (the application's send() calls for these records are done). */
export interface BatchEvent {
  type: 'batch';
  t: number;
  producer: string;
  pid: number;
  tp: string;
  seq: number;
  count: number;
  bytes: number;
  /** Creation time of the first record, µs. */
  firstUs: number;
}

/** Final outcome of a batch for the application: acknowledged (error NONE) or failed. */
export interface AckEvent {
  type: 'ack';
  t: number;
  producer: string;
  pid: number;
  tp: string;
  seq: number;
  count: number;
  /** Base offset the broker assigned (-1 when unknown: acks=0 or failure). */
  offset: number;
  error: KafkaError;
  attempts: number;
  /** The exception's message when Kafka's gives one the simulator reproduces (TimeoutException: expiryMessage). */
  message?: string;
}

/**
 * send() failed before the records reached a batch: KafkaProducer.doSend hands the exception to the
 * callback (RecordTooLargeException from ensureValidRecordSize; BufferExhaustedException when
 * buffer.memory stayed full for max.block.ms). `count` send() calls of the producer's topic failed by `t`
 * (calls failing for the same reason one after another are reported together, at most once a second).
 * These records never got a partition offset, a producer id or a sequence number.
 */
export interface SendErrorEvent {
  type: 'sendError';
  t: number;
  producer: string;
  topic: string;
  count: number;
  error: KafkaError;
  message: string;
}

/**
 * A produce attempt failed with a retriable error and will be retried. With MESSAGE_TOO_LARGE the batch
 * was split into batches of at most batch.size (Sender.completeBatch, ProducerBatch.split), which keep
 * its records' sequence numbers.
 */
export interface RetryEvent {
  type: 'retry';
  t: number;
  producer: string;
  tp: string;
  seq: number;
  count: number;
  error: KafkaError;
  attempt: number;
}

/**
 * A producer's metadata showed its topic with more partitions (CreatePartitions): it partitions over
 * `partitions` from now on (murmur2(key) % partitions), and `keysMoved` of the keys it had sent so far now
 * map to another partition (0 for records without keys).
 */
export interface KeysRemappedEvent {
  type: 'keysRemapped';
  t: number;
  producer: string;
  topic: string;
  partitions: number;
  keysMoved: number;
}

/** A client process started or crashed. */
export interface ClientEvent {
  type: 'client';
  t: number;
  node: string;
  /**
   * stopped: closed cleanly (a consumer's close(): commit, LeaveGroup); failed: the application stopped on
   * an exception that is not retriable (`error`: FencedInstanceIdException, …).
   */
  state: 'started' | 'crashed' | 'stopped' | 'failed';
  pid?: number;
  error?: string;
}

/** A node learned a new metadata version from the controller. */
export interface MetadataEvent {
  type: 'metadata';
  t: number;
  node: string;
  version: number;
}

/** A consumer received a batch (records it read). */
export interface ConsumeEvent {
  type: 'consume';
  t: number;
  consumer: string;
  tp: string;
  offset: number;
  count: number;
  epoch: number;
  pid: number;
  seq: number;
}

/**
 * A consumer checked its position after a leader change (KIP-320) and found the log truncated below it:
 * what it had read from `truncatedTo` on is gone. `reset` says where it goes next: `divergence`
 * (auto.offset.reset set: back to `truncatedTo`) or `none` (LogTruncationException: it stops).
 */
export interface TruncationDetectedEvent {
  type: 'truncationDetected';
  t: number;
  consumer: string;
  tp: string;
  position: number;
  truncatedTo: number;
  reset: 'divergence' | 'none';
}

/**
 * Group states as Kafka's GroupState spells them: a classic group's (ClassicGroupState: Empty,
 * PreparingRebalance, CompletingRebalance, Stable, Dead) or a KIP-848 consumer group's (ConsumerGroupState:
 * Empty, Assigning, Reconciling, Stable).
 */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead' | 'Assigning' | 'Reconciling';

/**
 * A group changed state at its coordinator (broker `coordinator`), or its members changed. `members` are
 * the consumers (client ids) in the group after the change, `leader` the member that assigns; `reason`
 * says why in Kafka's words ("member c2 left the group: session.timeout.ms expired", …). For a KIP-848
 * group (state Assigning or Reconciling, or a `generation` that moves without PreparingRebalance)
 * `generation` is the group epoch, `protocol` the server-side assignor, and there is no leader.
 */
export interface GroupEvent {
  type: 'group';
  t: number;
  group: string;
  coordinator: number;
  state: GroupState;
  generation: number;
  members: string[];
  leader?: string;
  /** The assignor the group chose (the protocol), once a generation has one. */
  protocol?: string;
  reason: string;
}

/**
 * A member's partitions changed (ConsumerRebalanceListener): `revoked` given up (eager: all of them when
 * a rebalance starts), `lost` taken away without a chance to commit (the member was removed), `added` new
 * in generation `generation`; `partitions` is what it owns after.
 */
export interface AssignmentEvent {
  type: 'assignment';
  t: number;
  consumer: string;
  group: string;
  /** Its member id (CONSUMER-ID in kafka-consumer-groups). */
  memberId: string;
  generation: number;
  partitions: string[];
  added: string[];
  revoked: string[];
  lost: string[];
}

/**
 * An offset commit finished (or failed). `offsets` are the committed positions (the next offset to read).
 * `kind`: `auto` (enable.auto.commit), `sync` (the application's commitSync), `revoke` (the auto-commit
 * before a rebalance), `close`. `error` is Kafka's (`NONE` when stored), or CommitFailedException.
 */
export interface CommitEvent {
  type: 'commit';
  t: number;
  consumer: string;
  group: string;
  offsets: Array<{ tp: string; offset: number }>;
  kind: 'auto' | 'sync' | 'revoke' | 'close';
  error: string;
}

/**
 * A broker became the coordinator of a group (it leads the group's __consumer_offsets partition `tp`) and
 * loaded its committed offsets from its own log, or stopped being it (`loaded: false`).
 */
export interface CoordinatorEvent {
  type: 'coordinator';
  t: number;
  group: string;
  broker: number;
  tp: string;
  loaded: boolean;
  /** How many partitions had a committed offset in the log it loaded. */
  offsets: number;
}

/**
 * A group member set its position on a newly assigned partition: from the group's committed offset, or
 * (none committed) by auto.offset.reset (`earliest` or `latest`).
 */
export interface PositionEvent {
  type: 'position';
  t: number;
  consumer: string;
  tp: string;
  offset: number;
  from: 'committed' | 'earliest' | 'latest';
}

/** Last event of a run. */
export interface EndEvent {
  type: 'end';
  t: number;
}

export type TraceEvent =
  | HeaderEvent
  | FaultEvent
  | BrokerEvent
  | DiskEvent
  | FenceEvent
  | LinkEvent
  | MsgEvent
  | DropEvent
  | HeldEvent
  | ResendEvent
  | ElectionEvent
  | IsrEvent
  | PartitionsEvent
  | ReassignEvent
  | AppendEvent
  | TruncateEvent
  | HwEvent
  | FlushEvent
  | BatchEvent
  | AckEvent
  | RetryEvent
  | SendErrorEvent
  | KeysRemappedEvent
  | ClientEvent
  | MetadataEvent
  | ConsumeEvent
  | TruncationDetectedEvent
  | GroupEvent
  | AssignmentEvent
  | CommitEvent
  | CoordinatorEvent
  | PositionEvent
  | EndEvent;

export type TraceEventType = TraceEvent['type'];

/** Anything that reads events as they are emitted: a hasher, an NDJSON writer, a checker. */
export interface TraceSink {
  event(ev: TraceEvent): void;
}

/**
 * A sink that also takes the most frequent events it reads as their fields (the checks and the timeline
 * are such sinks): a run in summary mode (no other sinks) calls these instead of building the event. Each
 * must do exactly what `event()` does with the same event.
 */
export interface FieldSink extends TraceSink {
  append(t: number, broker: number, tp: string, offset: number, count: number, epoch: number, pid: number, seq: number, bytes: number, src: AppendEvent['src']): void;
  hw(t: number, broker: number, tp: string, hw: number): void;
  /** An `ack` with error NONE (and so no message). */
  acked(t: number, producer: string, pid: number, tp: string, seq: number, count: number, offset: number, attempts: number): void;
  /** A `consume` event. */
  consumed(t: number, consumer: string, tp: string, offset: number, count: number, epoch: number, pid: number, seq: number): void;
  /** A `batch` event (optional: only the checks read it). */
  batch?(t: number, producer: string, pid: number, tp: string, seq: number, count: number, bytes: number, firstUs: number): void;
}

/** Collects events into an array (the visualizer and tests use it). */
export class ArraySink implements TraceSink {
  readonly events: TraceEvent[] = [];
  event(ev: TraceEvent): void {
    this.events.push(ev);
  }
}
