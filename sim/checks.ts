/**
 * Checks computed from the trace alone, outside the model. The checker replays every replica's log
 * from append and truncate events, remembers what producers were told and what consumers read, and
 * at the end reports violations of the properties in Kafka's TLA+ specifications:
 *
 * - no-acked-record-lost: every acknowledged record is in the partition's final log.
 * - log-matching: two replicas hold the same records below both their high watermarks.
 * - leader-completeness: a newly elected leader holds every record acknowledged with acks=all.
 * - consistent-read: a record a consumer read at offset o is still at o in the final log.
 * - no-duplicates: no record (producer id, sequence) appears twice in a final log.
 * - in-order: a producer's records appear in a partition in the order it sent them.
 * - leader-in-isr: an elected leader is always a member of the ISR.
 *
 * It also counts what the summary reports (sent, acked, lost, duplicated, ...).
 */
import type { AckEvent, ConsumeEvent, HeaderEvent, TraceEvent, TraceSink } from './trace.js';

export const CHECK_NAMES = [
  'no-acked-record-lost',
  'log-matching',
  'leader-completeness',
  'consistent-read',
  'no-duplicates',
  'in-order',
  'leader-in-isr',
] as const;
export type CheckName = (typeof CHECK_NAMES)[number];

export interface Violation {
  check: CheckName;
  partition: string;
  detail: string;
  /** When it was detected, ms (the end of the run for end-of-run checks). */
  atMs: number;
}

interface Entry {
  offset: number;
  count: number;
  epoch: number;
  pid: number;
  seq: number;
}

interface Replica {
  broker: number;
  entries: Entry[];
  hw: number;
}

interface PartitionView {
  tp: string;
  replicas: Map<number, Replica>;
  leader: number;
  isr: number[];
  /** Acknowledged ranges, in ack order. */
  acked: Array<{ pid: number; seq: number; count: number; acksAll: boolean; offset: number }>;
  consumed: ConsumeEvent[];
}

export interface CheckResult {
  violations: Violation[];
  records: {
    acked: number;
    failed: number;
    lostAcked: number;
    duplicated: number;
    consumed: number;
    reordered: number;
    truncated: number;
  };
  /** Per partition: records lost, with the offsets they had. */
  lost: Array<{ partition: string; records: number; offsets: string }>;
}

export class Checker implements TraceSink {
  private readonly parts = new Map<string, PartitionView>();
  private readonly acksOf = new Map<string, number>();
  private readonly violations: Violation[] = [];
  private acked = 0;
  private failed = 0;
  private consumed = 0;
  private truncated = 0;
  private endUs = 0;

  event(ev: TraceEvent): void {
    switch (ev.type) {
      case 'header':
        return this.onHeader(ev);
      case 'append': {
        // The event itself is the entry (it has offset, count, epoch, pid, seq): no copy.
        this.replica(ev.tp, ev.broker).entries.push(ev);
        return;
      }
      case 'truncate': {
        const r = this.replica(ev.tp, ev.broker);
        while (r.entries.length > 0 && r.entries[r.entries.length - 1].offset >= ev.to) r.entries.pop();
        if (r.hw > ev.to) r.hw = ev.to;
        this.truncated += ev.removed;
        return;
      }
      case 'hw':
        this.replica(ev.tp, ev.broker).hw = ev.hw;
        return;
      case 'ack':
        return this.onAck(ev);
      case 'consume':
        this.consumed += ev.count;
        this.part(ev.tp).consumed.push(ev);
        return;
      case 'election': {
        const p = this.part(ev.tp);
        p.leader = ev.leader;
        p.isr = ev.isr;
        if (ev.leader >= 0) {
          if (!ev.isr.includes(ev.leader)) this.violate('leader-in-isr', ev.tp, `leader ${ev.leader} elected at epoch ${ev.epoch} is not in the ISR [${ev.isr}]`, ev.t);
          this.checkCompleteness(p, ev.leader, ev.t, `elected at epoch ${ev.epoch}`);
        }
        return;
      }
      case 'isr': {
        const p = this.part(ev.tp);
        p.isr = ev.isr;
        if (p.leader >= 0 && !ev.isr.includes(p.leader)) this.violate('leader-in-isr', ev.tp, `ISR [${ev.isr}] no longer contains leader ${p.leader}`, ev.t);
        return;
      }
      case 'end':
        this.endUs = ev.t;
        return;
    }
  }

  private onHeader(h: HeaderEvent): void {
    for (const t of h.topics) {
      for (let i = 0; i < t.partitions; i++) {
        const tp = `${t.name}-${i}`;
        const replicas = new Map<number, Replica>();
        for (const b of t.replicas[i]) replicas.set(b, { broker: b, entries: [], hw: 0 });
        this.parts.set(tp, { tp, replicas, leader: t.replicas[i][0], isr: [...t.replicas[i]], acked: [], consumed: [] });
      }
    }
    for (const p of h.producers) this.acksOf.set(p.name, p.acks);
  }

