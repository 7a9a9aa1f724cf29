/**
 * The group coordinator of one broker (Kafka's GroupCoordinatorService with the classic protocol of
 * GroupMetadataManager): it coordinates the groups whose `__consumer_offsets` partition
 * (abs(groupId.hashCode()) % offsets.topic.num.partitions) this broker leads. Becoming that leader, it
 * loads the groups' committed offsets and last stored generation from its own log; losing it (or dying),
 * it drops them and members find the new coordinator.
 *
 * Classic protocol: a new dynamic member gets MEMBER_ID_REQUIRED and joins again with its id (KIP-394);
 * a join parks until every known member has rejoined or the rebalance timeout (the longest
 * max.poll.interval.ms) passes; the first rebalance of an empty group waits group.initial.rebalance.delay.ms,
 * extended by each new member (InitialDelayedJoin). The leader's SyncGroup stores the assignment (a
 * group metadata record, acks=all) and then every member gets its partitions. A member without a
 * heartbeat for session.timeout.ms is removed; a LeaveGroup removes it at once. Static members (KIP-345)
 * keep their place when they rejoin with their group.instance.id and are only removed by the timeout.
 * Offset commits are records appended with acks=all and answered when the high watermark passes them
 * (offsets.commit.timeout.ms).
 */
import type { BrokerContext } from '../broker/context.js';
import type { DelayedProduce } from '../broker/delayed-produce.js';
import type { Partition } from '../broker/partition.js';
import type { Envelope } from '../../resources/network.js';
import { REQUEST_OVERHEAD_BYTES } from '../protocol.js';
import type { KafkaError } from '../../trace/events.js';
import { ClassicGroup, type ClassicMember } from './classic-group.js';
import { ConsumerGroupCoordinator } from './consumer-coordinator.js';
import * as M from './messages.js';
import type { CoordinatorConfig } from './messages.js';

export type { CoordinatorConfig } from './messages.js';
import type { GroupRecord, GroupRecordValues } from './records.js';

/** What the coordinator uses of the broker's ReplicaManager. */
export interface CoordinatorReplicas {
  leaderPartition(tp: string): Partition | undefined;
  readonly producePurgatory: { add(dp: DelayedProduce): void };
}

/** CoordinatorRuntime's mapping of append errors to the errors a group client sees. */
function appendError(e: KafkaError): M.GroupError {
  if (e === 'NONE') return 'NONE';
  if (e === 'NOT_LEADER_OR_FOLLOWER' || e === 'KAFKA_STORAGE_ERROR') return 'NOT_COORDINATOR';
  return 'COORDINATOR_NOT_AVAILABLE';
}

export class GroupCoordinator {
  /** Loaded groups, by id (only those of partitions this broker leads). */
  private groups = new Map<string, ClassicGroup>();
  /** Committed offsets per group. */
  private committed = new Map<string, Map<string, number>>();
  /** The __consumer_offsets partitions this broker leads and has loaded. */
  private owned = new Set<string>();
  /** KIP-848 groups (group.protocol=consumer). */
  private readonly consumer: ConsumerGroupCoordinator;

  constructor(
    private readonly b: BrokerContext,
    private readonly rm: CoordinatorReplicas,
    private readonly values: GroupRecordValues,
    private readonly cfg: CoordinatorConfig,
  ) {
    this.consumer = new ConsumerGroupCoordinator({
      b,
      values,
      cfg,
      owns: (group) => this.owned.has(this.partitionOf(group)),
      partitionOf: (group) => this.partitionOf(group),
      created: (group) => {
        this.committed.set(group, new Map());
        this.b.trace.emit({ type: 'coordinator', t: this.b.kernel.now, group, broker: this.b.id, tp: this.partitionOf(group), loaded: true, offsets: 0 });
      },
      append: (tp, records, done) => this.append(tp, records, done),
    });
  }

  /** The process died: everything in memory is gone. */
  reset(): void {
    this.groups = new Map();
    this.committed = new Map();
    this.owned = new Set();
    this.consumer.reset();
  }

  partitionOf(group: string): string {
    return `${M.OFFSETS_TOPIC}-${M.offsetsPartitionFor(group, this.cfg.offsetsPartitions)}`;
  }

  // ---- loading -------------------------------------------------------------------------------

