/**
 * Reading an NDJSON trace back (a file saved with `kafkasim run --trace out.ndjson`), with one-line error
 * messages that say where the problem is.
 *
 * A trace file goes from the worker to the page in blocks of whole lines. The worker
 * (`TraceBlockEncoder`) reads the file as bytes and checks every line: the busy event types (msg, append,
 * hw, batch, ack, ...) written the way `kafkasim run --trace` writes them (JSON.stringify: the keys of
 * EVENT_FIELDS in order, integers, plain ASCII strings) are read straight from the bytes into numbers (a
 * Float64Array, transferred to the page without a copy) and a table of strings; any other line (the
 * header, faults, elections, ..., or an event written in another form) goes through JSON.parse and the
 * checks of TraceLineReader and is passed on as JSON text. The worker also computes the trace hash, over
 * the very events the page will decode. The page (`TraceBlockDecoder`) only makes the event objects (no
 * JSON.parse for most lines, no checks, no hashing) and indexes them while the worker reads on. A decoded
 * event equals what JSON.parse gives for its line, keys in the same order.
 */
import { EVENT_FIELDS, TRACE_SCHEMA_VERSION, TraceHasher, type KafkaError, type TraceEvent } from '../../sim/index.js';

export class TraceFileError extends Error {}

/** True when the text looks like an NDJSON trace rather than a scenario. */
export function looksLikeTrace(text: string, name = ''): boolean {
  if (/\.(ndjson|jsonl)$/i.test(name)) return true;
  const first = text.trimStart().split('\n', 1)[0] ?? '';
  return /^\{\s*"type"\s*:/.test(first);
}

/**
 * Checks trace lines one at a time and returns each event (undefined for a blank line): TraceBlockEncoder
 * hands it the lines it does not read itself, and the place in the trace of those it does (`accept`).
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
    // The simulator leaves an optional field out, never null: a null would only break the hash later.
    for (const f of EVENT_FIELDS[type as keyof typeof EVENT_FIELDS]) {
      if ((ev as Record<string, unknown>)[f] === null) throw new TraceFileError(`${source}: line ${n + 1}: "${f}" of a ${type} event is null (expected a value; an optional field is left out, never null)`);
    }
    if (this.count === 0 && type === 'header') {
      const schema = (ev as { schema?: unknown }).schema;
      if (schema !== TRACE_SCHEMA_VERSION) throw new TraceFileError(`${source}: trace schema ${String(schema)}, this visualizer reads schema ${TRACE_SCHEMA_VERSION}`);
    }
    this.accept(type, t, n);
    return ev as TraceEvent;
  }

  /**
   * The checks on an event's place in the trace (the header first, time never going backwards) for an
   * event of a known type with a numeric `t`; a header's schema is checked by `event`.
   */
  accept(type: string, t: number, n: number): void {
    if (this.count === 0) {
      if (type !== 'header') throw new TraceFileError(`${this.source}: line ${n + 1}: the first event must be the header, got ${type}`);
    } else if (t < this.lastT) {
      throw new TraceFileError(`${this.source}: line ${n + 1}: time goes backwards`);
    }
    this.lastT = t;
    this.count++;
  }

  end(): void {
    if (this.count === 0) throw new TraceFileError(`${this.source}: empty trace`);
  }
}

/** A block of events, as the worker posts it (ops.buffer and vals.buffer can be transferred). */
export interface EncodedBlock {
  /** Per event: its form (FORMS index + 1; + 1 more with the optional field), or 0: the next event of `json`. */
  ops: Uint8Array;
  /** The fields after `type` of the encoded events, in order; a string as its index in the string table. */
  vals: Float64Array;
  /** Strings added to the string table by this block (the table grows from block to block). */
  strings: string[];
  /** The other events of the block, as one JSON array ('' for none). */
  json: string;
}

type Kind = 'n' | 's';

interface Form {
  type: string;
  /** The fields after `type`, in EVENT_FIELDS order: integers (n) or strings (s). `t` first. */
  fields: ReadonlyArray<readonly [string, Kind]>;
  /** An optional last string field (its own op: the form's op + 1). */
  opt?: string;
}

