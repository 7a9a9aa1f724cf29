/** consistent-read: a record a consumer read at offset o is still at o in the final log. */
import type { FinalLog } from './final-log.js';
import type { Invariant } from './invariant.js';
import { C_COUNT, C_OFFSET, C_PID, C_SEQ, C_T, C_WHO, COUNT, OFFSET, PID, SEQ, type Rows } from './rows.js';
import type { PartitionView, TraceState } from './state.js';
import type { Violations } from './violation.js';

export class ConsistentRead implements Invariant {
  readonly check = 'consistent-read';

  endOfRun(p: PartitionView, fin: FinalLog, state: TraceState, out: Violations): void {
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
          first = `consumer ${state.consumerNames[c.col(C_WHO)[i]]} read offset ${offset} (producer ${pid}, seq ${seq}) at ${c.col(C_T)[i] / 1000} ms, but broker ${fin.broker}'s log now ${now}`;
        }
      }
    }
    if (bad > 0) out.report(this.check, p.tp, `${bad} record(s) read by consumers later vanished or changed; ${first}`, state.endUs);
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
