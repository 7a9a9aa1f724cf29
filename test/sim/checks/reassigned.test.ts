/**
 * A replica a completed reassignment removed is out of the checks, even while its broker, which learns of
 * the completion from the metadata after the controller, still fetches and moves its high watermark; a
 * later reassignment that adds the broker back brings it in again. On a hand-written trace.
 */
import { describe, expect, it } from 'vitest';
import { Checker } from '../../../sim/checks/checks.js';
import type { TraceEvent } from '../../../sim/trace/events.js';
import { traceHeader } from '../../trace-header.js';

const S = 1_000_000;

const header: TraceEvent = traceHeader({
  durationUs: 10 * S,
  brokers: [1, 2, 3],
  topics: [{ name: 't', partitions: 1, replicationFactor: 2, replicas: [[1, 2]], minInsyncReplicas: 1, uncleanLeaderElectionEnable: false }],
  producers: [{ name: 'p1', topic: 't', acks: -1, idempotence: true }],
});

const append = (t: number, broker: number, offset: number): TraceEvent => ({
  type: 'append',
  t,
  broker,
  tp: 't-0',
  offset,
  count: 10,
  epoch: 0,
  pid: 7,
  seq: offset,
  bytes: 100,
  src: offset === 0 && broker === 1 ? 'produce' : 'fetch',
});
const hw = (t: number, broker: number, value: number): TraceEvent => ({ type: 'hw', t, broker, tp: 't-0', hw: value });
const reassign = (t: number, phase: 'start' | 'complete', replicas: number[], adding: number[], removing: number[]): TraceEvent => ({
  type: 'reassign',
  t,
  tp: 't-0',
  phase,
  replicas,
  adding,
  removing,
});

function logMatching(events: TraceEvent[]): number {
  const c = new Checker();
  for (const ev of [header, ...events, { type: 'end', t: 10 * S } as TraceEvent]) c.event(ev);
  return c.finish().violations.filter((v) => v.check === 'log-matching').length;
}

describe('a replica removed by a reassignment', () => {
  // 1 leads, 2 follows; the reassignment moves 2's replica to 3; 3 copies the log, then the controller
  // completes it before broker 2 has deleted its copy.
  const moved: TraceEvent[] = [
    append(S, 1, 0),
    append(S + 10, 2, 0),
    hw(S + 20, 1, 10),
    reassign(2 * S, 'start', [1, 3, 2], [3], [2]),
    append(2 * S + 10, 3, 0),
    reassign(2 * S + 20, 'complete', [1, 3], [3], [2]),
  ];

  it('is not brought back by its broker’s last high watermark before it deletes its log', () => {
    expect(logMatching([...moved, hw(2 * S + 30, 2, 10)])).toBe(0);
  });

  it('counts again once a reassignment adds its broker back', () => {
    // Broker 2 is a replica again and holds other records at offset 0 below its HW: log-matching sees it.
    const back = [reassign(3 * S, 'start', [1, 3, 2], [2], []), { ...append(3 * S + 10, 2, 0), pid: 8 } as TraceEvent, hw(3 * S + 20, 2, 10)];
    expect(logMatching([...moved, hw(2 * S + 30, 2, 10), ...back])).toBeGreaterThan(0);
  });
});
