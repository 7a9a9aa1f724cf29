/**
 * The model's side of the trace: one place where events leave the simulator. It always feeds the
 * hasher (so every run has a trace hash with bounded memory) and any sinks the caller attached.
 *
 * In summary mode (no sinks but the run's own checks and timeline) the most frequent events (`msg`,
 * `append`, `hw`, `batch`, successful `ack`, `consume`) are not built: the model calls the method named after the event with its
 * fields, the hasher hashes them as it would the object, and the checks and timeline take them as fields
 * (FieldSink). The trace hash, checks and summary are those of the same run with every event built.
 */
import type { AppendEvent, FieldSink, TraceEvent, TraceSink } from './events.js';
import { TraceHasher } from './hash.js';

/** How a run treats its trace: `summary` builds no event only the trace would read; `full` builds every event. */
export type TraceMode = 'summary' | 'full';

export class Trace {
  readonly hasher = new TraceHasher();
  readonly sinks: TraceSink[];
  /** Summary mode: the frequent events go to the hasher and the two sinks as fields (see above). */
  readonly summary: boolean;
  private readonly firstFields: FieldSink | undefined;
  private readonly secondFields: FieldSink | undefined;

  constructor(
    /** The sinks every run has (checks, timeline): called directly, which keeps the calls monomorphic. */
    private readonly first: TraceSink,
    private readonly second: TraceSink,
    sinks: TraceSink[] = [],
    mode: TraceMode = 'full',
  ) {
    this.sinks = sinks;
    if (mode === 'summary' && sinks.length > 0) throw new Error('a summary-mode trace has no sinks: its frequent events are never built');
    this.summary = mode === 'summary' && isFieldSink(first) && isFieldSink(second);
    this.firstFields = this.summary ? (first as FieldSink) : undefined;
    this.secondFields = this.summary ? (second as FieldSink) : undefined;
  }

  emit(ev: TraceEvent): void {
    this.hasher.event(ev);
    this.first.event(ev);
    this.second.event(ev);
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].event(ev);
  }

  /** A `msg` event (one per message: the most frequent). The checks and the timeline do not read it. */
  msg(t: number, id: number, from: string, to: string, kind: string, bytes: number, recvUs: number, dropped?: string): void {
    if (this.summary) this.hasher.msg(t, id, from, to, kind, bytes, recvUs, dropped);
    else this.emit(dropped === undefined ? { type: 'msg', t, id, from, to, kind, bytes, recvUs } : { type: 'msg', t, id, from, to, kind, bytes, recvUs, dropped });
  }

  /** An `append` event. */
  append(t: number, broker: number, tp: string, offset: number, count: number, epoch: number, pid: number, seq: number, bytes: number, src: AppendEvent['src']): void {
    if (!this.summary) {
      this.emit({ type: 'append', t, broker, tp, offset, count, epoch, pid, seq, bytes, src });
      return;
    }
    this.hasher.append(t, broker, tp, offset, count, epoch, pid, seq, bytes, src);
    this.firstFields!.append(t, broker, tp, offset, count, epoch, pid, seq, bytes, src);
    this.secondFields!.append(t, broker, tp, offset, count, epoch, pid, seq, bytes, src);
  }

  /** An `hw` event. */
  hw(t: number, broker: number, tp: string, hw: number): void {
    if (!this.summary) {
      this.emit({ type: 'hw', t, broker, tp, hw });
      return;
    }
    this.hasher.hw(t, broker, tp, hw);
    this.firstFields!.hw(t, broker, tp, hw);
    this.secondFields!.hw(t, broker, tp, hw);
  }

  /** An `ack` event with error NONE (no message). */
  acked(t: number, producer: string, pid: number, tp: string, seq: number, count: number, offset: number, attempts: number): void {
    if (!this.summary) {
      this.emit({ type: 'ack', t, producer, pid, tp, seq, count, offset, error: 'NONE', attempts });
      return;
    }
    this.hasher.acked(t, producer, pid, tp, seq, count, offset, attempts);
    this.firstFields!.acked(t, producer, pid, tp, seq, count, offset, attempts);
    this.secondFields!.acked(t, producer, pid, tp, seq, count, offset, attempts);
  }

  /** A `consume` event (records poll() returned to an application). */
  consume(t: number, consumer: string, tp: string, offset: number, count: number, epoch: number, pid: number, seq: number): void {
    if (!this.summary) {
      this.emit({ type: 'consume', t, consumer, tp, offset, count, epoch, pid, seq });
      return;
    }
    this.hasher.consume(t, consumer, tp, offset, count, epoch, pid, seq);
    this.firstFields!.consumed(t, consumer, tp, offset, count, epoch, pid, seq);
    this.secondFields!.consumed(t, consumer, tp, offset, count, epoch, pid, seq);
  }

  /** A `batch` event. The timeline does not read it; the checks do (write-answered). */
  batch(t: number, producer: string, pid: number, tp: string, seq: number, count: number, bytes: number, firstUs: number): void {
    if (!this.summary) {
      this.emit({ type: 'batch', t, producer, pid, tp, seq, count, bytes, firstUs });
      return;
    }
    this.hasher.batch(t, producer, pid, tp, seq, count, bytes, firstUs);
    this.firstFields!.batch?.(t, producer, pid, tp, seq, count, bytes, firstUs);
    this.secondFields!.batch?.(t, producer, pid, tp, seq, count, bytes, firstUs);
  }

  get count(): number {
    return this.hasher.count;
  }
}

function isFieldSink(s: TraceSink): s is FieldSink {
  const f = s as Partial<FieldSink>;
  return typeof f.append === 'function' && typeof f.hw === 'function' && typeof f.acked === 'function' && typeof f.consumed === 'function';
}
