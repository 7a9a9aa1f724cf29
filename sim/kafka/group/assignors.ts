/**
 * Kafka's client-side partition assignors (partition.assignment.strategy), as pure functions: `range`,
 * `roundrobin`, `sticky` and `cooperative-sticky`, giving the assignment the Java classes of the
 * Kafka clients (trunk of October 2024, 4.0.0-SNAPSHOT) give for the same subscriptions (kafka-source-notes
 * §13); and the KIP-848 server-side `uniform` of Kafka 4.1 (§15; the server-side `range` gives what the
 * client's does). range and the sticky assignors are rack-aware as since Kafka 3.5 (KIP-881) when members have
 * a rack (client.rack) and partitions' replicas have racks (broker.rack); roundrobin is not, and neither is
 * Kafka 4.1's uniform (its rack-aware code was removed before release, KAFKA-16694).
 */
import { compareJavaStrings, javaHashMapOrder } from './java-order.js';
import { rangeAssign } from './range.js';
import { serverAssign } from './server-assignors.js';
import { stickyAssign } from './sticky.js';
import { parseTopicId, type TopicId, topicIdFromName } from './topic-id.js';
import { type AssignorInput, type AssignorOutput, PartitionPool, type Subscription, type TopicPartition } from './types.js';

export { AssignorFailure, type TopicPartition } from './types.js';

/**
 * The assignors, by the name `partition.assignment.strategy` and `ConsumerPartitionAssignor.name()` use, and
 * `uniform`, the KIP-848 server-side assignor (`group.remote.assignor`; `ConsumerGroupPartitionAssignor.name()`).
 */
export const ASSIGNOR_NAMES = ['range', 'roundrobin', 'sticky', 'cooperative-sticky', 'uniform'] as const;
export type AssignorName = (typeof ASSIGNOR_NAMES)[number];

/** Options of `assign`. */
export interface AssignOptions {
  /**
   * uniform: topic ids (Uuid.toString(), 22 characters of URL-safe base64) by topic name. They decide the
   * order of topics in Kafka's Uuid-keyed sets; a topic without one gets an id derived from its name.
   */
  readonly topicIds?: Readonly<Record<string, string>>;
  /**
   * range and the sticky assignors (KIP-881): the racks (broker.rack) of each partition's replicas, by topic
   * name, one list per partition in partition order: `{ orders: [['a', 'b'], ['b', 'c'], ['c', 'a']] }`.
   * A topic left out, or a replica without a rack, has none. Other assignors ignore it.
   */
  readonly partitionRacks?: Readonly<Record<string, readonly (readonly string[])[]>>;
  /**
   * AbstractPartitionAssignor.preferRackAwareLogic, a switch of Kafka's unit tests (never set in a real
   * consumer): use the rack-aware logic even when every partition has replicas on every rack.
   */
  readonly preferRackAwareLogic?: boolean;
}

/** A member of the group as the leader sees it in the JoinGroup response. */
export interface GroupMember {
  readonly memberId: string;
  /** group.instance.id of a static member (KIP-345). */
  readonly groupInstanceId?: string;
  /** The topics it subscribes to. */
  readonly topics: readonly string[];
  /** What it owns now (the sticky assignors keep it where they can; range and roundrobin ignore it); for uniform, its current target assignment. */
  readonly ownedPartitions?: readonly TopicPartition[];
  /** The generation in which it got ownedPartitions (absent: Kafka's DEFAULT_GENERATION, −1); uniform ignores it. */
  readonly generation?: number;
  /** Its client.rack (Subscription.rackId, KIP-881); absent or empty: none. Only range and the sticky assignors use it. */
  readonly rack?: string;
}

export interface MemberAssignment {
  readonly memberId: string;
  readonly groupInstanceId?: string;
  /** Its partitions, sorted by topic then partition. */
  readonly partitions: TopicPartition[];
  /** Partitions it owned and no longer gets (cooperative-sticky: revoked now, possibly reassigned next round). */
  readonly revoked: TopicPartition[];
}

