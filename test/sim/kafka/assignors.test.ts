/**
 * Kafka's partition assignors. The expected assignments come from Kafka's own unit tests (clients/src/test/
 * …/RangeAssignorTest, RoundRobinAssignorTest, internals/AbstractStickyAssignorTest, StickyAssignorTest,
 * CooperativeStickyAssignorTest), from the javadoc examples of the assignor classes, and (the "computed by
 * Kafka" block) from running Kafka's assignor classes on the same input. Properties run with fast-check
 * under a fixed seed, printed below.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssignError, assign, type AssignorName, type GroupAssignment, type GroupMember, type TopicPartition } from '../../../sim/index.js';
import { javaHashMapOrder, javaStringHash } from '../../../sim/kafka/group/java-order.js';

const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });
/** "topic-N" strings of each member, in member order. */
function byMember(r: GroupAssignment): Record<string, string[]> {
  return Object.fromEntries(r.members.map((m) => [m.memberId, m.partitions.map((p) => `${p.topic}-${p.partition}`)]));
}
function parts(...names: string[]): TopicPartition[] {
  return names.map((n) => {
    const i = n.lastIndexOf('-');
    return tp(n.slice(0, i), Number(n.slice(i + 1)));
  });
}
const sub = (memberId: string, topics: string[], extra: Partial<GroupMember> = {}): GroupMember => ({ memberId, topics, ...extra });

describe("Java's hash order", () => {
  it('String.hashCode matches Java', () => {
    expect(javaStringHash('')).toBe(0);
    expect(javaStringHash('hello')).toBe(99162322);
    expect(javaStringHash('Aa')).toBe(2112);
    expect(javaStringHash('BB')).toBe(2112);
    expect(javaStringHash('polygenelubricants')).toBe(-2147483648);
  });

  it('a HashMap iterates by bucket, colliding keys in insertion order', () => {
    // "c1".."c4" hash to 3118..3121: buckets 14, 15, 0, 1 of 16.
    expect(javaHashMapOrder(['c1', 'c2', 'c3', 'c4'])).toEqual(['c3', 'c4', 'c1', 'c2']);
    expect(javaHashMapOrder(['BB', 'Aa'])).toEqual(['BB', 'Aa']);
    expect(javaHashMapOrder(['Aa', 'BB'])).toEqual(['Aa', 'BB']);
  });
});

describe('range (RangeAssignorTest)', () => {
  it('testMultipleConsumersMixedTopics', () => {
    const r = assign('range', [sub('consumer1', ['topic1']), sub('consumer2', ['topic1', 'topic2']), sub('consumer3', ['topic1'])], { topic1: 3, topic2: 2 });
    expect(byMember(r)).toEqual({ consumer1: ['topic1-0'], consumer2: ['topic1-1', 'topic2-0', 'topic2-1'], consumer3: ['topic1-2'] });
  });

  it('testTwoConsumersTwoTopicsSixPartitions (and the class javadoc)', () => {
    const r = assign('range', [sub('consumer1', ['topic1', 'topic2']), sub('consumer2', ['topic1', 'topic2'])], { topic1: 3, topic2: 3 });
    expect(byMember(r)).toEqual({ consumer1: ['topic1-0', 'topic1-1', 'topic2-0', 'topic2-1'], consumer2: ['topic1-2', 'topic2-2'] });
  });

  it('testTwoStaticConsumersTwoTopicsSixPartitions / testOneStaticConsumerAndOneDynamicConsumer…: group.instance.id orders first', () => {
    const both = [sub('consumer-b', ['topic1', 'topic2'], { groupInstanceId: 'instance1' }), sub('consumer-a', ['topic1', 'topic2'], { groupInstanceId: 'instance2' })];
    const one = [sub('consumer-b', ['topic1', 'topic2'], { groupInstanceId: 'instance1' }), sub('consumer-a', ['topic1', 'topic2'])];
    for (const members of [both, one])
      expect(byMember(assign('range', members, { topic1: 3, topic2: 3 }))).toEqual({
        'consumer-b': ['topic1-0', 'topic1-1', 'topic2-0', 'topic2-1'],
        'consumer-a': ['topic1-2', 'topic2-2'],
      });
  });

  it('testStaticMemberRangeAssignmentPersistent: static members keep their ranges when a dynamic member is replaced', () => {
    const statics = [1, 2, 3].map((i) => sub(`consumer${i}`, ['topic1', 'topic2'], { groupInstanceId: `instance${i}` }));
    const expected = { consumer1: ['topic1-0', 'topic1-1', 'topic2-0'], consumer2: ['topic1-2', 'topic2-1'], consumer3: ['topic1-3', 'topic2-2'] };
    expect(byMember(assign('range', [...statics, sub('consumer4', ['topic1', 'topic2'])], { topic1: 5, topic2: 4 }))).toEqual({ ...expected, consumer4: ['topic1-4', 'topic2-3'] });
    expect(byMember(assign('range', [...statics, sub('consumer5', ['topic1', 'topic2'])], { topic1: 5, topic2: 4 }))).toEqual({ ...expected, consumer5: ['topic1-4', 'topic2-3'] });
  });

  it('testOneConsumerNonexistentTopic / testOnlyAssignsPartitionsFromSubscribedTopics', () => {
    expect(byMember(assign('range', [sub('consumer', ['topic'])], { other: 3 }))).toEqual({ consumer: [] });
    expect(byMember(assign('range', [sub('consumer', ['topic'])], { topic: 3, other: 3 }))).toEqual({ consumer: ['topic-0', 'topic-1', 'topic-2'] });
  });
});

