/**
 * The producer's batches, following Kafka's RecordAccumulator: records the application sends go into
 * per-partition deques of batches (linger.ms, batch.size), bounded by buffer.memory (send() blocks
 * when it is used up), and drainBatchesForOneNode picks what the Sender puts in one Produce request.
 * Split from the producer because Kafka keeps the application side (append) apart from the network
 * side (the Sender). The application's steady send() calls are modelled here too (see catchUp).
 */
import type { ProducerConfig, ProducerContext, ProducerWorkload } from './context.js';
import type { RecordBatch } from '../partition-log.js';
import { KeyPartitions, StickyPartitioner } from './partitioner.js';
import * as P from '../protocol.js';
import type { Stream } from '../../kernel/random.js';

/** A batch in the accumulator or in flight. */
export interface PBatch {
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
  /** Bytes taken from buffer.memory for it (BufferPool.allocate: max(batch.size, the first record's upper bound)); 0 for a split batch, allocated off the pool. */
  allocated: number;
}

/** Batch header (61 bytes in the v2 format) and per-record overhead (attributes, varints, headers). */
export const BATCH_OVERHEAD_BYTES = 61;
const RECORD_OVERHEAD_BYTES = 10;
/**
 * The bytes a record and a batch take in each message format (Kafka's `magic`). v0 and v1 have no batch
 * header: an uncompressed message set is the messages one after another, each with its log overhead
 * (Records.LOG_OVERHEAD: offset 8 + size 4) and its header (Record: crc 4, magic 1, attributes 1, [v1:
 * timestamp 8,] key length 4, value length 4). v2 (DefaultRecordBatch) has the 61-byte batch header and
 * per record varints (length, timestamp and offset deltas, key and value lengths, header count) plus
 * attributes, about 10 bytes for small records.
 */
export const MESSAGE_FORMAT_BYTES: Readonly<Record<'v0' | 'v1' | 'v2', { batch: number; record: number }>> = {
  v0: { batch: 0, record: 12 + 14 },
  v1: { batch: 0, record: 12 + 22 },
  v2: { batch: BATCH_OVERHEAD_BYTES, record: RECORD_OVERHEAD_BYTES },
};
/** DefaultRecord.MAX_RECORD_OVERHEAD: the most a record's length, attributes, deltas and header count take. */
const MAX_RECORD_OVERHEAD = 21;

/** ByteUtils.sizeOfVarint: bytes of a zigzag-encoded varint int. */
function sizeOfVarint(n: number): number {
  const z = n * 2;
  return z < 2 ** 7 ? 1 : z < 2 ** 14 ? 2 : z < 2 ** 21 ? 3 : z < 2 ** 28 ? 4 : 5;
}

/**
 * AbstractRecords.estimateSizeInBytesUpperBound for a v2 record without headers: the batch header plus
 * DefaultRecord.recordSizeUpperBound (a null key counts one byte). What KafkaProducer.doSend checks against
 * max.request.size and buffer.memory, and the least a new batch for it takes from the pool.
 */
export function recordSizeUpperBound(keyBytes: number, valueBytes: number): number {
  const key = keyBytes > 0 ? sizeOfVarint(keyBytes) + keyBytes : 1;
  return BATCH_OVERHEAD_BYTES + MAX_RECORD_OVERHEAD + key + sizeOfVarint(valueBytes) + valueBytes + sizeOfVarint(0);
}

/** How often a producer whose records are all too large reports the send() calls that failed since the last report. */
const SEND_ERROR_REPORT_US = 1_000_000;