/** A partition cooperative-sticky holds back for one rebalance: its owners revoke it first, then `nextOwner` gets it. */
export interface WithheldPartition extends TopicPartition {
  readonly owners: string[];
  readonly nextOwner: string;
}

export interface GroupAssignment {
  readonly assignor: AssignorName;
  /**
   * The sticky assignors: which of AbstractStickyAssignor's algorithms ran (identical subscriptions → constrained);
   * uniform: which builder (the group's SubscriptionType: every member subscribes to the same names → homogeneous).
   */
  readonly path?: 'constrained' | 'general' | 'homogeneous' | 'heterogeneous';
  /**
   * true when range or a sticky assignor used its rack-aware logic: some member's rack holds replicas and some
   * partition is not on every rack (AbstractPartitionAssignor.useRackAwareAssignment). Absent otherwise.
   */
  readonly rackAware?: true;
  /** uniform: the topic id used for each topic, given or derived from its name. */
  readonly topicIds?: Record<string, string>;
  /** One per member, in the order given. */
  readonly members: MemberAssignment[];
  /** cooperative-sticky only (else empty): sorted by topic then partition. */
  readonly withheld: WithheldPartition[];
}

/** Bad input to `assign`. */
export class AssignError extends Error {}

/** Largest inputs accepted (the general sticky algorithm is far from linear). */
export const ASSIGN_LIMITS = { members: 2000, partitions: 20000 } as const;

function comparePartitions(a: TopicPartition, b: TopicPartition): number {
  return compareJavaStrings(a.topic, b.topic) || a.partition - b.partition;
}

/** AbstractPartitionAssignor.MemberInfo.compareTo: static members first by group.instance.id, then member id. */
function compareMembers(a: Subscription & { id: string }, b: Subscription & { id: string }): number {
  if (a.groupInstanceId !== undefined && b.groupInstanceId !== undefined) return compareJavaStrings(a.groupInstanceId, b.groupInstanceId);
  if (a.groupInstanceId !== undefined) return -1;
  if (b.groupInstanceId !== undefined) return 1;
  return compareJavaStrings(a.id, b.id);
}

function emptyAssignment(input: AssignorInput): Map<string, TopicPartition[]> {
  return new Map(input.members.map((m) => [m, []]));
}

function membersSorted(input: AssignorInput, filter: (s: Subscription) => boolean): string[] {
  return input.members
    .map((id) => ({ ...input.subscriptions.get(id)!, id }))
    .filter(filter)
    .sort(compareMembers)
    .map((m) => m.id);
}

/** RoundRobinAssignor.assign: all partitions (topics in name order) dealt round the members in MemberInfo order, skipping non-subscribers. */
function roundRobinAssign(input: AssignorInput): AssignorOutput {
  const assignment = emptyAssignment(input);
  const ring = membersSorted(input, () => true);
  const topics = [...new Set(input.members.flatMap((m) => input.subscriptions.get(m)!.topics))].sort(compareJavaStrings);
  let next = 0;
  for (const topic of topics) {
    const count = input.partitionsPerTopic.get(topic);
    if (count === undefined) continue;
    for (let p = 0; p < count; p++) {
      while (!input.subscriptions.get(ring[next]!)!.topics.includes(topic)) next = (next + 1) % ring.length;
      assignment.get(ring[next]!)!.push(input.pool.get(topic, p));
      next = (next + 1) % ring.length;
    }
  }
  return { assignment };
}

const TOPIC_NAME = /^[a-zA-Z0-9._-]{1,249}$/;

function checkTopicName(name: unknown, where: string): string {
  if (typeof name !== 'string' || !TOPIC_NAME.test(name) || name === '.' || name === '..')
    throw new AssignError(`${where}: ${JSON.stringify(name)} is not a legal topic name (1–249 of a-z A-Z 0-9 . _ -, not "." or "..")`);
  return name;
}

