/**
 * A 2 s cut between a producer and its partition leader during steady production (2,000 records/s,
 * acks=all, enable.idempotence=false, 3 brokers, RF 3): TCP holds the produce requests on the cut
 * connection and delivers them in order once the link heals, so by 40 s the records sent during the cut
 * are delayed, but none is reordered, duplicated or lost, and acknowledgements resume at the first
 * retransmission after the heal (not after request.timeout.ms).
 */
import { describe, expect, it } from 'vitest';
import { nextRetransmitUs } from '../../../sim/resources/network.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { ArraySink, type TraceEvent } from '../../../sim/trace/index.js';

const CUT_US = 10_000_000;
const HEAL_US = 12_000_000;

const scenario = parseScenario(
  `
name: link-cut
duration: 40s
cluster: { brokers: 3 }
topics: [{ name: orders, partitions: 1, replication.factor: 3 }]
producers:
  - name: p1
    topic: orders
    rate: 2000/s
    recordSize: 200B
    config: { acks: all, enable.idempotence: false }
consumers: [{ name: c1, topic: orders, from: earliest }]
faults:
  - { at: 10s, partition: { between: [producer p1, leader of orders-0] } }
  - { at: 12s, heal: all }
`,
  'link-cut.yaml',
);

type Ev<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

describe('a 2 s link cut between a producer and its leader (issue 10)', () => {
  const sink = new ArraySink();
  const sim = createSimulation(scenario, { seed: 1, sinks: [sink] });
  sim.run();
  const summary = sim.summary();
  const events = sink.events;
  const of = <T extends TraceEvent['type']>(type: T) => events.filter((e): e is Ev<T> => e.type === type);

  it('delays records but reorders, duplicates and loses none', () => {
    expect(summary.records.sent).toBe(80_000);
    // Only the last few records, still in flight at the end of the run, are not acknowledged.
    expect(summary.records.acked).toBeGreaterThan(79_900);
    expect(summary.records).toMatchObject({ failed: 0, lostAcked: 0, duplicated: 0, reordered: 0 });
    expect(summary.violations).toEqual([]);
    expect(of('retry')).toEqual([]);
    // Records sent during the cut waited for it: the slowest about the cut plus the retransmission wait.
    expect(summary.latencyMs.produce.max).toBeGreaterThan(2000);
    expect(summary.latencyMs.produce.max).toBeLessThan(3500);
  });

  it('holds the requests sent during the cut and retransmits them, in order, at the first retransmission after the heal', () => {
    const produce = of('msg').filter((m) => m.kind === 'Produce' && m.from === 'p:p1');
    const heldIds = new Set(of('held').map((h) => h.id));
    const heldProduce = produce.filter((m) => heldIds.has(m.id));
    expect(heldProduce.length).toBeGreaterThan(0);
    const resent = of('resend').filter((r) => r.kind === 'Produce');
    expect(resent.map((r) => r.id)).toEqual(heldProduce.map((m) => m.id));
    const firstHeld = heldProduce[0]!;
    const expected = nextRetransmitUs(firstHeld.t, HEAL_US);
    for (const r of resent) expect(r.t).toBe(expected);
    // The first held request left at about 10 s: retransmissions 0.2, 0.6, 1.4 s later (link cut), then 3 s later.
    expect(firstHeld.t - CUT_US).toBeLessThan(10_000);
    expect(expected - firstHeld.t).toBe(3_000_000);
    expect(of('drop')).toEqual([]);
  });

  it('acknowledges again right after the heal, not after request.timeout.ms', () => {
    const acks = of('ack').filter((a) => a.error === 'NONE');
    const during = acks.filter((a) => a.t > CUT_US + 10_000 && a.t < HEAL_US);
    expect(during).toEqual([]);
    const firstAfter = acks.find((a) => a.t >= HEAL_US)!;
    // The held requests go out at TCP's next retransmission (at most about the cut's length after it).
    expect(firstAfter.t - HEAL_US).toBeLessThan(1_500_000);
    expect(acks.at(-1)!.t).toBeGreaterThan(39_000_000);
  });
});
