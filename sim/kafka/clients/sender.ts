/**
 * The producer's network side, following Kafka's Sender: it finds partitions whose batches are ready
 * (linger.ms or full) and whose leader is known, drains them per broker into Produce requests, keeps up
 * to max.in.flight.requests.per.connection requests per broker, and completes batches from responses:
 * success, retry with exponential backoff until delivery.timeout.ms, or failure. With enable.idempotence
 * sequence numbers come from the TransactionManager. Split from the producer because Kafka runs this as
 * its own thread, apart from the accumulator the application appends to.
 */
import type { Deadline } from '../../kernel/deadlines.js';
import { Deadlines } from '../../kernel/deadlines.js';
import type { Envelope } from '../../resources/network.js';
import { brokerNode, NO_LEADER, type MetadataImage } from '../metadata.js';
import type { PBatch, RecordAccumulator } from './accumulator.js';
import type { ProducerContext, SenderWakeup } from './context.js';
import type * as P from '../protocol.js';
import { COMPRESS_NS_PER_BYTE } from '../cpu-costs.js';
import { expiryMessage, type KafkaError } from '../../trace/events.js';

interface InflightRequest {
  node: number;
  batches: PBatch[];
  connGen: number;
  timeout?: Deadline;
}

const RETRIABLE = new Set<KafkaError>([
  'NOT_LEADER_OR_FOLLOWER',
  'NOT_ENOUGH_REPLICAS',
  'NOT_ENOUGH_REPLICAS_AFTER_APPEND',
  'REQUEST_TIMED_OUT',
  'NETWORK_EXCEPTION',
  'FENCED_LEADER_EPOCH',
  'UNKNOWN_LEADER_EPOCH',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'KAFKA_STORAGE_ERROR',
]);
/** Errors that make the client refresh its metadata (InvalidMetadataException and disconnects). */
const INVALID_METADATA = new Set<KafkaError>([
  'NOT_LEADER_OR_FOLLOWER',
  'FENCED_LEADER_EPOCH',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
  'NETWORK_EXCEPTION',
  'KAFKA_STORAGE_ERROR',
  'REQUEST_TIMED_OUT',
]);

/** The message of the exception the application gets for a protocol error, where Kafka's Errors enum gives one the simulator reproduces. */
const ERROR_MESSAGES: Partial<Record<KafkaError, string>> = {
  // Errors.MESSAGE_TOO_LARGE → RecordTooLargeException with this message.
  MESSAGE_TOO_LARGE: 'The request included a message larger than the max message size the server will accept.',
};

const NO_PARTITIONS: number[] = [];

export class Sender implements SenderWakeup {
  /** Per partition: its batches in flight, oldest first. */
  inflightByTp: PBatch[][] = [];
  /** Request timeouts (request.timeout.ms), by correlation id. */
  private timeouts: Deadlines<number>;
  private metadataWanted = false;
  private requests = new Map<number, InflightRequest>();
  private connGen = new Map<number, number>();
  private inflightCount = new Map<number, number>();
  private nextCorrelation = 1;
  /** runOnce's list of ready leaders, reused (null while a runOnce uses it). */
  private readyList: number[] | null = [];
  nextWakeUs = Infinity;
  /** Leader of each partition per the current metadata (NO_LEADER when unknown). */
  private leaders: Int32Array = new Int32Array(0);
  /** Partitions by leader, for draining. */
  private ledBy = new Map<number, number[]>();

  constructor(
    private readonly producer: ProducerContext,
    private readonly acc: RecordAccumulator,
  ) {
    this.timeouts = this.newTimeouts();
  }

  /** Produce requests in flight to broker `node`. */
  inFlight(node: number): number {
    return this.inflightCount.get(node) ?? 0;
  }

  private newTimeouts(): Deadlines<number> {
    return new Deadlines<number>(this.producer, (id) => this.requestTimedOut(id));
  }

  /** A new producer process: nothing in flight. */
  reset(): void {
    this.inflightByTp = this.acc.tps.map(() => []);
    this.requests = new Map();
    this.inflightCount = new Map();
    this.timeouts = this.newTimeouts();
  }

  private get image(): MetadataImage | null {
    return this.producer.metadata.image;
  }

  /** Whether partition p has a known leader (for the sticky partitioner). */
  readonly available = (p: number): boolean => this.image !== null && this.leaders[p] !== NO_LEADER;