export class RecordAccumulator {
  /** The topic's partitions, as the producer's metadata knows them (grows when partitions are added). */
  readonly tps: string[];
  /** Per partition: batches waiting to be sent, oldest first. */
  queues: PBatch[][] = [];
  /** Bytes taken from buffer.memory by batches not yet completed (BufferPool: totalMemory - availableMemory). */
  bufferedBytes = 0;
  /** send() is blocked on buffer.memory (BufferPool.allocate waiting, up to max.block.ms). */
  blocked = false;
  /** Counts blocks, so that a max.block.ms timer knows whether its block is still the current one. */
  private blockGen = 0;
  /** When the last failed send() calls of a too-large record were reported (-1: never). */
  private lastSendErrorUs = -1;
  /** Records the application has called send() for. */
  sent = 0;
  /** Total size of the batches the last drain() returned, with the request overhead. */
  drainedBytes = 0;
  /** drain()'s working list. */
  private readonly drained: PBatch[] = [];
  /** Time of record 0 (moves when send() was blocked on buffer.memory, or at a restart). */
  private baseUs = 0;
  private keysAhead: number[] = [];
  private readonly drainIndex = new Map<number, number>();
  readonly sticky: StickyPartitioner;
  readonly keyPartition: KeyPartitions | null;
  private readonly keyBytes: number;
  /** A record's bytes in a batch: compressed by the workload's ratio when the producer compresses. */
  readonly recordWireBytes: number;
  /** A batch's bytes before its first record (the v2 header; 0 in v0 and v1). */
  readonly batchOverheadBytes: number;
  /** A record's bytes before compression. */
  readonly recordRawBytes: number;
  /** Bytes BufferPool.allocate takes for a new batch: max(batch.size, the record's upper bound). */
  private readonly allocSize: number;
  /** KafkaProducer.ensureValidRecordSize's RecordTooLargeException message, when every record is too large. */
  readonly tooLarge: string | null;

  /** nextRecordWakeUs's scratch, per partition (see there). */
  private readonly walkBytes: Float64Array;
  private readonly walkStamp: Float64Array;
  private walks = 0;

  constructor(
    private readonly producer: ProducerContext,
    private readonly cfg: ProducerConfig,
    private readonly work: ProducerWorkload,
    partitions: number,
    private readonly keysRng: Stream,
    partitionerRng: Stream,
  ) {
    this.tps = Array.from({ length: partitions }, (_, p) => `${work.topic}-${p}`);
    this.walkBytes = new Float64Array(partitions);
    this.walkStamp = new Float64Array(partitions);
    this.sticky = new StickyPartitioner(partitions, cfg.batchSize, partitionerRng);
    const keyCount = work.keys.kind === 'uniform' || work.keys.kind === 'zipf' ? work.keys.count : work.keys.kind === 'fixed' ? 1 : 0;
    this.keyPartition = keyCount > 0 && !cfg.partitionerIgnoreKeys ? new KeyPartitions((k) => this.keyString(k), keyCount, partitions) : null;
    this.keyBytes = keyCount > 0 ? this.keyString(keyCount - 1).length : 0;
    const format = MESSAGE_FORMAT_BYTES[cfg.messageFormat];
    this.batchOverheadBytes = format.batch;
    this.recordRawBytes = work.recordBytes + this.keyBytes + format.record;
    // MemoryRecordsBuilder fills a compressed batch by its estimated compressed size, so it holds more records.
    this.recordWireBytes = work.compressionRatio === 1 ? this.recordRawBytes : Math.max(1, Math.ceil(this.recordRawBytes / work.compressionRatio));
    const upper = recordSizeUpperBound(this.keyBytes, work.recordBytes);
    this.allocSize = Math.max(cfg.batchSize, upper);
    this.tooLarge = recordTooLarge(upper, cfg);
  }

  private keyString(k: number): string {
    return this.work.keys.kind === 'fixed' ? this.work.keys.key : `key-${k}`;
  }

  /**
   * The metadata shows the topic with `n` partitions (CreatePartitions added some): the partitioner maps
   * keys over all n from the next send() on (BuiltInPartitioner.partitionForKey with the new count), so
   * keys move. Returns how many of the keys sent so far now map to another partition.
   */
  growPartitions(n: number): number {
    for (let p = this.tps.length; p < n; p++) {
      this.tps.push(`${this.work.topic}-${p}`);
      this.queues.push([]);
    }
    this.sticky.grow(n);
    return this.keyPartition?.grow(n) ?? 0;
  }

  /** A new producer process: empty deques and buffer. */
  reset(): void {
    this.queues = this.tps.map(() => []);
    this.bufferedBytes = 0;
    this.blocked = false;
    this.blockGen++;
  }

  /** The application resumes sending at `now`: record `sent` is due then, the rest at the configured rate. */
  restartAt(now: number): void {
    this.baseUs = Math.max(this.work.startUs, now) - Math.round((this.sent * 1e6) / this.work.ratePerSec);
    this.keysAhead = [];
  }

  hasQueued(): boolean {
    return this.queues.some((q) => q.length > 0);
  }

  // ---- the application ----------------------------------------------------------------------
  //
  // The application calls send() for record k at baseUs + k / rate. Records are appended to the
  // accumulator lazily, whenever the producer does anything (catchUp), each with its exact creation
  // time; the producer wakes exactly when a record would fill a batch or start a linger, so batches
  // leave at the same instants as with one event per record, at a fraction of the events.

