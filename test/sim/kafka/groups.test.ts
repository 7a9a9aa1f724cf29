/**
 * Consumer groups end to end (classic protocol): the coordinator's partition, joins and generations,
 * session and poll timeouts, eager and cooperative revocation, static membership, commits and the records
 * a group receives again, coordinator failover. Small scenarios, each well under a second or two.
 */
import { describe, expect, it } from 'vitest';
import { offsetsPartitionFor } from '../../../sim/kafka/group/messages.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { parseScenario, ScenarioError } from '../../../sim/scenario/parse.js';
import { ArraySink, type TraceEvent } from '../../../sim/trace/index.js';

type Ev<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

function run(yaml: string) {
  const sink = new ArraySink();
  const sim = createSimulation(parseScenario(yaml, 'groups.yaml'), { sinks: [sink] });
  sim.run();
  const summary = sim.summary();
  const of = <T extends TraceEvent['type']>(type: T) => sink.events.filter((e): e is Ev<T> => e.type === type);
  return { summary, of };
}

/** Three brokers, 6 partitions at 600 records/s, consumers and faults as given. */
const cluster = (consumers: string, faults = '[]', duration = '40s', cfg = '{}') => `
name: groups
duration: ${duration}
cluster: { brokers: 3, config: ${cfg} }
topics: [{ name: orders, partitions: 6, replication.factor: 3 }]
producers: [{ name: p1, topic: orders, rate: 600/s, keys: { uniform: 1000 } }]
consumers:
${consumers}
faults: ${faults}
`;

const member = (name: string, config: string, extra = '') => `  - { name: ${name}, topic: orders, ${extra} config: { group.id: g, auto.offset.reset: earliest, ${config} } }`;

describe('the group coordinator', () => {
  it("is the leader of __consumer_offsets partition abs(group.id.hashCode()) % offsets.topic.num.partitions, as Kafka's partitionFor", () => {
    // Java: "billing".hashCode() is -109829509; Utils.abs gives 109829509 (Math.abs, but 0 for
    // Integer.MIN_VALUE), then % 50 is 9. "shop" is 3529462 % 50 = 12.
    expect(offsetsPartitionFor('billing', 50)).toBe(9);
    expect(offsetsPartitionFor('shop', 50)).toBe(12);
    // "polygenelubricants".hashCode() is Integer.MIN_VALUE: Utils.abs makes it 0.
    expect(offsetsPartitionFor('polygenelubricants', 50)).toBe(0);
    const r = run(cluster(member('c', ''), '[]', '10s'));
    const g = r.of('group');
    expect(g.length).toBeGreaterThan(0);
    const tp = `__consumer_offsets-${offsetsPartitionFor('g', 50)}`;
    const header = r.of('header')[0]!;
    const offsets = header.topics.find((t) => t.name === '__consumer_offsets')!;
    expect(offsets.partitions).toBe(50);
    expect(g[0]!.coordinator).toBe(offsets.replicas[Number(tp.split('-').pop())]![0]);
  });

  it('makes a new dynamic member join twice (MEMBER_ID_REQUIRED), waits group.initial.rebalance.delay.ms, extended once per arrival window', () => {
    const r = run(cluster([member('a', ''), member('b', '')].join('\n'), '[]', '10s'));
    const joins = r.of('msg').filter((m) => m.kind === 'JoinGroup' && m.from === 'c:a');
    expect(joins.length).toBe(2);
    const stable = r.of('group').find((e) => e.state === 'Stable')!;
    // Both joined within the first 3 s delay: InitialDelayedJoin waits one more delay (3 s + 3 s).
    expect(stable.generation).toBe(1);
    expect(stable.t).toBeGreaterThan(6_000_000);
    expect(stable.t).toBeLessThan(6_100_000);
    expect(stable.members.sort()).toEqual(['a', 'b']);
    expect(stable.protocol).toBe('range');
    const owned = r.of('assignment').flatMap((a) => a.added);
    expect(owned.sort()).toEqual(['orders-0', 'orders-1', 'orders-2', 'orders-3', 'orders-4', 'orders-5']);
  });

  it('a static member (group.instance.id) joins without MEMBER_ID_REQUIRED', () => {
    const r = run(cluster(member('a', 'group.instance.id: host-a'), '[]', '8s'));
    expect(r.of('msg').filter((m) => m.kind === 'JoinGroup' && m.from === 'c:a').length).toBe(1);
  });
});