function checkTopics(partitionsPerTopic: Readonly<Record<string, number>>): Map<string, number> {
  if (partitionsPerTopic === null || typeof partitionsPerTopic !== 'object') throw new AssignError('topics: expected an object of topic name → partition count');
  const out = new Map<string, number>();
  for (const [topic, count] of Object.entries(partitionsPerTopic)) {
    checkTopicName(topic, 'topics');
    if (!Number.isInteger(count) || count < 1) throw new AssignError(`topic ${topic}: the partition count must be a whole number ≥ 1 (got ${JSON.stringify(count)})`);
    out.set(topic, count);
  }
  const total = [...out.values()].reduce((a, b) => a + b, 0);
  if (total > ASSIGN_LIMITS.partitions) throw new AssignError(`${total} partitions in all: at most ${ASSIGN_LIMITS.partitions} are accepted`);
  return out;
}

function checkOwned(m: GroupMember, topics: ReadonlyMap<string, number>, pool: PartitionPool): TopicPartition[] {
  const where = `member ${m.memberId}`;
  if (m.ownedPartitions === undefined) return [];
  if (!Array.isArray(m.ownedPartitions)) throw new AssignError(`${where}: ownedPartitions must be a list`);
  const owned: TopicPartition[] = [];
  for (const tp of m.ownedPartitions) {
    const topic = checkTopicName((tp as TopicPartition | null)?.topic, `${where}: ownedPartitions`);
    const p = tp.partition;
    const count = topics.get(topic);
    if (!Number.isInteger(p) || p < 0) throw new AssignError(`${where}: owned partition ${topic}-${String(p)}: the partition must be a whole number ≥ 0`);
    if (count !== undefined && p >= count) throw new AssignError(`${where}: owns ${topic}-${p}, but ${topic} has ${count} partition${count === 1 ? '' : 's'} (0–${count - 1})`);
    const interned = pool.get(topic, p);
    if (owned.includes(interned)) throw new AssignError(`${where}: owns ${topic}-${p} twice`);
    owned.push(interned);
  }
  return owned;
}

function checkMember(m: GroupMember, topics: ReadonlyMap<string, number>, pool: PartitionPool): Subscription {
  if (m === null || typeof m !== 'object') throw new AssignError('members: each member must be an object');
  if (typeof m.memberId !== 'string' || m.memberId === '') throw new AssignError('members: each member needs a non-empty memberId');
  const where = `member ${m.memberId}`;
  if (m.groupInstanceId !== undefined && (typeof m.groupInstanceId !== 'string' || m.groupInstanceId === '')) throw new AssignError(`${where}: groupInstanceId must be a non-empty string`);
  if (!Array.isArray(m.topics)) throw new AssignError(`${where}: topics must be a list of topic names`);
  const subscribed = m.topics.map((t) => checkTopicName(t, `${where}: topics`));
  const twice = subscribed.find((t, i) => subscribed.indexOf(t) !== i);
  if (twice !== undefined) throw new AssignError(`${where}: subscribes to ${twice} twice`);
  if (m.generation !== undefined && (!Number.isInteger(m.generation) || m.generation < -1))
    throw new AssignError(`${where}: generation must be a whole number ≥ -1 (got ${JSON.stringify(m.generation)})`);
  if (m.rack !== undefined && typeof m.rack !== 'string') throw new AssignError(`${where}: rack must be a string (client.rack)`);
  const rack = m.rack === undefined || m.rack === '' ? undefined : m.rack;
  return { topics: subscribed, groupInstanceId: m.groupInstanceId, owned: checkOwned(m, topics, pool), generation: m.generation, rack };
}

