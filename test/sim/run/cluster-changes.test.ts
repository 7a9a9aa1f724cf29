/**
 * The cluster-side faults of issue 13: createPartitions (Admin CreatePartitions), addBroker, reassign
 * (KIP-455 partition reassignment with a replication throttle) and unregisterBroker, on small runs read
 * from their traces, plus the pure parts of the controller's reassignment state machine.
 */
import { describe, expect, it } from 'vitest';
import { completeReassignment, reassignmentReplicas } from '../../../sim/kafka/controller/replication-control.js';
import { partitionForKey } from '../../../sim/kafka/clients/partitioner.js';
import { ReplicationQuota } from '../../../sim/kafka/broker/replication-quota.js';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { ArraySink, type TraceEvent } from '../../../sim/trace/index.js';

type Ev<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

function run(yaml: string) {
  const sink = new ArraySink();
  const sim = createSimulation(parseScenario(yaml, 'x.yaml'), { sinks: [sink] });
  sim.run();
  const of = <T extends TraceEvent['type']>(type: T) => sink.events.filter((e): e is Ev<T> => e.type === type);
  return { sim, of, summary: sim.summary() };
}

const SMALL = (faults: string, duration = '30s') => `
name: x
duration: ${duration}
cluster: { brokers: 3, config: { min.insync.replicas: 2 } }
topics: [{ name: t, partitions: 3, replication.factor: 3 }]
producers: [{ name: p1, topic: t, rate: 300/s, recordSize: 1KB, keys: { uniform: 500 }, config: { acks: all, metadata.max.age.ms: 1000 } }]
consumers: [{ name: c1, topic: t, from: earliest }]
faults:
${faults}`;

describe('PartitionReassignmentReplicas', () => {
  it('is the target followed by the replicas to remove; adding and removing ascending', () => {
    expect(reassignmentReplicas([1, 2, 3], [4, 2, 3])).toEqual({ replicas: [4, 2, 3, 1], adding: [4], removing: [1] });
    expect(reassignmentReplicas([3, 1, 2], [5, 4, 1])).toEqual({ replicas: [5, 4, 1, 2, 3], adding: [4, 5], removing: [2, 3] });
  });

  it('completes only once every target replica is in the ISR, taking the removing ones out of both', () => {
    const r = reassignmentReplicas([1, 2, 3], [4, 2, 3]);
    expect(completeReassignment(r, [1, 2, 3])).toBeNull();
    expect(completeReassignment(r, [1, 2, 3, 4])).toEqual({ replicas: [4, 2, 3], isr: [2, 3, 4] });
    expect(completeReassignment({ replicas: [1, 2], adding: [], removing: [] }, [1, 2])).toBeNull();
    // An ISR of only removing replicas does not complete (maybeCompleteReassignment's empty checks).
    expect(completeReassignment(reassignmentReplicas([1], [2]), [1])).toBeNull();
  });
});

describe('ReplicationQuota (leader.replication.throttled.rate)', () => {
  it('lets a fetch through while under the rate, then holds the average to it', () => {
    const q = new ReplicationQuota();
    expect(q.exceeded(0, 1000)).toBe(false);
    q.record(0, 1000, 3000);
    expect(q.exceeded(1_000_000, 1000)).toBe(true); // 1000 - 3000 + 1000 < 0
    expect(q.exceeded(2_000_000, 1000)).toBe(false); // back to 0: not exceeded
    q.record(2_000_000, 1000, 500);
    expect(q.exceeded(2_400_000, 1000)).toBe(true);
    expect(q.exceeded(2_500_000, 1000)).toBe(false);
  });
});

