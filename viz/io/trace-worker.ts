/**
 * Reading an NDJSON trace file in a Web Worker of its own: small (no simulator, no YAML or schema code), so
 * it starts fast. Checks, hashes and encodes the file (viz/trace-file.ts) and posts it to the page block by
 * block while the page indexes the blocks before.
 */
import type { WorkerReply, WorkerRequest } from './protocol.js';
import { TraceBlockEncoder, type EncodedBlock } from './trace-file.js';

const post = (m: WorkerReply, transfer: Transferable[] = []): void => (self as unknown as { postMessage(m: WorkerReply, transfer: Transferable[]): void }).postMessage(m, transfer);

/** Bytes encoded (and posted) at a time, at most. */
const PIECE = 1 << 20;

/**
 * Reads an NDJSON trace (`text`, or a file as a stream of bytes): checks, hashes and encodes its lines a
 * piece at a time (TraceBlockEncoder) and posts each piece's events as soon as they are encoded, so that
 * the page decodes and indexes them while this reads on; a bad line ends it with an error naming the
 * line. Then `done` with the trace hash and the count of events.
 */
async function readTrace(req: { id: number; source: string; text?: string; file?: Blob }): Promise<void> {
  const t0 = performance.now();
  const enc = new TraceBlockEncoder(req.source);
  const send = (block: EncodedBlock): void => {
    if (block.ops.length > 0 || block.strings.length > 0) post({ kind: 'eventsBlock', id: req.id, block }, [block.ops.buffer, block.vals.buffer]);
  };
  /** Encodes a chunk of the file a piece at a time (smaller blocks encode faster, measured). */
  const push = (chunk: Uint8Array): void => {
    for (let at = 0; at < chunk.length; at += PIECE) send(enc.push(chunk.subarray(at, at + PIECE)));
  };
  if (req.file === undefined) push(new TextEncoder().encode(req.text ?? ''));
  else {
    // Read as a stream (reading slices with arrayBuffer() cost more, measured).
    const reader = req.file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      push(value);
    }
  }
  send(enc.flush());
  post({ kind: 'done', id: req.id, hash: enc.end(), events: enc.count, summary: null, ms: performance.now() - t0 });
}

self.onmessage = (e: MessageEvent<WorkerRequest>) => {
  const req = e.data;
  const read =
    req.kind === 'traceFile'
      ? readTrace({ id: req.id, source: req.source, file: req.file })
      : req.kind === 'trace'
        ? readTrace({ id: req.id, source: req.source, text: req.text })
        : Promise.reject(new Error('trace-worker.ts reads traces; scenarios run in worker.ts'));
  read.catch((err: unknown) => {
    const message = err instanceof Error ? err.message : String(err);
    post({ kind: 'error', id: req.id, message: message.split('\n')[0] });
  });
};