function checkPartitionRacks(given: AssignOptions['partitionRacks'], topics: ReadonlyMap<string, number>): Map<string, ReadonlySet<string>[]> {
  const out = new Map<string, ReadonlySet<string>[]>();
  if (given === undefined) return out;
  if (given === null || typeof given !== 'object') throw new AssignError('partitionRacks: expected an object of topic name → one list of replica racks per partition');
  for (const [topic, lists] of Object.entries(given)) {
    const count = topics.get(checkTopicName(topic, 'partitionRacks'));
    if (count === undefined) throw new AssignError(`partitionRacks: ${topic} is not one of the topics`);
    if (!Array.isArray(lists) || lists.length !== count) throw new AssignError(`partitionRacks: ${topic} has ${count} partition${count === 1 ? '' : 's'}: give one list of replica racks for each`);
    out.set(
      topic,
      lists.map((racks, p) => {
        if (!Array.isArray(racks) || racks.some((r) => typeof r !== 'string' || r === ''))
          throw new AssignError(`partitionRacks: ${topic}-${p}: expected a list of rack names (the racks of its replicas)`);
        return new Set(racks);
      }),
    );
  }
  return out;
}

function checkInput(members: readonly GroupMember[], partitionsPerTopic: Readonly<Record<string, number>>, options: AssignOptions): AssignorInput {
  const topics = checkTopics(partitionsPerTopic);
  if (!Array.isArray(members) || members.length === 0) throw new AssignError('members: give at least one member');
  if (members.length > ASSIGN_LIMITS.members) throw new AssignError(`${members.length} members: at most ${ASSIGN_LIMITS.members} are accepted`);
  const pool = new PartitionPool();
  const subscriptions = new Map<string, Subscription>();
  const instances = new Set<string>();
  for (const m of members) {
    const sub = checkMember(m, topics, pool);
    if (subscriptions.has(m.memberId)) throw new AssignError(`member ${m.memberId} is given twice`);
    if (sub.groupInstanceId !== undefined) {
      if (instances.has(sub.groupInstanceId)) throw new AssignError(`group.instance.id ${sub.groupInstanceId} is given to two members`);
      instances.add(sub.groupInstanceId);
    }
    subscriptions.set(m.memberId, sub);
  }
  // AbstractPartitionAssignor.assign: only subscribed topics that have metadata.
  const subscribed = new Set([...subscriptions.values()].flatMap((s) => s.topics));
  const perTopic = new Map([...topics].filter(([t]) => subscribed.has(t)));
  const partitionRacks = checkPartitionRacks(options.partitionRacks, topics);
  const preferRackAwareLogic = options.preferRackAwareLogic === true;
  return { members: javaHashMapOrder(members.map((m) => m.memberId)), subscriptions, partitionsPerTopic: perTopic, pool, partitionRacks, preferRackAwareLogic };
}

function checkTopicIds(given: Readonly<Record<string, string>> | undefined, topics: Iterable<string>): Map<string, TopicId> {
  if (given !== undefined && (given === null || typeof given !== 'object')) throw new AssignError('topicIds: expected an object of topic name → topic id');
  const ids = new Map<string, TopicId>();
  const seen = new Map<string, string>();
  for (const [topic, text] of Object.entries(given ?? {})) {
    const id = typeof text === 'string' ? parseTopicId(text) : undefined;
    if (id === undefined) throw new AssignError(`topicIds: ${topic}: ${JSON.stringify(text)} is not a topic id (22 characters of URL-safe base64, as kafka-topics prints it)`);
    ids.set(topic, id);
  }
  for (const topic of topics) if (!ids.has(topic)) ids.set(topic, topicIdFromName(topic));
  for (const [topic, id] of ids) {
    const other = seen.get(id.text);
    if (other !== undefined) throw new AssignError(`topicIds: ${other} and ${topic} have the same id ${id.text}`);
    seen.set(id.text, topic);
  }
  return ids;
}

