/**
 * Consumer groups in the visualizer's derived state, over a real run: a member of three crashes, the
 * coordinator removes it after session.timeout.ms, and the two others share its partitions. Frames (before,
 * during and after the rebalance), the narrative, the lag, and the records received again (checked against
 * the checker's `redelivered` counter and list).
 */
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Checker } from '../../../sim/checks/checks.js';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import type { RunSummary } from '../../../sim/report/summary.js';
import { ArraySink, type TraceEvent } from '../../../sim/trace/index.js';
import { emptyFrame, replay, type Frame } from '../../../viz/derive/frames.js';
import { coordinatorTps, OFFSETS_TOPIC, shownPartition } from '../../../viz/derive/groups.js';
import { Model } from '../../../viz/derive/model.js';
import { COORDINATOR_CRASH, CRASH_REBALANCE } from '../fixtures/crash-rebalance.js';

let events: TraceEvent[];
let summary: RunSummary;
let model: Model;
/** The group's coordinator, as the `coordinator` event that created the group names it. */
let created: Extract<TraceEvent, { type: 'coordinator' }>;
/** app-2's member id, from its assignment. */
let app2Id: string;
const find = (pred: (e: TraceEvent) => boolean): number => events.findIndex(pred);

beforeAll(() => {
  const sink = new ArraySink();
  const sim = createSimulation(parseScenario(CRASH_REBALANCE, 'consumer-crash-rebalance.yaml'), { sinks: [sink] });
  sim.run();
  events = sink.events;
  summary = sim.summary();
  model = new Model(1000);
  model.push(events);
  created = events.find((e) => e.type === 'coordinator' && e.group === 'billing') as typeof created;
  app2Id = (events.find((e) => e.type === 'assignment' && e.consumer === 'app-2') as Extract<TraceEvent, { type: 'assignment' }>).memberId;
});

