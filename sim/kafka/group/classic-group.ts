/**
 * A classic consumer group's state at its coordinator (Kafka's ClassicGroup and ClassicGroupMember):
 * members, generation, protocol and leader, and the JoinGroup / SyncGroup requests parked until the
 * rebalance completes. The transitions are driven by coordinator.ts, which follows
 * GroupMetadataManager's classicGroupJoin / classicGroupSync / heartbeat / leave handling.
 */
import type { Envelope } from '../../resources/network.js';
import type { GroupState } from '../../trace/events.js';
import { javaHashMapOrder } from './java-order.js';
import type { JoinGroupRequest, JoinProtocol, SyncGroupRequest } from './messages.js';

export interface ClassicMember {
  memberId: string;
  instanceId?: string;
  clientId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: JoinProtocol[];
  assignment: string[];
  /** The member's JoinGroup, parked while the group prepares a rebalance. */
  awaitingJoin: Envelope<JoinGroupRequest> | null;
  awaitingSync: Envelope<SyncGroupRequest> | null;
  /** Its session expires at this time unless a heartbeat (or join, sync) renews it. */
  expiresUs: number;
}

export class ClassicGroup {
  state: GroupState = 'Empty';
  generation = 0;
  protocol: string | undefined;
  leader: string | undefined;
  /** Members in the order they joined (Kafka keeps a HashMap; the model keeps arrival order). */
  readonly members = new Map<string, ClassicMember>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, not joined yet (KIP-394). */
  readonly pending = new Set<string>();
  /** group.instance.id → member id (KIP-345). */
  readonly statics = new Map<string, string>();
  /** Bumped on every rebalance: timers of an older one do nothing. */
  rebalanceId = 0;
  /** InitialDelayedJoin: the delay still allowed (group.initial.rebalance.delay.ms, up to the rebalance timeout). */
  initialRemainingMs = 0;
  /** A member joined since the (initial) delayed join was scheduled. */
  newMemberAdded = false;

  constructor(readonly id: string) {}

  /** Every member has rejoined and no member id handed out is still to join (hasAllMembersJoined). */
  allJoined(): boolean {
    for (const m of this.members.values()) if (m.awaitingJoin === null) return false;
    return this.pending.size === 0;
  }

  /** The longest rebalance timeout of the members (the rebalance's deadline). */
  rebalanceTimeoutMs(): number {
    let max = 0;
    for (const m of this.members.values()) max = Math.max(max, m.rebalanceTimeoutMs);
    return max;
  }

  /** ClassicGroup.selectProtocol: the candidate every member supports, by the members' votes in their preference order. */
  selectProtocol(): string {
    const members = [...this.members.values()];
    const candidates = members[0]!.protocols.map((p) => p.name).filter((n) => members.every((m) => m.protocols.some((p) => p.name === n)));
    const votes = new Map<string, number>();
    for (const m of members) {
      const choice = m.protocols.find((p) => candidates.includes(p.name))!.name;
      votes.set(choice, (votes.get(choice) ?? 0) + 1);
    }
    // Ties go to the first in the votes HashMap's iteration order (Java's for these names).
    const order = javaHashMapOrder([...votes.keys()]);
    let best = order[0]!;
    for (const c of order) if ((votes.get(c) ?? 0) > (votes.get(best) ?? 0)) best = c;
    return best;
  }

  /** ClassicGroup.supportsProtocols: one of the joiner's protocols is supported by every member. */
  supports(protocols: JoinProtocol[]): boolean {
    if (this.members.size === 0) return true;
    return protocols.some((p) => [...this.members.values()].every((m) => m.protocols.some((x) => x.name === p.name)));
  }

  clientIds(): string[] {
    return [...this.members.values()].map((m) => m.clientId);
  }

  leaderClientId(): string | undefined {
    return this.leader === undefined ? undefined : this.members.get(this.leader)?.clientId;
  }

  remove(memberId: string): ClassicMember | undefined {
    const m = this.members.get(memberId);
    if (m === undefined) return undefined;
    this.members.delete(memberId);
    if (m.instanceId !== undefined && this.statics.get(m.instanceId) === memberId) this.statics.delete(m.instanceId);
    if (this.leader === memberId) this.leader = this.members.keys().next().value;
    return m;
  }
}
