/**
 * KIP-848's server-side assignors (Kafka 4.1, group-coordinator/…/assignor/). The expected assignments come
 * from Kafka's own unit tests (OptimizedUniformAssignmentBuilderTest, UniformHeterogeneousAssignmentBuilderTest,
 * RangeAssignorTest: same topic ids, same members) and, in the "computed by Kafka" block, from running
 * Kafka 4.1's classes on the same input. Properties run with fast-check under a fixed seed, printed below.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssignError, assign, type GroupAssignment, type GroupMember, type TopicPartition } from '../../../sim/index.js';
import { serverAssign } from '../../../sim/kafka/group/server-assignors.js';
import { groupSpec, type ServerAssignorInput } from '../../../sim/kafka/group/server-spec.js';
import { compareTopicIds, parseTopicId, topicIdFromName, topicIdHash } from '../../../sim/kafka/group/topic-id.js';
import { PartitionPool } from '../../../sim/kafka/group/types.js';
import { uniformHeterogeneous } from '../../../sim/kafka/group/uniform-heterogeneous.js';

/** The topic ids of Kafka's tests (Uuid.fromString). */
const IDS = { topic1: 'T1-A4s3VTwiI5CTbEp6POw', topic2: 'T2-B4s3VTwiI5YHbPp6YUe', topic3: 'T3-CU8fVTLCz5YMkLoDQsa', topic4: 'T4-Tw9fVTLCz5HbPp6YQsa' };

/** Uuid.hashCode() and compareTo() of two of them, computed on the JVM. */
const JVM = { hash: { topic1: 418407434, topic3: 365927798 }, compareTopic1Topic3: -1 };

/** [member id, subscribed topics, current assignment {topic: partitions}, instance id]. */
type M = [string, string[], Record<string, number[]>?, string?];
type Result = Record<string, Record<string, number[]>>;

function owned(m: M): TopicPartition[] {
  return Object.entries(m[2] ?? {}).flatMap(([topic, ps]) => ps.map((partition) => ({ topic, partition })));
}

function toGroupMembers(members: M[]): GroupMember[] {
  return members.map((m) => ({ memberId: m[0], topics: m[1], ownedPartitions: owned(m), ...(m[3] ? { groupInstanceId: m[3] } : {}) }));
}

/** {member: {topic: partitions}}, empty topics left out. */
function byMember(r: GroupAssignment): Result {
  const out: Result = {};
  for (const m of r.members) {
    out[m.memberId] = {};
    for (const p of m.partitions) (out[m.memberId]![p.topic] ??= []).push(p.partition);
  }
  return out;
}

function uniform(topics: Record<string, number>, members: M[]): Result {
  return byMember(assign('uniform', toGroupMembers(members), topics, { topicIds: IDS }));
}

function serverInput(topics: Record<string, number>, members: M[]): ServerAssignorInput {
  return {
    members: members.map((m) => ({ memberId: m[0], instanceId: m[3], topics: m[1], assignment: owned(m) })),
    partitionsPerTopic: new Map(Object.entries(topics)),
    topicIds: new Map(Object.keys(topics).map((t) => [t, t in IDS ? parseTopicId(IDS[t as keyof typeof IDS])! : topicIdFromName(t)])),
    pool: new PartitionPool(),
  };
}

function serverRange(topics: Record<string, number>, members: M[]): Result {
  const out = serverAssign('range', serverInput(topics, members));
  const r: Result = {};
  for (const [m, ps] of out.assignment) {
    r[m] = {};
    for (const p of ps) (r[m]![p.topic] ??= []).push(p.partition);
  }
  return r;
}