describe('createPartitions', () => {
  const { sim, of, summary } = run(SMALL('  - { at: 10s, createPartitions: t, increaseTo: 5 }'));
  const added = of('partitions')[0]!;

  it('adds partitions with the topic replication factor, placed over the brokers, led by their first replica', () => {
    expect(added).toMatchObject({ t: 10_000_000, topic: 't', partitions: 5 });
    expect(added.replicas).toHaveLength(2);
    for (const r of added.replicas) expect([...r].sort()).toEqual([1, 2, 3]);
    // StripedReplicaPlacer: consecutive partitions start on different brokers.
    expect(added.replicas[0]![0]).not.toBe(added.replicas[1]![0]);
    const p = sim.controller.image.partitions['t-3']!;
    expect(p).toMatchObject({ leader: added.replicas[0]![0], leaderEpoch: 0, isr: added.replicas[0] });
    expect(sim.controller.image.topics.t!.partitions).toBe(5);
  });

  it('the producer learns the new count from metadata and keys move: as many as murmur2 % 5 says', () => {
    const remap = of('keysRemapped')[0]!;
    expect(remap.t).toBeGreaterThan(added.t);
    expect(remap.t - added.t).toBeLessThanOrEqual(1_100_000); // metadata.max.age.ms 1000
    let moved = 0;
    for (let k = 0; k < 500; k++) if (partitionForKey(`key-${k}`, 3) !== partitionForKey(`key-${k}`, 5)) moved++;
    // Every key was used by 10 s (3,000 records over 500 keys, drawn uniformly).
    expect(remap).toMatchObject({ producer: 'p1', topic: 't', partitions: 5, keysMoved: moved });
    expect(summary.cluster?.keysMoved).toBe(moved);
  });

  it('records reach the new partitions, and their leaders replicate them; nothing acknowledged is lost', () => {
    const appended = new Set(of('append').map((e) => e.tp));
    expect(appended.has('t-3') && appended.has('t-4')).toBe(true);
    expect(summary.records.lostAcked).toBe(0);
    expect(summary.violations).toEqual([]);
    // The consumer assigned t-0..t-2 by hand keeps its assignment.
    expect(new Set(of('consume').map((e) => e.tp))).toEqual(new Set(['t-0', 't-1', 't-2']));
  });

  it.each([
    ['  - { at: 1s, createPartitions: t, increaseTo: 3 }', 'INVALID_PARTITIONS: Topic already has 3 partition(s).'],
    ['  - { at: 1s, createPartitions: t, increaseTo: 2 }', 'INVALID_PARTITIONS: The topic t currently has 3 partition(s); 2 would not be an increase.'],
  ])('rejects %s as Kafka does', (fault, rejected) => {
    expect(run(SMALL(fault)).of('fault')[0]!.rejected).toBe(rejected);
  });
});

describe('addBroker and reassign', () => {
  const faults = (throttle: string) => `  - { at: 5s, addBroker: 4 }\n  - { at: 20s, reassign: { t-0: [4, 2, 3] }${throttle} }`;
  const fast = run(SMALL(faults(''), '40s'));
  const slow = run(SMALL(faults(', throttle: 200KB/s'), '40s'));

  it('a new broker registers, is unfenced once caught up, and hosts nothing before the reassignment', () => {
    expect(fast.of('broker').find((e) => e.broker === 4)).toMatchObject({ t: 5_000_000, state: 'running' });
    const unfence = fast.of('fence').find((e) => e.broker === 4)!;
    expect(unfence).toMatchObject({ fenced: false, reason: 'caughtUp' });
    expect(unfence.t - 5_000_000).toBeLessThan(100_000);
    expect(fast.of('append').filter((e) => e.broker === 4 && e.t < 10_000_000)).toEqual([]);
  });

  it('starts with adding and removing, catches up, then completes: leader to the first target in the ISR, epoch bumped', () => {
    const [start, done] = fast.of('reassign');
    expect(start).toMatchObject({ tp: 't-0', phase: 'start', replicas: [4, 2, 3, 1], adding: [4], removing: [1] });
    expect(done).toMatchObject({ tp: 't-0', phase: 'complete', replicas: [4, 2, 3], adding: [4], removing: [1] });
    const move = fast.of('election').find((e) => e.tp === 't-0')!;
    expect(move).toMatchObject({ t: done!.t, leader: 4, prevLeader: 1, epoch: 1, reason: 'reassignment', isr: [2, 3, 4] });
    const p = fast.sim.controller.image.partitions['t-0']!;
    expect(p).toMatchObject({ replicas: [4, 2, 3], addingReplicas: [], removingReplicas: [], leader: 4 });
    // The removed replica stopped and deleted its log; the new one holds every acknowledged record.
    expect(fast.sim.brokers.get(1)!.logs.has('t-0')).toBe(false);
    expect(fast.summary.records.lostAcked).toBe(0);
    expect(fast.summary.violations).toEqual([]);
  });

  it('the throttle holds the copy to the rate, after one fetch of replica.fetch.max.bytes: 2 MB behind, 100 KB/s more, 200 KB/s allowed', () => {
    const took = (r: typeof fast) => r.of('reassign')[1]!.t - r.of('reassign')[0]!.t;
    expect(took(fast)).toBeLessThan(50_000);
    const start = slow.of('reassign')[0]!.t;
    const copied = slow.of('append').filter((e) => e.broker === 4 && e.tp === 't-0' && e.t <= start + took(slow));
    const bytes = copied.reduce((n, e) => n + e.bytes, 0);
    expect(bytes).toBeGreaterThan(2_900_000);
    expect(took(slow)).toBeGreaterThan(8_000_000);
    // The leader sent at most one fetch's 1 MB burst, the bucket's 200 KB, and 200 KB/s.
    expect(bytes).toBeLessThanOrEqual(1_048_576 + 200_000 + 200_000 * (took(slow) / 1e6) + 20_000);
    expect(slow.summary.cluster).toMatchObject({ reassignmentsCompleted: 1 });
    expect(slow.summary.violations).toEqual([]);
  });

  it('rejects a target with an unregistered broker, and a partition already being reassigned', () => {
    const r = run(
      SMALL(
        '  - { at: 5s, addBroker: 4 }\n  - { at: 5s, reassign: { t-0: [4, 2, 3] } }\n  - { at: 6s, reassign: { t-1: [1, 2, 3, 4] }, throttle: 1KB/s }\n  - { at: 6s, reassign: { t-1: [1, 2, 4] } }',
      ),
    );
    const [, early, , again] = r.of('fault');
    expect(early!.rejected).toBe('INVALID_REPLICA_ASSIGNMENT for t-0: The manual partition assignment includes broker 4, but no such broker is registered.');
    expect(again!.rejected).toBe('t-1 is already being reassigned (not modelled: changing a reassignment in progress)');
  });
});

