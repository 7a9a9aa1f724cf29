/**
 * A consumer's side of the classic group protocol (Kafka's AbstractCoordinator and ConsumerCoordinator):
 * it finds the coordinator, joins (JoinGroup, MEMBER_ID_REQUIRED, SyncGroup), runs the assignor when it
 * is the leader, heartbeats every heartbeat.interval.ms, commits offsets, and leaves when poll() has not
 * been called for max.poll.interval.ms.
 *
 * As in Kafka, joining happens inside poll(): a member that must rejoin while its application is still
 * processing records joins only when processing ends, and the whole group waits for it (up to the
 * rebalance timeout). Eager assignors revoke every partition before joining (after the auto-commit);
 * cooperative-sticky revokes only what moves, after the sync, and then joins again (KIP-429).
 */
import type { Kernel } from '../../kernel/kernel.js';
import type { Network } from '../../resources/network.js';
import type { Trace } from '../../trace/bus.js';
import { REQUEST_OVERHEAD_BYTES } from '../protocol.js';
import { assign, type AssignorName } from './assignors.js';
import type * as M from './messages.js';

export interface MemberConfig {
  group: string;
  /** group.instance.id, undefined for a dynamic member. */
  instanceId: string | undefined;
  /** group.protocol: classic (this class) or consumer (KIP-848, consumer-member.ts). */
  protocol: 'classic' | 'consumer';
  /** group.remote.assignor (consumer protocol); undefined for the coordinator's default. */
  remoteAssignor: string | undefined;
  /** partition.assignment.strategy, in preference order. */
  assignors: AssignorName[];
  sessionTimeoutMs: number;
  heartbeatIntervalMs: number;
  maxPollIntervalMs: number;
  requestTimeoutMs: number;
  retryBackoffMs: number;
  autoCommit: boolean;
  autoCommitIntervalMs: number;
  /** client.rack, sent in the subscription (KIP-881, 3.5+); undefined: none, or an older version (the behaviour rackAwareAssignment). */
  rack?: string;
}

/** What the member needs of its consumer. */
export interface MemberHost {
  readonly kernel: Kernel;
  readonly node: string;
  readonly name: string;
  readonly topic: string;
  readonly alive: boolean;
  timer(delayUs: number, fn: () => void): void;
  /** A broker to ask FindCoordinator (the least loaded node). */
  anyBroker(): number;
  /** Partition count of a topic from the consumer's metadata, undefined if unknown. */
  partitionCount(topic: string): number | undefined;
  /** The racks of each partition's replicas from the consumer's metadata, undefined if the topic is unknown. */
  partitionRacks(topic: string): string[][] | undefined;
  /** The partitions it owns now. */
  owned(): string[];
  /** The positions to commit (SubscriptionState.allConsumed). */
  consumed(): Array<{ tp: string; offset: number }>;
  /** Take partitions away (revoked: after a commit chance; lost: without one). */
  drop(tps: string[]): void;
  /** Stop fetching these partitions and returning their records (pending revocation, KIP-848). */
  pause(tps: string[]): void;
  /** New partitions: their positions come from OffsetFetch. */
  add(tps: string[], committed: Map<string, number>): void;
  /** The application is inside poll() (not processing): the group may act now. */
  inPoll(): boolean;
  /** When the application last called poll(). */
  lastPollUs(): number;
  /** onJoinPrepare is over: poll() may return records again. */
  pollAgain(): void;
  /** poll() threw a fatal exception: the application stops. */
  fail(error: string): void;
}

/** A request waiting for its answer; `node`: the broker it went to (set when sent). */
export type Pending = (
  | { kind: 'find' | 'join' | 'sync' | 'heartbeat' | 'leave' }
  | { kind: 'fetchOffsets'; tps: string[] }
  | { kind: 'commit'; offsets: Array<{ tp: string; offset: number }>; commitKind: 'auto' | 'sync' | 'revoke' | 'close'; done: (ok: boolean) => void; deadlineUs: number }
) & { node?: number };

const COORDINATOR_CHANNEL = 'coordinator';

/** The exceptions poll() throws for the group errors that are not retriable. */
const FATAL: Record<string, string> = {
  FENCED_INSTANCE_ID: 'FencedInstanceIdException: another consumer with the same group.instance.id joined',
  INCONSISTENT_GROUP_PROTOCOL: 'InconsistentGroupProtocolException: its assignors are not supported by every member',
  INVALID_SESSION_TIMEOUT: 'InvalidSessionTimeoutException: session.timeout.ms is outside the brokers’ group.min/max.session.timeout.ms',
};

