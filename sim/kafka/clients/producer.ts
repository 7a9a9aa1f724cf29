/**
 * A Kafka producer: the application calls send() at a steady rate; records go into per-partition
 * batches (RecordAccumulator: linger.ms, batch.size, buffer.memory); the Sender drains at most one
 * batch per partition into each Produce request, keeps up to max.in.flight.requests.per.connection
 * requests per broker, retries retriable errors with exponential backoff until delivery.timeout.ms,
 * and with enable.idempotence numbers records so the broker drops duplicates and keeps order.
 * Sources: docs/kafka-source-notes.md §5.
 */
import type { Kernel } from '../../kernel/kernel.js';
import { NO_LEADER, type MetadataImage } from '../metadata.js';
import type { Envelope, Network } from '../../resources/network.js';
import type { RecordBatch } from '../partition-log.js';
import { partitionForKey, StickyPartitioner } from './partitioner.js';
import { Process } from '../../kernel/process.js';
import * as P from '../protocol.js';
import type { Stream } from '../../kernel/random.js';
import type { KeySpec } from '../../scenario/types.js';
import type { KafkaError } from '../../trace/events.js';
import type { Trace } from '../../trace/bus.js';
import type { Metrics } from './metrics.js';
import { ClientMetadata } from './client-metadata.js';
import { ReconnectBackoff } from './reconnect.js';
import { Deadlines, type Deadline } from '../../kernel/deadlines.js';

export interface ProducerConfig {
  acks: number;
  idempotence: boolean;
  lingerMs: number;
  batchSize: number;
  bufferMemory: number;
  maxInFlight: number;
  requestTimeoutMs: number;
  deliveryTimeoutMs: number;
  retries: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  metadataMaxAgeMs: number;
  maxRequestSize: number;
  partitionerIgnoreKeys: boolean;
  adaptivePartitioning: boolean;
}

export interface ProducerWorkload {
  topic: string;
  ratePerSec: number;
  recordBytes: number;
  keys: KeySpec;
  startUs: number;
  stopUs: number;
  maxRecords: number;
}

/** A batch in the accumulator or in flight. */
interface PBatch {
  tp: string;
  partition: number;
  /** Creation times of the records so far (a packed array of doubles: cheaper to create than a typed array). */
  createUs: number[];
  count: number;
  bytes: number;
  createdUs: number;
  /** Built when first drained (sequence numbers are assigned at drain time). */
  record: RecordBatch | null;
  attempts: number;
  lastAttemptUs: number;
  retryBackoffUs: number;
  done: boolean;
}

interface InflightRequest {
  node: number;
  batches: PBatch[];
  connGen: number;
  timeout?: Deadline;
}

/** Batch header (61 bytes in the v2 format) and per-record overhead (attributes, varints, headers). */
const BATCH_OVERHEAD_BYTES = 61;
const RECORD_OVERHEAD_BYTES = 10;

const RETRIABLE = new Set<KafkaError>([
  'NOT_LEADER_OR_FOLLOWER', 'NOT_ENOUGH_REPLICAS', 'NOT_ENOUGH_REPLICAS_AFTER_APPEND', 'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION', 'FENCED_LEADER_EPOCH', 'UNKNOWN_LEADER_EPOCH', 'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION', 'KAFKA_STORAGE_ERROR',
]);
/** Errors that make the client refresh its metadata (InvalidMetadataException and disconnects). */
const INVALID_METADATA = new Set<KafkaError>([
  'NOT_LEADER_OR_FOLLOWER', 'FENCED_LEADER_EPOCH', 'LEADER_NOT_AVAILABLE', 'UNKNOWN_TOPIC_OR_PARTITION',
  'NETWORK_EXCEPTION', 'KAFKA_STORAGE_ERROR', 'REQUEST_TIMED_OUT',
]);

