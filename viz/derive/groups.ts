/**
 * Consumer groups in a frame: each group as its coordinator sees it (state, generation, members, the
 * assignment of this generation and of the one before), and each member as it sees itself (the partitions
 * it owns, what it revoked or lost, since when it owns nothing). Folded from the trace's `group`,
 * `assignment`, `commit` and `coordinator` events (docs/trace.md) by frames.ts's reducer.
 */
import type { AssignmentEvent, CommitEvent, CoordinatorEvent, GroupEvent, GroupState, HeaderEvent } from '../../sim/index.js';

/** An assignment: per member (consumer name), its partitions. */
export type Owners = Record<string, string[]>;

export interface GroupView {
  group: string;
  /** The group's topics (its members' subscriptions). */
  topics: string[];
  /** The coordinator's broker id (-1: not known yet). */
  coordinator: number;
  /** The __consumer_offsets partition whose leader coordinates the group, from the `coordinator` event ('' until known). */
  coordinatorTp: string;
  state: GroupState;
  generation: number;
  members: string[];
  leader?: string;
  protocol?: string;
  /** The coordinator's last reason, in Kafka's words. */
  reason: string;
  /** When the current rebalance began (PreparingRebalance), µs; absent while Stable or Empty. */
  rebalanceSinceUs?: number;
  /** The last rebalance that ended in a stable generation: from PreparingRebalance to Stable, µs. */
  lastRebalance?: { fromUs: number; toUs: number; generation: number };
  /** The assignment of the current generation, as its members received it. */
  owners: Owners;
  /** The assignment of the generation before it (absent before the second generation). */
  before?: { generation: number; owners: Owners };
  /** Committed offsets (the next offset to read) per partition. */
  committed: Record<string, number>;
  /** Offset commits that failed, and the last failure. */
  failedCommits: number;
  lastFailure?: { consumer: string; error: string; t: number };
  /** A KIP-848 group (group.protocol=consumer): `generation` is its group epoch, its members reconcile one by one. */
  consumerProtocol?: boolean;
}

export interface MemberView {
  consumer: string;
  group: string;
  memberId: string;
  generation: number;
  /** The partitions it owns now. */
  partitions: string[];
  /** What its last assignment change took away: revoked (given up) or lost (taken without a commit). */
  revoked: string[];
  lost: string[];
  /** Since when it owns nothing because a rebalance took its partitions (µs); absent when it owns some or never had any. */
  pausedSinceUs?: number;
  /** Its last pause, once it got partitions again. */
  lastPause?: { fromUs: number; toUs: number };
}

/** The part of a frame this module folds. */
export interface GroupFrame {
  groups: Record<string, GroupView>;
  members: Record<string, MemberView>;
}

export const OFFSETS_TOPIC = '__consumer_offsets';

/** Groups and members from the header's consumers (`group` set). */
export function headerGroups(f: GroupFrame, ev: HeaderEvent): void {
  for (const c of ev.consumers) {
    if (c.group === undefined) continue;
    let g = f.groups[c.group];
    if (g === undefined) {
      g = { group: c.group, topics: [], coordinator: -1, coordinatorTp: '', state: 'Empty', generation: 0, members: [], reason: '', owners: {}, committed: {}, failedCommits: 0 };
      f.groups[c.group] = g;
    }
    if (!g.topics.includes(c.topic)) g.topics.push(c.topic);
    f.members[c.name] = { consumer: c.name, group: c.group, memberId: '', generation: 0, partitions: [], revoked: [], lost: [] };
  }
}