  onMetadata(): void {
    const img = this.image!;
    const n = img.topics[this.producer.topic].partitions;
    if (n > this.acc.tps.length) this.growPartitions(n);
    const tps = this.acc.tps;
    this.leaders = Int32Array.from(tps, (tp) => img.partitions[tp].leader);
    this.ledBy = new Map();
    for (let p = 0; p < tps.length; p++) {
      const l = this.ledBy.get(this.leaders[p]);
      if (l === undefined) this.ledBy.set(this.leaders[p], [p]);
      else l.push(p);
    }
    this.runOnce();
  }

  /** CreatePartitions added partitions: every per-partition array grows, and the keys remap (traced). */
  private growPartitions(n: number): void {
    const pr = this.producer;
    const moved = this.acc.growPartitions(n);
    pr.transactionManager.growPartitions(n);
    while (this.inflightByTp.length < n) this.inflightByTp.push([]);
    pr.trace.emit({ type: 'keysRemapped', t: pr.kernel.now, producer: pr.name, topic: pr.topic, partitions: n, keysMoved: moved });
  }

  // ---- sending -------------------------------------------------------------------------------

  wakeAt(t: number): void {
    if (t >= this.nextWakeUs) return;
    this.nextWakeUs = t;
    this.producer.timerAt(t, this.wake);
  }

  private readonly wake = (): void => {
    if (this.producer.kernel.now < this.nextWakeUs) return;
    this.nextWakeUs = Infinity;
    this.runOnce();
  };

  /** Sender.runOnce / sendProducerData: expire, find ready leaders, drain to each, and plan the next wake. */
  runOnce(): void {
    const acc = this.acc;
    const now = this.producer.kernel.now;
    acc.catchUp(now);
    if (this.image === null) {
      this.producer.metadata.request();
      return;
    }
    const ready = this.readyList ?? [];
    this.readyList = null;
    let nextUs = this.ready(now, ready);
    if (this.metadataWanted) {
      this.metadataWanted = false;
      this.producer.metadata.request();
    }
    let more = false;
    for (let i = 0; i < ready.length; i++) if (this.drainTo(ready[i])) more = true;
    while (ready.length > 0) ready.pop();
    this.readyList = ready;
    // Kafka's Sender thread loops at once while batches are ready and requests may go out (a drain takes one
    // batch per partition): drain again now, so a partition's next batch follows its retried head.
    if (more) nextUs = now;
    nextUs = Math.min(nextUs, acc.nextRecordWakeUs());
    if (nextUs < Infinity) this.wakeAt(Math.max(nextUs, now));
  }

  /**
   * RecordAccumulator.ready: fill `ready` (sorted) with the leaders that have a sendable batch; fail
   * batches past delivery.timeout.ms. Returns the next time something may become ready (µs).
   */
  private ready(now: number, ready: number[]): number {
    const cfg = this.producer.cfg;
    const queues = this.acc.queues;
    let nextUs = Infinity;
    for (let p = 0; p < queues.length; p++) {
      const q = queues[p];
      if (q.length === 0) continue;
      const head = q[0];
      if (now - head.createdUs >= cfg.deliveryTimeoutMs * 1000) {
        this.expireQueued(p);
        continue;
      }
      nextUs = Math.min(nextUs, head.createdUs + cfg.deliveryTimeoutMs * 1000);
      const leader = this.leaders[p];
      if (leader === NO_LEADER) {
        this.metadataWanted = true;
        continue;
      }
      const backingOff = head.attempts > 0 && now < head.lastAttemptUs + head.retryBackoffUs;
      const full = q.length > 1 || head.bytes + this.acc.recordWireBytes > cfg.batchSize;
      const waitUs = head.attempts > 0 ? head.retryBackoffUs : cfg.lingerMs * 1000;
      const sendable = full || now - head.lastAttemptUs >= waitUs;
      if (sendable && !backingOff) insertSorted(ready, leader);
      else nextUs = Math.min(nextUs, head.lastAttemptUs + waitUs);
    }
    return nextUs;
  }

  private expireQueued(p: number): void {
    const q = this.acc.queues[p];
    const cutoff = this.producer.kernel.now - this.producer.cfg.deliveryTimeoutMs * 1000;
    while (q.length > 0 && q[0].createdUs <= cutoff) this.expire(q.shift()!);
  }

