/**
 * RangeAssignor.assignPartitions (Kafka clients 3.5+, KIP-881): per topic, ranges of partitions to the
 * members in MemberInfo order. With consumer racks (client.rack) and partition replica racks, it first gives
 * each member the partitions on its rack it can take within the range quotas (topics with the same members
 * and partition count together, partition p of all of them to one member: co-partitioning is kept), then
 * fills the quotas with plain ranges of what is left.
 */
import { type AssignorInput, type AssignorOutput, racksOf, type TopicPartition, useRackAwareAssignment } from './types.js';

/** RangeAssignor.TopicAssignmentState. */
class TopicState {
  /** Its partitions, by number. */
  readonly all: readonly TopicPartition[];
  /** unassignedPartitions: a LinkedHashSet in Kafka, an insertion-ordered Set here. */
  readonly unassigned: Set<TopicPartition>;
  readonly assignedCount = new Map<string, number>();
  readonly perConsumer: number;
  remainingWithExtra: number;
  /** partitionRacks: null when no member of the topic has a rack (Collections.emptyMap: every lookup null). */
  readonly partitionRacks: readonly ReadonlySet<string>[] | null;
  readonly needsRackAware: boolean;

  constructor(
    input: AssignorInput,
    readonly topic: string,
    readonly count: number,
    /** Its members in MemberInfo order, with their racks. */
    readonly consumers: ReadonlyMap<string, string | undefined>,
  ) {
    this.all = Array.from({ length: count }, (_, p) => input.pool.get(topic, p));
    this.unassigned = new Set(this.all);
    for (const c of consumers.keys()) this.assignedCount.set(c, 0);
    this.perConsumer = consumers.size === 0 ? 0 : Math.floor(count / consumers.size);
    this.remainingWithExtra = consumers.size === 0 ? 0 : count % consumers.size;
    const consumerRacks = new Set([...consumers.values()].filter((r): r is string => r !== undefined));
    const allPartitionRacks = new Set<string>();
    if (consumerRacks.size > 0) {
      this.partitionRacks = this.all.map((tp) => racksOf(input, tp));
      for (const racks of this.partitionRacks) for (const r of racks) allPartitionRacks.add(r);
    } else this.partitionRacks = null;
    this.needsRackAware = useRackAwareAssignment(consumerRacks, allPartitionRacks, this.partitionRacks ?? [], input.preferRackAwareLogic);
  }

  racksMatch(consumer: string, tp: TopicPartition): boolean {
    const rack = this.consumers.get(consumer);
    const replicaRacks = this.partitionRacks?.[tp.partition];
    return rack === undefined || replicaRacks?.has(rack) === true;
  }

  maxAssignable(consumer: string): number {
    return Math.max(0, this.perConsumer + (this.remainingWithExtra > 0 ? 1 : 0) - this.assignedCount.get(consumer)!);
  }

  onAssigned(consumer: string, partitions: readonly TopicPartition[]): void {
    const n = this.assignedCount.get(consumer)! + partitions.length;
    this.assignedCount.set(consumer, n);
    if (n > this.perConsumer) this.remainingWithExtra--;
    for (const tp of partitions) this.unassigned.delete(tp);
  }
}

function give(consumer: string, partitions: readonly TopicPartition[], state: TopicState, assignment: Map<string, TopicPartition[]>): void {
  assignment.get(consumer)!.push(...partitions);
  state.onAssigned(consumer, partitions);
}

/** RangeAssignor.assignRanges: each member in turn takes the first unassigned partitions it may, up to its quota. */
function assignRanges(state: TopicState, mayAssign: (consumer: string, tp: TopicPartition) => boolean, assignment: Map<string, TopicPartition[]>): void {
  for (const consumer of state.consumers.keys()) {
    if (state.unassigned.size === 0) break;
    const limit = state.maxAssignable(consumer);
    const assignable: TopicPartition[] = [];
    for (const tp of state.unassigned) {
      if (assignable.length >= limit) break;
      if (mayAssign(consumer, tp)) assignable.push(tp);
    }
    if (assignable.length === 0) continue;
    give(consumer, assignable, state, assignment);
  }
}

/**
 * RangeAssignor.assignCoPartitionedWithRackMatching: partition p of every topic of the set goes to the first
 * member (in order) on a rack of all of them with room in all of them; one without room in any leaves the set.
 */
function assignCoPartitioned(consumers: readonly string[], count: number, states: readonly TopicState[], assignment: Map<string, TopicPartition[]>): void {
  const remaining = [...consumers];
  for (let p = 0; p < count; p++) {
    const tps = states.map((s) => s.all[p]!);
    const consumer = remaining.find((c) => states.every((s, i) => s.racksMatch(c, tps[i]!) && s.maxAssignable(c) > 0));
    if (consumer === undefined) continue;
    states.forEach((s, i) => give(consumer, [tps[i]!], s, assignment));
    if (states.every((s) => s.maxAssignable(consumer) <= 0)) {
      remaining.splice(remaining.indexOf(consumer), 1);
      if (remaining.length === 0) break;
    }
  }
}

function racksSize(s: TopicState): number {
  return s.partitionRacks === null ? 0 : s.count;
}

/**
 * RangeAssignor.assignWithRackMatching: topics grouped by their members (with racks), then by partition count
 * (0 for all topics whose members have no rack: such a group assigns nothing here); a group of several
 * topics is co-partitioned, a lone topic gets rack-matched ranges if it needs them.
 * (The groups share no topic, so the order Kafka's HashMaps visit them in does not change the result.)
 */
function assignWithRackMatching(states: readonly TopicState[], assignment: Map<string, TopicPartition[]>): void {
  const groups = new Map<string, TopicState[]>();
  for (const s of states) {
    // Kafka groups by partitionRacks.size(): the partition count, or 0 when no member of the topic has a rack.
    const key = JSON.stringify([[...s.consumers], racksSize(s)]);
    const list = groups.get(key);
    if (list === undefined) groups.set(key, [s]);
    else list.push(s);
  }
  for (const group of groups.values()) {
    const first = group[0]!;
    if (group.length > 1) assignCoPartitioned([...first.consumers.keys()], racksSize(first), group, assignment);
    else if (first.needsRackAware) assignRanges(first, (c, tp) => first.racksMatch(c, tp), assignment);
  }
}

/** RangeAssignor.assignPartitions. `sorted`: the members of a topic in MemberInfo order. */
export function rangeAssign(input: AssignorInput, sorted: (topic: string) => string[]): AssignorOutput {
  const assignment = new Map<string, TopicPartition[]>(input.members.map((m) => [m, []]));
  const states: TopicState[] = [];
  for (const [topic, count] of input.partitionsPerTopic) {
    const consumers = new Map(sorted(topic).map((c) => [c, input.subscriptions.get(c)!.rack]));
    states.push(new TopicState(input, topic, count, consumers));
  }
  const rackAware = states.some((s) => s.needsRackAware);
  if (rackAware) assignWithRackMatching(states, assignment);
  for (const s of states) assignRanges(s, () => true, assignment);
  return { assignment, ...(rackAware ? { rackAware } : {}) };
}
