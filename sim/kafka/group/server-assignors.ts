/**
 * The KIP-848 server-side assignors (`group.protocol=consumer`, broker config `group.consumer.assignors`,
 * chosen per member by `group.remote.assignor`), as Kafka 4.1 has them in
 * group-coordinator/…/coordinator/group/assignor/: `uniform` (the default: `UniformAssignor`) and `range`
 * (`RangeAssignor`). A pure function from the members (id, instance id, subscribed topic names, current
 * target assignment) and the partition count and id of each topic to each member's target assignment
 * (kafka-source-notes §15). Rack-aware assignment is not modelled (Kafka 4.1's server-side assignors have none).
 */
import { compareJavaStrings } from './java-order.js';
import { type GroupSpec, groupSpec, type ServerAssignorInput, type Topic, type TopicAssignment, toPartitions } from './server-spec.js';
import type { TopicPartition } from './types.js';
import { uniformHeterogeneous } from './uniform-heterogeneous.js';
import { uniformHomogeneous } from './uniform-homogeneous.js';

export type { ServerAssignorInput, ServerMember } from './server-spec.js';

/** The server-side assignors, by `ConsumerGroupPartitionAssignor.name()`. */
export const SERVER_ASSIGNOR_NAMES = ['uniform', 'range'] as const;
export type ServerAssignorName = (typeof SERVER_ASSIGNOR_NAMES)[number];

export interface ServerAssignorOutput {
  /** Each member's target assignment, sorted by topic then partition. */
  readonly assignment: Map<string, TopicPartition[]>;
  /** Which builder ran: the group's SubscriptionType. */
  readonly path: 'homogeneous' | 'heterogeneous';
}

/** RangeAssignor.sortMemberIds: static members first by instance id, then dynamic members by member id. */
function sortMemberIds(spec: GroupSpec): string[] {
  return [...spec.memberIds].sort((a, b) => {
    const ia = spec.instanceIds.get(a);
    const ib = spec.instanceIds.get(b);
    if (ia !== undefined && ib !== undefined) return compareJavaStrings(ia, ib);
    if (ia !== undefined) return -1;
    if (ib !== undefined) return 1;
    return compareJavaStrings(a, b);
  });
}

/**
 * RangeAssignor (KAFKA-16944's rewrite): per topic, its subscribers in sortMemberIds order get
 * `numPartitions / numMembers` consecutive partitions each, the first `numPartitions % numMembers` one more
 * (addPartitionsToAssignment). The homogeneous and heterogeneous paths differ only in how they count the
 * subscribers; the current assignment is ignored.
 */
function rangeAssign(spec: GroupSpec): Map<string, TopicAssignment> {
  const sorted = sortMemberIds(spec);
  const subscribers = new Map<Topic, number>();
  for (const m of sorted) for (const t of spec.subscriptions.get(m)!) subscribers.set(t, (subscribers.get(t) ?? 0) + 1);
  const state = new Map<Topic, { nextRange: number; extraPartitions: number }>();
  const out = new Map<string, TopicAssignment>();
  for (const m of sorted) {
    const assignment: TopicAssignment = [];
    for (const t of spec.subscriptions.get(m)!) {
      const s = state.get(t) ?? state.set(t, { nextRange: 0, extraPartitions: t.partitions % subscribers.get(t)! }).get(t)!;
      let quota = Math.floor(t.partitions / subscribers.get(t)!);
      if (s.extraPartitions > 0) {
        quota++;
        s.extraPartitions--;
      }
      const start = s.nextRange;
      const end = Math.min(start + quota, t.partitions);
      s.nextRange = end;
      if (start < end) assignment.push([t, Array.from({ length: end - start }, (_, i) => start + i)]);
    }
    out.set(m, assignment);
  }
  return out;
}

/**
 * What Kafka 4.1's server-side `assignor` makes the target assignment of these members. Throws
 * AssignorFailure where Kafka's code would throw a PartitionAssignorException.
 */
export function serverAssign(assignor: ServerAssignorName, input: ServerAssignorInput): ServerAssignorOutput {
  const spec = groupSpec(input);
  const path = spec.homogeneous ? 'homogeneous' : 'heterogeneous';
  let target: Map<string, TopicAssignment>;
  if (spec.memberIds.length === 0) target = new Map();
  else if (assignor === 'range') target = rangeAssign(spec);
  else target = spec.homogeneous ? uniformHomogeneous(spec) : uniformHeterogeneous(spec);
  const assignment = new Map(input.members.map((m) => [m.memberId, toPartitions(target.get(m.memberId) ?? [], input.pool)]));
  return { assignment, path };
}