  /**
   * Drain the batches for one broker, then send the Produce request. Returns whether more may go to it now
   * (a request went out, another may, and a partition it leads still has batches queued).
   */
  private drainTo(node: number): boolean {
    const pr = this.producer;
    const cfg = pr.cfg;
    const inflight = this.inflightCount.get(node) ?? 0;
    if (inflight >= cfg.maxInFlight) return false;
    const now = pr.kernel.now;
    const readyAt = pr.backoff.readyAt(node);
    if (readyAt > now) {
      this.wakeAt(readyAt);
      return false;
    }
    const mine = this.ledBy.get(node) ?? NO_PARTITIONS;
    const batches = this.acc.drain(node, mine, now, this.inflightByTp);
    if (batches.length === 0) return false;
    const size = this.acc.drainedBytes;
    // A list of its final length (one grown by push from empty reserves room for 16).
    const data = new Array<P.ProducePartitionData>(batches.length);
    for (let i = 0; i < batches.length; i++) {
      const b = batches[i];
      if (b.record === null) this.seal(b);
      b.attempts++;
      b.lastAttemptUs = now;
      data[i] = { tp: b.tp, batch: b.record! };
    }
    const correlationId = this.nextCorrelation++;
    const req: P.ProduceRequest = { correlationId, acks: cfg.acks, timeoutMs: cfg.requestTimeoutMs, data };
    if (cfg.codec !== 0) {
      req.codec = cfg.codec;
      req.rawBytes = this.rawBytes(batches);
    }
    pr.net.send<P.ProduceRequest>(pr.node, brokerNode(node), 'Produce', size, req);
    if (cfg.acks === 0) {
      // acks=0: the record counts as sent once it is on the socket; no response will come.
      for (const b of batches) this.succeed(b, -1);
      return this.anyQueued(mine);
    }
    for (const b of batches) this.inflightByTp[b.partition].push(b);
    const connGen = this.connGen.get(node) ?? 0;
    this.requests.set(correlationId, { node, batches, connGen });
    this.inflightCount.set(node, inflight + 1);
    this.requests.get(correlationId)!.timeout = this.timeouts.add(pr.kernel.now + cfg.requestTimeoutMs * 1000, correlationId);
    return inflight + 1 < cfg.maxInFlight && this.anyQueued(mine);
  }

  /** The uncompressed bytes of the batches' records. */
  private rawBytes(batches: readonly PBatch[]): number {
    let n = 0;
    for (let i = 0; i < batches.length; i++) n += batches[i].count;
    return n * this.acc.recordRawBytes;
  }

  private anyQueued(partitions: number[]): boolean {
    const queues = this.acc.queues;
    for (let i = 0; i < partitions.length; i++) if (queues[partitions[i]].length > 0) return true;
    return false;
  }

  /** NetworkClient.handleTimedOutRequests: a request past request.timeout.ms closes its connection. */
  private requestTimedOut(correlationId: number): void {
    const req = this.requests.get(correlationId);
    if (req !== undefined) this.producer.closeConnection(req.node, 'request.timeout.ms');
  }

  /** Assign sequence numbers and build the immutable batch (done at the first drain, as Kafka does). */
  private seal(b: PBatch): void {
    const pr = this.producer;
    const txn = pr.transactionManager;
    const seq = txn.nextSequence(b.partition, b.count);
    // The creation times stay with the batch in every replica's log for minutes: an exact-size copy (a
    // pushed-to array has room for 17) keeps them at a fifth of the memory the garbage collector copies.
    b.createUs = b.createUs.slice();
    b.record = { pid: txn.pid, seq, count: b.count, idempotent: pr.cfg.idempotence, bytes: b.bytes, createUs: b.createUs };
    if (pr.cfg.codec !== 0) pr.compressBusyUs += (b.count * this.acc.recordRawBytes * COMPRESS_NS_PER_BYTE[pr.cfg.codec]) / 1000;
    pr.trace.batch(pr.kernel.now, pr.name, txn.pid, b.tp, seq, b.record.count, b.bytes, b.createUs[0]);
  }

  // ---- responses -----------------------------------------------------------------------------

  onProduceResponse(env: Envelope<P.ProduceResponse>): void {
    const req = this.requests.get(env.payload.correlationId);
    if (req === undefined || req.connGen !== (this.connGen.get(req.node) ?? 0)) return;
    this.producer.backoff.succeeded(req.node);
    this.finishRequest(env.payload.correlationId, req);
    for (const r of env.payload.results) {
      const b = req.batches.find((x) => x.tp === r.tp);
      if (b !== undefined) this.completeBatch(b, r.error, r.baseOffset);
    }
    this.runOnce();
  }

