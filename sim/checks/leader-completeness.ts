/**
 * leader-completeness: a newly elected leader holds every record acknowledged with acks=all (checked at
 * every election, and for the final leader at the end of the run).
 */
import type { TraceEvent } from '../trace/events.js';
import { coverage, missingSpan } from './coverage.js';
import type { FinalLog } from './final-log.js';
import type { Invariant } from './invariant.js';
import { A_ALL, A_COUNT, A_OFFSET, A_PID, A_SEQ } from './rows.js';
import type { PartitionView, TraceState } from './state.js';
import type { Violations } from './violation.js';

export class LeaderCompleteness implements Invariant {
  readonly check = 'leader-completeness';

  event(ev: TraceEvent, state: TraceState, out: Violations): void {
    if (ev.type === 'election' && ev.leader >= 0) this.checkLeader(state.part(ev.tp), ev.leader, ev.t, `elected at epoch ${ev.epoch}`, out);
  }

  endOfRun(p: PartitionView, _fin: FinalLog, state: TraceState, out: Violations): void {
    if (p.leader >= 0) this.checkLeader(p, p.leader, state.endUs, 'at the end of the run', out);
  }

  /** The leader holds every record acknowledged with acks=all so far. */
  private checkLeader(p: PartitionView, leader: number, tUs: number, when: string, out: Violations): void {
    const a = p.acked;
    const all = a.col(A_ALL);
    let any = false;
    for (let i = 0; i < a.n && !any; i++) any = all[i] === 1;
    if (!any) return;
    const have = coverage(p.replicas.get(leader)?.log);
    let missing = 0;
    let first = -1;
    for (let i = 0; i < a.n; i++) {
      if (all[i] !== 1) continue;
      const m = missingSpan(have, a.col(A_PID)[i], a.col(A_SEQ)[i], a.col(A_COUNT)[i]);
      if (m.missing > 0 && first < 0) first = a.col(A_OFFSET)[i] < 0 ? -1 : a.col(A_OFFSET)[i] + m.first;
      missing += m.missing;
    }
    if (missing > 0) {
      out.report(
        this.check,
        p.tp,
        `leader ${leader} (${when}) lacks ${missing} record(s) acknowledged with acks=all, the first at offset ${first}`,
        tUs,
        first >= 0 ? { offsets: [[first, first]], causeUs: tUs } : { causeUs: tUs },
      );
    }
  }
}
