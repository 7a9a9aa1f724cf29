/**
 * The simulator in a Web Worker: the same sim/ code as the CLI. Runs a scenario with an array sink and
 * posts its events in chunks, then the trace hash and the summary; or reads an NDJSON trace file.
 */
import { parseScenario } from '../sim/scenario.js';
import { createSimulation } from '../sim/simulation.js';
import { hashEvents, type TraceEvent, type TraceSink } from '../sim/trace.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';
import { parseTrace } from './trace-file.js';

const CHUNK = 25_000;

const post = (m: WorkerReply): void => (self as unknown as { postMessage(m: WorkerReply): void }).postMessage(m);

class ChunkSink implements TraceSink {
  private buf: TraceEvent[] = [];
  constructor(private readonly id: number) {}
  event(ev: TraceEvent): void {
    this.buf.push(ev);
    if (this.buf.length >= CHUNK) this.flush();
  }
  flush(): void {
    if (this.buf.length === 0) return;
    post({ kind: 'events', id: this.id, events: this.buf });
    this.buf = [];
  }
}

function handle(req: WorkerRequest): void {
  const t0 = performance.now();
  if (req.kind === 'run') {
    const scenario = parseScenario(req.text, req.source);
    const sink = new ChunkSink(req.id);
    const sim = createSimulation(scenario, { seed: req.seed, sinks: [sink] });
    sim.run();
    sink.flush();
    post({ kind: 'done', id: req.id, hash: sim.trace.hasher.digest(), events: sim.trace.count, summary: sim.summary(), ms: performance.now() - t0 });
    return;
  }
  const events = parseTrace(req.text, req.source);
  for (let at = 0; at < events.length; at += CHUNK) post({ kind: 'events', id: req.id, events: events.slice(at, at + CHUNK) });
  post({ kind: 'done', id: req.id, hash: hashEvents(events), events: events.length, summary: null, ms: performance.now() - t0 });
}

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  try {
    handle(e.data);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    post({ kind: 'error', id: e.data.id, message: message.split('\n')[0] });
  }
};