  /** This broker became the leader of `tp` (onElection): load its groups from the local log. */
  onElection(tp: string): void {
    if (this.owned.has(tp)) return;
    this.owned.add(tp);
    const byGroup = new Map<string, GroupRecord[]>();
    for (const r of this.values.read(tp, this.b.logFor(tp))) {
      let list = byGroup.get(r.group);
      if (list === undefined) byGroup.set(r.group, (list = []));
      list.push(r);
    }
    for (const [id, records] of [...byGroup].sort((a, b) => (a[0] < b[0] ? -1 : 1))) this.load(id, tp, records);
  }

  private load(id: string, tp: string, records: GroupRecord[]): void {
    const offsets = new Map<string, number>();
    const g = new ClassicGroup(id);
    const now = this.b.kernel.now;
    for (const r of records) {
      if (r.kind === 'offset') offsets.set(r.tp, r.offset);
      else if (r.kind === 'group') restoreGroup(g, r, now);
    }
    this.committed.set(id, offsets);
    if (records.some((r) => r.kind === 'consumerEpoch')) {
      // A KIP-848 group: its ConsumerGroup* records rebuild it.
      this.b.trace.emit({ type: 'coordinator', t: now, group: id, broker: this.b.id, tp, loaded: true, offsets: offsets.size });
      this.consumer.load(id, records);
      return;
    }
    this.groups.set(id, g);
    for (const m of g.members.values()) this.watchSession(g, m);
    this.b.trace.emit({ type: 'coordinator', t: now, group: id, broker: this.b.id, tp, loaded: true, offsets: offsets.size });
    if (g.generation > 0) this.emit(g, `loaded from ${tp} by its new coordinator`);
  }

  /** This broker no longer leads `tp` (onResignation): its groups move; parked requests get NOT_COORDINATOR. */
  onResignation(tp: string): void {
    if (!this.owned.delete(tp)) return;
    for (const g of [...this.groups.values()]) {
      if (this.partitionOf(g.id) !== tp) continue;
      for (const m of g.members.values()) {
        if (m.awaitingJoin) this.replyJoin(m.awaitingJoin, errorJoin('NOT_COORDINATOR', m.memberId));
        if (m.awaitingSync) this.replySync(m.awaitingSync, 'NOT_COORDINATOR', []);
      }
      this.groups.delete(g.id);
      this.committed.delete(g.id);
      this.b.trace.emit({ type: 'coordinator', t: this.b.kernel.now, group: g.id, broker: this.b.id, tp, loaded: false, offsets: 0 });
    }
    for (const id of this.consumer.ids()) {
      if (this.partitionOf(id) !== tp) continue;
      this.consumer.drop(id);
      this.committed.delete(id);
      this.b.trace.emit({ type: 'coordinator', t: this.b.kernel.now, group: id, broker: this.b.id, tp, loaded: false, offsets: 0 });
    }
  }

  // ---- requests ------------------------------------------------------------------------------

  receive(env: Envelope): boolean {
    switch (env.kind) {
      case 'FindCoordinator':
        this.onFindCoordinator(env as Envelope<M.FindCoordinatorRequest>);
        return true;
      case 'JoinGroup':
        this.onJoin(env as Envelope<M.JoinGroupRequest>);
        return true;
      case 'SyncGroup':
        this.onSync(env as Envelope<M.SyncGroupRequest>);
        return true;
      case 'Heartbeat':
        this.onHeartbeat(env as Envelope<M.HeartbeatRequest>);
        return true;
      case 'LeaveGroup':
        this.onLeave(env as Envelope<M.LeaveGroupRequest>);
        return true;
      case 'ConsumerGroupHeartbeat':
        this.consumer.onHeartbeat(env as Envelope<M.ConsumerGroupHeartbeatRequest>);
        return true;
      case 'OffsetCommit':
        this.onCommit(env as Envelope<M.OffsetCommitRequest>);
        return true;
      case 'OffsetFetch':
        this.onOffsetFetch(env as Envelope<M.OffsetFetchRequest>);
        return true;
      default:
        return false;
    }
  }

