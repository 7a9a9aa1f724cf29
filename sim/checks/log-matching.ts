/** log-matching: two replicas hold the same records below both their high watermarks (checked at the end of the run). */
import type { FinalLog } from './final-log.js';
import type { Invariant } from './invariant.js';
import { COUNT, EPOCH, leoOf, OFFSET, PID, type Rows, SEQ } from './rows.js';
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
          out.report(this.check, p.tp, `brokers ${rs[i].broker} and ${rs[j].broker} hold different records at offset ${at}, below both high watermarks (${rs[i].hw}, ${rs[j].hw})`, state.endUs, {
            offsets: [[at, limit - 1]],
          });
        }
      }
    }
  }
}

/**
 * First offset below `limit` where two logs differ, or -1. Rows are runs of batches, so the logs are
 * compared record by record: at each offset both must hold the same epoch, producer id and sequence.
 */
export function firstDifference(a: Rows, b: Rows, limit: number): number {
  const end = Math.min(limit, Math.max(leoOf(a), leoOf(b)));
  let i = 0;
  let j = 0;
  let x = Math.min(a.n > 0 ? a.col(OFFSET)[0] : end, b.n > 0 ? b.col(OFFSET)[0] : end);
  while (x < end) {
    while (i < a.n && a.col(OFFSET)[i] + a.col(COUNT)[i] <= x) i++;
    while (j < b.n && b.col(OFFSET)[j] + b.col(COUNT)[j] <= x) j++;
    const inA = i < a.n && a.col(OFFSET)[i] <= x;
    const inB = j < b.n && b.col(OFFSET)[j] <= x;
    if (!inA || !inB) return x;
    if (a.col(EPOCH)[i] !== b.col(EPOCH)[j] || a.col(PID)[i] !== b.col(PID)[j]) return x;
    if (a.col(SEQ)[i] - a.col(OFFSET)[i] !== b.col(SEQ)[j] - b.col(OFFSET)[j]) return x;
    x = Math.min(a.col(OFFSET)[i] + a.col(COUNT)[i], b.col(OFFSET)[j] + b.col(COUNT)[j]);
  }
  return -1;
}
