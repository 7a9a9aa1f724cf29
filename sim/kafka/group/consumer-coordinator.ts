/**
 * The KIP-848 half of a broker's group coordinator: ConsumerGroupHeartbeat as GroupMetadataManager handles
 * it (consumerGroupHeartbeat, consumerGroupLeave, consumerGroupFenceMember, the session and rebalance
 * timeouts). A heartbeat (1) creates or updates the member, bumping the group epoch when its subscription
 * changed (or the subscribed topics' partition counts did); (2) computes a new target assignment with the
 * server-side assignor when the group epoch is ahead of the assignment epoch; (3) moves the member one step
 * towards its target (CurrentAssignmentBuilder, consumer-group.ts). What changed is written to
 * `__consumer_offsets` as ConsumerGroup* records and the response goes out once they are committed; a new
 * coordinator rebuilds the groups from them.
 */
import type { BrokerContext } from '../broker/context.js';
import type { Envelope } from '../../resources/network.js';
import { REQUEST_OVERHEAD_BYTES } from '../protocol.js';
import { ConsumerGroup, type ConsumerMember, isReconciledTo, type MemberAssignmentState, LEAVE_GROUP_MEMBER_EPOCH, LEAVE_GROUP_STATIC_MEMBER_EPOCH, reconcile } from './consumer-group.js';
import type * as M from './messages.js';
import type { GroupRecord, GroupRecordValues, StoredConsumerMember } from './records.js';
import { serverAssign, type ServerAssignorName } from './server-assignors.js';
import { topicIdFromName } from './topic-id.js';
import { PartitionPool } from './types.js';

/** What this part uses of the GroupCoordinator. */
export interface ConsumerCoordinatorHost {
  readonly b: BrokerContext;
  readonly values: GroupRecordValues;
  readonly cfg: M.CoordinatorConfig;
  /** This broker leads the group's __consumer_offsets partition. */
  owns(group: string): boolean;
  partitionOf(group: string): string;
  /** A group this coordinator had no record of is created (its committed offsets start empty). */
  created(group: string): void;
  append(tp: string, records: GroupRecord[], done: (error: M.GroupError) => void): void;
}

type Reply = Omit<M.ConsumerGroupHeartbeatResponse, 'correlationId'>;

/** A heartbeat's work: the records it writes and its answer. */
interface Op {
  g: ConsumerGroup;
  records: GroupRecord[];
  reason: string[];
}

export class ConsumerGroupCoordinator {
  private groups = new Map<string, ConsumerGroup>();
  /** Members with a session timer running, per group. */
  private watched = new Map<ConsumerGroup, Set<string>>();

  constructor(private readonly h: ConsumerCoordinatorHost) {}

  reset(): void {
    this.groups = new Map();
    this.watched = new Map();
  }

  get(id: string): ConsumerGroup | undefined {
    return this.groups.get(id);
  }

  /** The coordinator resigned: the group is no longer here. */
  drop(id: string): boolean {
    return this.groups.delete(id);
  }

  ids(): string[] {
    return [...this.groups.keys()];
  }

  /** OffsetCommit from a member (ConsumerGroup.validateOffsetCommit): null when it may commit. */
  validateCommit(g: ConsumerGroup, memberId: string, epoch: number): M.GroupError | null {
    if (epoch < 0 && g.members.size === 0) return null;
    const m = g.members.get(memberId);
    if (m === undefined) return 'UNKNOWN_MEMBER_ID';
    return epoch === m.memberEpoch ? null : 'STALE_MEMBER_EPOCH';
  }

  // ---- the heartbeat -------------------------------------------------------------------------