describe('topic ids (Uuid)', () => {
  it('reads and prints Kafka’s text form', () => {
    expect(parseTopicId(IDS.topic1)!.text).toBe(IDS.topic1);
    // The last character carries 4 bits beyond the 16 bytes; Java's decoder ignores them, and so does the parser.
    expect(parseTopicId(IDS.topic2)!.text).toBe('T2-B4s3VTwiI5YHbPp6YUQ');
    expect(parseTopicId('AAAAAAAAAAAAAAAAAAAAAA')!.words).toEqual([0, 0, 0, 0]);
    expect(parseTopicId('AAAAAAAAAAAAAAAAAAAAAQ')!.words).toEqual([0, 0, 0, 1]); // Uuid.ONE_UUID
    expect(parseTopicId('too-short')).toBeUndefined();
  });

  it('hashCode and compareTo as Uuid has them (values from the JVM)', () => {
    const t1 = parseTopicId(IDS.topic1)!;
    const t3 = parseTopicId(IDS.topic3)!;
    expect(topicIdHash(t1)).toBe(JVM.hash.topic1);
    expect(topicIdHash(t3)).toBe(JVM.hash.topic3);
    expect(Math.sign(compareTopicIds(t1, t3))).toBe(JVM.compareTopic1Topic3);
  });

  it('derives a stable id from a name when none is given', () => {
    expect(topicIdFromName('orders').text).toBe(topicIdFromName('orders').text);
    expect(topicIdFromName('orders').text).not.toBe(topicIdFromName('audit').text);
    expect(topicIdFromName('orders').text).toHaveLength(22);
  });
});

describe('uniform, homogeneous (OptimizedUniformAssignmentBuilderTest)', () => {
  it('one member subscribed to nothing gets nothing', () => {
    expect(uniform({ topic1: 3 }, [['A', []]])).toEqual({ A: {} });
  });

  it('a subscription to a topic without metadata: Kafka’s test (topic id given) throws; the coordinator drops the name first', () => {
    expect(uniform({ topic1: 3 }, [['A', ['topic2']]])).toEqual({ A: {} });
  });

  it('first assignment, two members, two topics', () => {
    expect(
      uniform({ topic1: 3, topic3: 2 }, [
        ['A', ['topic1', 'topic3']],
        ['B', ['topic1', 'topic3']],
      ]),
    ).toEqual({ A: { topic3: [0, 1] }, B: { topic1: [0, 1, 2] } });
  });

  it('more members than partitions', () => {
    const members: M[] = ['A', 'B', 'C'].map((id) => [id, ['topic3']]);
    expect(uniform({ topic3: 2 }, members)).toEqual({ A: {}, B: { topic3: [0] }, C: { topic3: [1] } });
  });

  // Kafka's test hands A its assignment as a LinkedHashMap, topic1 first (mkOrderedAssignment), and expects
  // A: topic1 [0, 1], topic2 [0]. The coordinator rebuilds assignments as HashMaps (Assignment.fromRecord), where
  // topic2 (bucket 1 of 16) comes before topic1 (bucket 10), so A keeps topic2 whole: Kafka's classes give this on that input.
  it('reassignment given an unbalanced previous assignment', () => {
    const r = uniform({ topic1: 3, topic2: 3 }, [
      ['A', ['topic1', 'topic2'], { topic1: [0, 1], topic2: [0, 1] }],
      ['B', ['topic1', 'topic2'], { topic1: [2], topic2: [2] }],
    ]);
    expect(r).toEqual({ A: { topic1: [0], topic2: [0, 1] }, B: { topic1: [1, 2], topic2: [2] } });
  });

  it('partitions added', () => {
    const r = uniform({ topic1: 6, topic2: 5 }, [
      ['A', ['topic1', 'topic2'], { topic1: [0, 2], topic2: [0] }],
      ['B', ['topic1', 'topic2'], { topic1: [1], topic2: [1, 2] }],
    ]);
    expect(r).toEqual({ A: { topic1: [0, 2], topic2: [0, 3, 4] }, B: { topic1: [1, 3, 4, 5], topic2: [1, 2] } });
  });

  it('one member added', () => {
    const r = uniform({ topic1: 3, topic2: 3 }, [
      ['A', ['topic1', 'topic2'], { topic1: [0, 2], topic2: [0] }],
      ['B', ['topic1', 'topic2'], { topic1: [1], topic2: [1, 2] }],
      ['C', ['topic1', 'topic2']],
    ]);
    // Kafka's test (LinkedHashMap assignments) expects A: topic1 [0, 2], B: topic1 [1], topic2 [1], C: topic2 [0, 2];
    // with the coordinator's HashMaps topic2 comes first, and Kafka's classes give this.
    expect(r).toEqual({ A: { topic1: [0], topic2: [0] }, B: { topic2: [1, 2] }, C: { topic1: [1, 2] } });
  });

  it('one member removed', () => {
    const r = uniform({ topic1: 3, topic2: 3 }, [
      ['A', ['topic1', 'topic2'], { topic1: [0], topic2: [0] }],
      ['B', ['topic1', 'topic2'], { topic1: [1], topic2: [1] }],
    ]);
    expect(r).toEqual({ A: { topic1: [0], topic2: [0, 2] }, B: { topic1: [1, 2], topic2: [1] } });
  });

  it('one subscription removed', () => {
    const r = uniform({ topic1: 2, topic2: 2 }, [
      ['A', ['topic2'], { topic1: [0], topic2: [0] }],
      ['B', ['topic2'], { topic1: [1], topic2: [1] }],
    ]);
    expect(r).toEqual({ A: { topic2: [0] }, B: { topic2: [1] } });
  });

  it('stickiness when already balanced (KAFKA-18688): nothing moves', () => {
    // Kafka's test also subscribes B and C to a topic without metadata; here all three do, which keeps it homogeneous.
    const members: M[] = [
      ['A', ['topic1', 'topic2'], { topic1: [0, 3] }],
      ['B', ['topic1', 'topic2'], { topic1: [1] }],
      ['C', ['topic1', 'topic2'], { topic1: [2, 4] }],
    ];
    expect(uniform({ topic1: 5 }, members)).toEqual({ A: { topic1: [0, 3] }, B: { topic1: [1] }, C: { topic1: [2, 4] } });
  });
});

