/**
 * Follows the trace for what a person reads first: the timeline of faults, broker state changes,
 * fencing, elections, ISR changes and truncations, and the final state of every partition
 * (a kafka-topics --describe table). Reads only trace events, so it works on a trace file too.
 */
import type { AppendEvent, FieldSink, TraceEvent } from '../trace/events.js';
import { type ControllerKind, fencedWord, sessionLostWords, TRUNCATION_SHORT } from '../trace/words.js';

export interface TimelineItem {
  atMs: number;
  kind: 'fault' | 'broker' | 'fence' | 'election' | 'isr' | 'truncate' | 'sendError';
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
  private controller: ControllerKind = 'kraft';
  /** Producer and error of the send() failures already on the timeline (only the first of each is). */
  private readonly sendErrors = new Set<string>();

  event(ev: TraceEvent): void {
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

  append(_t: number, broker: number, tp: string, offset: number, count: number, _epoch: number, _pid: number, _seq: number, _bytes: number, _src: AppendEvent['src']): void {
    this.offsets(tp, broker).leo = offset + count;
  }

  hw(_t: number, broker: number, tp: string, hw: number): void {
    this.offsets(tp, broker).hw = hw;
  }

  /** Acknowledgements are not on the timeline. */
  acked(): void {}

  private notable(ev: TraceEvent): void {
    const atMs = ev.t / 1000;
    switch (ev.type) {
      case 'header':
        this.controller = ev.controller;
        for (const b of ev.brokers) this.brokerState.set(b, 'running');
        for (const t of ev.topics) {
          t.replicas.forEach((replicas, p) => {
            const offsets: PartitionRow['offsets'] = {};
            for (const r of replicas) offsets[r] = { leo: 0, hw: 0 };
            this.partitions.set(`${t.name}-${p}`, { topic: t.name, partition: p, leader: replicas[0], leaderEpoch: 0, replicas, isr: [...replicas], elr: [], lastKnownElr: [], offsets });
          });
        }
        return;
      case 'fault': {
        const outcome = ev.rejected !== undefined ? ` — rejected: ${ev.rejected}` : ev.pending !== undefined ? ` — pending: ${ev.pending}` : '';
        this.items.push({ atMs, kind: 'fault', text: `${ev.text}${ev.targets.length > 0 ? ` → ${ev.targets.join(', ')}` : ''}${outcome}` });
        return;
      }
      case 'broker':
        this.brokerState.set(ev.broker, ev.state === 'crashed' ? `crashed (${ev.mode})` : ev.state);
        this.items.push({ atMs, kind: 'broker', text: `broker ${ev.broker} ${ev.state}${ev.mode !== undefined ? ` (${ev.mode === 'power' ? 'power loss' : 'process'})` : ''}` });
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
        this.items.push({ atMs, kind: 'election', partition: ev.tp, text: `${ev.tp}: ${what}, epoch ${ev.epoch}, ${electionWords(ev.clean, this.reasonWord(ev.reason))}, ISR [${ev.isr.join(',')}]` });
        return;
      }
      case 'isr': {
        const row = this.partitions.get(ev.tp)!;
        row.isr = ev.isr;
        row.elr = ev.elr;
        row.lastKnownElr = ev.lastKnownElr;
        if (ev.isr.length < ev.prev.length) this.isrShrinks++;
        else if (ev.isr.length > ev.prev.length && ev.reason === 'expand') this.isrExpands++;
        this.items.push({
          atMs,
          kind: 'isr',
          partition: ev.tp,
          text: `${ev.tp}: ISR [${ev.prev.join(',')}] → [${ev.isr.join(',')}] (${this.reasonWord(ev.reason)})${ev.elr.length > 0 ? `, ELR [${ev.elr.join(',')}]` : ''}${ev.lastKnownElr.length > 0 ? `, LastKnownElr [${ev.lastKnownElr.join(',')}]` : ''}`,
        });
        return;
      }
      case 'sendError': {
        const key = `${ev.producer} ${ev.error}`;
        if (this.sendErrors.has(key)) return;
        this.sendErrors.add(key);
        this.items.push({ atMs, kind: 'sendError', text: `producer ${ev.producer}: send() failed with ${ev.error}: ${ev.message}` });
        return;
      }
      case 'truncate': {
        const o = this.offsets(ev.tp, ev.broker);
        o.leo = ev.to;
        if (o.hw > ev.to) o.hw = ev.to;
        this.items.push({ atMs, kind: 'truncate', partition: ev.tp, text: `${ev.tp}: broker ${ev.broker} truncated ${ev.removed} record(s) to offset ${ev.to} (${TRUNCATION_SHORT[ev.reason]})` });
        return;
      }
    }
  }

  /** An ISR or election reason; with a ZooKeeper controller a broker is dead, not fenced. */
  private reasonWord(reason: string): string {
    if (this.controller !== 'zookeeper') return reason;
    return reason === 'fenced' ? `broker ${fencedWord('zookeeper')}` : reason === 'leaderFenced' ? `leader ${fencedWord('zookeeper')}` : reason;
  }

  private offsets(tp: string, broker: number): { leo: number; hw: number } {
    const row = this.partitions.get(tp)!;
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
