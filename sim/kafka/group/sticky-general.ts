/**
 * AbstractStickyAssignor.GeneralAssignmentBuilder (Kafka clients): for members whose subscriptions differ.
 * Keeps what members own (if rack-aware, only what is on their racks), hands out the rest to the
 * least-loaded eligible member (first on its rack, if rack-aware), then moves partitions while the
 * assignment is unbalanced, preferring a partition's previous owner.
 */
import { compareJavaStrings, javaTopicPartitionHash, JavaHashOrder } from './java-order.js';
import type { RackInfo } from './sticky-racks.js';
import { AssignorFailure, DEFAULT_GENERATION, removeFirst, type AssignorInput, type AssignorOutput, type OwnedPartitions, type TopicPartition } from './types.js';

/** A TreeSet<String> of members ordered by SubscriptionComparator: assignment size, then member id. */
class SortedMembers {
  private readonly items: string[] = [];
  constructor(private readonly sizeOf: (member: string) => number) {}
  private compare(a: string, b: string): number {
    return this.sizeOf(a) - this.sizeOf(b) || compareJavaStrings(a, b);
  }
  add(m: string): void {
    if (this.items.includes(m)) return;
    const at = this.items.findIndex((x) => this.compare(x, m) > 0);
    if (at < 0) this.items.push(m);
    else this.items.splice(at, 0, m);
  }
  remove(m: string): void {
    removeFirst(this.items, m);
  }
  first(): string {
    return this.items[0]!;
  }
  last(): string {
    return this.items[this.items.length - 1]!;
  }
  [Symbol.iterator](): Iterator<string> {
    return this.items[Symbol.iterator]();
  }
}

interface Move {
  readonly src: string;
  readonly dst: string;
}

/** AbstractStickyAssignor.PartitionMovements: which partitions moved between which members this round. */
class PartitionMovements {
  private readonly byTopic = new Map<string, Map<string, { pair: Move; partitions: JavaHashOrder<TopicPartition> }>>();
  private readonly moves = new Map<TopicPartition, Move>();

  private static key(src: string, dst: string): string {
    return JSON.stringify([src, dst]);
  }

  private removeRecord(tp: TopicPartition): Move {
    const pair = this.moves.get(tp)!;
    this.moves.delete(tp);
    const forTopic = this.byTopic.get(tp.topic)!;
    const key = PartitionMovements.key(pair.src, pair.dst);
    const entry = forTopic.get(key)!;
    entry.partitions.delete(tp);
    if (entry.partitions.size === 0) forTopic.delete(key);
    if (forTopic.size === 0) this.byTopic.delete(tp.topic);
    return pair;
  }

  private addRecord(tp: TopicPartition, pair: Move): void {
    this.moves.set(tp, pair);
    let forTopic = this.byTopic.get(tp.topic);
    if (forTopic === undefined) this.byTopic.set(tp.topic, (forTopic = new Map()));
    const key = PartitionMovements.key(pair.src, pair.dst);
    let entry = forTopic.get(key);
    if (entry === undefined) forTopic.set(key, (entry = { pair, partitions: new JavaHashOrder((p) => javaTopicPartitionHash(p.topic, p.partition)) }));
    entry.partitions.add(tp);
  }

  move(tp: TopicPartition, oldConsumer: string, newConsumer: string): void {
    if (!this.moves.has(tp)) return this.addRecord(tp, { src: oldConsumer, dst: newConsumer });
    const existing = this.removeRecord(tp);
    if (existing.src !== newConsumer) this.addRecord(tp, { src: existing.src, dst: newConsumer });
  }

  /** getTheActualPartitionToBeMoved: undo an earlier move of the same topic the other way rather than add one. */
  actualPartitionToMove(tp: TopicPartition, oldConsumer: string, newConsumer: string): TopicPartition {
    const forTopic = this.byTopic.get(tp.topic);
    if (forTopic === undefined) return tp;
    const from = this.moves.get(tp)?.src ?? oldConsumer;
    const reverse = forTopic.get(PartitionMovements.key(newConsumer, from));
    return reverse === undefined ? tp : reverse.partitions.first()!;
  }
}

