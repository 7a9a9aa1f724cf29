/**
 * The simulator in a Web Worker: the same sim/ code as the CLI. Runs a scenario with an array sink and
 * posts its events in chunks, then the trace hash and the summary; or reads an NDJSON trace file.
 */
import { parseScenario } from '../sim/scenario.js';
import { createSimulation } from '../sim/simulation.js';
import { TraceHasher, type TraceEvent, type TraceSink } from '../sim/trace.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';
import { TraceLineReader } from './trace-file.js';

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

/** Bytes of a trace file read at a time: events are posted as they are parsed, while the rest is read. */
const SLICE = 8 << 20;

/**
 * Reads an NDJSON trace from `text` (or from a file, slice by slice), validating, hashing and posting the
 * events in chunks as it goes, so the page indexes a chunk while the next one is parsed.
 */
async function readTrace(req: { id: number; source: string; text?: string; file?: Blob }): Promise<void> {
  const t0 = performance.now();
  const reader = new TraceLineReader(req.source);
  const hasher = new TraceHasher();
  let buf: TraceEvent[] = [];
  let lineNo = 0;
  const push = (ev: TraceEvent): void => {
    hasher.event(ev);
    buf.push(ev);
    if (buf.length >= CHUNK) {
      post({ kind: 'events', id: req.id, events: buf });
      buf = [];
    }
  };
  const lines = (text: string, from: number, to: number): void => {
    // [from, to): whole lines (the last one may lack its newline). Fast path: the block as one JSON array
    // (one JSON.parse instead of one per line); any irregularity (a blank or bad line) takes the slow
    // path, which reports the exact line.
    const block = text.slice(from, to).trimEnd();
    if (block === '') return;
    let parsed: unknown[] | undefined;
    if (!block.includes('\n\n')) {
      try {
        parsed = JSON.parse(`[${block.replaceAll('\n', ',')}]`) as unknown[];
      } catch {
        parsed = undefined;
      }
    }
    if (parsed !== undefined) {
      for (let i = 0; i < parsed.length; i++) {
        const ev = reader.event(parsed[i], lineNo++);
        hasher.event(ev);
      }
      // Valid: the page parses the text itself (cheaper than cloning the objects across).
      if (buf.length > 0) {
        post({ kind: 'events', id: req.id, events: buf });
        buf = [];
      }
      post({ kind: 'eventsText', id: req.id, text: block, checked: true });
      return;
    }
    let at = from;
    while (at < to) {
      let nl = text.indexOf('\n', at);
      if (nl < 0 || nl > to) nl = to;
      const ev = reader.line(text.slice(at, nl), lineNo++);
      at = nl + 1;
      if (ev !== undefined) push(ev);
    }
  };
  if (req.file === undefined) lines(req.text ?? '', 0, (req.text ?? '').length);
  else {
    // A trace file: read it in slices of whole lines and hand each to the page, which parses, checks and
    // hashes it while this reads on (parsing here too would only add a second parse).
    const decoder = new TextDecoder();
    let carry = '';
    for (let off = 0; off < req.file.size; off += SLICE) {
      const bytes = new Uint8Array(await req.file.slice(off, off + SLICE).arrayBuffer());
      const last = off + SLICE >= req.file.size;
      const text = carry + decoder.decode(bytes, { stream: !last });
      const cut = last ? text.length : text.lastIndexOf('\n') + 1;
      if (cut > 0) post({ kind: 'eventsText', id: req.id, text: text.slice(0, cut), checked: false });
      carry = text.slice(cut);
    }
    if (carry !== '') post({ kind: 'eventsText', id: req.id, text: carry, checked: false });
    post({ kind: 'done', id: req.id, hash: '', events: -1, summary: null, ms: performance.now() - t0 });
    return;
  }
  reader.end();
  if (buf.length > 0) post({ kind: 'events', id: req.id, events: buf });
  post({ kind: 'done', id: req.id, hash: hasher.digest(), events: hasher.count, summary: null, ms: performance.now() - t0 });
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
