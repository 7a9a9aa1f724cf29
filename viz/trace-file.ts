/**
 * Reading an NDJSON trace back (a file saved with `kafkasim run --trace out.ndjson`), with one-line error
 * messages that say where the problem is.
 */
import { EVENT_FIELDS, TRACE_SCHEMA_VERSION, type TraceEvent } from '../sim/trace.js';

export class TraceFileError extends Error {}

/** True when the text looks like an NDJSON trace rather than a scenario. */
export function looksLikeTrace(text: string, name = ''): boolean {
  if (/\.(ndjson|jsonl)$/i.test(name)) return true;
  const first = text.trimStart().split('\n', 1)[0] ?? '';
  return /^\{\s*"type"\s*:/.test(first);
}

export function parseTrace(text: string, source: string): TraceEvent[] {
  const events: TraceEvent[] = [];
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n].trim();
    if (line === '') continue;
    let ev: unknown;
    try {
      ev = JSON.parse(line);
    } catch {
      throw new TraceFileError(`${source}: line ${n + 1}: not JSON: ${line.length > 60 ? `${line.slice(0, 60)}…` : line}`);
    }
    const type = (ev as { type?: unknown })?.type;
    if (typeof ev !== 'object' || ev === null || typeof type !== 'string' || !(type in EVENT_FIELDS)) {
      throw new TraceFileError(`${source}: line ${n + 1}: not a trace event (type ${JSON.stringify(type)})`);
    }
    if (typeof (ev as { t?: unknown }).t !== 'number') throw new TraceFileError(`${source}: line ${n + 1}: event without a numeric t`);
    if (events.length === 0) {
      if (type !== 'header') throw new TraceFileError(`${source}: line ${n + 1}: the first event must be the header, got ${type}`);
      const schema = (ev as { schema?: unknown }).schema;
      if (schema !== TRACE_SCHEMA_VERSION) throw new TraceFileError(`${source}: trace schema ${String(schema)}, this visualizer reads schema ${TRACE_SCHEMA_VERSION}`);
    } else if ((ev as TraceEvent).t < events[events.length - 1].t) {
      throw new TraceFileError(`${source}: line ${n + 1}: time goes backwards`);
    }
    events.push(ev as TraceEvent);
  }
  if (events.length === 0) throw new TraceFileError(`${source}: empty trace`);
  return events;
}
