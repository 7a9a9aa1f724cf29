/**
 * AbstractStickyAssignor (Kafka clients, org.apache.kafka.clients.consumer.internals), rack-aware since 3.5
 * (KIP-881, RackInfo in sticky-racks.ts): `assignPartitions` → `allSubscriptionsEqual` →
 * ConstrainedAssignmentBuilder when every member has the same subscription, else GeneralAssignmentBuilder
 * (sticky-general.ts). StickyAssignor returns the result as is; CooperativeStickyAssignor then removes the
 * partitions that change owner (`adjustAssignment`).
 */
import { compareJavaStrings } from './java-order.js';
import { generalAssign } from './sticky-general.js';
import { RackInfo } from './sticky-racks.js';
import { AssignorFailure, DEFAULT_GENERATION, removeFirst, type AssignorInput, type AssignorOutput, type OwnedPartitions, type TopicPartition } from './types.js';

function sameTopics(a: ReadonlySet<string>, b: readonly string[]): boolean {
  return b.length === a.size && b.every((t) => a.has(t));
}

/** AbstractStickyAssignor.allSubscriptionsEqual: also sorts out partitions claimed by two members. */
export function allSubscriptionsEqual(input: AssignorInput): OwnedPartitions {
  let allEqual = true;
  const subscribed = new Set<string>();
  const previousOwner = new Map<TopicPartition, string>();
  const owned = new Map<string, TopicPartition[]>();
  const multipleOwners = new Set<TopicPartition>();
  let maxGeneration = DEFAULT_GENERATION;
  for (const consumer of input.members) {
    const sub = input.subscriptions.get(consumer)!;
    if (subscribed.size === 0) for (const t of sub.topics) subscribed.add(t);
    else if (allEqual && !sameTopics(subscribed, sub.topics)) allEqual = false;
    const generation = sub.generation ?? DEFAULT_GENERATION;
    maxGeneration = Math.max(maxGeneration, generation);
    const mine: TopicPartition[] = [];
    owned.set(consumer, mine);
    for (const tp of sub.owned) {
      if (!input.partitionsPerTopic.has(tp.topic)) continue;
      const other = previousOwner.get(tp);
      if (other === undefined) {
        mine.push(tp);
        previousOwner.set(tp, consumer);
        continue;
      }
      const otherGeneration = input.subscriptions.get(other)!.generation ?? DEFAULT_GENERATION;
      if (generation === otherGeneration) {
        // Two members of one generation claim it: invalidated, taken from both.
        multipleOwners.add(tp);
        removeFirst(owned.get(other)!, tp);
        previousOwner.set(tp, consumer);
      } else if (generation > otherGeneration) {
        mine.push(tp);
        removeFirst(owned.get(other)!, tp);
        previousOwner.set(tp, consumer);
      }
    }
  }
  return { allEqual, owned, multipleOwners, maxGeneration };
}

/** The partitions of these topics, topics in name order, partitions in number order. */
function sortedPartitions(input: AssignorInput): TopicPartition[] {
  const out: TopicPartition[] = [];
  for (const topic of [...input.partitionsPerTopic.keys()].sort(compareJavaStrings)) {
    const n = input.partitionsPerTopic.get(topic)!;
    for (let p = 0; p < n; p++) out.push(input.pool.get(topic, p));
  }
  return out;
}

interface Constrained {
  readonly minQuota: number;
  readonly maxQuota: number;
  readonly expectedOverMin: number;
  currentOverMin: number;
  readonly assignment: Map<string, TopicPartition[]>;
  readonly assigned: Set<TopicPartition>;
  readonly maybeRevoked: Map<TopicPartition, string>;
  readonly multipleOwners: Set<TopicPartition>;
  readonly transferring: Map<TopicPartition, string>;
  readonly underMin: string[];
  exactlyMin: string[];
  readonly rack: RackInfo;
}

