/**
 * The liveness phase and its checks (write-answered, fully-replicated) on hand-written traces, the
 * `liveness:` option on real runs, and the violations' offsets and causes.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Checker } from '../../../sim/checks/checks.js';
import type { LivenessBounds } from '../../../sim/checks/liveness.js';
import { livenessBounds } from '../../../sim/run/liveness-bound.js';
import { evaluateExpect } from '../../../sim/report/expect.js';
import { simulate } from '../../../sim/run/simulation.js';
import { parseScenario } from '../../../sim/scenario/parse.js';
import type { TraceEvent } from '../../../sim/trace/events.js';
import { traceHeader } from '../../trace-header.js';

const S = 1_000_000;
const BOUNDS: LivenessBounds = { settleUs: 46 * S, catchUpUs: 30 * S, boundUs: 76 * S, derivation: 'test' };

function header(durationUs: number): TraceEvent {
  return traceHeader({
    kafkaVersion: '3.9',
    durationUs,
    brokers: [1, 2],
    topics: [{ name: 't', partitions: 1, replicationFactor: 2, replicas: [[1, 2]], minInsyncReplicas: 1, uncleanLeaderElectionEnable: false }],
    producers: [{ name: 'p1', topic: 't', acks: -1, idempotence: true }],
  });
}

/** A batch of 10 records sealed at 1 s, written to both replicas, acknowledged at 1.1 s unless `answered` is false. */
function oneBatch(answered: boolean): TraceEvent[] {
  const evs: TraceEvent[] = [
    { type: 'batch', t: 1 * S, producer: 'p1', pid: 7, tp: 't-0', seq: 0, count: 10, bytes: 1000, firstUs: 1 * S },
    { type: 'append', t: 1 * S + 10, broker: 1, tp: 't-0', offset: 0, count: 10, epoch: 0, pid: 7, seq: 0, bytes: 1000, src: 'produce' },
    { type: 'append', t: 1 * S + 20, broker: 2, tp: 't-0', offset: 0, count: 10, epoch: 0, pid: 7, seq: 0, bytes: 1000, src: 'fetch' },
    { type: 'hw', t: 1 * S + 30, broker: 1, tp: 't-0', hw: 10 },
  ];
  if (answered) evs.push({ type: 'ack', t: 1.1 * S, producer: 'p1', pid: 7, tp: 't-0', seq: 0, count: 10, offset: 0, error: 'NONE', attempts: 1 });
  return evs;
}

function check(events: TraceEvent[], endUs: number, bounds: LivenessBounds | null = BOUNDS) {
  const c = new Checker(bounds ?? undefined);
  for (const ev of [header(endUs), ...events, { type: 'end', t: endUs } as TraceEvent]) c.event(ev);
  return c.finish();
}

describe('the liveness phase', () => {
  it('runs the liveness checks when the run ends quiet and healed for the bound', () => {
    const r = check(oneBatch(true), 100 * S);
    expect(r.liveness).toMatchObject({ checked: true, fromMs: 0, quietMs: 100_000, boundMs: 76_000 });
    expect(r.violations).toEqual([]);
  });

  it('skips them (no violation) when the quiet time is shorter than the bound', () => {
    const r = check([...oneBatch(false), { type: 'fault', t: 50 * S, verb: 'heal', text: 'heal all', targets: [] }], 100 * S);
    expect(r.liveness.checked).toBe(false);
    expect(r.liveness.skipped).toMatch(/quiet time after the last fault \(50000 ms\) is shorter than the bound \(76000 ms\)/);
    expect(r.violations).toEqual([]);
  });

  it('skips them when the run ends with a broker down, a paused client or a slow disk', () => {
    const down = check([...oneBatch(false), { type: 'broker', t: 2 * S, broker: 2, state: 'crashed', mode: 'process' }], 100 * S);
    expect(down.liveness.skipped).toMatch(/faults not healed: broker 2 crashed/);
    const paused = check([...oneBatch(false), { type: 'fault', t: 2 * S, verb: 'pause', text: 'pause producer p1', targets: ['p:p1'] }], 100 * S);
    expect(paused.liveness.skipped).toMatch(/p:p1 paused/);
    const slow = check([{ type: 'fault', t: 2 * S, verb: 'slowDisk', text: 'slowDisk broker 1 ×10', targets: ['b1'] }], 100 * S);
    expect(slow.liveness.skipped).toMatch(/slow disk on b1/);
    const cut = check([{ type: 'link', t: 2 * S, from: 'b1', to: 'b2', up: false }], 100 * S);
    expect(cut.liveness.skipped).toMatch(/1 link\(s\) cut/);
    expect([down, paused, slow, cut].flatMap((r) => r.violations)).toEqual([]);
  });

  it('skips them without a bound', () => {
    expect(check(oneBatch(false), 100 * S, null).liveness.skipped).toMatch(/no liveness bound/);
  });
});

