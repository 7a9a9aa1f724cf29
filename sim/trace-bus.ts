/**
 * The model's side of the trace: one place where events leave the simulator. It always feeds the
 * hasher (so every run has a trace hash with bounded memory) and any sinks the caller attached.
 */
import { TraceHasher, type TraceEvent, type TraceSink } from './trace.js';

export class Trace {
  readonly hasher = new TraceHasher();
  private readonly sinks: TraceSink[];

  constructor(sinks: TraceSink[] = []) {
    this.sinks = [this.hasher, ...sinks];
  }

  emit(ev: TraceEvent): void {
    const sinks = this.sinks;
    for (let i = 0; i < sinks.length; i++) sinks[i].event(ev);
  }

  get count(): number {
    return this.hasher.count;
  }
}