export class GroupMember {
  coordinator = -1;
  memberId = '';
  generation = -1;
  protocol = '';
  /** unjoined → joining → syncing → stable. */
  state: 'unjoined' | 'joining' | 'syncing' | 'stable' = 'unjoined';
  protected rejoinReason: string | null = 'the consumer subscribed';
  protected pending = new Map<number, Pending>();
  /** When each broker last refused or dropped a connection. */
  private readonly refusedAt = new Map<number, number>();
  private nextCorrelation = 1;
  protected incarnation = 0;
  /** close() was called: no more heartbeats (KafkaConsumer.close closes the heartbeat thread first). */
  protected closing = false;
  private nextAutoCommitUs = 0;
  /**
   * The leader's partition counts when it assigned (ConsumerCoordinator.assignmentSnapshot): when its
   * metadata shows another count (partitions added), it rejoins so the group assigns them.
   */
  private assignmentSnapshot: Record<string, number> | null = null;
  /**
   * With client.rack (KIP-881, KAFKA-14867): the leader's view of each subscribed partition's replica racks
   * when it assigned (MetadataSnapshot's PartitionRackInfo), one key per topic; a change rejoins too.
   */
  private rackSnapshot: Record<string, string> | null = null;
  /** Partitions whose committed offsets must be fetched again once the coordinator is found. */
  private refetch: string[] | null = null;
  /** In onJoinPrepare (waiting for its commit): poll() returns nothing meanwhile. */
  preparing = false;
  /** The generation whose partitions the member owns (ownedPartitions' generation). */
  private ownedGeneration = -1;

  constructor(
    protected readonly host: MemberHost,
    protected readonly net: Network,
    protected readonly trace: Trace,
    readonly cfg: MemberConfig,
  ) {}

  get cooperative(): boolean {
    return this.cfg.assignors.every((a) => a === 'cooperative-sticky');
  }

  /** New metadata: the leader rejoins if a subscribed topic's partition count (or, with client.rack, a partition's replica racks) changed (needRejoin). */
  onMetadata(): void {
    const snap = this.assignmentSnapshot;
    if (snap === null || this.state !== 'stable') return;
    for (const [topic, n] of Object.entries(snap)) {
      const now = this.host.partitionCount(topic);
      if (now === undefined || now === n) continue;
      this.assignmentSnapshot = null;
      return this.requestRejoin(`the leader's metadata shows ${topic} with ${now} partitions, not ${n}`);
    }
    for (const [topic, racks] of Object.entries(this.rackSnapshot ?? {})) {
      if (this.racksKey(topic) === racks) continue;
      this.assignmentSnapshot = null;
      return this.requestRejoin(`the leader's metadata shows other replica racks for ${topic}`);
    }
  }

  /** PartitionRackInfo of a topic's partitions, as one string: each partition's set of replica racks. */
  private racksKey(topic: string): string {
    return JSON.stringify((this.host.partitionRacks(topic) ?? []).map((racks) => [...new Set(racks)].sort()));
  }

  /** A new process incarnation (start or restart): a new member, unless static. */
  start(): void {
    this.incarnation++;
    this.closing = false;
    this.pending = new Map();
    this.coordinator = -1;
    this.memberId = '';
    this.generation = -1;
    this.ownedGeneration = -1;
    this.state = 'unjoined';
    this.preparing = false;
    this.assignmentSnapshot = null;
    this.rejoinReason = 'the consumer started';
    this.nextAutoCommitUs = this.host.kernel.now + this.cfg.autoCommitIntervalMs * 1000;
    this.findCoordinator();
    this.heartbeatLoop(this.incarnation);
  }

  // ---- coordinator discovery ------------------------------------------------------------------

  private findCoordinator(): void {
    if ([...this.pending.values()].some((p) => p.kind === 'find')) return;
    this.send(this.anyBroker(), 'FindCoordinator', { kind: 'find' }, (correlationId) => ({ correlationId, group: this.cfg.group }));
  }