export class Producer extends Process {
  pid = 0;
  private readonly metadata: ClientMetadata;
  private readonly backoff: ReconnectBackoff;
  /** Request timeouts (request.timeout.ms), by correlation id. */
  private timeouts = new Deadlines<number>(this, (id) => this.requestTimedOut(id));
  private metadataWanted = false;
  private readonly tps: string[];
  private queues: PBatch[][] = [];
  private inflightByTp: PBatch[][] = [];
  private nextSeq: number[] = [];
  private requests = new Map<number, InflightRequest>();
  private connGen = new Map<number, number>();
  private inflightCount = new Map<number, number>();
  private drainIndex = new Map<number, number>();
  private nextCorrelation = 1;
  private nextWakeUs = Infinity;
  private bufferedBytes = 0;
  private blocked = false;
  private sent = 0;
  /** Time of record 0 (moves when send() was blocked on buffer.memory, or at a restart). */
  private baseUs = 0;
  private keysAhead: number[] = [];

  /** Records the application has called send() for. */
  get sentCount(): number {
    return this.sent;
  }
  private readonly sticky: StickyPartitioner;
  private readonly keyPartition: Int32Array | null;
  private readonly keyBytes: number;
  private readonly recordWireBytes: number;

  constructor(
    kernel: Kernel,
    readonly name: string,
    private readonly net: Network,
    private readonly trace: Trace,
    private readonly metrics: Metrics,
    private readonly cfg: ProducerConfig,
    private readonly work: ProducerWorkload,
    partitions: number,
    brokers: number[],
    private readonly rng: { keys: Stream; partitioner: Stream; backoff: Stream; reconnect: Stream },
    /** Hands out producer ids (InitProducerId). */
    private readonly newPid: () => number,
  ) {
    super(kernel, `p:${name}`);
    this.backoff = new ReconnectBackoff(rng.reconnect);
    this.metadata = new ClientMetadata(this, net, trace, brokers, work.topic, cfg, this.backoff, () => this.onMetadata(), () => this.queues.some((q) => q.length > 0));
    this.tps = Array.from({ length: partitions }, (_, p) => `${work.topic}-${p}`);
    this.sticky = new StickyPartitioner(partitions, cfg.batchSize, rng.partitioner);
    const keyCount = work.keys.kind === 'uniform' || work.keys.kind === 'zipf' ? work.keys.count : work.keys.kind === 'fixed' ? 1 : 0;
    this.keyPartition = keyCount > 0 && !cfg.partitionerIgnoreKeys ? new Int32Array(keyCount) : null;
    if (this.keyPartition !== null) {
      for (let k = 0; k < keyCount; k++) this.keyPartition[k] = partitionForKey(this.keyString(k), partitions);
    }
    this.keyBytes = keyCount > 0 ? this.keyString(keyCount - 1).length : 0;
    this.recordWireBytes = work.recordBytes + this.keyBytes + RECORD_OVERHEAD_BYTES;
    net.attach(this, (env) => this.receive(env));
    net.onDisconnect(this.node, (peer) => this.onDisconnect(peer));
  }

  private keyString(k: number): string {
    return this.work.keys.kind === 'fixed' ? this.work.keys.key : `key-${k}`;
  }

  /** Start the producer process (a new producer id each time, as InitProducerId gives). */
  start(): void {
    this.markStarted();
    this.pid = this.newPid();
    this.queues = this.tps.map(() => []);
    this.inflightByTp = this.tps.map(() => []);
    this.nextSeq = this.tps.map(() => 0);
    this.requests = new Map();
    this.inflightCount = new Map();
    this.timeouts = new Deadlines<number>(this, (id) => this.requestTimedOut(id));
    this.backoff.reset();
    this.bufferedBytes = 0;
    this.blocked = false;
    this.nextWakeUs = Infinity;
    this.trace.emit({ type: 'client', t: this.kernel.now, node: this.node, state: 'started', pid: this.pid });
    this.metadata.reset();
    this.metadata.request();
    this.baseUs = Math.max(this.work.startUs, this.kernel.now) - Math.round((this.sent * 1e6) / this.work.ratePerSec);
    this.keysAhead = [];
    this.wakeAt(this.tOf(this.sent));
  }

  /** The process dies: whatever was buffered or in flight is lost to the application. */
  crash(): void {
    if (!this.alive) return;
    this.catchUp();
    for (let i = 0; i < this.tps.length; i++) {
      for (const b of this.queues[i]) this.fail(b, 'PRODUCER_CRASHED');
      for (const b of this.inflightByTp[i]) this.fail(b, 'PRODUCER_CRASHED');
    }
    this.markDown();
    this.trace.emit({ type: 'client', t: this.kernel.now, node: this.node, state: 'crashed' });
  }

