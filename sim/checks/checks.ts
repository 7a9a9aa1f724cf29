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
 * And, when the run ends with a quiet, healed liveness phase long enough (liveness.ts), the client-visible
 * liveness properties:
 *
 * - write-answered: every batch a producer sent got its final answer, ack or error.
 * - fully-replicated: every partition is back to full replication: ISR = assignment, every replica holds the leader's committed records.
 *
 * It also counts what the summary reports (sent, acked, lost, duplicated, ...; see records.ts).
 * Each property is checked in its own file; the state they share, rebuilt from the trace, is state.ts.
 */
import type { AppendEvent, FieldSink, TraceEvent } from '../trace/events.js';
import { ConsistentRead } from './consistent-read.js';
import { InOrder } from './in-order.js';
import type { TracePart } from './invariant.js';
import { FullyReplicated } from './fully-replicated.js';
import { LeaderCompleteness } from './leader-completeness.js';
import { LivenessPhase, type LivenessBounds, type LivenessReport } from './liveness.js';
import { LeaderInIsr } from './leader-in-isr.js';
import { LogMatching } from './log-matching.js';
import { NoAckedRecordLost, type LostRecords } from './no-acked-record-lost.js';
import { NoDuplicates } from './no-duplicates.js';
import type { RecordCounts } from './records.js';
import { Skipped, type SkippedRecords } from './skipped-records.js';
import { Redelivered, type RedeliveredRecords } from './redelivered.js';
import { TraceState } from './state.js';
import { Violations, type Violation } from './violation.js';
import { WriteAnswered } from './write-answered.js';

export { CHECK_NAMES, LIVENESS_CHECKS, type CheckName, type Violation } from './violation.js';
export type { LivenessBounds, LivenessReport } from './liveness.js';
export { RECORD_COUNTER_DOCS, RECORD_COUNTERS, type RecordCounter, type RecordCounts } from './records.js';

export interface CheckResult {
  violations: Violation[];
  /** Every record counter but `sent` (the producers count that). */
  records: Omit<RecordCounts, 'sent'>;
  /** Per partition: records lost, with the offsets they had. */
  lost: LostRecords[];
  /** Per reader and partition: records received again, with their offsets. */
  redelivered: RedeliveredRecords[];
  /** Per reader and partition: records below its final position it never received, with their offsets. */
  skipped: SkippedRecords[];
  /** Records removed by truncation, per broker id (brokers that truncated nothing are absent). */
  truncatedByBroker: Record<string, number>;
  /** The liveness phase: whether write-answered and fully-replicated ran, and if not why. */
  liveness: LivenessReport;
}

export class Checker implements FieldSink {
  private readonly state = new TraceState();
  private readonly out = new Violations();
  private readonly lost = new NoAckedRecordLost();
  private readonly duplicates = new NoDuplicates();
  private readonly order = new InOrder();
  private readonly skipped = new Skipped();
  private readonly redelivered = new Redelivered();
  private readonly completeness = new LeaderCompleteness();
  private readonly phase: LivenessPhase;
  private readonly answered = new WriteAnswered();
  private readonly replicated = new FullyReplicated();
  /** When fully-replicated snapshots the leaders' high watermarks (replica.lag.time.max.ms before the end), µs; Infinity: never. */
  private snapshotAtUs = Infinity;
  /** Checked as events arrive, in the order their violations are reported. */
  private readonly live: Array<Required<Pick<TracePart, 'event'>>> = [new LeaderInIsr(), this.completeness, this.lost];
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

  /** `bounds`: what the liveness checks wait for (derived from the scenario's configs); without, they are skipped. */
  constructor(bounds?: LivenessBounds) {
    this.phase = new LivenessPhase(bounds);
  }

  event(ev: TraceEvent): void {
    if (ev.t >= this.snapshotAtUs) this.snapshot(ev.t);
    if (ev.type === 'header' && this.phase.bounds !== undefined) this.snapshotAtUs = Math.max(0, ev.durationUs - this.phase.bounds.catchUpUs);
    this.state.event(ev);
    this.phase.event(ev);
    if (ev.type === 'ack') this.answered.answered(ev.producer, ev.pid, ev.tp, ev.seq, ev.count);
    else if (ev.type === 'batch') this.answered.batch(ev.t, ev.producer, ev.pid, ev.tp, ev.seq, ev.count);
    for (const c of this.live) c.event(ev, this.state, this.out);
  }

  /** The state before the first event at or after the snapshot time is the state at that time. */
  private snapshot(_t: number): void {
    const at = this.snapshotAtUs;
    this.snapshotAtUs = Infinity;
    this.replicated.snapshot(this.state, at);
  }

  // The live checks read neither `append`, `hw` nor `ack`: as fields, these go to the shared state alone.
  append(t: number, broker: number, tp: string, offset: number, count: number, epoch: number, pid: number, seq: number, _bytes: number, _src: AppendEvent['src']): void {
    if (t >= this.snapshotAtUs) this.snapshot(t);
    this.state.append(broker, tp, offset, count, epoch, pid, seq);
  }

  hw(t: number, broker: number, tp: string, hw: number): void {
    if (t >= this.snapshotAtUs) this.snapshot(t);
    this.state.hw(broker, tp, hw);
  }

  acked(t: number, producer: string, pid: number, tp: string, seq: number, count: number, offset: number, _attempts: number): void {
    if (t >= this.snapshotAtUs) this.snapshot(t);
    this.state.ack(producer, pid, tp, seq, count, offset);
    this.answered.answered(producer, pid, tp, seq, count);
  }

  consumed(t: number, consumer: string, tp: string, offset: number, count: number, _epoch: number, pid: number, seq: number): void {
    if (t >= this.snapshotAtUs) this.snapshot(t);
    this.state.consume(t, consumer, tp, offset, count, pid, seq);
  }

  /** A `batch` event: a producer sealed a batch (write-answered waits for its answer). */
  batch(t: number, producer: string, pid: number, tp: string, seq: number, count: number, _bytes: number, _firstUs: number): void {
    if (t >= this.snapshotAtUs) this.snapshot(t);
    this.answered.batch(t, producer, pid, tp, seq, count);
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
    if (this.snapshotAtUs <= s.endUs) this.snapshot(s.endUs);
    const liveness = this.phase.report(s.endUs);
    for (const p of s.parts.values()) {
      const fin = s.finalLog(p);
      for (const c of this.atEnd) c.endOfRun(p, fin, s, this.out);
      this.replicated.endOfRun(liveness, p, s, this.out);
    }
    this.answered.endOfRun(liveness, s.endUs, this.phase.bounds?.settleUs ?? 0, this.out);
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
      skipped: this.skipped.list,
      truncatedByBroker: s.truncatedByBroker(),
      liveness,
    };
  }
}
