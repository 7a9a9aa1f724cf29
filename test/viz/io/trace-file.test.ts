/**
 * Trace files from the worker to the page: TraceBlockEncoder (the worker reads, checks, hashes and encodes
 * blocks of lines) and TraceBlockDecoder (the page makes the events). The events must be exactly what
 * JSON.parse gives for each line, the hash the CLI's, and errors must name the line.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { ArraySink, EVENT_FIELDS, hashEvents, toNdjson, TRACE_SCHEMA_VERSION, type TraceEvent } from '../../../sim/trace/index.js';
import { FORMS, parseTrace, TraceBlockDecoder, TraceBlockEncoder, TraceLineReader, type EncodedBlock } from '../../../viz/io/trace-file.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function simulate(file: string, seed: number): { events: TraceEvent[]; hash: string } {
  const sink = new ArraySink();
  const sim = createSimulation(parseScenario(readFileSync(`scenarios/${file}.yaml`, 'utf8'), file), { seed, sinks: [sink] });
  sim.run();
  return { events: sink.events, hash: sim.trace.hasher.digest() };
}

/** Encodes `text` in blocks of about `blockBytes` (cut after a newline, as the worker does) and decodes them. */
function roundTrip(text: string, source = 't.ndjson', blockBytes = 1 << 20): { events: TraceEvent[]; hash: string; blocks: EncodedBlock[] } {
  const b = bytes(text);
  const enc = new TraceBlockEncoder(source);
  const dec = new TraceBlockDecoder();
  const blocks: EncodedBlock[] = [];
  const events: TraceEvent[] = [];
  for (let at = 0; at < b.length; ) {
    let end = Math.min(b.length, at + blockBytes);
    if (end < b.length) {
      const nl = b.lastIndexOf(10, end - 1);
      end = nl >= at ? nl + 1 : b.indexOf(10, end) + 1 || b.length;
    }
    // A copy, as transferred: the decoder must not need the encoder's buffers.
    const block = structuredClone(enc.encode(b, at, end));
    blocks.push(block);
    events.push(...dec.decode(block));
    at = end;
  }
  return { events, hash: enc.end(), blocks };
}

/** What JSON.parse gives for each non-blank line. */
const parsedLines = (text: string): unknown[] =>
  text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l.trim()));

/** Same value: numbers by Object.is (-0 too), objects with the same keys in the same order. */
function same(a: unknown, b: unknown): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return Object.is(a, b);
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i] || !same((a as Record<string, unknown>)[ka[i]], (b as Record<string, unknown>)[kb[i]])) return false;
  return true;
}

/** Equal values and keys in the same order (describe() and the hash's generic path read them in order). */
function expectSameEvents(got: unknown[], want: unknown[]): void {
  expect(got.length).toBe(want.length);
  const bad = want.findIndex((w, i) => !same(got[i], w));
  if (bad >= 0) expect(got[bad]).toStrictEqual(want[bad]);
  expect(bad).toBe(-1);
}

const fastShare = (blocks: EncodedBlock[]): number => {
  let fast = 0;
  let all = 0;
  for (const b of blocks) for (const op of b.ops) all++, op > 0 && fast++;
  return fast / all;
};

