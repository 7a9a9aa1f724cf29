/**
 * The one trace reader (kafkasim hash and the page): hostile lines get a one-line error naming the line,
 * never a crash, an Infinity or a reader that builds a million brokers.
 */
import { describe, expect, it } from 'vitest';
import { LIMITS } from '../../../sim/scenario/names.js';
import { TRACE_FIELDS } from '../../../sim/trace/fields.js';
import { traceHeader } from '../../trace-header.js';
import { JSON_SHAPES, TRACE_LIMITS, TraceFileError, TraceLineReader } from '../../../sim/trace/reader.js';

const HEADER = traceHeader();

function read(...lines: string[]): void {
  const r = new TraceLineReader('t.ndjson');
  lines.forEach((l, i) => r.line(l, i));
  r.end();
}

const header = (over: Record<string, unknown>) => JSON.stringify({ ...HEADER, ...over });

describe('TraceLineReader', () => {
  it.each([
    ['an infinite time', [header({}), '{"type":"end","t":1e999}'], 't.ndjson: line 2: "t" of a end event is Infinity (expected a finite number)'],
    ['brokers that are not a list', [header({ brokers: 3 })], 't.ndjson: line 1: "brokers" of a header event is 3 (expected a list of 1 to 1000 broker ids)'],
    ['a million brokers', [header({ brokers: Array.from({ length: 1_000_000 }, (_, i) => i) })], 'expected a list of 1 to 1000 broker ids'],
    [
      'a topic with no replicas',
      [header({ topics: [{ name: 't', partitions: 2, replicationFactor: 1, replicas: [[1]], minInsyncReplicas: 1, uncleanLeaderElectionEnable: false }] })],
      '"topics" of a header event',
    ],
    ['topics that are not objects', [header({ topics: [5] })], '"topics" of a header event is [5]'],
    ['a producer without a name', [header({ producers: [{ topic: 't', acks: 1, idempotence: false }] })], '"producers" of a header event'],
    [
      'an ISR of strings',
      [header({}), '{"type":"isr","t":1,"tp":"t-0","isr":["a"],"prev":[],"elr":[],"lastKnownElr":[],"partitionEpoch":1,"reason":"shrink"}'],
      't.ndjson: line 2: "isr" of a isr event is ["a"]',
    ],
    ['fault targets that are not names', [header({}), '{"type":"fault","t":1,"verb":"crash","text":"x","targets":{}}'], '"targets" of a fault event is {}'],
  ])('rejects %s', (_what, lines, message) => {
    expect(() => read(...lines)).toThrow(TraceFileError);
    expect(() => read(...lines)).toThrow(message);
  });

  it('accepts a well-formed header and events', () => {
    expect(() =>
      read(
        header({ topics: [{ name: 't', partitions: 1, replicationFactor: 1, replicas: [[1]], minInsyncReplicas: 1, uncleanLeaderElectionEnable: false }], racks: { '1': 'a' } }),
        '{"type":"isr","t":1,"tp":"t-0","isr":[],"prev":[1],"elr":[1],"lastKnownElr":[1],"partitionEpoch":1,"reason":"fenced"}',
        '{"type":"end","t":2}',
      ),
    ).not.toThrow();
  });

  it("has a shape for every structured field, and the validator's limits", () => {
    const json = Object.entries(TRACE_FIELDS).flatMap(([type, fields]) =>
      Object.entries(fields as Record<string, string>)
        .filter(([, k]) => k.startsWith('json'))
        .map(([f]) => `${type}.${f}`),
    );
    expect(Object.keys(JSON_SHAPES).sort()).toEqual(json.sort());
    expect(TRACE_LIMITS.brokers).toBe(LIMITS.brokers);
    expect(TRACE_LIMITS.partitions).toBe(LIMITS.partitions);
    expect(TRACE_LIMITS.topics).toBe(LIMITS.topics);
    expect(TRACE_LIMITS.clients).toBe(Math.min(LIMITS.producers, LIMITS.consumers));
  });
});