  /** markCoordinatorUnknown: forget it (requests to it fail) and look again after retry.backoff.ms. */
  coordinatorUnknown(): void {
    if (this.coordinator < 0) return;
    const old = this.coordinator;
    this.coordinator = -1;
    for (const [id, p] of [...this.pending]) {
      if (p.kind === 'find') continue;
      this.pending.delete(id);
      this.failPending(p);
    }
    this.net.close(this.host.node, `b${old}`, 'coordinator unknown', COORDINATOR_CHANNEL);
    this.settled();
    if (this.state !== 'stable') this.requestRejoin('the coordinator moved');
    this.host.timer(this.cfg.retryBackoffMs * 1000, () => this.findCoordinator());
  }

  protected failPending(p: Pending): void {
    if (p.kind === 'commit') this.commitDone(p, 'COORDINATOR_NOT_AVAILABLE');
    if (p.kind === 'join' || p.kind === 'sync') this.state = 'unjoined';
    if (p.kind === 'fetchOffsets') this.refetch = p.tps ?? null;
  }

  private onFindCoordinator(r: M.FindCoordinatorResponse): void {
    if (r.error !== 'NONE') {
      this.host.timer(this.cfg.retryBackoffMs * 1000, () => this.findCoordinator());
      return;
    }
    this.coordinator = r.node;
    if (this.refetch !== null && this.state === 'stable') this.fetchOffsets(this.refetch);
    this.maybeJoin();
  }

  /** OffsetFetch for newly assigned partitions (fetchCommittedOffsets: retried until it succeeds). */
  protected fetchOffsets(tps: string[]): void {
    this.refetch = null;
    this.send(this.coordinator, 'OffsetFetch', { kind: 'fetchOffsets', tps }, (correlationId) => ({ correlationId, group: this.cfg.group, tps }));
  }

  // ---- joining ---------------------------------------------------------------------------------

  requestRejoin(reason: string): void {
    if (this.rejoinReason === null) this.rejoinReason = reason;
    this.maybeJoin();
  }

  /** Called from poll(): join (after onJoinPrepare) when a rejoin is due and the coordinator is known. */
  maybeJoin(): void {
    if (!this.host.alive || this.closing || this.rejoinReason === null || this.coordinator < 0 || !this.host.inPoll()) return;
    if (this.state === 'joining' || this.state === 'syncing' || this.preparing) return;
    this.preparing = true;
    this.onJoinPrepare(() => {
      this.preparing = false;
      // close() was called meanwhile: a closing consumer does not join again.
      if (this.closing) return;
      this.sendJoin();
      this.host.pollAgain();
    });
  }

  /**
   * ConsumerCoordinator.onJoinPrepare: with a valid generation, auto-commit (synchronously) and revoke
   * (eager: every partition; cooperative: none yet); without one, the partitions are lost.
   */
  private onJoinPrepare(then: () => void): void {
    const owned = this.host.owned();
    if (this.generation < 0 || this.memberId === '') {
      if (owned.length > 0) this.changed([], [], owned);
      return then();
    }
    const revoke = () => {
      if (!this.cooperative && owned.length > 0) this.changed([], owned, []);
      then();
    };
    if (this.cfg.autoCommit && owned.length > 0) this.commit('revoke', () => revoke());
    else revoke();
  }

  private sendJoin(): void {
    const reason = this.rejoinReason ?? 'rejoin';
    this.rejoinReason = null;
    this.state = 'joining';
    const owned = this.host.owned();
    const rack = this.cfg.rack !== undefined ? { rack: this.cfg.rack } : {};
    const protocols: M.JoinProtocol[] = this.cfg.assignors.map((name) => ({ name, topics: [this.host.topic], owned, generation: this.ownedGeneration, ...rack }));
    this.send(this.coordinator, 'JoinGroup', { kind: 'join' }, (correlationId) => ({
      correlationId,
      group: this.cfg.group,
      memberId: this.memberId,
      ...(this.cfg.instanceId !== undefined ? { instanceId: this.cfg.instanceId } : {}),
      clientId: this.host.name,
      sessionTimeoutMs: this.cfg.sessionTimeoutMs,
      rebalanceTimeoutMs: this.cfg.maxPollIntervalMs,
      protocols,
      reason,
    }));
  }

