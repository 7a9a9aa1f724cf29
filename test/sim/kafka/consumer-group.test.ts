/**
 * KIP-848's consumer group protocol (group.protocol=consumer): the reconciliation state machine
 * (CurrentAssignmentBuilder), the coordinator's heartbeat handling driven directly (epochs, fencing,
 * static members, the rebalance timeout, reloading from the records), and small end-to-end runs.
 */
import { describe, expect, it } from 'vitest';
import type { BrokerContext } from '../../../sim/kafka/broker/context.js';
import { ConsumerGroupCoordinator } from '../../../sim/kafka/group/consumer-coordinator.js';
import { ConsumerGroup, type ConsumerMember, type MemberAssignmentState, reconcile } from '../../../sim/kafka/group/consumer-group.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse, CoordinatorConfig } from '../../../sim/kafka/group/messages.js';
import { type GroupRecord, GroupRecordValues } from '../../../sim/kafka/group/records.js';
import { formatGroup } from '../../../sim/report/groups.js';
import type { Envelope } from '../../../sim/resources/network.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { parseScenario, ScenarioError } from '../../../sim/scenario/parse.js';
import { ArraySink, type TraceEvent } from '../../../sim/trace/index.js';

const free = () => -1;
const stable = (epoch: number, assigned: string[]): MemberAssignmentState => ({ memberEpoch: epoch, previousMemberEpoch: epoch - 1, state: 'STABLE', assigned, pendingRevocation: [] });

describe('reconciliation (CurrentAssignmentBuilder)', () => {
  it('a member at the target epoch is left alone', () => {
    const m = stable(3, ['t-0']);
    expect(reconcile(m, 3, ['t-0', 't-1'], free, null)).toBe(m);
  });

  it('revokes before it gets anything: UNREVOKED_PARTITIONS at the same epoch, then the new epoch once the heartbeat no longer lists them', () => {
    const m = stable(3, ['t-0', 't-1']);
    const a = reconcile(m, 4, ['t-0', 't-2'], free, ['t-0', 't-1']);
    expect(a).toEqual({ memberEpoch: 3, previousMemberEpoch: 3, state: 'UNREVOKED_PARTITIONS', assigned: ['t-0'], pendingRevocation: ['t-1'] });
    // Still owned (or not said): no progress.
    expect(reconcile(a, 4, ['t-0', 't-2'], free, ['t-0', 't-1'])).toBe(a);
    expect(reconcile(a, 4, ['t-0', 't-2'], free, null)).toBe(a);
    // Revoked: the target epoch, with the free partition.
    expect(reconcile(a, 4, ['t-0', 't-2'], free, ['t-0'])).toEqual({ memberEpoch: 4, previousMemberEpoch: 3, state: 'STABLE', assigned: ['t-0', 't-2'], pendingRevocation: [] });
  });

  it('a partition still held by another member epoch is unreleased: the member waits for it in UNRELEASED_PARTITIONS', () => {
    const held = new Map([['t-1', 2]]);
    const epochOf = (tp: string) => held.get(tp) ?? -1;
    const a = reconcile(stable(3, ['t-0']), 4, ['t-0', 't-1', 't-2'], epochOf, ['t-0']);
    expect(a).toEqual({ memberEpoch: 4, previousMemberEpoch: 3, state: 'UNRELEASED_PARTITIONS', assigned: ['t-0', 't-2'], pendingRevocation: [] });
    expect(reconcile(a, 4, ['t-0', 't-1', 't-2'], epochOf, null)).toEqual({ ...a, previousMemberEpoch: 4 });
    held.delete('t-1');
    expect(reconcile(a, 4, ['t-0', 't-1', 't-2'], epochOf, null)).toMatchObject({ memberEpoch: 4, state: 'STABLE', assigned: ['t-0', 't-2', 't-1'] });
  });

  it('revocation already done (not in the owned list) goes straight to the new epoch', () => {
    expect(reconcile(stable(3, ['t-0', 't-1']), 4, ['t-1'], free, ['t-1'])).toMatchObject({ memberEpoch: 4, state: 'STABLE', assigned: ['t-1'] });
  });

  it('the group tracks which member epoch holds each partition, and its state (ConsumerGroup.maybeUpdateGroupState)', () => {
    const g = new ConsumerGroup('g');
    expect(g.state()).toBe('Empty');
    const m: ConsumerMember = { ...stable(1, ['t-0']), memberId: 'a', clientId: 'a', rebalanceTimeoutMs: 1000, topics: ['t'], expiresUs: 0, rebalanceTimer: 0 };
    g.groupEpoch = 1;
    g.put(m);
    expect(g.state()).toBe('Assigning');
    g.assignmentEpoch = 1;
    expect(g.state()).toBe('Stable');
    expect(g.partitionEpoch('t-0')).toBe(1);
    g.put({ ...m, state: 'UNREVOKED_PARTITIONS', assigned: [], pendingRevocation: ['t-0'] });
    expect(g.state()).toBe('Reconciling');
    expect(g.partitionEpoch('t-0')).toBe(1);
    g.remove('a');
    expect(g.partitionEpoch('t-0')).toBe(-1);
  });
});

