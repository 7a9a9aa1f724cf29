/**
 * Per consumer group, over the whole run: its lag in time (the charts) and the records it received again
 * (redelivered: a record, by producer id and sequence number, that the group's members had already
 * received in that partition; the checker's `redelivered` counter, sim/checks/redelivered.ts, counts the
 * same from the trace). Built in one pass as events arrive, from the events and the frame after each.
 */
import { ReadIntervals, type TraceEvent } from '../../sim/index.js';
import type { GroupFrame } from './groups.js';

/** The group's lag at one moment: records below the high watermark it has not committed / not read. */
export interface LagPoint {
  t: number;
  /** Σ over its partitions of (leader's HW − committed offset); a partition without a commit counts from 0. */
  committed: number;
  /** Σ over its partitions of (leader's HW − the group's read position: the end of the last records it received). */
  read: number;
}

/** Records a group received again: one consume event's share. */
export interface Redelivery {
  /** The consume event's index. */
  i: number;
  t: number;
  group: string;
  consumer: string;
  tp: string;
  count: number;
  /** The first and last offset received again. */
  first: number;
  last: number;
}

/** Per producer id, the [seq, end) intervals received, sorted and merged. */

/** What a frame must offer: the groups, and each partition's leader HW. */
export type LagFrame = GroupFrame & { partitions: Record<string, { topic: string; leader: number; logs: Record<number, { hw: number }> }> };

export class GroupSeries {
  /** Samples per group, one per `widthUs` of simulated time (and one at each commit). */
  readonly lag = new Map<string, LagPoint[]>();
  readonly redeliveries: Redelivery[] = [];
  /** Redelivered records per group so far (the last count). */
  readonly redelivered = new Map<string, number>();
  widthUs = 1_000_000;
  /** Samples taken so far, and the last one's read lag summed over the groups (the timeline's chart). */
  samples = 0;
  readLag = 0;
  private nextSampleUs = 0;
  /** The group of each consumer that is a member. */
  private readonly groupOf = new Map<string, string>();
  /** Per group and partition, what its members received. */
  private readonly seen = new Map<string, ReadIntervals>();
  /** Per group and partition: the end offset of the last records it received. */
  private readonly readTo = new Map<string, Map<string, number>>();

  event(ev: TraceEvent, i: number, f: Readonly<LagFrame>): void {
    if (ev.type === 'header') {
      this.widthUs = Math.max(100_000, Math.ceil(ev.durationUs / 300 / 100_000) * 100_000);
      for (const c of ev.consumers) if (c.group !== undefined) this.groupOf.set(c.name, c.group);
      return;
    }
    if (ev.type === 'consume') this.consume(ev, i);
    if (this.groupOf.size === 0) return;
    if (ev.t >= this.nextSampleUs || ev.type === 'commit' || ev.type === 'end') {
      this.sample(ev.t, f);
      this.nextSampleUs = (Math.floor(ev.t / this.widthUs) + 1) * this.widthUs;
    }
  }

  /** The lag samples of a group up to time t. */
  lagUntil(group: string, tUs: number): LagPoint[] {
    const pts = this.lag.get(group) ?? [];
    let n = 0;
    while (n < pts.length && pts[n].t <= tUs) n++;
    return pts.slice(0, n);
  }

  /** Redelivered records of a group received by event index i (inclusive); the last answer per group is kept (the page asks twice a frame). */
  redeliveredAt(group: string, i: number): { records: number; byTp: Map<string, { count: number; first: number; last: number }> } {
    const memo = this.memo.get(group);
    if (memo !== undefined && memo.i === i && memo.n === this.redeliveries.length) return memo.out;
    const out = this.sumUntil(group, i);
    this.memo.set(group, { i, n: this.redeliveries.length, out });
    return out;
  }

  private readonly memo = new Map<string, { i: number; n: number; out: ReturnType<GroupSeries['sumUntil']> }>();

  private sumUntil(group: string, i: number): { records: number; byTp: Map<string, { count: number; first: number; last: number }> } {
    let records = 0;
    const byTp = new Map<string, { count: number; first: number; last: number }>();
    for (const r of this.redeliveries) {
      if (r.i > i) break;
      if (r.group !== group) continue;
      records += r.count;
      const x = byTp.get(r.tp);
      if (x === undefined) byTp.set(r.tp, { count: r.count, first: r.first, last: r.last });
      else {
        x.count += r.count;
        x.first = Math.min(x.first, r.first);
        x.last = Math.max(x.last, r.last);
      }
    }
    return { records, byTp };
  }

  private consume(ev: Extract<TraceEvent, { type: 'consume' }>, i: number): void {
    const group = this.groupOf.get(ev.consumer);
    if (group === undefined) return;
    let read = this.readTo.get(group);
    if (read === undefined) this.readTo.set(group, (read = new Map()));
    read.set(ev.tp, ev.offset + ev.count);
    const key = `${group}\u0000${ev.tp}`;
    let seen = this.seen.get(key);
    if (seen === undefined) this.seen.set(key, (seen = new ReadIntervals()));
    const o = seen.add(ev.offset, ev.count, ev.pid, ev.seq);
    if (o.count === 0) return;
    this.redeliveries.push({ i, t: ev.t, group, consumer: ev.consumer, tp: ev.tp, count: o.count, first: o.first, last: o.last });
    this.redelivered.set(group, (this.redelivered.get(group) ?? 0) + o.count);
  }

  private sample(t: number, f: Readonly<LagFrame>): void {
    this.samples++;
    this.readLag = 0;
    for (const g of Object.values(f.groups)) {
      let pts = this.lag.get(g.group);
      if (pts === undefined) this.lag.set(g.group, (pts = []));
      const p = lagAt(f, g.group, this.readTo.get(g.group));
      this.readLag += p.read;
      const last = pts[pts.length - 1];
      if (last !== undefined && last.t === t) pts[pts.length - 1] = { t, ...p };
      else pts.push({ t, ...p });
    }
  }
}

/**
 * A group's lag in a frame: per partition of its topics, the leader's HW minus its committed offset (0
 * committed when it has none: everything is lag) and minus its read position (`readTo`; the committed
 * offset when it read nothing yet).
 */
export function lagAt(f: Readonly<LagFrame>, group: string, readTo?: ReadonlyMap<string, number>): { committed: number; read: number } {
  const g = f.groups[group];
  let committed = 0;
  let read = 0;
  if (g === undefined) return { committed, read };
  for (const tp in f.partitions) {
    const p = f.partitions[tp];
    if (!g.topics.includes(p.topic)) continue;
    const hw = p.logs[p.leader]?.hw ?? maxHw(p.logs);
    const c = g.committed[tp] ?? 0;
    committed += Math.max(0, hw - c);
    read += Math.max(0, hw - (readTo?.get(tp) ?? c));
  }
  return { committed, read };
}

function maxHw(logs: Record<number, { hw: number }>): number {
  let hw = 0;
  for (const b in logs) hw = Math.max(hw, logs[b].hw);
  return hw;
}