  onHeartbeat(env: Envelope<M.ConsumerGroupHeartbeatRequest>): void {
    const req = env.payload;
    const error = (e: M.GroupError) => this.reply(env, { error: e, memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0, assignment: null });
    if (!this.h.owns(req.group)) return error('NOT_COORDINATOR');
    if (req.serverAssignor !== null && !this.h.cfg.consumerAssignors.includes(req.serverAssignor)) return error('UNSUPPORTED_ASSIGNOR');
    const join = req.memberEpoch === 0;
    let g = this.groups.get(req.group);
    if (g === undefined) {
      if (!join) return error('GROUP_ID_NOT_FOUND');
      g = new ConsumerGroup(req.group);
      this.groups.set(req.group, g);
      this.h.created(req.group);
    }
    if (req.memberEpoch === LEAVE_GROUP_MEMBER_EPOCH || req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) return this.leave(g, env);
    if (g.members.size >= this.h.cfg.consumerMaxSize && !g.members.has(req.memberId)) return error('GROUP_MAX_SIZE_REACHED');
    const op: Op = { g, records: [], reason: [] };
    const found = this.memberFor(op, req);
    if (typeof found === 'string') return error(found);
    const { member, isNew } = found;
    const updated = this.updateMember(op, member, req, isNew);
    this.maybeBumpEpoch(op, member, updated, isNew);
    if (g.groupEpoch > g.assignmentEpoch) this.computeTarget(op, updated);
    const next = this.reconcileMember(op, updated, req.ownedPartitions);
    this.watchSession(g, next.memberId);
    const full = join || (req.rebalanceTimeoutMs !== -1 && req.subscribedTopicNames !== null && req.ownedPartitions !== null);
    const changed = !sameSet(member.assigned, next.assigned);
    const reply: Reply = {
      error: 'NONE',
      memberId: next.memberId,
      memberEpoch: next.memberEpoch,
      heartbeatIntervalMs: this.h.cfg.consumerHeartbeatIntervalMs,
      assignment: full || changed ? [...next.assigned] : null,
    };
    this.commit(op, (e) => this.reply(env, e === 'NONE' ? reply : { ...reply, error: e, assignment: null }));
  }

  /**
   * getOrMaybeSubscribe{Dynamic,Static}ConsumerGroupMember and throwIfConsumerGroupMemberEpochIsInvalid:
   * the member the heartbeat is from, or the error it gets.
   */
  private memberFor(op: Op, req: M.ConsumerGroupHeartbeatRequest): { member: ConsumerMember; isNew: boolean } | M.GroupError {
    const g = op.g;
    const join = req.memberEpoch === 0;
    if (req.instanceId !== undefined) {
      const existing = g.members.get(g.statics.get(req.instanceId) ?? '');
      if (join && existing !== undefined) {
        // A static member comes back: only once its previous instance left with epoch -2 (else UNRELEASED_INSTANCE_ID).
        if (existing.memberEpoch !== LEAVE_GROUP_STATIC_MEMBER_EPOCH) return 'UNRELEASED_INSTANCE_ID';
        return { member: this.replaceStatic(op, existing, req.memberId || this.newMemberId()), isNew: false };
      }
      if (!join) {
        if (existing === undefined) return 'UNKNOWN_MEMBER_ID';
        if (existing.memberId !== req.memberId) return 'FENCED_INSTANCE_ID';
        return epochError(existing, req) ?? { member: existing, isNew: false };
      }
    } else if (!join) {
      const m = g.members.get(req.memberId);
      if (m === undefined) return 'UNKNOWN_MEMBER_ID';
      return epochError(m, req) ?? { member: m, isNew: false };
    }
    const id = req.memberId || this.newMemberId();
    // A known member id joining again with epoch 0 (it was fenced and rejoins): its old state is fenced first.
    const old = g.members.get(id);
    if (old !== undefined) this.fence(op, old, `member ${old.clientId} (${id}) rejoined with epoch 0`);
    return { member: newMember(id, req, this.h.b.kernel.now), isNew: true };
  }

  /** The member id a new member gets (Kafka: a random Uuid; here a run-wide counter keeps ids stable). */
  private newMemberId(): string {
    return `m-${this.h.values.nextMemberNumber().toString(16).padStart(12, '0')}`;
  }