  private finishRequest(correlationId: number, req: InflightRequest): void {
    this.requests.delete(correlationId);
    if (req.timeout !== undefined) this.timeouts.cancel(req.timeout);
    this.inflightCount.set(req.node, (this.inflightCount.get(req.node) ?? 1) - 1);
    for (const b of req.batches) {
      const l = this.inflightByTp[b.partition];
      const i = l.indexOf(b);
      if (i >= 0) removeAt(l, i);
    }
  }

  /**
   * The connection broke (closed for a request timeout, reset by the peer, or refused): every request in
   * flight on it fails, as NetworkClient.cancelInFlightRequests answers each with a disconnect. Sender
   * completes their batches with REQUEST_TIMED_OUT when the connection closed for a timeout
   * (ClientResponse.wasTimedOut), NETWORK_EXCEPTION otherwise, and retries them if it may.
   */
  private disconnect(node: number, timedOut: boolean): void {
    this.producer.backoff.failed(node, this.producer.kernel.now);
    this.connGen.set(node, (this.connGen.get(node) ?? 0) + 1);
    const ids = [...this.requests.keys()].filter((id) => this.requests.get(id)!.node === node).sort((a, b) => a - b);
    for (const id of ids) {
      const req = this.requests.get(id)!;
      this.finishRequest(id, req);
      for (const b of req.batches) this.completeBatch(b, timedOut ? 'REQUEST_TIMED_OUT' : 'NETWORK_EXCEPTION', -1);
    }
    this.metadataWanted = true;
    this.runOnce();
  }

  /**
   * The connection to broker `node` closed (`timedOut`: this client closed it for a request timeout) or was
   * refused: in-flight requests fail, and the node is backed off even if none were.
   */
  onBrokerDisconnect(node: number, timedOut = false): void {
    if ([...this.requests.values()].some((r) => r.node === node)) this.disconnect(node, timedOut);
    else this.producer.backoff.failed(node, this.producer.kernel.now);
  }

  /** Sender.completeBatch: success, retry, or fail. */
  private completeBatch(b: PBatch, error: KafkaError, offset: number): void {
    if (b.done) return;
    // Sender.completeBatch: DUPLICATE_SEQUENCE_NUMBER (not answered by today's brokers, which return the
    // original offsets) completes the batch as a success without a valid offset.
    if (error === 'NONE' || error === 'DUPLICATE_SEQUENCE_NUMBER') {
      this.succeed(b, offset);
      return;
    }
    if (error === 'MESSAGE_TOO_LARGE' && b.count > 1) {
      this.split(b);
      return;
    }
    const pr = this.producer;
    const cfg = pr.cfg;
    if (INVALID_METADATA.has(error)) this.metadataWanted = true;
    const bump = error === 'OUT_OF_ORDER_SEQUENCE_NUMBER' && cfg.idempotence && this.gapAt(b);
    if (bump) this.bumpEpoch(b.partition);
    const retriable = RETRIABLE.has(error) || (error === 'OUT_OF_ORDER_SEQUENCE_NUMBER' && cfg.idempotence);
    const withinDelivery = pr.kernel.now - b.createdUs < cfg.deliveryTimeoutMs * 1000;
    if (retriable && withinDelivery && b.attempts <= cfg.retries) {
      pr.trace.emit({ type: 'retry', t: pr.kernel.now, producer: pr.name, tp: b.tp, seq: b.record!.seq, count: b.record!.count, error, attempt: b.attempts });
      pr.metrics.countError(error);
      b.retryBackoffUs = this.backoffUs(b.attempts);
      b.lastAttemptUs = pr.kernel.now;
      if (bump) b.record = null;
      this.acc.reenqueue(b);
      return;
    }
    if (retriable && !withinDelivery) this.expire(b);
    else this.fail(b, error, ERROR_MESSAGES[error]);
  }

  /**
   * Sender.completeBatch: MESSAGE_TOO_LARGE for a batch of more than one record splits it into batches of
   * at most batch.size that keep its sequence numbers and creation time (RecordAccumulator.splitAndReenqueue),
   * whatever retries and delivery.timeout.ms say; the big batch's memory goes back to the pool. A split
   * batch the broker still finds too large splits again into the same batch, until delivery.timeout.ms
   * expires it in the queue: splitting cannot help when max.message.bytes is below batch.size.
   */
  private split(b: PBatch): void {
    const pr = this.producer;
    const rec = b.record!;
    pr.trace.emit({ type: 'retry', t: pr.kernel.now, producer: pr.name, tp: b.tp, seq: rec.seq, count: rec.count, error: 'MESSAGE_TOO_LARGE', attempt: b.attempts });
    pr.metrics.countError('MESSAGE_TOO_LARGE');
    b.done = true;
    this.acc.deallocate(b);
    this.acc.split(b);
  }