  /** Creation time of record k (µs). */
  tOf(k: number): number {
    return this.baseUs + Math.round((k * 1e6) / this.work.ratePerSec);
  }

  private moreRecords(k: number): boolean {
    return k < this.work.maxRecords && this.tOf(k) < this.work.stopUs;
  }

  /** Append every record due by now (until send() blocks on buffer.memory). */
  catchUp(now: number): void {
    if (this.blocked || !this.producer.alive) return;
    if (this.tooLarge !== null) {
      this.failTooLarge(now);
      return;
    }
    while (this.moreRecords(this.sent) && this.tOf(this.sent) <= now) {
      const appended = this.keyPartition === null ? this.sendStickyRun(now) : this.sendRecord(this.tOf(this.sent));
      if (!appended) return;
    }
  }

  /**
   * Every record is larger than max.request.size or buffer.memory: each send() call fails at once with
   * RecordTooLargeException (KafkaProducer.ensureValidRecordSize), and nothing is buffered. The calls
   * due by now are reported together.
   */
  private failTooLarge(now: number): void {
    // The records due by now, found by arithmetic and corrected by at most a few steps (a rate of any size costs no loop).
    const until = Math.min(now, this.work.stopUs);
    const due = Math.min(this.work.maxRecords, Math.floor(((until - this.baseUs) * this.work.ratePerSec) / 1e6) + 2);
    let k = Math.max(this.sent, due);
    while (k > this.sent && !(this.moreRecords(k - 1) && this.tOf(k - 1) <= now)) k--;
    const n = k - this.sent;
    if (n <= 0) return;
    this.sent = k;
    this.reportSendError(now, n, 'RecordTooLargeException', this.tooLarge!);
    this.lastSendErrorUs = now;
  }

  private reportSendError(now: number, count: number, error: 'RecordTooLargeException' | 'BufferExhaustedException', message: string): void {
    const pr = this.producer;
    pr.metrics.countError(error, count);
    pr.trace.emit({ type: 'sendError', t: now, producer: pr.name, topic: this.work.topic, count, error, message });
  }

  /**
   * Keyless records all go to the sticky partition until it switches, which can only happen when a
   * batch fills (or at twice batch.size): append them as one run, up to that point, with the same
   * result as one at a time.
   */
  private sendStickyRun(now: number): boolean {
    const available = this.producer.sender.available;
    const p = this.sticky.partition(available, this.queueSize, this.cfg.adaptivePartitioning);
    const rec = this.recordWireBytes;
    let b: PBatch | null | undefined = this.openBatch(p);
    if (b === undefined || (b.count > 0 && b.bytes + rec > this.cfg.batchSize)) b = this.newBatch(p, this.tOf(this.sent));
    if (b === null) return false;
    const room = Math.max(1, Math.floor((this.cfg.batchSize - b.bytes) / rec));
    const untilSwitch = Math.max(1, Math.ceil((2 * this.cfg.batchSize - this.sticky.produced()) / rec));
    let n = 0;
    const limit = Math.min(room, untilSwitch);
    while (n < limit && this.moreRecords(this.sent) && this.tOf(this.sent) <= now) {
      b.createUs.push(this.tOf(this.sent));
      b.count++;
      this.sent++;
      n++;
    }
    b.bytes += n * rec;
    this.sticky.appended(n * rec, b.bytes + rec > this.cfg.batchSize, available, this.queueSize, this.cfg.adaptivePartitioning);
    return true;
  }

  /** One keyed record (its partition from the pre-drawn key); false when send() blocks for a new batch's memory. */
  private sendRecord(createUs: number): boolean {
    const p = this.keyPartition!.of(this.keyAhead(0));
    const q = this.queues[p];
    let b: PBatch | null | undefined = q.length > 0 ? q[q.length - 1] : undefined;
    if (b === undefined || b.record !== null || (b.count > 0 && b.bytes + this.recordWireBytes > this.cfg.batchSize)) b = this.newBatch(p, createUs);
    if (b === null) return false;
    this.keysAhead.shift();
    this.sent++;
    b.createUs.push(createUs);
    b.count++;
    b.bytes += this.recordWireBytes;
    return true;
  }

