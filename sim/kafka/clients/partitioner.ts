/**
 * Kafka's producer partitioning (KIP-794, 3.3+): keyed records go to
 * toPositive(murmur2(keyBytes)) % numPartitions over all partitions; records without a key stick to
 * one partition until about batch.size bytes went to it (BuiltInPartitioner), then switch at random.
 */
import type { Stream } from '../../kernel/random.js';

/** Utils.murmur2 from Kafka's clients, verbatim in 32-bit arithmetic. */
export function murmur2(data: Uint8Array): number {
  const length = data.length;
  const seed = 0x9747b28c;
  const m = 0x5bd1e995;
  const r = 24;
  let h = seed ^ length;
  const length4 = length >> 2;
  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    let k = (data[i4] & 0xff) + ((data[i4 + 1] & 0xff) << 8) + ((data[i4 + 2] & 0xff) << 16) + ((data[i4 + 3] & 0xff) << 24);
    k = Math.imul(k, m);
    k ^= k >>> r;
    k = Math.imul(k, m);
    h = Math.imul(h, m);
    h ^= k;
  }
  // Java's switch falls through from case 3 to 2 to 1.
  const tail = length & ~3;
  const rest = length % 4;
  if (rest >= 3) h ^= (data[tail + 2] & 0xff) << 16;
  if (rest >= 2) h ^= (data[tail + 1] & 0xff) << 8;
  if (rest >= 1) {
    h ^= data[tail] & 0xff;
    h = Math.imul(h, m);
  }
  h ^= h >>> 13;
  h = Math.imul(h, m);
  h ^= h >>> 15;
  return h | 0;
}

export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

const utf8 = new TextEncoder();

/**
 * toPositive(murmur2) of keys hashed so far (a pure function of the key, shared by every run in the
 * process: a failure search runs the same keys thousands of times), up to KEY_HASHES_MAX keys.
 */
const KEY_HASHES = new Map<string, number>();
const KEY_HASHES_MAX = 1 << 16;

/** BuiltInPartitioner.partitionForKey. */
export function partitionForKey(key: string, numPartitions: number): number {
  let h = KEY_HASHES.get(key);
  if (h === undefined) {
    h = toPositive(murmur2(utf8.encode(key)));
    if (KEY_HASHES.size >= KEY_HASHES_MAX) KEY_HASHES.clear();
    KEY_HASHES.set(key, h);
  }
  return h % numPartitions;
}

/** Key spaces up to this size (262,144 keys, a table of 1 MiB) keep a table of each key's partition; larger ones hash every record. */
export const KEY_TABLE_MAX = 1 << 18;

/**
 * The partition of key `key-<k>` (or a fixed key), for a key space of any size: memory does not grow with
 * the key space. Small spaces fill a table as keys are first used; large ones hash each time.
 */
export class KeyPartitions {
  private readonly table: Int32Array | null;

  constructor(
    private readonly keyString: (k: number) => string,
    keyCount: number,
    private numPartitions: number,
  ) {
    this.table = keyCount <= KEY_TABLE_MAX ? new Int32Array(keyCount).fill(-1) : null;
  }

  /**
   * The topic has `n` partitions now (the producer's metadata showed more): keys map over n from here on.
   * Returns how many of the keys used so far now map to another partition (only known for a table).
   */
  grow(n: number): number {
    const t = this.table;
    this.numPartitions = n;
    if (t === null) return 0;
    let moved = 0;
    for (let k = 0; k < t.length; k++) {
      if (t[k] < 0) continue;
      const p = partitionForKey(this.keyString(k), n);
      if (p !== t[k]) moved++;
      t[k] = p;
    }
    return moved;
  }

  of(k: number): number {
    const t = this.table;
    if (t === null) return partitionForKey(this.keyString(k), this.numPartitions);
    let p = t[k];
    if (p < 0) p = t[k] = partitionForKey(this.keyString(k), this.numPartitions);
    return p;
  }
}

/**
 * The sticky partition for records without a key (BuiltInPartitioner): switch after batch.size bytes
 * once the current batch is full (or after twice that regardless). The next partition is drawn from
 * the available ones (those with a leader); with adaptive partitioning, weighted towards short queues.
 */
export class StickyPartitioner {
  private current = -1;
  private producedBytes = 0;
  /** Scratch arrays reused by next(). */
  private ids: Int32Array;
  private cft: Float64Array;

  constructor(
    private numPartitions: number,
    private readonly stickyBatchSize: number,
    private readonly rng: Stream,
  ) {
    this.ids = new Int32Array(numPartitions);
    this.cft = new Float64Array(numPartitions);
  }

  /** The topic has `n` partitions now: the next switch draws among all of them. */
  grow(n: number): void {
    this.numPartitions = n;
    this.ids = new Int32Array(n);
    this.cft = new Float64Array(n);
  }

  /** The partition for the next keyless record. */
  partition(available: (p: number) => boolean, queueSize: (p: number) => number, adaptive: boolean): number {
    if (this.current < 0) this.current = this.next(available, queueSize, adaptive);
    return this.current;
  }

  /** Bytes sent to the current sticky partition since it was chosen. */
  produced(): number {
    return this.producedBytes;
  }

  /** The current sticky partition, or -1 before the first record. */
  peek(): number {
    return this.current;
  }

  /** After an append of `bytes` to the sticky partition: maybe switch (updatePartitionInfo). */
  appended(bytes: number, currentBatchFull: boolean, available: (p: number) => boolean, queueSize: (p: number) => number, adaptive: boolean): void {
    this.producedBytes += bytes;
    if ((this.producedBytes >= this.stickyBatchSize && currentBatchFull) || this.producedBytes >= this.stickyBatchSize * 2) {
      this.producedBytes = 0;
      this.current = this.next(available, queueSize, adaptive);
    }
  }

  private next(available: (p: number) => boolean, queueSize: (p: number) => number, adaptive: boolean): number {
    const random = Math.floor(this.rng() * 0x7fffffff);
    const ids = this.ids;
    let n = 0;
    for (let p = 0; p < this.numPartitions; p++) if (available(p)) ids[n++] = p;
    if (n === 0) return random % this.numPartitions;
    if (!adaptive || n < 2) return ids[random % n];
    let max = 0;
    let allEqual = true;
    const q0 = queueSize(ids[0]);
    for (let j = 0; j < n; j++) {
      const q = queueSize(ids[j]);
      if (q > max) max = q;
      if (q !== q0) allEqual = false;
    }
    if (allEqual) return ids[random % n];
    // Cumulative frequency table of (max+1) - queue: shorter queues are likelier.
    let total = 0;
    const cft = this.cft;
    for (let j = 0; j < n; j++) {
      total += max + 1 - queueSize(ids[j]);
      cft[j] = total;
    }
    const x = random % total;
    let i = 0;
    while (cft[i] <= x) i++;
    return ids[i];
  }
}
