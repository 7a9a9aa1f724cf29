/**
 * Frames: the visualizer's view state, folded from trace events by a pure reducer, and an index over a
 * whole trace (keyframes every N events, structurally shared with immer) so that `frameAt(i)` is the
 * nearest keyframe plus a short replay. Reads only trace events (docs/trace.md), so it works on a run in
 * the page's worker and on an NDJSON trace file alike.
 */
import { enableMapSet, freeze, produce } from 'immer';
import type {
  AckEvent,
  AppendEvent,
  BrokerEvent,
  BrokerStopReason,
  ClientEvent,
  DiskEvent,
  ElectionEvent,
  FaultEvent,
  FenceEvent,
  FlushEvent,
  HeaderEvent,
  HwEvent,
  IsrEvent,
  LinkEvent,
  PartitionsEvent,
  ReassignEvent,
  TraceEvent,
  TraceEventType,
  TruncateEvent,
} from '../../sim/index.js';
import { type GroupView, headerGroups, type MemberView, reduceAssignment, reduceCommit, reduceCoordinator, reduceGroup } from './groups.js';

enableMapSet();

/** A half-open offset range [start, end). */
export interface Range {
  start: number;
  end: number;
}

/** Acknowledged records: an offset range whose records were written in leader epoch `epoch`. */
export interface AckedRange extends Range {
  epoch: number;
}

/** Records removed from one replica's log by truncation. */
export interface TruncatedRange extends Range {
  broker: number;
  reason: TruncateEvent['reason'];
  t: number;
  /** Event index of the truncation. */
  i: number;
}

/** Acknowledged records that no replica holds any more. */
export interface LostRange extends Range {
  /** The leader epoch the records were written in. */
  epoch: number;
  broker: number;
  reason: TruncateEvent['reason'];
  t: number;
  i: number;
}

export interface ReplicaLog {
  broker: number;
  /** Log end offset (exclusive). */
  leo: number;
  /** This replica's high watermark. */
  hw: number;
  /** Data below this offset is on disk. */
  flushed: number;
  /** Leader-epoch cache: the first offset written in each epoch, ascending. */
  epochs: Array<{ epoch: number; start: number }>;
  /** Its disk failed (a truncate of reason diskFailure) and it has not written since: offline on its broker. */
  diskFailed?: true;
}

export interface PartitionView {
  tp: string;
  topic: string;
  partition: number;
  replicas: number[];
  /** -1: offline. */
  leader: number;
  leaderEpoch: number;
  partitionEpoch: number;
  isr: number[];
  elr: number[];
  /** KIP-966 (4.x): the last known leader while ISR and leader are gone. */
  lastKnownElr: number[];
  minIsr: number;
  uncleanEnabled: boolean;
  logs: Record<number, ReplicaLog>;
  acked: AckedRange[];
  /** The most recent truncations (bounded). */
  truncated: TruncatedRange[];
  lost: LostRange[];
  lostCount: number;
  /**
   * Produce batches appended on a leader and not acknowledged yet: `batchKey(pid, seq)` → the leader
   * epoch they were written in (an acknowledgement's records are those of that epoch).
   */
  pending: Map<number | string, number>;
  /**
   * A reassignment in progress (KIP-455): replicas being added (catching up as followers) and replicas to
   * remove once they have; empty otherwise.
   */
  adding: number[];
  removing: number[];
  /** Last election: whether it was clean and why. */
  lastElection?: { t: number; i: number; clean: boolean; reason: string; prevLeader: number };
}

/** What a broker process is doing, and what the controller thinks of it. */
export interface BrokerView {
  id: number;
  process: 'running' | 'crashed' | 'stopped' | 'paused' | 'shuttingDown';
  mode?: 'process' | 'power';
  /** It halted itself (crashed) because its disks failed: why (the crashed broker event's reason). */
  halted?: BrokerStopReason;
  fenced: boolean;
  /** Its log directories whose disk failed and was not replaced yet (the `disk` events), in failure order. */
  failedDirs?: string[];
  /** The state to draw: crashed/stopped beat paused beat fenced beat up. */
  state: BrokerState;
}

export type BrokerState = 'up' | 'crashed' | 'fenced' | 'paused' | 'stopped' | 'shuttingDown';

export interface ClientView {
  node: string;
  kind: 'producer' | 'consumer';
  name: string;
  topic: string;
  up: boolean;
  /** When it last started, crashed or stopped (closed cleanly), µs, and which. */
  sinceUs?: number;
  state?: ClientEvent['state'];
  pid?: number;
  acks?: number;
  idempotence?: boolean;
}

export interface Stats {
  batches: number;
  records: number;
  acked: number;
  failed: number;
  retries: number;
  consumed: number;
  truncated: number;
  lostAcked: number;
  elections: number;
  uncleanElections: number;
  dropped: number;
}

export interface Frame {
  /** Index of the last event applied (-1: none). */
  index: number;
  /** Virtual time of the last event applied, µs. */
  t: number;
  header?: HeaderEvent;
  brokers: Record<number, BrokerView>;
  controllerUp: boolean;
  clients: Record<string, ClientView>;
  /** Cut directed links, as "from>to". */
  cutLinks: string[];
  partitions: Record<string, PartitionView>;
  /** Consumer groups by group.id (viz/derive/groups.ts). */
  groups: Record<string, GroupView>;
  /** Group members by consumer name. */
  members: Record<string, MemberView>;
  stats: Stats;
  ended: boolean;
}