interface PrevOwner {
  readonly consumer: string;
  readonly generation: number;
}

class GeneralBuilder {
  readonly topicConsumers = new Map<string, string[]>();
  readonly consumerTopics = new Map<string, string[]>();
  readonly current: Map<string, TopicPartition[]>;
  readonly partitionConsumer = new Map<TopicPartition, string>();
  readonly sortedAll: TopicPartition[] = [];
  readonly sorted = new SortedMembers((m) => this.current.get(m)!.length);
  readonly movements = new PartitionMovements();
  readonly prev = new Map<TopicPartition, PrevOwner>();
  readonly total: number;
  revocationRequired = false;

  constructor(
    readonly input: AssignorInput,
    o: OwnedPartitions,
    readonly rack: RackInfo,
  ) {
    this.current = o.owned;
    this.total = [...input.partitionsPerTopic.values()].reduce((a, b) => a + b, 0);
    for (const topic of input.partitionsPerTopic.keys()) this.topicConsumers.set(topic, []);
    for (const consumer of input.members) {
      const topics = input.subscriptions.get(consumer)!.topics.filter((t) => input.partitionsPerTopic.has(t));
      this.consumerTopics.set(consumer, topics);
      for (const t of topics) this.topicConsumers.get(t)!.push(consumer);
      if (!this.current.has(consumer)) this.current.set(consumer, []);
    }
    for (const [consumer, list] of this.current) for (const tp of list) this.partitionConsumer.set(tp, consumer);
    const count = (t: string) => this.topicConsumers.get(t)!.length;
    const topics = [...this.topicConsumers.keys()].sort((a, b) => count(a) - count(b) || compareJavaStrings(a, b));
    for (const t of topics) for (let p = 0; p < input.partitionsPerTopic.get(t)!; p++) this.sortedAll.push(input.pool.get(t, p));
    this.prepopulate(o.maxGeneration);
  }

  size(consumer: string): number {
    const list = this.current.get(consumer);
    if (list === undefined) throw new AssignorFailure(`Kafka's sticky assignor fails here (NullPointerException: member ${consumer} is not in the current assignment)`);
    return list.length;
  }

  /** prepopulateCurrentAssignments: the owners of older generations, one per partition (the newest of them). */
  private prepopulate(maxGeneration: number): void {
    for (const consumer of this.input.members) {
      const sub = this.input.subscriptions.get(consumer)!;
      let generation: number;
      if (sub.generation !== undefined && sub.generation < maxGeneration) generation = sub.generation;
      else if (sub.generation === undefined && maxGeneration > DEFAULT_GENERATION) generation = DEFAULT_GENERATION;
      else continue;
      for (const tp of sub.owned) {
        const had = this.prev.get(tp);
        if (had === undefined || generation > had.generation) this.prev.set(tp, { consumer, generation });
      }
    }
  }

  /** assignOwnedPartitions: keep owned partitions of topics the member still subscribes to (and, if rack-aware, on its rack). */
  assignOwned(): Set<TopicPartition> {
    const assigned = new Set<TopicPartition>();
    for (const [consumer, list] of this.current) {
      const topics = this.input.subscriptions.get(consumer)!.topics;
      for (const tp of [...list]) {
        if (!this.topicConsumers.has(tp.topic)) {
          removeFirst(list, tp);
          this.partitionConsumer.delete(tp);
        } else if (!topics.includes(tp.topic) || this.rack.racksMismatch(consumer, tp)) {
          removeFirst(list, tp);
          this.revocationRequired = true;
        } else assigned.add(tp);
      }
    }
    return assigned;
  }

  maxAssignmentSize(topics: readonly string[]): number {
    if (topics.length === this.input.partitionsPerTopic.size) return this.total;
    return topics.reduce((sum, t) => sum + this.input.partitionsPerTopic.get(t)!, 0);
  }

