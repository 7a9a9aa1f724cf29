/**
 * A consumer's side of KIP-848's consumer group protocol (`group.protocol=consumer`; Kafka's
 * AsyncKafkaConsumer with ConsumerMembershipManager and ConsumerHeartbeatRequestManager): it joins with a
 * ConsumerGroupHeartbeat at epoch 0, heartbeats every heartbeat interval the coordinator gives
 * (group.consumer.heartbeat.interval.ms), and reconciles each assignment a response brings on its own, in
 * the background: it stops reading the partitions it must give up, commits (auto-commit), revokes them,
 * takes the new ones and acknowledges at once with a heartbeat that lists what it owns. Other members are
 * not asked to do anything. Fenced (FENCED_MEMBER_EPOCH, UNKNOWN_MEMBER_ID) it loses its partitions and
 * rejoins at epoch 0; after max.poll.interval.ms without poll() it leaves (epoch -1, a static member -2) and
 * rejoins at its next poll(); close() leaves the same way.
 *
 * Finding the coordinator, offset commits and fetches are the classic member's (member.ts); a commit
 * carries the member epoch (OffsetCommit v9), which the coordinator checks (STALE_MEMBER_EPOCH).
 */
import type { Network } from '../../resources/network.js';
import type { Trace } from '../../trace/bus.js';
import { LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH } from './consumer-group.js';
import { GroupMember, type MemberConfig, type MemberHost, type Pending } from './member.js';
import type * as M from './messages.js';

/** The errors after which poll() throws and the application stops (handleFatalFailure). */
const FATAL: Record<string, string> = {
  UNRELEASED_INSTANCE_ID: 'UnreleasedInstanceIdException: the group.instance.id is still held by a member that did not leave',
  FENCED_INSTANCE_ID: 'FencedInstanceIdException: another consumer with the same group.instance.id joined',
  GROUP_MAX_SIZE_REACHED: 'GroupMaxSizeReachedException: the group has group.consumer.max.size members',
  UNSUPPORTED_ASSIGNOR: 'UnsupportedAssignorException: group.remote.assignor is not one of the brokers’ group.consumer.assignors',
};

export class ConsumerProtocolMember extends GroupMember {
  /** The interval the coordinator gave (until then the consumer's heartbeat.interval.ms). */
  private intervalMs: number;
  /** The local assignment: what heartbeats report as owned (positions of new partitions may still be fetched). */
  private assigned: string[] = [];
  /** The owned partitions the last heartbeat carried (a heartbeat sends them only when they changed). */
  private sentOwned: string | null = null;
  private heartbeatInFlight = false;
  private lastSentUs = 0;
  /** A heartbeat is due as soon as the one in flight is answered (an acknowledgement). */
  private heartbeatAgain = false;
  private reconciling = false;
  /** Numbers reconciliations: the callbacks of one abandoned (fenced, left) do nothing. */
  private reconciliation = 0;
  /** An assignment that arrived while the previous one was being reconciled. */
  private nextTarget: string[] | null = null;
  /** Left after a poll timeout: rejoin at the next poll(). */
  private stale = false;
  /** The coordinator moved: heartbeat as soon as it is found again (heartbeatRequestState.reset()). */
  private resend = false;

  constructor(host: MemberHost, net: Network, trace: Trace, cfg: MemberConfig) {
    super(host, net, trace, cfg);
    this.intervalMs = cfg.heartbeatIntervalMs;
  }

  override start(): void {
    this.assigned = [];
    this.sentOwned = null;
    this.heartbeatInFlight = false;
    this.heartbeatAgain = false;
    this.reconciling = false;
    this.nextTarget = null;
    this.stale = false;
    this.resend = false;
    this.lastSentUs = this.host.kernel.now;
    this.intervalMs = this.cfg.heartbeatIntervalMs;
    super.start();
  }

  // ---- joining and heartbeats ------------------------------------------------------------------

  /** Join (epoch 0) when due: at once, except after a poll timeout, when poll() is called again. */
  override maybeJoin(): void {
    if (!this.host.alive || this.coordinator < 0) return;
    if (this.state === 'stable') {
      this.rejoinReason = null;
      if (this.resend) {
        this.resend = false;
        this.heartbeatNow();
      }
      return;
    }
    if (this.state !== 'unjoined' || this.rejoinReason === null || (this.stale && !this.host.inPoll())) return;
    this.stale = false;
    this.rejoinReason = null;
    this.state = 'joining';
    this.generation = 0;
    this.sentOwned = null;
    this.sendHeartbeat(0, true);
  }

