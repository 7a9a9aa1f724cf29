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
import type { AckEvent, HeaderEvent, TraceEvent } from '../trace/events.js';
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
  readonly consumerNames: string[] = [];
  private readonly consumerIndex = new Map<string, number>();

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
      case 'consume': {
        this.consumed += ev.count;
        let who = this.consumerIndex.get(ev.consumer);
        if (who === undefined) {
          who = this.consumerNames.length;
          this.consumerNames.push(ev.consumer);
          this.consumerIndex.set(ev.consumer, who);
        }
        readRun(this.part(ev.tp).consumed, ev.offset, ev.count, ev.pid, ev.seq, ev.t, who);
        return;
      }
      case 'election': {
        const p = this.part(ev.tp);
        p.leader = ev.leader;
        p.isr = ev.isr;
        return;
      }
      case 'isr':
        this.part(ev.tp).isr = ev.isr;
        return;
      case 'end':
        this.endUs = ev.t;
        return;
    }
  }

  /** An `append` event, as its fields. */
  append(broker: number, tp: string, offset: number, count: number, epoch: number, pid: number, seq: number): void {
    appendRun(this.replica(tp, broker).log, offset, count, epoch, pid, seq);
  }

  /** An `hw` event, as its fields. */
  hw(broker: number, tp: string, hw: number): void {
    this.replica(tp, broker).hw = hw;
  }

  private onHeader(h: HeaderEvent): void {
    for (const t of h.topics) {
      for (let i = 0; i < t.partitions; i++) {
        const tp = `${t.name}-${i}`;
        const replicas = new Map<number, Replica>();
        for (const b of t.replicas[i]) replicas.set(b, { broker: b, log: new Rows(5), hw: 0 });
        this.parts.set(tp, { tp, replicas, leader: t.replicas[i][0], isr: [...t.replicas[i]], acked: new Rows(5), consumed: new Rows(6) });
      }
    }
    for (const p of h.producers) this.acksOf.set(p.name, p.acks);
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
    return this.parts.get(tp)!;
  }

  private replica(tp: string, broker: number): Replica {
    const p = this.part(tp);
    let r = p.replicas.get(broker);
    if (r === undefined) {
      r = { broker, log: new Rows(5), hw: 0 };
      p.replicas.set(broker, r);
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

  /** Records removed by truncation, per broker id in id order (brokers that truncated nothing are absent). */
  truncatedByBroker(): Record<string, number> {
    return Object.fromEntries([...this.truncatedBy].sort((a, b) => a[0] - b[0]).map(([b, n]) => [String(b), n]));
  }
}
