/**
 * What every check reads: the cluster rebuilt from the trace. Every replica's log from append and
 * truncate events, high watermarks, leaders and ISRs, what producers were told (acknowledgements) and
 * what consumers read, and the record counters these events give directly.
 *
 * Rows are runs, not batches: a batch that continues the previous row (next offset, same epoch, same
 * producer id, next sequence; for reads also the same consumer) extends it. A run of one producer's
 * batches in one leader epoch is one row however many records it holds, so what the checker keeps grows
 * with epochs and interleavings, not with the records produced.
 */
import type { AckEvent, HeaderEvent, ReassignEvent, TraceEvent } from '../trace/events.js';
import { FinalLog } from './final-log.js';
import { ackRun, appendRun, leoOf, readRun, Rows, truncateRuns } from './rows.js';

export interface Replica {
  broker: number;
  log: Rows;
  hw: number;
}

export interface PartitionView {
  tp: string;
  replicas: Map<number, Replica>;
  leader: number;
  isr: number[];
  /** Acknowledged ranges, in ack order. */
  acked: Rows;
  consumed: Rows;
  /** Truncations that removed records: [t µs, broker, truncated to]. */
  truncations: Array<[number, number, number]>;
  /**
   * Brokers a completed reassignment removed. The controller completes it before the removed broker learns
   * of it from the metadata and deletes its log: until then that broker still fetches and moves its high
   * watermark, and those events must not bring back the replica the checks dropped.
   */
  removed?: Set<number>;
}

/** The index of `name` in `names`, added at the end when new. */
function indexOf(name: string, names: string[], index: Map<string, number>): number {
  let i = index.get(name);
  if (i === undefined) {
    i = names.length;
    names.push(name);
    index.set(name, i);
  }
  return i;
}

export class TraceState {
  readonly parts = new Map<string, PartitionView>();
  private readonly acksOf = new Map<string, number>();
  acked = 0;
  failed = 0;
  consumed = 0;
  truncated = 0;
  readonly truncatedBy = new Map<number, number>();
  endUs = 0;
  /** Consumers by their index in reads (C_CONSUMER). */
  readonly consumerNames: string[] = [];
  private readonly consumerIndex = new Map<string, number>();
  /** Readers by their index in reads (C_WHO): a consumer outside a group, or `group NAME` for all its members. */
  readonly readerNames: string[] = [];
  private readonly readerIndex = new Map<string, number>();
  private readonly readerOf = new Map<string, string>();

  event(ev: TraceEvent): void {
    switch (ev.type) {
      case 'header':
        return this.onHeader(ev);
      case 'append':
        return this.append(ev.broker, ev.tp, ev.offset, ev.count, ev.epoch, ev.pid, ev.seq);
      case 'truncate': {
        const r = this.replica(ev.tp, ev.broker);
        truncateRuns(r.log, ev.to);
        if (r.hw > ev.to) r.hw = ev.to;
        this.truncated += ev.removed;
        if (ev.removed > 0) this.part(ev.tp).truncations.push([ev.t, ev.broker, ev.to]);
        this.truncatedBy.set(ev.broker, (this.truncatedBy.get(ev.broker) ?? 0) + ev.removed);
        return;
      }
      case 'hw':
        return this.hw(ev.broker, ev.tp, ev.hw);
      case 'ack':
        return this.onAck(ev);
      case 'sendError':
        this.failed += ev.count;
        return;
      case 'consume':
        return this.consume(ev.t, ev.consumer, ev.tp, ev.offset, ev.count, ev.pid, ev.seq);
      case 'election': {
        const p = this.part(ev.tp);
        p.leader = ev.leader;
        p.isr = ev.isr;
        return;
      }
      case 'isr':
        this.part(ev.tp).isr = ev.isr;
        return;
      case 'partitions': {
        // CreatePartitions: the new partitions start empty, led by the first of their ISR.
        const first = ev.partitions - ev.replicas.length;
        ev.replicas.forEach((r, i) => this.addPartition(`${ev.topic}-${first + i}`, r, ev.isr[i]!));
        return;
      }
      case 'reassign':
        return this.reassign(ev);
      case 'end':
        this.endUs = ev.t;
        return;
    }
  }

  /** A reassignment: once complete the removed replicas deleted their logs; a new one re-adds a broker. */
  private reassign(ev: ReassignEvent): void {
    const p = this.part(ev.tp);
    if (ev.phase === 'start') {
      for (const b of ev.adding) p.removed?.delete(b);
      return;
    }
    p.removed ??= new Set();
    for (const b of ev.removing) {
      p.replicas.delete(b);
      p.removed.add(b);
    }
  }

