/**
 * Follows the trace for what a person reads first: the timeline of faults, broker state changes,
 * fencing, elections, ISR changes and truncations, and the final state of every partition
 * (a kafka-topics --describe table). Reads only trace events, so it works on a trace file too.
 */
import type { GroupsReport } from './groups.js';
import type { AppendEvent, BrokerStopReason, FieldSink, TraceEvent } from '../trace/events.js';
import { type ControllerKind, fencedWord, sessionLostWords, TRUNCATION_SHORT } from '../trace/words.js';

/** Why a broker halted itself, as the timeline says it. */
const BECAUSE: Record<BrokerStopReason, string> = {
  allLogDirsFailed: 'every log directory failed',
  metadataLogDirFailed: 'its metadata log directory failed',
  logDirFailureTimeout: 'it could not tell the controller of a failed log directory within log.dir.failure.timeout.ms',
  controlledShutdownTimedOut: 'the controller did not let its controlled shutdown finish within 5 minutes',
};

export interface TimelineItem {
  atMs: number;
  kind: 'fault' | 'broker' | 'fence' | 'election' | 'isr' | 'truncate' | 'sendError' | 'partitions' | 'reassign' | 'group';
  partition?: string;
  text: string;
}

export interface PartitionRow {
  topic: string;
  partition: number;
  leader: number;
  leaderEpoch: number;
  replicas: number[];
  isr: number[];
  elr: number[];
  /** KIP-966 (4.x): the last known leader, kept while the ISR is empty and nobody leads. */
  lastKnownElr: number[];
  /** Per replica: log end offset and high watermark. */
  offsets: Record<string, { leo: number; hw: number }>;
}

/** What a fence event's reason adds to its timeline line. */
const FENCE_NOTES: Partial<Record<string, string>> = {
  shutdownNow: ' (controlled shutdown done: it may stop and re-register at once)',
  registered: ' (a new incarnation registered)',
};

/** A fence event's timeline line, in the words of the run's controller (KRaft fences, ZooKeeper declares dead). */
function fenceText(ev: Extract<TraceEvent, { type: 'fence' }>, controller: ControllerKind): string {
  const b = `broker ${ev.broker}`;
  if (ev.reason === 'controlledShutdown') return `controller starts controlled shutdown of ${b}`;
  if (ev.reason === 'sessionTimeout') return sessionLostWords(controller, ev.broker);
  if (controller === 'zookeeper') return `controller considers ${b} ${ev.fenced ? 'dead' : 'alive (registered in ZooKeeper)'}${FENCE_NOTES[ev.reason] ?? ''}`;
  return `controller ${ev.fenced ? 'fenced' : 'unfenced'} ${b}${FENCE_NOTES[ev.reason] ?? ''}`;
}

export class Timeline implements FieldSink {
  readonly items: TimelineItem[] = [];
  readonly partitions = new Map<string, PartitionRow>();
  readonly brokerState = new Map<number, string>();
  readonly elections: Array<{ atMs: number; partition: string; leader: number; epoch: number; clean: boolean; reason: string }> = [];
  isrShrinks = 0;
  isrExpands = 0;
  /** Partitions were added or reassigned during the run. */
  clusterChanged = false;
  keysMoved = 0;
  reassignmentsCompleted = 0;
  /** When the last reassignment completed (ms), -1: none did. */
  reassignmentDoneMs = -1;
  private controller: ControllerKind = 'kraft';
  /** The consumer groups' report, fed every event first (set by the run when it has groups). */
  groups: GroupsReport | null = null;
  /** Producer and error of the send() failures already on the timeline (only the first of each is). */
  private readonly sendErrors = new Set<string>();