describe('write-answered', () => {
  it('reports a batch sealed before the settle bound and never answered, with when it was sealed', () => {
    const r = check(oneBatch(false), 100 * S);
    expect(r.violations).toHaveLength(1);
    expect(r.violations[0]).toMatchObject({ check: 'write-answered', partition: 't-0', atMs: 100_000, causeMs: 1000 });
    expect(r.violations[0].detail).toMatch(/10 record\(s\) in 1 batch\(es\) of producer p1 had no answer/);
  });

  it('counts an error as an answer, piece by piece for a split batch', () => {
    const [batch, ...rest] = oneBatch(false);
    const pieces: TraceEvent[] = [
      { type: 'ack', t: 2 * S, producer: 'p1', pid: 7, tp: 't-0', seq: 0, count: 4, offset: -1, error: 'TimeoutException', attempts: 1 },
      { type: 'ack', t: 2 * S, producer: 'p1', pid: 7, tp: 't-0', seq: 4, count: 6, offset: 0, error: 'NONE', attempts: 1 },
    ];
    expect(check([batch!, ...rest, ...pieces], 100 * S).violations).toEqual([]);
    expect(check([batch!, ...rest, pieces[0]!], 100 * S).violations[0]?.detail).toMatch(/^6 record\(s\)/);
  });

  it('forgets batches sealed again under a new producer id from sequence 0 (an epoch bump)', () => {
    const [batch, ...rest] = oneBatch(false);
    const resealed: TraceEvent[] = [
      { type: 'batch', t: 3 * S, producer: 'p1', pid: 8, tp: 't-0', seq: 0, count: 10, bytes: 1000, firstUs: 1 * S },
      { type: 'ack', t: 3.1 * S, producer: 'p1', pid: 8, tp: 't-0', seq: 0, count: 10, offset: 10, error: 'NONE', attempts: 2 },
    ];
    expect(check([batch!, ...rest, ...resealed], 100 * S).violations.filter((v) => v.check === 'write-answered')).toEqual([]);
  });

  it('takes batches and acknowledgements as fields too (summary mode)', () => {
    const c = new Checker(BOUNDS);
    c.event(header(100 * S));
    c.batch(1 * S, 'p1', 7, 't-0', 0, 10, 1000, 1 * S);
    c.batch(1 * S, 'p1', 7, 't-0', 10, 5, 500, 1 * S);
    c.acked(1.1 * S, 'p1', 7, 't-0', 0, 10, 0, 1);
    c.event({ type: 'end', t: 100 * S });
    const r = c.finish();
    expect(r.violations.filter((v) => v.check === 'write-answered').map((v) => [v.check, v.detail.split(' had')[0]])).toEqual([['write-answered', '5 record(s) in 1 batch(es) of producer p1']]);
  });

  it('does not wait for batches sealed within the settle bound of the end', () => {
    const late: TraceEvent = { type: 'batch', t: 60 * S, producer: 'p1', pid: 7, tp: 't-0', seq: 10, count: 5, bytes: 500, firstUs: 60 * S };
    expect(check([...oneBatch(true), late], 100 * S).violations).toEqual([]);
  });
});

