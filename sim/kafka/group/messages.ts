/**
 * The group APIs' payloads, named after Kafka's (FindCoordinator, JoinGroup, SyncGroup, Heartbeat,
 * LeaveGroup, OffsetCommit, OffsetFetch), with the fields the model uses. Errors are Kafka's names.
 */
import { javaStringHash } from './java-order.js';

export type GroupError =
  | 'NONE'
  | 'COORDINATOR_NOT_AVAILABLE'
  | 'NOT_COORDINATOR'
  | 'UNKNOWN_MEMBER_ID'
  | 'MEMBER_ID_REQUIRED'
  | 'ILLEGAL_GENERATION'
  | 'REBALANCE_IN_PROGRESS'
  | 'INCONSISTENT_GROUP_PROTOCOL'
  | 'INVALID_SESSION_TIMEOUT'
  | 'FENCED_INSTANCE_ID'
  // KIP-848 (ConsumerGroupHeartbeat, OffsetCommit v9+):
  | 'FENCED_MEMBER_EPOCH'
  | 'STALE_MEMBER_EPOCH'
  | 'UNRELEASED_INSTANCE_ID'
  | 'GROUP_MAX_SIZE_REACHED'
  | 'UNSUPPORTED_ASSIGNOR'
  | 'GROUP_ID_NOT_FOUND';

/** What a member's JoinGroup carries for one protocol (ConsumerProtocolSubscription). */
export interface JoinProtocol {
  /** The assignor's name: range, roundrobin, sticky, cooperative-sticky. */
  name: string;
  topics: string[];
  /** ownedPartitions ("topic-N"), sent with cooperative assignors and by the sticky ones. */
  owned: string[];
  /** The generation of `owned` (-1: none). */
  generation: number;
  /** client.rack (ConsumerProtocolSubscription v3's rackId, KIP-881); absent: none, or a version before 3.5. */
  rack?: string;
}

export interface FindCoordinatorRequest {
  correlationId: number;
  group: string;
}
export interface FindCoordinatorResponse {
  correlationId: number;
  error: GroupError;
  /** The coordinator's broker id, -1 with an error. */
  node: number;
}

export interface JoinGroupRequest {
  correlationId: number;
  group: string;
  /** '' for a new member. */
  memberId: string;
  instanceId?: string;
  /** The consumer's client.id (its scenario name). */
  clientId: string;
  sessionTimeoutMs: number;
  /** max.poll.interval.ms. */
  rebalanceTimeoutMs: number;
  protocols: JoinProtocol[];
  /** Why the member (re)joins (JoinGroupRequest.reason, KIP-800). */
  reason: string;
}
export interface JoinMember {
  memberId: string;
  instanceId?: string;
  clientId: string;
  protocol: JoinProtocol;
}
export interface JoinGroupResponse {
  correlationId: number;
  error: GroupError;
  generation: number;
  protocol: string;
  leader: string;
  memberId: string;
  /** Only for the leader: every member with its metadata for the chosen protocol. */
  members: JoinMember[];
  /** KIP-814: a static leader rejoining a stable group keeps the stored assignment and must not run the assignor. */
  skipAssignment?: boolean;
}

export interface SyncGroupRequest {
  correlationId: number;
  group: string;
  memberId: string;
  instanceId?: string;
  generation: number;
  /** Only from the leader: each member's partitions. */
  assignments: Array<{ memberId: string; partitions: string[] }>;
}
export interface SyncGroupResponse {
  correlationId: number;
  error: GroupError;
  partitions: string[];
}

export interface HeartbeatRequest {
  correlationId: number;
  group: string;
  memberId: string;
  instanceId?: string;
  generation: number;
}
export interface HeartbeatResponse {
  correlationId: number;
  error: GroupError;
}

export interface LeaveGroupRequest {
  correlationId: number;
  group: string;
  memberId: string;
  reason: string;
}
export interface LeaveGroupResponse {
  correlationId: number;
  error: GroupError;
}

/**
 * KIP-848's ConsumerGroupHeartbeat (API key 68). `memberEpoch` 0 joins, -1 leaves, -2 leaves for now (a
 * static member). Fields the member did not change since its last heartbeat are sent as null (-1 for the
 * rebalance timeout); a join (or a heartbeat after an error) sends them all.
 */
export interface ConsumerGroupHeartbeatRequest {
  correlationId: number;
  group: string;
  /** '' before the coordinator gave one. */
  memberId: string;
  memberEpoch: number;
  instanceId?: string;
  clientId: string;
  /** max.poll.interval.ms; -1 when unchanged. */
  rebalanceTimeoutMs: number;
  subscribedTopicNames: string[] | null;
  /** group.remote.assignor; null for the coordinator's default. */
  serverAssignor: string | null;
  /** The partitions it owns ("topic-N"); null when unchanged since the last heartbeat. */
  ownedPartitions: string[] | null;
}
export interface ConsumerGroupHeartbeatResponse {
  correlationId: number;
  error: GroupError;
  memberId: string;
  memberEpoch: number;
  heartbeatIntervalMs: number;
  /** The member's assignment, when it changed or the request was a full one; else null. */
  assignment: string[] | null;
}

export interface OffsetCommitRequest {
  correlationId: number;
  group: string;
  /** -1 and '' for a consumer outside the group protocol (assign()); a KIP-848 member sends its member epoch (v9+). */
  generation: number;
  memberId: string;
  instanceId?: string;
  offsets: Array<{ tp: string; offset: number }>;
}
export interface OffsetCommitResponse {
  correlationId: number;
  error: GroupError;
}

export interface OffsetFetchRequest {
  correlationId: number;
  group: string;
  tps: string[];
}
export interface OffsetFetchResponse {
  correlationId: number;
  error: GroupError;
  /** The committed offset of each partition asked for, -1 when none. */
  offsets: Array<{ tp: string; offset: number }>;
}

export const OFFSETS_TOPIC = '__consumer_offsets';

/** The broker configs of the group coordinator. */
export interface CoordinatorConfig {
  /** offsets.topic.num.partitions */
  offsetsPartitions: number;
  /** group.initial.rebalance.delay.ms */
  initialRebalanceDelayMs: number;
  /** group.min.session.timeout.ms, group.max.session.timeout.ms */
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  /** offsets.commit.timeout.ms */
  commitTimeoutMs: number;
  /** KIP-848: group.consumer.session.timeout.ms, group.consumer.heartbeat.interval.ms, group.consumer.max.size, group.consumer.assignors. */
  consumerSessionTimeoutMs: number;
  consumerHeartbeatIntervalMs: number;
  consumerMaxSize: number;
  consumerAssignors: string[];
}

/**
 * GroupCoordinatorService.partitionFor: Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions,
 * where Utils.abs is Math.abs except that Integer.MIN_VALUE gives 0.
 */
export function offsetsPartitionFor(group: string, partitions: number): number {
  const h = javaStringHash(group);
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}