/** The event types read from the bytes (the others are rare: JSON.parse). Ops: index + 1 (+ 1 with `opt`). */
export const FORMS: readonly Form[] = [
  { type: 'msg', fields: [['t', 'n'], ['id', 'n'], ['from', 's'], ['to', 's'], ['kind', 's'], ['bytes', 'n'], ['recvUs', 'n']], opt: 'dropped' },
  { type: 'append', fields: [['t', 'n'], ['broker', 'n'], ['tp', 's'], ['offset', 'n'], ['count', 'n'], ['epoch', 'n'], ['pid', 'n'], ['seq', 'n'], ['bytes', 'n'], ['src', 's']] },
  { type: 'hw', fields: [['t', 'n'], ['broker', 'n'], ['tp', 's'], ['hw', 'n']] },
  { type: 'flush', fields: [['t', 'n'], ['broker', 'n'], ['tp', 's'], ['to', 'n']] },
  { type: 'batch', fields: [['t', 'n'], ['producer', 's'], ['pid', 'n'], ['tp', 's'], ['seq', 'n'], ['count', 'n'], ['bytes', 'n'], ['firstUs', 'n']] },
  { type: 'ack', fields: [['t', 'n'], ['producer', 's'], ['pid', 'n'], ['tp', 's'], ['seq', 'n'], ['count', 'n'], ['offset', 'n'], ['error', 's'], ['attempts', 'n']] },
  { type: 'consume', fields: [['t', 'n'], ['consumer', 's'], ['tp', 's'], ['offset', 'n'], ['count', 'n'], ['epoch', 'n'], ['pid', 'n'], ['seq', 'n']] },
  { type: 'drop', fields: [['t', 'n'], ['id', 'n'], ['reason', 's']] },
  { type: 'retry', fields: [['t', 'n'], ['producer', 's'], ['tp', 's'], ['seq', 'n'], ['count', 'n'], ['error', 's'], ['attempt', 'n']] },
  { type: 'metadata', fields: [['t', 'n'], ['node', 's'], ['version', 'n']] },
];

// Ops (see TraceBlockDecoder.events: one object literal per op).
const MSG = 1;
const MSG_DROPPED = 2;
const APPEND = 3;
const HW = 4;
const FLUSH = 5;
const BATCH = 6;
const ACK = 7;
const CONSUME = 8;
const DROP = 9;
const RETRY = 10;
const METADATA = 11;

/** Op of each form (the form with its optional field: op + 1). */
const OPS: number[] = [];
{
  let op = 1;
  for (const f of FORMS) {
    OPS.push(op);
    op += f.opt === undefined ? 1 : 2;
  }
}
const FORM_OF_TYPE = new Map(FORMS.map((f, k) => [f.type, k]));

const ascii = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

/** Per form: its fields' `,"name":` literals one after the other, where each ends, and kinds (1: string). */
const LITS: Uint8Array[] = FORMS.map((f) => ascii(f.fields.map(([name]) => `,"${name}":`).join('')));
const LIT_END: Int32Array[] = FORMS.map((f) => {
  let at = 0;
  return Int32Array.from(f.fields, ([name]) => (at += name.length + 4));
});
const KINDS: Uint8Array[] = FORMS.map((f) => Uint8Array.from(f.fields, ([, kind]) => (kind === 's' ? 1 : 0)));
/** Per form: the index of its first field among all forms' fields (for `lastInSlot`). */
const SLOT0: number[] = [];
let SLOTS = 0;
for (const f of FORMS) {
  SLOT0.push(SLOTS);
  SLOTS += f.fields.length;
}
const OPT_LIT: Array<Uint8Array | undefined> = FORMS.map((f) => (f.opt === undefined ? undefined : ascii(`,"${f.opt}":`)));
/** The form of each op. */
const FORM_OF_OP: number[] = [-1];
FORMS.forEach((f, k) => {
  FORM_OF_OP.push(k);
  if (f.opt !== undefined) FORM_OF_OP.push(k);
});
/** The event type of each op. */
const TYPE_OF_OP: string[] = FORM_OF_OP.map((f) => (f < 0 ? '' : FORMS[f].type));
/** Values per op. */
const SIZE: number[] = [0];
FORMS.forEach((f) => {
  SIZE.push(f.fields.length);
  if (f.opt !== undefined) SIZE.push(f.fields.length + 1);
});

/** Makes the events of blocks (the page keeps one per trace: the string table grows block by block). */
export class TraceBlockDecoder {
  readonly strings: string[] = [];