describe('uniform, heterogeneous (UniformHeterogeneousAssignmentBuilderTest)', () => {
  it('members subscribed to topics without metadata: Kafka’s test (ids given) throws; via TopicIds they get nothing', () => {
    expect(
      uniform({ topic1: 3 }, [
        ['A', ['topic3']],
        ['B', ['topic2']],
      ]),
    ).toEqual({ A: {}, B: {} });
  });

  it('one member subscribed to nothing (testFirstAssignmentWithTwoMembersIncludingOneWithoutSubscriptions)', () => {
    expect(
      uniform({ topic1: 3 }, [
        ['A', ['topic1']],
        ['B', []],
      ]),
    ).toEqual({ A: { topic1: [0, 1, 2] }, B: {} });
  });

  it('first assignment, two members, two topics', () => {
    const r = uniform({ topic1: 3, topic3: 6 }, [
      ['A', ['topic1', 'topic3']],
      ['B', ['topic3']],
    ]);
    expect(r).toEqual({ A: { topic1: [0, 1, 2], topic3: [4] }, B: { topic3: [0, 1, 2, 3, 5] } });
  });

  it('more members than partitions', () => {
    const r = uniform({ topic1: 2, topic3: 1 }, [
      ['A', ['topic3']],
      ['B', ['topic3']],
      ['C', ['topic1']],
    ]);
    expect(r).toEqual({ A: { topic3: [0] }, B: {}, C: { topic1: [0, 1] } });
  });

  it('reassignment, two members, three topics, unbalanced', () => {
    const r = uniform({ topic1: 6, topic2: 4, topic3: 4 }, [
      ['A', ['topic1'], { topic1: [0, 1, 2] }],
      ['B', ['topic1', 'topic2'], { topic1: [3], topic2: [0] }],
      ['C', ['topic1', 'topic2', 'topic3'], { topic1: [4, 5], topic2: [1, 2, 3], topic3: [0, 1, 2, 3] }],
    ]);
    expect(r).toEqual({ A: { topic1: [0, 1, 2, 5] }, B: { topic1: [3], topic2: [0, 1, 2, 3] }, C: { topic1: [4], topic3: [0, 1, 2, 3] } });
  });

  it('partitions added', () => {
    const r = uniform({ topic1: 6, topic2: 5, topic3: 3, topic4: 3 }, [
      ['A', ['topic1', 'topic3'], { topic1: [0, 1, 2, 3], topic3: [0, 1] }],
      ['B', ['topic1', 'topic2', 'topic3', 'topic4'], { topic2: [0, 1, 2], topic4: [0, 1, 2] }],
    ]);
    expect(r).toEqual({ A: { topic1: [0, 1, 2, 3, 4, 5], topic3: [0, 1, 2] }, B: { topic2: [0, 1, 2, 3, 4], topic4: [0, 1, 2] } });
  });

  it('one member added and partitions added', () => {
    const r = uniform({ topic1: 6, topic2: 7 }, [
      ['A', ['topic1'], { topic1: [0, 2], topic2: [0] }],
      ['B', ['topic1', 'topic2'], { topic1: [1], topic2: [1, 2] }],
      ['C', ['topic1', 'topic2']],
    ]);
    expect(r).toEqual({ A: { topic1: [0, 2, 3, 4, 5] }, B: { topic1: [1], topic2: [1, 2, 6] }, C: { topic2: [0, 3, 4, 5] } });
  });

  it('one member removed', () => {
    const r = uniform({ topic1: 3, topic2: 8, topic3: 3 }, [
      ['A', ['topic1', 'topic3'], { topic1: [0, 1, 2], topic3: [0, 1] }],
      ['B', ['topic2'], { topic2: [3, 4, 5, 6] }],
    ]);
    expect(r).toEqual({ A: { topic1: [0, 1, 2], topic3: [0, 1, 2] }, B: { topic2: [0, 1, 2, 3, 4, 5, 6, 7] } });
  });

  it('one subscription removed', () => {
    const r = uniform({ topic1: 3, topic2: 5 }, [
      ['A', ['topic1'], { topic1: [0, 2], topic2: [1, 3] }],
      ['B', ['topic1', 'topic2'], { topic1: [1], topic2: [0, 2, 4] }],
    ]);
    expect(r).toEqual({ A: { topic1: [0, 1, 2] }, B: { topic2: [0, 1, 2, 3, 4] } });
  });

  it('partitions run out and a member has none (the builder run on identical subscriptions)', () => {
    const input = serverInput({ topic1: 2, topic2: 2, topic3: 2 }, [
      ['A', ['topic1', 'topic2', 'topic3'], { topic1: [0, 1], topic2: [0, 1], topic3: [0, 1] }],
      ['B', ['topic1', 'topic2', 'topic3']],
    ]);
    const target = uniformHeterogeneous({ ...groupSpec(input), homogeneous: false });
    const r = Object.fromEntries([...target].map(([m, a]) => [m, Object.fromEntries(a.map(([t, ps]) => [t.name, [...ps].sort((x, y) => x - y)]))]));
    expect(r).toEqual({ A: { topic2: [0], topic3: [0, 1] }, B: { topic1: [0, 1], topic2: [1] } });
  });
});

