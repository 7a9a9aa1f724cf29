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
import type { AckEvent, HeaderEvent, TraceEvent, TraceSink } from '../trace/events.js';

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

/**
 * Rows of numbers in growable typed columns: the checker keeps millions of small records (batches in
 * replica logs, acknowledgements, reads) without millions of objects for the garbage collector.
 */
class Rows {
  n = 0;
  private cols: Float64Array[];

  constructor(ncols: number) {
    this.cols = Array.from({ length: ncols }, () => new Float64Array(64));
  }

  /** Append a row (columns beyond the table's are ignored; missing ones are 0). */
  push(a: number, b: number, c: number, d: number, e: number, f = 0): void {
    if (this.n === this.cols[0].length) {
      this.cols = this.cols.map((col) => {
        const g = new Float64Array(col.length * 2);
        g.set(col);
        return g;
      });
    }
    const cols = this.cols;
    const n = this.n++;
    cols[0][n] = a;
    cols[1][n] = b;
    cols[2][n] = c;
    cols[3][n] = d;
    cols[4][n] = e;
    if (cols.length > 5) cols[5][n] = f;
  }

  col(i: number): Float64Array {
    return this.cols[i];
  }
}

/** Columns of a replica log's batches. */
const OFFSET = 0, COUNT = 1, EPOCH = 2, PID = 3, SEQ = 4;
const LOG_COLUMNS = [OFFSET, COUNT, EPOCH, PID, SEQ] as const;
/** Columns of acknowledgements: pid, seq, count, offset, acks=all (1/0). */
const A_PID = 0, A_SEQ = 1, A_COUNT = 2, A_OFFSET = 3, A_ALL = 4;
/** Columns of reads: offset, count, pid, seq, time (µs), consumer (index). */
const C_OFFSET = 0, C_COUNT = 1, C_PID = 2, C_SEQ = 3, C_T = 4, C_WHO = 5;

interface Replica {
  broker: number;
  log: Rows;
  hw: number;
}

interface PartitionView {
  tp: string;
  replicas: Map<number, Replica>;
  leader: number;
  isr: number[];
  /** Acknowledged ranges, in ack order. */
  acked: Rows;
  consumed: Rows;
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
    /** Records in a final log, below what a consumer read up to, that the consumer never read. */
    skipped: number;
  };
  /** Per partition: records lost, with the offsets they had. */
  lost: Array<{ partition: string; records: number; offsets: string }>;
  /** Records removed by truncation, per broker id (brokers that truncated nothing are absent). */
  truncatedByBroker: Record<string, number>;
}

export class Checker implements TraceSink {
  private readonly parts = new Map<string, PartitionView>();
  private readonly acksOf = new Map<string, number>();
  private readonly violations: Violation[] = [];
  private acked = 0;
  private failed = 0;
  private consumed = 0;
  private truncated = 0;
  private readonly truncatedBy = new Map<number, number>();
  private endUs = 0;
  private readonly consumerNames: string[] = [];
  private readonly consumerIndex = new Map<string, number>();