  /** replaceMember: the new member id takes the old one's place, assignment and target, at epoch 0. */
  private replaceStatic(op: Op, old: ConsumerMember, id: string): ConsumerMember {
    const target = op.g.target.get(old.memberId) ?? [];
    op.g.remove(old.memberId);
    op.records.push({ kind: 'consumerMember', group: op.g.id, memberId: old.memberId, value: null }, { kind: 'consumerTarget', group: op.g.id, memberId: old.memberId, partitions: null });
    const m: ConsumerMember = { ...old, memberId: id, memberEpoch: 0, previousMemberEpoch: 0, rebalanceTimer: 0 };
    op.g.target.set(id, target);
    op.records.push({ kind: 'consumerTarget', group: op.g.id, memberId: id, partitions: target });
    op.reason.push(`static member ${old.instanceId} (${old.clientId}) rejoined as ${id}: it keeps its partitions`);
    return m;
  }

  /** The member with what the heartbeat sent; a record when anything changed. */
  private updateMember(op: Op, m: ConsumerMember, req: M.ConsumerGroupHeartbeatRequest, isNew: boolean): ConsumerMember {
    const u: ConsumerMember = {
      ...m,
      clientId: req.clientId,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs !== -1 ? req.rebalanceTimeoutMs : m.rebalanceTimeoutMs,
      topics: req.subscribedTopicNames ?? m.topics,
      expiresUs: this.h.b.kernel.now + this.h.cfg.consumerSessionTimeoutMs * 1000,
    };
    if (req.serverAssignor !== null) u.serverAssignor = req.serverAssignor;
    if (req.instanceId !== undefined) u.instanceId = req.instanceId;
    const changed = isNew || u.clientId !== m.clientId || u.rebalanceTimeoutMs !== m.rebalanceTimeoutMs || !sameList(u.topics, m.topics) || u.serverAssignor !== m.serverAssignor;
    if (changed || !op.g.members.has(u.memberId)) {
      op.g.put(u);
      op.records.push({ kind: 'consumerMember', group: op.g.id, memberId: u.memberId, value: stored(u) });
    } else op.g.members.set(u.memberId, u);
    return u;
  }

  /** A new subscription, or new partition counts of the subscribed topics, bump the group epoch. */
  private maybeBumpEpoch(op: Op, old: ConsumerMember, u: ConsumerMember, isNew: boolean): void {
    const g = op.g;
    const metadata = this.subscriptionMetadata(g);
    const bump = isNew || !sameList(old.topics, u.topics) || metadata !== g.subscriptionMetadata;
    g.subscriptionMetadata = metadata;
    if (!bump) return;
    g.groupEpoch++;
    op.records.push(epochRecord(g));
    const why = isNew
      ? `member ${u.clientId} (${u.memberId}) joined`
      : !sameList(old.topics, u.topics)
        ? `member ${u.clientId} changed its subscription`
        : `the subscribed topics' partitions changed (${metadata})`;
    op.reason.push(why);
  }

  /** The subscribed topics' partition counts, as a string (ConsumerGroup.computeSubscriptionMetadata). */
  private subscriptionMetadata(g: ConsumerGroup): string {
    const topics = new Set<string>();
    for (const m of g.members.values()) for (const t of m.topics) topics.add(t);
    const img = this.h.b.image;
    return [...topics]
      .sort()
      .map((t) => `${t}:${img?.topics[t]?.partitions ?? 0}`)
      .join(',');
  }