  isBalanced(): boolean {
    if (this.size(this.sorted.first()) >= this.size(this.sorted.last()) - 1) return true;
    const owner = new Map<TopicPartition, string>();
    for (const [consumer, list] of this.current) for (const tp of list) owner.set(tp, consumer);
    for (const consumer of this.sorted) {
      const mine = new Set(this.current.get(consumer)!);
      const topics = this.consumerTopics.get(consumer)!;
      if (mine.size === this.maxAssignmentSize(topics)) continue;
      for (const topic of topics)
        for (let p = 0; p < this.input.partitionsPerTopic.get(topic)!; p++) {
          const tp = this.input.pool.get(topic, p);
          if (!mine.has(tp) && mine.size + 1 < this.size(owner.get(tp)!)) return false;
        }
    }
    return true;
  }

  balanceScore(assignment: Map<string, TopicPartition[]>): number {
    const sizes = [...assignment.values()].map((l) => l.length);
    let score = 0;
    for (let i = 0; i < sizes.length; i++) for (let j = i + 1; j < sizes.length; j++) score += Math.abs(sizes[i]! - sizes[j]!);
    return score;
  }

  /**
   * maybeAssign: each unassigned partition to the least-loaded member that subscribes to its topic (with
   * `rack`, only one whose rack does not mismatch). With `removeAssigned`, what was assigned leaves the list.
   */
  assignUnassigned(unassigned: TopicPartition[], rack: RackInfo | null, removeAssigned: boolean): void {
    const left: TopicPartition[] = [];
    for (const tp of unassigned) {
      if (this.topicConsumers.get(tp.topic)!.length === 0 || !this.maybeAssignPartition(tp, rack)) left.push(tp);
    }
    if (removeAssigned) unassigned.splice(0, unassigned.length, ...left);
  }

  /** maybeAssignPartition. */
  private maybeAssignPartition(tp: TopicPartition, rack: RackInfo | null): boolean {
    for (const consumer of this.sorted) {
      if (!this.consumerTopics.get(consumer)!.includes(tp.topic) || rack?.racksMismatch(consumer, tp) === true) continue;
      this.sorted.remove(consumer);
      this.current.get(consumer)!.push(tp);
      this.partitionConsumer.set(tp, consumer);
      this.sorted.add(consumer);
      return true;
    }
    return false;
  }

  canConsumerParticipate(consumer: string): boolean {
    const list = this.current.get(consumer)!;
    if (list.length < this.maxAssignmentSize(this.consumerTopics.get(consumer)!)) return true;
    return list.some((tp) => this.topicConsumers.get(tp.topic)!.length >= 2);
  }

  reassign(tp: TopicPartition, newConsumer?: string): void {
    const target = newConsumer ?? [...this.sorted].find((c) => this.consumerTopics.get(c)!.includes(tp.topic))!;
    const moved = this.movements.actualPartitionToMove(tp, this.partitionConsumer.get(tp)!, target);
    const old = this.partitionConsumer.get(moved)!;
    this.sorted.remove(old);
    this.sorted.remove(target);
    this.movements.move(moved, old, target);
    removeFirst(this.current.get(old)!, moved);
    this.current.get(target)!.push(moved);
    this.partitionConsumer.set(moved, target);
    this.sorted.add(target);
    this.sorted.add(old);
  }

  /**
   * Whether a partition's owner has 2+ more than another member of its topic: Kafka first looks among the
   * members on the partition's racks when the owner is on one, then among all (the first check finds
   * nothing the second would not, and both move the partition the same way).
   */
  private canMoveToLessLoaded(tp: TopicPartition, consumer: string): boolean {
    const rack = this.rack.consumerRacks.get(consumer);
    const racks = this.rack.partitionRacks.get(tp);
    const others = this.topicConsumers.get(tp.topic)!;
    if (rack !== undefined && racks !== undefined && racks.size > 0 && racks.has(rack)) {
      const onRack = others.filter((o) => {
        const r = this.rack.consumerRacks.get(o);
        return r !== undefined && racks.has(r);
      });
      if (onRack.some((other) => this.size(consumer) > this.size(other) + 1)) return true;
    }
    return others.some((other) => this.size(consumer) > this.size(other) + 1);
  }