  event(ev: TraceEvent): void {
    switch (ev.type) {
      case 'header':
        return this.onHeader(ev);
      case 'append':
        this.replica(ev.tp, ev.broker).log.push(ev.offset, ev.count, ev.epoch, ev.pid, ev.seq);
        return;
      case 'truncate': {
        const r = this.replica(ev.tp, ev.broker);
        const off = r.log.col(OFFSET);
        while (r.log.n > 0 && off[r.log.n - 1] >= ev.to) r.log.n--;
        if (r.hw > ev.to) r.hw = ev.to;
        this.truncated += ev.removed;
        this.truncatedBy.set(ev.broker, (this.truncatedBy.get(ev.broker) ?? 0) + ev.removed);
        return;
      }
      case 'hw':
        this.replica(ev.tp, ev.broker).hw = ev.hw;
        return;
      case 'ack':
        return this.onAck(ev);
      case 'consume': {
        this.consumed += ev.count;
        let who = this.consumerIndex.get(ev.consumer);
        if (who === undefined) {
          who = this.consumerNames.length;
          this.consumerNames.push(ev.consumer);
          this.consumerIndex.set(ev.consumer, who);
        }
        this.part(ev.tp).consumed.push(ev.offset, ev.count, ev.pid, ev.seq, ev.t, who);
        return;
      }
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
    this.acked += ev.count;
    this.part(ev.tp).acked.push(ev.pid, ev.seq, ev.count, ev.offset, this.acksOf.get(ev.producer) === -1 ? 1 : 0);
  }

  private part(tp: string): PartitionView {
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

  private violate(check: CheckName, partition: string, detail: string, tUs: number): void {
    this.violations.push({ check, partition, detail, atMs: tUs / 1000 });
  }

  /** leader-completeness: the leader holds every record acknowledged with acks=all so far. */
  private checkCompleteness(p: PartitionView, leader: number, tUs: number, when: string): void {
    const a = p.acked;
    const all = a.col(A_ALL);
    let any = false;
    for (let i = 0; i < a.n && !any; i++) any = all[i] === 1;
    if (!any) return;
    const have = coverage(p.replicas.get(leader)?.log);
    let missing = 0;
    let first = -1;
    for (let i = 0; i < a.n; i++) {
      if (all[i] !== 1) continue;
      const m = uncovered(have, a.col(A_PID)[i], a.col(A_SEQ)[i], a.col(A_COUNT)[i]);
      if (m > 0 && first < 0) first = a.col(A_OFFSET)[i];
      missing += m;
    }
    if (missing > 0) {
      this.violate('leader-completeness', p.tp, `leader ${leader} (${when}) lacks ${missing} record(s) acknowledged with acks=all, the first at offset ${first}`, tUs);
    }
  }

  /** The final log of a partition: its leader's, or with no leader, the longest replica's. */
  private finalLog(p: PartitionView): { broker: number; log: Rows } {
    if (p.leader >= 0) return { broker: p.leader, log: p.replicas.get(p.leader)?.log ?? new Rows(5) };
    let best: Replica | undefined;
    for (const r of p.replicas.values()) if (best === undefined || leoOf(r.log) > leoOf(best.log)) best = r;
    return { broker: best?.broker ?? -1, log: best?.log ?? new Rows(5) };
  }

  /** Run the end-of-run checks and count. */
  finish(): CheckResult {
    let lostAcked = 0;
    let duplicated = 0;
    let reordered = 0;
    let skipped = 0;
    const lost: CheckResult['lost'] = [];
    for (const p of this.parts.values()) {
      const fin = this.finalLog(p);
      // no-acked-record-lost
      const have = coverage(fin.log);
      let lostHere = 0;
      let lo = Infinity;
      let hi = -1;
      const a = p.acked;
      for (let i = 0; i < a.n; i++) {
        const m = uncovered(have, a.col(A_PID)[i], a.col(A_SEQ)[i], a.col(A_COUNT)[i]);
        if (m > 0) {
          lostHere += m;
          const off = a.col(A_OFFSET)[i];
          if (off >= 0) {
            lo = Math.min(lo, off);
            hi = Math.max(hi, off + a.col(A_COUNT)[i] - 1);
          }
        }
      }
      if (lostHere > 0) {
        lostAcked += lostHere;
        const offsets = hi >= 0 ? `offsets ${lo}..${hi}` : 'offsets unknown (acks=0)';
        lost.push({ partition: p.tp, records: lostHere, offsets });
        this.violate('no-acked-record-lost', p.tp, `${lostHere} acknowledged record(s) are not in the final log of broker ${fin.broker} (acknowledged at ${offsets})`, this.endUs);
      }
      // no-duplicates and in-order
      const d = duplicatesAndReorders(fin.log);
      if (d.duplicated > 0) {
        duplicated += d.duplicated;
        this.violate('no-duplicates', p.tp, `${d.duplicated} record(s) appear more than once in broker ${fin.broker}'s log, the first again at offset ${d.firstDuplicateOffset}`, this.endUs);
      }
      if (d.reordered > 0) {
        reordered += d.reordered;
        this.violate('in-order', p.tp, `${d.reordered} record(s) were written after records their producer sent later, the first at offset ${d.firstReorderOffset}`, this.endUs);
      }
      // consistent-read, and records consumers skipped
      this.checkConsistentReads(p, fin);
      skipped += this.skippedRecords(p, fin.log);
      // log-matching
      this.checkLogMatching(p);
      // leader-completeness for the final leader
      if (p.leader >= 0) this.checkCompleteness(p, p.leader, this.endUs, 'at the end of the run');
    }
    return {
      violations: this.violations,
      records: { acked: this.acked, failed: this.failed, lostAcked, duplicated, consumed: this.consumed, reordered, truncated: this.truncated, skipped },
      lost,
      truncatedByBroker: Object.fromEntries([...this.truncatedBy].sort((a, b) => a[0] - b[0]).map(([b, n]) => [String(b), n])),
    };
  }

  /**
   * Per consumer: the records of the final log below its final position that it never read
   * (by producer id and sequence). After a truncation a consumer without KIP-320 can jump over them.
   */
  private skippedRecords(p: PartitionView, log: Rows): number {
    const c = p.consumed;
    let skipped = 0;
    for (let who = 0; who < this.consumerNames.length; who++) {
      const read = new Rows(5);
      let furthest = -1;
      let first = Infinity;
      for (let i = 0; i < c.n; i++) {
        if (c.col(C_WHO)[i] !== who) continue;
        read.push(0, c.col(C_COUNT)[i], 0, c.col(C_PID)[i], c.col(C_SEQ)[i]);
        // Its position at the end: where its last read ended (reads are in time order).
        furthest = c.col(C_OFFSET)[i] + c.col(C_COUNT)[i];
        first = Math.min(first, c.col(C_OFFSET)[i]);
      }
      if (furthest < 0) continue;
      const have = coverage(read);
      for (let i = 0; i < log.n; i++) {
        const off = log.col(OFFSET)[i];
        if (off + log.col(COUNT)[i] <= first) continue;
        if (off >= furthest) break;
        const count = Math.min(log.col(COUNT)[i], furthest - off);
        skipped += uncovered(have, log.col(PID)[i], log.col(SEQ)[i], count);
      }
    }
    return skipped;
  }

  private checkConsistentReads(p: PartitionView, fin: { broker: number; log: Rows }): void {
    let bad = 0;
    let first = '';
    const c = p.consumed;
    const log = fin.log;
    for (let i = 0; i < c.n; i++) {
      const offset = c.col(C_OFFSET)[i];
      const pid = c.col(C_PID)[i];
      const seq = c.col(C_SEQ)[i];
      const e = entryAt(log, offset);
      const ok = e >= 0 && log.col(PID)[e] === pid && log.col(SEQ)[e] + (offset - log.col(OFFSET)[e]) === seq;
      if (!ok) {
        bad += c.col(C_COUNT)[i];
        if (first === '') {
          const now = e < 0 ? 'ends before it' : `has producer ${log.col(PID)[e]}, seq ${log.col(SEQ)[e] + (offset - log.col(OFFSET)[e])} there`;
          first = `consumer ${this.consumerNames[c.col(C_WHO)[i]]} read offset ${offset} (producer ${pid}, seq ${seq}) at ${c.col(C_T)[i] / 1000} ms, but broker ${fin.broker}'s log now ${now}`;
        }
      }
    }
    if (bad > 0) this.violate('consistent-read', p.tp, `${bad} record(s) read by consumers later vanished or changed; ${first}`, this.endUs);
  }

  private checkLogMatching(p: PartitionView): void {
    const rs = [...p.replicas.values()].sort((a, b) => a.broker - b.broker);
    for (let i = 0; i < rs.length; i++) {
      for (let j = i + 1; j < rs.length; j++) {
        const limit = Math.min(rs[i].hw, rs[j].hw);
        const at = firstDifference(rs[i].log, rs[j].log, limit);
        if (at >= 0) {
          this.violate('log-matching', p.tp, `brokers ${rs[i].broker} and ${rs[j].broker} hold different records at offset ${at}, below both high watermarks (${rs[i].hw}, ${rs[j].hw})`, this.endUs);
        }
      }
    }
  }
}

function leoOf(log: Rows): number {
  const n = log.n;
  return n > 0 ? log.col(OFFSET)[n - 1] + log.col(COUNT)[n - 1] : 0;
}

/** Index of the batch holding `offset`, or -1. */
function entryAt(log: Rows, offset: number): number {
  const off = log.col(OFFSET);
  const cnt = log.col(COUNT);
  let lo = 0;
  let hi = log.n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (off[mid] + cnt[mid] <= offset) lo = mid + 1;
    else hi = mid;
  }
  return lo < log.n && off[lo] <= offset ? lo : -1;
}

/** First offset below `limit` where two logs differ, or -1. */
function firstDifference(a: Rows, b: Rows, limit: number): number {
  const n = Math.min(a.n, b.n);
  for (let i = 0; i < n; i++) {
    const start = Math.min(a.col(OFFSET)[i], b.col(OFFSET)[i]);
    if (start >= limit) return -1;
    for (const c of LOG_COLUMNS) if (a.col(c)[i] !== b.col(c)[i]) return start;
  }
  if (a.n !== b.n) {
    const longer = a.n > n ? a : b;
    const start = longer.col(OFFSET)[n];
    const otherEnd = leoOf(a.n > n ? b : a);
    if (start < limit && otherEnd < limit) return start;
  }
  return -1;
}

/** Per producer id: sorted, merged [seq, end) intervals present in a log. */
type Coverage = Map<number, Array<[number, number]>>;

function coverage(log: Rows | undefined): Coverage {
  const by = new Map<number, Array<[number, number]>>();
  if (log === undefined) return by;
  const pidc = log.col(PID);
  const seqc = log.col(SEQ);
  const cnt = log.col(COUNT);
  for (let i = 0; i < log.n; i++) {
    let l = by.get(pidc[i]);
    if (l === undefined) by.set(pidc[i], (l = []));
    const last = l[l.length - 1];
    // Logs are mostly in sequence order: extend the last interval when contiguous.
    if (last !== undefined && seqc[i] === last[1]) last[1] += cnt[i];
    else l.push([seqc[i], seqc[i] + cnt[i]]);
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
function duplicatesAndReorders(log: Rows): { duplicated: number; reordered: number; firstDuplicateOffset: number; firstReorderOffset: number } {
  const maxEnd = new Map<number, number>();
  const seen = new Map<number, Set<number>>();
  let duplicated = 0;
  let reordered = 0;
  let firstDuplicateOffset = -1;
  let firstReorderOffset = -1;
  for (let i = 0; i < log.n; i++) {
    const pid = log.col(PID)[i];
    const seq = log.col(SEQ)[i];
    const count = log.col(COUNT)[i];
    const m = maxEnd.get(pid) ?? 0;
    if (seq >= m) {
      // The common case: in order, never seen (every earlier batch ended at or before seq).
      maxEnd.set(pid, seq + count);
      seen.get(pid)?.add(seq);
      continue;
    }
    // Behind the producer's furthest record: a duplicate if this sequence was written before, else reordered.
    let s = seen.get(pid);
    if (s === undefined) {
      s = new Set();
      for (let j = 0; j < i; j++) if (log.col(PID)[j] === pid) s.add(log.col(SEQ)[j]);
      seen.set(pid, s);
    }
    if (s.has(seq)) {
      duplicated += count;
      if (firstDuplicateOffset < 0) firstDuplicateOffset = log.col(OFFSET)[i];
    } else {
      reordered += count;
      if (firstReorderOffset < 0) firstReorderOffset = log.col(OFFSET)[i];
    }
    s.add(seq);
  }
  return { duplicated, reordered, firstDuplicateOffset, firstReorderOffset };
}