  /** An `append` event, as its fields. */
  append(broker: number, tp: string, offset: number, count: number, epoch: number, pid: number, seq: number): void {
    appendRun(this.replica(tp, broker).log, offset, count, epoch, pid, seq);
  }

  /** A `consume` event, as its fields. */
  consume(t: number, consumerName: string, tp: string, offset: number, count: number, pid: number, seq: number): void {
    this.consumed += count;
    const consumer = indexOf(consumerName, this.consumerNames, this.consumerIndex);
    const who = indexOf(this.readerOf.get(consumerName) ?? consumerName, this.readerNames, this.readerIndex);
    readRun(this.part(tp).consumed, offset, count, pid, seq, t, who, consumer);
  }

  /** An `hw` event, as its fields. */
  hw(broker: number, tp: string, hw: number): void {
    this.replica(tp, broker).hw = hw;
  }

  private onHeader(h: HeaderEvent): void {
    for (const t of h.topics) for (let i = 0; i < t.partitions; i++) this.addPartition(`${t.name}-${i}`, t.replicas[i], t.replicas[i]);
    for (const c of h.consumers) if (c.group !== undefined) this.readerOf.set(c.name, `group ${c.group}`);
    for (const p of h.producers) this.acksOf.set(p.name, p.acks);
  }

  private addPartition(tp: string, assignment: number[], isr: number[]): void {
    const replicas = new Map<number, Replica>();
    for (const b of assignment) replicas.set(b, { broker: b, log: new Rows(5), hw: 0 });
    this.parts.set(tp, { tp, replicas, leader: isr[0] ?? -1, isr: [...isr], acked: new Rows(5), consumed: new Rows(7), truncations: [] });
    this.lastPart = undefined;
  }

  private onAck(ev: AckEvent): void {
    if (ev.error !== 'NONE') {
      this.failed += ev.count;
      return;
    }
    this.ack(ev.producer, ev.pid, ev.tp, ev.seq, ev.count, ev.offset);
  }

  /** An `ack` event with error NONE, as its fields. */
  ack(producer: string, pid: number, tp: string, seq: number, count: number, offset: number): void {
    this.acked += count;
    ackRun(this.part(tp).acked, pid, seq, count, offset, this.acksOf.get(producer) === -1 ? 1 : 0);
  }

  part(tp: string): PartitionView {
    // Consecutive events name the same partition (a batch's appends on each replica, then its HWs).
    const last = this.lastPart;
    if (last !== undefined && last.tp === tp) return last;
    const p = this.parts.get(tp)!;
    this.lastPart = p;
    return p;
  }

  /** The partition part() returned last. */
  private lastPart: PartitionView | undefined = undefined;

  private replica(tp: string, broker: number): Replica {
    const p = this.part(tp);
    let r = p.replicas.get(broker);
    if (r === undefined) {
      r = { broker, log: new Rows(5), hw: 0 };
      // A removed replica's last events before it deletes its log: kept out of the checks.
      if (p.removed?.has(broker) !== true) p.replicas.set(broker, r);
    }
    return r;
  }

  /** The final log of a partition: its leader's, or with no leader, the longest replica's. */
  finalLog(p: PartitionView): FinalLog {
    if (p.leader >= 0) return new FinalLog(p.leader, p.replicas.get(p.leader)?.log ?? new Rows(5));
    let best: Replica | undefined;
    for (const r of p.replicas.values()) if (best === undefined || leoOf(r.log) > leoOf(best.log)) best = r;
    return new FinalLog(best?.broker ?? -1, best?.log ?? new Rows(5));
  }

  /** When `broker` last truncated its log of `p` to at most `offset` (µs), or -1. */
  lastTruncation(p: PartitionView, broker: number, offset: number): number {
    for (let i = p.truncations.length - 1; i >= 0; i--) {
      const [t, b, to] = p.truncations[i];
      if (b === broker && to <= offset) return t;
    }
    return -1;
  }

  /** Records removed by truncation, per broker id in id order (brokers that truncated nothing are absent). */
  truncatedByBroker(): Record<string, number> {
    return Object.fromEntries([...this.truncatedBy].sort((a, b) => a[0] - b[0]).map(([b, n]) => [String(b), n]));
  }
}