  private onJoin(r: M.JoinGroupResponse): void {
    if (r.error === 'MEMBER_ID_REQUIRED') {
      this.memberId = r.memberId;
      this.state = 'unjoined';
      this.rejoinReason = 'need to re-join with the given member-id';
      return this.maybeJoinNow();
    }
    if (r.error !== 'NONE') return this.onGroupError(r.error);
    this.memberId = r.memberId;
    this.generation = r.generation;
    this.protocol = r.protocol;
    this.state = 'syncing';
    this.assignmentSnapshot = null;
    const assignments = r.leader === r.memberId && r.skipAssignment !== true ? this.runAssignor(r) : [];
    this.send(this.coordinator, 'SyncGroup', { kind: 'sync' }, (correlationId) => ({
      correlationId,
      group: this.cfg.group,
      memberId: this.memberId,
      ...(this.cfg.instanceId !== undefined ? { instanceId: this.cfg.instanceId } : {}),
      generation: this.generation,
      assignments,
    }));
  }

  /** The MEMBER_ID_REQUIRED retry goes out at once (Kafka rejoins within the same poll). */
  private maybeJoinNow(): void {
    if (this.coordinator >= 0 && this.host.alive) this.sendJoin();
  }

  /** The leader's assignment (ConsumerCoordinator.onLeaderElected) with Kafka's assignor. */
  private runAssignor(r: M.JoinGroupResponse): Array<{ memberId: string; partitions: string[] }> {
    const topics = [...new Set(r.members.flatMap((m) => m.protocol.topics))].sort();
    const counts: Record<string, number> = {};
    for (const t of topics) {
      const n = this.host.partitionCount(t);
      if (n !== undefined) counts[t] = n;
    }
    this.assignmentSnapshot = counts;
    this.rackSnapshot = this.cfg.rack === undefined ? null : Object.fromEntries(Object.keys(counts).map((t) => [t, this.racksKey(t)]));
    const members = r.members.map((m) => ({
      memberId: m.memberId,
      ...(m.instanceId !== undefined ? { groupInstanceId: m.instanceId } : {}),
      topics: m.protocol.topics,
      ownedPartitions: m.protocol.owned.map(parseTp),
      ...(m.protocol.generation >= 0 ? { generation: m.protocol.generation } : {}),
      ...(m.protocol.rack !== undefined ? { rack: m.protocol.rack } : {}),
    }));
    const partitionRacks: Record<string, string[][]> = {};
    for (const t of Object.keys(counts)) partitionRacks[t] = this.host.partitionRacks(t)!;
    const out = assign(r.protocol as AssignorName, members, counts, { partitionRacks });
    return out.members.map((m) => ({ memberId: m.memberId, partitions: m.partitions.map((p) => `${p.topic}-${p.partition}`) }));
  }

  private onSync(r: M.SyncGroupResponse): void {
    if (r.error !== 'NONE') return this.onGroupError(r.error);
    this.state = 'stable';
    this.rejoinReason = null;
    const owned = this.host.owned();
    const given = new Set(r.partitions);
    const revoked = owned.filter((tp) => !given.has(tp));
    const added = r.partitions.filter((tp) => !owned.includes(tp));
    this.ownedGeneration = this.generation;
    if (revoked.length > 0) this.changed([], revoked, []);
    if (added.length === 0) {
      if (revoked.length === 0) this.changed([], [], []);
      if (revoked.length > 0 && this.cooperative) this.requestRejoin('it revoked partitions (cooperative rebalance)');
      return;
    }
    this.fetchOffsets(added);
    if (revoked.length > 0 && this.cooperative) this.requestRejoin('it revoked partitions (cooperative rebalance)');
  }

  protected onOffsetFetch(r: M.OffsetFetchResponse, asked: string[]): void {
    if (r.error === 'NOT_COORDINATOR' || r.error === 'COORDINATOR_NOT_AVAILABLE') {
      this.refetch = asked;
      return this.coordinatorUnknown();
    }
    if (r.error !== 'NONE') return this.onGroupError(r.error);
    const committed = new Map(r.offsets.map((o) => [o.tp, o.offset]));
    const tps = r.offsets.map((o) => o.tp).filter((tp) => !this.host.owned().includes(tp));
    this.host.add(tps, committed);
    this.changed(tps, [], []);
  }