  /** Any broker answers with the leader of the group's partition as its metadata knows it. */
  private onFindCoordinator(env: Envelope<M.FindCoordinatorRequest>): void {
    const p = this.b.image?.partitions[this.partitionOf(env.payload.group)];
    const node = p === undefined ? -1 : p.leader;
    const error: M.GroupError = node < 0 ? 'COORDINATOR_NOT_AVAILABLE' : 'NONE';
    this.b.net.reply<M.FindCoordinatorResponse>(env, 'FindCoordinatorResponse', REQUEST_OVERHEAD_BYTES, { correlationId: env.payload.correlationId, error, node });
  }

  /** The group if this broker coordinates it; `create` makes an empty one. */
  private groupFor(id: string, create: boolean): ClassicGroup | 'NOT_COORDINATOR' | undefined {
    if (!this.owned.has(this.partitionOf(id))) return 'NOT_COORDINATOR';
    let g = this.groups.get(id);
    if (g === undefined && create) {
      g = new ClassicGroup(id);
      this.groups.set(id, g);
      this.committed.set(id, new Map());
      // A group this coordinator has no record of: it coordinates it from now on, with nothing loaded.
      this.b.trace.emit({ type: 'coordinator', t: this.b.kernel.now, group: id, broker: this.b.id, tp: this.partitionOf(id), loaded: true, offsets: 0 });
    }
    return g;
  }

  private onJoin(env: Envelope<M.JoinGroupRequest>): void {
    const req = env.payload;
    const g = this.groupFor(req.group, true)!;
    if (g === 'NOT_COORDINATOR') return this.replyJoin(env, errorJoin('NOT_COORDINATOR', req.memberId));
    if (req.sessionTimeoutMs < this.cfg.minSessionTimeoutMs || req.sessionTimeoutMs > this.cfg.maxSessionTimeoutMs) return this.replyJoin(env, errorJoin('INVALID_SESSION_TIMEOUT', req.memberId));
    if (!g.supports(req.protocols)) return this.replyJoin(env, errorJoin('INCONSISTENT_GROUP_PROTOCOL', req.memberId));
    if (req.memberId === '') return this.joinUnknown(g, env);
    if (g.pending.delete(req.memberId)) return this.addMember(g, env, req.memberId);
    const m = g.members.get(req.memberId);
    if (m === undefined) return this.replyJoin(env, errorJoin(req.instanceId !== undefined && g.statics.has(req.instanceId) ? 'FENCED_INSTANCE_ID' : 'UNKNOWN_MEMBER_ID', req.memberId));
    this.rejoin(g, m, env);
  }

  /** A join without a member id: a static member takes its place back; a dynamic one is told its id first (KIP-394). */
  private joinUnknown(g: ClassicGroup, env: Envelope<M.JoinGroupRequest>): void {
    const req = env.payload;
    const id = `${req.clientId}-${this.values.nextMemberNumber().toString(16).padStart(12, '0')}`;
    if (req.instanceId === undefined) {
      g.pending.add(id);
      // A member id handed out but never used expires after the member's session timeout.
      this.b.timer(req.sessionTimeoutMs * 1000, () => {
        if (this.groups.get(g.id) === g && g.pending.delete(id) && g.state === 'PreparingRebalance') this.tryCompleteJoin(g);
      });
      return this.replyJoin(env, errorJoin('MEMBER_ID_REQUIRED', id));
    }
    const old = g.statics.get(req.instanceId);
    if (old === undefined) return this.addMember(g, env, id);
    this.replaceStatic(g, g.members.get(old)!, id, env);
  }

