/** in-order: a producer's records appear in a partition in the order it sent them. Counts `reordered`. */
import type { FinalLog } from './final-log.js';
import type { Invariant } from './invariant.js';
import type { PartitionView, TraceState } from './state.js';
import type { Violations } from './violation.js';

export class InOrder implements Invariant {
  readonly check = 'in-order';
  /** Records written after a record their producer sent later. */
  records = 0;

  endOfRun(p: PartitionView, fin: FinalLog, state: TraceState, out: Violations): void {
    const d = fin.scan();
    if (d.reordered > 0) {
      this.records += d.reordered;
      out.report(this.check, p.tp, `${d.reordered} record(s) were written after records their producer sent later, the first at offset ${d.firstReorderOffset}`, state.endUs, {
        offsets: [[d.firstReorderOffset, d.firstReorderOffset]],
      });
    }
  }
}
