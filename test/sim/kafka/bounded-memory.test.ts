import { describe, expect, it } from 'vitest';
import { HOT_WINDOW_US, type LogEntry, PartitionLog } from '../../../sim/kafka/partition-log.js';
import { A_COUNT, A_OFFSET, A_SEQ, ackRun, Rows } from '../../../sim/checks/rows.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { parseScenario } from '../../../sim/scenario/parse.js';

/** An entry of producer `pid` at `offset`, its records created from `us` on, 1 µs apart. */
function entry(offset: number, epoch: number, pid: number, seq: number, count: number, us: number): LogEntry {
  const createUs = Array.from({ length: count }, (_, i) => us + i);
  return { offset, epoch, batch: { pid, seq, count, idempotent: true, bytes: 100 * count, createUs } };
}

/** A log of `n` batches of 10 records, one per second, all below its stable points. */
function oldLog(n: number): PartitionLog {
  const log = new PartitionLog('t-0');
  for (let i = 0; i < n; i++) {
    log.hw = log.durableOffset = log.hwCheckpoint = log.leo;
    log.append(entry(i * 10, 0, 7, i * 10, 10, i * 1_000_000));
  }
  return log;
}

describe('a partition log keeps old entries as runs', () => {
  it('keeps whole only the entries of the last HOT_WINDOW_US, and one run for one producer in one epoch', () => {
    const seconds = HOT_WINDOW_US / 1_000_000;
    const log = oldLog(seconds * 3);
    expect(log.leo).toBe(seconds * 30);
    expect(log.coldRuns).toBe(1);
    expect(log.hotEntries).toBeGreaterThan(seconds - 5);
    expect(log.hotEntries).toBeLessThanOrEqual(seconds + 2);
  });

  it('serves a read of the cold part from the fetch offset, with the right producer, sequence and bytes', () => {
    const log = oldLog(300);
    const got = log.read(15, log.leo, 1000);
    expect(got.length).toBe(1);
    expect(got[0]).toMatchObject({ offset: 15, epoch: 0, batch: { pid: 7, seq: 15, count: 10, bytes: 1000 } });
    // Creation times inside a run are interpolated between its first and last record's.
    const us = got[0].batch.createUs;
    expect(us.length).toBe(10);
    expect(us[0]).toBeGreaterThan(0);
    expect(us[9]).toBeGreaterThan(us[0]);
    // Reads go on across the boundary into the whole entries, each batch below the limit.
    const hotStart = log.leo - log.hotEntries * 10;
    const across = log.read(hotStart - 20, log.leo, 1_000_000);
    expect(across[0].offset).toBe(hotStart - 20);
    expect(across.reduce((n, e) => n + e.batch.count, 0)).toBe(log.leo - (hotStart - 20));
    expect(log.uncachedBytes(across, 0)).toBe(2000);
  });

  it('truncates into the cold part at the offset, and keeps producer state across the boundary', () => {
    const log = oldLog(300);
    const st = log.producerState(7)!;
    expect(st.findDuplicateBatch(2990, 10)?.offset).toBe(2990);
    expect(log.truncateTo(log.leo - 10)).toBe(10);
    expect(log.producerState(7)?.last().offset).toBe(2980);
    expect(log.truncateTo(1005)).toBe(2990 - 1005);
    expect(log.leo).toBe(1005);
    expect(log.hotEntries).toBe(0);
    expect(log.lastBatchEpoch()).toBe(0);
    expect(log.read(1000, log.leo, 1_000_000)[0].batch.count).toBe(5);
    // Producer state of the cold part: its retained batches below the new end.
    expect(log.producerState(7)?.size ?? 0).toBeLessThanOrEqual(5);
    log.append(entry(1005, 1, 8, 0, 10, 400_000_000));
    expect(log.leo).toBe(1015);
    expect(log.lastBatchEpoch()).toBe(1);
  });
});

/** 3 brokers, RF 3, acks=all, a consumer and a crash: what the model and checker keep at `minutes`. */
function kept(minutes: number[]): Array<{ acked: number; entries: number; rows: number }> {
  const scenario = parseScenario(
    `name: kept
duration: ${Math.max(...minutes)}m
cluster: { brokers: 3, config: { min.insync.replicas: 2 } }
topics: [{ name: t, partitions: 3, replication.factor: 3 }]
producers: [{ name: p1, topic: t, rate: 200/s, config: { acks: all } }]
consumers: [{ name: c1, topic: t, from: earliest }]
faults: [{ at: 150s, crash: broker 2 }, { at: 170s, restart: broker 2 }]
`,
    'kept.yaml',
  );
  const sim = createSimulation(scenario, { seed: 3 });
  return minutes.map((m) => {
    sim.runUntil(m * 60_000_000);
    let entries = 0;
    for (const b of sim.brokers.values()) for (const log of b.logs.values()) entries += log.hotEntries + log.coldRuns;
    return { acked: sim.checker.finish().records.acked, entries, rows: sim.checker.rowsKept() };
  });
}

describe('memory does not grow with the records produced', () => {
  it('keeps as many log entries and checker rows after 8 simulated minutes as after 4, with twice the records', () => {
    const [a, b] = kept([4, 8]);
    expect(b.acked).toBeGreaterThan(1.8 * a.acked);
    expect(b.entries).toBeLessThan(1.1 * a.entries);
    expect(b.rows).toBeLessThan(1.1 * a.rows + 10);
    expect(b.rows).toBeLessThan(200);
  }, 120_000);
});

describe('the checker keeps acknowledgements as runs', () => {
  it('joins acknowledgements that arrive last first and out of order into one row', () => {
    const acked = new Rows(5);
    // Batches of 10 records at offsets = sequences, acknowledged in the order 0, 3, 2, 1, 5, 4.
    for (const k of [0, 3, 2, 1, 5, 4]) ackRun(acked, 7, k * 10, 10, k * 10, 1);
    expect(acked.n).toBe(1);
    expect([acked.col(A_SEQ)[0], acked.col(A_COUNT)[0], acked.col(A_OFFSET)[0]]).toEqual([0, 60, 0]);
    // Another producer, a gap, or another acks setting starts a row of its own.
    ackRun(acked, 8, 60, 10, 60, 1);
    ackRun(acked, 7, 70, 10, 70, 1);
    ackRun(acked, 7, 60, 10, 80, 0);
    expect(acked.n).toBe(4);
  });
});
