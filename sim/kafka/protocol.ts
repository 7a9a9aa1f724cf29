/**
 * Payloads of the messages nodes exchange, named after Kafka's APIs. Sizes are approximate wire sizes
 * used for NIC accounting.
 */
import type { KafkaError } from '../trace/events.js';
import type { LogEntry, RecordBatch } from './partition-log.js';
import type { MetadataImage, PartitionState } from './metadata.js';

export interface BrokerRegistrationRequest {
  broker: number;
  incarnation: number;
  /** KIP-966: the broker epoch written at the last clean shutdown, or -1 (the shutdown was not clean). */
  previousBrokerEpoch: number;
  /** The replicas in its failed log directories (see BrokerHeartbeatRequest.offlineReplicas); absent: none. */
  offlineReplicas?: string[];
}
export interface BrokerRegistrationResponse {
  error: 'NONE' | 'DUPLICATE_BROKER_REGISTRATION';
  brokerEpoch: number;
}

export interface BrokerHeartbeatRequest {
  broker: number;
  brokerEpoch: number;
  metadataVersion: number;
  wantShutDown: boolean;
  /**
   * KIP-858's OfflineLogDirs, sent on every heartbeat once a log directory failed. Kafka sends the
   * directories' ids and the controller looks up the replicas assigned to them (AssignReplicasToDirs told it
   * earlier); the model, which does not send those assignments, sends the replicas that were there.
   */
  offlineReplicas?: string[];
  /**
   * The failed log directories (indexes in log.dirs) this heartbeat tells of. Kafka's response handler
   * keeps them in a closure (BrokerHeartbeatResponseHandler's currentOfflineDirs); the model's controller
   * echoes them in its answer instead.
   */
  offlineDirs?: number[];
}
export interface BrokerHeartbeatResponse {
  error: 'NONE' | 'STALE_BROKER_EPOCH';
  fenced: boolean;
  shouldShutDown: boolean;
  /** The request's offlineDirs, echoed: the controller has been told of them. */
  offlineDirs?: number[];
}

/** A broker's metadata fetch from the controller (KRaft observers replicate the metadata log). */
export interface MetadataFetchRequest {
  node: string;
  version: number;
}
export interface MetadataFetchResponse {
  image: MetadataImage;
}

export interface AlterPartitionRequest {
  broker: number;
  brokerEpoch: number;
  tp: string;
  leaderEpoch: number;
  partitionEpoch: number;
  newIsr: number[];
}
export interface AlterPartitionResponse {
  tp: string;
  error: 'NONE' | 'FENCED_LEADER_EPOCH' | 'INVALID_UPDATE_VERSION' | 'INELIGIBLE_REPLICA' | 'NOT_CONTROLLER';
  state?: PartitionState;
}

export interface ProducePartitionData {
  tp: string;
  batch: RecordBatch;
}
export interface ProduceRequest {
  correlationId: number;
  acks: number;
  timeoutMs: number;
  data: ProducePartitionData[];
  /** The batches' codec (CompressionType.id) when compressed, and their records' uncompressed bytes. */
  codec?: number;
  rawBytes?: number;
}
export interface ProducePartitionResponse {
  tp: string;
  seq: number;
  error: KafkaError;
  baseOffset: number;
}
export interface ProduceResponse {
  correlationId: number;
  results: ProducePartitionResponse[];
}

export interface FetchPartition {
  tp: string;
  fetchOffset: number;
  /** Epoch of the last batch the fetcher has (KIP-595/320 divergence detection), -1 if none. */
  lastFetchedEpoch: number;
  /** The leader epoch the fetcher believes current (KIP-320 fencing), -1 to skip the check. */
  currentLeaderEpoch: number;
}
export interface FetchRequest {
  correlationId: number;
  /** The fetching broker, or -1 for a consumer. */
  replicaId: number;
  replicaEpoch: number;
  maxWaitMs: number;
  minBytes: number;
  maxBytes: number;
  partitionMaxBytes: number;
  partitions: FetchPartition[];
  /** KIP-392 (Fetch v11): the consumer's client.rack; set only by consumers that have one. */
  rackId?: string;
}
export interface FetchPartitionResponse {
  tp: string;
  error: KafkaError;
  highWatermark: number;
  logEndOffset: number;
  entries: LogEntry[];
  /** Set when the fetcher's log diverges from the leader's: truncate to this epoch's end offset. */
  divergingEpoch?: { epoch: number; endOffset: number };
  /** KIP-392: the replica the consumer should read this partition from instead (no records then). */
  preferredReadReplica?: number;
}
export interface FetchResponse {
  correlationId: number;
  partitions: FetchPartitionResponse[];
}

/**
 * OffsetsForLeaderEpoch as a follower sent it before truncation on fetch (0.11 to 2.6): the end offset of
 * `leaderEpoch` in the leader's log. Used by the `epochNoEpochInResponse` truncation behaviour, whose answer
 * (before KIP-279, Kafka 2.0) carries the end offset only.
 */
export interface OffsetsForLeaderEpochRequest {
  correlationId: number;
  replicaId: number;
  partitions: Array<{ tp: string; leaderEpoch: number }>;
}
export interface OffsetsForLeaderEpochResponse {
  correlationId: number;
  /** `leaderEpoch` is only in answers to consumers (KIP-320): the largest epoch ≤ the one asked for. */
  partitions: Array<{ tp: string; error: KafkaError; endOffset: number; leaderEpoch?: number }>;
}

export interface MetadataRequest {
  correlationId: number;
  topics: string[];
}
export interface MetadataResponse {
  correlationId: number;
  image: MetadataImage;
}

export const REQUEST_OVERHEAD_BYTES = 64;