describe('fully-replicated', () => {
  it('reports an ISR that never got its replica back and a follower behind the leader', () => {
    const evs: TraceEvent[] = [
      { type: 'batch', t: 1 * S, producer: 'p1', pid: 7, tp: 't-0', seq: 0, count: 10, bytes: 1000, firstUs: 1 * S },
      { type: 'append', t: 1 * S + 10, broker: 1, tp: 't-0', offset: 0, count: 10, epoch: 0, pid: 7, seq: 0, bytes: 1000, src: 'produce' },
      { type: 'isr', t: 1 * S + 20, tp: 't-0', isr: [1], prev: [1, 2], elr: [], lastKnownElr: [], partitionEpoch: 1, reason: 'shrink' },
      { type: 'hw', t: 1 * S + 30, broker: 1, tp: 't-0', hw: 10 },
      { type: 'ack', t: 1.1 * S, producer: 'p1', pid: 7, tp: 't-0', seq: 0, count: 10, offset: 0, error: 'NONE', attempts: 1 },
    ];
    const r = check(evs, 100 * S);
    expect(r.violations).toHaveLength(1);
    const v = r.violations[0]!;
    expect(v).toMatchObject({ check: 'fully-replicated', partition: 't-0', offsets: [[0, 9]] });
    expect(v.detail).toMatch(/ISR \[1\] lacks replica\(s\) 2; broker 2's log ends at 0, below the leader's high watermark 10 of 70000 ms/);
  });

  it('is met by replicas that hold the leader log up to its high watermark of replica.lag.time.max.ms before the end', () => {
    expect(check(oneBatch(true), 100 * S).violations).toEqual([]);
  });
});

describe('the liveness option', () => {
  const base = readFileSync('scenarios/killed-leader.yaml', 'utf8');

  it('heals everything at the end of duration and runs the quiet period after it', () => {
    const s = parseScenario(`${base}\nliveness: 80s\n`, 'killed-leader.yaml');
    const plain = parseScenario(base, 'killed-leader.yaml');
    expect(s.liveness).toEqual({ healAtUs: plain.durationUs, quietUs: 80 * S });
    expect(s.durationUs).toBe(plain.durationUs + 80 * S);
    expect(s.faults.at(-1)).toEqual({ atUs: plain.durationUs, verb: 'healAll', text: 'heal all (liveness phase)' });
    const r = simulate(s);
    expect(r.liveness).toMatchObject({ checked: true, fromMs: plain.durationUs / 1000, quietMs: 80_000 });
    expect(r.violations.filter((v) => v.check === 'write-answered' || v.check === 'fully-replicated')).toEqual([]);
  });

  it('restarts a broker the scenario left down, so the liveness checks run', () => {
    const text = base.replace(/^faults:\n/m, 'faults:\n  - { at: 5s, crash: broker 3 }\n');
    const down = simulate(parseScenario(text, 'x.yaml'));
    expect(down.liveness.skipped).toMatch(/broker 3 crashed|quiet time/);
    const healed = simulate(parseScenario(`${text}\nliveness: 80s\n`, 'x.yaml'));
    expect(healed.liveness.checked).toBe(true);
    expect(healed.violations.filter((v) => v.check === 'write-answered' || v.check === 'fully-replicated')).toEqual([]);
  });

  it('says what the bound is made of (Kafka 3.9 defaults: 76 s)', () => {
    const b = livenessBounds(parseScenario(base, 'killed-leader.yaml'));
    expect(b.boundUs).toBe(76 * S);
    expect(b.derivation).toMatch(/request.timeout.ms 30000.*replica.lag.time.max.ms 30000/);
  });

  it('gives the same verdicts and liveness report in summary mode (batches as fields) as in full mode', () => {
    const s = parseScenario(`${base.replace(/^faults:\n/m, 'faults:\n  - { at: 5s, pause: producer p1 }\n  - { at: 12s, resume: producer p1 }\n')}\nliveness: 80s\n`, 'x.yaml');
    const summary = simulate(s, { trace: 'summary' });
    const full = simulate(s, { trace: 'full' });
    expect(summary.liveness).toEqual(full.liveness);
    expect(summary.violations).toEqual(full.violations);
    expect(summary.liveness.checked).toBe(true);
  });

  it('rejects a liveness that is not a duration', () => {
    expect(() => parseScenario(`${base}\nliveness: soon\n`, 'x.yaml')).toThrow(/liveness/);
  });
});