  /** ClassicGroup.replaceStaticMember: the new member id takes the old one's place, assignment and leadership. */
  private replaceStatic(g: ClassicGroup, old: ClassicMember, id: string, env: Envelope<M.JoinGroupRequest>): void {
    g.members.delete(old.memberId);
    if (old.awaitingJoin) this.replyJoin(old.awaitingJoin, errorJoin('FENCED_INSTANCE_ID', old.memberId));
    if (old.awaitingSync) this.replySync(old.awaitingSync, 'FENCED_INSTANCE_ID', []);
    const req = env.payload;
    const m: ClassicMember = {
      ...old,
      memberId: id,
      protocols: req.protocols,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      awaitingJoin: null,
      awaitingSync: null,
      expiresUs: this.b.kernel.now + req.sessionTimeoutMs * 1000,
    };
    g.members.set(id, m);
    g.statics.set(old.instanceId!, id);
    if (g.leader === old.memberId) g.leader = id;
    this.watchSession(g, m);
    if (g.state === 'Stable' && g.selectProtocol() === g.protocol) {
      // updateStaticMemberThenRebalanceOrCompleteJoin in a stable group: the new id is stored (a group
      // metadata record), then the member gets the current generation and syncs its old assignment; a
      // returning leader is told to skip the assignment (KIP-814).
      const generation = g.generation;
      return this.storeGroup(g, (error) => {
        if (error !== 'NONE' || this.groups.get(g.id) !== g || g.generation !== generation) return this.replyJoin(env, errorJoin(error === 'NONE' ? 'REBALANCE_IN_PROGRESS' : error, id));
        this.emit(g, `static member ${old.instanceId} (${m.clientId}) rejoined with a new member id: it keeps its partitions, no rebalance`);
        this.replyJoin(env, { ...this.joinResponse(g, m, g.leader === id), skipAssignment: true });
      });
    }
    m.awaitingJoin = env;
    if (g.state === 'PreparingRebalance') this.tryCompleteJoin(g);
    else this.prepareRebalance(g, `static member ${old.instanceId} rejoined during a rebalance`);
  }

  private addMember(g: ClassicGroup, env: Envelope<M.JoinGroupRequest>, id: string): void {
    const req = env.payload;
    const m: ClassicMember = {
      memberId: id,
      clientId: req.clientId,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocols: req.protocols,
      assignment: [],
      awaitingJoin: env,
      awaitingSync: null,
      expiresUs: this.b.kernel.now + req.sessionTimeoutMs * 1000,
    };
    if (req.instanceId !== undefined) {
      m.instanceId = req.instanceId;
      g.statics.set(req.instanceId, id);
    }
    g.members.set(id, m);
    if (g.leader === undefined) g.leader = id;
    g.newMemberAdded = true;
    this.watchSession(g, m);
    if (g.state === 'PreparingRebalance') {
      this.emit(g, `member ${req.clientId} joined`);
      this.tryCompleteJoin(g);
    } else this.prepareRebalance(g, `member ${req.clientId} joined (${req.reason})`);
  }

  /** A known member joins again (updateMemberAndRebalance), by state. */
  private rejoin(g: ClassicGroup, m: ClassicMember, env: Envelope<M.JoinGroupRequest>): void {
    const same = sameProtocols(m.protocols, env.payload.protocols);
    m.protocols = env.payload.protocols;
    this.renew(m);
    if (g.state === 'PreparingRebalance') {
      m.awaitingJoin = env;
      return this.tryCompleteJoin(g);
    }
    if (same && (g.state === 'CompletingRebalance' || g.leader !== m.memberId)) {
      // The same metadata from a follower (or anyone before the sync): the join response again, no rebalance.
      return this.replyJoin(env, this.joinResponse(g, m, g.leader === m.memberId));
    }
    m.awaitingJoin = env;
    this.prepareRebalance(g, `member ${m.clientId} rejoined: ${env.payload.reason}`);
  }

  // ---- rebalance -----------------------------------------------------------------------------

  private prepareRebalance(g: ClassicGroup, reason: string): void {
    if (g.state === 'CompletingRebalance') {
      for (const m of g.members.values()) {
        if (m.awaitingSync) this.replySync(m.awaitingSync, 'REBALANCE_IN_PROGRESS', []);
        m.awaitingSync = null;
      }
    }
    // prepareRebalance: from Empty the initial delayed join (group.initial.rebalance.delay.ms, even 0);
    // otherwise complete at once if every member has joined, else wait up to the rebalance timeout.
    const timeoutMs = g.rebalanceTimeoutMs();
    const initial = g.state === 'Empty';
    const delayMs = initial ? this.cfg.initialRebalanceDelayMs : timeoutMs;
    g.initialRemainingMs = initial ? Math.max(timeoutMs - delayMs, 0) : -1;
    g.newMemberAdded = false;
    g.state = 'PreparingRebalance';
    const id = ++g.rebalanceId;
    this.emit(g, `preparing to rebalance: ${reason}`);
    if (!initial && g.allJoined()) return this.completeJoin(g);
    this.b.timer(delayMs * 1000, () => this.onJoinTimer(g, id, delayMs));
  }