  /** The events of the next block of the trace. */
  decode(block: EncodedBlock): TraceEvent[] {
    for (const s of block.strings) this.strings.push(s);
    return this.events(block, block.json === '' ? [] : (JSON.parse(block.json) as TraceEvent[]));
  }

  /** The block's events, its strings being in the table already and its other events in `rest`. */
  events(block: EncodedBlock, rest: readonly TraceEvent[]): TraceEvent[] {
    const S = this.strings;
    const v = block.vals;
    const ops = block.ops;
    const out: TraceEvent[] = new Array(ops.length);
    let p = 0;
    let r = 0;
    for (let k = 0; k < ops.length; k++) {
      let ev: TraceEvent;
      switch (ops[k]) {
        case 0:
          ev = rest[r++];
          break;
        case MSG:
          ev = { type: 'msg', t: v[p], id: v[p + 1], from: S[v[p + 2] | 0], to: S[v[p + 3] | 0], kind: S[v[p + 4] | 0], bytes: v[p + 5], recvUs: v[p + 6] };
          p += 7;
          break;
        case MSG_DROPPED:
          ev = { type: 'msg', t: v[p], id: v[p + 1], from: S[v[p + 2] | 0], to: S[v[p + 3] | 0], kind: S[v[p + 4] | 0], bytes: v[p + 5], recvUs: v[p + 6], dropped: S[v[p + 7] | 0] };
          p += 8;
          break;
        case APPEND:
          ev = {
            type: 'append', t: v[p], broker: v[p + 1], tp: S[v[p + 2] | 0], offset: v[p + 3], count: v[p + 4], epoch: v[p + 5], pid: v[p + 6], seq: v[p + 7], bytes: v[p + 8],
            src: S[v[p + 9] | 0] as 'produce' | 'fetch',
          };
          p += 10;
          break;
        case HW:
          ev = { type: 'hw', t: v[p], broker: v[p + 1], tp: S[v[p + 2] | 0], hw: v[p + 3] };
          p += 4;
          break;
        case FLUSH:
          ev = { type: 'flush', t: v[p], broker: v[p + 1], tp: S[v[p + 2] | 0], to: v[p + 3] };
          p += 4;
          break;
        case BATCH:
          ev = { type: 'batch', t: v[p], producer: S[v[p + 1] | 0], pid: v[p + 2], tp: S[v[p + 3] | 0], seq: v[p + 4], count: v[p + 5], bytes: v[p + 6], firstUs: v[p + 7] };
          p += 8;
          break;
        case ACK:
          ev = {
            type: 'ack', t: v[p], producer: S[v[p + 1] | 0], pid: v[p + 2], tp: S[v[p + 3] | 0], seq: v[p + 4], count: v[p + 5], offset: v[p + 6],
            error: S[v[p + 7] | 0] as KafkaError, attempts: v[p + 8],
          };
          p += 9;
          break;
        case CONSUME:
          ev = { type: 'consume', t: v[p], consumer: S[v[p + 1] | 0], tp: S[v[p + 2] | 0], offset: v[p + 3], count: v[p + 4], epoch: v[p + 5], pid: v[p + 6], seq: v[p + 7] };
          p += 8;
          break;
        case DROP:
          ev = { type: 'drop', t: v[p], id: v[p + 1], reason: S[v[p + 2] | 0] };
          p += 3;
          break;
        case RETRY:
          ev = {
            type: 'retry', t: v[p], producer: S[v[p + 1] | 0], tp: S[v[p + 2] | 0], seq: v[p + 3], count: v[p + 4],
            error: S[v[p + 5] | 0] as KafkaError, attempt: v[p + 6],
          };
          p += 7;
          break;
        case METADATA:
          ev = { type: 'metadata', t: v[p], node: S[v[p + 1] | 0], version: v[p + 2] };
          p += 3;
          break;
        default:
          throw new Error(`trace block: unknown op ${ops[k]}`);
      }
      out[k] = ev;
    }
    return out;
  }
}

/**
 * Hashes each event of a block (its strings in `S`, its other events in `rest`), as one object per op
 * reused for every event of that op: the hasher keeps nothing (making a million events only to hash them
 * cost more). The same fields, in the same order, as TraceBlockDecoder.events makes.
 */