/**
 * Groups run through Kafka 4.1's UniformAssignor (the classes compiled from the 4.1.0 release) with each
 * member's subscription a HashSet of names, its assignment a HashMap of `new HashSet<>(list)` and the members
 * put into a HashMap in the order listed, as TargetAssignmentBuilder does. Format: `assignor|topic:id:partitions,…|
 * member;instance;topics;owned partitions|…`, then `path|member=partitions|…`. The ids are those kafkasim derives
 * from the names t0…t3.
 */
const KAFKA_COMPUTED: [string, string][] = [
  [
    'uniform|t0:NGbv3jNORtgKeXPbmhhNcQ:25,t1:JIixF_4NjnKQJhlbTxIKOQ:6|consumer-2;;t0,t1;t0-3,t0-2|A;;t0,t1;t1-4,t1-5|c10;;t0,t1;t0-23,t0-24,t0-11|B;;t0,t1;t0-12,t1-0,t0-19,t0-17,t0-21|Aa;i-Aa;t0,t1;t0-1,t0-22',
    'homogeneous|consumer-2=t0-2,t0-3,t0-18,t0-20,t1-1,t1-2,t1-3|A=t0-7,t0-8,t0-9,t0-10,t1-4,t1-5|c10=t0-11,t0-14,t0-15,t0-16,t0-23,t0-24|B=t0-12,t0-13,t0-17,t0-19,t0-21,t1-0|Aa=t0-0,t0-1,t0-4,t0-5,t0-6,t0-22',
  ],
  [
    'uniform|t0:NGbv3jNORtgKeXPbmhhNcQ:40,t1:JIixF_4NjnKQJhlbTxIKOQ:3|c9;;t1,ghost;t0-19,t0-5,t0-2,t0-9,t0-22,t0-27,t0-21|Aa;i-Aa;t1,ghost;t0-24,t0-33,t0-6|c6;i-c6;t1,ghost;t0-39,t0-36,t0-20,t0-29',
    'homogeneous|c9=t1-2|Aa=t1-0|c6=t1-1',
  ],
  [
    'uniform|t0:NGbv3jNORtgKeXPbmhhNcQ:22,t1:JIixF_4NjnKQJhlbTxIKOQ:12,t2:C2LccDkdntTMUjjzsS3XoQ:20|c7;;t0,t2;t1-10|c5;i-c5;t0,t2;t1-1,t0-2,t1-8,t0-18,t1-2|c2;i-c2;t0,t2;t2-0,t0-19,t0-15,t1-5,t1-9',
    'homogeneous|c7=t0-13,t0-14,t0-16,t0-17,t0-20,t0-21,t2-1,t2-2,t2-3,t2-4,t2-5,t2-6,t2-7,t2-8|c5=t0-0,t0-1,t0-2,t0-3,t0-4,t0-5,t0-6,t0-7,t0-8,t0-9,t0-10,t0-11,t0-12,t0-18|c2=t0-15,t0-19,t2-0,t2-9,t2-10,t2-11,t2-12,t2-13,t2-14,t2-15,t2-16,t2-17,t2-18,t2-19',
  ],
  [
    'uniform|t0:NGbv3jNORtgKeXPbmhhNcQ:16,t1:JIixF_4NjnKQJhlbTxIKOQ:18|c1;;t0,t1;t0-3,t1-6|x;i-x;t0,t1;t1-2,t1-1|c2;;t0,t1;t0-10,t0-4,t1-15,t0-0|BB;i-BB;t0,t1;t0-11|consumer-1;;t0,t1;t1-11,t0-15,t1-0',
    'homogeneous|c1=t0-3,t1-6,t1-8,t1-9,t1-10,t1-12,t1-13|x=t0-8,t0-9,t0-12,t0-13,t0-14,t1-1,t1-2|c2=t0-0,t0-4,t0-10,t1-14,t1-15,t1-16,t1-17|BB=t0-1,t0-2,t0-5,t0-6,t0-7,t0-11|consumer-1=t0-15,t1-0,t1-3,t1-4,t1-5,t1-7,t1-11',
  ],
  [
    'uniform|t0:NGbv3jNORtgKeXPbmhhNcQ:40|c7;i-c7;t0;t0-5,t0-17|c10;i-c10;t0;t0-13,t0-15,t0-19|consumer-1;;t0;t0-9,t0-37,t0-35,t0-12,t0-4|c5;;t0;t0-7',
    'homogeneous|c7=t0-5,t0-17,t0-25,t0-26,t0-27,t0-28,t0-29,t0-30,t0-31,t0-32|c10=t0-13,t0-15,t0-16,t0-18,t0-19,t0-20,t0-21,t0-22,t0-23,t0-24|consumer-1=t0-4,t0-9,t0-12,t0-33,t0-34,t0-35,t0-36,t0-37,t0-38,t0-39|c5=t0-0,t0-1,t0-2,t0-3,t0-6,t0-7,t0-8,t0-10,t0-11,t0-14',
  ],
  [
    'uniform|t0:NGbv3jNORtgKeXPbmhhNcQ:20,t1:JIixF_4NjnKQJhlbTxIKOQ:1,t2:C2LccDkdntTMUjjzsS3XoQ:4|c8;i-c8;t1,ghost;t0-18,t2-2,t0-4,t0-15,t0-17|Aa;i-Aa;t1,ghost;t0-9,t2-1,t0-8,t0-6|c4;;t1,ghost;',
    'homogeneous|c8=t1-0|Aa=|c4=',
  ],
  ['uniform|t0:NGbv3jNORtgKeXPbmhhNcQ:11|B;;;t0-3,t0-6|c5;;ghost;t0-8|consumer-1;i-consumer-1;;', 'heterogeneous|B=|c5=|consumer-1='],
  [
    'uniform|t0:NGbv3jNORtgKeXPbmhhNcQ:30,t1:JIixF_4NjnKQJhlbTxIKOQ:35|x;i-x;;t0-8,t1-34,t0-15,t0-29,t1-18,t1-19|consumer-1;;t0,t1;t1-1,t1-0,t0-20,t0-5,t1-28,t1-21|Aa;;;t1-3,t0-27,t0-16,t1-23,t0-19|consumer-2;i-consumer-2;t1;t1-26,t0-6,t1-8,t1-22',
    'heterogeneous|x=|consumer-1=t0-0,t0-1,t0-2,t0-3,t0-4,t0-5,t0-6,t0-7,t0-8,t0-9,t0-10,t0-11,t0-12,t0-13,t0-14,t0-15,t0-16,t0-17,t0-18,t0-19,t0-20,t0-21,t0-22,t0-23,t0-24,t0-25,t0-26,t0-27,t0-28,t0-29,t1-0,t1-1,t1-21|Aa=|consumer-2=t1-2,t1-3,t1-4,t1-5,t1-6,t1-7,t1-8,t1-9,t1-10,t1-11,t1-12,t1-13,t1-14,t1-15,t1-16,t1-17,t1-18,t1-19,t1-20,t1-22,t1-23,t1-24,t1-25,t1-26,t1-27,t1-28,t1-29,t1-30,t1-31,t1-32,t1-33,t1-34',
  ],
  [
    'uniform|t0:NGbv3jNORtgKeXPbmhhNcQ:24|c10;i-c10;t0;t0-7,t0-18|c9;i-c9;ghost;t0-14|c1;i-c1;t0;t0-10,t0-8,t0-12|C;;t0,ghost;t0-0,t0-23|c6;i-c6;t0,ghost;t0-1',
    'heterogeneous|c10=t0-4,t0-7,t0-9,t0-15,t0-18,t0-20|c9=|c1=t0-8,t0-10,t0-12,t0-13,t0-17,t0-22|C=t0-0,t0-5,t0-11,t0-16,t0-21,t0-23|c6=t0-1,t0-2,t0-3,t0-6,t0-14,t0-19',
  ],
  [
    'uniform|t0:NGbv3jNORtgKeXPbmhhNcQ:22,t1:JIixF_4NjnKQJhlbTxIKOQ:25|c3;i-c3;t0,t1;t1-7,t0-4,t1-16,t1-8|consumer-1;i-consumer-1;;t0-1,t0-2,t1-4,t1-1|BB;i-BB;t1;t0-18,t1-18,t1-3|A;i-A;t0,ghost;t1-21,t0-8,t0-0,t1-10|c2;;t0;t0-21,t0-14,t0-11',
    'heterogeneous|c3=t1-4,t1-6,t1-7,t1-8,t1-10,t1-12,t1-14,t1-16,t1-17,t1-20,t1-22,t1-24|consumer-1=|BB=t1-0,t1-1,t1-2,t1-3,t1-5,t1-9,t1-11,t1-13,t1-15,t1-18,t1-19,t1-21,t1-23|A=t0-0,t0-1,t0-2,t0-5,t0-7,t0-8,t0-10,t0-13,t0-16,t0-18,t0-20|c2=t0-3,t0-4,t0-6,t0-9,t0-11,t0-12,t0-14,t0-15,t0-17,t0-19,t0-21',
  ],
  [
    'uniform|t0:NGbv3jNORtgKeXPbmhhNcQ:9,t1:JIixF_4NjnKQJhlbTxIKOQ:26,t2:C2LccDkdntTMUjjzsS3XoQ:6|c4;;t0,t1,t2,ghost;t1-13,t2-1|c2;;t0;t1-11,t1-22,t2-2|consumer-2;;t2;t1-23,t1-9',
    'heterogeneous|c4=t1-0,t1-1,t1-2,t1-3,t1-4,t1-5,t1-6,t1-7,t1-8,t1-9,t1-10,t1-11,t1-12,t1-13,t1-14,t1-15,t1-16,t1-17,t1-18,t1-19,t1-20,t1-21,t1-22,t1-23,t1-24,t1-25|c2=t0-0,t0-1,t0-2,t0-3,t0-4,t0-5,t0-6,t0-7,t0-8|consumer-2=t2-0,t2-1,t2-2,t2-3,t2-4,t2-5',
  ],
  [
    'uniform|t0:NGbv3jNORtgKeXPbmhhNcQ:1,t1:JIixF_4NjnKQJhlbTxIKOQ:26,t2:C2LccDkdntTMUjjzsS3XoQ:9|c2;;t1,ghost;t2-5,t1-6|Aa;;t1,ghost;t2-4,t1-24,t2-0,t1-0,t1-2,t1-19,t2-6|A;i-A;t0,ghost;t1-7,t2-3',
    'heterogeneous|c2=t1-1,t1-3,t1-4,t1-5,t1-6,t1-8,t1-10,t1-12,t1-14,t1-16,t1-18,t1-21,t1-23|Aa=t1-0,t1-2,t1-7,t1-9,t1-11,t1-13,t1-15,t1-17,t1-19,t1-20,t1-22,t1-24,t1-25|A=t0-0',
  ],
];