  private onAck(ev: AckEvent): void {
    if (ev.error !== 'NONE') {
      this.failed += ev.count;
      return;
    }
    this.acked += ev.count;
    this.part(ev.tp).acked.push({ pid: ev.pid, seq: ev.seq, count: ev.count, acksAll: this.acksOf.get(ev.producer) === -1, offset: ev.offset });
  }

  private part(tp: string): PartitionView {
    return this.parts.get(tp)!;
  }

  private replica(tp: string, broker: number): Replica {
    const p = this.part(tp);
    let r = p.replicas.get(broker);
    if (r === undefined) {
      r = { broker, entries: [], hw: 0 };
      p.replicas.set(broker, r);
    }
    return r;
  }

  private violate(check: CheckName, partition: string, detail: string, tUs: number): void {
    this.violations.push({ check, partition, detail, atMs: tUs / 1000 });
  }

  /** leader-completeness: the leader holds every record acknowledged with acks=all so far. */
  private checkCompleteness(p: PartitionView, leader: number, tUs: number, when: string): void {
    const acksAll = p.acked.filter((a) => a.acksAll);
    if (acksAll.length === 0) return;
    const have = coverage(p.replicas.get(leader)?.entries ?? []);
    let missing = 0;
    let first = -1;
    for (const a of acksAll) {
      const m = uncovered(have, a.pid, a.seq, a.count);
      if (m > 0 && first < 0) first = a.offset;
      missing += m;
    }
    if (missing > 0) {
      this.violate('leader-completeness', p.tp, `leader ${leader} (${when}) lacks ${missing} record(s) acknowledged with acks=all, the first at offset ${first}`, tUs);
    }
  }

  /** The final log of a partition: its leader's, or with no leader, the longest replica's. */
  private finalLog(p: PartitionView): { broker: number; entries: Entry[] } {
    if (p.leader >= 0) return { broker: p.leader, entries: p.replicas.get(p.leader)?.entries ?? [] };
    let best: Replica | undefined;
    for (const r of p.replicas.values()) if (best === undefined || leoOf(r.entries) > leoOf(best.entries)) best = r;
    return { broker: best?.broker ?? -1, entries: best?.entries ?? [] };
  }

  /** Run the end-of-run checks and count. */
  finish(): CheckResult {
    let lostAcked = 0;
    let duplicated = 0;
    let reordered = 0;
    const lost: CheckResult['lost'] = [];
    for (const p of this.parts.values()) {
      const fin = this.finalLog(p);
      // no-acked-record-lost
      const have = coverage(fin.entries);
      let lostHere = 0;
      const lostOffsets: number[] = [];
      for (const a of p.acked) {
        const m = uncovered(have, a.pid, a.seq, a.count);
        if (m > 0) {
          lostHere += m;
          if (a.offset >= 0) lostOffsets.push(a.offset);
        }
      }
      if (lostHere > 0) {
        lostAcked += lostHere;
        const offsets = lostOffsets.length > 0 ? `offsets ${Math.min(...lostOffsets)}..${Math.max(...lostOffsets)}` : 'offsets unknown (acks=0)';
        lost.push({ partition: p.tp, records: lostHere, offsets });
        this.violate('no-acked-record-lost', p.tp, `${lostHere} acknowledged record(s) are not in the final log of broker ${fin.broker} (acknowledged at ${offsets})`, this.endUs);
      }
      // no-duplicates and in-order
      const d = duplicatesAndReorders(fin.entries);
      if (d.duplicated > 0) {
        duplicated += d.duplicated;
        this.violate('no-duplicates', p.tp, `${d.duplicated} record(s) appear more than once in broker ${fin.broker}'s log, the first again at offset ${d.firstDuplicateOffset}`, this.endUs);
      }
      if (d.reordered > 0) {
        reordered += d.reordered;
        this.violate('in-order', p.tp, `${d.reordered} record(s) were written after records their producer sent later, the first at offset ${d.firstReorderOffset}`, this.endUs);
      }
      // consistent-read
      this.checkConsistentReads(p, fin);
      // log-matching
      this.checkLogMatching(p);
      // leader-completeness for the final leader
      if (p.leader >= 0) this.checkCompleteness(p, p.leader, this.endUs, 'at the end of the run');
    }
    return {
      violations: this.violations,
      records: { acked: this.acked, failed: this.failed, lostAcked, duplicated, consumed: this.consumed, reordered, truncated: this.truncated },
      lost,
    };
  }