function hashBlock(hasher: TraceHasher, block: EncodedBlock, S: readonly string[], rest: readonly TraceEvent[]): void {
  const v = block.vals;
  const ops = block.ops;
  const msg = { type: 'msg' as const, t: 0, id: 0, from: '', to: '', kind: '', bytes: 0, recvUs: 0 };
  const msgDropped = { type: 'msg' as const, t: 0, id: 0, from: '', to: '', kind: '', bytes: 0, recvUs: 0, dropped: '' };
  const append = { type: 'append' as const, t: 0, broker: 0, tp: '', offset: 0, count: 0, epoch: 0, pid: 0, seq: 0, bytes: 0, src: 'produce' as 'produce' | 'fetch' };
  const hw = { type: 'hw' as const, t: 0, broker: 0, tp: '', hw: 0 };
  const flush = { type: 'flush' as const, t: 0, broker: 0, tp: '', to: 0 };
  const batch = { type: 'batch' as const, t: 0, producer: '', pid: 0, tp: '', seq: 0, count: 0, bytes: 0, firstUs: 0 };
  const ack = { type: 'ack' as const, t: 0, producer: '', pid: 0, tp: '', seq: 0, count: 0, offset: 0, error: 'NONE' as KafkaError, attempts: 0 };
  const consume = { type: 'consume' as const, t: 0, consumer: '', tp: '', offset: 0, count: 0, epoch: 0, pid: 0, seq: 0 };
  const drop = { type: 'drop' as const, t: 0, id: 0, reason: '' };
  const retry = { type: 'retry' as const, t: 0, producer: '', tp: '', seq: 0, count: 0, error: 'NONE' as KafkaError, attempt: 0 };
  const metadata = { type: 'metadata' as const, t: 0, node: '', version: 0 };
  let p = 0;
  let r = 0;
  for (let k = 0; k < ops.length; k++) {
    switch (ops[k]) {
      case 0:
        hasher.event(rest[r++]);
        break;
      case MSG:
        msg.t = v[p];
        msg.id = v[p + 1];
        msg.from = S[v[p + 2] | 0];
        msg.to = S[v[p + 3] | 0];
        msg.kind = S[v[p + 4] | 0];
        msg.bytes = v[p + 5];
        msg.recvUs = v[p + 6];
        p += 7;
        hasher.event(msg);
        break;
      case MSG_DROPPED:
        msgDropped.t = v[p];
        msgDropped.id = v[p + 1];
        msgDropped.from = S[v[p + 2] | 0];
        msgDropped.to = S[v[p + 3] | 0];
        msgDropped.kind = S[v[p + 4] | 0];
        msgDropped.bytes = v[p + 5];
        msgDropped.recvUs = v[p + 6];
        msgDropped.dropped = S[v[p + 7] | 0];
        p += 8;
        hasher.event(msgDropped);
        break;
      case APPEND:
        append.t = v[p];
        append.broker = v[p + 1];
        append.tp = S[v[p + 2] | 0];
        append.offset = v[p + 3];
        append.count = v[p + 4];
        append.epoch = v[p + 5];
        append.pid = v[p + 6];
        append.seq = v[p + 7];
        append.bytes = v[p + 8];
        append.src = S[v[p + 9] | 0] as 'produce' | 'fetch';
        p += 10;
        hasher.event(append);
        break;
      case HW:
        hw.t = v[p];
        hw.broker = v[p + 1];
        hw.tp = S[v[p + 2] | 0];
        hw.hw = v[p + 3];
        p += 4;
        hasher.event(hw);
        break;
      case FLUSH:
        flush.t = v[p];
        flush.broker = v[p + 1];
        flush.tp = S[v[p + 2] | 0];
        flush.to = v[p + 3];
        p += 4;
        hasher.event(flush);
        break;
      case BATCH:
        batch.t = v[p];
        batch.producer = S[v[p + 1] | 0];
        batch.pid = v[p + 2];
        batch.tp = S[v[p + 3] | 0];
        batch.seq = v[p + 4];
        batch.count = v[p + 5];
        batch.bytes = v[p + 6];
        batch.firstUs = v[p + 7];
        p += 8;
        hasher.event(batch);
        break;
      case ACK:
        ack.t = v[p];
        ack.producer = S[v[p + 1] | 0];
        ack.pid = v[p + 2];
        ack.tp = S[v[p + 3] | 0];
        ack.seq = v[p + 4];
        ack.count = v[p + 5];
        ack.offset = v[p + 6];
        ack.error = S[v[p + 7] | 0] as KafkaError;
        ack.attempts = v[p + 8];
        p += 9;
        hasher.event(ack);
        break;
      case CONSUME:
        consume.t = v[p];
        consume.consumer = S[v[p + 1] | 0];
        consume.tp = S[v[p + 2] | 0];
        consume.offset = v[p + 3];
        consume.count = v[p + 4];
        consume.epoch = v[p + 5];
        consume.pid = v[p + 6];
        consume.seq = v[p + 7];
        p += 8;
        hasher.event(consume);
        break;
      case DROP:
        drop.t = v[p];
        drop.id = v[p + 1];
        drop.reason = S[v[p + 2] | 0];
        p += 3;
        hasher.event(drop);
        break;
      case RETRY:
        retry.t = v[p];
        retry.producer = S[v[p + 1] | 0];
        retry.tp = S[v[p + 2] | 0];
        retry.seq = v[p + 3];
        retry.count = v[p + 4];
        retry.error = S[v[p + 5] | 0] as KafkaError;
        retry.attempt = v[p + 6];
        p += 7;
        hasher.event(retry);
        break;
      case METADATA:
        metadata.t = v[p];
        metadata.node = S[v[p + 1] | 0];
        metadata.version = v[p + 2];
        p += 3;
        hasher.event(metadata);
        break;
      default:
        throw new Error(`trace block: unknown op ${ops[k]}`);
    }
  }
}

