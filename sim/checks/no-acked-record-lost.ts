/** no-acked-record-lost: every acknowledged record is in its partition's final log. Counts `lostAcked`. */
import { coverage, missingSpan } from './coverage.js';
import type { FinalLog } from './final-log.js';
import type { Invariant } from './invariant.js';
import { A_COUNT, A_OFFSET, A_PID, A_SEQ } from './rows.js';
import type { PartitionView, TraceState } from './state.js';
import type { Violations } from './violation.js';

/** Records lost in one partition, with the offsets they were acknowledged at. */
export interface LostRecords {
  partition: string;
  records: number;
  offsets: string;
}

export class NoAckedRecordLost implements Invariant {
  readonly check = 'no-acked-record-lost';
  /** Acknowledged records missing from final logs. */
  records = 0;
  readonly lost: LostRecords[] = [];

  endOfRun(p: PartitionView, fin: FinalLog, state: TraceState, out: Violations): void {
    const have = coverage(fin.log);
    let lostHere = 0;
    let lo = Infinity;
    let hi = -1;
    const a = p.acked;
    for (let i = 0; i < a.n; i++) {
      // A row is a run of acknowledgements: the offsets reported are those of the records missing.
      const m = missingSpan(have, a.col(A_PID)[i], a.col(A_SEQ)[i], a.col(A_COUNT)[i]);
      if (m.missing > 0) {
        lostHere += m.missing;
        const off = a.col(A_OFFSET)[i];
        if (off >= 0) {
          lo = Math.min(lo, off + m.first);
          hi = Math.max(hi, off + m.last);
        }
      }
    }
    if (lostHere > 0) {
      this.records += lostHere;
      const offsets = hi >= 0 ? `offsets ${lo}..${hi}` : 'offsets unknown (acks=0)';
      this.lost.push({ partition: p.tp, records: lostHere, offsets });
      out.report(this.check, p.tp, `${lostHere} acknowledged record(s) are not in the final log of broker ${fin.broker} (acknowledged at ${offsets})`, state.endUs);
    }
  }
}