describe('removing a broker: reassign off it, shut it down, unregister it', () => {
  const moves = '{ t-0: [4, 2, 3], t-1: [2, 4, 3], t-2: [3, 2, 4] }';
  const { sim, of, summary } = run(
    SMALL(`  - { at: 2s, addBroker: 4 }\n  - { at: 5s, reassign: ${moves} }\n  - { at: 15s, shutdown: broker 1 }\n  - { at: 20s, unregisterBroker: 1 }\n  - { at: 21s, unregisterBroker: 1 }`),
  );

  it('leaves broker 1 with nothing, and the controller without its registration', () => {
    expect(of('reassign').filter((e) => e.phase === 'complete')).toHaveLength(3);
    for (const p of Object.values(sim.controller.image.partitions)) expect(p.replicas).not.toContain(1);
    expect(sim.controller.image.brokers[1]).toBeUndefined();
    expect(of('fence').find((e) => e.reason === 'unregistered')).toMatchObject({ t: 20_000_000, broker: 1, fenced: true });
    expect(of('fault').at(-1)!.rejected).toBe('BROKER_ID_NOT_REGISTERED: Broker ID 1 is not currently registered');
    expect(summary.records.failed).toBe(0);
    expect(summary.records.lostAcked).toBe(0);
    expect(summary.violations).toEqual([]);
  });
});

describe('the cluster faults in a scenario file', () => {
  it.each([
    ['  - { at: 1s, createPartitions: t }', 'faults[0]: createPartitions needs increaseTo'],
    ['  - { at: 1s, createPartitions: nope, increaseTo: 4 }', 'faults[0].createPartitions: no such topic (got "nope"); expected one of t'],
    ['  - { at: 1s, crash: broker 1, increaseTo: 4 }', 'faults[0].increaseTo: increaseTo applies to createPartitions only (got 4)'],
    ['  - { at: 1s, addBroker: 2 }', 'faults[0].addBroker: broker 2 is already in the cluster (got 2); expected a new broker id'],
    ['  - { at: 1s, unregisterBroker: 7 }', 'faults[0].unregisterBroker: no broker 7 (got 7); expected one of the brokers 1, 2, 3'],
    ['  - { at: 1s, reassign: { t-0: [1, 2, 4] } }', 'faults[0].reassign.t-0: no broker 4'],
    ['  - { at: 1s, reassign: { u-0: [1, 2, 3] } }', 'faults[0].reassign.u-0: no such partition (got "u-0")'],
    ['  - { at: 1s, crash: broker 1, throttle: 1MB/s }', 'faults[0].throttle: throttle applies to reassign only'],
    ['  - { at: 1s, createPartitions: t, increaseTo: 4, as: x }', 'faults[0].as: as: names a node a fault acts on, and createPartitions is an admin request (got "x")'],
  ])('rejects %s with a one-line error', (fault, message) => {
    expect(() => parseScenario(SMALL(fault), 'x.yaml')).toThrow(message);
  });

  it('lets later faults name an added broker and added partitions', () => {
    const s = parseScenario(
      SMALL(
        '  - { at: 1s, addBroker: 4 }\n  - { at: 2s, createPartitions: t, increaseTo: 4 }\n  - { at: 3s, reassign: { t-3: [4, 1, 2] } }\n  - { at: 4s, electLeaders: preferred, for: t-3 }\n  - { at: 5s, crash: broker 4 }',
      ),
      'x.yaml',
    );
    expect(s.faults.map((f) => f.text)).toEqual(['add broker 4', 'create partitions of t: increase to 4', 'reassign t-3 → [4,1,2]', 'elect preferred leader of t-3', 'crash broker 4']);
  });
});