/** The frame before any event. */
export function emptyFrame(): Frame {
  return freeze(
    {
      index: -1,
      t: 0,
      brokers: {},
      controllerUp: true,
      clients: {},
      cutLinks: [],
      partitions: {},
      groups: {},
      members: {},
      stats: { batches: 0, records: 0, acked: 0, failed: 0, retries: 0, consumed: 0, truncated: 0, lostAcked: 0, elections: 0, uncleanElections: 0, dropped: 0 },
      ended: false,
    },
    true,
  );
}

/** The pure reducer: the frame after `ev` (the event at index frame.index + 1). */
export function apply(frame: Frame, ev: TraceEvent): Frame {
  return produce(frame, (d) => {
    reduce(d as Frame, ev);
  });
}

const MAX_TRUNCATED = 16;
const MAX_LOST = 32;

function brokerState(b: BrokerView): BrokerState {
  if (b.process === 'crashed') return 'crashed';
  if (b.process === 'stopped') return 'stopped';
  if (b.process === 'paused') return 'paused';
  if (b.fenced) return 'fenced';
  if (b.process === 'shuttingDown') return 'shuttingDown';
  return 'up';
}

/** Folds one event into a frame: the handler of its type (REDUCERS). */
type Reducer<K extends TraceEventType> = (f: Frame, ev: Extract<TraceEvent, { type: K }>) => void;

/** Folds one event into a mutable frame (an immer draft, or a private copy). */
export function reduce(f: Frame, ev: TraceEvent): void {
  f.index++;
  f.t = ev.t;
  (REDUCERS[ev.type] as (f: Frame, ev: TraceEvent) => void)(f, ev);
}

function reduceHeader(f: Frame, ev: HeaderEvent): void {
  f.header = ev;
  for (const b of ev.brokers) {
    const v: BrokerView = { id: b, process: 'running', fenced: false, state: 'up' };
    f.brokers[b] = v;
  }
  for (const t of ev.topics) t.replicas.forEach((replicas, p) => addPartition(f, t, p, replicas, replicas));
  for (const p of ev.producers) f.clients[`p:${p.name}`] = { node: `p:${p.name}`, kind: 'producer', name: p.name, topic: p.topic, up: false, acks: p.acks, idempotence: p.idempotence };
  for (const c of ev.consumers) f.clients[`c:${c.name}`] = { node: `c:${c.name}`, kind: 'consumer', name: c.name, topic: c.topic, up: false };
  headerGroups(f, ev);
}

/** A new partition (at time 0 from the header, later from a `partitions` event): led by the first of its ISR, epoch 0. */
function addPartition(f: Frame, t: HeaderEvent['topics'][number], p: number, replicas: number[], isr: number[]): void {
  const tp = `${t.name}-${p}`;
  const logs: Record<number, ReplicaLog> = {};
  for (const r of replicas) logs[r] = { broker: r, leo: 0, hw: 0, flushed: 0, epochs: [] };
  f.partitions[tp] = {
    tp,
    topic: t.name,
    partition: p,
    replicas: [...replicas],
    leader: isr[0] ?? -1,
    leaderEpoch: 0,
    partitionEpoch: 0,
    isr: [...isr],
    elr: [],
    lastKnownElr: [],
    minIsr: t.minInsyncReplicas,
    uncleanEnabled: t.uncleanLeaderElectionEnable,
    logs,
    acked: [],
    truncated: [],
    lost: [],
    lostCount: 0,
    pending: new Map(),
    adding: [],
    removing: [],
  };
}

/** CreatePartitions: the new partitions, with the topic's settings from the header. */
function reducePartitions(f: Frame, ev: PartitionsEvent): void {
  const t = f.header?.topics.find((x) => x.name === ev.topic);
  if (t === undefined) return;
  const first = ev.partitions - ev.replicas.length;
  ev.replicas.forEach((replicas, i) => addPartition(f, t, first + i, replicas, ev.isr[i] ?? replicas));
}

/** A reassignment starts (replicas grow by the adding ones) or completes (the removed ones leave). */
function reduceReassign(f: Frame, ev: ReassignEvent): void {
  const p = f.partitions[ev.tp];
  if (p === undefined) return;
  p.replicas = [...ev.replicas];
  p.adding = ev.phase === 'start' ? [...ev.adding] : [];
  p.removing = ev.phase === 'start' ? [...ev.removing] : [];
  if (ev.phase === 'complete') for (const b of ev.removing) delete p.logs[b];
}

function reduceBroker(f: Frame, ev: BrokerEvent): void {
  // A broker the header does not list joined the cluster later (the addBroker fault).
  if (f.brokers[ev.broker] === undefined) f.brokers[ev.broker] = { id: ev.broker, process: 'running', fenced: true, state: 'fenced' };
  const b = f.brokers[ev.broker];
  b.process = ev.state;
  if (ev.mode !== undefined) b.mode = ev.mode;
  else delete b.mode;
  if (ev.state === 'crashed' && ev.reason !== undefined) b.halted = ev.reason;
  else delete b.halted;
  b.state = brokerState(b);
}

