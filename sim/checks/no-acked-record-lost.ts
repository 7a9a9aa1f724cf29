/**
 * no-acked-record-lost: every acknowledged record is in its partition's final log. Counts `lostAcked`.
 *
 * Its cause, for a viewer to jump to: the first election of a leader that lacked acknowledged records
 * among those lost (checked at every election), else the final log's last truncation below them.
 */
import type { TraceEvent } from '../trace/events.js';
import { coverage, missingSpan } from './coverage.js';
import type { FinalLog } from './final-log.js';
import type { Invariant } from './invariant.js';
import { A_COUNT, A_OFFSET, A_PID, A_SEQ, type Rows } from './rows.js';
import type { PartitionView, TraceState } from './state.js';
import type { Violations } from './violation.js';

/** Records lost in one partition, with the offsets they were acknowledged at. */
export interface LostRecords {
  partition: string;
  records: number;
  offsets: string;
}

/** Acknowledged records `have` lacks: how many, and the first and last offset they were acknowledged at (-1: unknown, acks=0). */
function missingAcked(a: Rows, have: ReturnType<typeof coverage>): { missing: number; lo: number; hi: number } {
  let missing = 0;
  let lo = Infinity;
  let hi = -1;
  for (let i = 0; i < a.n; i++) {
    // A row is a run of acknowledgements: the offsets reported are those of the records missing.
    const m = missingSpan(have, a.col(A_PID)[i], a.col(A_SEQ)[i], a.col(A_COUNT)[i]);
    if (m.missing === 0) continue;
    missing += m.missing;
    const off = a.col(A_OFFSET)[i];
    if (off >= 0) {
      lo = Math.min(lo, off + m.first);
      hi = Math.max(hi, off + m.last);
    }
  }
  return { missing, lo: hi >= 0 ? lo : -1, hi };
}

export class NoAckedRecordLost implements Invariant {
  readonly check = 'no-acked-record-lost';
  /** Acknowledged records missing from final logs. */
  records = 0;
  readonly lost: LostRecords[] = [];
  /** Per partition: elections of a leader that lacked acknowledged records, [t µs, first offset, last offset]. */
  private readonly lacking = new Map<string, Array<[number, number, number]>>();

  event(ev: TraceEvent, state: TraceState): void {
    if (ev.type !== 'election' || ev.leader < 0) return;
    const p = state.part(ev.tp);
    if (p.acked.n === 0) return;
    const m = missingAcked(p.acked, coverage(p.replicas.get(ev.leader)?.log));
    if (m.missing === 0 || m.hi < 0) return;
    let l = this.lacking.get(ev.tp);
    if (l === undefined) this.lacking.set(ev.tp, (l = []));
    l.push([ev.t, m.lo, m.hi]);
  }

  endOfRun(p: PartitionView, fin: FinalLog, state: TraceState, out: Violations): void {
    const m = missingAcked(p.acked, coverage(fin.log));
    if (m.missing === 0) return;
    this.records += m.missing;
    const offsets = m.hi >= 0 ? `offsets ${m.lo}..${m.hi}` : 'offsets unknown (acks=0)';
    this.lost.push({ partition: p.tp, records: m.missing, offsets });
    const extra = m.hi >= 0 ? { offsets: [[m.lo, m.hi]] as Array<[number, number]>, causeUs: this.causeUs(p, fin, m.lo, m.hi, state) } : {};
    out.report(this.check, p.tp, `${m.missing} acknowledged record(s) are not in the final log of broker ${fin.broker} (acknowledged at ${offsets})`, state.endUs, extra);
  }

  /** When the records at lo..hi were lost: the first election of a leader lacking some of them, else the final log's last truncation below hi. */
  private causeUs(p: PartitionView, fin: FinalLog, lo: number, hi: number, state: TraceState): number {
    for (const [t, a, b] of this.lacking.get(p.tp) ?? []) if (a <= hi && b >= lo) return t;
    return state.lastTruncation(p, fin.broker, hi);
  }
}