  /** updateTargetAssignment: the preferred server-side assignor on every member; only changed targets are written. */
  private computeTarget(op: Op, u: ConsumerMember): void {
    const g = op.g;
    const assignor = preferredAssignor(g, this.h.cfg.consumerAssignors[0] as ServerAssignorName);
    const pool = new PartitionPool();
    const partitionsPerTopic = new Map<string, number>();
    const topicIds = new Map<string, ReturnType<typeof topicIdFromName>>();
    for (const m of g.members.values())
      for (const t of m.topics) {
        const n = this.h.b.image?.topics[t]?.partitions;
        if (n === undefined || partitionsPerTopic.has(t)) continue;
        partitionsPerTopic.set(t, n);
        topicIds.set(t, topicIdFromName(t));
      }
    const members = [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      instanceId: m.instanceId,
      topics: m.topics,
      assignment: (g.target.get(m.memberId) ?? []).map((tp) => toTp(pool, tp)),
    }));
    const out = serverAssign(assignor, { members, partitionsPerTopic, topicIds, pool });
    for (const m of g.members.values()) {
      const next = (out.assignment.get(m.memberId) ?? []).map((tp) => `${tp.topic}-${tp.partition}`);
      if (g.target.has(m.memberId) && sameList(g.target.get(m.memberId)!, next)) continue;
      g.target.set(m.memberId, next);
      op.records.push({ kind: 'consumerTarget', group: g.id, memberId: m.memberId, partitions: next });
    }
    g.assignmentEpoch = g.groupEpoch;
    g.assignor = assignor;
    op.records.push(epochRecord(g));
    op.reason.push(`target assignment of epoch ${g.groupEpoch} computed by the ${assignor} assignor (for ${u.clientId}'s heartbeat)`);
  }

  /** maybeReconcile: one step towards the target; the rebalance timeout runs while it must revoke. */
  private reconcileMember(op: Op, u: ConsumerMember, owned: readonly string[] | null): ConsumerMember {
    const g = op.g;
    if (isReconciledTo(u, g.assignmentEpoch)) return u;
    const s = reconcile(u, g.assignmentEpoch, g.target.get(u.memberId) ?? [], (tp) => g.partitionEpoch(tp), owned);
    if (sameState(s, u)) return u;
    const next: ConsumerMember = { ...u, ...s, rebalanceTimer: u.rebalanceTimer + 1 };
    g.put(next);
    op.records.push({ kind: 'consumerMember', group: g.id, memberId: next.memberId, value: stored(next) });
    if (next.state === 'UNREVOKED_PARTITIONS') this.scheduleRebalanceTimeout(g, next);
    return next;
  }

  /** scheduleConsumerGroupRebalanceTimeout: still at this epoch after the rebalance timeout, the member is fenced. */
  private scheduleRebalanceTimeout(g: ConsumerGroup, m: ConsumerMember): void {
    const { memberId, memberEpoch, rebalanceTimer } = m;
    this.h.b.timer(m.rebalanceTimeoutMs * 1000, () => {
      const cur = g.members.get(memberId);
      if (this.groups.get(g.id) !== g || cur === undefined || cur.rebalanceTimer !== rebalanceTimer || cur.memberEpoch !== memberEpoch) return;
      const op: Op = { g, records: [], reason: [] };
      this.fence(op, cur, `member ${cur.clientId} (${memberId}) was removed: it did not revoke its partitions within its rebalance timeout (max.poll.interval.ms ${cur.rebalanceTimeoutMs} ms)`);
      this.commit(op, () => {});
    });
  }

  // ---- leaving and fencing -----------------------------------------------------------------

  /** consumerGroupLeave: epoch -1 removes the member; -2 (a static member) keeps its place and partitions until its session expires. */
  private leave(g: ConsumerGroup, env: Envelope<M.ConsumerGroupHeartbeatRequest>): void {
    const req = env.payload;
    const answer = (error: M.GroupError) => this.reply(env, { error, memberId: req.memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0, assignment: null });
    const m = req.instanceId !== undefined ? g.members.get(g.statics.get(req.instanceId) ?? '') : g.members.get(req.memberId);
    if (m === undefined) return answer('UNKNOWN_MEMBER_ID');
    if (req.instanceId !== undefined && m.memberId !== req.memberId) return answer('FENCED_INSTANCE_ID');
    const op: Op = { g, records: [], reason: [] };
    if (req.memberEpoch === LEAVE_GROUP_STATIC_MEMBER_EPOCH) {
      const away: ConsumerMember = { ...m, memberEpoch: LEAVE_GROUP_STATIC_MEMBER_EPOCH, pendingRevocation: [], rebalanceTimer: m.rebalanceTimer + 1 };
      g.put(away);
      op.records.push({ kind: 'consumerMember', group: g.id, memberId: m.memberId, value: stored(away) });
      op.reason.push(`static member ${m.instanceId} (${m.clientId}) left for now (epoch -2): it keeps its partitions for group.consumer.session.timeout.ms`);
    } else this.fence(op, m, `member ${m.clientId} (${m.memberId}) left the group`);
    this.commit(op, answer);
  }

  /** consumerGroupFenceMember: the member's records are tombstoned, its partitions freed, the group epoch bumped. */
  private fence(op: Op, m: ConsumerMember, reason: string): void {
    const g = op.g;
    g.remove(m.memberId);
    g.groupEpoch++;
    g.subscriptionMetadata = this.subscriptionMetadata(g);
    op.records.push({ kind: 'consumerMember', group: g.id, memberId: m.memberId, value: null }, { kind: 'consumerTarget', group: g.id, memberId: m.memberId, partitions: null }, epochRecord(g));
    op.reason.push(reason);
  }

  // ---- sessions ------------------------------------------------------------------------------

  /** One timer per member, re-armed at its expiry while heartbeats move it (scheduleConsumerGroupSessionTimeout). */
  private watchSession(g: ConsumerGroup, memberId: string): void {
    let set = this.watched.get(g);
    if (set === undefined) this.watched.set(g, (set = new Set()));
    if (set.has(memberId)) return;
    set.add(memberId);
    const arm = (at: number): void => {
      this.h.b.timerAt(at, () => {
        const m = g.members.get(memberId);
        if (this.groups.get(g.id) !== g || m === undefined) return void set.delete(memberId);
        if (m.expiresUs > this.h.b.kernel.now) return arm(m.expiresUs);
        set.delete(memberId);
        const op: Op = { g, records: [], reason: [] };
        this.fence(op, m, `member ${m.clientId} (${memberId}) was removed: no heartbeat for group.consumer.session.timeout.ms (${this.h.cfg.consumerSessionTimeoutMs} ms)`);
        this.commit(op, () => {});
      });
    };
    arm(g.members.get(memberId)?.expiresUs ?? this.h.b.kernel.now);
  }

  // ---- loading -------------------------------------------------------------------------------

  /** A new coordinator replays the group's records; sessions start over, rebalance timeouts are scheduled again. */
  load(id: string, records: readonly GroupRecord[]): ConsumerGroup {
    const g = new ConsumerGroup(id);
    const now = this.h.b.kernel.now;
    for (const r of records) {
      if (r.kind === 'consumerEpoch') {
        g.groupEpoch = r.groupEpoch;
        g.assignmentEpoch = r.assignmentEpoch;
        g.assignor = r.assignor;
      } else if (r.kind === 'consumerTarget') {
        if (r.partitions === null) g.target.delete(r.memberId);
        else g.target.set(r.memberId, r.partitions);
      } else if (r.kind === 'consumerMember') {
        if (r.value === null) g.remove(r.memberId);
        else g.put({ ...r.value, expiresUs: now + this.h.cfg.consumerSessionTimeoutMs * 1000, rebalanceTimer: 0 });
      }
    }
    g.subscriptionMetadata = this.subscriptionMetadata(g);
    this.groups.set(id, g);
    for (const m of g.members.values()) {
      this.watchSession(g, m.memberId);
      if (m.state === 'UNREVOKED_PARTITIONS') this.scheduleRebalanceTimeout(g, m);
    }
    if (g.groupEpoch > 0) this.emit(g, 'loaded from its __consumer_offsets partition by its new coordinator');
    return g;
  }

  // ---- writing, replies, trace ---------------------------------------------------------------

  /** The op's records are appended; `done` once committed (at once when there are none). */
  private commit(op: Op, done: (error: M.GroupError) => void): void {
    const before = op.g.lastEmitted;
    if (op.reason.length > 0 || this.key(op.g) !== before) this.emit(op.g, op.reason.join('; ') || `now ${op.g.state()}`);
    if (op.records.length === 0) return done('NONE');
    this.h.append(this.h.partitionOf(op.g.id), op.records, done);
  }

  private key(g: ConsumerGroup): string {
    return `${g.state()}|${g.groupEpoch}|${g.members.size}`;
  }

  private emit(g: ConsumerGroup, reason: string): void {
    g.lastEmitted = this.key(g);
    this.h.b.trace.emit({
      type: 'group',
      t: this.h.b.kernel.now,
      group: g.id,
      coordinator: this.h.b.id,
      state: g.state(),
      generation: g.groupEpoch,
      members: g.clientIds(),
      ...(g.assignor !== undefined ? { protocol: g.assignor } : {}),
      reason,
    });
  }

  private reply(env: Envelope<M.ConsumerGroupHeartbeatRequest>, r: Reply): void {
    const bytes = REQUEST_OVERHEAD_BYTES + 16 * (r.assignment?.length ?? 0);
    this.h.b.net.reply<M.ConsumerGroupHeartbeatResponse>(env, 'ConsumerGroupHeartbeatResponse', bytes, { ...r, correlationId: env.payload.correlationId });
  }
}

