/**
 * A KIP-848 consumer group at its coordinator (Kafka's ConsumerGroup and ConsumerGroupMember, in
 * group-coordinator/…/modern/consumer/): the group epoch, the target assignment and its epoch, each
 * member's epoch and current assignment, and which member epoch holds each partition
 * (currentPartitionEpoch). `reconcile` is CurrentAssignmentBuilder, the per-member state machine that moves a
 * member towards its target one step at a time: it first revokes what it must give up (UNREVOKED_PARTITIONS),
 * and gets a partition only once its previous owner has released it (UNRELEASED_PARTITIONS). There is no
 * global barrier: a member whose target did not change is not asked anything. Partitions are `topic-N`.
 */

/** MemberState of the coordinator (modern/MemberState.java). */
export type MemberState = 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS';

/** ConsumerGroupHeartbeatRequest.LEAVE_GROUP_MEMBER_EPOCH and LEAVE_GROUP_STATIC_MEMBER_EPOCH. */
export const LEAVE_GROUP_MEMBER_EPOCH = -1;
export const LEAVE_GROUP_STATIC_MEMBER_EPOCH = -2;

/** What a member's reconciliation state is (ConsumerGroupCurrentMemberAssignmentValue). */
export interface MemberAssignmentState {
  memberEpoch: number;
  previousMemberEpoch: number;
  state: MemberState;
  /** The partitions the member may own now. */
  assigned: readonly string[];
  /** The partitions it must revoke before it gets the next ones. */
  pendingRevocation: readonly string[];
}

/** What a member's records hold: ConsumerGroupMemberMetadataValue and ConsumerGroupCurrentMemberAssignmentValue in one. */
export interface StoredConsumerMember extends MemberAssignmentState {
  memberId: string;
  instanceId?: string;
  clientId: string;
  rebalanceTimeoutMs: number;
  /** Subscribed topic names, in the order the heartbeat listed them. */
  topics: readonly string[];
  /** group.remote.assignor, if the member named one. */
  serverAssignor?: string;
}

/** A member at the coordinator: what its records hold, and its timers. */
export interface ConsumerMember extends StoredConsumerMember {
  /** Its session expires at this time unless a heartbeat renews it. */
  expiresUs: number;
  /** Bumped when its rebalance timeout is scheduled or cancelled: an older timer does nothing. */
  rebalanceTimer: number;
}

/** ConsumerGroup.ConsumerGroupState, as `GroupState`'s toString() spells it. */
export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable';

export class ConsumerGroup {
  groupEpoch = 0;
  /** The epoch of the target assignment (targetAssignmentEpoch). */
  assignmentEpoch = 0;
  /** The assignor that computed the last target assignment. */
  assignor: string | undefined;
  /** The subscribed topics' partition counts when the group epoch was last bumped (subscriptionMetadata). */
  subscriptionMetadata = '';
  /** What the last `group` trace event showed (state, epoch, members), so that only changes are traced. */
  lastEmitted = '';
  /** Members in the order they joined (Kafka keeps a TimelineHashMap; the assignor input is put in hash order). */
  readonly members = new Map<string, ConsumerMember>();
  /** group.instance.id → member id. */
  readonly statics = new Map<string, string>();
  /** Each member's target assignment. */
  readonly target = new Map<string, readonly string[]>();
  /** currentPartitionEpoch: the epoch of the member that holds each partition (assigned or pending revocation). */
  private readonly partitionEpochs = new Map<string, number>();

  constructor(readonly id: string) {}