/**
 * Reads an NDJSON trace in blocks of whole lines (bytes), checks every event (TraceLineReader's one-line
 * messages, naming the line), hashes them and encodes them for the page.
 */
export class TraceBlockEncoder {
  readonly reader: TraceLineReader;
  readonly hasher = new TraceHasher();
  /** The string table, shared with the worker's own decoder (for the hash). */
  private readonly decoder = new TraceBlockDecoder();
  private lineNo = 0;
  private readonly text = new TextDecoder();
  private ops = new Uint8Array(1 << 16);
  private vals = new Float64Array(1 << 16);
  private newStrings: string[] = [];
  /** The block being made: ops and values so far, the other events (parsed) and their lines. */
  private nOps = 0;
  private nVals = 0;
  private rest: TraceEvent[] = [];
  private restLines: string[] = [];
  /** The start of a line that goes on in the next chunk (`push`). */
  private carry: Uint8Array = new Uint8Array(0);
  // The string table's index: open addressing on a hash of the bytes.
  private slots = new Int32Array(1 << 10).fill(-1);
  private hashes: number[] = [];
  private bytes: Uint8Array[] = [];
  /** Per string: the form it names as an event type (-1: none). */
  private formOf: number[] = [];
  /** Per string field of each form: the string it held last. */
  private readonly lastInSlot = new Int32Array(SLOTS).fill(-1);
  /** End of the last string read by `str`. */
  private pos = 0;

  constructor(source: string) {
    this.reader = new TraceLineReader(source);
  }

  /** Encodes the lines of `bytes[start, end)` (whole lines: `end` is the end of a line or of the file). */
  encode(bytes: Uint8Array, start = 0, end = bytes.length): EncodedBlock {
    this.lines(bytes, start, end);
    return this.block();
  }

  /**
   * Encodes the whole lines of the next chunk of a file (the first one completing the line the previous
   * chunk ended in); its last line, if the chunk ends in it, waits for the next chunk or `flush`.
   */
  push(chunk: Uint8Array): EncodedBlock {
    let start = 0;
    if (this.carry.length > 0) {
      const nl = chunk.indexOf(10);
      if (nl < 0) {
        this.carry = concat(this.carry, chunk);
        return this.block();
      }
      const head = concat(this.carry, chunk.subarray(0, nl + 1));
      this.lines(head, 0, head.length);
      start = nl + 1;
    }
    const end = Math.max(start, chunk.lastIndexOf(10) + 1);
    this.lines(chunk, start, end);
    this.carry = chunk.slice(end);
    return this.block();
  }

  /** Encodes the last line of a file that does not end with a newline (after `push`). */
  flush(): EncodedBlock {
    const carry = this.carry;
    this.carry = new Uint8Array(0);
    return this.encode(carry);
  }