describe('roundrobin (RoundRobinAssignorTest)', () => {
  it('testMultipleConsumersMixedTopics', () => {
    const r = assign('roundrobin', [sub('consumer1', ['topic1']), sub('consumer2', ['topic1', 'topic2']), sub('consumer3', ['topic1'])], { topic1: 3, topic2: 2 });
    expect(byMember(r)).toEqual({ consumer1: ['topic1-0'], consumer2: ['topic1-1', 'topic2-0', 'topic2-1'], consumer3: ['topic1-2'] });
  });

  it('testTwoDynamicConsumersTwoTopicsSixPartitions and the static variants', () => {
    const expected = { a: ['topic1-0', 'topic1-2', 'topic2-1'], b: ['topic1-1', 'topic2-0', 'topic2-2'] };
    expect(byMember(assign('roundrobin', [sub('consumer1', ['topic1', 'topic2']), sub('consumer2', ['topic1', 'topic2'])], { topic1: 3, topic2: 3 }))).toEqual({
      consumer1: expected.a,
      consumer2: expected.b,
    });
    const statics = [sub('consumer-b', ['topic1', 'topic2'], { groupInstanceId: 'instance1' }), sub('consumer-a', ['topic1', 'topic2'], { groupInstanceId: 'instance2' })];
    expect(byMember(assign('roundrobin', statics, { topic1: 3, topic2: 3 }))).toEqual({ 'consumer-b': expected.a, 'consumer-a': expected.b });
  });

  it('testStaticMemberRoundRobinAssignmentPersistent', () => {
    const statics = [1, 2, 3].map((i) => sub(`consumer${i}`, ['topic1', 'topic2'], { groupInstanceId: `instance${i}` }));
    const expected = { consumer1: ['topic1-0', 'topic2-1'], consumer2: ['topic1-1', 'topic2-2'], consumer3: ['topic1-2'] };
    expect(byMember(assign('roundrobin', [...statics, sub('consumer4', ['topic1', 'topic2'])], { topic1: 3, topic2: 3 }))).toEqual({ ...expected, consumer4: ['topic2-0'] });
    expect(byMember(assign('roundrobin', [...statics, sub('consumer5', ['topic1', 'topic2'])], { topic1: 3, topic2: 3 }))).toEqual({ ...expected, consumer5: ['topic2-0'] });
  });

  it('the class javadoc: unequal subscriptions', () => {
    const r = assign('roundrobin', [sub('C0', ['t0']), sub('C1', ['t0', 't1']), sub('C2', ['t0', 't1', 't2'])], { t0: 1, t1: 2, t2: 3 });
    expect(byMember(r)).toEqual({ C0: ['t0-0'], C1: ['t1-0'], C2: ['t1-1', 't2-0', 't2-1', 't2-2'] });
  });
});