  /**
   * A new batch for partition p, with its memory from buffer.memory (BufferPool.allocate); null when the
   * pool has not enough free: send() blocks (up to max.block.ms) until a completed batch gives memory back.
   */
  private newBatch(p: number, createUs: number): PBatch | null {
    if (this.bufferedBytes + this.allocSize > this.cfg.bufferMemory) {
      this.block();
      return null;
    }
    this.bufferedBytes += this.allocSize;
    const b: PBatch = {
      tp: this.tps[p],
      partition: p,
      createUs: [],
      count: 0,
      bytes: this.batchOverheadBytes,
      createdUs: createUs,
      record: null,
      attempts: 0,
      lastAttemptUs: createUs,
      retryBackoffUs: 0,
      done: false,
      allocated: this.allocSize,
    };
    this.queues[p].push(b);
    return b;
  }

  /**
   * send() of record `sent` waits for memory. If none is given back within max.block.ms, it fails with
   * BufferExhaustedException (BufferPool.allocate) and the application goes on with its next send().
   */
  private block(): void {
    this.blocked = true;
    const gen = ++this.blockGen;
    const deadline = Math.max(this.producer.kernel.now, this.tOf(this.sent) + this.cfg.maxBlockMs * 1000);
    this.producer.timerAt(deadline, () => {
      if (this.blocked && this.blockGen === gen) this.bufferExhausted();
    });
  }

  private bufferExhausted(): void {
    const cfg = this.cfg;
    const now = this.producer.kernel.now;
    const available = cfg.bufferMemory - this.bufferedBytes;
    const message = `Failed to allocate ${this.allocSize} bytes within the configured max blocking time ${cfg.maxBlockMs} ms. Total memory: ${cfg.bufferMemory} bytes. Available memory: ${available} bytes. Poolable size: ${cfg.batchSize} bytes`;
    this.reportSendError(now, 1, 'BufferExhaustedException', message);
    if (this.keyPartition !== null) {
      // The failed record's key was drawn: the next record draws the next one.
      this.keyAhead(0);
      this.keysAhead.shift();
    }
    this.sent++;
    this.resume(now);
  }

  /** send() returns at `now`: the next record is created now, and the rest follow at the configured rate. */
  private resume(now: number): void {
    this.blocked = false;
    this.baseUs = now - Math.round((this.sent * 1e6) / this.work.ratePerSec);
    this.producer.sender.wakeAt(now);
  }

  /**
   * Sender.completeBatch after MESSAGE_TOO_LARGE for a batch of several records: ProducerBatch.split into
   * batches of at most batch.size (each holds at least one record), allocated off the pool, keeping the
   * creation time and, once sealed, the sequence numbers of the records they hold; they go back to the
   * head of the partition's deque as if never tried. Returns the pieces.
   */
  split(b: PBatch): PBatch[] {
    const rec = b.record!;
    const per = Math.max(1, Math.floor((this.cfg.batchSize - this.batchOverheadBytes) / this.recordWireBytes));
    const pieces: PBatch[] = [];
    for (let i = 0; i < rec.count; i += per) {
      const count = Math.min(per, rec.count - i);
      const createUs = rec.createUs.slice(i, i + count);
      const bytes = this.batchOverheadBytes + count * this.recordWireBytes;
      pieces.push({
        tp: b.tp,
        partition: b.partition,
        createUs,
        count,
        bytes,
        createdUs: b.createdUs,
        record: { ...rec, seq: rec.seq + i, count, bytes, createUs },
        attempts: 0,
        lastAttemptUs: b.lastAttemptUs,
        retryBackoffUs: 0,
        done: false,
        allocated: 0,
      });
    }
    for (let i = pieces.length - 1; i >= 0; i--) this.reenqueue(pieces[i]);
    return pieces;
  }

