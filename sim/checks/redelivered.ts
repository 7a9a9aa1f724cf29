/**
 * The `redelivered` record counter (no invariant: at-least-once allows it): per reader (a consumer, or a
 * group's members together), records it received again after it had received them once. A group member
 * that crashed or lost its partitions before committing hands them to the next owner, which starts at the
 * last committed offset and reads what was already processed. Reported per partition with the offsets
 * and the consumers that read them again.
 */
import type { FinalLog } from './final-log.js';
import type { TracePart } from './invariant.js';
import { C_CONSUMER, C_COUNT, C_OFFSET, C_PID, C_SEQ, C_WHO } from './rows.js';
import type { PartitionView, TraceState } from './state.js';

/** Records one reader received more than once in one partition. */
export interface RedeliveredRecords {
  /** The reader: `group NAME` or a consumer's name. */
  reader: string;
  partition: string;
  records: number;
  /** "offsets 120..480" (the first and last offset read again). */
  offsets: string;
  /** The consumers that read them again, in the order they did. */
  consumers: string[];
}

/**
 * What a reader has read of one partition: offset intervals [from, end), kept sorted and merged, per
 * producer id and the difference between sequence and offset, so that a record counts as read again only
 * when the same record is read at the same offset. (A producer's duplicate, the same sequence written
 * twice at two offsets, is two records to a consumer, not one read twice.) The checks and the page use it.
 */
export class ReadIntervals {
  private readonly seen = new Map<string, Array<[number, number]>>();

  /** A read of `count` records from `offset` (producer `pid`, first sequence `seq`): how many were read before, and the first and last of their offsets; then they count as read. */
  add(offset: number, count: number, pid: number, seq: number): { count: number; first: number; last: number } {
    const key = `${pid}/${seq - offset}`;
    let list = this.seen.get(key);
    if (list === undefined) this.seen.set(key, (list = []));
    const end = offset + count;
    const tail = list[list.length - 1];
    if (tail !== undefined && tail[1] === offset) {
      // The usual case: reading on from where the last read ended.
      tail[1] = end;
      return { count: 0, first: -1, last: -1 };
    }
    let n = 0;
    let first = -1;
    let last = -1;
    for (const [a, b] of list) {
      const lo = Math.max(a, offset);
      const hi = Math.min(b, end);
      if (lo >= hi) continue;
      n += hi - lo;
      if (first < 0) first = lo;
      last = Math.max(last, hi - 1);
    }
    list.push([offset, end]);
    this.seen.set(key, merged(list));
    return { count: n, first, last };
  }
}

/** Intervals sorted and merged where they touch or overlap. */
function merged(list: Array<[number, number]>): Array<[number, number]> {
  list.sort((x, y) => x[0] - y[0]);
  const out: Array<[number, number]> = [];
  for (const iv of list) {
    const m = out[out.length - 1];
    if (m !== undefined && iv[0] <= m[1]) m[1] = Math.max(m[1], iv[1]);
    else out.push([iv[0], iv[1]]);
  }
  return out;
}

export class Redelivered implements TracePart {
  records = 0;
  readonly list: RedeliveredRecords[] = [];

  endOfRun(p: PartitionView, _fin: FinalLog, state: TraceState): void {
    const c = p.consumed;
    for (let who = 0; who < state.readerNames.length; who++) {
      const seen = new ReadIntervals();
      let n = 0;
      let lo = Infinity;
      let hi = -1;
      const again: string[] = [];
      for (let i = 0; i < c.n; i++) {
        if (c.col(C_WHO)[i] !== who) continue;
        const off = c.col(C_OFFSET)[i];
        const o = seen.add(off, c.col(C_COUNT)[i], c.col(C_PID)[i], c.col(C_SEQ)[i]);
        if (o.count === 0) continue;
        n += o.count;
        lo = Math.min(lo, o.first);
        hi = Math.max(hi, o.last);
        const name = state.consumerNames[c.col(C_CONSUMER)[i]];
        if (!again.includes(name)) again.push(name);
      }
      if (n === 0) continue;
      this.records += n;
      this.list.push({ reader: state.readerNames[who], partition: p.tp, records: n, offsets: `offsets ${lo}..${hi}`, consumers: again });
    }
  }
}