/** A coordinator driven by hand: heartbeats in, responses and records out, timers fired by `advance`. */
function harness(cfg: Partial<CoordinatorConfig> = {}) {
  let now = 0;
  const timers: Array<{ at: number; fn: () => void }> = [];
  const replies: ConsumerGroupHeartbeatResponse[] = [];
  const written: GroupRecord[] = [];
  const events: TraceEvent[] = [];
  const b = {
    id: 1,
    kernel: {
      get now() {
        return now;
      },
    },
    image: { topics: { t: { partitions: 4 } } },
    timer: (d: number, fn: () => void) => timers.push({ at: now + d, fn }),
    timerAt: (at: number, fn: () => void) => timers.push({ at, fn }),
    net: { reply: (_env: unknown, _kind: string, _bytes: number, r: ConsumerGroupHeartbeatResponse) => replies.push(r) },
    trace: { emit: (e: TraceEvent) => events.push(e) },
  } as unknown as BrokerContext;
  const config: CoordinatorConfig = {
    offsetsPartitions: 50,
    initialRebalanceDelayMs: 3000,
    minSessionTimeoutMs: 6000,
    maxSessionTimeoutMs: 1800000,
    commitTimeoutMs: 5000,
    consumerSessionTimeoutMs: 45000,
    consumerHeartbeatIntervalMs: 5000,
    consumerMaxSize: 100,
    consumerAssignors: ['uniform', 'range'],
    ...cfg,
  };
  const coordinator = new ConsumerGroupCoordinator({
    b,
    values: new GroupRecordValues(),
    cfg: config,
    owns: () => true,
    partitionOf: () => '__consumer_offsets-0',
    created: () => {},
    append: (_tp, records, done) => {
      written.push(...records);
      done('NONE');
    },
  });
  let correlationId = 0;
  const hb = (r: Partial<ConsumerGroupHeartbeatRequest> & { memberEpoch: number }): ConsumerGroupHeartbeatResponse => {
    const payload: ConsumerGroupHeartbeatRequest = {
      correlationId: ++correlationId,
      group: 'g',
      memberId: '',
      clientId: 'c',
      rebalanceTimeoutMs: -1,
      subscribedTopicNames: null,
      serverAssignor: null,
      ownedPartitions: null,
      ...r,
    };
    coordinator.onHeartbeat({ payload } as Envelope<ConsumerGroupHeartbeatRequest>);
    return replies.at(-1)!;
  };
  const join = (clientId: string, instanceId?: string) =>
    hb({ memberEpoch: 0, clientId, rebalanceTimeoutMs: 10000, subscribedTopicNames: ['t'], ownedPartitions: [], ...(instanceId ? { instanceId } : {}) });
  const advance = (to: number) => {
    while (true) {
      timers.sort((x, y) => x.at - y.at);
      const next = timers[0];
      if (next === undefined || next.at > to) break;
      timers.shift();
      now = next.at;
      next.fn();
    }
    now = to;
  };
  return { coordinator, hb, join, advance, written, events, group: () => coordinator.get('g')! };
}