function parseCase(line: string): ServerAssignorInput {
  const [, topicText, ...memberTexts] = line.split('|');
  const topics = topicText!.split(',').map((t) => t.split(':'));
  return {
    members: memberTexts.map((m) => {
      const [memberId, instance, subscribed, owns] = m.split(';');
      const assignment = owns ? owns.split(',').map((tp) => ({ topic: tp.slice(0, tp.lastIndexOf('-')), partition: Number(tp.slice(tp.lastIndexOf('-') + 1)) })) : [];
      return { memberId: memberId!, instanceId: instance || undefined, topics: subscribed ? subscribed.split(',') : [], assignment };
    }),
    partitionsPerTopic: new Map(topics.map(([n, , c]) => [n!, Number(c)])),
    topicIds: new Map(topics.map(([n, id]) => [n!, parseTopicId(id!)!])),
    pool: new PartitionPool(),
  };
}

describe('uniform, computed by Kafka 4.1', () => {
  it.each(KAFKA_COMPUTED)('%s', (line, expected) => {
    const input = parseCase(line);
    const out = serverAssign('uniform', input);
    const got = [
      out.path,
      ...input.members.map(
        (m) =>
          `${m.memberId}=${out.assignment
            .get(m.memberId)!
            .map((p) => `${p.topic}-${p.partition}`)
            .join(',')}`,
      ),
    ].join('|');
    expect(got).toBe(expected);
  });

  it('the ids in those lines are the ones derived from the names', () => {
    for (const [name, id] of [...parseCase(KAFKA_COMPUTED[0]![0]).topicIds]) expect(topicIdFromName(name).text).toBe(id.text);
  });
});