/** uniform: in KIP-848 the members' target assignments never overlap, so a partition may be owned once only. */
function uniformAssign(input: AssignorInput, members: readonly GroupMember[], allTopics: ReadonlyMap<string, number>, options: AssignOptions): AssignorOutput & { topicIds: Record<string, string> } {
  const owner = new Map<TopicPartition, string>();
  for (const [id, s] of input.subscriptions)
    for (const tp of s.owned) {
      const other = owner.get(tp);
      if (other !== undefined) throw new AssignError(`${tp.topic}-${tp.partition} is owned by ${other} and ${id}: uniform takes each member's target assignment, and those never overlap`);
      owner.set(tp, id);
    }
  const topicIds = checkTopicIds(options.topicIds, allTopics.keys());
  const serverMembers = members.map((m) => ({ memberId: m.memberId, instanceId: m.groupInstanceId, topics: m.topics, assignment: input.subscriptions.get(m.memberId)!.owned }));
  const out = serverAssign('uniform', { members: serverMembers, partitionsPerTopic: allTopics, topicIds, pool: input.pool });
  return { assignment: out.assignment, path: out.path, topicIds: Object.fromEntries([...topicIds].filter(([t]) => input.partitionsPerTopic.has(t)).map(([t, id]) => [t, id.text])) };
}

function withheldList(input: AssignorInput, withheld: ReadonlyMap<TopicPartition, string> | undefined): WithheldPartition[] {
  if (withheld === undefined) return [];
  const owners = (tp: TopicPartition) => [...input.subscriptions].filter(([, s]) => s.owned.includes(tp)).map(([id]) => id);
  return [...withheld].sort(([a], [b]) => comparePartitions(a, b)).map(([tp, nextOwner]) => ({ topic: tp.topic, partition: tp.partition, owners: owners(tp), nextOwner }));
}

/**
 * What Kafka's `assignor` gives these members for topics with these partition counts: the assignment a
 * group leader computes in a classic-protocol rebalance. Members are ordered as Kafka's leader iterates its
 * HashMap of member ids; give them in JoinGroup order (it matters only for ids whose hashes collide).
 * Throws AssignError for bad input, AssignorFailure where Kafka's own code would throw.
 */
export function assign(assignor: AssignorName, members: readonly GroupMember[], partitionsPerTopic: Readonly<Record<string, number>>, options: AssignOptions = {}): GroupAssignment {
  if (!(ASSIGNOR_NAMES as readonly string[]).includes(assignor)) throw new AssignError(`unknown assignor ${JSON.stringify(assignor)}; one of ${ASSIGNOR_NAMES.join(', ')}`);
  if (options === null || typeof options !== 'object') throw new AssignError('options: expected an object');
  const input = checkInput(members, partitionsPerTopic, options);
  let out: AssignorOutput & { topicIds?: Record<string, string> };
  if (assignor === 'range') out = rangeAssign(input, (topic) => membersSorted(input, (s) => s.topics.includes(topic)));
  else if (assignor === 'roundrobin') out = roundRobinAssign(input);
  else if (assignor === 'uniform') out = uniformAssign(input, members, checkTopics(partitionsPerTopic), options);
  else out = stickyAssign(input, assignor === 'cooperative-sticky');
  const result = members.map((m): MemberAssignment => {
    const partitions = [...out.assignment.get(m.memberId)!].sort(comparePartitions);
    const given = new Set(partitions);
    const owned = input.subscriptions.get(m.memberId)!.owned;
    const revoked = owned.filter((tp) => !given.has(tp)).sort(comparePartitions);
    return { memberId: m.memberId, ...(m.groupInstanceId !== undefined ? { groupInstanceId: m.groupInstanceId } : {}), partitions, revoked };
  });
  const ids = out.topicIds ? { topicIds: out.topicIds } : {};
  const rackAware = out.rackAware === true ? { rackAware: true as const } : {};
  return { assignor, ...(out.path ? { path: out.path } : {}), ...rackAware, ...ids, members: result, withheld: withheldList(input, out.withheld) };
}
