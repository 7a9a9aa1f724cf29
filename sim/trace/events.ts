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

/** Bumped on any incompatible change to the event shapes. */
export const TRACE_SCHEMA_VERSION = 1;

/**
 * Error names as Kafka's protocol spells them (org.apache.kafka.common.protocol.Errors), plus two
 * client-side outcomes: DELIVERY_TIMEOUT (delivery.timeout.ms expired before an acknowledgement: the
 * producer's TimeoutException) and PRODUCER_CRASHED (the producer process died with the record
 * buffered or in flight).
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
  'DELIVERY_TIMEOUT',
  'PRODUCER_CRASHED',
] as const;
export type KafkaError = (typeof KAFKA_ERRORS)[number];

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
  durationUs: number;
  brokers: number[];
  topics: TopicInfo[];
  producers: Array<{ name: string; topic: string; acks: number; idempotence: boolean }>;
  consumers: Array<{ name: string; topic: string }>;
}

/** A fault from the scenario was applied. `targets` are the node names it resolved to. */
export interface FaultEvent {
  type: 'fault';
  t: number;
  verb: string;
  text: string;
  targets: string[];
}

/** A broker process changed state. */
export interface BrokerEvent {
  type: 'broker';
  t: number;
  broker: number;
  /** running: started or resumed; crashed: process died (mode says how); stopped: controlled shutdown done; paused: GC-like stall. */
  state: 'running' | 'crashed' | 'stopped' | 'paused' | 'shuttingDown';
  mode?: 'process' | 'power';
}

/** The controller fenced or unfenced a broker. */
export interface FenceEvent {
  type: 'fence';
  t: number;
  broker: number;
  fenced: boolean;
  /** sessionTimeout: no heartbeat for broker.session.timeout.ms; controlledShutdown; caughtUp: registered and caught up with metadata. */
  reason: 'sessionTimeout' | 'controlledShutdown' | 'caughtUp' | 'registered';
}

/** A directed network link went down or came back. */
export interface LinkEvent {
  type: 'link';
  t: number;
  from: string;
  to: string;
  up: boolean;
}

/** A message (request or response) was sent. `t` is the send time, `recvUs` the planned arrival. */
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

/** A message in flight was lost before arrival (link cut or receiver dead meanwhile). */
export interface DropEvent {
  type: 'drop';
  t: number;
  id: number;
  reason: string;
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
  /** Why: leaderFenced, controlledShutdown, preferred, unclean, offline, created. */
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
  partitionEpoch: number;
  /** shrink (leader's AlterPartition: follower lagged replica.lag.time.max.ms), expand (caught up), fenced, shutdown. */
  reason: 'shrink' | 'expand' | 'fenced' | 'shutdown' | 'election';
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
   * divergingEpoch: cut to where the leader's log ends or its epoch history differs (any generation's
   * epoch-based truncation, and a follower ahead of its leader's log end); highWatermark: pre-0.11
   * truncation to the replica's own HW; powerLoss: unflushed data lost.
   */
  reason: 'divergingEpoch' | 'highWatermark' | 'powerLoss';
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
}

/** A produce attempt failed with a retriable error and will be retried. */
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