  /**
   * Errors of join, sync, offset fetch, heartbeat and commit. A coordinator error only sends the member
   * to find the coordinator again (markCoordinatorUnknown): a stable member keeps its generation and
   * partitions, a join or sync in progress is done again. Generation errors lose the partitions.
   */
  protected onGroupError(e: M.GroupError, joining = true): void {
    if (e === 'FENCED_INSTANCE_ID' || e === 'INCONSISTENT_GROUP_PROTOCOL' || e === 'INVALID_SESSION_TIMEOUT') {
      // Not retriable (FencedInstanceIdException, InconsistentGroupProtocolException, ...): poll() throws and the application stops.
      return this.host.fail(FATAL[e]);
    }
    if (e === 'NOT_COORDINATOR' || e === 'COORDINATOR_NOT_AVAILABLE') {
      if (joining) {
        this.state = 'unjoined';
        this.requestRejoin(`the coordinator answered ${e}`);
      }
      return this.coordinatorUnknown();
    }
    if (e === 'UNKNOWN_MEMBER_ID' || e === 'ILLEGAL_GENERATION') {
      // resetGenerationOnResponseError: the member's partitions are lost (no commit).
      if (e === 'UNKNOWN_MEMBER_ID') this.memberId = '';
      this.generation = -1;
    }
    this.state = 'unjoined';
    this.requestRejoin(`the coordinator answered ${e}`);
  }

  /** Trace what the member owns now. */
  protected changed(added: string[], revoked: string[], lost: string[]): void {
    if (revoked.length > 0 || lost.length > 0) this.host.drop([...revoked, ...lost]);
    this.trace.emit({
      type: 'assignment',
      t: this.host.kernel.now,
      consumer: this.host.name,
      group: this.cfg.group,
      memberId: this.memberId,
      generation: this.generation,
      partitions: this.host.owned(),
      added,
      revoked,
      lost,
    });
  }

  // ---- heartbeats and the poll timer ---------------------------------------------------------

  protected heartbeatLoop(incarnation: number): void {
    this.host.timer(this.cfg.heartbeatIntervalMs * 1000, () => {
      if (incarnation !== this.incarnation || this.closing) return;
      this.heartbeatLoop(incarnation);
      const now = this.host.kernel.now;
      if (this.memberId !== '' && this.generation >= 0 && now - this.host.lastPollUs() > this.cfg.maxPollIntervalMs * 1000) return this.pollTimeout();
      if (this.coordinator < 0 || (this.state !== 'stable' && this.state !== 'syncing')) return;
      if ([...this.pending.values()].some((p) => p.kind === 'heartbeat')) return;
      this.send(this.coordinator, 'Heartbeat', { kind: 'heartbeat' }, (correlationId) => ({
        correlationId,
        group: this.cfg.group,
        memberId: this.memberId,
        ...(this.cfg.instanceId !== undefined ? { instanceId: this.cfg.instanceId } : {}),
        generation: this.generation,
      }));
    });
  }

  /** max.poll.interval.ms passed without a poll(): leave the group (a static member just stops heartbeating). */
  protected pollTimeout(): void {
    const reason = `consumer poll timeout has expired (max.poll.interval.ms ${this.cfg.maxPollIntervalMs} ms)`;
    if (this.cfg.instanceId === undefined && this.coordinator >= 0) this.leave(reason);
    // resetGenerationOnLeaveGroup: static members too come back with an empty id (and take their place back).
    this.memberId = '';
    this.generation = -1;
    this.state = 'unjoined';
    this.rejoinReason = reason;
  }

  private onHeartbeat(r: M.HeartbeatResponse): void {
    if (r.error === 'NONE') return;
    if (r.error === 'REBALANCE_IN_PROGRESS') {
      if (this.state === 'stable') this.requestRejoin('the group is rebalancing');
      return;
    }
    this.onGroupError(r.error, false);
  }

  /** close(): the partitions are revoked (lost without a generation), then a dynamic member leaves. */
  close(): void {
    this.closing = true;
    const owned = this.host.owned();
    if (owned.length > 0) {
      if (this.generation >= 0 && this.memberId !== '') this.changed([], owned, []);
      else this.changed([], [], owned);
    }
    if (this.cfg.instanceId === undefined && this.coordinator >= 0 && this.memberId !== '') this.leave('the consumer is being closed');
  }

  /** Called by awaitPendingRequests once nothing is in flight to the coordinator (or its timer ran out). */
  private whenSettled: (() => void) | null = null;