/** The epoch check of a heartbeat: a member may be one epoch behind if what it owns is within its assignment (a lost response). */
function epochError(m: ConsumerMember, req: M.ConsumerGroupHeartbeatRequest): M.GroupError | null {
  if (req.memberEpoch > m.memberEpoch) return 'FENCED_MEMBER_EPOCH';
  if (req.memberEpoch < m.memberEpoch) {
    const assigned = new Set(m.assigned);
    const subset = req.ownedPartitions?.every((tp) => assigned.has(tp)) === true;
    if (req.memberEpoch !== m.previousMemberEpoch || !subset) return 'FENCED_MEMBER_EPOCH';
  }
  return null;
}

function newMember(id: string, req: M.ConsumerGroupHeartbeatRequest, now: number): ConsumerMember {
  return {
    memberId: id,
    clientId: req.clientId,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    topics: req.subscribedTopicNames ?? [],
    memberEpoch: 0,
    previousMemberEpoch: 0,
    state: 'STABLE',
    assigned: [],
    pendingRevocation: [],
    expiresUs: now,
    rebalanceTimer: 0,
  };
}

/** ConsumerGroup.computePreferredServerAssignor: the assignor most members name, else the default. */
function preferredAssignor(g: ConsumerGroup, fallback: ServerAssignorName): ServerAssignorName {
  const counts = new Map<string, number>();
  for (const m of g.members.values()) if (m.serverAssignor !== undefined) counts.set(m.serverAssignor, (counts.get(m.serverAssignor) ?? 0) + 1);
  let best: string | undefined;
  for (const [name, n] of [...counts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) if (best === undefined || n > counts.get(best)!) best = name;
  return (best ?? fallback) as ServerAssignorName;
}

function stored(m: ConsumerMember): StoredConsumerMember {
  const { expiresUs: _e, rebalanceTimer: _r, ...rest } = m;
  return { ...rest, assigned: [...m.assigned], pendingRevocation: [...m.pendingRevocation], topics: [...m.topics] };
}

function epochRecord(g: ConsumerGroup): GroupRecord {
  return { kind: 'consumerEpoch', group: g.id, groupEpoch: g.groupEpoch, assignmentEpoch: g.assignmentEpoch, ...(g.assignor !== undefined ? { assignor: g.assignor } : {}) };
}

function toTp(pool: PartitionPool, tp: string) {
  const i = tp.lastIndexOf('-');
  return pool.get(tp.slice(0, i), Number(tp.slice(i + 1)));
}

function sameState(a: MemberAssignmentState, b: MemberAssignmentState): boolean {
  return (
    a.memberEpoch === b.memberEpoch && a.previousMemberEpoch === b.previousMemberEpoch && a.state === b.state && sameList(a.assigned, b.assigned) && sameList(a.pendingRevocation, b.pendingRevocation)
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const s = new Set(a);
  return b.every((x) => s.has(x));
}
