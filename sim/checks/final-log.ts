/**
 * A partition's final log as the end-of-run checks see it, with the one scan no-duplicates and in-order
 * share: records present twice, and records written after a later record of the same producer.
 */
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