  /**
   * delivery.timeout.ms passed: the application gets a TimeoutException with Kafka's message
   * (Sender.sendProducerData, 2.1+). Kafka also expires a batch still in flight at that moment; the
   * simulator fails it when its response or request timeout comes back, so the elapsed time can exceed
   * delivery.timeout.ms by up to request.timeout.ms.
   */
  private expire(b: PBatch): void {
    const now = this.producer.kernel.now;
    const elapsedMs = Math.floor(now / 1000) - Math.floor(b.createdUs / 1000);
    this.fail(b, 'TimeoutException', expiryMessage(b.count, b.tp, elapsedMs));
  }

  /**
   * TransactionManager.canRetry for OUT_OF_ORDER_SEQUENCE_NUMBER (Kafka 4.x, KIP-360): the idempotent producer
   * retries it always, and bumps its epoch only when the batch is the next after the last acknowledged one
   * (isNextSequence): a real gap, the broker lost what this producer had written. A later batch whose
   * predecessor is unresolved is retried as is. The simulator also waits until nothing else is in flight to
   * that partition, as Kafka stops draining a partition with a stale epoch until its in-flight batches return.
   */
  private gapAt(b: PBatch): boolean {
    const rec = b.record!;
    return this.inflightByTp[b.partition].length === 0 && this.producer.transactionManager.isNextSequence(b.partition, rec.pid, rec.seq);
  }

  /**
   * The broker lost the sequence this producer had reached (its log was truncated, e.g. after an unclean
   * election): like the idempotent producer's epoch bump (KIP-360), start a new producer session and
   * number this partition's pending batches from 0 again. The records are resent as new records.
   */
  private bumpEpoch(p: number): void {
    this.producer.transactionManager.bumpEpoch(p);
    for (const q of this.acc.queues[p]) q.record = null;
  }

  /** KIP-580 exponential backoff with ±20% jitter. */
  private backoffUs(attempts: number): number {
    const cfg = this.producer.cfg;
    const base = Math.min(cfg.retryBackoffMs * Math.pow(2, Math.max(0, attempts - 1)), Math.max(cfg.retryBackoffMs, cfg.retryBackoffMaxMs));
    return Math.round(base * (0.8 + 0.4 * this.producer.rng.backoff()) * 1000);
  }

  private succeed(b: PBatch, offset: number): void {
    b.done = true;
    const pr = this.producer;
    const now = pr.kernel.now;
    const rec = b.record!;
    if (rec.idempotent) pr.transactionManager.acknowledged(b.partition, rec.pid, rec.seq, rec.count);
    pr.metrics.recordProduce(now, rec.createUs, rec.count);
    pr.trace.acked(now, pr.name, rec.pid, b.tp, rec.seq, rec.count, offset, b.attempts);
    this.acc.deallocate(b);
  }

  /** The batch will not be delivered: report `error` to the application. */
  fail(b: PBatch, error: KafkaError, message?: string): void {
    if (b.done) return;
    b.done = true;
    if (b.record === null) this.seal(b);
    const pr = this.producer;
    const rec = b.record!;
    pr.metrics.countError(error);
    const ack = { type: 'ack', t: pr.kernel.now, producer: pr.name, pid: rec.pid, tp: b.tp, seq: rec.seq, count: rec.count, offset: -1, error, attempts: b.attempts } as const;
    pr.trace.emit(message === undefined ? ack : { ...ack, message });
    this.acc.deallocate(b);
  }
}

/** Add `x` to the sorted `list` unless present (a handful of brokers: no sort() allocation per call). */
function insertSorted(list: number[], x: number): void {
  if (list.includes(x)) return;
  let i = list.length;
  list.push(x);
  while (i > 0 && list[i - 1] > x) {
    list[i] = list[i - 1];
    i--;
  }
  list[i] = x;
}

/** Remove `list[i]` in place (splice would also build an array of what it removed; pop, not a length change, which V8 runs outside the compiled code). */
function removeAt<T>(list: T[], i: number): void {
  for (let k = i + 1; k < list.length; k++) list[k - 1] = list[k];
  list.pop();
}
