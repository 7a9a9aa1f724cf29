/**
 * What the KIP-848 group coordinator hands its assignor (`GroupSpecImpl`, `SubscribedTopicDescriberImpl`,
 * built by `TargetAssignmentBuilder`), with the iteration orders of the Java collections it is made of
 * (kafka-source-notes §15). Topics are identified by their `TopicId`; a `Topic` object stands for one topic
 * and can key a Map or Set.
 */
import { compareJavaStrings, JavaHashOrder, javaHashMapOrder, javaHashSetOrder, javaStringHash } from './java-order.js';
import { type TopicId, topicIdHash } from './topic-id.js';
import type { PartitionPool, TopicPartition } from './types.js';

/** A member as the coordinator knows it. */
export interface ServerMember {
  readonly memberId: string;
  /** group.instance.id of a static member. */
  readonly instanceId: string | undefined;
  /** The topic names it subscribes to, in the order its heartbeat listed them. */
  readonly topics: readonly string[];
  /** Its current target assignment, in the order of the last target-assignment record. Members' assignments do not overlap. */
  readonly assignment: readonly TopicPartition[];
}

export interface ServerAssignorInput {
  /** In the order the coordinator put them into its HashMap of member specs. */
  readonly members: readonly ServerMember[];
  /** The partition count of each topic in the metadata image; a subscribed name absent here is skipped (TopicIds). */
  readonly partitionsPerTopic: ReadonlyMap<string, number>;
  /** The id of every topic in partitionsPerTopic. */
  readonly topicIds: ReadonlyMap<string, TopicId>;
  readonly pool: PartitionPool;
}

/** A topic of the metadata image. */
export interface Topic {
  readonly name: string;
  readonly id: TopicId;
  readonly partitions: number;
}

/** One member's assignment as a `Map<Uuid, Set<Integer>>`: topics and partitions in iteration order. */
export type TopicAssignment = Array<[Topic, number[]]>;

/** The GroupSpec: members in HashMap order, each one's subscription and current assignment in Java's order. */
export interface GroupSpec {
  readonly memberIds: string[];
  readonly instanceIds: ReadonlyMap<string, string | undefined>;
  /** TopicIds: the member's subscribed names in HashSet order, resolved to topics, names without metadata skipped. */
  readonly subscriptions: ReadonlyMap<string, Topic[]>;
  /** How many names each member's subscription holds (TopicIds.size()). */
  readonly subscribedNameCounts: ReadonlyMap<string, number>;
  readonly assignments: ReadonlyMap<string, TopicAssignment>;
  /** ModernGroup.subscriptionType: HOMOGENEOUS when every subscribed name has every member as subscriber. */
  readonly homogeneous: boolean;
  /** isPartitionAssigned, from the inverted target assignment. */
  readonly assigned: ReadonlyMap<Topic, ReadonlySet<number>>;
}

const integerHash = (p: number): number => p;
const topicHash = (t: Topic): number => topicIdHash(t.id);

/**
 * Assignment.fromRecord: a HashMap<Uuid, Set<Integer>> filled in record order, each partition set a
 * `new HashSet<>(list)` of the record's partitions in the order given. Partitions of a topic missing from
 * the metadata are left out: no member can be subscribed to it, so both builders would drop it.
 */
function assignmentOf(member: ServerMember, topics: ReadonlyMap<string, Topic>): TopicAssignment {
  const byTopic = new Map<Topic, number[]>();
  for (const tp of member.assignment) {
    const topic = topics.get(tp.topic);
    if (topic === undefined) continue;
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push(tp.partition);
  }
  const order = new JavaHashOrder<Topic>(topicHash);
  for (const t of byTopic.keys()) order.add(t);
  return order.keys().map((t) => [t, javaHashSetOrder(byTopic.get(t)!, integerHash)]);
}

function isHomogeneous(members: readonly ServerMember[]): boolean {
  const counts = new Map<string, number>();
  for (const m of members) for (const t of new Set(m.topics)) counts.set(t, (counts.get(t) ?? 0) + 1);
  return [...counts.values()].every((n) => n === members.length);
}

/** Builds the GroupSpec the coordinator would build for these members (TargetAssignmentBuilder.build). */
export function groupSpec(input: ServerAssignorInput): GroupSpec {
  const topics = new Map<string, Topic>();
  for (const [name, partitions] of input.partitionsPerTopic) topics.set(name, { name, id: input.topicIds.get(name)!, partitions });
  const byId = new Map(input.members.map((m) => [m.memberId, m]));
  const memberIds = javaHashMapOrder(input.members.map((m) => m.memberId));
  const subscriptions = new Map<string, Topic[]>();
  const assignments = new Map<string, TopicAssignment>();
  const assigned = new Map<Topic, Set<number>>();
  for (const id of memberIds) {
    const m = byId.get(id)!;
    const names = javaHashSetOrder([...new Set(m.topics)], javaStringHash);
    subscriptions.set(
      id,
      names.flatMap((n) => (topics.has(n) ? [topics.get(n)!] : [])),
    );
    const assignment = assignmentOf(m, topics);
    assignments.set(id, assignment);
    for (const [t, ps] of assignment) for (const p of ps) (assigned.get(t) ?? assigned.set(t, new Set()).get(t)!).add(p);
  }
  return {
    memberIds,
    instanceIds: new Map(input.members.map((m) => [m.memberId, m.instanceId])),
    subscriptions,
    subscribedNameCounts: new Map(input.members.map((m) => [m.memberId, new Set(m.topics).size])),
    assignments,
    homogeneous: isHomogeneous(input.members),
    assigned,
  };
}

/** The topic-partition objects of a member's assignment, sorted by topic name then partition. */
export function toPartitions(assignment: TopicAssignment, pool: PartitionPool): TopicPartition[] {
  return assignment.flatMap(([t, ps]) => ps.map((p) => pool.get(t.name, p))).sort((a, b) => compareJavaStrings(a.topic, b.topic) || a.partition - b.partition);
}

/** `new HashSet<>(topicIds)`: the topics of a TopicIds set in the order of a HashSet<Uuid> sized for `size` names. */
export function topicHashSetOrder(topics: readonly Topic[], size: number): Topic[] {
  return javaHashSetOrder(topics, topicHash, size);
}
