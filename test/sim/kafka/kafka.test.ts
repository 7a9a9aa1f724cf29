import { describe, expect, it } from 'vitest';
import { KEY_TABLE_MAX, KeyPartitions, murmur2, partitionForKey } from '../../../sim/kafka/clients/partitioner.js';
import { PartitionLog, type RecordBatch } from '../../../sim/kafka/partition-log.js';
import { placeReplicas } from '../../../sim/kafka/placement.js';
import { Streams } from '../../../sim/kernel/random.js';

describe('murmur2 partitioner', () => {
  // Kafka's UtilsTest.testMurmur2 vectors.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])('murmur2(%s) = %i as in Kafka', (s, h) => {
    expect(murmur2(new TextEncoder().encode(s))).toBe(h);
  });

  it('maps a key to (murmur2 & 0x7fffffff) % partitions', () => {
    expect(partitionForKey('foobar', 6)).toBe((-790332482 & 0x7fffffff) % 6);
  });
});

describe('key partitions for a key space of any size', () => {
  it('gives each key murmur2 % partitions, with a table for small key spaces and none for huge ones', () => {
    const key = (k: number) => `key-${k}`;
    const small = new KeyPartitions(key, 1000, 7);
    const huge = new KeyPartitions(key, 2 ** 52, 7);
    for (const k of [0, 1, 17, 999]) {
      expect(small.of(k)).toBe(partitionForKey(key(k), 7));
      expect(huge.of(k)).toBe(partitionForKey(key(k), 7));
    }
    expect(huge.of(2 ** 52 - 1)).toBe(partitionForKey(`key-${2 ** 52 - 1}`, 7));
    expect((small as unknown as { table: Int32Array | null }).table?.length).toBe(1000);
    expect((huge as unknown as { table: Int32Array | null }).table).toBeNull();
    expect(KEY_TABLE_MAX).toBeLessThan(2 ** 20);
  });
});

describe('replica placement (StripedReplicaPlacer, no racks)', () => {
  it('gives each partition RF distinct brokers, consecutive from a rotating start', () => {
    const rng = new Streams(1).get('placement');
    const out = placeReplicas([1, 2, 3, 4], 4, 3, rng);
    for (const r of out) expect(new Set(r).size).toBe(3);
    const firsts = out.map((r) => r[0]);
    expect(new Set(firsts).size).toBe(4);
    for (const r of out) {
      const i = [1, 2, 3, 4].indexOf(r[0]);
      expect(r).toEqual([0, 1, 2].map((j) => [1, 2, 3, 4][(i + j) % 4]));
    }
  });
});

function batch(pid: number, seq: number, count: number): RecordBatch {
  return { pid, seq, count, idempotent: true, bytes: 100, createUs: new Array(count).fill(0) };
}

describe('partition log and leader epochs', () => {
  it('answers endOffsetForEpoch as LeaderEpochFileCache.endOffsetFor', () => {
    const log = new PartitionLog('t-0');
    log.append({ offset: 0, epoch: 0, batch: batch(1, 0, 5) });
    log.append({ offset: 5, epoch: 2, batch: batch(1, 5, 5) });
    log.append({ offset: 10, epoch: 4, batch: batch(1, 10, 2) });
    expect(log.endOffsetForEpoch(4)).toEqual({ epoch: 4, endOffset: 12 });
    expect(log.endOffsetForEpoch(3)).toEqual({ epoch: 2, endOffset: 10 });
    expect(log.endOffsetForEpoch(1)).toEqual({ epoch: 0, endOffset: 5 });
    expect(log.endOffsetForEpoch(5)).toEqual({ epoch: -1, endOffset: -1 });
  });

  it('truncates whole batches and forgets epochs past the new end', () => {
    const log = new PartitionLog('t-0');
    log.append({ offset: 0, epoch: 0, batch: batch(1, 0, 5) });
    log.append({ offset: 5, epoch: 1, batch: batch(1, 5, 5) });
    log.hw = 10;
    expect(log.truncateTo(7)).toBe(5);
    expect(log.leo).toBe(5);
    expect(log.hw).toBe(5);
    expect(log.latestEpoch).toBe(0);
    expect(log.recentBatchesOf(1).map((e) => e.offset)).toEqual([0]);
  });

  it('keeps the last 5 batches of each producer id (ProducerStateEntry.NUM_BATCHES_TO_RETAIN)', () => {
    const log = new PartitionLog('t-0');
    for (let i = 0; i < 7; i++) log.append({ offset: i * 2, epoch: 0, batch: batch(1, i * 2, 2) });
    log.append({ offset: 14, epoch: 0, batch: batch(2, 0, 1) });
    const st = log.producerState(1)!;
    expect(log.recentBatchesOf(1).map((e) => e.batch.seq)).toEqual([4, 6, 8, 10, 12]);
    expect(st.last().offset).toBe(12);
    expect(st.findDuplicateBatch(6, 2)?.offset).toBe(6);
    expect(st.findDuplicateBatch(2, 2)).toBeUndefined();
    expect(st.findDuplicateBatch(6, 1)).toBeUndefined();
    expect(log.recentBatchesOf(2).map((e) => e.offset)).toEqual([14]);
    log.truncateTo(9);
    expect(log.recentBatchesOf(1).map((e) => e.batch.seq)).toEqual([0, 2, 4, 6]);
  });
});
