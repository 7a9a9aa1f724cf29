/**
 * The cluster metadata image the controller publishes (KRaft's __cluster_metadata, as an image).
 * It is cold state: it changes on elections and ISR changes only, so it is kept immutable with immer;
 * every node holds a reference to the version it last learned, and structural sharing makes
 * "did this partition change?" a reference comparison.
 */
export interface PartitionState {
  topic: string;
  partition: number;
  /** "topic-N" */
  tp: string;
  /** Assignment order: the first is the preferred leader. */
  replicas: number[];
  /** Leader broker id, or -1 (NO_LEADER) when offline. */
  leader: number;
  leaderEpoch: number;
  isr: number[];
  /** Eligible Leader Replicas (KIP-966). Empty unless ELR is enabled. */
  elr: number[];
  /**
   * KIP-966's LastKnownElr, as Kafka 4.x uses it: the leader at the moment the ISR became empty, kept
   * while the partition has no leader, so that it may be elected (uncleanly) once ELR and ISR are empty.
   */
  lastKnownElr: number[];
  /** KIP-704: RECOVERING after an unclean election, until the leader's next AlterPartition. */
  leaderRecoveryState: 'RECOVERED' | 'RECOVERING';
  partitionEpoch: number;
  /**
   * A reassignment in progress (KIP-455, PartitionRegistration.addingReplicas / removingReplicas): the
   * replicas being added and those to remove once the adding ones are in the ISR. Empty otherwise.
   */
  addingReplicas: number[];
  removingReplicas: number[];
  /**
   * Brokers whose replica of this partition is in a failed log directory (KIP-858: in Kafka, the replica's
   * entry of PartitionRegistration.directories is not among its broker's online directories). Such a
   * replica may not lead. Absent when there are none.
   */
  offlineReplicas?: number[];
}

export interface BrokerRegistration {
  id: number;
  /** Broker epoch: changes on every registration (every process start). */
  epoch: number;
  fenced: boolean;
  inControlledShutdown: boolean;
}

export interface TopicMeta {
  name: string;
  partitions: number;
  minInsyncReplicas: number;
  uncleanLeaderElectionEnable: boolean;
}

export interface MetadataImage {
  /** Offset of the last record applied (KRaft metadata offset). */
  version: number;
  brokers: Record<number, BrokerRegistration>;
  topics: Record<string, TopicMeta>;
  partitions: Record<string, PartitionState>;
  /**
   * leader.replication.throttled.rate (= follower.replication.throttled.rate) per broker id, bytes/s, as
   * kafka-reassign-partitions --throttle sets them (dynamic broker configs, ConfigRecords); absent: none.
   */
  throttledRates: Record<number, number>;
}

export const NO_LEADER = -1;

export function tpName(topic: string, partition: number): string {
  return `${topic}-${partition}`;
}

/** A partition as a new topic or CreatePartitions makes it: led by the first of its ISR, epoch 0. */
export function newPartitionState(topic: string, partition: number, replicas: number[], isr: number[]): PartitionState {
  return {
    topic,
    partition,
    tp: tpName(topic, partition),
    replicas,
    leader: isr[0] ?? NO_LEADER,
    leaderEpoch: 0,
    isr,
    elr: [],
    lastKnownElr: [],
    leaderRecoveryState: 'RECOVERED',
    partitionEpoch: 0,
    addingReplicas: [],
    removingReplicas: [],
  };
}

const BROKER_IDS = new Map<string, number>();

/** The broker id of a node name "b3" (the inverse of brokerNode), remembered: replies are matched by sender thousands of times a second. */
export function brokerIdOf(node: string): number {
  let id = BROKER_IDS.get(node);
  if (id === undefined) {
    id = Number(node.slice(1));
    if (BROKER_IDS.size < 4096) BROKER_IDS.set(node, id);
  }
  return id;
}

const BROKER_NODES: string[] = [];

/** A broker's node name, "b3": made once per id (requests name their broker thousands of times a second). */
export function brokerNode(id: number): string {
  let s = BROKER_NODES[id];
  if (s === undefined) {
    s = `b${id}`;
    if (id >= 0 && id < 4096 && Number.isInteger(id)) BROKER_NODES[id] = s;
  }
  return s;
}

/** Split "orders-12" into its topic and partition (topic names may contain dashes). */
export function parseTp(tp: string): { topic: string; partition: number } {
  const i = tp.lastIndexOf('-');
  return { topic: tp.slice(0, i), partition: Number(tp.slice(i + 1)) };
}

/** Approximate wire size of a metadata image (for NIC accounting). */
export function imageBytes(img: MetadataImage): number {
  return 64 + Object.keys(img.partitions).length * 48 + Object.keys(img.brokers).length * 32;
}