  // ---- the application ----------------------------------------------------------------------
  //
  // The application calls send() for record k at baseUs + k / rate. Records are appended to the
  // accumulator lazily, whenever the producer does anything (catchUp), each with its exact creation
  // time; the producer wakes exactly when a record would fill a batch or start a linger, so batches
  // leave at the same instants as with one event per record, at a fraction of the events.

  /** Creation time of record k (µs). */
  private tOf(k: number): number {
    return this.baseUs + Math.round((k * 1e6) / this.work.ratePerSec);
  }

  private moreRecords(k: number): boolean {
    return k < this.work.maxRecords && this.tOf(k) < this.work.stopUs;
  }

  /** Append every record due by now. */
  private catchUp(now = this.kernel.now): void {
    if (this.blocked || !this.alive) return;
    while (this.moreRecords(this.sent) && this.tOf(this.sent) <= now) {
      if (this.bufferedBytes + this.recordWireBytes > this.cfg.bufferMemory) {
        // buffer.memory exhausted: send() blocks until an acknowledgement frees memory.
        this.blocked = true;
        return;
      }
      if (this.keyPartition === null) this.sendStickyRun(now);
      else this.sendRecord(this.tOf(this.sent));
    }
  }

  /**
   * Keyless records all go to the sticky partition until it switches, which can only happen when a
   * batch fills (or at twice batch.size): append them as one run, up to that point, with the same
   * result as one at a time.
   */
  private sendStickyRun(now: number): void {
    const p = this.sticky.partition(this.available, this.queueSize, this.cfg.adaptivePartitioning);
    const rec = this.recordWireBytes;
    let b = this.openBatch(p);
    if (b === undefined || (b.count > 0 && b.bytes + rec > this.cfg.batchSize)) b = this.newBatch(p, this.tOf(this.sent));
    const room = Math.max(1, Math.floor((this.cfg.batchSize - b.bytes) / rec));
    const untilSwitch = Math.max(1, Math.ceil((2 * this.cfg.batchSize - this.sticky.produced()) / rec));
    const memory = Math.max(1, Math.floor((this.cfg.bufferMemory - this.bufferedBytes) / rec));
    let n = 0;
    const limit = Math.min(room, untilSwitch, memory);
    while (n < limit && this.moreRecords(this.sent) && this.tOf(this.sent) <= now) {
      b.createUs.push(this.tOf(this.sent));
      b.count++;
      this.sent++;
      n++;
    }
    b.bytes += n * rec;
    this.bufferedBytes += n * rec;
    this.sticky.appended(n * rec, b.bytes + rec > this.cfg.batchSize, this.available, this.queueSize, this.cfg.adaptivePartitioning);
  }

  private newBatch(p: number, createUs: number): PBatch {
    const b: PBatch = {
      tp: this.tps[p], partition: p, createUs: [], count: 0, bytes: BATCH_OVERHEAD_BYTES,
      createdUs: createUs, record: null, attempts: 0, lastAttemptUs: createUs, retryBackoffUs: 0, done: false,
    };
    this.queues[p].push(b);
    return b;
  }

  /** When the next not-yet-appended record matters: it fills a batch, or starts one (its linger). */
  private nextRecordWakeUs(): number {
    const k0 = this.sent;
    if (this.blocked || !this.moreRecords(k0)) return Infinity;
    const lingerEnd = this.tOf(k0) + this.cfg.lingerMs * 1000;
    if (this.keyPartition === null) {
      const p = this.sticky.peek();
      const need = p < 0 ? 1 : this.recordsUntilFull(p);
      const k = k0 + need - 1;
      return Math.min(lingerEnd, this.moreRecords(k) ? this.tOf(k) : Infinity);
    }
    // Keyed: walk the (pre-drawn) keys of upcoming records until one would fill its partition's batch.
    const bytes = new Map<number, number>();
    for (let k = k0; this.moreRecords(k) && this.tOf(k) < lingerEnd && k - k0 < 4096; k++) {
      const p = this.keyPartition[this.keyAhead(k - k0)];
      const open = this.openBatch(p);
      const b = bytes.get(p) ?? (open !== undefined ? open.bytes : BATCH_OVERHEAD_BYTES);
      if (b + 2 * this.recordWireBytes > this.cfg.batchSize) return this.tOf(k);
      bytes.set(p, b + this.recordWireBytes);
    }
    return lingerEnd;
  }

