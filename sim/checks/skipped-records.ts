/**
 * The `skipped` record counter (no invariant): per reader (a consumer, or a group's members together), the
 * records of the final log below its final position that it never read. After a truncation a consumer
 * without KIP-320 can jump over them; a group can commit past records it never processed.
 */
import { coverage, uncovered } from './coverage.js';
import type { FinalLog } from './final-log.js';
import type { TracePart } from './invariant.js';
import { C_COUNT, C_OFFSET, C_PID, C_SEQ, C_WHO, COUNT, OFFSET, PID, Rows, SEQ } from './rows.js';
import type { PartitionView, TraceState } from './state.js';

export class SkippedRecords implements TracePart {
  /** Records skipped, over all partitions and consumers. */
  records = 0;

  endOfRun(p: PartitionView, fin: FinalLog, state: TraceState): void {
    const log = fin.log;
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
      const have = coverage(read);
      for (let i = 0; i < log.n; i++) {
        const off = log.col(OFFSET)[i];
        if (off + log.col(COUNT)[i] <= first) continue;
        if (off >= furthest) break;
        // A row is a run of batches: only its part between the first read and the final position counts.
        const from = Math.max(off, first);
        const count = Math.min(off + log.col(COUNT)[i], furthest) - from;
        this.records += uncovered(have, log.col(PID)[i], log.col(SEQ)[i] + (from - off), count);
      }
    }
  }
}