describe('the coordinator (consumerGroupHeartbeat)', () => {
  it('gives the first member everything; a second member gets its share only after the first revokes it', () => {
    const h = harness();
    const a = h.join('a');
    expect(a).toMatchObject({ error: 'NONE', memberEpoch: 1, heartbeatIntervalMs: 5000 });
    expect([...a.assignment!].sort()).toEqual(['t-0', 't-1', 't-2', 't-3']);
    const b = h.join('b');
    // Epoch 2's target gives b two partitions, but a still holds them: b is at epoch 2 with nothing yet.
    expect(b).toMatchObject({ memberEpoch: 2, assignment: [] });
    expect(h.group().members.get(b.memberId)!.state).toBe('UNRELEASED_PARTITIONS');
    // a's next heartbeat: revoke two (same epoch); a keeps reading the other two.
    const a2 = h.hb({ memberId: a.memberId, memberEpoch: 1, clientId: 'a' });
    expect(a2.memberEpoch).toBe(1);
    expect(a2.assignment!.length).toBe(2);
    expect(h.hb({ memberId: b.memberId, memberEpoch: 2, clientId: 'b' }).assignment).toBeNull();
    // a acknowledges (owns only its two): epoch 2. Then b gets the released ones.
    const a3 = h.hb({ memberId: a.memberId, memberEpoch: 1, clientId: 'a', ownedPartitions: a2.assignment! });
    expect(a3.memberEpoch).toBe(2);
    const b2 = h.hb({ memberId: b.memberId, memberEpoch: 2, clientId: 'b' });
    expect([...b2.assignment!, ...a2.assignment!].sort()).toEqual(['t-0', 't-1', 't-2', 't-3']);
    expect(h.group().state()).toBe('Stable');
    const states = h.events.flatMap((e) => (e.type === 'group' ? [e.state] : []));
    expect(states).toContain('Reconciling');
  });

  it('fences epochs it does not expect (FENCED_MEMBER_EPOCH) but accepts the previous epoch with owned partitions within the assignment; unknown ids get UNKNOWN_MEMBER_ID', () => {
    const h = harness();
    const a = h.join('a');
    const b = h.join('b');
    const a2 = h.hb({ memberId: a.memberId, memberEpoch: 1, clientId: 'a' });
    h.hb({ memberId: a.memberId, memberEpoch: 1, clientId: 'a', ownedPartitions: a2.assignment! });
    expect(h.hb({ memberId: a.memberId, memberEpoch: 5, clientId: 'a' }).error).toBe('FENCED_MEMBER_EPOCH');
    // The response with epoch 2 was lost: epoch 1 with a subset of the assignment is accepted.
    expect(h.hb({ memberId: a.memberId, memberEpoch: 1, clientId: 'a', ownedPartitions: a2.assignment! }).error).toBe('NONE');
    expect(h.hb({ memberId: a.memberId, memberEpoch: 1, clientId: 'a', ownedPartitions: ['t-0', 't-1', 't-2', 't-3'] }).error).toBe('FENCED_MEMBER_EPOCH');
    expect(h.hb({ memberId: 'nobody', memberEpoch: 3, clientId: 'x' }).error).toBe('UNKNOWN_MEMBER_ID');
    expect(b.error).toBe('NONE');
  });

  it('a member that does not revoke within its rebalance timeout is fenced; one without heartbeats for group.consumer.session.timeout.ms too', () => {
    const h = harness({ consumerSessionTimeoutMs: 30000 });
    const a = h.join('a');
    h.join('b');
    h.hb({ memberId: a.memberId, memberEpoch: 1, clientId: 'a' }); // asked to revoke: the 10 s rebalance timeout starts
    h.advance(9_000_000);
    expect(h.group().members.has(a.memberId)).toBe(true);
    h.advance(10_000_001);
    expect(h.group().members.has(a.memberId)).toBe(false);
    const reasons = h.events.flatMap((e) => (e.type === 'group' ? [e.reason] : []));
    expect(reasons.some((r) => /member a \(\S+\) was removed: it did not revoke its partitions within its rebalance timeout/.test(r))).toBe(true);
    // b heartbeats no more: fenced at 30 s after its last heartbeat.
    h.advance(40_000_000);
    expect(h.group().members.size).toBe(0);
    expect(h.group().state()).toBe('Empty');
  });

  it('a static member that left with epoch -2 comes back with a new member id and its partitions, without a new group epoch; one that did not leave gets UNRELEASED_INSTANCE_ID', () => {
    const h = harness();
    const a = h.join('a', 'host-a');
    const epoch = h.group().groupEpoch;
    expect(h.hb({ memberId: a.memberId, memberEpoch: -2, clientId: 'a', instanceId: 'host-a' }).memberEpoch).toBe(-2);
    const back = h.join('a', 'host-a');
    expect(back.memberId).not.toBe(a.memberId);
    expect([...back.assignment!].sort()).toEqual(['t-0', 't-1', 't-2', 't-3']);
    expect(h.group().groupEpoch).toBe(epoch);
    expect(h.join('a', 'host-a').error).toBe('UNRELEASED_INSTANCE_ID');
  });

  it('leaving with epoch -1 frees the partitions and bumps the group epoch', () => {
    const h = harness();
    const a = h.join('a');
    h.join('b');
    expect(h.hb({ memberId: a.memberId, memberEpoch: -1, clientId: 'a' }).error).toBe('NONE');
    expect(h.group().members.has(a.memberId)).toBe(false);
    expect(h.group().state()).toBe('Assigning');
  });

  it('a new coordinator rebuilds the group from its records (epochs, targets, members and what they hold)', () => {
    const h = harness();
    const a = h.join('a');
    h.join('b');
    h.hb({ memberId: a.memberId, memberEpoch: 1, clientId: 'a' });
    const before = h.group();
    const h2 = harness();
    const g = h2.coordinator.load('g', h.written);
    expect({ epoch: g.groupEpoch, assignment: g.assignmentEpoch, state: g.state() }).toEqual({ epoch: before.groupEpoch, assignment: before.assignmentEpoch, state: before.state() });
    for (const [id, m] of before.members) expect(g.members.get(id)).toMatchObject({ memberEpoch: m.memberEpoch, state: m.state, assigned: m.assigned, pendingRevocation: m.pendingRevocation });
    expect([...g.target]).toEqual([...before.target]);
    expect(g.partitionEpoch('t-0')).toBe(before.partitionEpoch('t-0'));
  });

  it('takes an offset commit only at the member epoch (STALE_MEMBER_EPOCH), from a member (UNKNOWN_MEMBER_ID), or with epoch -1 once the group is empty', () => {
    const h = harness();
    const a = h.join('a');
    const g = h.group();
    expect(h.coordinator.validateCommit(g, a.memberId, a.memberEpoch)).toBeNull();
    expect(h.coordinator.validateCommit(g, a.memberId, a.memberEpoch - 1)).toBe('STALE_MEMBER_EPOCH');
    expect(h.coordinator.validateCommit(g, 'nobody', 1)).toBe('UNKNOWN_MEMBER_ID');
    expect(h.coordinator.validateCommit(g, '', -1)).toBe('UNKNOWN_MEMBER_ID');
    h.hb({ memberId: a.memberId, memberEpoch: -1, clientId: 'a' });
    expect(h.coordinator.validateCommit(g, '', -1)).toBeNull();
  });

  it('refuses an assignor the brokers do not have, and a member past group.consumer.max.size', () => {
    const h = harness({ consumerMaxSize: 1 });
    expect(h.hb({ memberEpoch: 0, clientId: 'a', rebalanceTimeoutMs: 1000, subscribedTopicNames: ['t'], ownedPartitions: [], serverAssignor: 'sticky' }).error).toBe('UNSUPPORTED_ASSIGNOR');
    expect(h.join('a').error).toBe('NONE');
    expect(h.join('b').error).toBe('GROUP_MAX_SIZE_REACHED');
  });
});