  /**
   * Every heartbeat interval after the last heartbeat sent (HeartbeatRequestState: sending resets the
   * interval): a heartbeat, or the poll timeout's leave.
   */
  protected override heartbeatLoop(incarnation: number): void {
    const now = this.host.kernel.now;
    const due = Math.max(this.lastSentUs + this.intervalMs * 1000, now + 1);
    this.host.timer(due - now, () => {
      if (incarnation !== this.incarnation || this.closing) return;
      const t = this.host.kernel.now;
      if (this.state === 'stable' && t - this.host.lastPollUs() > this.cfg.maxPollIntervalMs * 1000) this.pollTimeout();
      else if (t >= this.lastSentUs + this.intervalMs * 1000 && this.state === 'stable' && this.coordinator >= 0 && !this.heartbeatInFlight)
        this.sendHeartbeat(this.generation, this.sentOwned === null);
      this.heartbeatLoop(incarnation);
    });
  }

  /** A heartbeat now (an acknowledgement, or the first to a coordinator found again), after the one in flight. */
  private heartbeatNow(): void {
    if (this.state !== 'stable' || this.coordinator < 0) return;
    if (this.heartbeatInFlight) this.heartbeatAgain = true;
    else this.sendHeartbeat(this.generation, this.sentOwned === null);
  }

  /** ConsumerHeartbeatRequestManager.buildHeartbeatRequest: a full request on joining or after an error; else only what changed. */
  private sendHeartbeat(epoch: number, full: boolean): void {
    const owned = [...this.assigned].sort();
    const key = owned.join(',');
    const ownedChanged = full || key !== this.sentOwned;
    this.sentOwned = key;
    this.heartbeatInFlight = true;
    this.lastSentUs = this.host.kernel.now;
    this.send(
      this.coordinator,
      'ConsumerGroupHeartbeat',
      { kind: 'heartbeat' },
      (correlationId): M.ConsumerGroupHeartbeatRequest => ({
        correlationId,
        group: this.cfg.group,
        memberId: this.memberId,
        memberEpoch: epoch,
        ...(this.cfg.instanceId !== undefined ? { instanceId: this.cfg.instanceId } : {}),
        clientId: this.host.name,
        rebalanceTimeoutMs: full ? this.cfg.maxPollIntervalMs : -1,
        subscribedTopicNames: full ? [this.host.topic] : null,
        serverAssignor: full ? (this.cfg.remoteAssignor ?? null) : null,
        ownedPartitions: ownedChanged ? owned : null,
      }),
    );
  }

  override receive(kind: string, payload: { correlationId: number }): boolean {
    const p = this.pending.get(payload.correlationId);
    if (kind !== 'ConsumerGroupHeartbeatResponse' || p?.kind !== 'heartbeat') return super.receive(kind, payload);
    this.pending.delete(payload.correlationId);
    this.heartbeatInFlight = false;
    this.onConsumerHeartbeat(payload as M.ConsumerGroupHeartbeatResponse);
    this.settled();
    if (this.heartbeatAgain) {
      this.heartbeatAgain = false;
      this.heartbeatNow();
    }
    return true;
  }

  private onConsumerHeartbeat(r: M.ConsumerGroupHeartbeatResponse): void {
    if (r.error !== 'NONE') return this.onHeartbeatError(r.error);
    const joined = this.state === 'joining';
    this.memberId = r.memberId;
    this.generation = r.memberEpoch;
    if (r.heartbeatIntervalMs > 0 && r.heartbeatIntervalMs !== this.intervalMs) {
      // updateHeartbeatIntervalMs: a new interval restarts the timer from now.
      this.intervalMs = r.heartbeatIntervalMs;
      this.lastSentUs = this.host.kernel.now;
    }
    this.state = 'stable';
    if (r.assignment !== null) this.onAssignment(r.assignment, joined);
  }

  /** onErrorResponse / handleSpecificError. */
  private onHeartbeatError(e: M.GroupError): void {
    this.sentOwned = null;
    if (FATAL[e] !== undefined) return this.host.fail(FATAL[e]);
    if (e === 'NOT_COORDINATOR' || e === 'COORDINATOR_NOT_AVAILABLE') {
      if (this.state === 'joining') this.state = 'unjoined';
      this.resend = true;
      this.rejoinReason ??= `the coordinator answered ${e}`;
      return this.coordinatorUnknown();
    }
    if (e === 'FENCED_MEMBER_EPOCH' || e === 'UNKNOWN_MEMBER_ID' || e === 'GROUP_ID_NOT_FOUND') return this.fenced(e);
    // Anything else: the next heartbeat (a full one) tries again.
    if (this.state === 'joining') this.state = 'unjoined';
    this.rejoinReason ??= `the coordinator answered ${e}`;
    this.host.timer(this.cfg.retryBackoffMs * 1000, () => this.maybeJoin());
  }

  /** transitionToFenced: the partitions are lost (no commit), and the member rejoins at epoch 0 at once. */
  private fenced(e: M.GroupError): void {
    this.loseAll(`the coordinator answered ${e}`);
    this.maybeJoin();
  }