  private openBatch(p: number): PBatch | undefined {
    const q = this.queues[p];
    const b = q.length > 0 ? q[q.length - 1] : undefined;
    return b !== undefined && b.record === null ? b : undefined;
  }

  /** Records until partition p's open batch is full (1 if none is open: the first record starts one). */
  private recordsUntilFull(p: number): number {
    const open = this.openBatch(p);
    const bytes = open !== undefined ? open.bytes : BATCH_OVERHEAD_BYTES;
    // The n-th record fills the batch when bytes + (n + 1) * record > batch.size.
    return Math.max(1, Math.floor((this.cfg.batchSize - bytes) / this.recordWireBytes));
  }

  /** The key index of the i-th upcoming record (drawn in order from the keys stream, kept until used). */
  private keyAhead(i: number): number {
    while (this.keysAhead.length <= i) this.keysAhead.push(this.chooseKey());
    return this.keysAhead[i];
  }

  private chooseKey(): number {
    const k = this.work.keys;
    if (k.kind === 'uniform') return Math.floor(this.rng.keys() * k.count);
    if (k.kind === 'zipf') return zipfIndex(this.rng.keys(), k.count, k.exponent);
    return 0;
  }

  private get image(): MetadataImage | null {
    return this.metadata.image;
  }

  /** Leader of each partition per the current metadata (NO_LEADER when unknown). */
  private leaders: Int32Array = new Int32Array(0);
  /** Partitions by leader, for draining. */
  private ledBy = new Map<number, number[]>();

  private onMetadata(): void {
    const img = this.image!;
    this.leaders = Int32Array.from(this.tps, (tp) => img.partitions[tp].leader);
    this.ledBy = new Map();
    for (let p = 0; p < this.tps.length; p++) {
      const l = this.ledBy.get(this.leaders[p]);
      if (l === undefined) this.ledBy.set(this.leaders[p], [p]);
      else l.push(p);
    }
    this.runSender();
  }

  private readonly available = (p: number): boolean => this.image !== null && this.leaders[p] !== NO_LEADER;
  private readonly queueSize = (p: number): number => this.queues[p].length;

  private sendRecord(createUs: number): void {
    this.sent++;
    let p: number;
    if (this.keyPartition !== null) p = this.keyPartition[this.keysAhead.length > 0 ? this.keysAhead.shift()! : this.chooseKey()];
    else p = this.sticky.partition(this.available, this.queueSize, this.cfg.adaptivePartitioning);
    const q = this.queues[p];
    let b = q.length > 0 ? q[q.length - 1] : undefined;
    if (b === undefined || b.record !== null || (b.count > 0 && b.bytes + this.recordWireBytes > this.cfg.batchSize)) b = this.newBatch(p, createUs);
    b.createUs.push(createUs);
    b.count++;
    b.bytes += this.recordWireBytes;
    this.bufferedBytes += this.recordWireBytes;
    if (this.keyPartition === null) {
      const full = b.bytes + this.recordWireBytes > this.cfg.batchSize;
      this.sticky.appended(this.recordWireBytes, full, this.available, this.queueSize, this.cfg.adaptivePartitioning);
    }
  }

  /** The run is over at `now`: records due before it were sent by the application (not those due at it). */
  finish(): void {
    this.catchUp(this.kernel.now - 1);
  }

  // ---- the sender ----------------------------------------------------------------------------

  private wakeAt(t: number): void {
    if (t >= this.nextWakeUs) return;
    this.nextWakeUs = t;
    this.timerAt(t, this.wake);
  }

  private readonly wake = (): void => {
    if (this.kernel.now < this.nextWakeUs) return;
    this.nextWakeUs = Infinity;
    this.runSender();
  };

