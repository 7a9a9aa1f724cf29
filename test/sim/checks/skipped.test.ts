/** The `skipped` records per reader and partition, with their offsets, on a hand-written trace. */
import { describe, expect, it } from 'vitest';
import { Checker } from '../../../sim/checks/checks.js';
import type { TraceEvent } from '../../../sim/trace/events.js';
import { traceHeader } from '../../trace-header.js';

const S = 1_000_000;

const header: TraceEvent = traceHeader({
  kafkaVersion: '3.9',
  durationUs: 10 * S,
  topics: [{ name: 't', partitions: 1, replicationFactor: 1, replicas: [[1]], minInsyncReplicas: 1, uncleanLeaderElectionEnable: false }],
  producers: [{ name: 'p1', topic: 't', acks: -1, idempotence: true }],
});

/** 40 records of producer 7 at offsets 0..39 (sequence = offset), in four batches. */
const log: TraceEvent[] = [0, 10, 20, 30].map((o) => ({ type: 'append', t: S + o, broker: 1, tp: 't-0', offset: o, count: 10, epoch: 0, pid: 7, seq: o, bytes: 100, src: 'produce' }));

const read = (t: number, consumer: string, offset: number, count: number): TraceEvent => ({ type: 'consume', t: 2 * S + t, consumer, tp: 't-0', offset, count, epoch: 0, pid: 7, seq: offset });

function check(reads: TraceEvent[]) {
  const c = new Checker();
  for (const ev of [header, ...log, { type: 'hw', t: S + 50, broker: 1, tp: 't-0', hw: 40 } as TraceEvent, ...reads, { type: 'end', t: 10 * S } as TraceEvent]) c.event(ev);
  return c.finish();
}

describe('skipped records', () => {
  it('lists per reader and partition the records below its final position it never received, with their offset ranges', () => {
    // c1 reads 0..9, jumps to 20..24 and 30..39: it skipped 10..19 and 25..29. c2 reads 5..14 then 20..29: 15..19 (not 0..4: it started at 5).
    const r = check([read(1, 'c1', 0, 10), read(2, 'c2', 5, 10), read(3, 'c1', 20, 5), read(4, 'c1', 30, 10), read(5, 'c2', 20, 10)]);
    expect(r.skipped).toEqual([
      { reader: 'c1', partition: 't-0', records: 15, offsets: 'offsets 10..19, 25..29', first: 10, last: 29, position: 40 },
      { reader: 'c2', partition: 't-0', records: 5, offsets: 'offsets 15..19', first: 15, last: 19, position: 30 },
    ]);
    expect(r.records.skipped).toBe(20);
  });

  it('a reader that read everything below its position skipped nothing', () => {
    const r = check([read(1, 'c1', 0, 20), read(2, 'c1', 20, 20)]);
    expect(r.skipped).toEqual([]);
    expect(r.records.skipped).toBe(0);
  });
});
