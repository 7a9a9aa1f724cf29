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
 * The offset intervals [from, end) already read, kept sorted and merged, per producer id and the
 * difference between sequence and offset: the same record at the same offset. (A producer's duplicate,
 * the same sequence written twice at two offsets, is two records to a consumer, not one read twice.)
 */
type Seen = Map<string, Array<[number, number]>>;

export class Redelivered implements TracePart {
  records = 0;
  readonly list: RedeliveredRecords[] = [];

  endOfRun(p: PartitionView, _fin: FinalLog, state: TraceState): void {
    const c = p.consumed;
    for (let who = 0; who < state.readerNames.length; who++) {
      const seen: Seen = new Map();
      let n = 0;
      let lo = Infinity;
      let hi = -1;
      const again: string[] = [];
      for (let i = 0; i < c.n; i++) {
        if (c.col(C_WHO)[i] !== who) continue;
        const off = c.col(C_OFFSET)[i];
        const o = overlap(seen, `${c.col(C_PID)[i]}/${c.col(C_SEQ)[i] - off}`, off, c.col(C_COUNT)[i]);
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

/** How much of [offset, offset+count) was seen already (and the first and last such offset); then mark it seen. */
function overlap(seen: Seen, key: string, offset: number, count: number): { count: number; first: number; last: number } {
  let list = seen.get(key);
  if (list === undefined) seen.set(key, (list = []));
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
  list.sort((x, y) => x[0] - y[0]);
  const merged: Array<[number, number]> = [];
  for (const iv of list) {
    const m = merged[merged.length - 1];
    if (m !== undefined && iv[0] <= m[1]) m[1] = Math.max(m[1], iv[1]);
    else merged.push([iv[0], iv[1]]);
  }
  seen.set(key, merged);
  return { count: n, first, last };
}
