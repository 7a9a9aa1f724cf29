/**
 * The `skipped` record counter (no invariant): per reader (a consumer, or a group's members together), the
 * records of the final log below its final position that it never read. After a truncation a consumer
 * without KIP-320 can jump over them; a group can commit past records it never processed (at-most-once).
 * Reported per partition with the offsets skipped and the reader's final position.
 */
import { coverage, missingRuns, uncovered, type Coverage } from './coverage.js';
import type { FinalLog } from './final-log.js';
import type { TracePart } from './invariant.js';
import { C_COUNT, C_OFFSET, C_PID, C_SEQ, C_WHO, COUNT, OFFSET, PID, Rows, SEQ } from './rows.js';
import type { PartitionView, TraceState } from './state.js';

/** Records of one partition's final log below a reader's final position that it never received. */
export interface SkippedRecords {
  /** The reader: `group NAME` or a consumer's name. */
  reader: string;
  partition: string;
  records: number;
  /** "offsets 120..480", "offsets 10..19, 40..59" (up to three ranges), or "offsets 10..900 in 12 ranges". */
  offsets: string;
  /** The first and last offset skipped. */
  first: number;
  last: number;
  /** The reader's position at the end (where its last read ended): the records skipped are below it. */
  position: number;
}

/** Ranges listed one by one in the offsets text; more are summed up as first..last. */
const LISTED = 3;

/** The offsets text of inclusive ranges in offset order. */
export function offsetsText(ranges: ReadonlyArray<readonly [number, number]>): string {
  const r = (x: readonly [number, number]): string => (x[0] === x[1] ? `${x[0]}` : `${x[0]}..${x[1]}`);
  if (ranges.length <= LISTED) return `offsets ${ranges.map(r).join(', ')}`;
  return `offsets ${ranges[0][0]}..${ranges[ranges.length - 1][1]} in ${ranges.length} ranges`;
}

export class Skipped implements TracePart {
  /** Records skipped, over all partitions and consumers. */
  records = 0;
  readonly list: SkippedRecords[] = [];

  endOfRun(p: PartitionView, fin: FinalLog, state: TraceState): void {
    const c = p.consumed;
    for (let who = 0; who < state.readerNames.length; who++) {
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
      const ranges = unread(fin.log, coverage(read), first, furthest);
      let n = 0;
      for (const [a, b] of ranges) n += b - a + 1;
      if (n === 0) continue;
      this.records += n;
      const last = ranges[ranges.length - 1][1];
      this.list.push({ reader: state.readerNames[who], partition: p.tp, records: n, offsets: offsetsText(ranges), first: ranges[0][0], last, position: furthest });
    }
  }
}

/** The offsets of `log` in [first, furthest) whose records `have` lacks, as inclusive ranges in offset order, merged where they touch. */
function unread(log: Rows, have: Coverage, first: number, furthest: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (let i = 0; i < log.n; i++) {
    const off = log.col(OFFSET)[i];
    if (off + log.col(COUNT)[i] <= first) continue;
    if (off >= furthest) break;
    // A row is a run of batches: only its part between the first read and the final position counts.
    const from = Math.max(off, first);
    const count = Math.min(off + log.col(COUNT)[i], furthest) - from;
    const pid = log.col(PID)[i];
    const seq = log.col(SEQ)[i] + (from - off);
    if (uncovered(have, pid, seq, count) === 0) continue;
    for (const [a, b] of missingRuns(have, pid, seq, count)) {
      const tail = out[out.length - 1];
      if (tail !== undefined && tail[1] + 1 === from + a) tail[1] = from + b - 1;
      else out.push([from + a, from + b - 1]);
    }
  }
  return out;
}