  event(ev: TraceEvent): void {
    this.groups?.event(ev);
    switch (ev.type) {
      case 'append': {
        const o = this.offsets(ev.tp, ev.broker);
        o.leo = ev.offset + ev.count;
        return;
      }
      case 'hw':
        this.offsets(ev.tp, ev.broker).hw = ev.hw;
        return;
      case 'ack':
      case 'consume':
      case 'batch':
      case 'msg':
        return; // the most frequent events: not on the timeline
    }
    this.notable(ev);
  }

  /**
   * A fault's line goes before its effects: the simulator applies a fault (a broker halts, a disk's
   * replicas are truncated) and then records it, so those effects come first in the trace at the same
   * instant. The line takes the place of the first line of that instant since the previous fault's, as
   * the visualizer's narrative does.
   */
  private cause(item: TimelineItem): void {
    const items = this.items;
    let k = items.length;
    while (k > this.barrier + 1 && items[k - 1].atMs === item.atMs && items[k - 1].kind !== 'fault') k--;
    items.splice(k, 0, item);
    this.barrier = k;
  }

  /** Position in `items` of the last line a fault's line may not go before: the last fault's, or the brokers' starts at 0 s (-1: none). */
  private barrier = -1;

  /** A broker's state change: its state in the final table and its timeline line (why, when it stopped itself). */
  private broker(ev: Extract<TraceEvent, { type: 'broker' }>, atMs: number): void {
    this.brokerState.set(ev.broker, ev.state === 'crashed' ? (ev.reason !== undefined ? `halted (${BECAUSE[ev.reason]})` : `crashed (${ev.mode})`) : ev.state);
    const how = ev.mode !== undefined ? ` (${ev.mode === 'power' ? 'power loss' : 'process'})` : '';
    const text = ev.reason !== undefined ? `broker ${ev.broker} ${ev.state === 'crashed' ? 'halted' : ev.state}: ${BECAUSE[ev.reason]}` : `broker ${ev.broker} ${ev.state}${how}`;
    this.items.push({ atMs, kind: 'broker', text });
    // The cluster's own start is no fault's effect.
    if (ev.t === 0 && ev.state === 'running') this.barrier = this.items.length - 1;
  }

  /** An ISR change: the partition row, the counters, and a timeline line unless the partition is internal and empty. */
  private isrItem(ev: Extract<TraceEvent, { type: 'isr' }>, atMs: number): void {
    const row = this.partitions.get(ev.tp)!;
    row.isr = ev.isr;
    row.elr = ev.elr;
    row.lastKnownElr = ev.lastKnownElr;
    if (ev.isr.length < ev.prev.length) this.isrShrinks++;
    else if (ev.isr.length > ev.prev.length && ev.reason === 'expand') this.isrExpands++;
    if (this.quiet(ev.tp)) return;
    this.items.push({
      atMs,
      kind: 'isr',
      partition: ev.tp,
      text: `${ev.tp}: ISR [${ev.prev.join(',')}] → [${ev.isr.join(',')}] (${this.reasonWord(ev.reason)})${ev.elr.length > 0 ? `, ELR [${ev.elr.join(',')}]` : ''}${ev.lastKnownElr.length > 0 ? `, LastKnownElr [${ev.lastKnownElr.join(',')}]` : ''}`,
    });
  }

  /** A consumer group's rebalance steps, coordinator moves and failed commits. */
  private groupItem(ev: Extract<TraceEvent, { type: 'group' | 'coordinator' | 'commit' }>, atMs: number): void {
    let text: string | undefined;
    if (ev.type === 'group') text = `group ${ev.group}: ${ev.reason} (${ev.state}, generation ${ev.generation}, coordinator broker ${ev.coordinator})`;
    else if (ev.type === 'coordinator')
      text = ev.loaded ? `group ${ev.group}: broker ${ev.broker} is its coordinator (leader of ${ev.tp}); it loaded ${ev.offsets} committed offset(s) from its log` : undefined;
    else if (ev.error !== 'NONE') text = `group ${ev.group}: ${ev.consumer}'s ${ev.kind} commit failed: ${ev.error}`;
    if (text !== undefined) this.items.push({ atMs, kind: 'group', text });
  }

