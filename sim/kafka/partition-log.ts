/**
 * One replica's log of one partition: batches at offsets, the log end offset (LEO), the high
 * watermark (HW), the leader-epoch cache (Kafka's leader-epoch-checkpoint: (epoch, start offset)
 * pairs), the flushed (durable) offset, and the producer state used to reject duplicates.
 *
 * Entries are immutable and shared: a follower appends the very entry objects its leader served. Old
 * entries become cold runs (see cold-log.ts and HOT_WINDOW_US), so a log's memory does not grow with the
 * records it holds.
 */
import { ColdRuns } from './cold-log.js';

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

/**
 * How long an entry stays whole in memory after its last record was created, µs: older entries below the
 * high watermark, the flushed offset and the checkpointed high watermark join the log's cold runs
 * (see cold-log.ts). Readers further behind than this (a consumer starting from the earliest offset long
 * after the records were written, a follower down for longer) read the cold part.
 */
export const HOT_WINDOW_US = 120_000_000;

/** PartitionLog.read's working list (emptied after each read). */
const READ_SCRATCH: LogEntry[] = [];

export class PartitionLog {
  /** The recent entries, from index `head` on (entries before it have gone cold). */
  private hot: LogEntry[] = [];
  /** Per hot entry: the broker's page-cache position when it was written (see Disk.cached). */
  private cachePos: number[] = [];
  private head = 0;
  /** The old entries, as runs (see cold-log.ts). */
  private readonly cold = new ColdRuns();
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
  private producers = new Map<number, ProducerStateEntry>();
  /** The producer state of the cold part alone: where a rebuild after a truncation starts. */
  private readonly coldProducers = new Map<number, ProducerStateEntry>();

  /** `dir`: its log directory, an index into `log.dirs` (the device its data is written to). */
  constructor(
    readonly tp: string,
    readonly dir = 0,
  ) {}

  get latestEpoch(): number {
    return this.epochs.length > 0 ? this.epochs[this.epochs.length - 1].epoch : UNDEFINED_EPOCH;
  }

  /** Entries kept whole (the rest are cold runs): for tests of memory. */
  get hotEntries(): number {
    return this.hot.length - this.head;
  }

  /** Cold runs kept: for tests of memory. */
  get coldRuns(): number {
    return this.cold.n;
  }

  append(entry: LogEntry, cachePos = 0): void {
    this.hot.push(entry);
    this.cachePos.push(cachePos);
    rememberBatch(this.producers, entry);
    this.leo = entry.offset + entry.batch.count;
    if (entry.epoch > this.latestEpoch) this.epochs.push({ epoch: entry.epoch, startOffset: entry.offset });
    this.retire(entry.batch.createUs[0] - HOT_WINDOW_US);
  }

  /** Move the entries that can no longer change (below every stable point) and were created before `beforeUs` to the cold runs. */
  private retire(beforeUs: number): void {
    const stable = Math.min(this.hw, this.durableOffset, this.hwCheckpoint);
    const hot = this.hot;
    let h = this.head;
    while (h < hot.length - 1) {
      const e = hot[h];
      const b = e.batch;
      if (e.offset + b.count > stable || b.createUs[b.count - 1] >= beforeUs) break;
      this.cold.add(e);
      rememberBatch(this.coldProducers, e);
      h++;
    }
    this.head = h;
    // Drop the retired slots now and then: often enough that the array stays within 1/8 of the hot entries.
    if (h >= 1024 && 8 * h >= hot.length) {
      this.hot = hot.slice(h);
      this.cachePos = this.cachePos.slice(h);
      this.head = 0;
    }
  }

  /** Record that a leader epoch starts at `startOffset` (a new leader does this at its LEO). */
  assignEpoch(epoch: number, startOffset: number): void {
    if (epoch > this.latestEpoch) this.epochs.push({ epoch, startOffset });
  }

  /** Remove every record at or above `offset`. Returns how many records were removed. */
  truncateTo(offset: number): number {
    if (offset >= this.leo) {
      // UnifiedLog.truncateTo: a truncation at or past the log end removes no record, but the leader-epoch
      // cache is still truncated to the log end (LeaderEpochFileCache.truncateFromEnd): a broker that was
      // leader and assigned an epoch at its log end, then appended nothing in it before another leader was
      // elected, would otherwise keep fetching with that epoch and be told it diverges, again and again.
      while (this.epochs.length > 0 && this.epochs[this.epochs.length - 1].startOffset >= this.leo) this.epochs.pop();
      return 0;
    }
    const oldLeo = this.leo;
    if (offset < this.cold.end) {
      // Below the hot entries: the cold runs are cut at `offset` itself (their batch boundaries are gone).
      this.hot = [];
      this.cachePos = [];
      this.head = 0;
      this.cold.truncateTo(offset);
      this.leo = this.cold.end;
    } else {
      let i = this.hot.length;
      while (i > this.head && this.hot[i - 1].offset + this.hot[i - 1].batch.count > offset) i--;
      // Kafka truncates at batch boundaries; a batch straddling `offset` goes whole.
      this.hot.length = i;
      this.cachePos.length = i;
      this.leo = i > this.head ? this.hot[i - 1].offset + this.hot[i - 1].batch.count : this.cold.end;
    }
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
    const n = this.hot.length;
    if (n > this.head) return this.hot[n - 1].epoch;
    return this.cold.n > 0 ? this.cold.lastEpoch : UNDEFINED_EPOCH;
  }