describe('sticky (AbstractStickyAssignorTest, StickyAssignorTest)', () => {
  const T = ['topic1', 'topic2'];
  const owning = (id: string, owned: string[], topics = T, generation = 1) => sub(id, topics, { ownedPartitions: parts(...owned), generation });

  it('testMultipleConsumersMixedTopicSubscriptions: the general path', () => {
    const r = assign('sticky', [sub('consumer1', ['topic1']), sub('consumer2', T), sub('consumer3', ['topic1'])], { topic1: 3, topic2: 2 });
    expect(r.path).toBe('general');
    expect(byMember(r)).toEqual({ consumer1: ['topic1-0', 'topic1-2'], consumer2: ['topic2-0', 'topic2-1'], consumer3: ['topic1-1'] });
  });

  it('testTwoConsumersTwoTopicsSixPartitions: the constrained path', () => {
    const r = assign('sticky', [sub('consumer1', T), sub('consumer2', T)], { topic1: 3, topic2: 3 });
    expect(r.path).toBe('constrained');
    expect(byMember(r)).toEqual({ consumer1: ['topic1-0', 'topic1-2', 'topic2-1'], consumer2: ['topic1-1', 'topic2-0', 'topic2-2'] });
  });

  it('testConsumerOwningMinQuotaExpectedMaxQuota', () => {
    const r = assign('sticky', [owning('consumer1', ['topic1-0', 'topic2-1']), owning('consumer2', ['topic1-1', 'topic2-2'])], { topic1: 2, topic2: 3 });
    expect(byMember(r)).toEqual({ consumer1: ['topic1-0', 'topic2-0', 'topic2-1'], consumer2: ['topic1-1', 'topic2-2'] });
  });

  it('testMaxQuotaConsumerMoreThanNumExpectedMaxCapacityMembers (cooperative-sticky withholds topic2-0 for one round)', () => {
    const members = [owning('consumer1', ['topic1-0', 'topic2-0']), owning('consumer2', ['topic1-1', 'topic2-1']), owning('consumer3', [])];
    expect(byMember(assign('sticky', members, { topic1: 2, topic2: 2 }))).toEqual({ consumer1: ['topic1-0'], consumer2: ['topic1-1', 'topic2-1'], consumer3: ['topic2-0'] });
    const coop = assign('cooperative-sticky', members, { topic1: 2, topic2: 2 });
    expect(byMember(coop)).toEqual({ consumer1: ['topic1-0'], consumer2: ['topic1-1', 'topic2-1'], consumer3: [] });
    expect(coop.withheld).toEqual([{ topic: 'topic2', partition: 0, owners: ['consumer1'], nextOwner: 'consumer3' }]);
    expect(coop.members[0]!.revoked).toEqual([tp('topic2', 0)]);
  });

  it('testAllConsumersAreUnderMinQuota', () => {
    const r = assign('sticky', [owning('consumer1', ['topic1-0']), owning('consumer2', ['topic1-1']), owning('consumer3', [])], { topic1: 2, topic2: 3 });
    expect(byMember(r)).toEqual({ consumer1: ['topic1-0', 'topic2-1'], consumer2: ['topic1-1', 'topic2-2'], consumer3: ['topic2-0'] });
  });

  it('testAllConsumersReachExpectedQuotaAndAreConsideredFilled', () => {
    const r = assign('sticky', [owning('consumer1', ['topic-0', 'topic-1'], ['topic']), owning('consumer2', ['topic-2'], ['topic']), owning('consumer3', [], ['topic'])], { topic: 4 });
    expect(byMember(r)).toEqual({ consumer1: ['topic-0', 'topic-1'], consumer2: ['topic-2'], consumer3: ['topic-3'] });
  });

  it('testOwnedPartitionsAreInvalidatedForConsumerWithStaleGeneration / …WithNoGeneration', () => {
    const topics = ['topic', 'topic2'];
    const owned = ['topic-0', 'topic-2', 'topic2-1'];
    for (const stale of [9, undefined]) {
      const r = assign('sticky', [owning('consumer1', owned, topics, 10), sub('consumer2', topics, { ownedPartitions: parts(...owned), ...(stale ? { generation: stale } : {}) })], {
        topic: 3,
        topic2: 3,
      });
      expect(byMember(r)).toEqual({ consumer1: ['topic-0', 'topic-2', 'topic2-1'], consumer2: ['topic-1', 'topic2-0', 'topic2-2'] });
    }
  });

  it('testEnsurePartitionsAssignedToHighestGeneration', () => {
    const topics = ['topic', 'topic2', 'topic3'];
    const r = assign(
      'sticky',
      [
        owning('consumer1', ['topic-0', 'topic2-0', 'topic3-0'], topics, 10),
        owning('consumer2', ['topic-1', 'topic2-1', 'topic3-1'], topics, 9),
        owning('consumer3', ['topic2-1', 'topic3-0', 'topic3-2'], topics, 8),
      ],
      { topic: 3, topic2: 3, topic3: 3 },
    );
    expect(byMember(r)).toEqual({ consumer1: ['topic-0', 'topic2-0', 'topic3-0'], consumer2: ['topic-1', 'topic2-1', 'topic3-1'], consumer3: ['topic-2', 'topic2-2', 'topic3-2'] });
  });

  it('testNoReassignmentOnCurrentMembers', () => {
    const topics = ['topic', 'topic2', 'topic3', 'topic1'];
    const r = assign(
      'cooperative-sticky',
      [
        sub('consumer1', topics),
        owning('consumer2', ['topic-0', 'topic2-0', 'topic1-0'], topics, 9),
        owning('consumer3', ['topic3-2', 'topic2-2', 'topic1-1'], topics, 8),
        owning('consumer4', ['topic3-1', 'topic-1', 'topic-2'], topics, 7),
      ],
      { topic: 3, topic1: 3, topic2: 3, topic3: 3 },
    );
    expect(byMember(r).consumer1).toEqual(['topic1-2', 'topic2-1', 'topic3-0']);
    expect(r.withheld).toEqual([]);
  });

  it('testAddRemoveConsumerOneTopic: stickiness across generations', () => {
    const first = assign('sticky', [sub('consumer1', ['topic'])], { topic: 3 });
    expect(byMember(first)).toEqual({ consumer1: ['topic-0', 'topic-1', 'topic-2'] });
    const second = assign('cooperative-sticky', [owning('consumer1', ['topic-0', 'topic-1', 'topic-2'], ['topic']), owning('consumer2', [], ['topic'])], { topic: 3 });
    expect(second.withheld.map((w) => [`${w.topic}-${w.partition}`, w.nextOwner])).toEqual([['topic-2', 'consumer2']]);
    expect(byMember(second)).toEqual({ consumer1: ['topic-0', 'topic-1'], consumer2: [] });
  });

  it('partitions claimed by two members of one generation go to neither (CooperativeStickyAssignorTest)', () => {
    const members = () => [owning('consumer1', ['topic-0', 'topic-1'], ['topic']), owning('consumer2', ['topic-0', 'topic-2'], ['topic']), owning('consumer3', [], ['topic'])];
    expect(byMember(assign('cooperative-sticky', members(), { topic: 3 }))).toEqual({ consumer1: ['topic-1'], consumer2: ['topic-2'], consumer3: [] });
    expect(byMember(assign('cooperative-sticky', members(), { topic: 4 }))).toEqual({ consumer1: ['topic-1', 'topic-3'], consumer2: ['topic-2'], consumer3: [] });
    expect(byMember(assign('sticky', members(), { topic: 3 }))).toEqual({ consumer1: ['topic-1'], consumer2: ['topic-2'], consumer3: ['topic-0'] });
  });
});