type Ev<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

function run(yaml: string) {
  const sink = new ArraySink();
  const sim = createSimulation(parseScenario(yaml, 'kip848.yaml'), { sinks: [sink] });
  sim.run();
  const of = <T extends TraceEvent['type']>(type: T) => sink.events.filter((e): e is Ev<T> => e.type === type);
  return { summary: sim.summary(), of };
}

const scenario = (consumers: string, faults = '[]', duration = '40s', extra = '') => `
name: kip848
duration: ${duration}
${extra}
cluster: { brokers: 3 }
topics: [{ name: orders, partitions: 6, replication.factor: 3 }]
producers: [{ name: p1, topic: orders, rate: 600/s }]
consumers:
${consumers}
faults: ${faults}
`;
const member = (name: string, config = '', extra = '') => `  - { name: ${name}, topic: orders, ${extra} config: { group.id: g, group.protocol: consumer, auto.offset.reset: earliest, ${config} } }`;

describe('group.protocol=consumer end to end', () => {
  it('joins with ConsumerGroupHeartbeat (no JoinGroup); a new member gets partitions only after their owner revoked them, while the rest keep being read', () => {
    const r = run(scenario([member('a'), member('b', '', 'start: 15s,')].join('\n')));
    expect(r.of('msg').some((m) => m.kind === 'JoinGroup')).toBe(false);
    expect(r.of('msg').some((m) => m.kind === 'ConsumerGroupHeartbeat')).toBe(true);
    const revokedAt = new Map<string, number>();
    for (const e of r.of('assignment')) for (const tp of e.revoked) revokedAt.set(tp, e.t);
    const toB = r
      .of('assignment')
      .filter((e) => e.consumer === 'b')
      .flatMap((e) => e.added.map((tp) => [tp, e.t] as const));
    expect(toB.length).toBe(3);
    for (const [tp, t] of toB) expect(t).toBeGreaterThanOrEqual(revokedAt.get(tp)!);
    // a revoked only what moved, and never lost anything.
    const aEvents = r.of('assignment').filter((e) => e.consumer === 'a');
    expect(aEvents.flatMap((e) => e.revoked).length).toBe(3);
    expect(aEvents.flatMap((e) => e.lost)).toEqual([]);
    const g = r.summary.groups.find((x) => x.group === 'g')!;
    expect(g.state).toBe('Stable');
    expect(g.members.sort()).toEqual(['a', 'b']);
    expect(g.rebalances).toBe(2);
    expect(r.summary.records.redelivered).toBe(0);
    // kafka-consumer-groups --describe: the same columns, each partition with its owner's member id.
    expect(g.consumerProtocol).toBe(true);
    expect(g.rows.every((row) => /^m-[0-9a-f]+$/.test(row.consumerId) && row.clientId !== '-')).toBe(true);
    const table = formatGroup(g).split('\n');
    expect(table[0]).toMatch(/^Consumer group 'g' at 40 s: Stable, group epoch 2 \(consumer protocol\), assignor uniform, coordinator broker \d, 2 member\(s\)$/);
    expect(table[2]).toMatch(/^GROUP\s+TOPIC\s+PARTITION\s+CURRENT-OFFSET\s+LOG-END-OFFSET\s+LAG\s+CONSUMER-ID\s+HOST\s+CLIENT-ID$/);
  });

  it('a crashed member is fenced after group.consumer.session.timeout.ms and its partitions go to the others', () => {
    const r = run(scenario([member('a'), member('b')].join('\n'), '[{ at: 10s, crash: consumer a }]', '60s'));
    const removed = r.of('group').find((e) => /was removed/.test(e.reason))!;
    expect(removed.reason).toMatch(/member a \(m-[0-9a-f]+\) was removed: no heartbeat for group\.consumer\.session\.timeout\.ms \(45000 ms\)/);
    expect(removed.t).toBeGreaterThan(10_000_000 + 45_000_000 - 5_000_000);
    const toB = r.of('assignment').filter((e) => e.consumer === 'b' && e.t > removed.t);
    expect(toB.at(-1)!.partitions.length).toBe(6);
  });

  it('a static member closed and restarted keeps its partitions without a new group epoch', () => {
    const r = run(
      scenario([member('a', 'group.instance.id: host-a'), member('b', 'group.instance.id: host-b')].join('\n'), '[{ at: 10s, shutdown: consumer a }, { at: 13s, restart: consumer a }]', '30s'),
    );
    const before = r
      .of('assignment')
      .filter((e) => e.consumer === 'a' && e.t < 10_000_000)
      .at(-1)!.partitions;
    const after = r
      .of('assignment')
      .filter((e) => e.consumer === 'a' && e.t > 13_000_000)
      .at(-1)!.partitions;
    expect([...after].sort()).toEqual([...before].sort());
    expect(r.summary.groups[0]!.rebalances).toBe(2);
    expect(r.of('msg').some((m) => m.kind === 'ConsumerGroupHeartbeat' && m.from === 'c:b' && m.t > 10_000_000)).toBe(true);
  });

  it('past max.poll.interval.ms the member leaves (epoch -1), loses its partitions, and rejoins at its next poll()', () => {
    const r = run(scenario(member('a', 'max.poll.interval.ms: 5000, max.poll.records: 2000', 'processing: 4ms,'), '[]', '30s'));
    const lost = r.of('assignment').filter((e) => e.lost.length > 0);
    expect(lost.length).toBeGreaterThan(0);
    expect(r.of('group').some((e) => /left the group/.test(e.reason))).toBe(true);
    expect(r.of('assignment').some((e) => e.t > lost[0]!.t && e.added.length > 0)).toBe(true);
  });
});