  /** DelayedJoin / InitialDelayedJoin expired. */
  private onJoinTimer(g: ClassicGroup, id: number, delayMs: number): void {
    if (g.rebalanceId !== id || g.state !== 'PreparingRebalance' || this.groups.get(g.id) !== g) return;
    if (g.initialRemainingMs > 0 && g.newMemberAdded) {
      // InitialDelayedJoin.onComplete: members still arrive: wait another delay, within what remains.
      const next = Math.min(delayMs, g.initialRemainingMs);
      g.initialRemainingMs = Math.max(g.initialRemainingMs - next, 0);
      g.newMemberAdded = false;
      this.b.timer(next * 1000, () => this.onJoinTimer(g, id, next));
      return;
    }
    this.completeJoin(g);
  }

  /** DelayedJoin.tryComplete: every member has rejoined (an initial delay never completes early). */
  private tryCompleteJoin(g: ClassicGroup): void {
    if (g.initialRemainingMs >= 0 || !g.allJoined()) return;
    this.completeJoin(g);
  }

  /** completeClassicGroupJoin: drop dynamic members that did not rejoin, start the next generation, answer the joins. */
  private completeJoin(g: ClassicGroup): void {
    const gone: string[] = [];
    for (const m of [...g.members.values()]) {
      if (m.awaitingJoin !== null || m.instanceId !== undefined) continue;
      g.remove(m.memberId);
      gone.push(m.clientId);
    }
    const joined = [...g.members.values()].filter((m) => m.awaitingJoin !== null);
    if (g.members.size > 0 && joined.length === 0) {
      // Only static members that have not rejoined: no generation yet; wait another rebalance timeout.
      const id = ++g.rebalanceId;
      const delayMs = g.rebalanceTimeoutMs();
      this.b.timer(delayMs * 1000, () => this.onJoinTimer(g, id, delayMs));
      return;
    }
    g.rebalanceId++;
    g.generation++;
    if (g.members.size === 0) {
      g.state = 'Empty';
      g.protocol = undefined;
      this.emit(g, 'no member left: the group is empty');
      this.storeGroup(g, () => {});
      return;
    }
    g.protocol = g.selectProtocol();
    // maybeElectNewJoinedLeader: a leader that did not rejoin gives way to one that did.
    if (g.leader === undefined || g.members.get(g.leader)?.awaitingJoin == null) g.leader = joined[0]!.memberId;
    g.state = 'CompletingRebalance';
    const absent = [...g.members.values()].filter((m) => m.awaitingJoin === null).map((m) => m.clientId);
    const how =
      gone.length > 0 ? `${gone.join(', ')} did not rejoin in time and left` : absent.length > 0 ? `static member(s) ${absent.join(', ')} keep their place without rejoining` : 'every member rejoined';
    this.emit(g, `generation ${g.generation}: ${how}`);
    for (const m of g.members.values()) {
      if (m.awaitingJoin === null) continue;
      const env = m.awaitingJoin;
      m.awaitingJoin = null;
      this.renew(m);
      this.replyJoin(env, this.joinResponse(g, m, m.memberId === g.leader));
    }
  }

  private joinResponse(g: ClassicGroup, m: ClassicMember, leader: boolean): M.JoinGroupResponse {
    const protocol = g.protocol ?? '';
    const members: M.JoinMember[] = leader
      ? [...g.members.values()].map((x) => ({
          memberId: x.memberId,
          ...(x.instanceId !== undefined ? { instanceId: x.instanceId } : {}),
          clientId: x.clientId,
          protocol: x.protocols.find((p) => p.name === protocol)!,
        }))
      : [];
    return { correlationId: 0, error: 'NONE', generation: g.generation, protocol, leader: g.leader ?? '', memberId: m.memberId, members };
  }