/** A log directory's disk failed or was replaced: the broker's failed directories (what the menu may replace). */
function reduceDisk(f: Frame, ev: DiskEvent): void {
  const b = f.brokers[ev.broker];
  if (b === undefined) return;
  const dirs = (b.failedDirs ?? []).filter((d) => d !== ev.dir);
  if (ev.state === 'failed') dirs.push(ev.dir);
  if (dirs.length > 0) b.failedDirs = dirs;
  else delete b.failedDirs;
}

function reduceFence(f: Frame, ev: FenceEvent): void {
  const b = f.brokers[ev.broker];
  if (b === undefined) return;
  if (ev.reason !== 'controlledShutdown') b.fenced = ev.fenced;
  b.state = brokerState(b);
}

function reduceFault(f: Frame, ev: FaultEvent): void {
  if (ev.targets.includes('ctl')) {
    if (ev.verb === 'crash' || ev.verb === 'shutdown') f.controllerUp = false;
    else if (ev.verb === 'restart') f.controllerUp = true;
  }
}

function reduceClient(f: Frame, ev: ClientEvent): void {
  const c = f.clients[ev.node];
  if (c === undefined) return;
  c.up = ev.state === 'started';
  c.sinceUs = ev.t;
  c.state = ev.state;
  if (ev.pid !== undefined) c.pid = ev.pid;
}

function reduceLink(f: Frame, ev: LinkEvent): void {
  const key = `${ev.from}>${ev.to}`;
  const at = f.cutLinks.indexOf(key);
  if (!ev.up && at < 0) f.cutLinks.push(key);
  else if (ev.up && at >= 0) f.cutLinks.splice(at, 1);
}

function reduceElection(f: Frame, ev: ElectionEvent): void {
  const p = f.partitions[ev.tp];
  if (p === undefined) return;
  p.leader = ev.leader;
  p.leaderEpoch = ev.epoch;
  p.isr = [...ev.isr];
  p.lastElection = { t: ev.t, i: f.index, clean: ev.clean, reason: ev.reason, prevLeader: ev.prevLeader };
  f.stats.elections++;
  if (!ev.clean) f.stats.uncleanElections++;
}

function reduceIsr(f: Frame, ev: IsrEvent): void {
  const p = f.partitions[ev.tp];
  if (p === undefined) return;
  p.isr = [...ev.isr];
  p.elr = [...ev.elr];
  p.lastKnownElr = [...ev.lastKnownElr];
  p.partitionEpoch = ev.partitionEpoch;
}

function reduceAppend(f: Frame, ev: AppendEvent): void {
  const p = f.partitions[ev.tp];
  if (p === undefined) return;
  let log = p.logs[ev.broker];
  if (log === undefined) p.logs[ev.broker] = log = { broker: ev.broker, leo: 0, hw: 0, flushed: 0, epochs: [] };
  const last = log.epochs[log.epochs.length - 1];
  if (last === undefined || last.epoch !== ev.epoch) log.epochs.push({ epoch: ev.epoch, start: ev.offset });
  log.leo = ev.offset + ev.count;
  if (log.diskFailed) delete log.diskFailed;
  if (ev.src === 'produce') p.pending.set(batchKey(ev.pid, ev.seq), ev.epoch);
}

function reduceHw(f: Frame, ev: HwEvent): void {
  const log = replicaLog(f, ev.tp, ev.broker);
  if (log !== undefined) log.hw = ev.hw;
}

function reduceFlush(f: Frame, ev: FlushEvent): void {
  const log = replicaLog(f, ev.tp, ev.broker);
  if (log !== undefined) log.flushed = Math.max(log.flushed, ev.to);
}

function reduceTruncate(f: Frame, ev: TruncateEvent): void {
  truncate(f, ev.tp, ev.broker, ev.to, ev.reason, ev.t);
  const log = ev.reason === 'diskFailure' ? replicaLog(f, ev.tp, ev.broker) : undefined;
  if (log !== undefined) log.diskFailed = true;
  f.stats.truncated += ev.removed;
}