  /** performReassignments. */
  performReassignments(partitions: readonly TopicPartition[]): boolean {
    let performed = false;
    let modified: boolean;
    do {
      modified = false;
      for (let i = 0; i < partitions.length && !this.isBalanced(); i++) {
        const tp = partitions[i]!;
        const consumer = this.partitionConsumer.get(tp)!;
        const prev = this.prev.get(tp);
        if (prev !== undefined && this.size(consumer) > this.size(prev.consumer) + 1) {
          this.reassign(tp, prev.consumer);
          performed = modified = true;
          continue;
        }
        if (this.canMoveToLessLoaded(tp, consumer)) {
          this.reassign(tp);
          performed = modified = true;
        }
      }
    } while (modified);
    return performed;
  }
}

function removeAllInPlace(list: TopicPartition[], drop: ReadonlySet<TopicPartition>): void {
  let w = 0;
  for (const tp of list) if (!drop.has(tp)) list[w++] = tp;
  list.length = w;
}

/** GeneralAssignmentBuilder.balance. */
function balance(b: GeneralBuilder, unassigned: TopicPartition[]): void {
  const initializing = b.current.get(b.sorted.last())!.length === 0;
  // First on the members' racks, then the rest anywhere.
  let toAssign = unassigned;
  if (b.rack.consumerRacks.size > 0) {
    toAssign = [...unassigned];
    b.assignUnassigned(toAssign, b.rack, true);
  }
  b.assignUnassigned(toAssign, null, false);
  const fixedPartitions = new Set<TopicPartition>();
  for (const [topic, consumers] of b.topicConsumers) if (consumers.length < 2) for (let p = 0; p < b.input.partitionsPerTopic.get(topic)!; p++) fixedPartitions.add(b.input.pool.get(topic, p));
  removeAllInPlace(b.sortedAll, fixedPartitions);
  removeAllInPlace(unassigned, fixedPartitions);
  const fixed = new Map<string, TopicPartition[]>();
  for (const consumer of b.consumerTopics.keys())
    if (!b.canConsumerParticipate(consumer)) {
      b.sorted.remove(consumer);
      fixed.set(consumer, b.current.get(consumer)!);
      b.current.delete(consumer);
    }
  const before = new Map([...b.current].map(([c, l]) => [c, [...l]]));
  const beforeOwners = new Map(b.partitionConsumer);
  if (!b.revocationRequired) b.performReassignments(unassigned);
  const performed = b.performReassignments(b.sortedAll);
  if (!initializing && performed && b.balanceScore(b.current) >= b.balanceScore(before)) {
    b.current.clear();
    for (const [c, l] of before) b.current.set(c, [...l]);
    b.partitionConsumer.clear();
    for (const [tp, c] of beforeOwners) b.partitionConsumer.set(tp, c);
  }
  for (const [consumer, list] of fixed) b.current.set(consumer, list);
}

/** GeneralAssignmentBuilder.build. */
export function generalAssign(input: AssignorInput, o: OwnedPartitions, rack: RackInfo): AssignorOutput {
  const b = new GeneralBuilder(input, o, rack);
  const assigned = b.assignOwned();
  // With nothing assigned Kafka hands back sortedAllPartitions itself: both lists are then one list.
  const unassigned = assigned.size === 0 ? b.sortedAll : b.sortedAll.filter((tp) => !assigned.has(tp));
  for (const consumer of b.current.keys()) b.sorted.add(consumer);
  balance(b, unassigned);
  return { assignment: b.current, path: 'general' };
}