  /**
   * AbstractCoordinator.close: after the LeaveGroup, `client.awaitPendingRequests(coordinator, timer)` waits
   * for every request in flight to the coordinator (commits, the LeaveGroup) to be answered, up to the
   * close timeout, before the consumer closes its connections; `done` then.
   */
  awaitPendingRequests(timeoutMs: number, done: () => void): void {
    let called = false;
    const once = (): void => {
      if (called) return;
      called = true;
      this.whenSettled = null;
      done();
    };
    this.whenSettled = once;
    this.host.timer(timeoutMs * 1000, once);
    this.settled();
  }

  /** A request to the coordinator ended: tell awaitPendingRequests if none is left. */
  protected settled(): void {
    if (this.whenSettled === null) return;
    for (const p of this.pending.values()) if (p.node === this.coordinator && p.kind !== 'find') return;
    this.whenSettled();
  }

  leave(reason: string): void {
    this.send(this.coordinator, 'LeaveGroup', { kind: 'leave' }, (correlationId) => ({ correlationId, group: this.cfg.group, memberId: this.memberId, reason }));
  }

  // ---- commits -------------------------------------------------------------------------------

  /** poll(): the auto-commit when auto.commit.interval.ms has passed (maybeAutoCommitOffsetsAsync). */
  autoCommitIfDue(): void {
    const now = this.host.kernel.now;
    if (!this.cfg.autoCommit || now < this.nextAutoCommitUs) return;
    if (this.coordinator < 0) {
      // maybeAutoCommitOffsetsAsync: no coordinator known, no commit; try again after retry.backoff.ms.
      this.nextAutoCommitUs = now + this.cfg.retryBackoffMs * 1000;
      return;
    }
    this.nextAutoCommitUs = now + this.cfg.autoCommitIntervalMs * 1000;
    if (this.state === 'stable' && this.host.owned().length > 0) this.commit('auto', () => {});
  }

  /** Commit what poll() returned so far; `done(ok)` when answered. A member outside a stable generation fails at once. */
  commit(kind: 'auto' | 'sync' | 'revoke' | 'close', done: (ok: boolean) => void): void {
    const now = this.host.kernel.now;
    // commitSync retries until default.api.timeout.ms (60 s), the one before a rebalance until the
    // rebalance timeout, close() until its timeout (30 s); an auto-commit is tried once.
    const budgetMs = kind === 'sync' ? 60_000 : kind === 'revoke' ? this.cfg.maxPollIntervalMs : kind === 'close' ? 30_000 : 0;
    this.sendCommit({ kind: 'commit', offsets: this.host.consumed(), commitKind: kind, done, deadlineUs: now + budgetMs * 1000 });
  }

  private sendCommit(p: Extract<Pending, { kind: 'commit' }>): void {
    // generationIfStable: no valid generation → CommitFailedException; joining or syncing → rebalancing.
    if (this.generation < 0 || this.memberId === '') return this.commitDone(p, 'CommitFailedException');
    if (this.state === 'joining' || this.state === 'syncing') return this.commitDone(p, 'RebalanceInProgressException');
    if (this.coordinator < 0) return this.commitDone(p, 'COORDINATOR_NOT_AVAILABLE');
    const offsets = p.offsets;
    this.send(this.coordinator, 'OffsetCommit', p, (correlationId) => ({
      correlationId,
      group: this.cfg.group,
      generation: this.generation,
      memberId: this.memberId,
      ...(this.cfg.instanceId !== undefined ? { instanceId: this.cfg.instanceId } : {}),
      offsets,
    }));
  }

  private onCommit(p: Extract<Pending, { kind: 'commit' }>, r: M.OffsetCommitResponse): void {
    const e = r.error;
    // A synchronous commit that hits a generation error throws CommitFailedException.
    const generational = e === 'ILLEGAL_GENERATION' || e === 'UNKNOWN_MEMBER_ID' || e === 'FENCED_INSTANCE_ID';
    this.commitDone(p, generational && p.commitKind !== 'auto' ? 'CommitFailedException' : e);
    if (e === 'REBALANCE_IN_PROGRESS') this.requestRejoin('a commit found the group rebalancing');
    else if (e !== 'NONE') this.onGroupError(e, false);
  }

