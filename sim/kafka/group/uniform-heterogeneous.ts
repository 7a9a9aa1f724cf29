/**
 * `UniformHeterogeneousAssignmentBuilder` of Kafka 4.1 (the rework of KAFKA-17710): members subscribe to
 * different topics. Members keep everything of the topics they still subscribe to; each topic's unassigned
 * partitions go, topic by topic, to its least-loaded subscribers; then `balance()` moves partitions from the
 * most- to the least-loaded subscribers of each topic until no two subscribers differ by more than one,
 * for at most 16 passes over the topics (kafka-source-notes §15).
 */
import { compareTopicIds } from './topic-id.js';
import type { GroupSpec, Topic, TopicAssignment } from './server-spec.js';
import { AssignorFailure } from './types.js';

const MAX_ITERATION_COUNT = 16;

interface Builder {
  readonly spec: GroupSpec;
  readonly memberIds: string[];
  readonly topicSubscribers: Map<Topic, number[]>;
  readonly sizes: number[];
  readonly owners: Map<Topic, number[]>;
  readonly target: Map<string, Map<Topic, Set<number>>>;
}

/** MemberAssignmentBalancer: walks a topic's subscribers from least and from most loaded, sizes read live. */
class MemberAssignmentBalancer {
  private sorted: number[] = [];
  private leastLoadedRangeEnd = 0;
  private leastLoadedRangePartitionCount = -1;
  private nextLeastLoaded = 0;
  private mostLoadedRangeStart = 0;
  private mostLoadedRangeEnd = 0;
  private mostLoadedRangePartitionCount = 1;
  private nextMostLoaded = -1;

  constructor(private readonly sizes: number[]) {}

  /** Sorts the members by size then index; returns the spread between the most and least loaded. */
  initialize(members: readonly number[]): number {
    if (members.length === 0) throw new AssignorFailure('Cannot balance an empty subscriber list.');
    const n = members.length;
    this.sorted = [...members].sort((a, b) => this.sizes[a]! - this.sizes[b]! || a - b);
    this.leastLoadedRangeEnd = 0;
    this.leastLoadedRangePartitionCount = this.sizeAt(0) - 1;
    this.nextLeastLoaded = 0;
    this.mostLoadedRangeStart = n;
    this.mostLoadedRangeEnd = n;
    this.mostLoadedRangePartitionCount = this.sizeAt(n - 1) + 1;
    this.nextMostLoaded = n - 1;
    return this.sizeAt(n - 1) - this.sizeAt(0);
  }

  private sizeAt(i: number): number {
    return this.sizes[this.sorted[i]!]!;
  }

  nextLeastLoadedMember(): number {
    if (this.nextLeastLoaded >= this.leastLoadedRangeEnd) {
      this.leastLoadedRangePartitionCount++;
      while (this.leastLoadedRangeEnd < this.sorted.length && this.sizeAt(this.leastLoadedRangeEnd) === this.leastLoadedRangePartitionCount) this.leastLoadedRangeEnd++;
      this.nextLeastLoaded = 0;
    }
    return this.sorted[this.nextLeastLoaded++]!;
  }

  nextMostLoadedMember(): number {
    if (this.nextMostLoaded < this.mostLoadedRangeStart) {
      if (this.mostLoadedRangeEnd <= this.mostLoadedRangeStart && this.mostLoadedRangeStart > 0) this.mostLoadedRangePartitionCount = this.sizeAt(this.mostLoadedRangeStart - 1);
      else this.mostLoadedRangePartitionCount--;
      while (this.mostLoadedRangeStart > 0 && this.sizeAt(this.mostLoadedRangeStart - 1) === this.mostLoadedRangePartitionCount) this.mostLoadedRangeStart--;
      this.nextMostLoaded = this.mostLoadedRangeEnd - 1;
    }
    if (this.nextMostLoaded < 0) return -1;
    return this.sorted[this.nextMostLoaded--]!;
  }

  /** Swaps the member just returned by nextMostLoadedMember out of the most-loaded range. */
  excludeMostLoadedMember(): void {
    const member = this.sorted[this.nextMostLoaded + 1]!;
    this.sorted[this.nextMostLoaded + 1] = this.sorted[this.mostLoadedRangeEnd - 1]!;
    this.sorted[this.mostLoadedRangeEnd - 1] = member;
    this.mostLoadedRangeEnd--;
  }

  isBalanced(): boolean {
    return this.mostLoadedRangePartitionCount - this.leastLoadedRangePartitionCount <= 1;
  }
}

/** topicComparator: more partitions per subscriber first, then fewer subscribers, then topic id. */
function sortTopics(b: Builder, topics: Iterable<Topic>): Topic[] {
  const ratio = (t: Topic) => t.partitions / b.topicSubscribers.get(t)!.length;
  return [...topics].sort((x, y) => ratio(y) - ratio(x) || b.topicSubscribers.get(x)!.length - b.topicSubscribers.get(y)!.length || compareTopicIds(x.id, y.id));
}

function assignPartition(b: Builder, topic: Topic, partition: number, memberIndex: number): void {
  const owners = b.owners.get(topic)!;
  const old = owners[partition]!;
  if (old !== -1) {
    const set = b.target.get(b.memberIds[old]!)!.get(topic);
    set?.delete(partition);
    if (set?.size === 0) b.target.get(b.memberIds[old]!)!.delete(topic);
    b.sizes[old]!--;
  }
  const assignment = b.target.get(b.memberIds[memberIndex]!)!;
  (assignment.get(topic) ?? assignment.set(topic, new Set()).get(topic)!).add(partition);
  owners[partition] = memberIndex;
  b.sizes[memberIndex]!++;
}

