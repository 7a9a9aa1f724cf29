/**
 * scenarios/rack-aware-assignment.yaml read from its trace (KIP-881): consumers with client.rack a, b, c
 * and replicas in two of the three racks. The rack-aware assignors give each consumer partitions with a
 * replica in its rack, so with RackAwareReplicaSelector (KIP-392) it fetches in its rack only; roundrobin,
 * or a version before 3.5 (no rack in the subscription), leaves consumers fetching across racks.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createSimulation } from '../../../sim/run/simulation.js';
import { parseScenario } from '../../../sim/scenario/parse.js';
import type { Scenario } from '../../../sim/scenario/types.js';
import { ArraySink, type MsgEvent } from '../../../sim/trace/index.js';

const scenario = parseScenario(readFileSync('scenarios/rack-aware-assignment.yaml', 'utf8'), 'rack-aware-assignment.yaml');

/** Bytes of the fetch responses the consumers got, from brokers in their rack and from other racks. */
function fetchBytes(s: Scenario): { local: number; cross: number } {
  const sink = new ArraySink();
  createSimulation(s, { sinks: [sink] }).run();
  const rackOf = (node: string) => s.cluster.racks[node.slice(1)];
  const out = { local: 0, cross: 0 };
  for (const e of sink.events) {
    if (e.type !== 'msg' || (e as MsgEvent).kind !== 'FetchResponse' || !e.to.startsWith('c:')) continue;
    const consumerRack = e.to.slice(e.to.length - 1); // c-a, c-b, c-c: client.rack a, b, c
    if (rackOf(e.from) === consumerRack) out.local += e.bytes;
    else out.cross += e.bytes;
  }
  return out;
}

const withStrategy = (s: Scenario, strategy: string): Scenario => ({
  ...s,
  consumers: s.consumers.map((c) => ({ ...c, config: { ...c.config, 'partition.assignment.strategy': strategy } })),
});

describe('rack-aware assignment (KIP-881) with follower fetching', () => {
  it('cooperative-sticky: every consumer fetches in its rack only', () => {
    const b = fetchBytes(scenario);
    expect(b.local).toBeGreaterThan(1_000_000);
    expect(b.cross).toBe(0);
  });

  it('range: best effort, one partition of six off its consumer’s rack', () => {
    const b = fetchBytes(withStrategy(scenario, 'range'));
    expect(b.cross / (b.local + b.cross)).toBeGreaterThan(0.1);
    expect(b.cross / (b.local + b.cross)).toBeLessThan(0.25);
  });

  it('roundrobin ignores racks: here every fetch crosses racks', () => {
    const b = fetchBytes(withStrategy(scenario, 'roundrobin'));
    expect(b.local).toBe(0);
    expect(b.cross).toBeGreaterThan(1_000_000);
  });

  it('without rackAwareAssignment (before 3.5) the sticky assignor ignores client.rack', () => {
    const b = fetchBytes({ ...scenario, cluster: { ...scenario.cluster, behaviour: { ...scenario.cluster.behaviour, rackAwareAssignment: false } } });
    expect(b.cross).toBeGreaterThan(1_000_000);
  });

  it("the leader rejoins when a partition's replica racks change (KAFKA-14867)", () => {
    // orders-0 moves from brokers 3, 5 (racks b, c) to 1, 3 (a, b); the leader learns it at its next metadata refresh.
    const text = readFileSync('scenarios/rack-aware-assignment.yaml', 'utf8')
      .replaceAll('client.rack:', 'metadata.max.age.ms: 5000, client.rack:')
      .replace('expect:', 'faults:\n  - { at: 8s, reassign: { orders-0: [1, 3] } }\nexpect:');
    const sink = new ArraySink();
    createSimulation(parseScenario(text, 'moved.yaml'), { sinks: [sink] }).run();
    const reasons = sink.events.filter((e) => e.type === 'group' && e.state === 'PreparingRebalance').map((e) => (e as { reason: string }).reason);
    expect(reasons.some((r) => r.includes('other replica racks for orders'))).toBe(true);
  });
});