describe('computed by Kafka (its assignor classes run on the same input)', () => {
  it("the extra partition stays with the member Kafka's HashMap visits first, not the smallest id", () => {
    const members = [
      sub('c1', ['t'], { ownedPartitions: parts('t-0', 't-1', 't-2'), generation: 5 }),
      sub('c2', ['t'], { ownedPartitions: parts('t-3', 't-4', 't-5'), generation: 5 }),
      sub('c3', ['t'], { ownedPartitions: parts('t-6', 't-7', 't-8'), generation: 5 }),
      sub('c4', ['t']),
    ];
    expect(byMember(assign('sticky', members, { t: 9 }))).toEqual({ c1: ['t-0', 't-1'], c2: ['t-3', 't-4'], c3: ['t-6', 't-7', 't-8'], c4: ['t-2', 't-5'] });
    const coop = assign('cooperative-sticky', members, { t: 9 });
    expect(byMember(coop)).toEqual({ c1: ['t-0', 't-1'], c2: ['t-3', 't-4'], c3: ['t-6', 't-7', 't-8'], c4: [] });
    expect(coop.withheld.map((w) => `${w.topic}-${w.partition}>${w.nextOwner}`)).toEqual(['t-2>c4', 't-5>c4']);
  });

  it('mixed generations and a doubly claimed partition, cooperative', () => {
    const r = assign(
      'cooperative-sticky',
      [
        sub('consumer-p', ['B', 'orders'], { groupInstanceId: 'i98-0', ownedPartitions: parts('orders-7', 'orders-4'), generation: 3 }),
        sub('me', ['B', 'orders'], { ownedPartitions: parts('orders-6'), generation: 1 }),
        sub('j', ['B', 'orders'], { ownedPartitions: parts('orders-7', 'B-2') }),
        sub('cx', ['B', 'orders'], { ownedPartitions: parts('B-0', 'orders-7') }),
      ],
      { B: 3, orders: 9 },
    );
    expect(byMember(r)).toEqual({ 'consumer-p': ['B-1', 'orders-3', 'orders-4'], me: ['orders-2', 'orders-6', 'orders-8'], j: ['B-2', 'orders-1'], cx: ['B-0', 'orders-0', 'orders-5'] });
    expect(r.withheld.map((w) => `${w.topic}-${w.partition}>${w.nextOwner}`)).toEqual(['orders-7>j']);
  });

  it('one topic, seven members of three generations', () => {
    const own = (id: string, ps: number[], generation?: number) => sub(id, ['orders'], { ownedPartitions: ps.map((p) => tp('orders', p)), ...(generation ? { generation } : {}) });
    const r = assign('sticky', [own('0', [6, 5, 1], 1), own('m4-c1906', [], 3), own('mz', [1], 1), own('mn', [], 2), own('cw-20c5b', [2, 4], 3), own('cz', [5], 3), own('consumer-n', [5, 9], 1)], {
      orders: 10,
    });
    expect(byMember(r)).toEqual({
      '0': ['orders-6', 'orders-7'],
      'm4-c1906': ['orders-1'],
      mz: ['orders-5'],
      mn: ['orders-3'],
      'cw-20c5b': ['orders-2', 'orders-4'],
      cz: ['orders-0'],
      'consumer-n': ['orders-8', 'orders-9'],
    });
  });
});