describe('a member crashes and the group rebalances (consumer-crash-rebalance, seed 1)', () => {
  it('the fixture is the scenario library’s run: the same seed, cluster, topics, clients and faults', () => {
    const run = ({ seed, durationUs, cluster, topics, producers, consumers, faults }: ReturnType<typeof parseScenario>) => ({ seed, durationUs, cluster, topics, producers, consumers, faults });
    const lib = parseScenario(readFileSync(new URL('../../../scenarios/consumer-crash-rebalance.yaml', import.meta.url), 'utf8'), 'consumer-crash-rebalance.yaml');
    expect(run(parseScenario(CRASH_REBALANCE, 'consumer-crash-rebalance.yaml'))).toEqual(run(lib));
  });

  it('before: generation 1 is stable, coordinated by the broker that created the group, two partitions per member', () => {
    expect(created).toMatchObject({ tp: `${OFFSETS_TOPIC}-9`, loaded: true, offsets: 0 });
    expect(model.index.frameAt(events.indexOf(created)).groups.billing).toMatchObject({ coordinator: created.broker, coordinatorTp: created.tp });
    const removal = find((e) => e.type === 'group' && e.state === 'PreparingRebalance' && e.generation === 1);
    const f = model.index.frameAt(removal - 1);
    const g = f.groups.billing;
    expect(g).toMatchObject({ state: 'Stable', generation: 1, coordinator: created.broker, protocol: 'range', members: ['app-2', 'app-1', 'app-3'] });
    expect(g.owners).toEqual({ 'app-1': ['orders-0', 'orders-1'], 'app-2': ['orders-2', 'orders-3'], 'app-3': ['orders-4', 'orders-5'] });
    expect(f.members['app-2'].partitions).toEqual(['orders-2', 'orders-3']);
    // app-2 crashed at 15 s and still owns its partitions: the coordinator has not noticed yet.
    expect(f.clients['c:app-2'].up).toBe(false);
  });

  it('during: the removal starts a rebalance; each member owns nothing from its revoke until its new assignment', () => {
    const removal = find((e) => e.type === 'group' && e.state === 'PreparingRebalance' && e.generation === 1);
    expect((events[removal] as Extract<TraceEvent, { type: 'group' }>).reason).toContain(`member app-2 (${app2Id}) was removed: no heartbeat for session.timeout.ms`);
    // The member id docs/visualizer.md quotes.
    expect(app2Id).toBe('app-2-000000000003');
    const revoke = find((e) => e.type === 'assignment' && e.consumer === 'app-1' && e.revoked.length > 0);
    const f = model.index.frameAt(revoke);
    expect(f.groups.billing).toMatchObject({ state: 'PreparingRebalance', members: ['app-1', 'app-3'], rebalanceSinceUs: events[removal].t });
    expect(f.members['app-1']).toMatchObject({ partitions: [], revoked: ['orders-0', 'orders-1'], pausedSinceUs: events[revoke].t });
    expect(f.members['app-3'].partitions).toEqual(['orders-4', 'orders-5']);
  });

  it('after: generation 2 shares the six partitions between the two; generation 1 is kept as "before"', () => {
    const f = model.index.frameAt(events.length - 1);
    const g = f.groups.billing;
    expect(g).toMatchObject({ state: 'Stable', generation: 2, members: ['app-1', 'app-3'] });
    expect(g.rebalanceSinceUs).toBeUndefined();
    const removal = events.find((e) => e.type === 'group' && e.state === 'PreparingRebalance' && e.generation === 1)!;
    const stable = events.find((e) => e.type === 'group' && e.state === 'Stable' && e.generation === 2)!;
    expect(g.lastRebalance).toEqual({ fromUs: removal.t, toUs: stable.t, generation: 2 });
    expect(g.owners).toEqual({ 'app-1': ['orders-0', 'orders-1', 'orders-2'], 'app-3': ['orders-3', 'orders-4', 'orders-5'] });
    expect(g.before).toEqual({ generation: 1, owners: { 'app-1': ['orders-0', 'orders-1'], 'app-2': ['orders-2', 'orders-3'], 'app-3': ['orders-4', 'orders-5'] } });
    const p = f.members['app-1'].lastPause!;
    expect(p.toUs - p.fromUs).toBeGreaterThan(0);
    expect(p.toUs - p.fromUs).toBeLessThan(100_000);
    expect(f.members['app-1'].pausedSinceUs).toBeUndefined();
  });

  it('committed offsets follow the commits; the coordinating partition is led by the coordinator and is the only __consumer_offsets partition shown', () => {
    const f = model.index.frameAt(events.length - 1);
    const last = events.filter((e) => e.type === 'commit' && e.error === 'NONE').at(-1) as Extract<TraceEvent, { type: 'commit' }>;
    for (const o of last.offsets) expect(f.groups.billing.committed[o.tp]).toBe(o.offset);
    const tp = f.groups.billing.coordinatorTp;
    expect(tp.startsWith(`${OFFSETS_TOPIC}-`)).toBe(true);
    expect(tp).toBe(created.tp);
    expect(f.partitions[tp].leader).toBe(created.broker);
    expect(f.partitions[tp].logs[created.broker].leo).toBeGreaterThan(0);
    const coords = coordinatorTps(f);
    expect(coords.get(tp)).toEqual(['billing']);
    const shown = Object.values(f.partitions).filter((p) => shownPartition(p.tp, p.topic, new Set(coords.keys())));
    expect(shown.map((p) => p.tp)).toEqual(['orders-0', 'orders-1', 'orders-2', 'orders-3', 'orders-4', 'orders-5', tp]);
  });

  it('frameAt equals a straight replay around the group events, in any seek order', () => {
    const probes = [
      find((e) => e.type === 'assignment'),
      find((e) => e.type === 'commit') + 1,
      find((e) => e.type === 'assignment' && e.revoked.length > 0),
      find((e) => e.type === 'group' && e.generation === 2 && e.state === 'Stable'),
      1500,
      events.length - 1,
      3,
    ];
    for (const i of probes) expect(model.index.frameAt(i), `event ${i}`).toEqual(replay(emptyFrame(), events, 0, i) as Frame);
  });

  it('records received again: the same count and offsets as the checker', () => {
    const checker = new Checker();
    for (const e of events) checker.event(e);
    const res = checker.finish();
    expect(summary.records.redelivered).toBe(1320);
    expect(model.groups.redelivered.get('billing')).toBe(summary.records.redelivered);
    const all = model.groups.redeliveredAt('billing', events.length - 1);
    expect(all.records).toBe(1320);
    const mine = [...all.byTp].map(([tp, x]) => ({ reader: 'group billing', partition: tp, records: x.count, offsets: `offsets ${x.first}..${x.last}` }));
    expect(mine.sort((a, b) => (a.partition < b.partition ? -1 : 1))).toEqual(res.redelivered.map(({ consumers: _, ...r }) => r));
    // None before the rebalance.
    const stable2 = find((e) => e.type === 'group' && e.generation === 2 && e.state === 'Stable');
    expect(model.groups.redeliveredAt('billing', stable2).records).toBe(0);
  });

  it('the narrative tells the removal, the revokes, generation 2 and its assignment, the unconsumed partitions and the redelivery', () => {
    const texts = model.items.filter((x) => x.kind === 'group').map((x) => x.text);
    const want = [
      `broker ${created.broker} coordinates group billing: it leads __consumer_offsets-9, the group's __consumer_offsets partition, and creates the group there (nothing committed yet)`,
      `group billing (coordinator broker ${created.broker}): preparing to rebalance: member app-2 (${app2Id}) was removed: no heartbeat for session.timeout.ms (10000 ms); members app-1, app-3 must rejoin`,
      'group billing: members gave up their partitions to rebalance (eager protocol: they process nothing until the new assignment): app-1 revoked orders-0,1; app-3 revoked orders-4,5',
      'group billing: generation 2 is stable (range assignor, leader app-1), 2.0 s after the rebalance began: app-3 ← orders-3,4,5, app-1 ← orders-0,1,2',
      'orders-3 went unconsumed for 9.0 s: app-2 crashed at 15.000 s and kept it until the coordinator removed it; now app-3 reads orders-3 from offset 1681 (the committed offset)',
      'app-1 received 697 record(s) of orders-2 again (offsets 1930..2626): group billing had received them before but not committed them',
    ];
    let at = -1;
    for (const w of want) {
      const k = texts.findIndex((x, j) => j > at && x.startsWith(w));
      expect(k, w).toBeGreaterThan(at);
      at = k;
    }
  });

  it('lag: the read lag grows while the crashed member’s partitions wait, and drains after the rebalance', () => {
    const lag = model.groups.lag.get('billing')!;
    const at = (s: number) => lag.filter((p) => p.t <= s * 1e6).at(-1)!;
    expect(at(14).read).toBeLessThan(50);
    expect(at(23.9).read).toBeGreaterThan(2500);
    expect(at(39).read).toBeLessThan(50);
    for (const p of lag) expect(p.committed).toBeGreaterThanOrEqual(p.read);
  });
});

