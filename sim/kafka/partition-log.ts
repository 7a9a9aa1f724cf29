/**
 * One replica's log of one partition: batches at offsets, the log end offset (LEO), the high
 * watermark (HW), the leader-epoch cache (Kafka's leader-epoch-checkpoint: (epoch, start offset)
 * pairs), the flushed (durable) offset, and the producer state used to reject duplicates.
 *
 * Entries are immutable and shared: a follower appends the very entry objects its leader served.
 */

/** The records of one producer batch, as the producer built them. Shared by every copy. */
export interface RecordBatch {
  /** Producer id (numbered per producer session by the simulator). */
  pid: number;
  /** Sequence number of the first record (per producer and partition). */
  seq: number;
  count: number;
  /** Whether the producer had enable.idempotence: only then does the broker check sequence numbers. */
  idempotent: boolean;
  /** Size on the wire and on disk, bytes. */
  bytes: number;
  /** Creation time of each record (the producer's CreateTime), µs: the first `count` slots. */
  createUs: readonly number[];
}

/** A batch placed at an offset by a leader in some epoch. */
export interface LogEntry {
  offset: number;
  epoch: number;
  batch: RecordBatch;
}

export interface EpochEntry {
  epoch: number;
  startOffset: number;
}

/** Kafka's UNDEFINED_EPOCH and UNDEFINED_EPOCH_OFFSET. */
export const UNDEFINED_EPOCH = -1;
export const UNDEFINED_OFFSET = -1;

export class PartitionLog {
  readonly entries: LogEntry[] = [];
  /** Per entry: the broker's page-cache position when it was written (see Disk.cached). */
  readonly cachePos: number[] = [];
  leo = 0;
  hw = 0;
  /** Offsets below this are on the device (survive a power loss). */
  durableOffset = 0;
  /** The HW as last checkpointed to replication-offset-checkpoint (every 5 s in Kafka). */
  hwCheckpoint = 0;
  readonly epochs: EpochEntry[] = [];
  /**
   * Producer state (Kafka's ProducerStateManager): per producer id, the last NUM_BATCHES_TO_RETAIN batches
   * of this log. Built from every append, the leader's and the follower's alike, so a new leader knows the
   * batches it has; rebuilt from the log after a truncation.
   */
  private readonly producers = new Map<number, ProducerStateEntry>();

  constructor(readonly tp: string) {}

  get latestEpoch(): number {
    return this.epochs.length > 0 ? this.epochs[this.epochs.length - 1].epoch : UNDEFINED_EPOCH;
  }

  append(entry: LogEntry, cachePos = 0): void {
    this.entries.push(entry);
    this.cachePos.push(cachePos);
    this.rememberProducerBatch(entry);
    this.leo = entry.offset + entry.batch.count;
    if (entry.epoch > this.latestEpoch) this.epochs.push({ epoch: entry.epoch, startOffset: entry.offset });
  }

  /** Record that a leader epoch starts at `startOffset` (a new leader does this at its LEO). */
  assignEpoch(epoch: number, startOffset: number): void {
    if (epoch > this.latestEpoch) this.epochs.push({ epoch, startOffset });
  }

  /** Remove every record at or above `offset`. Returns how many records were removed. */
  truncateTo(offset: number): number {
    if (offset >= this.leo) return 0;
    const oldLeo = this.leo;
    let i = this.entries.length;
    while (i > 0 && this.entries[i - 1].offset + this.entries[i - 1].batch.count > offset) i--;
    // Kafka truncates at batch boundaries; a batch straddling `offset` goes whole.
    this.entries.length = i;
    this.cachePos.length = i;
    this.leo = i > 0 ? this.entries[i - 1].offset + this.entries[i - 1].batch.count : 0;
    while (this.epochs.length > 0 && this.epochs[this.epochs.length - 1].startOffset >= this.leo) this.epochs.pop();
    if (this.hw > this.leo) this.hw = this.leo;
    if (this.durableOffset > this.leo) this.durableOffset = this.leo;
    if (this.hwCheckpoint > this.leo) this.hwCheckpoint = this.leo;
    this.rebuildProducerState();
    return oldLeo - this.leo;
  }