/** ConstrainedAssignmentBuilder.assignOwnedPartitions: keep owned partitions (on the member's rack, if rack-aware) up to the quota. */
function assignOwned(s: Constrained, owned: Map<string, TopicPartition[]>): void {
  for (const [consumer, list] of owned) {
    const onRack = list.filter((tp) => {
      const mismatch = s.rack.racksMismatch(consumer, tp);
      if (mismatch) s.maybeRevoked.set(tp, consumer);
      return !mismatch;
    });
    const mine = onRack.sort((a, b) => a.partition - b.partition || compareJavaStrings(a.topic, b.topic)).filter((tp) => !s.multipleOwners.has(tp));
    const target = s.assignment.get(consumer)!;
    const keep = (n: number) => {
      for (const tp of mine.slice(0, n)) {
        target.push(tp);
        s.assigned.add(tp);
      }
      for (const tp of mine.slice(n)) s.maybeRevoked.set(tp, consumer);
    };
    if (mine.length < s.minQuota) {
      keep(mine.length);
      s.underMin.push(consumer);
    } else if (mine.length >= s.maxQuota && s.currentOverMin < s.expectedOverMin) {
      s.currentOverMin++;
      if (s.currentOverMin === s.expectedOverMin) s.exactlyMin = [];
      keep(s.maxQuota);
    } else {
      keep(s.minQuota);
      if (s.currentOverMin < s.expectedOverMin) s.exactlyMin.push(consumer);
    }
  }
}

/** ConstrainedAssignmentBuilder.assignNewPartition. */
function assignNew(s: Constrained, tp: TopicPartition, consumer: string): number {
  const list = s.assignment.get(consumer)!;
  list.push(tp);
  const revokedFrom = s.maybeRevoked.get(tp);
  if ((revokedFrom !== undefined && revokedFrom !== consumer) || s.multipleOwners.has(tp)) s.transferring.set(tp, consumer);
  return list.length;
}

/**
 * ConstrainedAssignmentBuilder.assignRackAwareRoundRobin: members under the minimum quota, round robin, take
 * partitions on their racks up to it; then members at the minimum take one more on their rack while some may
 * still go over it. Returns the partitions left unassigned, in order.
 */
function assignRackAwareRoundRobin(s: Constrained, unassigned: readonly TopicPartition[]): TopicPartition[] {
  if (s.rack.consumerRacks.size === 0) return [...unassigned];
  const left: TopicPartition[] = [];
  let nextUnfilled = 0;
  for (const tp of unassigned) {
    let consumer: string | undefined;
    let nextIndex = s.rack.nextRackConsumer(tp, s.underMin, nextUnfilled);
    if (nextIndex >= 0) {
      consumer = s.underMin[nextIndex]!;
      const count = s.assignment.get(consumer)!.length + 1;
      if (count >= s.minQuota) {
        removeFirst(s.underMin, consumer);
        if (count < s.maxQuota && s.currentOverMin < s.expectedOverMin) s.exactlyMin.push(consumer);
      } else nextIndex++;
      nextUnfilled = s.underMin.length === 0 ? 0 : nextIndex % s.underMin.length;
    } else if (s.exactlyMin.length > 0) {
      const first = s.rack.nextRackConsumer(tp, s.exactlyMin, 0);
      if (first >= 0) {
        consumer = s.exactlyMin[first]!;
        if (s.assignment.get(consumer)!.length + 1 === s.maxQuota) {
          s.exactlyMin.splice(first, 1);
          s.currentOverMin++;
          if (s.currentOverMin === s.expectedOverMin) s.exactlyMin = [];
        }
      }
    }
    if (consumer !== undefined) assignNew(s, tp, consumer);
    else left.push(tp);
  }
  return left;
}