/** A client process started or crashed. */
export interface ClientEvent {
  type: 'client';
  t: number;
  node: string;
  state: 'started' | 'crashed';
  pid?: number;
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

/** Last event of a run. */
export interface EndEvent {
  type: 'end';
  t: number;
}

export type TraceEvent =
  | HeaderEvent
  | FaultEvent
  | BrokerEvent
  | FenceEvent
  | LinkEvent
  | MsgEvent
  | DropEvent
  | ElectionEvent
  | IsrEvent
  | AppendEvent
  | TruncateEvent
  | HwEvent
  | FlushEvent
  | BatchEvent
  | AckEvent
  | RetryEvent
  | ClientEvent
  | MetadataEvent
  | ConsumeEvent
  | TruncationDetectedEvent
  | EndEvent;

export type TraceEventType = TraceEvent['type'];

/** Anything that reads events as they are emitted: a hasher, an NDJSON writer, a checker. */
export interface TraceSink {
  event(ev: TraceEvent): void;
}

/** Collects events into an array (the visualizer and tests use it). */
export class ArraySink implements TraceSink {
  readonly events: TraceEvent[] = [];
  event(ev: TraceEvent): void {
    this.events.push(ev);
  }
}

/**
 * The fields of each event type, in order. The trace hash reads events through this table (fast, and
 * independent of key order); a test checks that every emitted event has exactly these keys.
 */
export const EVENT_FIELDS: Record<TraceEventType, readonly string[]> = {
  header: ['type', 't', 'schema', 'scenario', 'seed', 'kafkaVersion', 'durationUs', 'brokers', 'topics', 'producers', 'consumers'],
  fault: ['type', 't', 'verb', 'text', 'targets'],
  broker: ['type', 't', 'broker', 'state', 'mode'],
  fence: ['type', 't', 'broker', 'fenced', 'reason'],
  link: ['type', 't', 'from', 'to', 'up'],
  msg: ['type', 't', 'id', 'from', 'to', 'kind', 'bytes', 'recvUs', 'dropped'],
  drop: ['type', 't', 'id', 'reason'],
  election: ['type', 't', 'tp', 'leader', 'prevLeader', 'epoch', 'clean', 'isr', 'reason'],
  isr: ['type', 't', 'tp', 'isr', 'prev', 'elr', 'partitionEpoch', 'reason'],
  append: ['type', 't', 'broker', 'tp', 'offset', 'count', 'epoch', 'pid', 'seq', 'bytes', 'src'],
  truncate: ['type', 't', 'broker', 'tp', 'to', 'removed', 'reason'],
  hw: ['type', 't', 'broker', 'tp', 'hw'],
  flush: ['type', 't', 'broker', 'tp', 'to'],
  batch: ['type', 't', 'producer', 'pid', 'tp', 'seq', 'count', 'bytes', 'firstUs'],
  ack: ['type', 't', 'producer', 'pid', 'tp', 'seq', 'count', 'offset', 'error', 'attempts'],
  retry: ['type', 't', 'producer', 'tp', 'seq', 'count', 'error', 'attempt'],
  client: ['type', 't', 'node', 'state', 'pid'],
  metadata: ['type', 't', 'node', 'version'],
  consume: ['type', 't', 'consumer', 'tp', 'offset', 'count', 'epoch', 'pid', 'seq'],
  truncationDetected: ['type', 't', 'consumer', 'tp', 'position', 'truncatedTo', 'reset'],
  end: ['type', 't'],
};

/**
 * The trace hash: a 64-bit hash (two 32-bit lanes, FNV-1a-like with murmur3 finalization) over the
 * fields of every event in order (EVENT_FIELDS; an absent optional field counts as absent), so it is
 * the same whether computed while running or later from an NDJSON file parsed back. Cheap enough to
 * run always.
 */
export class TraceHasher implements TraceSink {
  private h1 = 0x811c9dc5 | 0;
  private h2 = 0x01000193 ^ 0x5bd1e995;
  count = 0;

  /** Per event type and field: the last string seen there and its hash (consecutive events repeat them). */
  private readonly lastStrings: Record<string, { s: Array<string | undefined>; h: Int32Array }> = {};

  event(ev: TraceEvent): void {
    this.count++;
    // The busiest types, field by field in EVENT_FIELDS order (the same mixing as the loop below,
    // without looking fields up by name).
    switch (ev.type) {
      case 'append':
        this.str(0, 'append');
        this.num(ev.t);
        this.num(ev.broker);
        this.str(3, ev.tp);
        this.num(ev.offset);
        this.num(ev.count);
        this.num(ev.epoch);
        this.num(ev.pid);
        this.num(ev.seq);
        this.num(ev.bytes);
        this.str(10, ev.src);
        return;
      case 'hw':
        this.str(0, 'hw');
        this.num(ev.t);
        this.num(ev.broker);
        this.str(4, ev.tp);
        this.num(ev.hw);
        return;
      case 'msg':
        this.str(0, 'msg');
        this.num(ev.t);
        this.num(ev.id);
        this.str(5, ev.from);
        this.str(6, ev.to);
        this.str(7, ev.kind);
        this.num(ev.bytes);
        this.num(ev.recvUs);
        if (ev.dropped === undefined) this.mix(11);
        else this.str(8, ev.dropped);
        return;
      case 'batch':
        this.str(0, 'batch');
        this.num(ev.t);
        this.str(9, ev.producer);
        this.num(ev.pid);
        this.str(11, ev.tp);
        this.num(ev.seq);
        this.num(ev.count);
        this.num(ev.bytes);
        this.num(ev.firstUs);
        return;
      case 'ack':
        this.str(0, 'ack');
        this.num(ev.t);
        this.str(12, ev.producer);
        this.num(ev.pid);
        this.str(13, ev.tp);
        this.num(ev.seq);
        this.num(ev.count);
        this.num(ev.offset);
        this.str(14, ev.error);
        this.num(ev.attempts);
        return;
    }
    this.generic(ev);
  }

