/**
 * Java's hash-table iteration order, reproduced so that assignors ported from Kafka's Java clients make
 * the same choices where Kafka's code walks a `java.util.HashMap` or `HashSet` (kafka-source-notes §13).
 *
 * A HashMap (default capacity 16, load factor 0.75) keeps its keys in buckets `hash & (capacity - 1)`,
 * where `hash = h ^ (h >>> 16)` of the key's `hashCode()`; it iterates bucket by bucket, and within a
 * bucket in insertion order (a resize splits each bucket keeping that relative order). The table doubles
 * when the size exceeds 0.75 × capacity, and also when a bucket of 8 gets a 9th key while the table is
 * smaller than 64 (`treeifyBin`). A bucket turned into a tree (9+ colliding keys in a table of 64+) is
 * not modelled: its order would differ, which needs deliberately colliding names.
 */

/** `String.hashCode()`: s[0]·31^(n−1) + … + s[n−1] over UTF-16 code units, in 32-bit arithmetic. */
export function javaStringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** `TopicPartition.hashCode()`: 31 · (31 + partition) + topic.hashCode(). */
export function javaTopicPartitionHash(topic: string, partition: number): number {
  return (Math.imul(31, 31 + partition) + javaStringHash(topic)) | 0;
}

/** `String.compareTo` (UTF-16 code units), as a sort comparator. */
export function compareJavaStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Slot {
  readonly hash: number;
  readonly seq: number;
}

/** The key order of a HashMap or HashSet built by `add`/`delete` in this order (it never shrinks). */
export class JavaHashOrder<K> {
  private seq = 0;
  private readonly slots = new Map<K, Slot>();

  /** `capacity`: the table size the map starts with (16 for `new HashMap<>()`; see javaCollectionCapacity). */
  constructor(
    private readonly hashOf: (key: K) => number,
    private capacity = 16,
  ) {}

  get size(): number {
    return this.slots.size;
  }

  has(key: K): boolean {
    return this.slots.has(key);
  }

  add(key: K): void {
    if (this.slots.has(key)) return;
    const raw = this.hashOf(key);
    const hash = (raw ^ (raw >>> 16)) | 0;
    const mask = this.capacity - 1;
    let inBucket = 0;
    // Only a table under 64 grows for a crowded bucket, so only then are the bucket's keys counted.
    if (this.capacity < 64) for (const s of this.slots.values()) if ((s.hash & mask) === (hash & mask)) inBucket++;
    this.slots.set(key, { hash, seq: this.seq++ });
    if (inBucket >= 8 && this.capacity < 64) this.capacity *= 2;
    if (this.slots.size > this.capacity * 0.75) this.capacity *= 2;
  }

  delete(key: K): void {
    this.slots.delete(key);
  }

  /** The keys in iteration order. */
  keys(): K[] {
    const mask = this.capacity - 1;
    return [...this.slots.entries()].sort(([, a], [, b]) => (a.hash & mask) - (b.hash & mask) || a.seq - b.seq).map(([k]) => k);
  }

  /** What `iterator().next()` returns. */
  first(): K | undefined {
    return this.keys()[0];
  }
}

/** The iteration order of a HashMap<String, …> filled with these keys in this order. */
export function javaHashMapOrder(keys: readonly string[]): string[] {
  const order = new JavaHashOrder<string>(javaStringHash);
  for (const k of keys) order.add(k);
  return order.keys();
}

/** HashMap.tableSizeFor: the smallest power of two ≥ n (1 for n ≤ 1). */
function tableSizeFor(n: number): number {
  let size = 1;
  while (size < n) size *= 2;
  return size;
}

/**
 * The table size of `new HashSet<>(collection)` for a collection of n elements:
 * `new HashMap<>(Math.max((int) (n / .75f) + 1, 16))`, rounded up to a power of two.
 */
export function javaCollectionCapacity(n: number): number {
  return tableSizeFor(Math.max(Math.floor(Math.fround(n / 0.75)) + 1, 16));
}

/**
 * The iteration order of `new HashSet<>(collection)`: keys by bucket of the sized table, then in the
 * collection's order. `size` is what the collection's size() says (a TopicIds set counts names it cannot resolve).
 */
export function javaHashSetOrder<K>(keys: readonly K[], hashOf: (key: K) => number, size = keys.length): K[] {
  const order = new JavaHashOrder<K>(hashOf, javaCollectionCapacity(size));
  for (const k of keys) order.add(k);
  return order.keys();
}
