/**
 * `kafkasim plan --sweep failure=...`: each value's faults as the point's scenario text carries them, the
 * plan's rows (the recovery column, a rebalance that happens, a reassignment that completes without a
 * violation), each point equal to a direct run of its text, and the one-line errors.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyPlanSettings, ArraySink, parseScenario, simulate, type TraceEvent } from 'kafkasim';
import { main } from '../../cli/main.js';
import type { PointResult } from '../../cli/plan-task.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TMP = mkdtempSync(join(tmpdir(), 'kafkasim-plan-failure-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const SMALL = readFileSync(join(ROOT, 'scenarios/plan/small.yaml'), 'utf8');
/** small.yaml for 3 s, read by a group of two that forms at once and heartbeats every 500 ms (a member learns of a rebalance from a heartbeat). */
const GROUPED = SMALL.replace('duration: 5s', 'duration: 3s')
  .replace('min.insync.replicas: 2', 'min.insync.replicas: 2\n    group.initial.rebalance.delay.ms: 0')
  .replace('- { name: c1, topic: events, from: earliest }', '- { name: c, topic: events, instances: 2, config: { group.id: readers, auto.offset.reset: earliest, heartbeat.interval.ms: 500 } }');
const BASE = join(TMP, 'grouped.yaml');
writeFileSync(BASE, GROUPED);

