/**
 * The electLeaders fault (Admin ElectLeaders, kafka-leader-election --election-type preferred):
 * scenarios/preferred-leader-rebalance.yaml read from its trace, and the fault's other outcomes
 * (ELECTION_NOT_NEEDED, PREFERRED_LEADER_NOT_AVAILABLE, one partition) on small runs.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { ArraySink, type TraceEvent } from '../../../sim/trace/index.js';

type Ev<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

function run(yaml: string, file: string) {
  const sink = new ArraySink();
  const sim = createSimulation(parseScenario(yaml, file), { sinks: [sink] });
  sim.run();
  const of = <T extends TraceEvent['type']>(type: T) => sink.events.filter((e): e is Ev<T> => e.type === type);
  return { sim, of };
}

/** Leaders per broker, from the trace: the initial leaders (the preferred replicas) and every election up to `t`. */
function leadersAt(of: ReturnType<typeof run>['of'], replicas: Map<string, number[]>, t: number): Map<number, number> {
  const leader = new Map([...replicas].map(([tp, r]) => [tp, r[0]!]));
  for (const e of of('election')) if (e.t <= t) leader.set(e.tp, e.leader);
  const count = new Map<number, number>();
  for (const b of leader.values()) count.set(b, (count.get(b) ?? 0) + 1);
  return count;
}

describe('scenarios/preferred-leader-rebalance.yaml', () => {
  const { sim, of } = run(readFileSync('scenarios/preferred-leader-rebalance.yaml', 'utf8'), 'preferred-leader-rebalance.yaml');
  const image = sim.controller.image;
  const replicas = new Map(Object.entries(image.partitions).map(([tp, p]) => [tp, [...p.replicas]]));
  const fault = of('fault').find((f) => f.verb === 'electLeaders')!;

  it('starts balanced: each broker is the preferred replica of two partitions', () => {
    expect([...leadersAt(of, replicas, 0)].sort()).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
  });

  it('is skewed after the bounce: broker 1 is back in every ISR but leads nothing', () => {
    const before = leadersAt(of, replicas, fault.t - 1);
    expect(before.get(1)).toBeUndefined();
    const isr = new Map<string, number[]>();
    for (const e of of('isr')) if (e.t < fault.t) isr.set(e.tp, e.isr);
    for (const tp of replicas.keys()) if (isr.has(tp)) expect(isr.get(tp), tp).toContain(1);
  });

  it('moves each skewed partition back to its preferred replica, and only those', () => {
    const skewed = new Map<string, number>();
    for (const e of of('election')) if (e.t < fault.t) skewed.set(e.tp, e.leader);
    const moved = of('election').filter((e) => e.t === fault.t);
    expect(moved.length).toBeGreaterThan(0);
    expect(moved.map((e) => e.tp).sort()).toEqual(
      [...skewed]
        .filter(([tp, l]) => l !== replicas.get(tp)![0])
        .map(([tp]) => tp)
        .sort(),
    );
    for (const e of moved) {
      expect(e.leader).toBe(replicas.get(e.tp)![0]);
      expect(e.reason).toBe('preferred');
      expect(e.clean).toBe(true);
    }
    expect([...leadersAt(of, replicas, fault.t)].sort()).toEqual([
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
    expect(fault.targets).toEqual(['ctl']);
    expect(fault.rejected).toBeUndefined();
    for (const [tp, p] of Object.entries(image.partitions)) expect(p.leader, tp).toBe(p.replicas[0]);
  });
});

const SMALL = (faults: string) => `
name: small
duration: 20s
cluster: { brokers: 3, config: { auto.leader.rebalance.enable: false } }
topics: [{ name: t, partitions: 6, replication.factor: 3 }]
producers: [{ name: p1, topic: t, rate: 100/s, config: { acks: all } }]
faults:
${faults}
`;

describe('the electLeaders fault', () => {
  it('answers PREFERRED_LEADER_NOT_AVAILABLE for a partition whose preferred replica is down, and elects the others', () => {
    const { of, sim } = run(SMALL('  - { at: 2s, crash: broker 1 }\n  - { at: 12s, restart: broker 1 }\n  - { at: 12s, shutdown: broker 2 }\n  - { at: 15s, electLeaders: preferred }'), 'x.yaml');
    const fault = of('fault').find((f) => f.verb === 'electLeaders')!;
    const p = sim.controller.image.partitions;
    const down = Object.keys(p).filter((tp) => p[tp]!.replicas[0] === 2);
    expect(down.length).toBeGreaterThan(0);
    expect(fault.rejected).toBe(`PREFERRED_LEADER_NOT_AVAILABLE for ${down.join(', ')} (the preferred replica is not in the ISR or not active)`);
    const elected = of('election').filter((e) => e.t === fault.t);
    expect(elected.length).toBeGreaterThan(0);
    for (const e of elected) expect(e.leader).toBe(1);
  });

  it('elects only the partition it names (for: TOPIC-N)', () => {
    const { of } = run(SMALL('  - { at: 2s, shutdown: broker 1 }\n  - { at: 2s, restart: broker 1 }\n  - { at: 10s, electLeaders: preferred, for: t-0 }'), 'x.yaml');
    const fault = of('fault').find((f) => f.verb === 'electLeaders')!;
    expect(fault.text).toBe('elect preferred leader of t-0');
    const skewed = of('election')
      .filter((e) => e.t < fault.t && e.prevLeader === 1)
      .map((e) => e.tp);
    expect(skewed.length).toBeGreaterThan(1);
    expect(skewed).toContain('t-0');
    expect(
      of('election')
        .filter((e) => e.t === fault.t)
        .map((e) => [e.tp, e.leader]),
    ).toEqual([['t-0', 1]]);
  });

  it('is rejected, with why, while the controller is down', () => {
    const { of } = run(SMALL('  - { at: 2s, crash: controller }\n  - { at: 3s, electLeaders: preferred }'), 'x.yaml');
    expect(of('fault').at(-1)!.rejected).toBe('ctl is down (ElectLeaders needs the active controller)');
  });

  it.each([
    ['  - { at: 1s, electLeaders: preferred, for: nope }', 'faults[0].for: no such topic or partition (got "nope"); expected a topic (t) or one of its partitions, TOPIC-N'],
    ['  - { at: 1s, electLeaders: preferred, for: t-6 }', 'faults[0].for: t has partitions 0 to 5 (got "t-6")'],
    ['  - { at: 1s, crash: broker 1, for: t }', 'faults[0].for: for applies to electLeaders only (got "t")'],
    ['  - { at: 1s, electLeaders: unclean }', 'faults[0].electLeaders: expected preferred'],
    ['  - { at: 1s, electLeaders: preferred, as: x }', 'faults[0].as: as: names a node, and electLeaders acts on partitions (got "x")'],
  ])('rejects %s with a one-line error', (fault, message) => {
    expect(() => parseScenario(SMALL(fault), 'x.yaml')).toThrow(message);
  });
});