  /** Per slot: the last string hashed there and its hash (consecutive events repeat strings). */
  private readonly slotString: Array<string | undefined> = new Array(16);
  private readonly slotHash = new Int32Array(16);

  private num(v: number): void {
    if ((v | 0) === v) this.mix(v);
    else this.value(v);
  }

  private str(slot: number, v: string): void {
    this.mix(3);
    if (this.slotString[slot] !== v) {
      this.slotString[slot] = v;
      this.slotHash[slot] = stringHash(v);
    }
    this.mix(this.slotHash[slot]);
  }

  private generic(ev: TraceEvent): void {
    const o = ev as unknown as Record<string, unknown>;
    const fields = EVENT_FIELDS[ev.type];
    if (fields === undefined) {
      this.value(o);
      return;
    }
    let cache = this.lastStrings[ev.type];
    if (cache === undefined) this.lastStrings[ev.type] = cache = { s: new Array(fields.length), h: new Int32Array(fields.length) };
    for (let i = 0; i < fields.length; i++) {
      const v = o[fields[i]];
      if (typeof v === 'number' && (v | 0) === v) {
        this.mix(v);
      } else if (typeof v === 'string') {
        this.mix(3);
        if (cache.s[i] !== v) {
          cache.s[i] = v;
          cache.h[i] = stringHash(v);
        }
        this.mix(cache.h[i]);
      } else {
        this.value(v);
      }
    }
  }

  /** The hash as 16 hex digits. */
  digest(): string {
    const a = fmix(this.h1 ^ this.count) >>> 0;
    const b = fmix(this.h2 ^ Math.imul(this.count, 0x9e3779b1)) >>> 0;
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }

  private mix(x: number): void {
    this.h1 = Math.imul(this.h1 ^ x, 0x01000193);
    const h2 = Math.imul((this.h2 ^ x) + 0x7f4a7c15, 0x85ebca6b);
    this.h2 = (h2 << 13) | (h2 >>> 19);
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        if ((v | 0) === v) {
          this.mix(v);
        } else {
          F64[0] = v;
          this.mix(2);
          this.mix(U32[0]);
          this.mix(U32[1]);
        }
        return;
      case 'string':
        this.mix(3);
        this.mix(stringHash(v));
        return;
      case 'boolean':
        this.mix(v ? 4 : 5);
        return;
      case 'undefined':
        this.mix(11);
        return;
      case 'object':
        if (v === null) {
          this.mix(6);
        } else if (Array.isArray(v)) {
          this.mix(7);
          for (const x of v) this.value(x);
          this.mix(v.length);
        } else {
          this.mix(8);
          const o = v as Record<string, unknown>;
          for (const k in o) {
            const x = o[k];
            if (x === undefined) continue;
            this.mix(stringHash(k));
            this.value(x);
          }
          this.mix(9);
        }
        return;
      default:
        this.mix(10);
    }
  }
}

/** FNV-1a of a string's UTF-16 code units, cached: trace strings repeat (types, partitions, node names). */
const STRING_HASHES = new Map<string, number>();

function stringHash(s: string): number {
  let h = STRING_HASHES.get(s);
  if (h !== undefined) return h;
  h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= s.length;
  if (STRING_HASHES.size > 50_000) STRING_HASHES.clear();
  STRING_HASHES.set(s, h);
  return h;
}

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** Hash a whole list of events (e.g. a trace file read back). */
export function hashEvents(events: Iterable<TraceEvent>): string {
  const h = new TraceHasher();
  for (const ev of events) h.event(ev);
  return h.digest();
}

/** The trace as NDJSON text (one line per event). */
export function toNdjson(events: Iterable<TraceEvent>): string {
  let s = '';
  for (const ev of events) s += JSON.stringify(ev) + '\n';
  return s;
}
