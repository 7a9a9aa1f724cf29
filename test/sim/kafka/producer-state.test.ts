import { describe, expect, it } from 'vitest';
import { Partition } from '../../../sim/kafka/broker/partition.js';
import type { BrokerContext } from '../../../sim/kafka/broker/context.js';
import type { PartitionState } from '../../../sim/kafka/metadata.js';
import { PartitionLog, type RecordBatch } from '../../../sim/kafka/partition-log.js';

/** A leader of t-0 with no followers, on a broker stub that has just what appends use. */
function leader(): Partition {
  const broker = {
    id: 1,
    kernel: { now: 0 },
    cfg: { minIsr: () => 1, maxMessageBytes: () => 1048588, flushMessages: () => Number.MAX_SAFE_INTEGER, hwFrozenUnderMinIsr: false, replicaLagTimeMaxMs: 30000 },
    disk: { written: 0, write: () => 0, fsync: () => 0 },
    trace: { emit: () => {}, append: () => {}, hw: () => {} },
    replicaManager: { fetchPurgatory: { wake: () => {} }, producePurgatory: { checkAll: () => {} } },
  } as unknown as BrokerContext;
  const state = { topic: 't', partition: 0, tp: 't-0', replicas: [1], leader: 1, leaderEpoch: 0, isr: [1], elr: [], partitionEpoch: 0 } as unknown as PartitionState;
  return new Partition(broker, 't-0', 't', new PartitionLog('t-0'), state, 'leader', 0, [1], 0, new Map(), 0, 0);
}

function batch(pid: number, seq: number, count: number, bytes = 100): RecordBatch {
  return { pid, seq, count, idempotent: true, bytes, createUs: new Array(count).fill(0) };
}

describe('idempotent producer sequence checks on the leader', () => {
  it('answers a retry of one of the last 5 batches with its original offset and appends nothing', () => {
    const p = leader();
    for (let i = 0; i < 6; i++) expect(p.appendRecordsToLeader(batch(7, i * 3, 3), -1).result.baseOffset).toBe(i * 3);
    const dup = p.appendRecordsToLeader(batch(7, 6, 3), -1);
    expect(dup.result).toMatchObject({ error: 'NONE', baseOffset: 6 });
    expect(dup.requiredOffset).toBe(9);
    expect(p.log.leo).toBe(18);
  });

  it('answers OUT_OF_ORDER_SEQUENCE_NUMBER for a gap, an old batch no longer kept, or a different range', () => {
    const p = leader();
    for (let i = 0; i < 6; i++) p.appendRecordsToLeader(batch(7, i * 3, 3), -1);
    expect(p.appendRecordsToLeader(batch(7, 0, 3), -1).result.error).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(p.appendRecordsToLeader(batch(7, 6, 2), -1).result.error).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(p.appendRecordsToLeader(batch(7, 21, 3), -1).result.error).toBe('OUT_OF_ORDER_SEQUENCE_NUMBER');
    expect(p.appendRecordsToLeader(batch(7, 18, 3), -1).result).toMatchObject({ error: 'NONE', baseOffset: 18 });
    expect(p.log.leo).toBe(21);
  });

  it('accepts any first sequence from a producer id it has no state for', () => {
    const p = leader();
    expect(p.appendRecordsToLeader(batch(8, 40, 2), -1).result).toMatchObject({ error: 'NONE', baseOffset: 0 });
  });
});

describe('max.message.bytes on the leader', () => {
  it('refuses a batch over the limit with MESSAGE_TOO_LARGE and appends nothing; one at the limit is appended', () => {
    const p = leader();
    expect(p.appendRecordsToLeader(batch(7, 0, 1, 1048589), -1).result.error).toBe('MESSAGE_TOO_LARGE');
    expect(p.log.leo).toBe(0);
    expect(p.appendRecordsToLeader(batch(7, 0, 1, 1048588), -1).result).toMatchObject({ error: 'NONE', baseOffset: 0 });
  });
});