  private commitDone(p: Extract<Pending, { kind: 'commit' }>, error: string): void {
    // STALE_MEMBER_EPOCH (KIP-848 members only): retried with the member's latest epoch (CommitRequestManager).
    const retriable = error === 'COORDINATOR_NOT_AVAILABLE' || error === 'NOT_COORDINATOR' || error === 'REQUEST_TIMED_OUT' || error === 'STALE_MEMBER_EPOCH';
    const backoffUs = this.cfg.retryBackoffMs * 1000;
    if (retriable && this.host.kernel.now + backoffUs < p.deadlineUs) {
      this.host.timer(backoffUs, () => this.sendCommit(p));
      return;
    }
    this.trace.emit({ type: 'commit', t: this.host.kernel.now, consumer: this.host.name, group: this.cfg.group, offsets: p.offsets, kind: p.commitKind, error });
    p.done(error === 'NONE');
  }

  // ---- requests ------------------------------------------------------------------------------

  protected send<T>(node: number, kind: string, p: Pending, body: (correlationId: number) => T): void {
    if (node < 0) return;
    const correlationId = this.nextCorrelation++;
    p.node = node;
    this.pending.set(correlationId, p);
    const incarnation = this.incarnation;
    // AbstractCoordinator: a JoinGroup may wait for the whole rebalance, so its timeout is
    // max(request.timeout.ms, rebalance timeout + 5 s) (JOIN_GROUP_TIMEOUT_LAPSE).
    const timeoutMs = kind === 'JoinGroup' ? Math.max(this.cfg.requestTimeoutMs, this.cfg.maxPollIntervalMs + 5000) : this.cfg.requestTimeoutMs;
    this.host.timer(timeoutMs * 1000, () => {
      if (incarnation === this.incarnation && this.pending.has(correlationId)) this.requestFailed(correlationId, p);
    });
    // The coordinator has a connection of its own (Kafka gives it node id Integer.MAX_VALUE - id).
    const channel = kind === 'FindCoordinator' ? '' : COORDINATOR_CHANNEL;
    this.net.send<T>(this.host.node, `b${node}`, kind, REQUEST_OVERHEAD_BYTES + 32, body(correlationId), channel);
  }

  /** No answer (request.timeout.ms) or the connection broke: look for the coordinator again. */
  private requestFailed(correlationId: number, p: Pending): void {
    this.pending.delete(correlationId);
    if (p.kind === 'find') {
      this.host.timer(this.cfg.retryBackoffMs * 1000, () => this.findCoordinator());
      return;
    }
    this.failPending(p);
    if (p.kind !== 'leave') this.coordinatorUnknown();
    this.settled();
  }

  /** A group API response; false if it is not one. */
  receive(kind: string, payload: { correlationId: number }): boolean {
    const p = this.pending.get(payload.correlationId);
    if (!kind.endsWith('Response') || p === undefined) return false;
    this.pending.delete(payload.correlationId);
    if (p.kind === 'find') this.onFindCoordinator(payload as M.FindCoordinatorResponse);
    else if (p.kind === 'join') this.onJoin(payload as M.JoinGroupResponse);
    else if (p.kind === 'sync') this.onSync(payload as M.SyncGroupResponse);
    else if (p.kind === 'heartbeat') this.onHeartbeat(payload as M.HeartbeatResponse);
    else if (p.kind === 'fetchOffsets') this.onOffsetFetch(payload as M.OffsetFetchResponse, p.tps);
    else if (p.kind === 'commit') this.onCommit(p, payload as M.OffsetCommitResponse);
    this.settled();
    return true;
  }

  /** The connection to a broker broke (or was refused): its requests failed; if it was the coordinator, find it again. */
  disconnected(node: number): void {
    this.refusedAt.set(node, this.host.kernel.now);
    for (const [id, p] of [...this.pending]) if (p.node === node && this.pending.has(id)) this.requestFailed(id, p);
    if (node === this.coordinator) this.coordinatorUnknown();
  }

  /** NetworkClient.leastLoadedNode, roughly: the next broker, skipping those that refused us within retry.backoff.ms. */
  private anyBroker(): number {
    const now = this.host.kernel.now;
    let node = this.host.anyBroker();
    for (let i = 0; i < 8 && now - (this.refusedAt.get(node) ?? -Infinity) < this.cfg.retryBackoffMs * 1000; i++) node = this.host.anyBroker();
    return node;
  }
}

function parseTp(tp: string): { topic: string; partition: number } {
  const i = tp.lastIndexOf('-');
  return { topic: tp.slice(0, i), partition: Number(tp.slice(i + 1)) };
}
