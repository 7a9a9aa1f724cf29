/** Messages between the page and the simulator worker (viz/worker.ts). */
import type { Counterexample, PointFigures, RunSummary, TraceEvent } from '../../sim/index.js';
import type { SettingsInForce } from '../app/knobs.js';
import type { EncodedBlock } from './trace-file.js';

export type WorkerRequest =
  /** Parse a scenario (YAML or JSON text) and run it. */
  | { kind: 'run'; id: number; text: string; source: string; seed?: number }
  /** Read an NDJSON trace (one event per line). */
  | { kind: 'trace'; id: number; text: string; source: string }
  /** Read an NDJSON trace file (read in the worker as a stream of bytes: the page never holds the text). */
  | { kind: 'traceFile'; id: number; file: Blob; source: string };

export type WorkerReply =
  /**
   * A scenario parsed and starting: the seed it runs with (the request's, or the file's own), its length, the time of its first fault (the page picks its playback
   * speed from it) and the settings in force (the settings bar shows them).
   */
  | {
      kind: 'started';
      id: number;
      seed: number;
      durationUs: number;
      firstFaultUs: number | undefined;
      lastFaultUs: number | undefined;
      settings: SettingsInForce;
      /** The scenario's `counterexample:` block, when it is one (the page jumps to its violation once the run is done). */
      counterexample?: Counterexample;
    }
  /** How far the run is, in simulated time (for the progress bar); the events so far were posted before it. */
  | { kind: 'progress'; id: number; tUs: number; durationUs: number }
  | { kind: 'events'; id: number; events: TraceEvent[] }
  /**
   * The next events of a trace file, encoded (viz/trace-file.ts: the page decodes them with one
   * TraceBlockDecoder per trace; the arrays are transferred, not copied). The worker has checked and
   * hashed them: the `done` that follows has the trace hash and the count of events.
   */
  | { kind: 'eventsBlock'; id: number; block: EncodedBlock }
  | { kind: 'done'; id: number; hash: string; events: number; summary: RunSummary | null; ms: number }
  | { kind: 'error'; id: number; message: string };

/** To a what-if worker (viz/io/whatif-worker.ts): run one point of a what-if grid. */
export interface WhatIfRequest {
  id: number;
  /** The point's place in the grid. */
  index: number;
  /** The base scenario's text and name. */
  text: string;
  source: string;
  settings: Record<string, string>;
}

/** A point's figures (the public API's runPlanPoint), or why it has none, as one line. */
export interface WhatIfReply {
  id: number;
  index: number;
  figures?: PointFigures;
  error?: string;
}