describe('range, server side (RangeAssignorTest)', () => {
  it('same subscriptions', () => {
    expect(
      serverRange({ topic1: 3, topic3: 2 }, [
        ['A', ['topic1', 'topic3']],
        ['B', ['topic1', 'topic3']],
      ]),
    ).toEqual({ A: { topic1: [0, 1], topic3: [0] }, B: { topic1: [2], topic3: [1] } });
  });

  it('different subscriptions', () => {
    const r = serverRange({ topic1: 3, topic2: 3, topic3: 2 }, [
      ['A', ['topic1', 'topic2']],
      ['B', ['topic3']],
      ['C', ['topic2', 'topic3']],
    ]);
    expect(r).toEqual({ A: { topic1: [0, 1, 2], topic2: [0, 1] }, B: { topic3: [0] }, C: { topic2: [2], topic3: [1] } });
  });

  it('static members keep their ranges when they come back under a new member id', () => {
    const before = serverRange({ topic1: 5 }, [
      ['A', ['topic1'], {}, 'instanceA'],
      ['C', ['topic1'], {}, 'instanceC'],
      ['B', ['topic1']],
    ]);
    const after = serverRange({ topic1: 5 }, [
      ['memberA1', ['topic1'], {}, 'instanceA'],
      ['C', ['topic1'], {}, 'instanceC'],
      ['B', ['topic1']],
    ]);
    expect(after.memberA1).toEqual(before.A);
    expect(after.B).toEqual(before.B);
    expect(after.C).toEqual(before.C);
  });
});