/** maybeRevokePartitions: keep the partitions of still-subscribed topics, drop the rest. */
function keepSubscribed(b: Builder): void {
  b.memberIds.forEach((memberId, memberIndex) => {
    const subscribed = new Set(b.spec.subscriptions.get(memberId));
    const kept = new Map<Topic, Set<number>>();
    for (const [topic, partitions] of b.spec.assignments.get(memberId)!) {
      if (!subscribed.has(topic)) continue;
      b.sizes[memberIndex]! += partitions.length;
      for (const p of partitions) b.owners.get(topic)![p] = memberIndex;
      kept.set(topic, new Set(partitions));
    }
    b.target.set(memberId, kept);
  });
}

/** computeUnassignedPartitions + assignRemainingPartitions: per topic, each unowned partition to the least loaded subscriber. */
function assignRemaining(b: Builder): void {
  const unassigned = new Map<Topic, number[]>();
  for (const [topic, owners] of b.owners) {
    const free = owners.flatMap((o, p) => (o === -1 ? [p] : []));
    if (free.length > 0) unassigned.set(topic, free);
  }
  const balancer = new MemberAssignmentBalancer(b.sizes);
  for (const topic of sortTopics(b, unassigned.keys())) {
    balancer.initialize(b.topicSubscribers.get(topic)!);
    for (const p of unassigned.get(topic)!) assignPartition(b, topic, p, balancer.nextLeastLoadedMember());
  }
}

/** The next most-loaded subscriber that still has a partition of this topic to give, or −1. */
function nextGiver(balancer: MemberAssignmentBalancer, start: Map<number, number>, end: Map<number, number>): number {
  for (;;) {
    const member = balancer.nextMostLoadedMember();
    if (member === -1) return -1;
    if (!end.has(member) || end.get(member)! - start.get(member)! <= 0) {
      balancer.excludeMostLoadedMember();
      continue;
    }
    return member;
  }
}

/** balanceTopic: moves this topic's partitions, highest-numbered of each owner first, to the least loaded. */
function balanceTopic(b: Builder, topic: Topic, balancer: MemberAssignmentBalancer): number {
  let reassigned = 0;
  const owners = b.owners.get(topic)!;
  if (balancer.initialize(b.topicSubscribers.get(topic)!) <= 1) return reassigned;
  const partitions = owners.map((_, p) => p).sort((x, y) => owners[x]! - owners[y]! || x - y);
  const start = new Map<number, number>();
  const end = new Map<number, number>();
  partitions.forEach((p, i) => {
    if (!start.has(owners[p]!)) start.set(owners[p]!, i);
    end.set(owners[p]!, i + 1);
  });
  while (!balancer.isBalanced()) {
    const giver = nextGiver(balancer, start, end);
    if (giver === -1) break;
    const partition = partitions[end.get(giver)! - 1]!;
    end.set(giver, end.get(giver)! - 1);
    const taker = balancer.nextLeastLoadedMember();
    if (balancer.isBalanced()) break;
    assignPartition(b, topic, partition, taker);
    reassigned++;
  }
  return reassigned;
}

/** balance/balanceTopics: passes over the topics with 2+ subscribers until a full pass moves nothing. */
function balance(b: Builder): void {
  const topics = sortTopics(
    b,
    [...b.topicSubscribers.keys()].filter((t) => b.topicSubscribers.get(t)!.length >= 2),
  );
  if (topics.length === 0) return;
  const balancer = new MemberAssignmentBalancer(b.sizes);
  let lastRebalanceTopicIndex = -1;
  for (let i = 0; i < MAX_ITERATION_COUNT; i++) {
    for (let topicIndex = 0; topicIndex < topics.length; topicIndex++) {
      if (topicIndex === lastRebalanceTopicIndex) return;
      const reassigned = balanceTopic(b, topics[topicIndex]!, balancer);
      if (reassigned > 0 || lastRebalanceTopicIndex === -1) lastRebalanceTopicIndex = topicIndex;
    }
  }
}

function newBuilder(spec: GroupSpec): Builder {
  const memberIds = [...spec.memberIds];
  const topicSubscribers = new Map<Topic, number[]>();
  memberIds.forEach((memberId, memberIndex) => {
    for (const topic of spec.subscriptions.get(memberId)!) (topicSubscribers.get(topic) ?? topicSubscribers.set(topic, []).get(topic)!).push(memberIndex);
  });
  const owners = new Map([...topicSubscribers.keys()].map((t) => [t, new Array<number>(t.partitions).fill(-1)]));
  return { spec, memberIds, topicSubscribers, sizes: new Array<number>(memberIds.length).fill(0), owners, target: new Map() };
}

/** UniformHeterogeneousAssignmentBuilder.build: each member's target assignment. */
export function uniformHeterogeneous(spec: GroupSpec): Map<string, TopicAssignment> {
  const b = newBuilder(spec);
  if (b.topicSubscribers.size === 0) return new Map(spec.memberIds.map((m) => [m, []]));
  keepSubscribed(b);
  assignRemaining(b);
  balance(b);
  return new Map([...b.target].map(([m, a]) => [m, [...a].map(([t, ps]): [Topic, number[]] => [t, [...ps]])]));
}