describe('the coordinator of group billing crashes (coordinator-crash, seed 2)', () => {
  let ev2: TraceEvent[];
  let m2: Model;
  let checked: ReturnType<Checker['finish']>;

  beforeAll(() => {
    const sink = new ArraySink();
    const checker = new Checker();
    createSimulation(parseScenario(COORDINATOR_CRASH, 'coordinator-crash.yaml'), { sinks: [sink, checker] }).run();
    ev2 = sink.events;
    checked = checker.finish();
    m2 = new Model(1000);
    m2.push(ev2);
  });

  it('the group follows its coordinator: the crashed broker, then the broker that took over its __consumer_offsets partition', () => {
    type Coord = Extract<TraceEvent, { type: 'coordinator' }>;
    const first = ev2.find((e) => e.type === 'coordinator' && e.group === 'billing') as Coord;
    const crash = ev2.find((e) => e.type === 'fault' && e.verb === 'crash') as Extract<TraceEvent, { type: 'fault' }>;
    expect(crash.targets).toEqual([`b${first.broker}`]);
    const moved = ev2.findIndex((e) => e.type === 'coordinator' && e.group === 'billing' && e.loaded && e.broker !== first.broker);
    expect(moved).toBeGreaterThan(ev2.indexOf(crash));
    const c = ev2[moved] as Coord;
    expect(c.tp).toBe(first.tp);
    expect(m2.index.frameAt(moved - 1).groups.billing).toMatchObject({ coordinator: first.broker, coordinatorTp: first.tp });
    const after = m2.index.frameAt(moved).groups.billing;
    expect(after).toMatchObject({ coordinator: c.broker, coordinatorTp: c.tp });
    const texts = m2.items.map((x) => x.text);
    expect(texts).toContain(`broker ${c.broker} is now the coordinator of group billing: it leads ${c.tp} and loaded the group's ${c.offsets} committed offset(s) from its log`);
    // Each group has its own coordinating partition, both shown.
    const f = m2.index.frameAt(ev2.length - 1);
    const coords = coordinatorTps(f);
    expect([...coords.values()].flat().sort()).toEqual(['billing', 'shipping']);
  });

  it('commits that fail while the coordinator is away are counted and told once per consumer and error', () => {
    const failed = ev2.filter((e) => e.type === 'commit' && e.error !== 'NONE') as Array<Extract<TraceEvent, { type: 'commit' }>>;
    expect(failed.length).toBeGreaterThan(0);
    const f = m2.index.frameAt(ev2.length - 1);
    expect(f.groups.billing.failedCommits + f.groups.shipping.failedCommits).toBe(failed.length);
    const told = m2.items.filter((x) => x.kind === 'group' && / offset commit \(.*\) for group .* failed: /.test(x.text));
    expect(told.length).toBe(new Set(failed.map((e) => `${e.consumer}|${e.error}`)).size);
    expect(told[0].text).toMatch(/failed: COORDINATOR_NOT_AVAILABLE \(retriable: /);
  });

  it('the members follow the new coordinator without a rebalance: generation 1 throughout, nothing received again', () => {
    expect(ev2.some((e) => e.type === 'group' && (e.generation !== 1 || e.state !== 'Stable') && e.t > 15_000_000)).toBe(false);
    expect(ev2.some((e) => e.type === 'assignment' && e.t > 15_000_000)).toBe(false);
    expect(checked.records.redelivered).toBe(0);
    for (const g of ['billing', 'shipping']) expect(m2.groups.redeliveredAt(g, ev2.length - 1).records).toBe(0);
  });

  it('records received again, per group and partition, as the checker counts them (a member of each group crashes instead)', () => {
    const sink = new ArraySink();
    const checker = new Checker();
    const yaml = COORDINATOR_CRASH.replace(/faults:[\s\S]*$/, 'faults:\n  - { at: 15s, crash: consumer bill-2 }\n  - { at: 15s, crash: consumer ship-1 }\n');
    createSimulation(parseScenario(yaml, 'members-crash.yaml'), { sinks: [sink, checker] }).run();
    const res = checker.finish();
    const m = new Model(1000);
    m.push(sink.events);
    const mine: Array<{ reader: string; partition: string; records: number; offsets: string }> = [];
    for (const g of ['billing', 'shipping']) {
      for (const [tp, x] of m.groups.redeliveredAt(g, sink.events.length - 1).byTp) mine.push({ reader: `group ${g}`, partition: tp, records: x.count, offsets: `offsets ${x.first}..${x.last}` });
    }
    const key = (r: { reader: string; partition: string }) => `${r.reader}|${r.partition}`;
    expect(mine.sort((a, b) => (key(a) < key(b) ? -1 : 1))).toEqual(res.redelivered.map(({ consumers: _, ...r }) => r).sort((a, b) => (key(a) < key(b) ? -1 : 1)));
    expect(new Set(mine.map((r) => r.reader))).toEqual(new Set(['group billing', 'group shipping']));
  });
});

describe('a member closes cleanly (consumer-crash-rebalance with shutdown instead of crash)', () => {
  it('it leaves the group at once: its partitions wait only for the rebalance, and the narrative says it closed', () => {
    const sink = new ArraySink();
    const checker = new Checker();
    const yaml = CRASH_REBALANCE.replace('crash: consumer app-2', 'shutdown: consumer app-2');
    createSimulation(parseScenario(yaml, 'close.yaml'), { sinks: [sink, checker] }).run();
    const m = new Model(1000);
    m.push(sink.events);
    const items = m.items.filter((x) => x.t >= 15_000_000);
    const id = (sink.events.find((e) => e.type === 'assignment' && e.consumer === 'app-2') as Extract<TraceEvent, { type: 'assignment' }>).memberId;
    const left = items.find((x) => x.text.includes(`member app-2 (${id}) left the group`));
    expect(left?.severe).toBe(false);
    // close() revokes its partitions: told as a close, not as a rebalance's revoke (no rebalance is under way yet).
    const revoke = sink.events.findIndex((e) => e.type === 'assignment' && e.consumer === 'app-2' && e.revoked.length > 0);
    expect(revoke).toBeLessThan(sink.events.findIndex((e) => e.type === 'group' && e.state === 'PreparingRebalance' && e.t >= 15_000_000));
    expect(items.find((x) => x.i === revoke)?.text).toBe('app-2 revoked orders-2,3: it is being closed, so it gives them up and leaves group billing; nobody reads them until the group rebalances');
    expect(items.some((x) => /members gave up their partitions.*app-2 revoked/.test(x.text))).toBe(false);
    expect(items.some((x) => x.text.startsWith('consumer app-2 stopped (closed cleanly'))).toBe(true);
    const waits = items.filter((x) => / went unconsumed for .*: app-2 closed at 15\.\d{3} s and left the group, which rebalanced; now /.test(x.text));
    expect(waits.map((x) => x.text.split(' ')[0]).sort()).toEqual(['orders-2', 'orders-3']);
    const close = sink.events.find((e) => e.type === 'client' && e.node === 'c:app-2' && e.state === 'stopped')!;
    const f = m.index.frameAt(sink.events.indexOf(close));
    expect(f.clients['c:app-2']).toMatchObject({ up: false, state: 'stopped', sinceUs: close.t });
    expect(m.groups.redelivered.get('billing') ?? 0).toBe(checker.finish().records.redelivered);
  });
});
