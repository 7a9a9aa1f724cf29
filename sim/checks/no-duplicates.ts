/** no-duplicates: no record (producer id, sequence) appears twice in a final log. Counts `duplicated`. */
import type { FinalLog } from './final-log.js';
import type { Invariant } from './invariant.js';
import type { PartitionView, TraceState } from './state.js';
import type { Violations } from './violation.js';

export class NoDuplicates implements Invariant {
  readonly check = 'no-duplicates';
  /** Records present more than once in final logs. */
  records = 0;

  endOfRun(p: PartitionView, fin: FinalLog, state: TraceState, out: Violations): void {
    const d = fin.scan();
    if (d.duplicated > 0) {
      this.records += d.duplicated;
      out.report(this.check, p.tp, `${d.duplicated} record(s) appear more than once in broker ${fin.broker}'s log, the first again at offset ${d.firstDuplicateOffset}`, state.endUs, {
        offsets: [[d.firstDuplicateOffset, d.firstDuplicateOffset]],
      });
    }
  }
}