function reduceAck(f: Frame, ev: AckEvent): void {
  const p = f.partitions[ev.tp];
  let epoch: number | undefined;
  if (p !== undefined && p.pending.size > 0) {
    const key = batchKey(ev.pid, ev.seq);
    epoch = p.pending.get(key);
    if (epoch !== undefined) p.pending.delete(key);
  }
  if (ev.error !== 'NONE') {
    f.stats.failed += ev.count;
    return;
  }
  f.stats.acked += ev.count;
  if (p === undefined || ev.offset < 0) return;
  const r: AckedRange = { start: ev.offset, end: ev.offset + ev.count, epoch: epoch ?? epochAt(p.logs[p.leader], ev.offset) };
  // Acknowledged after every copy was already truncated (a response in flight during a power loss)?
  // (Not when the leader holds them all, as it nearly always does.)
  let gone: Range[] = [];
  if (!holds(p.logs[p.leader], r)) {
    gone = [{ start: r.start, end: r.end }];
    for (const log of Object.values(p.logs)) gone = subtract(gone, epochRange(log, r.epoch));
  }
  const cause = gone.length > 0 ? p.truncated.find((x) => x.start < r.end && x.end > r.start) : undefined;
  if (cause === undefined) {
    addAcked(p.acked, r);
    return;
  }
  for (const x of gone) {
    p.lostCount += x.end - x.start;
    f.stats.lostAcked += x.end - x.start;
    p.lost.push({ start: x.start, end: x.end, epoch: r.epoch, broker: cause.broker, reason: cause.reason, t: ev.t, i: f.index });
  }
  let held: Range[] = [{ start: r.start, end: r.end }];
  for (const x of gone) held = subtract(held, x);
  for (const x of held) addAcked(p.acked, { ...x, epoch: r.epoch });
}

const nothing = (): void => {};

/** Per event type, how it changes a frame (a type without an entry fails the type check). */
const REDUCERS: { [K in TraceEventType]: Reducer<K> } = {
  header: reduceHeader,
  broker: reduceBroker,
  fence: reduceFence,
  fault: reduceFault,
  client: reduceClient,
  link: reduceLink,
  drop: (f) => {
    f.stats.dropped++;
  },
  msg: (f, ev) => {
    if (ev.dropped !== undefined) f.stats.dropped++;
  },
  // A held message waits on its connection; its retransmission is drawn from the resend event (inFlight).
  held: nothing,
  resend: nothing,
  election: reduceElection,
  isr: reduceIsr,
  partitions: reducePartitions,
  reassign: reduceReassign,
  keysRemapped: nothing,
  // A failed disk also shows through its truncations (diskFailed on the replicas) and the fault's narrative.
  disk: reduceDisk,
  append: reduceAppend,
  hw: reduceHw,
  flush: reduceFlush,
  truncate: reduceTruncate,
  batch: (f, ev) => {
    f.stats.batches++;
    f.stats.records += ev.count;
  },
  retry: (f) => {
    f.stats.retries++;
  },
  // send() failed before a batch: the records count as failed and were never in a partition.
  sendError: (f, ev) => {
    f.stats.failed += ev.count;
  },
  ack: reduceAck,
  consume: (f, ev) => {
    f.stats.consumed += ev.count;
  },
  end: (f) => {
    f.ended = true;
  },
  metadata: nothing,
  truncationDetected: nothing,
  group: reduceGroup,
  assignment: reduceAssignment,
  commit: reduceCommit,
  coordinator: reduceCoordinator,
  position: nothing,
};

function replicaLog(f: Frame, tp: string, broker: number): ReplicaLog | undefined {
  const p = f.partitions[tp];
  if (p === undefined) return undefined;
  let log = p.logs[broker];
  if (log === undefined) p.logs[broker] = log = { broker, leo: 0, hw: 0, flushed: 0, epochs: [] };
  return log;
}

/** A number for a producer's batch (pid, seq) when that is exact (always, for the simulator's ids), else a string. */
export function batchKey(pid: number, seq: number): number | string {
  return pid >= 0 && pid < 0x200000 && seq >= 0 && seq <= 0xffffffff && Number.isInteger(pid) && Number.isInteger(seq) ? pid * 0x100000000 + seq : `${pid}|${seq}`;
}

/** The leader epoch of the record at `offset` in a replica's log (-1 if absent). */
export function epochAt(log: ReplicaLog | undefined, offset: number): number {
  if (log === undefined || offset >= log.leo) return -1;
  let e = -1;
  for (const x of log.epochs) {
    if (x.start > offset) break;
    e = x.epoch;
  }
  return e;
}

/** Offsets in a replica's log written in `epoch`: [start, end) (empty if none). */
export function epochRange(log: ReplicaLog, epoch: number): Range {
  for (let k = 0; k < log.epochs.length; k++) {
    if (log.epochs[k].epoch !== epoch) continue;
    const end = k + 1 < log.epochs.length ? log.epochs[k + 1].start : log.leo;
    return { start: log.epochs[k].start, end: Math.min(end, log.leo) };
  }
  return { start: 0, end: 0 };
}

/** Whether a replica's log holds all of `r` (not empty), written in epoch `r.epoch`. */
function holds(log: ReplicaLog | undefined, r: AckedRange): boolean {
  if (log === undefined || r.start >= r.end) return false;
  const epochs = log.epochs;
  for (let k = 0; k < epochs.length; k++) {
    if (epochs[k].epoch !== r.epoch) continue;
    const end = k + 1 < epochs.length ? Math.min(epochs[k + 1].start, log.leo) : log.leo;
    return epochs[k].start <= r.start && r.end <= end;
  }
  return false;
}

