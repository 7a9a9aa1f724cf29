/**
 * Reading an NDJSON trace back, line by line, with one-line error messages that name the line: the one
 * reader of the command line (`kafkasim hash`) and the page (viz/io/trace-file.ts), so both accept and
 * reject the same files, with the same words. Pure: the caller brings the lines.
 */
import { TRACE_SCHEMA_VERSION, type TraceEvent, type TraceEventType } from './events.js';
import { FIELD_SPECS, isTraceEventType } from './fields.js';

/** A trace file that cannot be read: the message names the source and the line. */
export class TraceFileError extends Error {}

/**
 * Checks trace lines one at a time and returns each event (undefined for a blank line). Each event must
 * be an object of a known type with every field of TRACE_FIELDS of the right kind (an optional one
 * present or left out, never null; other keys are kept and not hashed), the header first with this
 * schema version, and time never going backwards.
 */
export class TraceLineReader {
  count = 0;
  private lastT = -Infinity;
  constructor(private readonly source: string) {}

  /** Parses and checks one line (`n`: its 0-based line number, for messages). */
  line(raw: string, n: number): TraceEvent | undefined {
    const line = raw.trim();
    if (line === '') return undefined;
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      throw this.error(n, `not JSON: ${line.length > 60 ? `${line.slice(0, 60)}…` : line}`);
    }
    return this.event(ev, n);
  }

  /** Checks one parsed line (`n`: its 0-based line number, for messages). */
  event(ev: unknown, n: number): TraceEvent {
    const type = typeof ev === 'object' && ev !== null && !Array.isArray(ev) ? (ev as { type?: unknown }).type : undefined;
    if (!isTraceEventType(type)) throw this.error(n, `not a trace event (type ${JSON.stringify(type) ?? 'missing'})`);
    if (this.count === 0) {
      if (type !== 'header') throw this.error(n, `the first event must be the header, got ${type}`);
      const schema = (ev as { schema?: unknown }).schema;
      if (schema !== TRACE_SCHEMA_VERSION) throw new TraceFileError(`${this.source}: trace schema ${String(schema)}, kafkasim reads schema ${TRACE_SCHEMA_VERSION}`);
    }
    const o = ev as Record<string, unknown>;
    for (const f of FIELD_SPECS[type]) {
      const v = o[f.name];
      if (v === null) throw this.error(n, `"${f.name}" of a ${type} event is null (expected ${KIND_WORDS[f.kind]}; an optional field is left out, never null)`);
      if (v === undefined) {
        if (f.optional) continue;
        throw this.error(n, `a ${type} event without "${f.name}" (expected ${KIND_WORDS[f.kind]})`);
      }
      if (f.kind !== 'json' && typeof v !== f.kind) throw this.error(n, `"${f.name}" of a ${type} event is ${short(v)} (expected ${KIND_WORDS[f.kind]})`);
    }
    this.accept(type, o.t as number, n);
    return ev as TraceEvent;
  }

  /**
   * The checks on an event's place in the trace (the header first, time never going backwards), for an
   * event whose fields are known to be right (the page reads most lines from the bytes itself).
   */
  accept(type: TraceEventType, t: number, n: number): void {
    if (this.count === 0) {
      if (type !== 'header') throw this.error(n, `the first event must be the header, got ${type}`);
    } else if (t < this.lastT) {
      throw this.error(n, 'time goes backwards');
    }
    this.lastT = t;
    this.count++;
  }

  /** After the last line: throws for a trace without events. */
  end(): void {
    if (this.count === 0) throw new TraceFileError(`${this.source}: empty trace`);
  }

  private error(n: number, what: string): TraceFileError {
    return new TraceFileError(`${this.source}: line ${n + 1}: ${what}`);
  }
}

const KIND_WORDS = { number: 'a number', string: 'a string', boolean: 'true or false', json: 'a value' } as const;

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
