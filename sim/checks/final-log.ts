/**
 * A partition's final log as the end-of-run checks see it, with the one scan no-duplicates and in-order
 * share: records present twice, and records written after a later record of the same producer.
 */
import { type Coverage, missingSpan } from './coverage.js';
import { COUNT, OFFSET, PID, SEQ, type Rows } from './rows.js';

export interface LogScan {
  duplicated: number;
  reordered: number;
  firstDuplicateOffset: number;
  firstReorderOffset: number;
}

export class FinalLog {
  private scanned: LogScan | undefined;

  constructor(
    /** Whose log it is (-1: no replica). */
    readonly broker: number,
    readonly log: Rows,
  ) {}

  /** Duplicates and reorders in this log, scanned once. */
  scan(): LogScan {
    return (this.scanned ??= duplicatesAndReorders(this.log));
  }
}

/** Records present twice, and records written after a later record of the same producer. */
function duplicatesAndReorders(log: Rows): LogScan {
  const maxEnd = new Map<number, number>();
  /** Per producer id, once needed: the [seq, end) ranges of its rows so far (rows are runs of batches). */
  const seen = new Map<number, Array<[number, number]>>();
  const scan: LogScan = { duplicated: 0, reordered: 0, firstDuplicateOffset: -1, firstReorderOffset: -1 };
  for (let i = 0; i < log.n; i++) {
    const pid = log.col(PID)[i];
    const seq = log.col(SEQ)[i];
    const count = log.col(COUNT)[i];
    const m = maxEnd.get(pid) ?? 0;
    if (seq < m) {
      // Behind the producer's furthest record: duplicates where these sequences were written before, else reordered.
      let s = seen.get(pid);
      if (s === undefined) {
        s = [];
        for (let j = 0; j < i; j++) if (log.col(PID)[j] === pid) s.push([log.col(SEQ)[j], log.col(SEQ)[j] + log.col(COUNT)[j]]);
        seen.set(pid, s);
      }
      behind(scan, s, log.col(OFFSET)[i], seq, Math.min(count, m - seq));
    }
    // In order from here (the common case: every earlier batch ended at or before seq).
    if (seq + count > m) maxEnd.set(pid, seq + count);
    seen.get(pid)?.push([seq, seq + count]);
  }
  return scan;
}

/** Count the `n` records from `seq` (at `offset`), behind their producer's furthest: written before (duplicated) or not (reordered). */
function behind(scan: LogScan, ranges: Array<[number, number]>, offset: number, seq: number, n: number): void {
  const cov: Coverage = new Map([[0, mergedRanges(ranges)]]);
  const gap = missingSpan(cov, 0, seq, n);
  if (gap.missing < n) {
    scan.duplicated += n - gap.missing;
    if (scan.firstDuplicateOffset < 0) scan.firstDuplicateOffset = offset + (gap.first === 0 ? firstCovered(cov.get(0)!, seq) - seq : 0);
  }
  if (gap.missing > 0) {
    scan.reordered += gap.missing;
    if (scan.firstReorderOffset < 0) scan.firstReorderOffset = offset + gap.first;
  }
}

/** Sorted, merged copy of [from, to) ranges. */
function mergedRanges(ranges: Array<[number, number]>): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const r of [...ranges].sort((x, y) => x[0] - y[0])) {
    const last = out[out.length - 1];
    if (last !== undefined && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

/** The first sequence at or after `seq` inside a range. */
function firstCovered(ranges: Array<[number, number]>, seq: number): number {
  for (const [from, to] of ranges) if (to > seq) return Math.max(from, seq);
  return seq;
}