  private runSender(): void {
    this.catchUp();
    const now = this.kernel.now;
    const image = this.image;
    if (image === null) {
      this.metadata.request();
      return;
    }
    let nextUs = Infinity;
    const ready: number[] = [];
    for (let p = 0; p < this.tps.length; p++) {
      const q = this.queues[p];
      if (q.length === 0) continue;
      const head = q[0];
      if (now - head.createdUs >= this.cfg.deliveryTimeoutMs * 1000) {
        this.expireQueued(p);
        continue;
      }
      nextUs = Math.min(nextUs, head.createdUs + this.cfg.deliveryTimeoutMs * 1000);
      const leader = this.leaders[p];
      if (leader === NO_LEADER) {
        this.metadataWanted = true;
        continue;
      }
      const backingOff = head.attempts > 0 && now < head.lastAttemptUs + head.retryBackoffUs;
      const full = q.length > 1 || head.bytes + this.recordWireBytes > this.cfg.batchSize;
      const waitUs = head.attempts > 0 ? head.retryBackoffUs : this.cfg.lingerMs * 1000;
      const sendable = full || now - head.lastAttemptUs >= waitUs;
      if (sendable && !backingOff) {
        // Keep `ready` sorted as it grows (a handful of brokers): no sort() allocation per call.
        if (!ready.includes(leader)) {
          let i = ready.length;
          ready.push(leader);
          while (i > 0 && ready[i - 1] > leader) {
            ready[i] = ready[i - 1];
            i--;
          }
          ready[i] = leader;
        }
      } else nextUs = Math.min(nextUs, head.lastAttemptUs + waitUs);
    }
    if (this.metadataWanted) {
      this.metadataWanted = false;
      this.metadata.request();
    }
    for (let i = 0; i < ready.length; i++) this.drainTo(ready[i]);
    nextUs = Math.min(nextUs, this.nextRecordWakeUs());
    if (nextUs < Infinity) this.wakeAt(Math.max(nextUs, now));
  }

  private expireQueued(p: number): void {
    const q = this.queues[p];
    const cutoff = this.kernel.now - this.cfg.deliveryTimeoutMs * 1000;
    while (q.length > 0 && q[0].createdUs <= cutoff) this.fail(q.shift()!, 'DELIVERY_TIMEOUT');
  }

  /** RecordAccumulator.drainBatchesForOneNode, then send the Produce request. */
  private drainTo(node: number): void {
    const inflight = this.inflightCount.get(node) ?? 0;
    if (inflight >= this.cfg.maxInFlight) return;
    const now = this.kernel.now;
    const readyAt = this.backoff.readyAt(node);
    if (readyAt > now) {
      this.wakeAt(readyAt);
      return;
    }
    const mine = this.ledBy.get(node) ?? NO_PARTITIONS;
    const start = (this.drainIndex.get(node) ?? 0) % Math.max(1, mine.length);
    const batches: PBatch[] = [];
    let size = P.REQUEST_OVERHEAD_BYTES;
    for (let i = 0; i < mine.length; i++) {
      const p = mine[(start + i) % mine.length];
      const q = this.queues[p];
      if (q.length === 0) continue;
      const head = q[0];
      if (head.attempts > 0 && now < head.lastAttemptUs + head.retryBackoffUs) continue;
      const full = q.length > 1 || head.bytes + this.recordWireBytes > this.cfg.batchSize;
      if (!full && now - head.lastAttemptUs < (head.attempts > 0 ? head.retryBackoffUs : this.cfg.lingerMs * 1000)) continue;
      // max.in.flight=1 mutes the partition while a batch is out.
      if (this.cfg.maxInFlight === 1 && this.inflightByTp[p].length > 0) continue;
      // Idempotence: a retried batch goes out only when it is the first in flight.
      if (this.cfg.idempotence && head.record !== null && this.inflightByTp[p].length > 0) break;
      if (batches.length > 0 && size + head.bytes > this.cfg.maxRequestSize) break;
      this.drainIndex.set(node, (start + i) % mine.length);
      q.shift();
      batches.push(head);
      size += head.bytes;
    }
    if (batches.length === 0) return;
    const data: P.ProducePartitionData[] = [];
    for (const b of batches) {
      if (b.record === null) this.seal(b);
      b.attempts++;
      b.lastAttemptUs = now;
      data.push({ tp: b.tp, batch: b.record! });
    }
    const correlationId = this.nextCorrelation++;
    this.net.send<P.ProduceRequest>(this.node, `b${node}`, 'Produce', size, { correlationId, acks: this.cfg.acks, timeoutMs: this.cfg.requestTimeoutMs, data });
    if (this.cfg.acks === 0) {
      // acks=0: the record counts as sent once it is on the socket; no response will come.
      for (const b of batches) this.succeed(b, -1);
      return;
    }
    for (const b of batches) this.inflightByTp[b.partition].push(b);
    const connGen = this.connGen.get(node) ?? 0;
    this.requests.set(correlationId, { node, batches, connGen });
    this.inflightCount.set(node, inflight + 1);
    this.requests.get(correlationId)!.timeout = this.timeouts.add(this.kernel.now + this.cfg.requestTimeoutMs * 1000, correlationId);
  }