export function reduceGroup(f: GroupFrame, ev: GroupEvent): GroupView {
  let g = f.groups[ev.group];
  if (g === undefined) {
    g = { group: ev.group, topics: [], coordinator: -1, coordinatorTp: '', state: 'Empty', generation: 0, members: [], reason: '', owners: {}, committed: {}, failedCommits: 0 };
    f.groups[ev.group] = g;
  }
  if (ev.coordinator !== g.coordinator) g.coordinatorTp = '';
  g.coordinator = ev.coordinator;
  // A KIP-848 group (group.protocol=consumer) has no PreparingRebalance: its group epoch moves on its own.
  if (ev.state === 'Assigning' || ev.state === 'Reconciling' || (ev.generation > g.generation && g.state !== 'PreparingRebalance')) g.consumerProtocol = true;
  if (ev.generation > g.generation) {
    // A new generation: the one in force until now becomes "before" (if it had an assignment). A KIP-848
    // group's members keep what they own until each one reconciles, so its owners carry over.
    if (Object.keys(g.owners).length > 0) g.before = { generation: g.generation, owners: g.owners };
    g.owners = g.consumerProtocol === true ? { ...g.owners } : {};
  }
  g.state = ev.state;
  g.generation = ev.generation;
  g.members = [...ev.members];
  if (ev.leader !== undefined) g.leader = ev.leader;
  else delete g.leader;
  if (ev.protocol !== undefined) g.protocol = ev.protocol;
  g.reason = ev.reason;
  if (ev.state === 'PreparingRebalance') g.rebalanceSinceUs ??= ev.t;
  else if (ev.state === 'Stable' || ev.state === 'Empty' || ev.state === 'Dead') {
    if (ev.state === 'Stable' && g.rebalanceSinceUs !== undefined) g.lastRebalance = { fromUs: g.rebalanceSinceUs, toUs: ev.t, generation: ev.generation };
    delete g.rebalanceSinceUs;
  }
  return g;
}

export function reduceAssignment(f: GroupFrame, ev: AssignmentEvent): void {
  let m = f.members[ev.consumer];
  if (m === undefined) {
    m = { consumer: ev.consumer, group: ev.group, memberId: ev.memberId, generation: ev.generation, partitions: [], revoked: [], lost: [] };
    f.members[ev.consumer] = m;
  }
  m.memberId = ev.memberId;
  m.generation = ev.generation;
  m.partitions = [...ev.partitions];
  m.revoked = [...ev.revoked];
  m.lost = [...ev.lost];
  if (ev.added.length > 0 && m.pausedSinceUs !== undefined) {
    m.lastPause = { fromUs: m.pausedSinceUs, toUs: ev.t };
    delete m.pausedSinceUs;
  } else if (ev.partitions.length === 0 && ev.revoked.length + ev.lost.length > 0) m.pausedSinceUs ??= ev.t;
  const g = f.groups[ev.group];
  // The generation's assignment: what its members received (not what they give up before the next one).
  if (g !== undefined && ev.generation === g.generation && ev.added.length > 0) g.owners[ev.consumer] = [...ev.partitions];
  else if (g?.consumerProtocol === true) {
    // KIP-848: each member's current partitions, whatever its epoch.
    if (ev.partitions.length > 0) g.owners[ev.consumer] = [...ev.partitions];
    else delete g.owners[ev.consumer];
  }
}

export function reduceCommit(f: GroupFrame, ev: CommitEvent): void {
  const g = f.groups[ev.group];
  if (g === undefined) return;
  if (ev.error !== 'NONE') {
    g.failedCommits++;
    g.lastFailure = { consumer: ev.consumer, error: ev.error, t: ev.t };
    return;
  }
  for (const o of ev.offsets) g.committed[o.tp] = o.offset;
}

export function reduceCoordinator(f: GroupFrame, ev: CoordinatorEvent): void {
  const g = f.groups[ev.group];
  if (g === undefined) return;
  if (ev.loaded) {
    g.coordinator = ev.broker;
    g.coordinatorTp = ev.tp;
  } else if (g.coordinator === ev.broker) {
    g.coordinator = -1;
    g.coordinatorTp = '';
  }
}

/** Whether the partitions view shows a partition: not __consumer_offsets, except a partition that coordinates a group. */
export function shownPartition(tp: string, topic: string, coordinatorTps: ReadonlySet<string>): boolean {
  return topic !== OFFSETS_TOPIC || coordinatorTps.has(tp);
}

/** Per coordinating partition, the groups it coordinates. */
export function coordinatorTps(f: GroupFrame): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const g of Object.values(f.groups)) {
    if (g.coordinatorTp === '') continue;
    const l = out.get(g.coordinatorTp);
    if (l === undefined) out.set(g.coordinatorTp, [g.group]);
    else l.push(g.group);
  }
  return out;
}