  /**
   * Kafka's LeaderEpochFileCache.endOffsetFor: the largest epoch ≤ `epoch` this log knows, and the
   * offset where the next higher epoch starts (or the LEO if `epoch` is the latest).
   */
  endOffsetForEpoch(epoch: number): { epoch: number; endOffset: number } {
    if (epoch === UNDEFINED_EPOCH) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_OFFSET };
    if (epoch === this.latestEpoch) return { epoch, endOffset: this.leo };
    const eps = this.epochs;
    let higher = -1;
    for (let i = 0; i < eps.length; i++) {
      if (eps[i].epoch > epoch) {
        higher = i;
        break;
      }
    }
    if (higher < 0) return { epoch: UNDEFINED_EPOCH, endOffset: UNDEFINED_OFFSET };
    if (higher === 0) return { epoch, endOffset: eps[0].startOffset };
    return { epoch: eps[higher - 1].epoch, endOffset: eps[higher].startOffset };
  }

  /** Epoch of the last batch (the fetch's lastFetchedEpoch). */
  lastBatchEpoch(): number {
    const n = this.entries.length;
    return n > 0 ? this.entries[n - 1].epoch : UNDEFINED_EPOCH;
  }

  /** Index of the first entry whose batch contains or starts after `offset`. */
  indexOf(offset: number): number {
    const e = this.entries;
    let lo = 0;
    let hi = e.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (e[mid].offset + e[mid].batch.count <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Entries from `offset` up to `limit` (exclusive offset), at most `maxBytes` (at least one entry). */
  read(offset: number, limit: number, maxBytes: number): LogEntry[] {
    const out: LogEntry[] = [];
    let bytes = 0;
    for (let i = this.indexOf(offset); i < this.entries.length; i++) {
      const e = this.entries[i];
      if (e.offset + e.batch.count > limit) break;
      if (out.length > 0 && bytes + e.batch.bytes > maxBytes) break;
      out.push(e);
      bytes += e.batch.bytes;
    }
    return out;
  }

  /** Bytes of the `count` entries from `offset` on that were written before cache position `from`. */
  uncachedBytes(offset: number, count: number, from: number): number {
    let bytes = 0;
    const start = this.indexOf(offset);
    for (let i = start; i < start + count && i < this.entries.length; i++) if (this.cachePos[i] < from) bytes += this.entries[i].batch.bytes;
    return bytes;
  }

  /** The last entries (≤ 5) of producer `pid` in this log, oldest first (allocates: for tests and tools). */
  recentBatchesOf(pid: number): LogEntry[] {
    const st = this.producers.get(pid);
    const out: LogEntry[] = [];
    if (st !== undefined) for (let k = 0; k < st.size; k++) out.push(st.at(k));
    return out;
  }

  /** Producer `pid`'s state in this log, if it has appended here. */
  producerState(pid: number): ProducerStateEntry | undefined {
    return this.producers.get(pid);
  }

  private rememberProducerBatch(entry: LogEntry): void {
    let st = this.producers.get(entry.batch.pid);
    if (st === undefined) {
      st = new ProducerStateEntry();
      this.producers.set(entry.batch.pid, st);
    }
    st.addBatch(entry);
  }

  private rebuildProducerState(): void {
    this.producers.clear();
    for (const e of this.entries) this.rememberProducerBatch(e);
  }
}

/** Kafka's ProducerStateEntry.NUM_BATCHES_TO_RETAIN. */
export const NUM_BATCHES_TO_RETAIN = 5;

/**
 * Kafka's ProducerStateEntry: the metadata of a producer id's last NUM_BATCHES_TO_RETAIN batches (first and
 * last sequence, base and last offset: here the log entries themselves), in a fixed ring, oldest first.
 * The simulator's epoch bump starts a new producer id, so there is no producer epoch to keep.
 */
export class ProducerStateEntry {
  private readonly ring: LogEntry[] = [];
  private head = 0;
  size = 0;

  /** The k-th retained batch, oldest first. */
  at(k: number): LogEntry {
    return this.ring[(this.head + k) % NUM_BATCHES_TO_RETAIN];
  }

  /** The last batch appended. */
  last(): LogEntry {
    return this.at(this.size - 1);
  }

  /** ProducerStateEntry.addBatch: when full, the oldest batch makes room. */
  addBatch(e: LogEntry): void {
    if (this.size < NUM_BATCHES_TO_RETAIN) {
      this.ring[(this.head + this.size) % NUM_BATCHES_TO_RETAIN] = e;
      this.size++;
    } else {
      this.ring[this.head] = e;
      this.head = (this.head + 1) % NUM_BATCHES_TO_RETAIN;
    }
  }

  /** ProducerStateEntry.findDuplicateBatch: the retained batch with exactly this sequence range. */
  findDuplicateBatch(firstSeq: number, count: number): LogEntry | undefined {
    for (let k = 0; k < this.size; k++) {
      const e = this.at(k);
      if (e.batch.seq === firstSeq && e.batch.count === count) return e;
    }
    return undefined;
  }
}