  /** Index in `hot` of the first entry whose batch contains or starts after `offset` (at least `head`). */
  private indexOf(offset: number): number {
    const e = this.hot;
    let lo = this.head;
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
    // Collected in a reused list, then copied to one of the exact length (a list grown by push from
    // empty reserves room for 16 entries: most reads return one or two).
    const out = READ_SCRATCH;
    this.collect(offset, limit, maxBytes, out);
    const copy = out.slice();
    while (out.length > 0) out.pop();
    return copy;
  }

  private collect(offset: number, limit: number, maxBytes: number, out: LogEntry[]): void {
    let bytes = 0;
    let at = offset;
    const coldEnd = this.cold.end;
    while (at < coldEnd && at < limit) {
      const e = this.cold.read(at, Math.min(limit, coldEnd), out.length > 0 ? maxBytes - bytes : maxBytes);
      if (out.length > 0 && bytes + e.batch.bytes > maxBytes) return;
      out.push(e);
      bytes += e.batch.bytes;
      at = e.offset + e.batch.count;
    }
    if (at < coldEnd) return;
    for (let i = this.indexOf(at); i < this.hot.length; i++) {
      const e = this.hot[i];
      if (e.offset + e.batch.count > limit) break;
      if (out.length > 0 && bytes + e.batch.bytes > maxBytes) break;
      out.push(e);
      bytes += e.batch.bytes;
    }
  }

  /**
   * The bytes {@link read} would return, without building its list; -2 if it would read the cold part.
   * It stops counting once it has `enough` (the caller only asks whether a fetch has that many).
   */
  readBytes(offset: number, limit: number, maxBytes: number, enough = Infinity): number {
    if (offset < this.cold.end) return -2;
    let bytes = 0;
    let n = 0;
    const hot = this.hot;
    for (let i = this.indexOf(offset); i < hot.length; i++) {
      const b = hot[i].batch;
      if (hot[i].offset + b.count > limit) break;
      if (n > 0 && bytes + b.bytes > maxBytes) break;
      n++;
      bytes += b.bytes;
      if (bytes >= enough) break;
    }
    return bytes;
  }

  /** Bytes of `entries` (as {@link read} returned them) written before cache position `from`; cold ones are on disk only. */
  uncachedBytes(entries: readonly LogEntry[], from: number): number {
    let bytes = 0;
    const coldEnd = this.cold.end;
    let k = 0;
    while (k < entries.length && entries[k].offset < coldEnd) bytes += entries[k++].batch.bytes;
    if (k === entries.length) return bytes;
    const start = this.indexOf(entries[k].offset);
    const count = entries.length - k;
    for (let i = start; i < start + count && i < this.hot.length; i++) if (this.cachePos[i] < from) bytes += this.hot[i].batch.bytes;
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

  /** After a truncation: the cold part's producer state (without what was cut), then every hot entry. */
  private rebuildProducerState(): void {
    this.producers = new Map();
    for (const [pid, st] of this.coldProducers) {
      const kept = new ProducerStateEntry();
      const again = new ProducerStateEntry();
      for (let k = 0; k < st.size; k++) {
        const e = st.at(k);
        if (e.offset + e.batch.count > this.leo) continue;
        kept.addBatch(e);
        again.addBatch(e);
      }
      if (kept.size === 0) this.coldProducers.delete(pid);
      else {
        this.coldProducers.set(pid, kept);
        this.producers.set(pid, again);
      }
    }
    for (let i = this.head; i < this.hot.length; i++) rememberBatch(this.producers, this.hot[i]);
  }
}

function rememberBatch(producers: Map<number, ProducerStateEntry>, entry: LogEntry): void {
  let st = producers.get(entry.batch.pid);
  if (st === undefined) {
    st = new ProducerStateEntry();
    producers.set(entry.batch.pid, st);
  }
  st.addBatch(entry);
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