  /**
   * The member's partitions are lost, not revoked: no commit first (ConsumerRebalanceListener
   * onPartitionsLost), the reconciliation in progress is dropped, and it is out of the group until it
   * joins again at epoch 0.
   */
  private loseAll(reason: string): void {
    const owned = this.host.owned();
    this.assigned = [];
    this.reconciling = false;
    this.reconciliation++;
    this.nextTarget = null;
    this.generation = -1;
    if (owned.length > 0) this.changed([], [], owned);
    this.state = 'unjoined';
    this.rejoinReason = reason;
  }

  // ---- reconciliation --------------------------------------------------------------------------

  /**
   * ConsumerMembershipManager's reconciliation of a new assignment: pause and revoke what goes (after
   * the auto-commit), add what comes, acknowledge with a heartbeat. One at a time; a newer assignment
   * waits for the current one.
   */
  private onAssignment(target: string[], joined: boolean): void {
    if (this.reconciling) {
      this.nextTarget = target;
      return;
    }
    const given = new Set(target);
    const revoked = this.assigned.filter((tp) => !given.has(tp));
    const added = target.filter((tp) => !this.assigned.includes(tp));
    if (revoked.length === 0 && added.length === 0) {
      if (joined) this.changed([], [], []);
      return;
    }
    this.reconciling = true;
    const id = ++this.reconciliation;
    const assign = () => {
      if (!this.reconciling || id !== this.reconciliation) return;
      this.assigned = [...this.assigned.filter((tp) => given.has(tp)), ...added];
      if (added.length > 0) this.fetchOffsets(added);
      this.reconciling = false;
      this.heartbeatNow();
      const next = this.nextTarget;
      this.nextTarget = null;
      if (next !== null) this.onAssignment(next, false);
    };
    if (revoked.length === 0) return assign();
    this.host.pause(revoked);
    const revoke = () => {
      if (id !== this.reconciliation) return;
      const dropped = this.host.owned().filter((tp) => revoked.includes(tp));
      this.assigned = this.assigned.filter((tp) => given.has(tp));
      if (dropped.length > 0) this.changed([], dropped, []);
      assign();
    };
    // maybeAutoCommitSyncBeforeRevocation: the positions poll() returned are committed first.
    if (this.cfg.autoCommit && this.host.owned().length > 0) this.commit('revoke', revoke);
    else revoke();
  }

  /** Positions of newly assigned partitions: only those still assigned when the answer comes. */
  protected override onOffsetFetch(r: M.OffsetFetchResponse, asked: string[]): void {
    const still = new Set(this.assigned);
    super.onOffsetFetch({ ...r, offsets: r.offsets.filter((o) => still.has(o.tp)) }, asked);
  }

  /** Commit errors leave membership to the heartbeats (no rejoin from a commit). */
  protected override onGroupError(e: M.GroupError, joining = true): void {
    if (e === 'STALE_MEMBER_EPOCH' || e === 'UNKNOWN_MEMBER_ID' || e === 'ILLEGAL_GENERATION') return;
    super.onGroupError(e, joining);
  }

  protected override failPending(p: Pending): void {
    if (p.kind === 'heartbeat') {
      this.heartbeatInFlight = false;
      this.sentOwned = null;
      this.resend = true;
      if (this.state === 'joining') {
        this.state = 'unjoined';
        this.rejoinReason ??= 'the join heartbeat failed';
      }
    }
    super.failPending(p);
  }

  // ---- leaving -----------------------------------------------------------------------------------

  /** The poll timer expired: leave (a static member with -2), the partitions are lost, rejoin at the next poll(). */
  protected override pollTimeout(): void {
    const reason = `consumer poll timeout has expired (max.poll.interval.ms ${this.cfg.maxPollIntervalMs} ms)`;
    this.leave(reason);
    this.loseAll(reason);
    this.stale = true;
  }

  /** close(): the partitions are revoked, then the member leaves (a static member with epoch -2). */
  override close(): void {
    this.closing = true;
    const owned = this.host.owned();
    if (owned.length > 0) this.changed([], owned, []);
    this.assigned = [];
    if (this.state === 'stable') this.leave('the consumer is being closed');
  }

  /** A leave heartbeat: epoch -1, or -2 for a static member (leaveGroupEpoch); its answer is not waited for. */
  override leave(_reason: string): void {
    if (this.coordinator < 0 || this.memberId === '') return;
    const epoch = this.cfg.instanceId !== undefined ? LEAVE_GROUP_STATIC_MEMBER_EPOCH : LEAVE_GROUP_MEMBER_EPOCH;
    this.send(
      this.coordinator,
      'ConsumerGroupHeartbeat',
      { kind: 'leave' },
      (correlationId): M.ConsumerGroupHeartbeatRequest => ({
        correlationId,
        group: this.cfg.group,
        memberId: this.memberId,
        memberEpoch: epoch,
        ...(this.cfg.instanceId !== undefined ? { instanceId: this.cfg.instanceId } : {}),
        clientId: this.host.name,
        rebalanceTimeoutMs: -1,
        subscribedTopicNames: null,
        serverAssignor: null,
        ownedPartitions: null,
      }),
    );
  }
}