const SEED = Number(process.env.KAFKASIM_ASSIGNOR_SEED ?? 20261202);
const MEMBER_IDS = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7', 'c8', 'A', 'B', 'Aa', 'BB', 'consumer-1'];

/** A group: 1–4 topics of 1–40 partitions, 1–9 members with identical or random subscriptions, a random disjoint current assignment. */
const groupArb = (identical: boolean) =>
  fc
    .record({
      counts: fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 4 }),
      ids: fc.uniqueArray(fc.constantFrom(...MEMBER_IDS), { minLength: 1, maxLength: 9 }),
      subs: fc.array(fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), { minLength: 9, maxLength: 9 }),
      owners: fc.array(fc.integer({ min: -3, max: 8 }), { minLength: 160, maxLength: 160 }),
    })
    .map(({ counts, ids, subs, owners }) => {
      const topics = Object.fromEntries(counts.map((n, i) => [`t${i}`, n]));
      const names = Object.keys(topics);
      const members: GroupMember[] = ids.map((memberId, i) => ({ memberId, topics: names.filter((_, t) => subs[identical ? 0 : i]![t]), ownedPartitions: [] as TopicPartition[] }));
      let k = 0;
      for (const t of names)
        for (let p = 0; p < topics[t]!; p++) {
          const o = owners[k++ % owners.length]!;
          if (o >= 0 && o < members.length) (members[o]!.ownedPartitions as TopicPartition[]).push({ topic: t, partition: p });
        }
      return { topics, members };
    });