/** Adds an acknowledged range, merging with an adjacent one of the same epoch. */
function addAcked(list: AckedRange[], r: AckedRange): void {
  // Acks arrive nearly in offset order: look from the end.
  for (let k = list.length - 1; k >= 0 && k >= list.length - 8; k--) {
    const x = list[k];
    if (x.epoch !== r.epoch) continue;
    if (x.end === r.start) {
      x.end = r.end;
      mergeNext(list, k);
      return;
    }
    if (r.end === x.start) {
      x.start = r.start;
      // It may now touch the range before it (acks of one producer can arrive in reverse order).
      if (k > 0) mergeNext(list, k - 1);
      return;
    }
    if (r.start >= x.start && r.end <= x.end) return;
  }
  let at = list.length;
  while (at > 0 && list[at - 1].start > r.start) at--;
  list.splice(at, 0, { ...r });
}

function mergeNext(list: AckedRange[], k: number): void {
  const x = list[k];
  const n = list[k + 1];
  if (n !== undefined && n.epoch === x.epoch && n.start === x.end) {
    x.end = n.end;
    list.splice(k + 1, 1);
  }
}

/**
 * A replica truncated its log to `to`. Acknowledged records it removed that no other replica holds
 * (same offset, same leader epoch: the log matching property) are lost.
 */
function truncate(f: Frame, tp: string, broker: number, to: number, reason: TruncatedRange['reason'], t: number): void {
  const p = f.partitions[tp];
  const log = replicaLog(f, tp, broker);
  if (p === undefined || log === undefined) return;
  const from = log.leo;
  if (from > to) {
    p.truncated.push({ start: to, end: from, broker, reason, t, i: f.index });
    if (p.truncated.length > MAX_TRUNCATED) p.truncated.splice(0, p.truncated.length - MAX_TRUNCATED);
    // Acked records in [to, from) written in an epoch this replica held there.
    const lost: AckedRange[] = [];
    for (const a of p.acked) {
      const s = Math.max(a.start, to);
      const e = Math.min(a.end, from);
      if (s >= e) continue;
      const er = epochRange(log, a.epoch);
      const s2 = Math.max(s, er.start);
      const e2 = Math.min(e, er.end);
      if (s2 >= e2) continue;
      // Minus what other replicas still hold in the same epoch.
      let pieces: Range[] = [{ start: s2, end: e2 }];
      for (const r of Object.values(p.logs)) {
        if (r.broker === broker) continue;
        const held = epochRange(r, a.epoch);
        pieces = subtract(pieces, held);
      }
      for (const x of pieces) lost.push({ ...x, epoch: a.epoch });
    }
    for (const x of lost) {
      removeAcked(p.acked, x);
      p.lostCount += x.end - x.start;
      f.stats.lostAcked += x.end - x.start;
      p.lost.push({ start: x.start, end: x.end, epoch: x.epoch, broker, reason, t, i: f.index });
    }
    if (p.lost.length > MAX_LOST) p.lost.splice(0, p.lost.length - MAX_LOST);
  }
  log.leo = to;
  if (log.hw > to) log.hw = to;
  if (log.flushed > to) log.flushed = to;
  while (log.epochs.length > 0 && log.epochs[log.epochs.length - 1].start >= to) log.epochs.pop();
}

/** `pieces` minus `r`. */
export function subtract(pieces: Range[], r: Range): Range[] {
  if (r.start >= r.end) return pieces;
  const out: Range[] = [];
  for (const x of pieces) {
    if (r.end <= x.start || r.start >= x.end) {
      out.push(x);
      continue;
    }
    if (x.start < r.start) out.push({ start: x.start, end: r.start });
    if (r.end < x.end) out.push({ start: r.end, end: x.end });
  }
  return out;
}

function removeAcked(list: AckedRange[], r: AckedRange): void {
  for (let k = 0; k < list.length; k++) {
    const x = list[k];
    if (x.epoch !== r.epoch || r.end <= x.start || r.start >= x.end) continue;
    const rest: AckedRange[] = [];
    if (x.start < r.start) rest.push({ start: x.start, end: r.start, epoch: x.epoch });
    if (r.end < x.end) rest.push({ start: r.end, end: x.end, epoch: x.epoch });
    list.splice(k, 1, ...rest);
    k += rest.length - 1;
  }
}

// ---------------------------------------------------------------------------------------------------
// Record states, for drawing a replica's log

export type RecordState = 'leaderOnly' | 'partial' | 'replicated' | 'committed' | 'acked' | 'follower' | 'followerCommitted';

/** A run of offsets in one state. */
export interface StateRun extends Range {
  state: RecordState;
}

/**
 * The records of one replica's log as runs of states:
 * - on the leader: `leaderOnly` (no follower has it yet), `partial` (some followers have it, not every ISR
 *   member), `replicated` (every ISR member has it, HW not past it yet), `committed` (below the HW), `acked`
 *   (committed and acknowledged to a producer);
 * - on a follower: `follower` (above its HW), `followerCommitted` (below its HW), `acked`.
 */