/** ConstrainedAssignmentBuilder.assignRoundRobin, with Java's LinkedList iterator (next / remove). */
function assignRoundRobin(s: Constrained, unassigned: readonly TopicPartition[]): void {
  let it = 0; // index of the iterator's next element in underMin
  for (const tp of unassigned) {
    let consumer: string;
    if (it < s.underMin.length) consumer = s.underMin[it++]!;
    else if (s.underMin.length === 0 && s.exactlyMin.length === 0) throw new AssignorFailure('No more unfilled consumers to be assigned.');
    else if (s.underMin.length === 0) consumer = s.exactlyMin.shift()!;
    else {
      it = 0;
      consumer = s.underMin[it++]!;
    }
    const count = assignNew(s, tp, consumer);
    if (count === s.minQuota) {
      // unfilledConsumerIter.remove(): the element next() returned last
      s.underMin.splice(--it, 1);
      s.exactlyMin.push(consumer);
    } else if (count === s.maxQuota) s.currentOverMin++;
  }
}

function verifyUnfilled(s: Constrained): void {
  if (s.underMin.length === 0) return;
  if (s.currentOverMin !== s.expectedOverMin)
    throw new AssignorFailure("We haven't reached the expected number of members with more than the minQuota partitions, but no more partitions to be assigned");
  for (const m of s.underMin) if (s.assignment.get(m)!.length !== s.minQuota) throw new AssignorFailure(`Consumer: [${m}] doesn't reach minQuota partitions, and no more partitions to be assigned`);
}

/** ConstrainedAssignmentBuilder.build: every member has the same subscription. */
export function constrainedAssign(input: AssignorInput, o: OwnedPartitions, rack: RackInfo): AssignorOutput {
  const all = sortedPartitions(input);
  const n = o.owned.size;
  const s: Constrained = {
    minQuota: Math.floor(all.length / n),
    maxQuota: Math.ceil(all.length / n),
    expectedOverMin: all.length % n,
    currentOverMin: 0,
    assignment: new Map([...o.owned.keys()].map((c) => [c, []])),
    assigned: new Set(),
    maybeRevoked: new Map(),
    multipleOwners: o.multipleOwners,
    transferring: new Map(),
    underMin: [],
    exactlyMin: [],
    rack,
  };
  assignOwned(s, o.owned);
  const unassigned = all.filter((tp) => !s.assigned.has(tp));
  s.underMin.sort(compareJavaStrings);
  s.exactlyMin.sort(compareJavaStrings);
  const left = assignRackAwareRoundRobin(s, rack.sortPartitionsByRackConsumers(unassigned));
  assignRoundRobin(s, left);
  verifyUnfilled(s);
  return { assignment: s.assignment, path: 'constrained', withheld: s.transferring };
}

/** CooperativeStickyAssignor.computePartitionsTransferringOwnership: for the general path. */
function transferringOwnership(input: AssignorInput, assignment: Map<string, TopicPartition[]>): Map<TopicPartition, string> {
  const added = new Map<TopicPartition, string>();
  const revoked = new Set<TopicPartition>();
  for (const [consumer, assigned] of assignment) {
    const owned = input.subscriptions.get(consumer)!.owned;
    const ownedSet = new Set(owned);
    for (const tp of assigned) if (!ownedSet.has(tp)) added.set(tp, consumer);
    const assignedSet = new Set(assigned);
    for (const tp of owned) if (!assignedSet.has(tp)) revoked.add(tp);
  }
  for (const tp of [...added.keys()]) if (!revoked.has(tp)) added.delete(tp);
  return added;
}

/** StickyAssignor (eager) when cooperative is false; CooperativeStickyAssignor when true. */
export function stickyAssign(input: AssignorInput, cooperative: boolean): AssignorOutput {
  const o = allSubscriptionsEqual(input);
  const rack = new RackInfo(input);
  const out = o.allEqual ? constrainedAssign(input, o, rack) : generalAssign(input, o, rack);
  const rackAware = rack.consumerRacks.size > 0 ? { rackAware: true } : {};
  if (!cooperative) return { assignment: out.assignment, path: out.path!, ...rackAware };
  const withheld = out.withheld ?? transferringOwnership(input, out.assignment);
  for (const [tp, consumer] of withheld) removeFirst(out.assignment.get(consumer)!, tp);
  return { assignment: out.assignment, path: out.path!, withheld, ...rackAware };
}