describe('docs/api.md', () => {
  it('its assign() example prints what assign() gives', () => {
    const doc = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
    expect(doc).toContain("assign('range', [{ memberId: 'c1', topics: ['orders'] }, { memberId: 'c2', topics: ['orders'] }], { orders: 3 });\n// members: c1 → orders-0, orders-1; c2 → orders-2");
    expect(byMember(assign('range', [sub('c1', ['orders']), sub('c2', ['orders'])], { orders: 3 }))).toEqual({ c1: ['orders-0', 'orders-1'], c2: ['orders-2'] });
  });
});

describe('bad input', () => {
  it.each([
    ['range', [], { t: 1 }, 'members: give at least one member'],
    ['magic', [sub('a', ['t'])], { t: 1 }, 'unknown assignor "magic"; one of range, roundrobin, sticky, cooperative-sticky'],
    ['range', [sub('a', ['t']), sub('a', ['t'])], { t: 1 }, 'member a is given twice'],
    ['range', [sub('a', ['t'], { groupInstanceId: 'x' }), sub('b', ['t'], { groupInstanceId: 'x' })], { t: 1 }, 'group.instance.id x is given to two members'],
    ['range', [sub('a', ['t'])], { t: 0 }, 'topic t: the partition count must be a whole number ≥ 1 (got 0)'],
    ['range', [sub('a', ['bad topic'])], { t: 1 }, 'member a: topics: "bad topic" is not a legal topic name'],
    ['sticky', [sub('a', ['t'], { ownedPartitions: parts('t-3') })], { t: 3 }, 'member a: owns t-3, but t has 3 partitions (0–2)'],
    ['sticky', [sub('a', ['t'], { generation: -2 })], { t: 3 }, 'member a: generation must be a whole number ≥ -1 (got -2)'],
  ] as [AssignorName, GroupMember[], Record<string, number>, string][])('%s %j %j: %s', (name, members, topics, message) => {
    expect(() => assign(name, members, topics)).toThrow(AssignError);
    expect(() => assign(name, members, topics)).toThrow(message);
  });
});

const SEED = Number(process.env.KAFKASIM_ASSIGNOR_SEED ?? 20261202);

/** A random group: up to 4 topics, up to 8 members, identical or random subscriptions. */
const groupArb = (identical: boolean) =>
  fc
    .record({
      counts: fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 4 }),
      ids: fc.uniqueArray(fc.stringMatching(/^[a-z0-9-]{1,8}$/), { minLength: 1, maxLength: 8 }),
      picks: fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 8, maxLength: 8 }),
    })
    .map(({ counts, ids, picks }) => {
      const topics = Object.fromEntries(counts.map((n, i) => [`t${i}`, n]));
      const names = Object.keys(topics);
      const members = ids.map((memberId, i) => {
        const mine = identical ? names : names.filter((_, j) => picks[i]![j]);
        return { memberId, topics: mine.length > 0 ? mine : [names[0]!] };
      });
      return { topics, members };
    });