  private onSync(env: Envelope<M.SyncGroupRequest>): void {
    const req = env.payload;
    const g = this.groupFor(req.group, false);
    if (g === 'NOT_COORDINATOR') return this.replySync(env, 'NOT_COORDINATOR', []);
    const m = g?.members.get(req.memberId);
    if (g === undefined || m === undefined) return this.replySync(env, 'UNKNOWN_MEMBER_ID', []);
    if (req.generation !== g.generation) return this.replySync(env, 'ILLEGAL_GENERATION', []);
    if (g.state === 'PreparingRebalance') return this.replySync(env, 'REBALANCE_IN_PROGRESS', []);
    this.renew(m);
    if (g.state === 'Stable') return this.replySync(env, 'NONE', m.assignment);
    m.awaitingSync = env;
    if (m.memberId !== g.leader) return;
    const given = new Map(req.assignments.map((a) => [a.memberId, a.partitions]));
    const generation = g.generation;
    for (const x of g.members.values()) x.assignment = given.get(x.memberId) ?? [];
    this.storeGroup(g, (error) => this.onGroupStored(g, generation, error));
  }

  /** The assignment is stored (or not): answer the parked syncs. */
  private onGroupStored(g: ClassicGroup, generation: number, error: M.GroupError): void {
    if (g.generation !== generation || g.state !== 'CompletingRebalance' || this.groups.get(g.id) !== g) return;
    if (error !== 'NONE') {
      for (const x of g.members.values()) if (x.awaitingSync) this.replySync(x.awaitingSync, error, []);
      for (const x of g.members.values()) x.awaitingSync = null;
      return this.prepareRebalance(g, `storing the assignment failed (${error})`);
    }
    g.state = 'Stable';
    this.emit(g, `generation ${g.generation} is stable: the leader's assignment is stored`);
    for (const x of g.members.values()) {
      if (x.awaitingSync) this.replySync(x.awaitingSync, 'NONE', x.assignment);
      x.awaitingSync = null;
    }
  }

  private onHeartbeat(env: Envelope<M.HeartbeatRequest>): void {
    const req = env.payload;
    const g = this.groupFor(req.group, false);
    const reply = (error: M.GroupError): void => {
      this.b.net.reply<M.HeartbeatResponse>(env, 'HeartbeatResponse', REQUEST_OVERHEAD_BYTES, { correlationId: req.correlationId, error });
    };
    if (g === 'NOT_COORDINATOR') return reply('NOT_COORDINATOR');
    const m = g?.members.get(req.memberId);
    if (g === undefined || m === undefined) return reply(req.instanceId !== undefined && g?.statics.has(req.instanceId) ? 'FENCED_INSTANCE_ID' : 'UNKNOWN_MEMBER_ID');
    if (req.generation !== g.generation) return reply('ILLEGAL_GENERATION');
    this.renew(m);
    reply(g.state === 'PreparingRebalance' ? 'REBALANCE_IN_PROGRESS' : 'NONE');
  }

  private onLeave(env: Envelope<M.LeaveGroupRequest>): void {
    const req = env.payload;
    const g = this.groupFor(req.group, false);
    const reply = (error: M.GroupError): void => {
      this.b.net.reply<M.LeaveGroupResponse>(env, 'LeaveGroupResponse', REQUEST_OVERHEAD_BYTES, { correlationId: req.correlationId, error });
    };
    if (g === 'NOT_COORDINATOR') return reply('NOT_COORDINATOR');
    const m = g?.members.get(req.memberId);
    if (g === undefined || m === undefined) {
      // A member id handed out with MEMBER_ID_REQUIRED that never joined leaves too.
      if (g?.pending.delete(req.memberId)) {
        reply('NONE');
        return this.tryCompleteJoin(g);
      }
      return reply('UNKNOWN_MEMBER_ID');
    }
    reply('NONE');
    this.removeMember(g, m, `member ${m.clientId} (${m.memberId}) left the group: ${req.reason}`);
  }

  /** A member is gone (left, or its session expired): the group rebalances without it. */
  private removeMember(g: ClassicGroup, m: ClassicMember, reason: string): void {
    g.remove(m.memberId);
    if (m.awaitingJoin) this.replyJoin(m.awaitingJoin, errorJoin('UNKNOWN_MEMBER_ID', m.memberId));
    if (g.state === 'Stable' || g.state === 'CompletingRebalance') this.prepareRebalance(g, reason);
    else if (g.state === 'PreparingRebalance') {
      this.emit(g, reason);
      if (g.members.size === 0 && g.initialRemainingMs < 0) this.completeJoin(g);
      else this.tryCompleteJoin(g);
    }
  }

  // ---- sessions ------------------------------------------------------------------------------

