/**
 * Reading an NDJSON trace back (a file saved with `kafkasim run --trace out.ndjson`), with one-line error
 * messages that say where the problem is.
 */
import { EVENT_FIELDS, TRACE_SCHEMA_VERSION, TraceHasher, type TraceEvent } from '../sim/trace.js';

export class TraceFileError extends Error {}

/** True when the text looks like an NDJSON trace rather than a scenario. */
export function looksLikeTrace(text: string, name = ''): boolean {
  if (/\.(ndjson|jsonl)$/i.test(name)) return true;
  const first = text.trimStart().split('\n', 1)[0] ?? '';
  return /^\{\s*"type"\s*:/.test(first);
}

/**
 * Reads trace lines one at a time (the worker feeds it a file slice by slice): validates each event and
 * returns it (undefined for a blank line).
 */
export class TraceLineReader {
  count = 0;
  private lastT = -Infinity;
  constructor(private readonly source: string) {}

  line(raw: string, n: number): TraceEvent | undefined {
    const source = this.source;
    const line = raw.trim();
    if (line === '') return undefined;
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      throw new TraceFileError(`${source}: line ${n + 1}: not JSON: ${line.length > 60 ? `${line.slice(0, 60)}…` : line}`);
    }
    return this.event(ev, n);
  }

  /** Validate one parsed line (`n`: its 0-based line number, for messages). */
  event(ev: unknown, n: number): TraceEvent {
    const source = this.source;
    const type = (ev as { type?: unknown })?.type;
    if (typeof ev !== 'object' || ev === null || typeof type !== 'string' || !(type in EVENT_FIELDS)) {
      throw new TraceFileError(`${source}: line ${n + 1}: not a trace event (type ${JSON.stringify(type)})`);
    }
    const t = (ev as { t?: unknown }).t;
    if (typeof t !== 'number') throw new TraceFileError(`${source}: line ${n + 1}: event without a numeric t`);
    if (this.count === 0) {
      if (type !== 'header') throw new TraceFileError(`${source}: line ${n + 1}: the first event must be the header, got ${type}`);
      const schema = (ev as { schema?: unknown }).schema;
      if (schema !== TRACE_SCHEMA_VERSION) throw new TraceFileError(`${source}: trace schema ${String(schema)}, this visualizer reads schema ${TRACE_SCHEMA_VERSION}`);
    } else if (t < this.lastT) {
      throw new TraceFileError(`${source}: line ${n + 1}: time goes backwards`);
    }
    this.lastT = t;
    this.count++;
    return ev as TraceEvent;
  }

  end(): void {
    if (this.count === 0) throw new TraceFileError(`${this.source}: empty trace`);
  }
}

/**
 * Parses, checks and hashes a trace block by block (whole lines each): each block as one JSON array when
 * it can, line by line when it cannot (a blank or bad line: that path names the line).
 */
export class TraceBlockParser {
  readonly reader: TraceLineReader;
  readonly hasher = new TraceHasher();
  private lineNo = 0;

  constructor(source: string) {
    this.reader = new TraceLineReader(source);
  }

  block(text: string): TraceEvent[] {
    const block = text.trimEnd();
    const out: TraceEvent[] = [];
    if (block === '') return out;
    let parsed: unknown[] | undefined;
    if (!block.includes('\n\n')) {
      try {
        parsed = JSON.parse(`[${block.replaceAll('\n', ',')}]`) as unknown[];
      } catch {
        parsed = undefined;
      }
    }
    if (parsed !== undefined) {
      for (let i = 0; i < parsed.length; i++) out.push(this.reader.event(parsed[i], this.lineNo++));
    } else {
      for (const line of block.split('\n')) {
        const ev = this.reader.line(line, this.lineNo++);
        if (ev !== undefined) out.push(ev);
      }
    }
    for (const ev of out) this.hasher.event(ev);
    return out;
  }

  /** The trace hash, once every block was read (throws for an empty trace). */
  end(): string {
    this.reader.end();
    return this.hasher.digest();
  }
}

/** A whole trace text, parsed and checked (the page reads files block by block with TraceBlockParser). */
export function parseTrace(text: string, source: string): TraceEvent[] {
  const p = new TraceBlockParser(source);
  const events = p.block(text);
  p.end();
  return events;
}