  private requestTimedOut(correlationId: number): void {
    const req = this.requests.get(correlationId);
    if (req !== undefined) this.disconnect(req.node, correlationId);
  }

  /** Assign sequence numbers and build the immutable batch (done at the first drain, as Kafka does). */
  private seal(b: PBatch): void {
    const p = b.partition;
    const seq = this.nextSeq[p];
    this.nextSeq[p] += b.count;
    b.record = { pid: this.pid, seq, count: b.count, idempotent: this.cfg.idempotence, bytes: b.bytes, createUs: b.createUs };
    this.trace.emit({ type: 'batch', t: this.kernel.now, producer: this.name, pid: this.pid, tp: b.tp, seq, count: b.record.count, bytes: b.bytes, firstUs: b.createUs[0] });
  }

  // ---- responses -----------------------------------------------------------------------------

  private receive(env: Envelope): void {
    if (env.kind === 'ProduceResponse') this.onProduceResponse(env as Envelope<P.ProduceResponse>);
    else if (env.kind === 'MetadataResponse') this.metadata.onResponse(env.payload as P.MetadataResponse);
  }

  private onProduceResponse(env: Envelope<P.ProduceResponse>): void {
    const req = this.requests.get(env.payload.correlationId);
    if (req === undefined || req.connGen !== (this.connGen.get(req.node) ?? 0)) return;
    this.backoff.succeeded(req.node);
    this.finishRequest(env.payload.correlationId, req);
    for (const r of env.payload.results) {
      const b = req.batches.find((x) => x.tp === r.tp);
      if (b !== undefined) this.completeBatch(b, r.error, r.baseOffset);
    }
    this.runSender();
  }

  private finishRequest(correlationId: number, req: InflightRequest): void {
    this.requests.delete(correlationId);
    if (req.timeout !== undefined) this.timeouts.cancel(req.timeout);
    this.inflightCount.set(req.node, (this.inflightCount.get(req.node) ?? 1) - 1);
    for (const b of req.batches) {
      const l = this.inflightByTp[b.partition];
      const i = l.indexOf(b);
      if (i >= 0) l.splice(i, 1);
    }
  }

  /** The connection broke (request timeout, reset by the peer, or refused): fail what was in flight. */
  private disconnect(node: number, timedOut = -1): void {
    this.backoff.failed(node, this.kernel.now);
    this.connGen.set(node, (this.connGen.get(node) ?? 0) + 1);
    const ids = [...this.requests.keys()].filter((id) => this.requests.get(id)!.node === node).sort((a, b) => a - b);
    for (const id of ids) {
      const req = this.requests.get(id)!;
      this.finishRequest(id, req);
      for (const b of req.batches) this.completeBatch(b, id === timedOut ? 'REQUEST_TIMED_OUT' : 'NETWORK_EXCEPTION', -1);
    }
    this.metadataWanted = true;
    this.runSender();
  }

  private onDisconnect(peer: string): void {
    if (peer.startsWith('b')) {
      const node = Number(peer.slice(1));
      // Refused or reset: in-flight requests fail, and the node is backed off even if none were.
      if ([...this.requests.values()].some((r) => r.node === node)) this.disconnect(node);
      else this.backoff.failed(node, this.kernel.now);
      this.metadata.disconnected(node);
    }
  }