  private checkConsistentReads(p: PartitionView, fin: { broker: number; entries: Entry[] }): void {
    let bad = 0;
    let first = '';
    for (const c of p.consumed) {
      const e = entryAt(fin.entries, c.offset);
      const ok = e !== undefined && e.pid === c.pid && e.seq + (c.offset - e.offset) === c.seq;
      if (!ok) {
        bad += c.count;
        if (first === '') first = `consumer ${c.consumer} read offset ${c.offset} (producer ${c.pid}, seq ${c.seq}) at ${c.t / 1000} ms, but broker ${fin.broker}'s log now ${e === undefined ? 'ends before it' : `has producer ${e.pid}, seq ${e.seq + (c.offset - e.offset)} there`}`;
      }
    }
    if (bad > 0) this.violate('consistent-read', p.tp, `${bad} record(s) read by consumers later vanished or changed; ${first}`, this.endUs);
  }

  private checkLogMatching(p: PartitionView): void {
    const rs = [...p.replicas.values()].sort((a, b) => a.broker - b.broker);
    for (let i = 0; i < rs.length; i++) {
      for (let j = i + 1; j < rs.length; j++) {
        const limit = Math.min(rs[i].hw, rs[j].hw);
        const at = firstDifference(rs[i].entries, rs[j].entries, limit);
        if (at >= 0) {
          this.violate('log-matching', p.tp, `brokers ${rs[i].broker} and ${rs[j].broker} hold different records at offset ${at}, below both high watermarks (${rs[i].hw}, ${rs[j].hw})`, this.endUs);
        }
      }
    }
  }
}

function leoOf(entries: Entry[]): number {
  const n = entries.length;
  return n > 0 ? entries[n - 1].offset + entries[n - 1].count : 0;
}

function entryAt(entries: Entry[], offset: number): Entry | undefined {
  let lo = 0;
  let hi = entries.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (entries[mid].offset + entries[mid].count <= offset) lo = mid + 1;
    else hi = mid;
  }
  const e = entries[lo];
  return e !== undefined && e.offset <= offset ? e : undefined;
}

/** First offset below `limit` where two logs differ, or -1. */
function firstDifference(a: Entry[], b: Entry[], limit: number): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    const start = Math.min(x.offset, y.offset);
    if (start >= limit) return -1;
    if (x.offset !== y.offset || x.count !== y.count || x.epoch !== y.epoch || x.pid !== y.pid || x.seq !== y.seq) return start;
  }
  if (a.length !== b.length) {
    const start = a.length > n ? a[n].offset : b[n].offset;
    const otherEnd = a.length > n ? leoOf(b) : leoOf(a);
    if (start < limit && otherEnd < limit) return start;
  }
  return -1;
}

/** Per producer id: sorted, merged [seq, end) intervals present in a log. */
type Coverage = Map<number, Array<[number, number]>>;

function coverage(entries: Entry[]): Coverage {
  const by = new Map<number, Array<[number, number]>>();
  for (const e of entries) {
    let l = by.get(e.pid);
    if (l === undefined) by.set(e.pid, (l = []));
    l.push([e.seq, e.seq + e.count]);
  }
  for (const [pid, l] of by) {
    l.sort((x, y) => x[0] - y[0]);
    const merged: Array<[number, number]> = [];
    for (const iv of l) {
      const last = merged[merged.length - 1];
      if (last !== undefined && iv[0] <= last[1]) last[1] = Math.max(last[1], iv[1]);
      else merged.push([iv[0], iv[1]]);
    }
    by.set(pid, merged);
  }
  return by;
}

/** How many of [seq, seq+count) of `pid` the coverage lacks. */
function uncovered(cov: Coverage, pid: number, seq: number, count: number): number {
  const l = cov.get(pid);
  if (l === undefined) return count;
  const end = seq + count;
  let lo = 0;
  let hi = l.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (l[mid][1] <= seq) lo = mid + 1;
    else hi = mid;
  }
  let covered = 0;
  for (let i = lo; i < l.length && l[i][0] < end; i++) covered += Math.min(end, l[i][1]) - Math.max(seq, l[i][0]);
  return count - covered;
}

/** Records present twice, and records written after a later record of the same producer. */
function duplicatesAndReorders(entries: Entry[]): { duplicated: number; reordered: number; firstDuplicateOffset: number; firstReorderOffset: number } {
  const seen = new Map<number, Set<number>>();
  const maxEnd = new Map<number, number>();
  let duplicated = 0;
  let reordered = 0;
  let firstDuplicateOffset = -1;
  let firstReorderOffset = -1;
  for (const e of entries) {
    let s = seen.get(e.pid);
    if (s === undefined) seen.set(e.pid, (s = new Set()));
    if (s.has(e.seq)) {
      duplicated += e.count;
      if (firstDuplicateOffset < 0) firstDuplicateOffset = e.offset;
      continue;
    }
    s.add(e.seq);
    const m = maxEnd.get(e.pid) ?? 0;
    if (e.seq < m) {
      reordered += e.count;
      if (firstReorderOffset < 0) firstReorderOffset = e.offset;
    }
    if (e.seq + e.count > m) maxEnd.set(e.pid, e.seq + e.count);
  }
  return { duplicated, reordered, firstDuplicateOffset, firstReorderOffset };
}