  private renew(m: ClassicMember): void {
    m.expiresUs = this.b.kernel.now + m.sessionTimeoutMs * 1000;
  }

  /** One timer per member, re-armed at its expiry while heartbeats keep moving it. */
  private watchSession(g: ClassicGroup, m: ClassicMember): void {
    this.b.timerAt(m.expiresUs, () => {
      if (this.groups.get(g.id) !== g || g.members.get(m.memberId) !== m) return;
      const now = this.b.kernel.now;
      // shouldKeepAlive: a member parked in a join (or a sync) is waiting on the group, not gone.
      if (m.expiresUs > now || m.awaitingJoin !== null || m.awaitingSync !== null) {
        if (m.expiresUs <= now) this.renew(m);
        return this.watchSession(g, m);
      }
      this.removeMember(g, m, `member ${m.clientId} (${m.memberId}) was removed: no heartbeat for session.timeout.ms (${m.sessionTimeoutMs} ms)`);
    });
  }

  // ---- offsets -------------------------------------------------------------------------------

  private onCommit(env: Envelope<M.OffsetCommitRequest>): void {
    const req = env.payload;
    const reply = (error: M.GroupError): void => {
      this.b.net.reply<M.OffsetCommitResponse>(env, 'OffsetCommitResponse', REQUEST_OVERHEAD_BYTES, { correlationId: req.correlationId, error });
    };
    if (!this.owned.has(this.partitionOf(req.group))) return reply('NOT_COORDINATOR');
    const cg = this.consumer.get(req.group);
    if (cg !== undefined) {
      // A KIP-848 group: the member's epoch must be its current one (STALE_MEMBER_EPOCH).
      const error = this.consumer.validateCommit(cg, req.memberId, req.generation);
      if (error !== null) return reply(error);
      return this.storeOffsets(req.group, req.offsets, reply);
    }
    const g = this.groupFor(req.group, true)!;
    if (g === 'NOT_COORDINATOR') return reply('NOT_COORDINATOR');
    if (req.generation >= 0 || req.memberId !== '') {
      const m = g.members.get(req.memberId);
      if (m === undefined) return reply('UNKNOWN_MEMBER_ID');
      if (req.generation !== g.generation) return reply('ILLEGAL_GENERATION');
      if (g.state === 'CompletingRebalance') return reply('REBALANCE_IN_PROGRESS');
      this.renew(m);
    }
    this.storeOffsets(g.id, req.offsets, reply);
  }

  /** OffsetCommit records, appended with acks=all; the offsets count once committed (if the group is still here). */
  private storeOffsets(group: string, offsets: Array<{ tp: string; offset: number }>, reply: (error: M.GroupError) => void): void {
    const records: GroupRecord[] = offsets.map((o) => ({ kind: 'offset', group, tp: o.tp, offset: o.offset }));
    const committed = this.committed.get(group);
    this.append(this.partitionOf(group), records, (error) => {
      if (error === 'NONE' && this.committed.get(group) === committed && committed !== undefined) for (const o of offsets) committed.set(o.tp, o.offset);
      reply(error);
    });
  }

  private onOffsetFetch(env: Envelope<M.OffsetFetchRequest>): void {
    const req = env.payload;
    const owned = this.owned.has(this.partitionOf(req.group));
    const c = this.committed.get(req.group);
    const offsets = req.tps.map((tp) => ({ tp, offset: c?.get(tp) ?? -1 }));
    this.b.net.reply<M.OffsetFetchResponse>(env, 'OffsetFetchResponse', REQUEST_OVERHEAD_BYTES + 16 * offsets.length, {
      correlationId: req.correlationId,
      error: owned ? 'NONE' : 'NOT_COORDINATOR',
      offsets,
    });
  }

  /** The group's generation and assignment as a group metadata record. */
  private storeGroup(g: ClassicGroup, done: (error: M.GroupError) => void): void {
    const members = [...g.members.values()].map((m) => ({
      memberId: m.memberId,
      ...(m.instanceId !== undefined ? { instanceId: m.instanceId } : {}),
      clientId: m.clientId,
      sessionTimeoutMs: m.sessionTimeoutMs,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
      topics: m.protocols.find((p) => p.name === g.protocol)?.topics ?? [],
      assignment: m.assignment,
    }));
    this.append(this.partitionOf(g.id), [{ kind: 'group', group: g.id, generation: g.generation, protocol: g.protocol ?? '', leader: g.leader ?? '', members }], done);
  }