  /** Reads the lines of `bytes[start, end)` into the block being made. */
  private lines(bytes: Uint8Array, start: number, end: number): void {
    const n = end - start;
    if (this.ops.length < this.nOps + (n >> 1) + 2) this.ops = grow(this.ops, this.nOps + (n >> 1) + 2, this.nOps);
    if (this.vals.length < this.nVals + ((n / 5) | 0) + 16) this.vals = grow(this.vals, this.nVals + ((n / 5) | 0) + 16, this.nVals);
    const ops = this.ops;
    const vals = this.vals;
    const reader = this.reader;
    let p = start;
    // (The counts are stored as the loop goes, not after it: the loop's first run is compiled on the fly
    // (on-stack replacement) before any code after it ran, and code that never ran deoptimizes it there,
    // at every block.)
    while (p < end) {
      const line = this.lineNo++;
      const nVals = this.nVals;
      const op = this.scan(bytes, p, end, nVals);
      if (op > 0) {
        reader.accept(TYPE_OF_OP[op], vals[nVals], line);
        ops[this.nOps++] = op;
        this.nVals = nVals + SIZE[op];
        p = this.pos + 1;
        continue;
      }
      let e = bytes.indexOf(10, p);
      if (e < 0 || e > end) e = end;
      const raw = this.text.decode(bytes.subarray(p, e));
      const ev = reader.line(raw, line);
      if (ev !== undefined) {
        ops[this.nOps++] = 0;
        this.rest.push(ev);
        this.restLines.push(raw.trim());
      }
      p = e + 1;
    }
  }

  /** The block made since the last one (hashed). */
  private block(): EncodedBlock {
    const rest = this.rest;
    const block: EncodedBlock = {
      ops: this.ops.slice(0, this.nOps),
      vals: this.vals.slice(0, this.nVals),
      strings: this.newStrings,
      json: rest.length === 0 ? '' : `[${this.restLines.join(',')}]`,
    };
    this.nOps = this.nVals = 0;
    this.newStrings = [];
    this.rest = [];
    this.restLines = [];
    hashBlock(this.hasher, block, this.decoder.strings, rest);
    return block;
  }

  /** Events read. */
  get count(): number {
    return this.reader.count;
  }

  /** The trace hash, once every line was read (throws for an empty trace). */
  end(): string {
    this.reader.end();
    return this.hasher.digest();
  }

  /**
   * Reads the line at `p` (`e`: the end of the block) into `vals` from `at` if it is an event in its
   * canonical form, and returns its op and sets `pos` to the line's end (its "\n", or `e`); returns 0
   * otherwise (nothing is kept: the line goes through JSON.parse).
   */
  private scan(b: Uint8Array, p: number, e: number, at: number): number {
    // {"type":"
    if (e - p < 12 || b[p] !== 123 || b[p + 1] !== 34 || b[p + 2] !== 116 || b[p + 3] !== 121 || b[p + 4] !== 112 || b[p + 5] !== 101 || b[p + 6] !== 34 || b[p + 7] !== 58 || b[p + 8] !== 34) {
      return 0;
    }
    const typeId = this.str(b, p + 9, e, -1);
    if (typeId < 0) return 0;
    const form = this.formOf[typeId];
    if (form < 0) return 0;
    p = this.pos;
    const vals = this.vals;
    const lits = LITS[form];
    const litEnd = LIT_END[form];
    const kinds = KINDS[form];
    const slot0 = SLOT0[form];
    let k = at;
    let li = 0;
    for (let f = 0; f < kinds.length; f++) {
      // `,"name":`
      const le = litEnd[f];
      if (p + (le - li) >= e) return 0;
      while (li < le) {
        if (b[p] !== lits[li]) return 0;
        p++;
        li++;
      }
      if (kinds[f] === 1) {
        if (b[p] !== 34) return 0;
        const id = this.str(b, p + 1, e, slot0 + f);
        if (id < 0) return 0;
        vals[k++] = id;
        p = this.pos;
      } else {
        // An integer as JSON writes it (at most 15 digits: exact), else JSON.parse.
        let neg = false;
        if (b[p] === 45) {
          neg = true;
          p++;
        }
        const d0 = p;
        let x = 0;
        while (p < e) {
          const c = b[p] - 48;
          if (c < 0 || c > 9) break;
          x = x * 10 + c;
          p++;
        }
        const digits = p - d0;
        if (digits === 0 || digits > 15 || (digits > 1 && b[d0] === 48)) return 0;
        const c = b[p];
        if (c === 46 || c === 101 || c === 69) return 0;
        vals[k++] = neg ? -x : x;
      }
    }
    let op = OPS[form];
    const opt = OPT_LIT[form];
    if (opt !== undefined && b[p] !== 125) {
      if (p + opt.length >= e) return 0;
      for (let i = 0; i < opt.length; i++) if (b[p + i] !== opt[i]) return 0;
      p += opt.length;
      if (b[p] !== 34) return 0;
      const id = this.str(b, p + 1, e, -1);
      if (id < 0) return 0;
      vals[k++] = id;
      p = this.pos;
      op++;
    }
    if (b[p] !== 125) return 0;
    p++;
    // The line ends here (or with "\r\n").
    if (p < e && b[p] !== 10) {
      if (b[p] !== 13 || !(p + 1 === e || b[p + 1] === 10)) return 0;
      p++;
    }
    this.pos = p;
    return op;
  }