  /** An internal partition (__consumer_offsets) that holds no record: its elections and ISR changes stay off the timeline. */
  private quiet(tp: string): boolean {
    if (!tp.startsWith('__')) return false;
    const row = this.partitions.get(tp);
    return row === undefined || Object.values(row.offsets).every((o) => o.leo === 0);
  }

  append(t: number, broker: number, tp: string, offset: number, count: number, _epoch: number, _pid: number, _seq: number, _bytes: number, _src: AppendEvent['src']): void {
    this.groups?.tick(t);
    this.offsets(tp, broker).leo = offset + count;
  }

  hw(t: number, broker: number, tp: string, hw: number): void {
    this.groups?.tick(t);
    this.offsets(tp, broker).hw = hw;
  }

  /** Acknowledgements are not on the timeline. */
  acked(): void {}

  /** Nor what consumers read (the groups report only needs the time). */
  consumed(t: number): void {
    this.groups?.tick(t);
  }

  private notable(ev: TraceEvent): void {
    const atMs = ev.t / 1000;
    switch (ev.type) {
      case 'header':
        this.controller = ev.controller;
        for (const b of ev.brokers) this.brokerState.set(b, 'running');
        for (const t of ev.topics) t.replicas.forEach((replicas, p) => this.addRow(t.name, p, replicas, replicas));
        return;
      case 'partitions':
        return this.partitionsAdded(ev, atMs);
      case 'reassign':
        return this.reassign(ev, atMs);
      case 'keysRemapped':
        this.keysMoved += ev.keysMoved;
        this.items.push({
          atMs,
          kind: 'partitions',
          text: `producer ${ev.producer} sees ${ev.partitions} partitions of ${ev.topic}: ${ev.keysMoved} of the keys it sent now map to another partition`,
        });
        return;
      case 'fault': {
        const outcome = ev.rejected !== undefined ? ` — rejected: ${ev.rejected}` : ev.pending !== undefined ? ` — pending: ${ev.pending}` : '';
        this.cause({ atMs, kind: 'fault', text: `${ev.text}${ev.targets.length > 0 ? ` → ${ev.targets.join(', ')}` : ''}${outcome}` });
        return;
      }
      case 'broker':
        this.broker(ev, atMs);
        return;
      case 'fence':
        this.items.push({ atMs, kind: 'fence', text: fenceText(ev, this.controller) });
        return;
      case 'election': {
        const row = this.partitions.get(ev.tp)!;
        row.leader = ev.leader;
        row.leaderEpoch = ev.epoch;
        row.isr = ev.isr;
        this.elections.push({ atMs, partition: ev.tp, leader: ev.leader, epoch: ev.epoch, clean: ev.clean, reason: ev.reason });
        const what = ev.leader < 0 ? 'no leader (offline)' : `leader ${ev.prevLeader < 0 ? 'none' : ev.prevLeader} → ${ev.leader}`;
        if (!this.quiet(ev.tp))
          this.items.push({
            atMs,
            kind: 'election',
            partition: ev.tp,
            text: `${ev.tp}: ${what}, epoch ${ev.epoch}, ${electionWords(ev.clean, this.reasonWord(ev.reason))}, ISR [${ev.isr.join(',')}]`,
          });
        return;
      }
      case 'isr':
        return this.isrItem(ev, atMs);
      case 'group':
      case 'coordinator':
      case 'commit':
        return this.groupItem(ev, atMs);
      case 'sendError':
        return this.sendError(ev, atMs);
      case 'truncate': {
        const o = this.offsets(ev.tp, ev.broker);
        o.leo = ev.to;
        if (o.hw > ev.to) o.hw = ev.to;
        this.items.push({ atMs, kind: 'truncate', partition: ev.tp, text: `${ev.tp}: broker ${ev.broker} truncated ${ev.removed} record(s) to offset ${ev.to} (${TRUNCATION_SHORT[ev.reason]})` });
        return;
      }
    }
  }

