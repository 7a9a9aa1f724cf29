/**
 * AbstractStickyAssignor.RackInfo (Kafka clients 3.5+, KIP-881): the members' racks and the partitions'
 * replica racks, when rack-aware assignment applies (useRackAwareAssignment); empty otherwise, and then
 * every rack question below answers as if there were no racks.
 */
import { type AssignorInput, racksOf, type TopicPartition, useRackAwareAssignment } from './types.js';

export class RackInfo {
  /** consumerRacks: each member's rack, only when rack-aware. */
  readonly consumerRacks = new Map<string, string>();
  /** partitionRacks: each partition's replica racks, only when rack-aware. */
  readonly partitionRacks = new Map<TopicPartition, ReadonlySet<string>>();
  /**
   * numConsumersByPartition: how many members sit on the racks of each partition. Kafka fills it whenever
   * some member has a rack, rack-aware or not (it reads the constructor's local partitionRacks).
   */
  readonly numConsumersByPartition = new Map<TopicPartition, number>();

  constructor(input: AssignorInput) {
    const consumersByRack = new Map<string, string[]>();
    for (const m of input.members) {
      const rack = input.subscriptions.get(m)!.rack;
      if (rack === undefined) continue;
      const list = consumersByRack.get(rack);
      if (list === undefined) consumersByRack.set(rack, [m]);
      else list.push(m);
    }
    const partitionRacks = new Map<TopicPartition, ReadonlySet<string>>();
    const allRacks = new Set<string>();
    if (consumersByRack.size > 0)
      for (const [topic, count] of input.partitionsPerTopic)
        for (let p = 0; p < count; p++) {
          const tp = input.pool.get(topic, p);
          const racks = racksOf(input, tp);
          partitionRacks.set(tp, racks);
          for (const r of racks) allRacks.add(r);
        }
    if (useRackAwareAssignment(new Set(consumersByRack.keys()), allRacks, partitionRacks.values(), input.preferRackAwareLogic)) {
      for (const [rack, consumers] of consumersByRack) for (const c of consumers) this.consumerRacks.set(c, rack);
      for (const [tp, racks] of partitionRacks) this.partitionRacks.set(tp, racks);
    }
    for (const [tp, racks] of partitionRacks) {
      let n = 0;
      for (const r of racks) n += consumersByRack.get(r)?.length ?? 0;
      this.numConsumersByPartition.set(tp, n);
    }
  }

  /** racksMismatch: the member has a rack and the partition has no replica there. */
  racksMismatch(consumer: string, tp: TopicPartition): boolean {
    const rack = this.consumerRacks.get(consumer);
    const replicaRacks = this.partitionRacks.get(tp);
    return rack !== undefined && (replicaRacks === undefined || !replicaRacks.has(rack));
  }

  /** sortPartitionsByRackConsumers: partitions with fewer members on their racks first (a stable sort). */
  sortPartitionsByRackConsumers(partitions: TopicPartition[]): TopicPartition[] {
    if (this.numConsumersByPartition.size === 0) return partitions;
    const n = (tp: TopicPartition) => this.numConsumersByPartition.get(tp) ?? 0;
    return [...partitions].sort((a, b) => n(a) - n(b));
  }

  /** nextRackConsumer: the index of the first member from firstIndex on (round the list) on a rack of the partition, or −1. */
  nextRackConsumer(tp: TopicPartition, consumers: readonly string[], firstIndex: number): number {
    const racks = this.partitionRacks.get(tp);
    if (racks === undefined || racks.size === 0) return -1;
    for (let i = 0; i < consumers.length; i++) {
      const index = (firstIndex + i) % consumers.length;
      const rack = this.consumerRacks.get(consumers[index]!);
      if (rack !== undefined && racks.has(rack)) return index;
    }
    return -1;
  }
}
