/**
 * The model's side of the trace: one place where events leave the simulator. It always feeds the
 * hasher (so every run has a trace hash with bounded memory) and any sinks the caller attached.
 */
import type { TraceEvent, TraceSink } from './events.js';
import { TraceHasher } from './hash.js';

export class Trace {
  readonly hasher = new TraceHasher();
  readonly sinks: TraceSink[];

  constructor(
    /** The sinks every run has (checks, timeline): called directly, which keeps the calls monomorphic. */
    private readonly first: TraceSink,
    private readonly second: TraceSink,
    sinks: TraceSink[] = [],
  ) {
    this.sinks = sinks;
  }

  emit(ev: TraceEvent): void {
    this.hasher.event(ev);
    this.first.event(ev);
    this.second.event(ev);
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].event(ev);
  }

  /**
   * A `msg` event. The checks and the timeline do not read `msg` events, so without other sinks the event
   * is only hashed, from its fields, and no object is built: the network sends one per message, the most
   * frequent event of a run. The hash is the same as {@link emit}'s of the object.
   */
  msg(t: number, id: number, from: string, to: string, kind: string, bytes: number, recvUs: number, dropped?: string): void {
    const sinks = this.sinks;
    if (sinks.length === 0) {
      this.hasher.msg(t, id, from, to, kind, bytes, recvUs, dropped);
      return;
    }
    this.emit(dropped === undefined ? { type: 'msg', t, id, from, to, kind, bytes, recvUs } : { type: 'msg', t, id, from, to, kind, bytes, recvUs, dropped });
  }

  get count(): number {
    return this.hasher.count;
  }
}
