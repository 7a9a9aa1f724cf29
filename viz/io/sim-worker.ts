/**
 * The simulator in a Web Worker: the same sim/ code as the CLI. Runs a scenario with an array sink and
 * posts its events in chunks, then the trace hash and the summary. (Trace files: viz/trace-worker.ts.)
 */
import { parseScenario, createSimulation, type TraceEvent, type TraceSink } from '../../sim/index.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

const CHUNK = 25_000;

const post = (m: WorkerReply, transfer: Transferable[] = []): void => (self as unknown as { postMessage(m: WorkerReply, transfer: Transferable[]): void }).postMessage(m, transfer);

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

async function handle(req: WorkerRequest): Promise<void> {
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
  // Trace files are read by viz/trace-worker.ts (a small worker that starts fast).
  throw new Error(`worker.ts runs scenarios, not ${req.kind} requests`);
}

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  handle(e.data).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    post({ kind: 'error', id: e.data.id, message: message.split('\n')[0] });
  });
};