  /**
   * The string table index of the string whose characters start at `p` (after its opening quote), or -1
   * unless it is plain printable ASCII without escapes. Sets `pos` after the closing quote. `slot`: a
   * field (>= 0) whose last string is tried first (consecutive events repeat them).
   */
  private str(b: Uint8Array, p: number, e: number, slot: number): number {
    const s = p;
    if (slot >= 0) {
      const last = this.lastInSlot[slot];
      if (last >= 0) {
        const x = this.bytes[last];
        const n = x.length;
        if (s + n < e && b[s + n] === 34) {
          let i = 0;
          while (i < n && x[i] === b[s + i]) i++;
          if (i === n) {
            this.pos = s + n + 1;
            return last;
          }
        }
      }
    }
    let h = 0x811c9dc5 | 0;
    for (;;) {
      if (p >= e) return -1;
      const c = b[p];
      if (c === 34) break;
      if (c < 32 || c > 126 || c === 92) return -1;
      h = Math.imul(h ^ c, 0x01000193);
      p++;
    }
    this.pos = p + 1;
    const len = p - s;
    const slots = this.slots;
    const mask = slots.length - 1;
    let id = -1;
    for (let k = (h ^ len) & mask; ; k = (k + 1) & mask) {
      const c = slots[k];
      if (c < 0) break;
      if (this.hashes[c] !== h) continue;
      const x = this.bytes[c];
      if (x.length !== len) continue;
      let i = 0;
      while (i < len && x[i] === b[s + i]) i++;
      if (i === len) {
        id = c;
        break;
      }
    }
    if (id < 0) id = this.add(b.slice(s, p), h);
    if (slot >= 0) this.lastInSlot[slot] = id;
    return id;
  }

  private add(bytes: Uint8Array, h: number): number {
    const id = this.bytes.length;
    const str = this.text.decode(bytes);
    this.bytes.push(bytes);
    this.hashes.push(h);
    this.formOf.push(FORM_OF_TYPE.get(str) ?? -1);
    this.decoder.strings.push(str);
    this.newStrings.push(str);
    if (this.bytes.length * 2 > this.slots.length) {
      this.slots = new Int32Array(this.slots.length * 2).fill(-1);
      for (let k = 0; k < this.bytes.length; k++) this.insert(k);
    } else this.insert(id);
    return id;
  }

  private insert(id: number): void {
    const mask = this.slots.length - 1;
    let slot = (this.hashes[id] ^ this.bytes[id].length) & mask;
    while (this.slots[slot] >= 0) slot = (slot + 1) & mask;
    this.slots[slot] = id;
  }
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

/** A bigger copy of the first `used` items of `a`. */
function grow<T extends Uint8Array | Float64Array>(a: T, size: number, used: number): T {
  const out = new (a.constructor as new (n: number) => T)(Math.max(size, a.length * 2));
  out.set(a.subarray(0, used));
  return out;
}

/** A whole trace text, parsed and checked (the worker reads files block by block with TraceBlockEncoder). */
export function parseTrace(text: string, source: string): TraceEvent[] {
  const enc = new TraceBlockEncoder(source);
  const block = enc.encode(new TextEncoder().encode(text));
  enc.end();
  return new TraceBlockDecoder().decode(block);
}
