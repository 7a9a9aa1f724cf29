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
      if (f.kind === 'number' && !Number.isFinite(v)) throw this.error(n, `"${f.name}" of a ${type} event is ${String(v)} (expected a finite number)`);
      if (f.kind === 'json') {
        const wrong = JSON_SHAPES[`${type}.${f.name}`]?.(v);
        if (wrong !== undefined) throw this.error(n, `"${f.name}" of a ${type} event is ${short(v)} (expected ${wrong})`);
      }
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

/**
 * The trace's limits on what a header may list: the scenario validator's (sim/scenario/names.ts LIMITS),
 * so that a hostile trace cannot make a reader build a million brokers.
 */
export const TRACE_LIMITS = Object.freeze({ brokers: 1000, partitions: 200_000, topics: 10_000, clients: 1000 });

const isId = (x: unknown): boolean => typeof x === 'number' && Number.isInteger(x) && x >= -1 && x <= 2_147_483_647;
const ids = (max: number) => (v: unknown) => (Array.isArray(v) && v.length <= max && v.every(isId) ? undefined : `a list of at most ${max} broker ids`);
const isObj = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const finite = (x: unknown): boolean => typeof x === 'number' && Number.isFinite(x);

function topicsShape(v: unknown): string | undefined {
  const expected = `a list of at most ${TRACE_LIMITS.topics} topics {name, partitions, replicationFactor, replicas, minInsyncReplicas, uncleanLeaderElectionEnable}, ${TRACE_LIMITS.partitions} partitions in all`;
  if (!Array.isArray(v) || v.length > TRACE_LIMITS.topics) return expected;
  let partitions = 0;
  for (const t of v) {
    if (!isObj(t) || typeof t.name !== 'string' || !finite(t.partitions) || !finite(t.replicationFactor) || !finite(t.minInsyncReplicas) || typeof t.uncleanLeaderElectionEnable !== 'boolean')
      return expected;
    if (!Array.isArray(t.replicas) || t.replicas.length !== t.partitions || !t.replicas.every((r) => ids(TRACE_LIMITS.brokers)(r) === undefined)) return expected;
    partitions += t.replicas.length;
    if (partitions > TRACE_LIMITS.partitions) return expected;
  }
  return undefined;
}

const clients = (fields: Record<string, string>) => (v: unknown) => {
  const ok = Array.isArray(v) && v.length <= TRACE_LIMITS.clients && v.every((c) => isObj(c) && Object.entries(fields).every(([k, kind]) => typeof c[k] === kind));
  return ok ? undefined : `a list of at most ${TRACE_LIMITS.clients} {${Object.keys(fields).join(', ')}}`;
};

/** A list of names (consumers, partitions). */
function names(v: unknown): string | undefined {
  return Array.isArray(v) && v.length <= TRACE_LIMITS.partitions && v.every((x) => typeof x === 'string') ? undefined : 'a list of names';
}

/** The shape of each structured (`json`) field, beyond being present and not null. */
/** One list of broker ids per partition (a `partitions` event's assignments and ISRs). */
function idLists(v: unknown): string | undefined {
  const ok = Array.isArray(v) && v.length <= TRACE_LIMITS.partitions && v.every((r) => ids(TRACE_LIMITS.brokers)(r) === undefined);
  return ok ? undefined : `a list of at most ${TRACE_LIMITS.partitions} lists of broker ids`;
}

export const JSON_SHAPES: Record<string, (v: unknown) => string | undefined> = {
  'header.brokers': (v) => (Array.isArray(v) && v.length >= 1 && ids(TRACE_LIMITS.brokers)(v) === undefined ? undefined : `a list of 1 to ${TRACE_LIMITS.brokers} broker ids`),
  'header.topics': topicsShape,
  'header.producers': clients({ name: 'string', topic: 'string', acks: 'number', idempotence: 'boolean' }),
  'header.consumers': clients({ name: 'string', topic: 'string' }),
  'header.racks': (v) => (isObj(v) && Object.values(v).every((r) => typeof r === 'string') ? undefined : 'an object of broker id → rack name'),
  'fault.targets': (v) => (Array.isArray(v) && v.every((x) => typeof x === 'string') ? undefined : 'a list of node names'),
  'election.isr': ids(TRACE_LIMITS.brokers),
  'isr.isr': ids(TRACE_LIMITS.brokers),
  'isr.prev': ids(TRACE_LIMITS.brokers),
  'isr.elr': ids(TRACE_LIMITS.brokers),
  'isr.lastKnownElr': ids(TRACE_LIMITS.brokers),
  'group.members': names,
  'assignment.partitions': names,
  'assignment.added': names,
  'assignment.revoked': names,
  'assignment.lost': names,
  'commit.offsets': (v) => (Array.isArray(v) && v.length <= TRACE_LIMITS.partitions && v.every((o) => isObj(o) && typeof o.tp === 'string' && finite(o.offset)) ? undefined : 'a list of {tp, offset}'),
  'partitions.replicas': idLists,
  'partitions.isr': idLists,
  'reassign.replicas': ids(TRACE_LIMITS.brokers),
  'reassign.adding': ids(TRACE_LIMITS.brokers),
  'reassign.removing': ids(TRACE_LIMITS.brokers),
};

const KIND_WORDS = { number: 'a number', string: 'a string', boolean: 'true or false', json: 'a value' } as const;

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