  /** ConsumerGroup.maybeUpdateGroupState. */
  state(): ConsumerGroupState {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch > this.assignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) if (!isReconciledTo(m, this.assignmentEpoch)) return 'Reconciling';
    return 'Stable';
  }

  /** The epoch of the member holding `tp`, -1 when it is free. */
  partitionEpoch(tp: string): number {
    return this.partitionEpochs.get(tp) ?? -1;
  }

  clientIds(): string[] {
    return [...this.members.values()].map((m) => m.clientId);
  }

  /** Add or update a member (updateMember → maybeUpdatePartitionEpoch): the partitions it holds move with it. */
  put(m: ConsumerMember): void {
    const old = this.members.get(m.memberId);
    if (old !== undefined) this.release(old);
    this.members.set(m.memberId, m);
    if (m.instanceId !== undefined) this.statics.set(m.instanceId, m.memberId);
    for (const tp of m.assigned) this.partitionEpochs.set(tp, m.memberEpoch);
    for (const tp of m.pendingRevocation) this.partitionEpochs.set(tp, m.memberEpoch);
  }

  /** removeMember: its partitions are free again; its target assignment goes too. */
  remove(memberId: string): ConsumerMember | undefined {
    const m = this.members.get(memberId);
    if (m === undefined) return undefined;
    this.release(m);
    this.members.delete(memberId);
    this.target.delete(memberId);
    if (m.instanceId !== undefined && this.statics.get(m.instanceId) === memberId) this.statics.delete(m.instanceId);
    return m;
  }

  private release(m: ConsumerMember): void {
    for (const tp of [...m.assigned, ...m.pendingRevocation]) if (this.partitionEpochs.get(tp) === m.memberEpoch) this.partitionEpochs.delete(tp);
  }
}

/** ConsumerGroupMember.isReconciledTo: STABLE at the target assignment's epoch. */
export function isReconciledTo(m: MemberAssignmentState, targetEpoch: number): boolean {
  return m.state === 'STABLE' && m.memberEpoch === targetEpoch;
}

/** The owned partitions the heartbeat carried still include one of `pending` (null: not sent, so yes). */
function ownsAny(owned: readonly string[] | null, pending: readonly string[]): boolean {
  if (owned === null) return true;
  const set = new Set(pending);
  return owned.some((tp) => set.has(tp));
}

/**
 * CurrentAssignmentBuilder.build: the member's next state given the target assignment (epoch and
 * partitions), which member epoch holds each partition (-1: free), and the partitions the member said it
 * owns (null when its heartbeat did not say).
 */
export function reconcile(m: MemberAssignmentState, targetEpoch: number, target: readonly string[], partitionEpoch: (tp: string) => number, owned: readonly string[] | null): MemberAssignmentState {
  if (m.state === 'STABLE') return m.memberEpoch === targetEpoch ? m : nextAssignment(m, targetEpoch, target, partitionEpoch, owned);
  // UNREVOKED_PARTITIONS: no progress until the member no longer reports any partition pending revocation.
  if (m.state === 'UNREVOKED_PARTITIONS' && ownsAny(owned, m.pendingRevocation)) return m;
  return nextAssignment(m, targetEpoch, target, partitionEpoch, owned);
}

/** CurrentAssignmentBuilder.computeNextAssignment. */
function nextAssignment(m: MemberAssignmentState, targetEpoch: number, target: readonly string[], partitionEpoch: (tp: string) => number, owned: readonly string[] | null): MemberAssignmentState {
  const inTarget = new Set(target);
  const current = new Set(m.assigned);
  // New assigned = previous ∩ target; pending revocation = previous − target.
  const assigned = m.assigned.filter((tp) => inTarget.has(tp));
  const revoke = m.assigned.filter((tp) => !inTarget.has(tp));
  // Pending assignment = target − assigned − unreleased (partitions another member's epoch still holds).
  let unreleased = false;
  const pendingAssignment: string[] = [];
  for (const tp of target) {
    if (current.has(tp)) continue;
    if (partitionEpoch(tp) !== -1) unreleased = true;
    else pendingAssignment.push(tp);
  }
  if (revoke.length > 0 && ownsAny(owned, revoke)) {
    // Stay in the current epoch and ask the member to revoke first.
    // (Builder.updateMemberEpoch with the same epoch: the previous epoch becomes the current one.)
    return { memberEpoch: m.memberEpoch, previousMemberEpoch: m.memberEpoch, state: 'UNREVOKED_PARTITIONS', assigned, pendingRevocation: revoke };
  }
  const next = { previousMemberEpoch: m.memberEpoch, memberEpoch: targetEpoch, pendingRevocation: [] as string[] };
  if (pendingAssignment.length > 0) return { ...next, state: unreleased ? 'UNRELEASED_PARTITIONS' : 'STABLE', assigned: [...assigned, ...pendingAssignment] };
  return { ...next, state: unreleased ? 'UNRELEASED_PARTITIONS' : 'STABLE', assigned };
}