async function plan(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['plan', ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

const faultsOf = (text: string) => (parse(text) as { faults?: unknown[] }).faults;

describe('failure as a sweep axis: the faults', () => {
  it('none leaves the scenario as it is', () => {
    expect(applyPlanSettings(SMALL, { failure: 'none' })).toBe(SMALL);
  });

  it('broker-down shuts the last broker down at 0 s, on the point’s cluster', () => {
    expect(faultsOf(applyPlanSettings(SMALL, { failure: 'broker-down' }))).toEqual([{ at: '0s', shutdown: '3' }]);
    expect(faultsOf(applyPlanSettings(SMALL, { brokers: '5', failure: 'broker-down' }))).toEqual([{ at: '0s', shutdown: '5' }]);
  });

  it('rebalance takes the last group member out at a third of the run and back at two thirds', () => {
    expect(faultsOf(applyPlanSettings(GROUPED, { failure: 'rebalance' }))).toEqual([
      { at: '1000ms', shutdown: 'consumer c-2' },
      { at: '2000ms', restart: 'consumer c-2' },
    ]);
  });

  it("rebalance picks the first group's last member, whatever groups follow", () => {
    const two = GROUPED.replace('\nexpect:', '\n  - { name: audit, topic: events, config: { group.id: auditors } }\nexpect:');
    expect(faultsOf(applyPlanSettings(two, { failure: 'rebalance' }))).toEqual([
      { at: '1000ms', shutdown: 'consumer c-2' },
      { at: '2000ms', restart: 'consumer c-2' },
    ]);
  });

  it('reassignment adds a broker and moves every partition to a round-robin assignment over all brokers', () => {
    const faults = faultsOf(applyPlanSettings(SMALL, { partitions: '4', failure: 'reassignment' }));
    expect(faults).toEqual([
      { at: '0s', addBroker: 4 },
      { at: '1667ms', reassign: { 'events-0': [1, 2, 3], 'events-1': [2, 3, 4], 'events-2': [3, 4, 1], 'events-3': [4, 1, 2] } },
    ]);
  });

  it('disk-failure fails the last broker’s last log directory at a third of the run and replaces it at two thirds', () => {
    expect(faultsOf(applyPlanSettings(SMALL, { logDirs: '2', failure: 'disk-failure' }))).toEqual([
      { at: '1667ms', failDisk: '3', dir: '/data/2' },
      { at: '3333ms', replaceDisk: '3', dir: '/data/2' },
    ]);
    // One directory: the broker's only disk, named by no dir; the run is long enough for the controller to fence it.
    expect(faultsOf(applyPlanSettings(SMALL.replace('duration: 5s', 'duration: 30s'), { failure: 'disk-failure' }))).toEqual([
      { at: '10000ms', failDisk: '3' },
      { at: '20000ms', replaceDisk: '3' },
    ]);
  });

  it('disk-failure refuses a run in which a halted broker gets its new disk before the controller declares it dead', () => {
    const problem = (text: string, settings: Record<string, string>) => {
      try {
        applyPlanSettings(text, { ...settings, failure: 'disk-failure' });
        return undefined;
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(problem(SMALL, {})).toBe(
      '--sweep failure=disk-failure: broker 3 halts with its only log directory failed, and the disk is replaced a third of the run (1667 ms) later, before the controller declares it dead (broker.session.timeout.ms, 9000 ms): give the run a duration of at least 28 s, or the brokers several log directories (logDirs=2)',
    );
    expect(problem(SMALL.replace('duration: 5s', 'duration: 27s'), {})).toMatch(/at least 28 s/);
    expect(problem(SMALL.replace('duration: 5s', 'duration: 28s'), {})).toBeUndefined();
    // KRaft halts a broker whose metadata log directory failed; the ZooKeeper-era profiles have no metadata log.
    const metaOnLast = SMALL.replace('min.insync.replicas: 2', 'min.insync.replicas: 2\n    metadata.log.dir: /data/2');
    expect(problem(metaOnLast, { logDirs: '2' })).toMatch(/halts with its metadata log directory failed/);
    expect(problem(metaOnLast, { logDirs: '2', kafkaVersion: '2.8' })).toBeUndefined();
    // On a ZooKeeper-era profile the controller waits for zookeeper.session.timeout.ms.
    expect(problem(SMALL, { kafkaVersion: '2.8' })).toMatch(/\(zookeeper\.session\.timeout\.ms, 18000 ms\): give the run a duration of at least 55 s/);
  });

  it("comes after the scenario's own faults", () => {
    const own = SMALL.replace('expect:', 'faults:\n  - { at: 2s, pause: broker 1 }\n  - { at: 3s, resume: broker 1 }\nexpect:');
    const faults = faultsOf(applyPlanSettings(own, { failure: 'broker-down' }))!;
    expect(faults).toHaveLength(3);
    expect(faults[2]).toEqual({ at: '0s', shutdown: '3' });
    expect(() => parseScenario(applyPlanSettings(own, { failure: 'broker-down' }), 'own.yaml')).not.toThrow();
  });
});

describe('kafkasim plan --sweep failure=...', { timeout: 300_000 }, () => {
  let out = '';
  let points: PointResult[] = [];
  beforeAll(async () => {
    const dir = join(TMP, 'plan');
    const r = await plan(BASE, '--sweep', 'failure=none,broker-down,rebalance,reassignment', '--sweep', 'rate=20000/s', '--out', dir, '--workers', '2', '--no-progress');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    out = r.out;
    points = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).points;
  }, 300_000);

  const row = (failure: string) => out.split('\n').find((l) => l.startsWith(`${failure} `))!;

  it('has a row per value, and the recovery column', () => {
    const head = out.split('\n').find((l) => l.startsWith('failure '))!;
    expect(head).toMatch(/^failure\s+rate\s+records\/s .* recovery s$/);
    expect(row('none')).toMatch(/ -$/);
    // The broker stays down: its partitions stay under-replicated to the end.
    expect(row('broker-down')).toMatch(/ not by end$/);
    // Every moved partition's new replica caught up, and the ISRs are full again.
    expect(row('reassignment')).toMatch(/ \d+\.\d$/);
  });

  it('runs each point as its scenario text, faults included', () => {
    for (const p of points) {
      const s = simulate(parseScenario(applyPlanSettings(GROUPED, p.settings), BASE));
      expect(p.figures!.traceHash, JSON.stringify(p.settings)).toBe(s.traceHash);
    }
  });

  it('rebalances the group twice more, and loses nothing anywhere', () => {
    const rebalances = (failure: string) => simulate(parseScenario(applyPlanSettings(GROUPED, { failure, rate: '20000/s' }), BASE)).groups[0]!.rebalances;
    expect(rebalances('rebalance')).toBe(rebalances('none') + 2);
    for (const p of points) {
      expect(p.figures!.lost, JSON.stringify(p.settings)).toBe(0);
      expect(p.figures!.violations, JSON.stringify(p.settings)).toEqual([]);
    }
  });

  it('completes the reassignment: the moved partitions end on the new broker', () => {
    const s = simulate(parseScenario(applyPlanSettings(GROUPED, { failure: 'reassignment', rate: '20000/s' }), BASE));
    expect(s.partitions.filter((p) => p.topic === 'events' && p.replicas.includes(4)).length).toBe(4);
    expect(s.partitions.every((p) => p.isr.length === p.replicas.length)).toBe(true);
  });

  it('names a value that cannot apply, or a wrong one, in one line', async () => {
    const err = async (file: string, sweep: string) => (await plan(file, '--sweep', sweep, '--out', join(TMP, 'never'))).err;
    expect(await err(join(ROOT, 'scenarios/plan/small.yaml'), 'failure=none,rebalance')).toBe(
      'kafkasim: --sweep failure=rebalance: no consumer of the scenario has a group.id; a rebalance needs a consumer group\n',
    );
    expect(await err(BASE, 'failure=crash')).toBe('kafkasim: --sweep: failure=crash: expected one of none, broker-down, disk-failure, rebalance, reassignment\n');
  });
});

describe('docs/capacity.md: the failure sweep', { timeout: 300_000 }, () => {
  it("shows the plan's table, and the prose its figures", async () => {
    const doc = readFileSync(join(ROOT, 'docs/capacity.md'), 'utf8');
    const m = /```sh\nnpx kafkasim plan (scenarios\/plan\/small\.yaml --sweep failure=\S+ --sweep rate=\S+)\n```\n\n```text\n([\s\S]*?)\n```/.exec(doc);
    expect(m, 'the failure example in docs/capacity.md').not.toBeNull();
    const [file, ...args] = m![1]!.split(' ');
    const r = await plan(join(ROOT, file!), ...args, '--out', join(TMP, 'doc'), '--workers', '2', '--no-progress');
    expect(r.code).toBe(0);
    expect(r.out.split('\n\n')[1]).toBe(m![2]);
    const points: PointResult[] = JSON.parse(readFileSync(join(TMP, 'doc', 'summary.json'), 'utf8')).points;
    const f = (failure: string) => points.find((p) => p.settings.failure === failure)!.figures!;
    // "still carries 20,000 records/s, but its produce p50 doubles (...) and its p99 climbs to ..."
    const prose = doc.replace(/\s+/g, ' ');
    expect(f('broker-down').recordsPerSec).toBeGreaterThan(0.99 * 20_000);
    expect(prose).toContain(
      `its produce p50 doubles (${f('broker-down').produceMs.p50.toFixed(1)} ms against ${f('none').produceMs.p50.toFixed(1)}) and its p99 climbs to ${f('broker-down').produceMs.p99.toFixed(1)} ms`,
    );
    expect(Math.round(f('broker-down').produceMs.p50 / f('none').produceMs.p50)).toBe(2);
    // Two leaders, two connections: the producer's busiest is the bottleneck named (a NIC without the fault).
    const down = f('broker-down').bottleneck!;
    expect(down).toMatchObject({ node: 'p:p1', resource: 'connection' });
    expect(f('none').bottleneck!.resource).toMatch(/^nic/);
    expect(prose).toContain(`the bottleneck column names the producer's connection, busy ${Math.round(down.utilization * 100)}% of the time`);
    // The reassignment completes "within milliseconds", yet the p99 is one replica.fetch.backoff.ms (1 s) of a
    // fenced partition's retry, less the time the request had already waited.
    expect(f('reassignment').recoveryMs!).toBeLessThan(100);
    expect(f('reassignment').recordsPerSec).toBeGreaterThan(0.99 * 20_000);
    expect(f('reassignment').produceMs.p99).toBeGreaterThan(900);
    expect(f('reassignment').produceMs.p99).toBeLessThan(1_000);
    expect(prose).toContain(`yet the produce p99 climbs to ${Math.round(f('reassignment').produceMs.p99)} ms`);
    // "the new replica on broker 4 ... for `events-2`": its fetcher retries that partition a second later,
    // while the leader keeps appending; the point's own run, with its trace.
    const sink = new ArraySink();
    const text = readFileSync(join(ROOT, file!), 'utf8');
    const s = simulate(parseScenario(applyPlanSettings(text, { failure: 'reassignment', rate: '20000/s' }), file!), { sinks: [sink] });
    expect(s.traceHash).toBe(f('reassignment').traceHash);
    const appends = (broker: number, src: string) =>
      sink.events.filter((e): e is Extract<TraceEvent, { type: 'append' }> => e.type === 'append' && e.tp === 'events-2' && e.broker === broker && e.src === src).map((e) => e.t);
    const follower = appends(4, 'fetch');
    const gaps = follower.slice(1).map((t, i) => [follower[i]!, t] as const);
    const [from, to] = gaps.reduce((a, b) => (b[1] - b[0] > a[1] - a[0] ? b : a));
    expect(to - from).toBeGreaterThan(900_000);
    expect(to - from).toBeLessThan(1_100_000);
    // The follower is in the ISR: the leader's high watermark of events-2 stays where it was meanwhile, and
    // the acks=all request waiting on it holds the producer's connection (the leader appends almost nothing).
    const hw = sink.events.filter((e) => e.type === 'hw' && e.tp === 'events-2' && e.broker === 3 && e.t > from + 1_000 && e.t < to);
    expect(hw).toEqual([]);
    expect(appends(3, 'produce').filter((t) => t > from && t < to).length).toBeLessThanOrEqual(1);
    expect(prose).toContain('the new replica on broker 4 had a fetch for `events-2` in flight');
  });
});

describe('docs/capacity.md: a failed disk', { timeout: 300_000 }, () => {
  const doc = readFileSync(join(ROOT, 'docs/capacity.md'), 'utf8');
  const prose = doc.replace(/\s+/g, ' ');
  const m = /```sh\nnpx kafkasim plan (scenarios\/plan\/small\.yaml --sweep failure=\S+ --sweep logDirs=2 --sweep rate=\S+)\n```\n\n```text\n([\s\S]*?)\n```/.exec(doc);
  const settings = { failure: 'disk-failure', logDirs: '2', rate: '20000/s' };
  let points: PointResult[] = [];
  beforeAll(async () => {
    expect(m, 'the disk-failure example in docs/capacity.md').not.toBeNull();
    const [file, ...args] = m![1]!.split(' ');
    const r = await plan(join(ROOT, file!), ...args, '--out', join(TMP, 'disk'), '--workers', '2', '--no-progress');
    expect(r.code).toBe(0);
    expect(r.out.split('\n\n')[1]).toBe(m![2]);
    points = JSON.parse(readFileSync(join(TMP, 'disk', 'summary.json'), 'utf8')).points;
  }, 300_000);

  it('states the failed point’s figures', () => {
    const f = points.find((p) => p.settings.failure === 'disk-failure')!.figures!;
    expect(prose).toContain(`and the produce p99 is ${f.produceMs.p99.toFixed(1)} ms`);
    expect(prose).toContain(`is back in every ISR ${(f.recoveryMs! / 1000).toFixed(1)} s later`);
    expect(f.lost).toBe(0);
    expect(prose).toContain('Nothing acknowledged is lost; the two errors are produce requests');
  });

  it('shows in its trace what the prose says: the ISRs shrink at once, the high watermarks stop until the replacement', () => {
    const sink = new ArraySink();
    const s = simulate(parseScenario(applyPlanSettings(SMALL, settings), 'small.yaml'), { sinks: [sink] });
    expect(s.traceHash).toBe(points.find((p) => p.settings.failure === 'disk-failure')!.figures!.traceHash);
    const at = (verb: string) => sink.events.find((e): e is Extract<TraceEvent, { type: 'fault' }> => e.type === 'fault' && e.verb === verb)!.t;
    const [failed, replaced] = [at('failDisk'), at('replaceDisk')];
    expect(prose).toContain(`Broker 3's \`/data/2\` fails at ${(failed / 1e6).toFixed(3)} s`);
    expect(prose).toContain(`until the disk is replaced at ${(replaced / 1e6).toFixed(3)} s`);
    const shrunk = sink.events.filter((e): e is Extract<TraceEvent, { type: 'isr' }> => e.type === 'isr' && e.reason === 'offlineDir');
    expect(shrunk.map((e) => e.tp)).toHaveLength(3);
    expect(prose).toContain('the three partitions that directory held within a millisecond');
    for (const e of shrunk) {
      expect(e.t - failed).toBeLessThan(1_000);
      const leader = e.isr[0]!;
      // The leader's high watermark does not move from just after the failure until the replacement.
      const hw = sink.events.filter((h) => h.type === 'hw' && h.tp === e.tp && h.broker === leader && h.t > failed + 10_000 && h.t < replaced);
      expect(hw, e.tp).toEqual([]);
    }
    // "Other partitions' writes wait too": one whose directory did not fail has its high watermark still for over a second.
    const longestStill = (tp: string) => {
      const ts = sink.events.filter((h) => h.type === 'hw' && h.tp === tp && h.t > failed && h.t < replaced).map((h) => h.t);
      return Math.max(...[failed, ...ts, replaced].slice(1).map((t, i) => t - [failed, ...ts][i]!));
    };
    const others = ['events-0', 'events-1', 'events-2', 'events-3', 'events-4', 'events-5'].filter((tp) => !shrunk.some((e) => e.tp === tp));
    expect(others.some((tp) => longestStill(tp) > 1_000_000)).toBe(true);
    expect(prose).toContain("Other partitions' writes wait too when they share a produce request with a stalled one");
    const retries = sink.events.filter((e): e is Extract<TraceEvent, { type: 'retry' }> => e.type === 'retry');
    expect(retries.map((e) => e.error)).toEqual(['NOT_LEADER_OR_FOLLOWER', 'NOT_LEADER_OR_FOLLOWER']);
    expect(retries.every((e) => e.t > replaced)).toBe(true);
  });
});
