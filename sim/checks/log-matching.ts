/** log-matching: two replicas hold the same records below both their high watermarks (checked at the end of the run). */
import type { FinalLog } from './final-log.js';
import type { Invariant } from './invariant.js';
import { leoOf, LOG_COLUMNS, OFFSET, type Rows } from './rows.js';
import type { PartitionView, TraceState } from './state.js';
import type { Violations } from './violation.js';

export class LogMatching implements Invariant {
  readonly check = 'log-matching';

  endOfRun(p: PartitionView, _fin: FinalLog, state: TraceState, out: Violations): void {
    const rs = [...p.replicas.values()].sort((a, b) => a.broker - b.broker);
    for (let i = 0; i < rs.length; i++) {
      for (let j = i + 1; j < rs.length; j++) {
        const limit = Math.min(rs[i].hw, rs[j].hw);
        const at = firstDifference(rs[i].log, rs[j].log, limit);
        if (at >= 0) {
          out.report(this.check, p.tp, `brokers ${rs[i].broker} and ${rs[j].broker} hold different records at offset ${at}, below both high watermarks (${rs[i].hw}, ${rs[j].hw})`, state.endUs);
        }
      }
    }
  }
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
