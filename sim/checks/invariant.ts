/** What the checker feeds: each invariant (and the skipped-records counter) sees the trace through these hooks. */
import type { TraceEvent } from '../trace/events.js';
import type { FinalLog } from './final-log.js';
import type { PartitionView, TraceState } from './state.js';
import type { CheckName, Violations } from './violation.js';

export interface TracePart {
  /** A trace event, after the shared state has taken it in. */
  event?(ev: TraceEvent, state: TraceState, out: Violations): void;
  /** At the end of the run, once per partition, with the partition's final log. */
  endOfRun?(p: PartitionView, fin: FinalLog, state: TraceState, out: Violations): void;
}

/** One property of Kafka's TLA+ specifications, checked on the trace. */
export interface Invariant extends TracePart {
  readonly check: CheckName;
}