describe(`properties (fast-check seed ${SEED}; set KAFKASIM_ASSIGNOR_SEED to vary)`, () => {
  console.log(`server-assignors.test.ts: fast-check seed ${SEED}`);

  it('uniform assigns every subscribed partition exactly once, to a subscriber, and nothing else', () => {
    fc.assert(
      fc.property(groupArb(false), ({ topics, members }) => {
        const r = assign('uniform', members, topics);
        const seen = new Map<string, string>();
        r.members.forEach((m, i) => {
          for (const p of m.partitions) {
            expect(members[i]!.topics).toContain(p.topic);
            expect(seen.has(`${p.topic}-${p.partition}`)).toBe(false);
            seen.set(`${p.topic}-${p.partition}`, m.memberId);
          }
        });
        const subscribed = new Set(members.flatMap((m) => m.topics));
        expect(seen.size).toBe([...subscribed].reduce((n, t) => n + topics[t]!, 0));
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('uniform, identical subscriptions: the sizes differ by at most one', () => {
    fc.assert(
      fc.property(groupArb(true), ({ topics, members }) => {
        const sizes = assign('uniform', members, topics).members.map((m) => m.partitions.length);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('uniform is sticky: run again on its own result with the same members, nothing moves', () => {
    fc.assert(
      fc.property(groupArb(false), ({ topics, members }) => {
        const first = assign('uniform', members, topics);
        const again = assign(
          'uniform',
          members.map((m, i) => ({ ...m, ownedPartitions: first.members[i]!.partitions })),
          topics,
        );
        expect(byMember(again)).toEqual(byMember(first));
        expect(again.members.every((m) => m.revoked.length === 0)).toBe(true);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('uniform, identical subscriptions: a member that stays keeps at least min(what it had, the new minimum quota)', () => {
    fc.assert(
      fc.property(groupArb(true), ({ topics, members }) => {
        const r = assign('uniform', members, topics);
        const total = r.members.reduce((n, m) => n + m.partitions.length, 0);
        const minQuota = Math.floor(total / members.length);
        r.members.forEach((m, i) => {
          const subscribed = (p: TopicPartition) => members[i]!.topics.includes(p.topic);
          const had = (members[i]!.ownedPartitions ?? []).filter(subscribed).length;
          const kept = had - m.revoked.filter(subscribed).length;
          expect(kept).toBeGreaterThanOrEqual(Math.min(had, minQuota));
        });
      }),
      { seed: SEED, numRuns: 300 },
    );
  });

  it('the server-side range gives what the client range gives', () => {
    fc.assert(
      fc.property(groupArb(false), fc.array(fc.boolean(), { minLength: 9, maxLength: 9 }), ({ topics, members }, statics) => {
        const withIds = members.map((m, i) => (statics[i] ? { ...m, groupInstanceId: `i-${m.memberId}` } : m));
        const client = byMember(assign('range', withIds, topics));
        const server = serverRange(
          topics,
          withIds.map((m): M => [m.memberId, [...m.topics], {}, m.groupInstanceId]),
        );
        expect(server).toEqual(client);
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});

describe('assign("uniform") input checks', () => {
  it('refuses a partition owned by two members', () => {
    const members = toGroupMembers([
      ['A', ['topic1'], { topic1: [0] }],
      ['B', ['topic1'], { topic1: [0] }],
    ]);
    expect(() => assign('uniform', members, { topic1: 2 })).toThrow(AssignError);
  });

  it('refuses a topic id that is not one', () => {
    expect(() => assign('uniform', toGroupMembers([['A', ['topic1']]]), { topic1: 2 }, { topicIds: { topic1: 'nope' } })).toThrow(/not a topic id/);
  });

  it('reports the path and the topic ids used', () => {
    const r = assign(
      'uniform',
      toGroupMembers([
        ['A', ['orders']],
        ['B', ['orders', 'audit']],
      ]),
      { orders: 4, audit: 2 },
    );
    expect(r.path).toBe('heterogeneous');
    expect(r.topicIds).toEqual({ orders: topicIdFromName('orders').text, audit: topicIdFromName('audit').text });
  });
});