  /** When the next not-yet-appended record matters: it fills a batch, or starts one (its linger). */
  nextRecordWakeUs(): number {
    const k0 = this.sent;
    if (this.blocked || !this.moreRecords(k0)) return Infinity;
    if (this.tooLarge !== null) return this.lastSendErrorUs < 0 ? this.tOf(k0) : Math.max(this.tOf(k0), this.lastSendErrorUs + SEND_ERROR_REPORT_US);
    const lingerEnd = this.tOf(k0) + this.cfg.lingerMs * 1000;
    if (this.keyPartition === null) {
      const p = this.sticky.peek();
      const need = p < 0 ? 1 : this.recordsUntilFull(p);
      const k = k0 + need - 1;
      return Math.min(lingerEnd, this.moreRecords(k) ? this.tOf(k) : Infinity);
    }
    // Keyed: walk the (pre-drawn) keys of upcoming records until one would fill its partition's batch.
    // Per partition, the bytes its open batch would have: `walkBytes`, valid where `walkStamp` is this walk's.
    const bytes = this.walkBytes;
    const stamp = this.walkStamp;
    const walk = ++this.walks;
    for (let k = k0; this.moreRecords(k) && this.tOf(k) < lingerEnd && k - k0 < 4096; k++) {
      const p = this.keyPartition.of(this.keyAhead(k - k0));
      let b: number;
      if (stamp[p] === walk) b = bytes[p];
      else {
        const open = this.openBatch(p);
        b = open !== undefined ? open.bytes : this.batchOverheadBytes;
        stamp[p] = walk;
      }
      if (b + 2 * this.recordWireBytes > this.cfg.batchSize) return this.tOf(k);
      bytes[p] = b + this.recordWireBytes;
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
    const bytes = open !== undefined ? open.bytes : this.batchOverheadBytes;
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
    if (k.kind === 'uniform') return Math.floor(this.keysRng() * k.count);
    if (k.kind === 'zipf') return zipfIndex(this.keysRng(), k.count, k.exponent);
    return 0;
  }

  private readonly queueSize = (p: number): number => this.queues[p].length;

  // ---- the Sender's side ---------------------------------------------------------------------

  /**
   * RecordAccumulator.drainBatchesForOneNode: at most one ready batch per partition led by `node`
   * (`mine`), starting after the partition drained last, up to max.request.size. Sets drainedBytes.
   */
  drain(node: number, mine: number[], now: number, inflightByTp: PBatch[][]): PBatch[] {
    const start = (this.drainIndex.get(node) ?? 0) % Math.max(1, mine.length);
    // Collected in a reused list, returned as a copy of the exact length (a list grown by push from empty
    // reserves room for 16 batches: most drains take one or two).
    const batches = this.drained;
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
      if (this.cfg.maxInFlight === 1 && inflightByTp[p].length > 0) continue;
      // Idempotence: a retried batch goes out only when it is the first in flight.
      if (this.cfg.idempotence && head.record !== null && inflightByTp[p].length > 0) break;
      if (batches.length > 0 && size + head.bytes > this.cfg.maxRequestSize) break;
      this.drainIndex.set(node, (start + i) % mine.length);
      q.shift();
      batches.push(head);
      size += head.bytes;
    }
    this.drainedBytes = size;
    const out = batches.slice();
    while (batches.length > 0) batches.pop();
    return out;
  }

  /** Back to the head of its deque: in sequence order with idempotence, else simply first. */
  reenqueue(b: PBatch): void {
    const q = this.queues[b.partition];
    if (!this.cfg.idempotence || b.record === null) {
      q.unshift(b);
      return;
    }
    let i = 0;
    while (i < q.length && q[i].record !== null && q[i].record!.seq < b.record!.seq) i++;
    q.splice(i, 0, b);
  }

  /** A batch is done: its memory goes back to the pool (BufferPool.deallocate); a blocked send() returns if it fits now. */
  deallocate(b: PBatch): void {
    this.bufferedBytes -= b.allocated;
    b.allocated = 0;
    if (this.blocked && this.producer.alive && this.bufferedBytes + this.allocSize <= this.cfg.bufferMemory) this.resume(this.producer.kernel.now);
  }
}

/** KafkaProducer.ensureValidRecordSize: the RecordTooLargeException message for a record of `size` bytes, or null if it fits. */
function recordTooLarge(size: number, cfg: ProducerConfig): string | null {
  if (size > cfg.maxRequestSize) return `The message is ${size} bytes when serialized which is larger than ${cfg.maxRequestSize}, which is the value of the max.request.size configuration.`;
  if (size > cfg.bufferMemory) return `The message is ${size} bytes when serialized which is larger than the total memory buffer you have configured with the buffer.memory configuration.`;
  return null;
}

/** An index in [0, n) with P(k) ∝ 1/(k+1)^s, by inverting the CDF approximately (continuous Zipf). */
function zipfIndex(u: number, n: number, s: number): number {
  if (Math.abs(s - 1) < 1e-9) return Math.min(n - 1, Math.floor(Math.exp(u * Math.log(n + 1)) - 1));
  const a = 1 - s;
  const x = Math.pow(u * (Math.pow(n + 1, a) - 1) + 1, 1 / a) - 1;
  return Math.min(n - 1, Math.max(0, Math.floor(x)));
}