export function recordRuns(p: PartitionView, broker: number): StateRun[] {
  const log = p.logs[broker];
  if (log === undefined || log.leo === 0) return [];
  const out: StateRun[] = [];
  const push = (start: number, end: number, state: RecordState): void => {
    if (start >= end) return;
    const last = out[out.length - 1];
    if (last !== undefined && last.state === state && last.end === start) last.end = end;
    else out.push({ start, end, state });
  };
  const leo = log.leo;
  const hw = Math.min(log.hw, leo);
  // Acked ranges this replica holds in the same epoch.
  const acked: Range[] = [];
  for (const a of p.acked) {
    const er = epochRange(log, a.epoch);
    const s = Math.max(a.start, er.start, 0);
    const e = Math.min(a.end, er.end, hw);
    if (s < e) acked.push({ start: s, end: e });
  }
  acked.sort((a, b) => a.start - b.start);
  const below = (start: number, end: number, base: RecordState): void => {
    let at = start;
    for (const a of acked) {
      if (a.end <= at || a.start >= end) continue;
      push(at, Math.max(at, a.start), base);
      push(Math.max(at, a.start), Math.min(end, a.end), 'acked');
      at = Math.min(end, a.end);
    }
    push(at, end, base);
  };
  if (broker === p.leader) {
    below(0, hw, 'committed');
    let replicated = leo;
    for (const r of p.isr) {
      if (r === broker) continue;
      const l = p.logs[r];
      replicated = Math.min(replicated, l === undefined ? 0 : l.leo);
    }
    replicated = Math.max(replicated, hw);
    // The furthest any follower got (same epoch history assumed above the HW).
    let some = replicated;
    for (const r of p.replicas) {
      if (r === broker) continue;
      const l = p.logs[r];
      if (l !== undefined) some = Math.max(some, Math.min(l.leo, leo));
    }
    push(hw, replicated, 'replicated');
    push(replicated, some, 'partial');
    push(some, leo, 'leaderOnly');
  } else {
    below(0, hw, 'followerCommitted');
    push(hw, leo, 'follower');
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// The index over a whole trace

/** Replays `events[from..to]` (inclusive) onto a frame, with one immer draft. */
export function replay(frame: Frame, events: readonly TraceEvent[], from: number, to: number): Frame {
  if (from > to) return frame;
  return produce(frame, (d) => {
    for (let i = from; i <= to; i++) reduce(d as Frame, events[i]);
  });
}

export interface TraceIndexOptions {
  /** Events between keyframes. */
  every?: number;
  /**
   * Called for each event as it is indexed, with the (working, mutable: read it, do not keep it) frame
   * after the event and the count of lost acknowledged records before it (for markers, narrative, series).
   */
  observe?: (ev: TraceEvent, i: number, frame: Readonly<Frame>, lostBefore: number) => void;
}

type Touch = 'all' | 'brokers' | 'clients' | 'links' | 'controller' | 'partition' | 'groups' | 'none';

/** What an event of each type may change in a frame, beyond index, t and stats (`partition`: its `tp`'s). */
const TOUCHES: { readonly [K in TraceEventType]: Touch } = {
  header: 'all',
  broker: 'brokers',
  fence: 'brokers',
  client: 'clients',
  link: 'links',
  fault: 'controller',
  election: 'partition',
  isr: 'partition',
  partitions: 'all',
  reassign: 'partition',
  keysRemapped: 'none',
  disk: 'brokers',
  append: 'partition',
  hw: 'partition',
  flush: 'partition',
  truncate: 'partition',
  ack: 'partition',
  msg: 'none',
  drop: 'none',
  held: 'none',
  resend: 'none',
  batch: 'none',
  retry: 'none',
  sendError: 'none',
  consume: 'none',
  metadata: 'none',
  truncationDetected: 'none',
  group: 'groups',
  assignment: 'groups',
  commit: 'groups',
  coordinator: 'groups',
  position: 'none',
  end: 'none',
};

/** What an event may change in a frame, beyond index, t and stats. */
function touches(ev: TraceEvent): Touch {
  return TOUCHES[ev.type];
}

const clone = <T>(x: T): T => structuredClone(x);

function clonePartition(p: PartitionView): PartitionView {
  const logs: Record<number, ReplicaLog> = {};
  for (const b in p.logs) {
    const l = p.logs[b];
    logs[b] = { broker: l.broker, leo: l.leo, hw: l.hw, flushed: l.flushed, epochs: l.epochs.map((e) => ({ epoch: e.epoch, start: e.start })) };
    if (l.diskFailed) logs[b].diskFailed = true;
  }
  const out: PartitionView = {
    ...p,
    replicas: p.replicas.slice(),
    isr: p.isr.slice(),
    elr: p.elr.slice(),
    lastKnownElr: p.lastKnownElr.slice(),
    adding: p.adding.slice(),
    removing: p.removing.slice(),
    logs,
    acked: p.acked.map((a) => ({ start: a.start, end: a.end, epoch: a.epoch })),
    truncated: p.truncated.map((t) => ({ ...t })),
    lost: p.lost.map((t) => ({ ...t })),
    pending: new Map(p.pending),
  };
  if (p.lastElection !== undefined) out.lastElection = { ...p.lastElection };
  return out;
}

/**
 * Freezes a partition made by `clonePartition`, all of it (as immer's deep freeze does, several times
 * faster: this runs for every partition a keyframe or a frame while playing copies). Keep in step with
 * PartitionView.
 */
function freezePartition(p: PartitionView): PartitionView {
  for (const b in p.logs) {
    const l = p.logs[b];
    for (const e of l.epochs) Object.freeze(e);
    Object.freeze(l.epochs);
    Object.freeze(l);
  }
  Object.freeze(p.logs);
  for (const a of p.acked) Object.freeze(a);
  Object.freeze(p.acked);
  for (const x of p.truncated) Object.freeze(x);
  Object.freeze(p.truncated);
  for (const x of p.lost) Object.freeze(x);
  Object.freeze(p.lost);
  Object.freeze(p.replicas);
  Object.freeze(p.isr);
  Object.freeze(p.elr);
  Object.freeze(p.lastKnownElr);
  Object.freeze(p.adding);
  Object.freeze(p.removing);
  if (p.lastElection !== undefined) Object.freeze(p.lastElection);
  // A Map made read-only the way immer does it (its values are numbers).
  freeze(p.pending);
  return Object.freeze(p);
}

/**
 * `replay` without immer: the same result (frozen, sharing every part no event touched with `frame`),
 * made by copying on first write what the events may change and folding them with the mutable reducer.
 * Playing forward replays ~1000 events a frame; one immer draft for them cost several ms.
 */
export function replayShared(frame: Frame, events: readonly TraceEvent[], from: number, to: number): Frame {
  if (from > to) return frame;
  const w: Frame = { ...frame, stats: { ...frame.stats } };
  let all = false;
  let brokers = false;
  let clients = false;
  let links = false;
  let parts = false;
  let groups = false;
  const copied = new Set<string>();
  for (let i = from; i <= to; i++) {
    const ev = events[i];
    if (!all) {
      switch (touches(ev)) {
        case 'all':
          all = true;
          w.brokers = clone(w.brokers);
          w.clients = clone(w.clients);
          w.cutLinks = [...w.cutLinks];
          w.partitions = clone(w.partitions);
          w.groups = clone(w.groups);
          w.members = clone(w.members);
          break;
        case 'brokers':
          if (!brokers) (brokers = true), (w.brokers = clone(w.brokers));
          break;
        case 'groups':
          if (!groups) (groups = true), (w.groups = clone(w.groups)), (w.members = clone(w.members));
          break;
        case 'clients':
          if (!clients) (clients = true), (w.clients = clone(w.clients));
          break;
        case 'links':
          if (!links) (links = true), (w.cutLinks = [...w.cutLinks]);
          break;
        case 'partition': {
          const tp = (ev as { tp: string }).tp;
          if (!copied.has(tp)) {
            copied.add(tp);
            if (!parts) (parts = true), (w.partitions = { ...w.partitions });
            const p = w.partitions[tp];
            if (p !== undefined) w.partitions[tp] = clonePartition(p);
          }
          break;
        }
      }
    }
    reduce(w, ev);
  }
  // Freeze what is new (shared parts are frozen already), as immer does.
  if (all) freeze(w, true);
  else {
    Object.freeze(w.stats);
    if (brokers) freeze(w.brokers, true);
    if (clients) freeze(w.clients, true);
    if (links) Object.freeze(w.cutLinks);
    if (groups) freeze(w.groups, true), freeze(w.members, true);
    if (parts) {
      Object.freeze(w.partitions);
      for (const tp of copied) if (w.partitions[tp] !== undefined) freezePartition(w.partitions[tp]);
    }
    Object.freeze(w);
  }
  return w;
}

/**
 * Events plus keyframes. `push` events as they arrive (chunks); `frameAt(i)` is the state after event i.
 * Keyframe k is the state after the first k·every events. Indexing folds events into a private mutable
 * frame; each keyframe is a frozen copy of the previous one that replaces only what changed since, so
 * keyframes share everything else. Seeking replays at most `every` events with the mutable reducer on
 * copies of what they touch (`replayShared`) from the nearest keyframe (or from the last frame asked for,
 * when playing forward).
 */
export class TraceIndex {
  readonly events: TraceEvent[] = [];
  readonly keyframes: Frame[] = [emptyFrame()];
  readonly every: number;
  private readonly observe: TraceIndexOptions['observe'];
  private readonly work: Frame = clone(emptyFrame());
  private readonly dirty = { all: false, brokers: false, clients: false, links: false, groups: false, tps: new Set<string>() };
  private cache: Frame = this.keyframes[0];

  constructor(opts: TraceIndexOptions = {}) {
    this.every = opts.every ?? 2000;
    this.observe = opts.observe;
  }

  get length(): number {
    return this.events.length;
  }

  /** The frame after the last event pushed, read-only and live (for progress displays). */
  get latest(): Readonly<Frame> {
    return this.work;
  }

  /** Appends events, folding them into the working frame and making keyframes. */
  push(chunk: readonly TraceEvent[]): void {
    const w = this.work;
    const dirty = this.dirty;
    const observe = this.observe;
    for (let k = 0; k < chunk.length; k++) {
      const ev = chunk[k];
      const i = this.events.length;
      this.events.push(ev);
      const lostBefore = w.stats.lostAcked;
      reduce(w, ev);
      switch (touches(ev)) {
        case 'all':
          dirty.all = true;
          break;
        case 'brokers':
          dirty.brokers = true;
          break;
        case 'clients':
          dirty.clients = true;
          break;
        case 'links':
          dirty.links = true;
          break;
        case 'groups':
          dirty.groups = true;
          break;
        case 'partition':
          dirty.tps.add((ev as { tp: string }).tp);
          break;
      }
      if (observe !== undefined) observe(ev, i, w, lostBefore);
      if (this.events.length % this.every === 0) this.keyframes.push(this.snapshot());
    }
  }

  /**
   * A keyframe: a frozen copy of the working frame that shares with the previous keyframe every part no
   * event touched since (copies of what changed, without immer: a draft per keyframe cost more).
   */
  private snapshot(): Frame {
    const w = this.work;
    const dirty = this.dirty;
    const prev = this.keyframes[this.keyframes.length - 1];
    let partitions = prev.partitions;
    if (dirty.all) partitions = clone(w.partitions);
    else if (dirty.tps.size > 0) {
      partitions = { ...prev.partitions };
      for (const tp of dirty.tps) {
        const p = w.partitions[tp];
        if (p !== undefined) partitions[tp] = freezePartition(clonePartition(p));
      }
    }
    const next: Frame = {
      index: w.index,
      t: w.t,
      brokers: dirty.all || dirty.brokers ? clone(w.brokers) : prev.brokers,
      controllerUp: w.controllerUp,
      clients: dirty.all || dirty.clients ? clone(w.clients) : prev.clients,
      cutLinks: dirty.all || dirty.links ? [...w.cutLinks] : prev.cutLinks,
      partitions,
      groups: dirty.all || dirty.groups ? clone(w.groups) : prev.groups,
      members: dirty.all || dirty.groups ? clone(w.members) : prev.members,
      stats: { ...w.stats },
      ended: w.ended,
    };
    const header = dirty.all ? w.header : prev.header;
    if (header !== undefined) next.header = header;
    // Freeze what is new (the shared parts are frozen already).
    if (dirty.all) freeze(next, true);
    else {
      if (dirty.brokers) freeze(next.brokers, true);
      if (dirty.clients) freeze(next.clients, true);
      if (dirty.groups) freeze(next.groups, true), freeze(next.members, true);
      Object.freeze(next.cutLinks);
      Object.freeze(next.partitions);
      Object.freeze(next.stats);
      Object.freeze(next);
    }
    dirty.all = dirty.brokers = dirty.clients = dirty.links = dirty.groups = false;
    dirty.tps.clear();
    return next;
  }

  /** The frame after event `i` (-1: before any event). Clamped to the events pushed. */
  frameAt(i: number): Frame {
    i = Math.max(-1, Math.min(i, this.events.length - 1));
    const c = this.cache;
    if (c.index === i) return c;
    const k = Math.floor((i + 1) / this.every);
    const kf = this.keyframes[Math.min(k, this.keyframes.length - 1)];
    const from = c.index <= i && c.index >= kf.index ? c : kf;
    this.cache = replayShared(from, this.events, from.index + 1, i);
    return this.cache;
  }

  /** Index of the last event with t ≤ tUs (-1 if none). */
  indexAtTime(tUs: number): number {
    const ev = this.events;
    let lo = 0;
    let hi = ev.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (ev[mid].t <= tUs) lo = mid + 1;
      else hi = mid;
    }
    return lo - 1;
  }
}

/**
 * Messages in flight at time `tUs`, looking back from event `i` (sent at or before it): sent (`msg`) or
 * retransmitted after their link healed (`resend`), not yet due, and not dropped before `i`.
 */
export interface Flight {
  id: number;
  from: string;
  to: string;
  kind: string;
  t: number;
  recvUs: number;
  bytes: number;
}

export function inFlight(events: readonly TraceEvent[], i: number, tUs: number, opts: { lookbackUs?: number; max?: number } = {}): Flight[] {
  const lookback = opts.lookbackUs ?? 200_000;
  const max = opts.max ?? 400;
  // The message events themselves (a MsgEvent or ResendEvent is a Flight): nothing is made per message, per frame.
  const out: Flight[] = [];
  let dropped: Set<number> | undefined;
  for (let k = Math.min(i, events.length - 1); k >= 0; k--) {
    const ev = events[k];
    if (ev.t < tUs - lookback) break;
    if (ev.type === 'drop') (dropped ??= new Set()).add(ev.id);
    else if (((ev.type === 'msg' && ev.dropped === undefined) || ev.type === 'resend') && ev.recvUs > tUs && ev.t <= tUs && !dropped?.has(ev.id)) {
      out.push(ev);
      if (out.length >= max) break;
    }
  }
  return out;
}

/**
 * The first offset below both logs' ends where two replicas hold records of different leader epochs,
 * or -1: the logs diverge from there (what log matching forbids below the high watermarks).
 */
export function firstDivergence(a: ReplicaLog, b: ReplicaLog): number {
  const limit = Math.min(a.leo, b.leo);
  const points = [0, ...a.epochs.map((x) => x.start), ...b.epochs.map((x) => x.start)].filter((o) => o < limit).sort((x, y) => x - y);
  for (const o of points) if (epochAt(a, o) !== epochAt(b, o)) return o;
  return -1;
}
