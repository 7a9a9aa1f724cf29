/**
 * Checks computed from the trace alone, outside the model. The checker replays every replica's log
 * from append and truncate events, remembers what producers were told and what consumers read, and
 * at the end reports violations of the properties in Kafka's TLA+ specifications:
 *
 * - no-acked-record-lost: every acknowledged record is in the partition's final log.
 * - log-matching: two replicas hold the same records below both their high watermarks.
 * - leader-completeness: a newly elected leader holds every record acknowledged with acks=all.
 * - consistent-read: a record a consumer read at offset o is still at o in the final log.
 * - no-duplicates: no record (producer id, sequence) appears twice in a final log.
 * - in-order: a producer's records appear in a partition in the order it sent them.
 * - leader-in-isr: an elected leader is always a member of the ISR.
 *
 * It also counts what the summary reports (sent, acked, lost, duplicated, ...; see records.ts).
 * Each property is checked in its own file; the state they share, rebuilt from the trace, is state.ts.
 */
import type { AppendEvent, FieldSink, TraceEvent } from '../trace/events.js';
import { ConsistentRead } from './consistent-read.js';
import { InOrder } from './in-order.js';
import type { TracePart } from './invariant.js';
import { LeaderCompleteness } from './leader-completeness.js';
import { LeaderInIsr } from './leader-in-isr.js';
import { LogMatching } from './log-matching.js';
import { NoAckedRecordLost, type LostRecords } from './no-acked-record-lost.js';
import { NoDuplicates } from './no-duplicates.js';
import type { RecordCounts } from './records.js';
import { SkippedRecords } from './skipped-records.js';
import { Redelivered, type RedeliveredRecords } from './redelivered.js';
import { TraceState } from './state.js';
import { Violations, type Violation } from './violation.js';

export { CHECK_NAMES, type CheckName, type Violation } from './violation.js';
export { RECORD_COUNTER_DOCS, RECORD_COUNTERS, type RecordCounter, type RecordCounts } from './records.js';

export interface CheckResult {
  violations: Violation[];
  /** Every record counter but `sent` (the producers count that). */
  records: Omit<RecordCounts, 'sent'>;
  /** Per partition: records lost, with the offsets they had. */
  lost: LostRecords[];
  /** Per reader and partition: records received again, with their offsets. */
  redelivered: RedeliveredRecords[];
  /** Records removed by truncation, per broker id (brokers that truncated nothing are absent). */
  truncatedByBroker: Record<string, number>;
}

export class Checker implements FieldSink {
  private readonly state = new TraceState();
  private readonly out = new Violations();
  private readonly lost = new NoAckedRecordLost();
  private readonly duplicates = new NoDuplicates();
  private readonly order = new InOrder();
  private readonly skipped = new SkippedRecords();
  private readonly redelivered = new Redelivered();
  private readonly completeness = new LeaderCompleteness();
  /** Checked as events arrive, in the order their violations are reported. */
  private readonly live: Array<Required<Pick<TracePart, 'event'>>> = [new LeaderInIsr(), this.completeness];
  /** Checked per partition at the end of the run, in the order their violations are reported. */
  private readonly atEnd: Array<Required<Pick<TracePart, 'endOfRun'>>> = [
    this.lost,
    this.duplicates,
    this.order,
    new ConsistentRead(),
    this.skipped,
    this.redelivered,
    new LogMatching(),
    this.completeness,
  ];

  event(ev: TraceEvent): void {
    this.state.event(ev);
    for (const c of this.live) c.event(ev, this.state, this.out);
  }

  // The live checks read neither `append`, `hw` nor `ack`: as fields, these go to the shared state alone.
  append(_t: number, broker: number, tp: string, offset: number, count: number, epoch: number, pid: number, seq: number, _bytes: number, _src: AppendEvent['src']): void {
    this.state.append(broker, tp, offset, count, epoch, pid, seq);
  }

  hw(_t: number, broker: number, tp: string, hw: number): void {
    this.state.hw(broker, tp, hw);
  }

  acked(_t: number, producer: string, pid: number, tp: string, seq: number, count: number, offset: number, _attempts: number): void {
    this.state.ack(producer, pid, tp, seq, count, offset);
  }

  consumed(t: number, consumer: string, tp: string, offset: number, count: number, _epoch: number, pid: number, seq: number): void {
    this.state.consume(t, consumer, tp, offset, count, pid, seq);
  }

  /** Rows kept so far (runs in replica logs, acknowledgements, reads): what the checker's memory grows with. */
  rowsKept(): number {
    let n = 0;
    for (const p of this.state.parts.values()) {
      n += p.acked.n + p.consumed.n;
      for (const r of p.replicas.values()) n += r.log.n;
    }
    return n;
  }

  /** Run the end-of-run checks and count. */
  finish(): CheckResult {
    const s = this.state;
    for (const p of s.parts.values()) {
      const fin = s.finalLog(p);
      for (const c of this.atEnd) c.endOfRun(p, fin, s, this.out);
    }
    return {
      violations: this.out.list,
      records: {
        acked: s.acked,
        failed: s.failed,
        lostAcked: this.lost.records,
        duplicated: this.duplicates.records,
        consumed: s.consumed,
        reordered: this.order.records,
        truncated: s.truncated,
        skipped: this.skipped.records,
        redelivered: this.redelivered.records,
      },
      lost: this.lost.lost,
      redelivered: this.redelivered.list,
      truncatedByBroker: s.truncatedByBroker(),
    };
  }
}
