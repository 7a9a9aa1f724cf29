/**
 * `UniformHomogeneousAssignmentBuilder` of Kafka 4.1 (with KAFKA-18688's stability fix): every member
 * subscribes to the same topics. Each member keeps what it has up to its quota (minimum quota, plus one for
 * as many members as there are extra partitions); what is over quota or no longer subscribed is revoked; the
 * unassigned partitions then fill the members below quota, in member order (kafka-source-notes §15).
 */
import { type GroupSpec, type Topic, type TopicAssignment, topicHashSetOrder } from './server-spec.js';
import { AssignorFailure } from './types.js';

interface Unfilled {
  readonly memberId: string;
  readonly remainingQuota: number;
}

interface State {
  readonly spec: GroupSpec;
  readonly subscribed: ReadonlySet<Topic>;
  readonly unassigned: Array<[Topic, number]>;
  readonly unfilled: Unfilled[];
  readonly target: Map<string, TopicAssignment>;
  minimumMemberQuota: number;
  remainingMembersToGetAnExtraPartition: number;
}

/** One member of maybeRevokePartitions: keeps up to its quota, in the iteration order of its assignment. */
function revokeMember(s: State, memberId: string, memberIndex: number, memberCount: number): void {
  let quota = s.minimumMemberQuota;
  let quotaHasExtraPartition = false;
  if (s.remainingMembersToGetAnExtraPartition > 0) {
    quota++;
    quotaHasExtraPartition = true;
  }
  const kept: TopicAssignment = [];
  for (const [topic, partitions] of s.spec.assignments.get(memberId)!) {
    if (!s.subscribed.has(topic)) continue; // the whole topic goes
    if (partitions.length <= quota) {
      quota -= partitions.length;
      kept.push([topic, [...partitions]]);
      continue;
    }
    const keep: number[] = [];
    for (const p of partitions) {
      if (quota > 0) {
        quota--;
        keep.push(p);
      } else s.unassigned.push([topic, p]);
    }
    if (keep.length > 0) kept.push([topic, keep]);
  }
  // Give up the extra partition quota for another member to claim, unless this member is one of the last
  // remainingMembersToGetAnExtraPartition members in the list and must take the extra partition.
  if (quota > 0 && quotaHasExtraPartition && memberCount - memberIndex > s.remainingMembersToGetAnExtraPartition) {
    quota--;
    quotaHasExtraPartition = false;
  }
  if (quota > 0) s.unfilled.push({ memberId, remainingQuota: quota });
  if (quotaHasExtraPartition) s.remainingMembersToGetAnExtraPartition--;
  s.target.set(memberId, kept);
}

function addPartition(assignment: TopicAssignment, topic: Topic, partition: number): void {
  const entry = assignment.find(([t]) => t === topic);
  if (entry) entry[1].push(partition);
  else assignment.push([topic, [partition]]);
}

/** assignRemainingPartitions: the unassigned partitions, in order, fill each unfilled member in turn. */
function assignRemaining(s: State): void {
  let index = 0;
  for (const { memberId, remainingQuota } of s.unfilled) {
    const assignment = s.target.get(memberId)!;
    for (let i = 0; i < remainingQuota && index < s.unassigned.length; i++) {
      const [topic, partition] = s.unassigned[index++]!;
      addPartition(assignment, topic, partition);
    }
  }
  if (index < s.unassigned.length) throw new AssignorFailure('Partitions were left unassigned');
}

/** UniformHomogeneousAssignmentBuilder.build: each member's target assignment (members in the spec's order). */
export function uniformHomogeneous(spec: GroupSpec): Map<string, TopicAssignment> {
  const first = spec.memberIds[0]!;
  const subscribedOrder = topicHashSetOrder(spec.subscriptions.get(first)!, spec.subscribedNameCounts.get(first)!);
  if (subscribedOrder.length === 0) return new Map(spec.memberIds.map((m) => [m, []]));
  const s: State = { spec, subscribed: new Set(subscribedOrder), unassigned: [], unfilled: [], target: new Map(), minimumMemberQuota: 0, remainingMembersToGetAnExtraPartition: 0 };
  let totalPartitionsCount = 0;
  for (const topic of subscribedOrder) {
    const assigned = spec.assigned.get(topic);
    for (let p = 0; p < topic.partitions; p++) if (!assigned?.has(p)) s.unassigned.push([topic, p]);
    totalPartitionsCount += topic.partitions;
  }
  const memberCount = spec.memberIds.length;
  s.minimumMemberQuota = Math.floor(totalPartitionsCount / memberCount);
  s.remainingMembersToGetAnExtraPartition = totalPartitionsCount % memberCount;
  spec.memberIds.forEach((memberId, i) => revokeMember(s, memberId, i, memberCount));
  assignRemaining(s);
  return s.target;
}