/** Feeds an assignment back as what each member owns in the next generation. */
function nextGeneration(members: GroupMember[], r: GroupAssignment, generation: number): GroupMember[] {
  return members.map((m, i) => ({ ...m, ownedPartitions: r.members[i]!.partitions, generation }));
}

function allPartitions(topics: Record<string, number>, members: GroupMember[]): string[] {
  const subscribed = new Set(members.flatMap((m) => m.topics));
  return Object.entries(topics)
    .filter(([t]) => subscribed.has(t))
    .flatMap(([t, n]) => Array.from({ length: n }, (_, p) => `${t}-${p}`))
    .sort();
}

describe(`properties (fast-check seed ${SEED}; set KAFKASIM_ASSIGNOR_SEED to vary)`, () => {
  console.log(`assignors.test.ts: fast-check seed ${SEED}`);

  it('range, roundrobin and sticky assign every subscribed partition exactly once, and only to subscribers', () => {
    fc.assert(
      fc.property(groupArb(false), fc.constantFrom<AssignorName>('range', 'roundrobin', 'sticky'), ({ topics, members }, name) => {
        const r = assign(name, members, topics);
        const given = r.members.flatMap((m) => m.partitions.map((p) => `${p.topic}-${p.partition}`)).sort();
        expect(given).toEqual(allPartitions(topics, members));
        r.members.forEach((m, i) => {
          for (const p of m.partitions) expect(members[i]!.topics).toContain(p.topic);
        });
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('sticky with identical subscriptions: counts differ by at most one, in every generation as members come and go', () => {
    fc.assert(
      fc.property(groupArb(true), fc.integer({ min: 0, max: 7 }), ({ topics, members }, drop) => {
        const r1 = assign('sticky', members, topics);
        const counts = (r: GroupAssignment) => r.members.map((m) => m.partitions.length);
        expect(Math.max(...counts(r1)) - Math.min(...counts(r1))).toBeLessThanOrEqual(1);
        const survivors = nextGeneration(members, r1, 1).filter((_, i) => members.length === 1 || i !== drop % members.length);
        const joined = [...survivors, { memberId: 'newcomer!', topics: members[0]!.topics }];
        const r2 = assign('sticky', joined, topics);
        expect(Math.max(...counts(r2)) - Math.min(...counts(r2))).toBeLessThanOrEqual(1);
        // Sticky: a member that stayed keeps min(what it had, its new share) of its partitions.
        r2.members.forEach((m, i) => {
          const had = joined[i]!.ownedPartitions ?? [];
          const kept = m.partitions.filter((p) => had.some((o) => o.topic === p.topic && o.partition === p.partition)).length;
          expect(kept).toBeGreaterThanOrEqual(Math.min(had.length, Math.min(...counts(r2))));
        });
      }),
      { seed: SEED, numRuns: 150 },
    );
  });

  it('cooperative-sticky never gives a partition to a new owner in the rebalance that revokes it, and settles within two more', () => {
    fc.assert(
      fc.property(groupArb(false), fc.integer({ min: 0, max: 7 }), ({ topics, members }, drop) => {
        let group = nextGeneration(members, assign('range', members, topics), 1).filter((_, i) => members.length === 1 || i !== drop % members.length);
        group = [...group, { memberId: 'newcomer!', topics: members[0]!.topics }];
        for (let round = 0; round < 3; round++) {
          const r = assign('cooperative-sticky', group, topics);
          r.members.forEach((m, i) => {
            const owned = group[i]!.ownedPartitions ?? [];
            for (const p of m.partitions) {
              if (owned.some((o) => o.topic === p.topic && o.partition === p.partition)) continue;
              const otherOwner = group.find((g, j) => j !== i && (g.ownedPartitions ?? []).some((o) => o.topic === p.topic && o.partition === p.partition));
              expect(otherOwner?.memberId, `${p.topic}-${p.partition} to ${m.memberId} in round ${round}`).toBeUndefined();
            }
          });
          if (r.withheld.length === 0) return;
          group = nextGeneration(group, r, 2 + round);
        }
        throw new Error('partitions still withheld after three rebalances');
      }),
      { seed: SEED, numRuns: 150 },
    );
  });
});