describe('where a violation comes from', () => {
  it('no-acked-record-lost gives the lost offsets and the election that lost them', () => {
    const s = parseScenario(readFileSync('scenarios/acks1-leader-loss.yaml', 'utf8'), 'acks1-leader-loss.yaml');
    const r = simulate(s);
    const lost = r.violations.find((v) => v.check === 'no-acked-record-lost')!;
    expect(lost.offsets).toHaveLength(1);
    const [lo, hi] = lost.offsets![0]!;
    expect(lost.detail).toContain(`offsets ${lo}..${hi}`);
    const election = r.elections.find((e) => e.atMs === lost.causeMs);
    expect(election, `an election at ${lost.causeMs} ms`).toBeDefined();
    expect(lost.causeMs).toBeLessThan(lost.atMs);
  });
});

describe('the counterexample block', () => {
  const base = readFileSync('scenarios/acks1-leader-loss.yaml', 'utf8');
  const block = (body: string) => `${base}\ncounterexample:\n${body}\n`;

  it('is read as it is written, and changes nothing in the run', () => {
    const s = parseScenario(
      block('  check: no-acked-record-lost\n  base: scenarios/acks1-leader-loss.yaml\n  run: 137\n  shrunkFrom: 7\n  command: "npx kafkasim run counterexample-137.yaml --seed 42"'),
      'c.yaml',
    );
    expect(s.counterexample).toEqual({
      check: 'no-acked-record-lost',
      base: 'scenarios/acks1-leader-loss.yaml',
      run: 137,
      shrunkFrom: 7,
      command: 'npx kafkasim run counterexample-137.yaml --seed 42',
    });
    const plain = parseScenario(base, 'a.yaml');
    expect(simulate(s).traceHash).toBe(simulate(plain).traceHash);
  });

  it('needs a known check, and says which', () => {
    expect(() => parseScenario(block('  base: x.yaml'), 'c.yaml')).toThrow(/counterexample\.check: missing/);
    expect(() => parseScenario(block('  check: lost-records'), 'c.yaml')).toThrow(/counterexample\.check: .*no-acked-record-lost/);
    expect(() => parseScenario(block('  check: in-order\n  run: -1'), 'c.yaml')).toThrow(/counterexample\.run/);
    expect(() => parseScenario(block('  check: in-order\n  shrunk: 3'), 'c.yaml')).toThrow(/counterexample\.shrunk: unknown key.*shrunkFrom/);
  });
});

describe("the visualizer's counterexample fixture", () => {
  it('meets its expect block: the loss it is a counterexample of, and the liveness checks pass after healing', () => {
    const s = parseScenario(readFileSync('test/viz/fixtures/counterexample-acks1.yaml', 'utf8'), 'counterexample-acks1.yaml');
    const r = simulate(s);
    expect(r.liveness.checked).toBe(true);
    expect(evaluateExpect(s.expect!, r).passed).toBe(true);
  });
});

describe('what fully-replicated found', () => {
  // Broker 2 leads load-0 alone (brokers 1 and 3 paused and fenced), assigns leader epoch 1 at its log end,
  // crashes before appending anything in it, and loses power while down. At the heal, broker 1 is elected
  // from the ELR; broker 2 follows with the epoch-1 entry at its log end and is told its log diverges at that
  // same offset. Kafka's UnifiedLog.truncateTo truncates the leader-epoch cache even when no record goes;
  // the simulator did not, and broker 2 fetched in a loop, never back in the ISR.
  const text = `
name: epoch-at-log-end
duration: 60s
liveness: 80s
cluster: { brokers: 3, config: { min.insync.replicas: 2 } }
topics: [{ name: load, partitions: 6, replication.factor: 3 }]
producers: [{ name: p1, topic: load, rate: 1000/s, recordSize: 200B, keys: { uniform: 1000 }, config: { acks: all } }]
consumers: [{ name: c1, topic: load, from: earliest }]
faults:
  - { at: 3.3s, pause: broker 3 }
  - { at: 8.4s, pause: broker 1 }
  - { at: 25.6s, crash: leader of load-0 }
  - { at: 39s, crash: broker 2, mode: power }
`;

  it('a follower with an empty epoch at its log end catches up after the heal', () => {
    const r = simulate(parseScenario(text, 'epoch-at-log-end.yaml'), { seed: 15 });
    expect(r.liveness.checked).toBe(true);
    expect(r.violations.filter((v) => v.check === 'fully-replicated' || v.check === 'write-answered')).toEqual([]);
  });
});