describe('rebalances', () => {
  it('removes a crashed member after session.timeout.ms; the next owner starts at its last committed offset and reads the rest again', () => {
    const r = run(cluster([member('a', 'session.timeout.ms: 10s'), member('b', 'session.timeout.ms: 10s')].join('\n'), '[{ at: 15s, crash: consumer a }]'));
    const removed = r.of('group').find((e) => /was removed/.test(e.reason))!;
    expect(removed.reason).toMatch(/^preparing to rebalance: member a \(a-[0-9a-f]+\) was removed: no heartbeat for session\.timeout\.ms \(10000 ms\)$/);
    // Its last heartbeat was within heartbeat.interval.ms (3 s) before the crash.
    expect(removed.t).toBeGreaterThan(22_000_000);
    expect(removed.t).toBeLessThanOrEqual(25_000_000);
    const lastCommit = new Map<string, number>();
    for (const c of r.of('commit').filter((c) => c.consumer === 'a' && c.error === 'NONE')) for (const o of c.offsets) lastCommit.set(o.tp, o.offset);
    expect(r.summary.redelivered.length).toBeGreaterThan(0);
    for (const d of r.summary.redelivered) {
      expect(d.reader).toBe('group g');
      expect(d.consumers).toEqual(['b']);
      expect(d.offsets).toBe(`offsets ${lastCommit.get(d.partition)}..${/\.\.(\d+)/.exec(d.offsets)![1]}`);
    }
    expect(r.summary.records.redelivered).toBe(r.summary.redelivered.reduce((n, d) => n + d.records, 0));
    expect(r.summary.records.skipped).toBe(0);
    expect(r.summary.groups[0]!.removed).toBe(1);
  });

  it('eager (range): every member revokes everything before rejoining; cooperative-sticky revokes only what moves, then rejoins', () => {
    const late = (strategy: string) =>
      cluster(
        [
          member('a', `partition.assignment.strategy: ${strategy}`),
          member('b', `partition.assignment.strategy: ${strategy}`),
          member('c', `partition.assignment.strategy: ${strategy}`, 'start: 15s,'),
        ].join('\n'),
      );
    const eager = run(late('range'));
    const revokedAll = eager.of('assignment').filter((a) => a.t > 15_000_000 && a.revoked.length > 0);
    expect(revokedAll.map((a) => a.consumer).sort()).toEqual(['a', 'b']);
    for (const a of revokedAll) expect(a.partitions).toEqual([]);
    const coop = run(late('cooperative-sticky'));
    const moved = coop.of('assignment').filter((a) => a.t > 15_000_000 && a.revoked.length > 0);
    expect(moved.length).toBeGreaterThan(0);
    for (const a of moved) {
      expect(a.revoked.length).toBe(1);
      expect(a.partitions.length).toBe(2);
    }
    // The moved partitions go to c in the follow-up rebalance: one more generation than eager.
    expect(coop.summary.groups[0]!.generation).toBe(eager.summary.groups[0]!.generation + 1);
    expect(coop.summary.groups[0]!.pausedPartitionSeconds).toBeLessThan(eager.summary.groups[0]!.pausedPartitionSeconds + 10);
  });

  it('a static member back within session.timeout.ms keeps its partitions with no rebalance', () => {
    const cfg = (id: string) => `group.instance.id: ${id}, session.timeout.ms: 30s`;
    const r = run(cluster([member('a', cfg('host-a')), member('b', cfg('host-b'))].join('\n'), '[{ at: 10s, crash: consumer a }, { at: 20s, restart: consumer a }]'));
    const g = r.summary.groups[0]!;
    expect(g.rebalances).toBe(1);
    expect(g.generation).toBe(1);
    expect(r.of('group').some((e) => /static member host-a \(a\) rejoined with a new member id: it keeps its partitions, no rebalance/.test(e.reason))).toBe(true);
    const before = r.of('assignment').find((a) => a.consumer === 'a')!.partitions;
    const after = r.of('assignment').filter((a) => a.consumer === 'a' && a.t > 20_000_000);
    expect(after.at(-1)!.partitions).toEqual(before);
  });

  it('past max.poll.interval.ms the member leaves the group; its commitSync after the batch fails with CommitFailedException', () => {
    const slow = `  - { name: slow, topic: orders, processing: 50ms, commit: afterProcessing, config: { group.id: g, auto.offset.reset: earliest, enable.auto.commit: false, max.poll.interval.ms: 10s } }`;
    const r = run(cluster(slow, '[]', '70s'));
    const left = r.of('group').find((e) => /left the group: consumer poll timeout has expired/.test(e.reason));
    expect(left).toBeDefined();
    expect(r.of('commit').some((c) => c.consumer === 'slow' && c.kind === 'sync' && c.error === 'CommitFailedException')).toBe(true);
    // Its partitions were lost (no commit) and it joins again as a new member.
    expect(r.of('assignment').some((a) => a.consumer === 'slow' && a.lost.length === 6)).toBe(true);
    const ids = new Set(
      r
        .of('assignment')
        .map((a) => a.memberId)
        .filter((id) => id !== ''),
    );
    expect(ids.size).toBeGreaterThanOrEqual(2);
  });
});

