/** Shared shapes of the partition assignors (sim/kafka/group). */

/** A partition of a topic, as Kafka's `TopicPartition`. */
export interface TopicPartition {
  readonly topic: string;
  readonly partition: number;
}

/** The same partition is the same object within one assignment (so it can key a Map or Set). */
export class PartitionPool {
  private readonly byTopic = new Map<string, TopicPartition[]>();

  get(topic: string, partition: number): TopicPartition {
    let list = this.byTopic.get(topic);
    if (list === undefined) this.byTopic.set(topic, (list = []));
    let tp = list[partition];
    if (tp === undefined) list[partition] = tp = Object.freeze({ topic, partition });
    return tp;
  }
}

/** One member's `Subscription` as the group leader's assignor sees it. */
export interface Subscription {
  readonly topics: readonly string[];
  readonly groupInstanceId: string | undefined;
  /** The partitions the member says it owns (ConsumerProtocolSubscription.ownedPartitions / StickyAssignor user data). */
  readonly owned: readonly TopicPartition[];
  /** Its generation; undefined when the member sent none (Kafka: Optional.empty, DEFAULT_GENERATION −1). */
  readonly generation: number | undefined;
  /** Its client.rack (Subscription.rackId, ConsumerProtocolSubscription v3, KIP-881); undefined: none (Kafka drops an empty one). */
  readonly rack: string | undefined;
}

/**
 * What an assignor gets: the members in the iteration order of the leader's `HashMap<String, Subscription>`,
 * and the partition count of each subscribed topic that has metadata (AbstractPartitionAssignor.assign).
 */
export interface AssignorInput {
  readonly members: readonly string[];
  readonly subscriptions: ReadonlyMap<string, Subscription>;
  readonly partitionsPerTopic: ReadonlyMap<string, number>;
  readonly pool: PartitionPool;
  /** The racks of each partition's replicas (PartitionInfo.replicas' Node.rack, nulls left out), by topic then partition; a topic not here has none. */
  readonly partitionRacks: ReadonlyMap<string, readonly ReadonlySet<string>[]>;
  /** AbstractPartitionAssignor.preferRackAwareLogic: Kafka's unit tests set it to use the rack-aware logic even when every partition is on every rack. */
  readonly preferRackAwareLogic: boolean;
}

const NO_RACKS: ReadonlySet<string> = new Set();

/** The racks of a partition's replicas (empty when none has a rack). */
export function racksOf(input: AssignorInput, tp: TopicPartition): ReadonlySet<string> {
  return input.partitionRacks.get(tp.topic)?.[tp.partition] ?? NO_RACKS;
}

/**
 * AbstractPartitionAssignor.useRackAwareAssignment: only when some consumer is on a rack that holds replicas,
 * and (unless preferRackAwareLogic) some partition is not on every rack there is (else any choice is rack-local).
 */
export function useRackAwareAssignment(
  consumerRacks: ReadonlySet<string>,
  partitionRacks: ReadonlySet<string>,
  racksPerPartition: Iterable<ReadonlySet<string>>,
  preferRackAwareLogic: boolean,
): boolean {
  if (consumerRacks.size === 0 || ![...consumerRacks].some((r) => partitionRacks.has(r))) return false;
  if (preferRackAwareLogic) return true;
  for (const racks of racksPerPartition) if (racks.size !== partitionRacks.size || [...racks].some((r) => !partitionRacks.has(r))) return true;
  return false;
}

/** What an assignor returns: each member's partitions, and for the sticky family the path taken. */
export interface AssignorOutput {
  readonly assignment: Map<string, TopicPartition[]>;
  readonly path?: 'constrained' | 'general' | 'homogeneous' | 'heterogeneous';
  /** range and the sticky assignors: the rack-aware logic ran (KIP-881). */
  readonly rackAware?: boolean;
  /** cooperative-sticky: partitions held back this round because their owner must revoke them first, to their next owner. */
  readonly withheld?: Map<TopicPartition, string>;
}

/** Kafka's assignor failed (an IllegalStateException or a NullPointerException in the Java code). */
export class AssignorFailure extends Error {}

/** AbstractStickyAssignor.DEFAULT_GENERATION. */
export const DEFAULT_GENERATION = -1;

/** What AbstractStickyAssignor.allSubscriptionsEqual works out besides its answer. */
export interface OwnedPartitions {
  readonly allEqual: boolean;
  /** consumerToOwnedPartitions: each member's still-valid owned partitions, members in HashMap order. */
  readonly owned: Map<string, TopicPartition[]>;
  readonly multipleOwners: Set<TopicPartition>;
  readonly maxGeneration: number;
}

/** Removes the first occurrence, as `List.remove(Object)`. */
export function removeFirst<T>(list: T[], item: T): void {
  const i = list.indexOf(item);
  if (i >= 0) list.splice(i, 1);
}
