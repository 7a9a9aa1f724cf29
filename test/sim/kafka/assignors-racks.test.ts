/**
 * Rack-aware assignment (KIP-881): range and the sticky assignors with client.rack and replica racks. The
 * cases are Kafka's own (clients/src/test/…/RangeAssignorTest, internals/AbstractStickyAssignorTest, which
 * runs for StickyAssignorTest and CooperativeStickyAssignorTest), named after their Java tests, built as
 * AbstractPartitionAssignorTest.verifyRackAssignment builds them: brokers with the given racks, replica j of
 * partition i of a topic on broker (i + j + the topic's first index) mod the broker count, consumers
 * "consumer0".. on the given racks. Properties run with fast-check under a fixed seed, printed below.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assign, type AssignorName, type GroupAssignment, type GroupMember } from '../../../sim/index.js';

const ALL_RACKS = ['a', 'b', 'c', 'd', 'e', 'f'];
const racks = (n: number): string[] => Array.from({ length: n }, (_, i) => ALL_RACKS[i % ALL_RACKS.length]!);
const nullRacks = (n: number): null[] => Array.from({ length: n }, () => null);

/** AbstractPartitionAssignorTest.partitionsPerTopic: topics in the given order, replicas striped over the brokers. */
function partitionRacks(topics: Record<string, number>, replicationFactor: number, brokerRacks: readonly (string | null)[]): Record<string, string[][]> {
  const out: Record<string, string[][]> = {};
  let next = 0;
  for (const [topic, n] of Object.entries(topics)) {
    out[topic] = Array.from({ length: n }, (_, i) => {
      const replicas = Array.from({ length: replicationFactor }, (_, j) => brokerRacks[(i + j + next) % brokerRacks.length]!);
      return replicas.filter((r): r is string => r !== null);
    });
    next += n;
  }
  return out;
}

interface Case {
  topics: Record<string, number>;
  replicationFactor: number;
  brokerRacks: readonly (string | null)[];
  consumerRacks: readonly (string | null)[];
  consumerTopics: readonly (readonly string[])[];
  owned?: readonly string[] | null;
  prefer?: boolean;
}

function parse(list: string): { topic: string; partition: number }[] {
  if (list === '') return [];
  return list.split(', ').map((n) => ({ topic: n.slice(0, n.lastIndexOf('-')), partition: Number(n.slice(n.lastIndexOf('-') + 1)) }));
}

/**
 * verifyRackAssignment puts owned partitions in Subscription.ownedPartitions and leaves the user data null:
 * the eager StickyAssignor reads what a member owns from its user data only (StickyAssignor.memberData), so
 * it sees nothing owned; `ownedPartitions` here stands for that user data, and is left out for it.
 */
function run(assignor: AssignorName, c: Case): GroupAssignment {
  const owned = assignor === 'sticky' ? null : c.owned;
  const members: GroupMember[] = c.consumerRacks.map((rack, i) => ({
    memberId: `consumer${i}`,
    topics: [...c.consumerTopics[i]!],
    ...(rack !== null ? { rack } : {}),
    ...(owned?.[i] !== undefined ? { ownedPartitions: parse(owned[i]!) } : {}),
  }));
  return assign(assignor, members, c.topics, { partitionRacks: partitionRacks(c.topics, c.replicationFactor, c.brokerRacks), preferRackAwareLogic: c.prefer === true });
}

/** AbstractPartitionAssignorTest.verifyRackAssignment: each member's sorted partitions, and (≥ 0) how many sit off its rack. */
function verify(assignor: AssignorName, c: Case, expected: readonly string[], mismatched: number): GroupAssignment {
  const r = run(assignor, c);
  const got = r.members.map((m) =>
    m.partitions
      .map((p) => `${p.topic}-${p.partition}`)
      .sort()
      .join(', '),
  );
  expect(got).toEqual(expected);
  if (mismatched >= 0) {
    const pr = partitionRacks(c.topics, c.replicationFactor, c.brokerRacks);
    let n = 0;
    r.members.forEach((m, i) => {
      const rack = c.consumerRacks[i];
      if (rack !== null && rack !== undefined) for (const p of m.partitions) if (!pr[p.topic]![p.partition]!.includes(rack)) n++;
    });
    expect(n).toBe(mismatched);
  }
  return r;
}

