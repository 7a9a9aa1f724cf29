/**
 * Trace files on disk: an NDJSON writer (a TraceSink that streams while the simulation runs, with bounded
 * memory) and the streaming of a file's lines to the trace reader (sim/trace/reader.ts) to recompute its
 * hash.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { TraceFileError, TraceHasher, TraceLineReader, type TraceEvent, type TraceSink } from '../sim/index.js';

/** The longest line `kafkasim hash` reads: memory stays bounded whatever the file holds. */
export const MAX_LINE_CHARS = 64 << 20;

/** Bytes (roughly: UTF-16 code units) buffered before a write. */
export const CHUNK_SIZE = 1 << 20;

const SLEEP = new Int32Array(new SharedArrayBuffer(4));

/** Writes all of buf to fd, retrying short writes and EAGAIN (stdout may be a non-blocking pipe). */
function writeAll(fd: number, buf: Buffer): void {
  let off = 0;
  while (off < buf.length) {
    try {
      off += writeSync(fd, buf, off, buf.length - off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      Atomics.wait(SLEEP, 0, 0, 1);
    }
  }
}

/** A TraceSink writing one JSON object per line to a file, or to stdout for `-`. */
export class NdjsonWriter implements TraceSink {
  private readonly fd: number;
  private readonly ownsFd: boolean;
  private parts: string[] = [];
  private size = 0;
  private closed = false;
  /** Set when the reader of stdout went away (EPIPE): the rest of the trace is dropped. */
  broken = false;
  /** The first write error other than EPIPE (ENOSPC, EIO, ...): writing stops, the caller reports it. */
  error: NodeJS.ErrnoException | undefined;
  events = 0;

  /** Opens (truncating) the file; throws the open error (ENOENT, EACCES, ...) for the caller to report. */
  constructor(readonly path: string) {
    if (path === '-') {
      this.fd = 1;
      this.ownsFd = false;
    } else {
      this.fd = openSync(path, 'w');
      this.ownsFd = true;
    }
  }

  event(ev: TraceEvent): void {
    const line = JSON.stringify(ev) + '\n';
    this.parts.push(line);
    this.size += line.length;
    this.events++;
    if (this.size >= CHUNK_SIZE) this.flush();
  }

  flush(): void {
    if (this.parts.length === 0) return;
    const text = this.parts.join('');
    this.parts = [];
    this.size = 0;
    if (this.broken || this.error !== undefined) return;
    try {
      writeAll(this.fd, Buffer.from(text, 'utf8'));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EPIPE') this.broken = true;
      else this.error = e as NodeJS.ErrnoException;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    try {
      this.flush();
    } finally {
      if (this.ownsFd) closeSync(this.fd);
    }
  }
}

export { TraceFileError };

/**
 * Recomputes the trace hash of an NDJSON trace file, reading it in chunks (memory stays bounded) through
 * the page's line reader (TraceLineReader: the same checks and messages). Blank lines are skipped.
 * Throws TraceFileError naming the line of a bad event, or for an empty trace; I/O errors as they come.
 */
export function hashTraceFile(path: string): { hash: string; events: number } {
  const fd = path === '-' ? 0 : openSync(path, 'r');
  const reader = new TraceLineReader(path);
  const hasher = new TraceHasher();
  const decoder = new StringDecoder('utf8');
  const buf = Buffer.alloc(CHUNK_SIZE);
  // The start of a line that has not ended yet, in pieces: joined once, when its newline comes, so a long
  // line costs time linear in its length.
  let rest: string[] = [];
  let restLength = 0;
  let lineNo = 0;
  const take = (line: string) => {
    const ev = reader.line(line, lineNo++);
    if (ev !== undefined) hasher.event(ev);
  };
  try {
    for (;;) {
      let n: number;
      try {
        n = readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
          Atomics.wait(SLEEP, 0, 0, 1);
          continue;
        }
        if ((e as NodeJS.ErrnoException).code === 'EOF') break;
        throw e;
      }
      if (n === 0) break;
      const text = decoder.write(buf.subarray(0, n));
      let start = 0;
      for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', start)) {
        rest.push(text.slice(start, nl));
        take(rest.length === 1 ? rest[0]! : rest.join(''));
        rest = [];
        restLength = 0;
        start = nl + 1;
      }
      if (start < text.length) {
        rest.push(text.slice(start));
        restLength += text.length - start;
        if (restLength > MAX_LINE_CHARS)
          throw new TraceFileError(`${path}: line ${lineNo + 1}: longer than ${MAX_LINE_CHARS / (1 << 20)} Mi characters (a trace event is a few hundred bytes; a header, a few MB)`);
      }
    }
    const last = rest.join('') + decoder.end();
    if (last !== '') take(last);
  } finally {
    if (fd !== 0) closeSync(fd);
  }
  reader.end();
  return { hash: hasher.digest(), events: hasher.count };
}
