/**
 * The simulator in a Web Worker: the same sim/ code as the CLI. Runs a scenario with an array sink and
 * posts its events in chunks, then the trace hash and the summary; or reads an NDJSON trace file.
 */
import { parseScenario } from '../sim/scenario.js';
import { createSimulation } from '../sim/simulation.js';
import type { TraceEvent, TraceSink } from '../sim/trace.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

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

/** Bytes of a trace file read at a time. */
const SLICE = 8 << 20;

/**
 * Hands an NDJSON trace (`text`, or a file read slice by slice) to the page in blocks of whole lines; the
 * page parses, checks and hashes each block (TraceBlockParser) while this reads on. Parsing here too
 * would only add a second parse, and cloning parsed objects across costs more than copying the text.
 */
async function readTrace(req: { id: number; source: string; text?: string; file?: Blob }): Promise<void> {
  const t0 = performance.now();
  const send = (text: string): void => post({ kind: 'eventsText', id: req.id, text });
  if (req.file === undefined) {
    if (req.text) send(req.text);
  } else {
    const decoder = new TextDecoder();
    let carry = '';
    for (let off = 0; off < req.file.size; off += SLICE) {
      const bytes = new Uint8Array(await req.file.slice(off, off + SLICE).arrayBuffer());
      const last = off + SLICE >= req.file.size;
      const text = carry + decoder.decode(bytes, { stream: !last });
      const cut = last ? text.length : text.lastIndexOf('\n') + 1;
      if (cut > 0) send(text.slice(0, cut));
      carry = text.slice(cut);
    }
    if (carry !== '') send(carry);
  }
  // The page computes the hash and the count as it parses.
  post({ kind: 'done', id: req.id, hash: '', events: -1, summary: null, ms: performance.now() - t0 });
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
  if (req.kind === 'traceFile') await readTrace({ id: req.id, source: req.source, file: req.file });
  else await readTrace({ id: req.id, source: req.source, text: req.text });
}

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  handle(e.data).catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    post({ kind: 'error', id: e.data.id, message: message.split('\n')[0] });
  });
};