describe('partitions added (group.protocol=consumer)', () => {
  it('the coordinator sees the new count at the next heartbeat, bumps the group epoch and assigns them, even before the consumers know them', () => {
    const r = run(scenario([member('a'), member('b')].join('\n'), '[{ at: 10s, createPartitions: orders, increaseTo: 8 }]', '30s'));
    const bump = r.of('group').find((e) => /the subscribed topics' partitions changed \(orders:8\)/.test(e.reason))!;
    expect(bump.t).toBeGreaterThan(10_000_000);
    expect(bump.t).toBeLessThan(16_000_000);
    const owned = new Set<string>();
    for (const e of r.of('assignment')) for (const tp of e.partitions) owned.add(tp);
    expect(owned.has('orders-6') && owned.has('orders-7')).toBe(true);
    expect(r.summary.groups[0]!.state).toBe('Stable');
  });
});

describe('coordinator failover (group.protocol=consumer)', () => {
  it("the partition's new leader rebuilds the group from its ConsumerGroup records: same epoch, members keep their partitions, nothing read twice", () => {
    const r = run(scenario([member('a'), member('b')].join('\n'), '[{ at: 15s, crash: coordinator of group g, as: old }, { at: 35s, restart: old }]', '45s'));
    const loaded = r.of('coordinator').filter((e) => e.loaded);
    expect(loaded.length).toBeGreaterThan(1);
    const second = loaded[1]!;
    expect(second.broker).not.toBe(loaded[0]!.broker);
    const reload = r.of('group').find((e) => /loaded from its __consumer_offsets partition/.test(e.reason))!;
    expect(reload.coordinator).toBe(second.broker);
    const before = r
      .of('group')
      .filter((e) => e.t < 15_000_000)
      .at(-1)!;
    expect(reload.generation).toBe(before.generation);
    expect(
      r
        .of('assignment')
        .filter((e) => e.t > 15_000_000)
        .flatMap((e) => [...e.revoked, ...e.lost]),
    ).toEqual([]);
    expect(r.summary.records.redelivered).toBe(0);
    expect(r.of('msg').some((m) => m.kind === 'ConsumerGroupHeartbeat' && m.to === `b${second.broker}`)).toBe(true);
  });
});

describe('scenario validation', () => {
  it('group.protocol=consumer needs Kafka 4.0; a group cannot mix protocols; group.remote.assignor is uniform or range', () => {
    const problems = (yaml: string) => {
      try {
        parseScenario(yaml, 'x.yaml');
        return '';
      } catch (e) {
        if (e instanceof ScenarioError) return e.message;
        throw e;
      }
    };
    const old = scenario(member('a')).replace('cluster: { brokers: 3 }', 'cluster: { brokers: 3, kafkaVersion: "3.9" }');
    expect(problems(old)).toMatch(/the consumer group protocol \(KIP-848; early access in 3\.7, preview in 3\.8 and 3\.9\) arrived in Kafka 4\.0; kafkaVersion is 3\.9/);
    expect(problems(scenario([member('a'), '  - { name: b, topic: orders, config: { group.id: g } }'].join('\n')))).toMatch(/mixed groups \(online migration\) are not modelled/);
    expect(problems(scenario(member('a', 'group.remote.assignor: sticky')))).toMatch(/unknown server-side assignor/);
    expect(problems(scenario(member('a', 'group.remote.assignor: range')))).toBe('');
    // GroupCoordinatorConfig: the session timeout within group.consumer.min/max.session.timeout.ms (45 s to 60 s by default).
    const short = scenario(member('a')).replace('cluster: { brokers: 3 }', 'cluster: { brokers: 3, config: { group.consumer.session.timeout.ms: 10000 } }');
    expect(problems(short)).toMatch(/group\.consumer\.session\.timeout\.ms.*must be greater than or equal to group\.consumer\.min\.session\.timeout\.ms/);
    const lowered = short.replace('group.consumer.session.timeout.ms: 10000', 'group.consumer.session.timeout.ms: 10000, group.consumer.min.session.timeout.ms: 6000');
    expect(problems(lowered)).toBe('');
  });
});
