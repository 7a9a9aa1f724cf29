/** Messages between the page and the simulator worker (viz/worker.ts). */
import type { RunSummary } from '../sim/summary.js';
import type { TraceEvent } from '../sim/trace.js';

export type WorkerRequest =
  /** Parse a scenario (YAML or JSON text) and run it. */
  | { kind: 'run'; id: number; text: string; source: string; seed?: number }
  /** Read an NDJSON trace (one event per line). */
  | { kind: 'trace'; id: number; text: string; source: string }
  /** Read an NDJSON trace file (read in the worker, slice by slice: the page never holds the text). */
  | { kind: 'traceFile'; id: number; file: Blob; source: string };

export type WorkerReply =
  | { kind: 'events'; id: number; events: TraceEvent[] }
  /**
   * Events of a trace as their NDJSON lines (whole lines), unparsed: a string crosses to the page at the
   * cost of a copy, a million parsed objects at the cost of a deep clone. The page parses, checks and
   * hashes them (the `done` that follows has an empty hash).
   */
  | { kind: 'eventsText'; id: number; text: string }
  | { kind: 'done'; id: number; hash: string; events: number; summary: RunSummary | null; ms: number }
  | { kind: 'error'; id: number; message: string };