  /** Append records to the group's partition with acks=all; `done` when the HW passes them or they fail. */
  private append(tp: string, records: GroupRecord[], done: (error: M.GroupError) => void): void {
    const lp = this.rm.leaderPartition(tp);
    if (lp === undefined) return done('NOT_COORDINATOR');
    const now = this.b.kernel.now;
    const batch = { pid: -1, seq: this.values.nextSeq(records.length), count: records.length, idempotent: false, bytes: 70 + 80 * records.length, createUs: records.map(() => now) };
    const r = lp.appendRecordsToLeader(batch, -1);
    if (r.result.error !== 'NONE') return done(appendError(r.result.error));
    this.values.put(tp, r.result.baseOffset, lp.leaderEpoch, records);
    const dp: DelayedProduce = { env: null, results: [r.result], required: [r.requiredOffset], waiting: 1, deadlineUs: now + this.cfg.commitTimeoutMs * 1000, done: false };
    dp.onDone = (results) => done(appendError(results[0]!.error));
    this.rm.producePurgatory.add(dp);
  }

  // ---- replies and trace ---------------------------------------------------------------------

  private replyJoin(env: Envelope<M.JoinGroupRequest>, r: M.JoinGroupResponse): void {
    this.b.net.reply<M.JoinGroupResponse>(env, 'JoinGroupResponse', REQUEST_OVERHEAD_BYTES + 64 * r.members.length, { ...r, correlationId: env.payload.correlationId });
  }

  private replySync(env: Envelope<M.SyncGroupRequest>, error: M.GroupError, partitions: string[]): void {
    this.b.net.reply<M.SyncGroupResponse>(env, 'SyncGroupResponse', REQUEST_OVERHEAD_BYTES + 16 * partitions.length, { correlationId: env.payload.correlationId, error, partitions });
  }

  private emit(g: ClassicGroup, reason: string): void {
    const leader = g.leaderClientId();
    this.b.trace.emit({
      type: 'group',
      t: this.b.kernel.now,
      group: g.id,
      coordinator: this.b.id,
      state: g.state,
      generation: g.generation,
      members: g.clientIds(),
      ...(leader !== undefined ? { leader } : {}),
      ...(g.protocol !== undefined ? { protocol: g.protocol } : {}),
      reason,
    });
  }
}

/** ClassicGroupMember.matches: the same protocols with the same metadata (topics, owned partitions). */
function sameProtocols(a: M.JoinProtocol[], b: M.JoinProtocol[]): boolean {
  const key = (ps: M.JoinProtocol[]) => JSON.stringify(ps.map((p) => [p.name, p.topics, [...p.owned].sort(), p.generation]));
  return key(a) === key(b);
}

function errorJoin(error: M.GroupError, memberId: string): M.JoinGroupResponse {
  return { correlationId: 0, error, generation: -1, protocol: '', leader: '', memberId, members: [] };
}

/** A stored generation, loaded by a new coordinator: its members keep their assignment (their sessions start over). */
function restoreGroup(g: ClassicGroup, r: Extract<GroupRecord, { kind: 'group' }>, now: number): void {
  g.members.clear();
  g.statics.clear();
  g.generation = r.generation;
  g.protocol = r.protocol === '' ? undefined : r.protocol;
  g.leader = r.leader === '' ? undefined : r.leader;
  for (const s of r.members) {
    const m: ClassicMember = {
      memberId: s.memberId,
      clientId: s.clientId,
      sessionTimeoutMs: s.sessionTimeoutMs,
      rebalanceTimeoutMs: s.rebalanceTimeoutMs,
      protocols: [{ name: r.protocol, topics: s.topics, owned: [], generation: -1 }],
      assignment: s.assignment,
      awaitingJoin: null,
      awaitingSync: null,
      expiresUs: now + s.sessionTimeoutMs * 1000,
    };
    if (s.instanceId !== undefined) {
      m.instanceId = s.instanceId;
      g.statics.set(s.instanceId, s.memberId);
    }
    g.members.set(s.memberId, m);
  }
  g.state = g.members.size > 0 ? 'Stable' : 'Empty';
}
