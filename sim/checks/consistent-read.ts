/** consistent-read: a record a consumer read at offset o is still at o in the final log. */
import type { FinalLog } from './final-log.js';
import type { Invariant } from './invariant.js';
import { C_CONSUMER, C_COUNT, C_OFFSET, C_PID, C_SEQ, C_T, COUNT, OFFSET, PID, SEQ, type Rows } from './rows.js';
import type { PartitionView, TraceState } from './state.js';
import type { Violations } from './violation.js';

export class ConsistentRead implements Invariant {
  readonly check = 'consistent-read';

  endOfRun(p: PartitionView, fin: FinalLog, state: TraceState, out: Violations): void {
    let bad = 0;
    let first = '';
    let firstAt = -1;
    let lastAt = -1;
    const c = p.consumed;
    const log = fin.log;
    for (let i = 0; i < c.n; i++) {
      const offset = c.col(C_OFFSET)[i];
      const pid = c.col(C_PID)[i];
      const seq = c.col(C_SEQ)[i];
      // A row is a run of reads: every record of it must still be where it was read.
      const m = mismatch(log, offset, c.col(C_COUNT)[i], pid, seq);
      if (m.bad === 0) continue;
      bad += m.bad;
      lastAt = Math.max(lastAt, m.last);
      if (first === '') {
        const at = m.at;
        firstAt = at;
        const e = m.e;
        const now = e < 0 ? 'ends before it' : `has producer ${log.col(PID)[e]}, seq ${log.col(SEQ)[e] + (at - log.col(OFFSET)[e])} there`;
        first = `consumer ${state.consumerNames[c.col(C_CONSUMER)[i]]} read offset ${at} (producer ${pid}, seq ${seq + (at - offset)}) at ${c.col(C_T)[i] / 1000} ms, but broker ${fin.broker}'s log now ${now}`;
      }
    }
    if (bad === 0) return;
    // The cause: the final log's last truncation below the first record that changed.
    const extra = { offsets: [[Math.min(firstAt, lastAt), Math.max(firstAt, lastAt)]] as Array<[number, number]>, causeUs: state.lastTruncation(p, fin.broker, firstAt) };
    out.report(this.check, p.tp, `${bad} record(s) read by consumers later vanished or changed; ${first}`, state.endUs, extra);
  }
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

/**
 * The records of a read run [offset, offset+count) of producer `pid` from sequence `seq` that the log no
 * longer holds at the same offsets: how many, the first such offset and the log row there (-1: past the end).
 */
function mismatch(log: Rows, offset: number, count: number, pid: number, seq: number): { bad: number; at: number; last: number; e: number } {
  const end = offset + count;
  let bad = 0;
  let at = -1;
  let atRow = -1;
  let last = -1;
  let x = offset;
  while (x < end) {
    const e = entryAt(log, x);
    const rowEnd = e < 0 ? end : Math.min(end, log.col(OFFSET)[e] + log.col(COUNT)[e]);
    const ok = e >= 0 && log.col(PID)[e] === pid && log.col(SEQ)[e] + (x - log.col(OFFSET)[e]) === seq + (x - offset);
    if (!ok) {
      bad += rowEnd - x;
      last = rowEnd - 1;
      if (at < 0) {
        at = x;
        atRow = e;
      }
    }
    x = rowEnd;
  }
  return { bad, at, last, e: atRow };
}