  private sendError(ev: Extract<TraceEvent, { type: 'sendError' }>, atMs: number): void {
    const key = `${ev.producer} ${ev.error}`;
    if (this.sendErrors.has(key)) return;
    this.sendErrors.add(key);
    this.items.push({ atMs, kind: 'sendError', text: `producer ${ev.producer}: send() failed with ${ev.error}: ${ev.message}` });
  }

  private partitionsAdded(ev: Extract<TraceEvent, { type: 'partitions' }>, atMs: number): void {
    this.clusterChanged = true;
    const first = ev.partitions - ev.replicas.length;
    ev.replicas.forEach((replicas, i) => this.addRow(ev.topic, first + i, replicas, ev.isr[i]!));
    this.items.push({ atMs, kind: 'partitions', text: `${ev.topic}: ${ev.partitions} partitions (added ${ev.replicas.map((r, i) => `${ev.topic}-${first + i} [${r.join(',')}]`).join(', ')})` });
  }

  private addRow(topic: string, partition: number, replicas: number[], isr: number[]): void {
    const offsets: PartitionRow['offsets'] = {};
    for (const r of replicas) offsets[r] = { leo: 0, hw: 0 };
    this.lastRow = undefined;
    this.partitions.set(`${topic}-${partition}`, { topic, partition, leader: isr[0] ?? -1, leaderEpoch: 0, replicas, isr: [...isr], elr: [], lastKnownElr: [], offsets });
  }

  private reassign(ev: Extract<TraceEvent, { type: 'reassign' }>, atMs: number): void {
    const row = this.partitions.get(ev.tp)!;
    this.clusterChanged = true;
    if (ev.phase === 'complete') {
      this.reassignmentsCompleted++;
      this.reassignmentDoneMs = atMs;
    }
    row.replicas = ev.replicas;
    const moves = `adding [${ev.adding.join(',')}], removing [${ev.removing.join(',')}]`;
    if (ev.phase === 'complete') for (const b of ev.removing) delete row.offsets[b];
    const text =
      ev.phase === 'start'
        ? `reassignment starts: replicas [${ev.replicas.join(',')}], ${moves}`
        : `reassignment complete: replicas [${ev.replicas.join(',')}] (${moves.replace('adding', 'added').replace('removing', 'removed')})`;
    this.items.push({ atMs, kind: 'reassign', partition: ev.tp, text: `${ev.tp}: ${text}` });
  }

  /** An ISR or election reason; with a ZooKeeper controller a broker is dead, not fenced. */
  private reasonWord(reason: string): string {
    if (this.controller !== 'zookeeper') return reason;
    return reason === 'fenced' ? `broker ${fencedWord('zookeeper')}` : reason === 'leaderFenced' ? `leader ${fencedWord('zookeeper')}` : reason;
  }

  /** The row offsets() read last, and its partition. */
  private lastRow: PartitionRow | undefined = undefined;
  private lastTp = '';

  private offsets(tp: string, broker: number): { leo: number; hw: number } {
    // Consecutive events name the same partition (a batch's appends on each replica, then its HWs).
    let row = this.lastRow;
    if (row === undefined || this.lastTp !== tp) {
      row = this.partitions.get(tp)!;
      this.lastRow = row;
      this.lastTp = tp;
    }
    let o = row.offsets[broker];
    if (o === undefined) row.offsets[broker] = o = { leo: 0, hw: 0 };
    return o;
  }
}

/** "clean (leaderFenced)", "UNCLEAN (leaderFenced)"; the reason is not repeated when it is the word itself. */
export function electionWords(clean: boolean, reason: string): string {
  const word = clean ? 'clean' : 'UNCLEAN';
  return reason.toLowerCase() === word.toLowerCase() ? word : `${word} (${reason})`;
}