  /** Sender.completeBatch: success, retry, or fail. */
  private completeBatch(b: PBatch, error: KafkaError, offset: number): void {
    if (b.done) return;
    if (error === 'NONE' || error === 'DUPLICATE_SEQUENCE_NUMBER') {
      this.succeed(b, offset);
      return;
    }
    if (INVALID_METADATA.has(error)) this.metadataWanted = true;
    const bump = error === 'OUT_OF_ORDER_SEQUENCE_NUMBER' && this.cfg.idempotence && this.inflightByTp[b.partition].length === 0;
    if (bump) this.bumpEpoch(b.partition);
    const retriable = RETRIABLE.has(error) || (error === 'OUT_OF_ORDER_SEQUENCE_NUMBER' && this.cfg.idempotence);
    const withinDelivery = this.kernel.now - b.createdUs < this.cfg.deliveryTimeoutMs * 1000;
    if (retriable && withinDelivery && b.attempts <= this.cfg.retries) {
      this.trace.emit({ type: 'retry', t: this.kernel.now, producer: this.name, tp: b.tp, seq: b.record!.seq, count: b.record!.count, error, attempt: b.attempts });
      this.metrics.countError(error);
      b.retryBackoffUs = this.backoffUs(b.attempts);
      b.lastAttemptUs = this.kernel.now;
      if (bump) b.record = null;
      this.reenqueue(b);
      return;
    }
    this.fail(b, retriable && !withinDelivery ? 'DELIVERY_TIMEOUT' : error);
  }

  /**
   * The broker lost the sequence this producer had reached (its log was truncated, e.g. after an unclean
   * election): like the idempotent producer's epoch bump (KIP-360), start a new producer session and
   * number this partition's pending batches from 0 again. The records are resent as new records.
   */
  private bumpEpoch(p: number): void {
    this.pid = this.newPid();
    this.nextSeq[p] = 0;
    for (const q of this.queues[p]) q.record = null;
  }

  /** KIP-580 exponential backoff with ±20% jitter. */
  private backoffUs(attempts: number): number {
    const base = Math.min(this.cfg.retryBackoffMs * Math.pow(2, Math.max(0, attempts - 1)), Math.max(this.cfg.retryBackoffMs, this.cfg.retryBackoffMaxMs));
    return Math.round(base * (0.8 + 0.4 * this.rng.backoff()) * 1000);
  }

  /** Back to the head of its deque: in sequence order with idempotence, else simply first. */
  private reenqueue(b: PBatch): void {
    const q = this.queues[b.partition];
    if (!this.cfg.idempotence || b.record === null) {
      q.unshift(b);
      return;
    }
    let i = 0;
    while (i < q.length && q[i].record !== null && q[i].record!.seq < b.record!.seq) i++;
    q.splice(i, 0, b);
  }

  private succeed(b: PBatch, offset: number): void {
    b.done = true;
    const now = this.kernel.now;
    const rec = b.record!;
    this.metrics.recordProduce(now, rec.createUs, rec.count);
    this.trace.emit({ type: 'ack', t: now, producer: this.name, pid: rec.pid, tp: b.tp, seq: rec.seq, count: rec.count, offset, error: 'NONE', attempts: b.attempts });
    this.release(b);
  }

  private fail(b: PBatch, error: KafkaError): void {
    if (b.done) return;
    b.done = true;
    if (b.record === null) this.seal(b);
    const rec = b.record!;
    this.metrics.countError(error);
    this.trace.emit({ type: 'ack', t: this.kernel.now, producer: this.name, pid: rec.pid, tp: b.tp, seq: rec.seq, count: rec.count, offset: -1, error, attempts: b.attempts });
    this.release(b);
  }

  private release(b: PBatch): void {
    this.bufferedBytes -= b.bytes - BATCH_OVERHEAD_BYTES;
    if (this.blocked && this.alive && this.bufferedBytes + this.recordWireBytes <= this.cfg.bufferMemory) {
      // send() returns: record k is created now, and the rest follow at the configured rate.
      this.blocked = false;
      this.baseUs = this.kernel.now - Math.round((this.sent * 1e6) / this.work.ratePerSec);
      this.wakeAt(this.kernel.now);
    }
  }

}

const NO_PARTITIONS: number[] = [];

/** An index in [0, n) with P(k) ∝ 1/(k+1)^s, by inverting the CDF approximately (continuous Zipf). */
function zipfIndex(u: number, n: number, s: number): number {
  if (Math.abs(s - 1) < 1e-9) return Math.min(n - 1, Math.floor(Math.exp(u * Math.log(n + 1)) - 1));
  const a = 1 - s;
  const x = Math.pow(u * (Math.pow(n + 1, a) - 1) + 1, 1 / a) - 1;
  return Math.min(n - 1, Math.max(0, Math.floor(x)));
}