const T3 = { t1: 6, t2: 7, t3: 2 };
const ALL3 = ['t1', 't2', 't3'];

describe('range, rack-aware (RangeAssignorTest)', () => {
  /** RangeAssignorTest.verifyNonRackAwareAssignment: combinations where the rack-aware logic is not used, or changes nothing. */
  function verifyNonRackAware(topics: Record<string, number>, consumerTopics: string[][], expected: string[]): void {
    const base = { topics, consumerTopics };
    expect(run('range', { ...base, replicationFactor: 3, brokerRacks: nullRacks(3), consumerRacks: racks(3) }).rackAware).toBeUndefined();
    verify('range', { ...base, replicationFactor: 3, brokerRacks: nullRacks(3), consumerRacks: racks(3) }, expected, -1);
    verify('range', { ...base, replicationFactor: 3, brokerRacks: racks(3), consumerRacks: nullRacks(3) }, expected, -1);
    verify('range', { ...base, replicationFactor: 3, brokerRacks: racks(3), consumerRacks: racks(3) }, expected, 0);
    verify('range', { ...base, replicationFactor: 4, brokerRacks: racks(4), consumerRacks: racks(3) }, expected, 0);
    verify('range', { ...base, replicationFactor: 3, brokerRacks: racks(3), consumerRacks: ['d', 'e', 'f'] }, expected, -1);
    verify('range', { ...base, replicationFactor: 3, brokerRacks: racks(3), consumerRacks: [null, 'e', 'f'] }, expected, -1);
    const preferred = verify('range', { ...base, replicationFactor: 3, brokerRacks: racks(3), consumerRacks: racks(3), prefer: true }, expected, 0);
    expect(preferred.rackAware).toBe(true);
  }

  it('testRackAwareAssignmentWithUniformSubscription', () => {
    const consumerTopics = [ALL3, ALL3, ALL3];
    verifyNonRackAware(T3, consumerTopics, ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0', 't1-2, t1-3, t2-3, t2-4, t3-1', 't1-4, t1-5, t2-5, t2-6']);
    const base = { topics: T3, consumerTopics, brokerRacks: racks(3), consumerRacks: racks(3) };
    const r = verify('range', { ...base, replicationFactor: 1 }, ['t1-0, t1-3, t2-0, t2-3, t2-6', 't1-1, t1-4, t2-1, t2-4, t3-0', 't1-2, t1-5, t2-2, t2-5, t3-1'], 0);
    expect(r.rackAware).toBe(true);
    verify('range', { ...base, replicationFactor: 2 }, ['t1-0, t1-2, t2-0, t2-2, t2-3, t3-1', 't1-1, t1-3, t2-1, t2-4, t3-0', 't1-4, t1-5, t2-5, t2-6'], 1);
    verify('range', { ...base, replicationFactor: 3, brokerRacks: racks(2) }, ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0', 't1-2, t1-3, t2-3, t2-4, t3-1', 't1-4, t1-5, t2-5, t2-6'], 4);
  });

  it('testRackAwareAssignmentWithNonEqualSubscription', () => {
    const consumerTopics = [ALL3, ALL3, ['t1', 't3']];
    verifyNonRackAware(T3, consumerTopics, ['t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0', 't1-2, t1-3, t2-4, t2-5, t2-6, t3-1', 't1-4, t1-5']);
    const base = { topics: T3, consumerTopics, brokerRacks: racks(3), consumerRacks: racks(3) };
    verify('range', { ...base, replicationFactor: 1 }, ['t1-0, t1-3, t2-0, t2-2, t2-3, t2-6', 't1-1, t1-4, t2-1, t2-4, t2-5, t3-0', 't1-2, t1-5, t3-1'], 2);
    verify('range', { ...base, replicationFactor: 2 }, ['t1-0, t1-2, t2-0, t2-2, t2-3, t2-5, t3-1', 't1-1, t1-3, t2-1, t2-4, t2-6, t3-0', 't1-4, t1-5'], 0);
    verify('range', { ...base, replicationFactor: 3, brokerRacks: racks(2) }, ['t1-0, t1-1, t2-0, t2-1, t2-2, t2-3, t3-0', 't1-2, t1-3, t2-4, t2-5, t2-6, t3-1', 't1-4, t1-5'], 2);
  });

  it('testRackAwareAssignmentWithUniformPartitions: co-partitioning wins over rack alignment', () => {
    const topics = { t1: 5, t2: 5, t3: 5 };
    const consumerTopics = [ALL3, ALL3, ALL3];
    const expected = ['t1-0, t1-1, t2-0, t2-1, t3-0, t3-1', 't1-2, t1-3, t2-2, t2-3, t3-2, t3-3', 't1-4, t2-4, t3-4'];
    verifyNonRackAware(topics, consumerTopics, expected);
    const base = { topics, consumerTopics, brokerRacks: racks(3), consumerRacks: racks(3) };
    verify('range', { ...base, replicationFactor: 1 }, expected, 10);
    verify('range', { ...base, replicationFactor: 2 }, expected, 5);
    verify('range', { ...base, replicationFactor: 3, brokerRacks: racks(2) }, expected, 3);
  });

  it('testRackAwareAssignmentWithUniformPartitionsNonEqualSubscription', () => {
    const topics = { t1: 5, t2: 5, t3: 5 };
    const consumerTopics = [ALL3, ALL3, ['t1', 't3']];
    verifyNonRackAware(topics, consumerTopics, ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1', 't1-2, t1-3, t2-3, t2-4, t3-2, t3-3', 't1-4, t3-4']);
    const base = { topics, consumerTopics, brokerRacks: racks(3), consumerRacks: racks(3) };
    verify('range', { ...base, replicationFactor: 1 }, ['t1-0, t1-1, t2-0, t2-1, t2-4, t3-0, t3-1', 't1-2, t1-3, t2-2, t2-3, t3-2, t3-3', 't1-4, t3-4'], 9);
    verify('range', { ...base, replicationFactor: 2 }, ['t1-2, t2-0, t2-1, t2-3, t3-2', 't1-0, t1-3, t2-2, t2-4, t3-0, t3-3', 't1-1, t1-4, t3-1, t3-4'], 0);
    verify('range', { ...base, replicationFactor: 3, brokerRacks: racks(2) }, ['t1-0, t1-1, t2-0, t2-1, t2-2, t3-0, t3-1', 't1-2, t1-3, t2-3, t2-4, t3-2, t3-3', 't1-4, t3-4'], 2);
  });

  it('testRackAwareAssignmentWithCoPartitioning', () => {
    const topics = { t1: 6, t2: 6, t3: 2, t4: 2 };
    const consumerRacks = ['a', 'b', 'b', 'a'];
    let consumerTopics = [
      ['t1', 't2'],
      ['t1', 't2'],
      ['t3', 't4'],
      ['t3', 't4'],
    ];
    let plain = ['t1-0, t1-1, t1-2, t2-0, t2-1, t2-2', 't1-3, t1-4, t1-5, t2-3, t2-4, t2-5', 't3-0, t4-0', 't3-1, t4-1'];
    const base = { topics, consumerRacks, brokerRacks: racks(2) };
    verify('range', { ...base, consumerTopics, replicationFactor: 3 }, plain, -1);
    verify('range', { ...base, consumerTopics, replicationFactor: 2 }, plain, 0);
    verify('range', { ...base, consumerTopics, replicationFactor: 1 }, ['t1-0, t1-2, t1-4, t2-0, t2-2, t2-4', 't1-1, t1-3, t1-5, t2-1, t2-3, t2-5', 't3-1, t4-1', 't3-0, t4-0'], 0);
    const all = ['t1', 't2', 't3', 't4'];
    consumerTopics = [all, all, all, all];
    plain = ['t1-0, t1-1, t2-0, t2-1, t3-0, t4-0', 't1-2, t1-3, t2-2, t2-3, t3-1, t4-1', 't1-4, t2-4', 't1-5, t2-5'];
    verify('range', { ...base, consumerTopics, replicationFactor: 3 }, plain, -1);
    verify('range', { ...base, consumerTopics, replicationFactor: 2 }, plain, 0);
    verify('range', { ...base, consumerTopics, replicationFactor: 1 }, ['t1-0, t1-2, t2-0, t2-2, t3-0, t4-0', 't1-1, t1-3, t2-1, t2-3, t3-1, t4-1', 't1-5, t2-5', 't1-4, t2-4'], 0);
    verify(
      'range',
      { ...base, consumerTopics, replicationFactor: 1, brokerRacks: racks(3) },
      ['t1-0, t1-3, t2-0, t2-3, t3-0, t4-0', 't1-1, t1-4, t2-1, t2-4, t3-1, t4-1', 't1-2, t2-2', 't1-5, t2-5'],
      6,
    );
  });

  it('testCoPartitionedAssignmentWithSameSubscription', () => {
    const topics = { t1: 6, t2: 6, t3: 2, t4: 2, t5: 4, t6: 4 };
    const list = ['t1', 't2', 't3', 't4', 't5', 't6', 't7', 't8', 't9'];
    const base = { topics, consumerTopics: [list, list, list], consumerRacks: racks(3) };
    const plain = ['t1-0, t1-1, t2-0, t2-1, t3-0, t4-0, t5-0, t5-1, t6-0, t6-1', 't1-2, t1-3, t2-2, t2-3, t3-1, t4-1, t5-2, t6-2', 't1-4, t1-5, t2-4, t2-5, t5-3, t6-3'];
    verify('range', { ...base, replicationFactor: 3, brokerRacks: nullRacks(3) }, plain, -1);
    verify('range', { ...base, replicationFactor: 3, brokerRacks: racks(3), prefer: true }, plain, 0);
    const rackAware = ['t1-0, t1-2, t2-0, t2-2, t3-0, t4-0, t5-1, t6-1', 't1-1, t1-3, t2-1, t2-3, t3-1, t4-1, t5-2, t6-2', 't1-4, t1-5, t2-4, t2-5, t5-0, t5-3, t6-0, t6-3'];
    verify('range', { ...base, replicationFactor: 2, brokerRacks: racks(3), prefer: true }, rackAware, 0);
  });

  it('testRackAwareStaticMemberRangeAssignmentPersistentAfterMemberIdChanges', () => {
    // partitionInfos(topic, 5, replicationFactor 2, 3 broker racks, 0): six brokers on racks a b c a b c, both topics from broker 0.
    const brokerRacks = ['a', 'b', 'c', 'a', 'b', 'c'];
    const perPartition = Array.from({ length: 5 }, (_, i) => [brokerRacks[i % 6]!, brokerRacks[(i + 1) % 6]!]);
    const options = { partitionRacks: { topic1: perPartition, topic2: perPartition }, preferRackAwareLogic: true };
    const member = (memberId: string, instance: number) => ({ memberId, groupInstanceId: `instance${instance}`, rack: racks(3)[instance - 1]!, topics: ['topic1', 'topic2'] });
    const byInstance = (r: GroupAssignment) => Object.fromEntries(r.members.map((m) => [m.groupInstanceId, m.partitions.map((p) => `${p.topic}-${p.partition}`)]));
    const expected = {
      instance1: ['topic1-0', 'topic1-2', 'topic2-0', 'topic2-2'],
      instance2: ['topic1-1', 'topic1-3', 'topic2-1', 'topic2-3'],
      instance3: ['topic1-4', 'topic2-4'],
    };
    expect(byInstance(assign('range', [member('consumer1', 1), member('consumer2', 2), member('consumer3', 3)], { topic1: 5, topic2: 5 }, options))).toEqual(expected);
    expect(byInstance(assign('range', [member('consumer1', 1), member('consumer5', 2), member('consumer4', 3)], { topic1: 5, topic2: 5 }, options))).toEqual(expected);
  });
});

describe.each(['sticky', 'cooperative-sticky'] as const)('%s, rack-aware (AbstractStickyAssignorTest, run by StickyAssignorTest and CooperativeStickyAssignorTest)', (assignor) => {
  const cooperative = assignor === 'cooperative-sticky';
  /** verifyUniformSubscription / verifyNonEqualSubscription: from nothing, then with the expected assignment owned. */
  function verifyBoth(c: Case, expected: string[], mismatched: number): void {
    verify(assignor, { ...c, owned: null }, expected, mismatched);
    verify(assignor, { ...c, owned: expected }, expected, mismatched);
  }
  /** The combinations both tests begin with, where the rack-aware logic is not used or changes nothing. */
  function verifyNonRackAware(consumerTopics: string[][], plain: string[]): void {
    const base = { topics: T3, consumerTopics };
    verifyBoth({ ...base, replicationFactor: 3, brokerRacks: nullRacks(3), consumerRacks: racks(3) }, plain, -1);
    verifyBoth({ ...base, replicationFactor: 3, brokerRacks: racks(3), consumerRacks: nullRacks(3) }, plain, -1);
    verifyBoth({ ...base, replicationFactor: 3, brokerRacks: racks(3), consumerRacks: racks(3), prefer: true }, plain, 0);
    verifyBoth({ ...base, replicationFactor: 4, brokerRacks: racks(4), consumerRacks: racks(3), prefer: true }, plain, 0);
    verifyBoth({ ...base, replicationFactor: 3, brokerRacks: racks(3), consumerRacks: racks(3) }, plain, 0);
    verifyBoth({ ...base, replicationFactor: 3, brokerRacks: racks(3), consumerRacks: ['d', 'e', 'f'] }, plain, -1);
    verifyBoth({ ...base, replicationFactor: 3, brokerRacks: racks(3), consumerRacks: [null, 'e', 'f'] }, plain, -1);
  }

  it('testRackAwareAssignmentWithUniformSubscription', () => {
    const consumerTopics = [ALL3, ALL3, ALL3];
    const plain = ['t1-0, t1-3, t2-0, t2-3, t2-6', 't1-1, t1-4, t2-1, t2-4, t3-0', 't1-2, t1-5, t2-2, t2-5, t3-1'];
    verifyNonRackAware(consumerTopics, plain);
    const base = { topics: T3, consumerTopics, brokerRacks: racks(3), consumerRacks: racks(3) };
    verifyBoth({ ...base, replicationFactor: 1 }, plain, 0);
    verifyBoth({ ...base, replicationFactor: 2 }, plain, 0);
    // One consumer on a rack with no partitions: it gets misaligned partitions, for balance.
    verifyBoth({ ...base, replicationFactor: 3, brokerRacks: racks(2) }, plain, 5);
    // Owned partitions off their owners' racks move (cooperative-sticky: revoked first).
    const owned = ['t1-0, t1-1, t1-2, t1-3, t1-4', 't1-5, t2-0, t2-1, t2-2, t2-3', 't2-4, t2-5, t2-6, t3-0, t3-1'];
    const r = verify(assignor, { ...base, replicationFactor: 1, owned }, cooperative ? ['t1-0, t1-3', 't2-1', 't2-5, t3-1'] : plain, 0);
    expect(r.path).toBe('constrained');
    expect(r.rackAware).toBe(true);
    // Stickiness is kept when racks match.
    verify(assignor, { ...base, replicationFactor: 3, owned: plain, prefer: true }, plain, 0);
  });

  it('testRackAwareAssignmentWithNonEqualSubscription', () => {
    const consumerTopics = [ALL3, ALL3, ['t1', 't3']];
    const plain = ['t1-5, t2-0, t2-2, t2-4, t2-6', 't1-3, t2-1, t2-3, t2-5, t3-0', 't1-0, t1-1, t1-2, t1-4, t3-1'];
    verifyNonRackAware(consumerTopics, plain);
    const base = { topics: T3, consumerTopics, brokerRacks: racks(3), consumerRacks: racks(3) };
    // Best effort: misalignments when there are few rack choices.
    const rf1 = ['t1-3, t2-0, t2-2, t2-3, t2-6', 't1-4, t2-1, t2-4, t2-5, t3-0', 't1-0, t1-1, t1-2, t1-5, t3-1'];
    verifyBoth({ ...base, replicationFactor: 1 }, rf1, 4);
    verifyBoth({ ...base, replicationFactor: 2 }, ['t1-3, t2-0, t2-2, t2-5, t2-6', 't1-0, t2-1, t2-3, t2-4, t3-0', 't1-1, t1-2, t1-4, t1-5, t3-1'], 0);
    verifyBoth({ ...base, replicationFactor: 3, brokerRacks: racks(2) }, plain, 5);
    const owned = ['t1-0, t1-1, t1-2, t1-3, t1-4', 't1-5, t2-0, t2-1, t2-2, t2-3', 't2-4, t2-5, t2-6, t3-0, t3-1'];
    if (!cooperative) {
      const r = verify(assignor, { ...base, replicationFactor: 1, owned }, rf1, 4);
      expect(r.path).toBe('general');
      for (const prefer of [false, true]) verify(assignor, { ...base, replicationFactor: 3, owned, prefer }, plain, 0);
    } else {
      const intermediate = ['t1-3', 't2-1', 't3-1'];
      verify(assignor, { ...base, replicationFactor: 1, owned }, intermediate, 0);
      verify(assignor, { ...base, replicationFactor: 1, owned: intermediate }, rf1, 4);
      const second = ['t1-2, t1-3, t1-4', 't2-0, t2-1, t2-2, t2-3', 't3-0, t3-1'];
      const final = ['t1-2, t1-3, t1-4, t2-4, t2-5', 't2-0, t2-1, t2-2, t2-3, t2-6', 't1-0, t1-1, t1-5, t3-0, t3-1'];
      for (const prefer of [false, true]) {
        verify(assignor, { ...base, replicationFactor: 3, owned, prefer }, second, 0);
        verify(assignor, { ...base, replicationFactor: 3, owned: second, prefer }, final, 0);
      }
    }
  });
});

const SEED = Number(process.env.KAFKASIM_ASSIGNOR_SEED ?? 20261202);
const RACKS = ['a', 'b', 'c'];

/** A random group with racks: up to 4 topics, up to 7 members (some without a rack), replicas on 1–3 racks; owned from an earlier range assignment, or nothing. */
const rackGroupArb = fc
  .record({
    counts: fc.array(fc.integer({ min: 1, max: 10 }), { minLength: 1, maxLength: 4 }),
    n: fc.integer({ min: 1, max: 7 }),
    identical: fc.boolean(),
    picks: fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 7, maxLength: 7 }),
    memberRacks: fc.array(fc.option(fc.constantFrom(...RACKS, 'd'), { nil: undefined }), { minLength: 7, maxLength: 7 }),
    replicaRacks: fc.array(fc.subarray(RACKS, { minLength: 0 }), { minLength: 40, maxLength: 40 }),
    owned: fc.boolean(),
  })
  .map(({ counts, n, identical, picks, memberRacks, replicaRacks, owned }) => {
    const topics = Object.fromEntries(counts.map((c, i) => [`t${i}`, c]));
    const names = Object.keys(topics);
    let members: GroupMember[] = Array.from({ length: n }, (_, i) => {
      const mine = identical ? names : names.filter((_, j) => picks[i]![j]);
      return { memberId: `m${i}`, topics: mine.length > 0 ? mine : [names[0]!], ...(memberRacks[i] !== undefined ? { rack: memberRacks[i] } : {}) };
    });
    if (owned) {
      const earlier = assign('range', members, topics);
      members = members.map((m, i) => ({ ...m, ownedPartitions: earlier.members[i]!.partitions, generation: 1 }));
    }
    let k = 0;
    const partitionRacks = Object.fromEntries(names.map((t) => [t, Array.from({ length: topics[t]! }, () => replicaRacks[k++ % replicaRacks.length]!)]));
    return { topics, members, partitionRacks };
  });

const noRacks = (members: GroupMember[]) => members.map(({ rack: _, ...m }) => m);

describe(`rack-aware properties (fast-check seed ${SEED}; set KAFKASIM_ASSIGNOR_SEED to vary)`, () => {
  const NAMES = ['range', 'sticky', 'cooperative-sticky'] as const;

  it('without racks (none on the members, or none on the replicas, or every partition on every rack) the result is the rack-blind one', () => {
    fc.assert(
      fc.property(rackGroupArb, fc.constantFrom(...NAMES), ({ topics, members, partitionRacks }, name) => {
        const blind = assign(name, noRacks(members), topics);
        expect(blind.rackAware).toBeUndefined();
        expect(assign(name, noRacks(members), topics, { partitionRacks })).toEqual(blind);
        expect(assign(name, members, topics)).toEqual(blind);
        const everywhere = Object.fromEntries(Object.entries(topics).map(([t, n]) => [t, Array.from({ length: n }, () => RACKS)]));
        expect(assign(name, members, topics, { partitionRacks: everywhere })).toEqual(blind);
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('with racks: every subscribed partition once, to a subscriber, with the balance of the rack-blind assignment', () => {
    fc.assert(
      fc.property(rackGroupArb, fc.constantFrom(...NAMES), ({ topics, members, partitionRacks }, name) => {
        const r = assign(name, members, topics, { partitionRacks });
        const blind = assign(name, noRacks(members), topics);
        const given = [...r.members.flatMap((m) => m.partitions), ...r.withheld].map((p) => `${p.topic}-${p.partition}`).sort();
        const expected = [...blind.members.flatMap((m) => m.partitions), ...blind.withheld].map((p) => `${p.topic}-${p.partition}`).sort();
        expect(given).toEqual(expected);
        r.members.forEach((m, i) => {
          for (const p of m.partitions) expect(members[i]!.topics).toContain(p.topic);
        });
        if (name === 'range') {
          // Per topic, the range quotas: each subscriber gets ⌊n/k⌋ or ⌈n/k⌉.
          for (const [t, n] of Object.entries(topics)) {
            const subs = r.members.filter((_, i) => members[i]!.topics.includes(t));
            for (const m of subs) expect(Math.abs(m.partitions.filter((p) => p.topic === t).length - n / subs.length)).toBeLessThan(1);
          }
        } else if (r.path === 'constrained' && name === 'sticky') {
          const counts = r.members.map((m) => m.partitions.length);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe('bad rack input', () => {
  it.each([
    [{ partitionRacks: { t: [['a']] } }, 't has 2 partitions: give one list of replica racks for each'],
    [{ partitionRacks: { u: [['a']] } }, 'u is not one of the topics'],
    [{ partitionRacks: { t: [['a'], 'b'] } }, 't-1: expected a list of rack names'],
    [{ partitionRacks: { t: [['a'], ['']] } }, 't-1: expected a list of rack names'],
  ])('%j', (options, message) => {
    expect(() => assign('range', [{ memberId: 'm', topics: ['t'], rack: 'a' }], { t: 2 }, options as never)).toThrow(message);
  });

  it('a rack that is not a string', () => {
    expect(() => assign('range', [{ memberId: 'm', topics: ['t'], rack: 3 as never }], { t: 2 })).toThrow('member m: rack must be a string');
  });
});

describe('docs/api.md', () => {
  it('its rack-aware assign() example prints what assign() gives', () => {
    const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    expect(doc).toContain(
      "assign('range', [{ memberId: 'c1', topics: ['orders'], rack: 'b' }, { memberId: 'c2', topics: ['orders'], rack: 'a' }], { orders: 3 }, { partitionRacks: { orders: [['a'], ['b'], ['a']] }, }); // rackAware: true; members: c1 → orders-1; c2 → orders-0, orders-2",
    );
    const r = assign(
      'range',
      [
        { memberId: 'c1', topics: ['orders'], rack: 'b' },
        { memberId: 'c2', topics: ['orders'], rack: 'a' },
      ],
      { orders: 3 },
      { partitionRacks: { orders: [['a'], ['b'], ['a']] } },
    );
    expect(r.rackAware).toBe(true);
    expect(r.members.map((m) => m.partitions.map((p) => p.partition))).toEqual([[1], [0, 2]]);
  });
});

/**
 * The RackConfig variants Kafka runs its ordinary assignor tests under (`initializeRacks`: replication factor
 * 3, brokers on 3 racks or none, consumer i on rack ALL_RACKS[i mod 3] or none, preferRackAwareLogic on):
 * every partition is on every rack, so the rack-aware path must give the rack-blind results.
 */
describe.each(['NO_BROKER_RACK', 'NO_CONSUMER_RACK', 'BROKER_AND_CONSUMER_RACK'] as const)('RackConfig %s', (rackConfig) => {
  const brokerRacks = rackConfig === 'NO_BROKER_RACK' ? nullRacks(9) : racks(3);
  const consumerRack = (i: number) => (rackConfig === 'NO_CONSUMER_RACK' ? {} : { rack: ALL_RACKS[i % (rackConfig === 'NO_BROKER_RACK' ? 6 : 3)]! });
  /** partitionInfos(topic, n): replicas on brokers i, i+1, i+2 from the topic's index (range: 0; sticky: one more per topic). */
  const options = (topics: Record<string, number>, perTopicIndex: boolean) => ({
    preferRackAwareLogic: true,
    partitionRacks: Object.fromEntries(
      Object.entries(topics).map(([t, n], k) => [
        t,
        Array.from({ length: n }, (_, i) => [0, 1, 2].map((j) => brokerRacks[(i + j + (perTopicIndex ? k : 0)) % brokerRacks.length]).filter((r): r is string => r !== null)),
      ]),
    ),
  });
  const members = (topics: string[][]) => topics.map((t, i) => ({ memberId: `consumer${i + 1}`, topics: t, ...consumerRack(i) }));
  const got = (r: GroupAssignment) => r.members.map((m) => m.partitions.map((p) => `${p.topic}-${p.partition}`));
  const T = ['topic1', 'topic2'];

  it('RangeAssignorTest.testMultipleConsumersMixedTopics', () => {
    const topics = { topic1: 3, topic2: 2 };
    expect(got(assign('range', members([['topic1'], T, ['topic1']]), topics, options(topics, false)))).toEqual([['topic1-0'], ['topic1-1', 'topic2-0', 'topic2-1'], ['topic1-2']]);
  });

  it('RangeAssignorTest.testTwoConsumersTwoTopicsSixPartitions', () => {
    const topics = { topic1: 3, topic2: 3 };
    expect(got(assign('range', members([T, T]), topics, options(topics, false)))).toEqual([
      ['topic1-0', 'topic1-1', 'topic2-0', 'topic2-1'],
      ['topic1-2', 'topic2-2'],
    ]);
  });

  it.each(['sticky', 'cooperative-sticky'] as const)('%s: AbstractStickyAssignorTest.testMultipleConsumersMixedTopicSubscriptions and testTwoConsumersTwoTopicsSixPartitions', (name) => {
    const mixed = { topic1: 3, topic2: 2 };
    expect(got(assign(name, members([['topic1'], T, ['topic1']]), mixed, options(mixed, true)))).toEqual([['topic1-0', 'topic1-2'], ['topic2-0', 'topic2-1'], ['topic1-1']]);
    const six = { topic1: 3, topic2: 3 };
    expect(got(assign(name, members([T, T]), six, options(six, true)))).toEqual([
      ['topic1-0', 'topic1-2', 'topic2-1'],
      ['topic1-1', 'topic2-0', 'topic2-2'],
    ]);
  });
});