describe('trace blocks from the worker to the page', () => {
  const runs = [
    ['acks1-leader-loss', 2],
    ['killed-leader', 7],
    ['power-loss', 5],
    ['unclean-election-loss', 3],
  ] as const;

  for (const [file, seed] of runs) {
    it(`${file}: the same events, keys in order, and the simulator's hash, whatever the block size`, () => {
      const sim = simulate(file, seed);
      const text = toNdjson(sim.events);
      const want = parsedLines(text);
      for (const size of [1 << 20, 50_000]) {
        const r = roundTrip(text, 't.ndjson', size);
        expectSameEvents(r.events, want);
        expect(r.hash).toBe(sim.hash);
      }
      // Tiny blocks (a line or two each) on the start of it.
      const head = toNdjson(sim.events.slice(0, 3000));
      expectSameEvents(roundTrip(head, 't.ndjson', 150).events, parsedLines(head));
      // Nearly every line is read from the bytes; only the rare types go through JSON.parse.
      expect(fastShare(roundTrip(text).blocks)).toBeGreaterThan(0.99);
    });
  }

  it('every form round-trips, with and without its optional field', () => {
    const lines = [
      `{"type":"header","t":0,"schema":${TRACE_SCHEMA_VERSION},"scenario":"x","seed":1,"kafkaVersion":"4.1","controller":"kraft","sessionTimeoutMs":9000,"truncation":"divergingEpoch","durationUs":10,"brokers":[1],"topics":[],"producers":[],"consumers":[]}`,
      '{"type":"msg","t":1,"id":7,"from":"b1","to":"ctl","kind":"BrokerHeartbeat","bytes":64,"recvUs":500}',
      '{"type":"msg","t":1,"id":8,"from":"p:p1","to":"b2","kind":"Produce","bytes":1064,"recvUs":900,"dropped":"linkDown"}',
      '{"type":"append","t":2,"broker":1,"tp":"t-0","offset":0,"count":5,"epoch":0,"pid":1000,"seq":0,"bytes":1000,"src":"produce"}',
      '{"type":"hw","t":3,"broker":1,"tp":"t-0","hw":5}',
      '{"type":"flush","t":3,"broker":1,"tp":"t-0","to":5}',
      '{"type":"batch","t":4,"producer":"p:p1","pid":1000,"tp":"t-0","seq":5,"count":5,"bytes":1000,"firstUs":2}',
      '{"type":"ack","t":5,"producer":"p:p1","pid":1000,"tp":"t-0","seq":0,"count":5,"offset":-1,"error":"NOT_ENOUGH_REPLICAS","attempts":3}',
      '{"type":"consume","t":6,"consumer":"c:c1","tp":"t-0","offset":0,"count":5,"epoch":0,"pid":1000,"seq":0}',
      '{"type":"drop","t":7,"id":7,"reason":"receiverDown"}',
      '{"type":"retry","t":8,"producer":"p:p1","tp":"t-0","seq":5,"count":5,"error":"NOT_LEADER_OR_FOLLOWER","attempt":1}',
      '{"type":"metadata","t":9,"node":"b1","version":3}',
      '{"type":"keysRemapped","t":9,"producer":"p1","topic":"t","partitions":8,"keysMoved":488}',
      '{"type":"broker","t":9,"broker":2,"state":"crashed","mode":"power"}',
      '{"type":"broker","t":9,"broker":2,"state":"running"}',
      '{"type":"broker","t":9,"broker":2,"state":"crashed","mode":"process","reason":"metadataLogDirFailed"}',
      '{"type":"disk","t":9,"broker":2,"dir":"/data/2","state":"failed"}',
      '{"type":"sendError","t":9,"producer":"p1","topic":"t","count":3,"error":"RecordTooLargeException","message":"The message is 2000088 bytes when serialized which is larger than 1048576, which is the value of the max.request.size configuration."}',
      '{"type":"truncate","t":9,"broker":2,"tp":"t-0","to":3,"removed":2,"reason":"divergingEpoch"}',
      '{"type":"truncationDetected","t":9,"consumer":"c:c1","tp":"t-0","position":5,"truncatedTo":3,"reset":"none"}',
      '{"type":"position","t":9,"consumer":"c1","tp":"t-0","offset":3,"from":"committed"}',
      '{"type":"end","t":10}',
    ];
    const text = lines.join('\n') + '\n';
    const r = roundTrip(text);
    expectSameEvents(r.events, parsedLines(text));
    expect(r.hash).toBe(hashEvents(parsedLines(text) as TraceEvent[]));
    // All but the header and the broker events (two optional fields: rare events, read by JSON.parse) were
    // read from the bytes: FORMS covers each type of numbers and strings, in EVENT_FIELDS order.
    expect(r.blocks[0].ops.filter((op) => op === 0).length).toBe(4);
    expect(FORMS.map((f) => f.type).sort()).toEqual([
      'ack',
      'append',
      'batch',
      'consume',
      'disk',
      'drop',
      'end',
      'flush',
      'held',
      'hw',
      'keysRemapped',
      'metadata',
      'msg',
      'position',
      'resend',
      'retry',
      'sendError',
      'truncate',
      'truncationDetected',
    ]);
    for (const f of FORMS) expect(['type', ...f.fields.map(([name]) => name), ...(f.opt ? [f.opt] : [])]).toEqual(EVENT_FIELDS[f.type as keyof typeof EVENT_FIELDS]);
  });

  it('lines in any other form give what JSON.parse gives (and the same hash)', () => {
    const header = `{"type":"header","t":0,"schema":${TRACE_SCHEMA_VERSION},"scenario":"x","seed":1,"kafkaVersion":"4.1","controller":"kraft","sessionTimeoutMs":9000,"truncation":"divergingEpoch","durationUs":10,"brokers":[1],"topics":[],"producers":[],"consumers":[]}`;
    const odd = [
      '{"type":"hw","t":1,"broker":1,"tp":"t-0","hw":5}\r', // CRLF
      '  {"type":"hw","t":1,"broker":1,"tp":"t-0","hw":5}  ', // spaces
      '{ "type": "hw", "t": 1, "broker": 1, "tp": "t-0", "hw": 5 }',
      '{"t":1,"type":"hw","broker":1,"tp":"t-0","hw":5}', // other key order
      '{"type":"hw","t":1,"tp":"t-0","broker":1,"hw":5}',
      '{"type":"hw","t":1.5,"broker":1,"tp":"t-0","hw":5}', // not integers
      '{"type":"hw","t":2,"broker":1,"tp":"t-0","hw":5e3}',
      '{"type":"hw","t":2,"broker":1,"tp":"t-0","hw":1E3}',
      '{"type":"hw","t":2,"broker":1,"tp":"t-0","hw":12345678901234567890}', // beyond 2^53
      '{"type":"hw","t":2,"broker":1,"tp":"t-0","hw":123456789012345}', // 15 digits: read from the bytes
      '{"type":"hw","t":2,"broker":-0,"tp":"t-0","hw":-7}',
      '{"type":"hw","t":2,"broker":1,"tp":"t-\\u0030","hw":5}', // escapes
      '{"type":"hw","t":2,"broker":1,"tp":"t\\"0","hw":5}',
      '{"type":"hw","t":2,"broker":1,"tp":"tö-0","hw":5}', // non-ASCII
      '{"type":"hw","t":2,"broker":1,"tp":"日本-0","hw":5}',
      '{"type":"hw","t":2,"broker":1,"tp":"t-0","hw":5,"extra":true}', // an extra field
      '{"type":"hw","t":2,"broker":1,"tp":"","hw":5}',
      '{"type":"msg","t":2,"id":1,"from":"b1","to":"b2","kind":"Fetch","bytes":1,"recvUs":3,"other":"x"}',
      '{"type":"end","t":2}',
      '',
      '   ',
      '{"type":"hw","t":3,"broker":1,"tp":"t-0","hw":5}',
    ];
    const text = [header, ...odd].join('\n');
    for (const size of [1 << 20, 64]) {
      const r = roundTrip(text, 't.ndjson', size);
      expectSameEvents(r.events, parsedLines(text));
      expect(r.hash).toBe(hashEvents(parsedLines(text) as TraceEvent[]));
    }
  });

  it('any values in a busy line give what JSON.parse gives', () => {
    const header = `{"type":"header","t":0,"schema":${TRACE_SCHEMA_VERSION},"scenario":"x","seed":1,"kafkaVersion":"4.1","controller":"kraft","sessionTimeoutMs":9000,"truncation":"divergingEpoch","durationUs":10,"brokers":[1],"topics":[],"producers":[],"consumers":[]}`;
    const value = fc.oneof(
      fc.integer(),
      fc.maxSafeInteger(),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.string({ unit: 'binary' }),
      fc.constantFrom('t-0', 'b1', ''),
      fc.boolean(),
      fc.constant(null),
    );
    const valueFor = (kind: string) =>
      kind === 's' ? fc.oneof(fc.string({ unit: 'binary' }), fc.constantFrom('t-0', 'b1', '')) : fc.oneof(fc.integer(), fc.maxSafeInteger(), fc.double({ noNaN: true, noDefaultInfinity: true }));
    // Mostly values of the field's kind (read from the bytes or not), sometimes anything (rejected or not).
    const values = fc
      .constantFrom(...FORMS)
      .chain((form) =>
        fc.tuple(
          fc.constant(form),
          fc.tuple(
            ...[...form.fields.map(([, kind]) => fc.oneof({ weight: 4, arbitrary: valueFor(kind) }, { weight: 1, arbitrary: value })), ...Array.from({ length: 12 - form.fields.length }, () => value)],
          ),
        ),
      );
    fc.assert(
      fc.property(values, fc.boolean(), ([form, vals], withOpt) => {
        const ev: Record<string, unknown> = { type: form.type };
        form.fields.forEach(([name], k) => (ev[name] = name === 't' ? 1 : vals[k]));
        if (withOpt && form.opt) ev[form.opt] = vals[11];
        const text = `${header}\n${JSON.stringify(ev)}\n`;
        // A value of the wrong kind, or null (the simulator leaves an optional field out): the line reader's
        // message naming the line (the one `kafkasim hash` gives too).
        let invalid: string | undefined;
        try {
          const reader = new TraceLineReader('t.ndjson');
          text.split('\n').forEach((line, n) => reader.line(line, n));
        } catch (e) {
          invalid = (e as Error).message;
        }
        if (invalid !== undefined) {
          expect(invalid).toMatch(/^t\.ndjson: line 2: "\w+" of a \w+ event is .* \(expected a (number|string)[;)]/);
          expect(() => roundTrip(text)).toThrow(invalid);
          return;
        }
        let hash: string;
        try {
          hash = hashEvents(parsedLines(text) as TraceEvent[]);
        } catch (e) {
          // The trace hash itself fails on some values: so does reading the file.
          expect(() => roundTrip(text)).toThrow((e as Error).message);
          return;
        }
        const r = roundTrip(text);
        expectSameEvents(r.events, parsedLines(text));
        expect(r.hash).toBe(hash);
      }),
      { numRuns: 500 },
    );
  }, 60_000);

  it('a file read in chunks cut anywhere (in a line, in a character) gives the same events', () => {
    const sim = simulate('acks1-leader-loss', 2);
    const odd = ['{"type":"hw","t":99999999,"broker":1,"tp":"tö-0","hw":5}', '{ "type": "end", "t": 99999999 }\r'];
    for (const [events, sizes, ending] of [
      [300, [1, 7], '\n'],
      [4000, [1000, 65_536], '\n'],
      [4000, [999], ''],
    ] as const) {
      const text = toNdjson(sim.events.slice(0, events)) + odd.join('\n') + ending;
      const b = bytes(text);
      const want = parsedLines(text);
      for (const size of sizes) {
        const enc = new TraceBlockEncoder('t.ndjson');
        const dec = new TraceBlockDecoder();
        const got: TraceEvent[] = [];
        for (let at = 0; at < b.length; at += size) got.push(...dec.decode(structuredClone(enc.push(b.slice(at, at + size)))));
        got.push(...dec.decode(enc.flush()));
        expectSameEvents(got, want);
        expect(enc.end()).toBe(hashEvents(want as TraceEvent[]));
      }
    }
  });

  it('names the bad line, counting lines across blocks and blank lines', () => {
    const sim = simulate('acks1-leader-loss', 2);
    const lines = toNdjson(sim.events.slice(0, 3000)).split('\n');
    lines.splice(5, 0, ''); // a blank line
    lines[2500] = '{"type":"hw","t":';
    expect(() => roundTrip(lines.join('\n'), 't.ndjson', 4096)).toThrow(/^t\.ndjson: line 2501: not JSON: \{"type":"hw","t":$/);
    lines[2500] = '{"type":"hw","t":01,"broker":1,"tp":"t-0","hw":5}'; // a leading zero is not JSON
    expect(() => roundTrip(lines.join('\n'), 't.ndjson', 4096)).toThrow(/^t\.ndjson: line 2501: not JSON/);
    lines[2500] = '{"type":"hw","t":1,"broker":1,"tp":"t-0","hw":5}'; // earlier than the line before
    expect(() => roundTrip(lines.join('\n'), 't.ndjson', 4096)).toThrow('t.ndjson: line 2501: time goes backwards');
    lines[2500] = '{"type":"nope","t":1}';
    expect(() => roundTrip(lines.join('\n'), 't.ndjson', 4096)).toThrow('t.ndjson: line 2501: not a trace event (type "nope")');
    // A null field (the simulator leaves optional fields out) names the line rather than breaking the hash.
    const t = (JSON.parse(lines[2499]) as { t: number }).t;
    lines[2500] = `{"type":"hw","t":${t},"broker":1,"tp":null,"hw":5}`;
    expect(() => roundTrip(lines.join('\n'), 't.ndjson', 4096)).toThrow('t.ndjson: line 2501: "tp" of a hw event is null (expected a string; an optional field is left out, never null)');
    // Numbers JSON reads as Infinity, in the bytes' fast path and in the slow one.
    lines[2500] = `{"type":"hw","t":${t},"broker":1,"tp":"t-0","hw":1e999}`;
    expect(() => roundTrip(lines.join('\n'), 't.ndjson', 4096)).toThrow('t.ndjson: line 2501: "hw" of a hw event is Infinity (expected a finite number)');
    lines[2500] = `{"type":"end","t":1e999}`;
    expect(() => roundTrip(lines.join('\n'), 't.ndjson', 4096)).toThrow('t.ndjson: line 2501: "t" of a end event is Infinity (expected a finite number)');
  });

  it('rejects a header whose brokers are not a list, or too many to draw', () => {
    const sim = simulate('acks1-leader-loss', 2);
    const [head, ...rest] = toNdjson(sim.events.slice(0, 10)).split('\n');
    const h = JSON.parse(head!) as Record<string, unknown>;
    expect(() => roundTrip([JSON.stringify({ ...h, brokers: 3 }), ...rest].join('\n'))).toThrow('t.ndjson: line 1: "brokers" of a header event is 3 (expected a list of 1 to 1000 broker ids)');
    const many = Array.from({ length: 1_000_000 }, (_, i) => i);
    expect(() => roundTrip([JSON.stringify({ ...h, brokers: many }), ...rest].join('\n'))).toThrow('expected a list of 1 to 1000 broker ids');
  });

  it('rejects a file that does not start with a header, an empty one and another schema', () => {
    const sim = simulate('acks1-leader-loss', 2);
    const text = toNdjson(sim.events.slice(0, 10));
    expect(() => roundTrip(text.split('\n').slice(1).join('\n'))).toThrow('t.ndjson: line 1: the first event must be the header, got broker');
    expect(() => roundTrip(text.split('\n').slice(5).join('\n'))).toThrow(/^t\.ndjson: line 1: the first event must be the header, got msg$/);
    expect(() => roundTrip('\n \n')).toThrow('t.ndjson: empty trace');
    expect(() => roundTrip(text.replace(`"schema":${TRACE_SCHEMA_VERSION}`, '"schema":99'))).toThrow(`t.ndjson: trace schema 99, kafkasim reads schema ${TRACE_SCHEMA_VERSION}`);
  });

  it('parseTrace reads a whole text the same way', () => {
    const sim = simulate('killed-leader', 7);
    const text = toNdjson(sim.events.slice(0, 5000));
    expectSameEvents(parseTrace(text, 'x.ndjson'), parsedLines(text));
  }, 60_000);
});