describe('coordinator failover', () => {
  it("moves the group to the partition's new leader, which loads the committed offsets from its own log; members keep their generation", () => {
    const r = run(cluster([member('a', ''), member('b', '')].join('\n'), '[{ at: 12s, crash: coordinator of group g }]', '30s'));
    const [first, second] = [r.of('group')[0]!.coordinator, r.of('coordinator').find((c) => c.loaded && c.t > 12_000_000)!];
    expect(second.broker).not.toBe(first);
    expect(second.offsets).toBe(6);
    const g = r.summary.groups[0]!;
    expect(g.coordinator).toBe(second.broker);
    expect(g.generation).toBe(1);
    expect(g.rebalances).toBe(1);
    expect(r.summary.records.redelivered).toBe(0);
    // Commits succeed again at the new coordinator.
    expect(r.of('commit').some((c) => c.t > second.t && c.error === 'NONE')).toBe(true);
  });
});

describe('scenario validation', () => {
  const bad = (yaml: string) => {
    try {
      parseScenario(yaml, 'bad.yaml');
    } catch (e) {
      if (e instanceof ScenarioError) return e.message;
      throw e;
    }
    throw new Error('accepted');
  };

  it('rejects partitions or from on a group member, commits without a group, an unknown assignor', () => {
    expect(bad(cluster(member('a', '', 'partitions: [0],'), '[]', '5s'))).toMatch(/consumers\[0\]\.partitions.*a group member is assigned its partitions by the group/s);
    expect(bad(cluster(member('a', '', 'from: latest,'), '[]', '5s'))).toMatch(/consumers\[0\]\.from.*auto\.offset\.reset/s);
    expect(bad(cluster('  - { name: a, topic: orders, commit: afterProcessing }', '[]', '5s'))).toMatch(/consumers\[0\]\.commit.*commits go to a group/s);
    expect(bad(cluster(member('a', 'partition.assignment.strategy: fair'), '[]', '5s'))).toMatch(/partition\.assignment\.strategy.*unknown assignor.*fair/s);
    expect(bad(cluster(member('a', '', 'workers: 4,'), '[]', '5s'))).toMatch(/consumers\[0\]\.workers.*workers need processing time per record/s);
    expect(bad(cluster(member('a', '', 'workers: 4, processing: 1ms, commit: afterProcessing,'), '[]', '5s'))).toMatch(
      /consumers\[0\]\.commit.*with workers the poller does not know when a record is done/s,
    );
  });

  it("rejects group features the scenario's Kafka version did not have", () => {
    const old = (config: string) => cluster(member('a', config), '[]', '5s').replace('cluster: { brokers: 3,', 'cluster: { brokers: 3, kafkaVersion: "0.10",');
    expect(bad(old('partition.assignment.strategy: cooperative-sticky'))).toMatch(/partition\.assignment\.strategy.*cooperative rebalancing \(KIP-429\) arrived in Kafka 2\.4; kafkaVersion is 0\.10/s);
    expect(bad(old('partition.assignment.strategy: sticky'))).toMatch(/the sticky assignor \(KIP-54\) arrived in Kafka 0\.11/);
    expect(bad(old('group.instance.id: host-a'))).toMatch(/group\.instance\.id.*static membership \(KIP-345\) arrived in Kafka 2\.3/s);
    expect(() => parseScenario(old(''), 'ok.yaml')).not.toThrow();
  });

  it('rejects an offsets topic that cannot be created, and targets and expectations of unknown groups', () => {
    expect(bad(cluster(member('a', ''), '[]', '5s', '{ offsets.topic.replication.factor: 4 }'))).toMatch(/Number of alive brokers '3' does not meet the required replication factor '4'/);
    expect(bad(cluster(member('a', ''), '[{ at: 1s, crash: coordinator of group other }]', '5s'))).toMatch(/no consumer has group\.id "other"/);
    expect(bad(`${cluster(member('a', ''), '[]', '5s')}expect: { groups: { other: { rebalances: 1 } } }\n`)).toMatch(/expect\.groups\.other.*no consumer has this group\.id/s);
  });
});
