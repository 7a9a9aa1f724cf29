/**
 * Reading an NDJSON trace back (a file saved with `kafkasim run --trace out.ndjson`), with one-line error
 * messages that say where the problem is.
 *
 * A trace file goes from the worker to the page in blocks of whole lines. The worker
 * (`TraceBlockEncoder`) reads the file as bytes and checks every line: the event types whose fields are
 * numbers and strings (msg, append, hw, batch, ack, ...: FORMS, from the field table TRACE_FIELDS) written
 * the way `kafkasim run --trace` writes them (JSON.stringify: the table's keys in order, integers, plain
 * ASCII strings) are read straight from the bytes into numbers (a Float64Array, transferred to the page
 * without a copy) and a table of strings; any other line (the header, faults, elections, ..., or an event
 * written in another form) goes through JSON.parse and the checks of the trace reader shared with the
 * command line (TraceLineReader, sim/trace/reader.ts) and is passed on as JSON text. The worker also computes the trace hash, over
 * the very events the page will decode. The page (`TraceBlockDecoder`) only makes the event objects (no
 * JSON.parse for most lines, no checks, no hashing) and indexes them while the worker reads on. A decoded
 * event equals what JSON.parse gives for its line, keys in the same order.
 */
import { FIELD_SPECS, TRACE_EVENT_TYPES, TraceFileError, TraceHasher, TraceLineReader, type AppendEvent, type KafkaError, type TraceEvent, type TraceEventType } from '../../sim/index.js';

export { TraceFileError, TraceLineReader };

/** True when the text looks like an NDJSON trace rather than a scenario. */
export function looksLikeTrace(text: string, name = ''): boolean {
  if (/\.(ndjson|jsonl)$/i.test(name)) return true;
  const first = text.trimStart().split('\n', 1)[0] ?? '';
  return /^\{\s*"type"\s*:/.test(first);
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
  type: TraceEventType;
  /** The fields after `type`, in table order: numbers (n, read as integers) or strings (s). `t` first. */
  fields: ReadonlyArray<readonly [string, Kind]>;
  /** An optional last string field (its own op: the form's op + 1). */
  opt?: string;
}

/**
 * The event types read from the bytes, from the field table: every type whose fields are numbers and
 * strings, an optional one only last and a string (the others, the header, faults, elections, ..., go
 * through JSON.parse). Ops: index + 1 (+ 1 more with `opt`).
 */
export const FORMS: readonly Form[] = TRACE_EVENT_TYPES.flatMap((type): Form[] => {
  const specs = FIELD_SPECS[type];
  const last = specs[specs.length - 1];
  const opt = last?.optional ? last : undefined;
  const fixed = opt === undefined ? specs : specs.slice(0, -1);
  if (fixed.some((f) => f.optional || (f.kind !== 'number' && f.kind !== 'string')) || (opt !== undefined && opt.kind !== 'string')) return [];
  const form: Form = { type, fields: fixed.map((f) => [f.name, f.kind === 'string' ? 's' : 'n'] as const) };
  if (opt !== undefined) form.opt = opt.name;
  return [form];
});

/** Op of each form (the form with its optional field: op + 1). */
const OPS: number[] = [];
{
  let op = 1;
  for (const f of FORMS) {
    OPS.push(op);
    op += f.opt === undefined ? 1 : 2;
  }
  if (op > 256) throw new Error('trace blocks: more ops than a byte holds');
}
const FORM_OF_TYPE = new Map<string, number>(FORMS.map((f, k) => [f.type, k]));

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
const TYPE_OF_OP: TraceEventType[] = FORM_OF_OP.map((f) => (f < 0 ? 'end' : FORMS[f].type));
/** Per op: the names of its values' fields, in order (the optional one last), and their kinds (1: string). */
const NAMES_OF_OP: string[][] = FORM_OF_OP.map((f, op) => (f < 0 ? [] : [...FORMS[f].fields.map(([name]) => name), ...(op === OPS[f] ? [] : [FORMS[f].opt!])]));
const KINDS_OF_OP: Uint8Array[] = FORM_OF_OP.map((f, op) => (f < 0 ? new Uint8Array(0) : Uint8Array.from([...KINDS[f], ...(op === OPS[f] ? [] : [1])])));
/** Values per op. */
const SIZE: number[] = NAMES_OF_OP.map((names) => names.length);
/**
 * Per op: an event of its form with its keys in order (`type` first, as JSON.parse makes them from a
 * line), copied for each event (copying an object of a known shape is fast, and keeps the shape).
 */
const TEMPLATE_OF_OP: Array<Record<string, unknown>> = FORM_OF_OP.map((_form, op) => {
  const ev: Record<string, unknown> = { type: TYPE_OF_OP[op] };
  KINDS_OF_OP[op].forEach((kind, i) => (ev[NAMES_OF_OP[op][i]] = kind === 1 ? '' : 0));
  return ev;
});

type Maker = (v: Float64Array, p: number, S: readonly string[]) => TraceEvent;
type MakerOf<K extends TraceEventType> = (v: Float64Array, p: number, S: readonly string[]) => Extract<TraceEvent, { type: K }>;

/** Makes an event of an op from the table: a copy of its template, its fields set by name. */
function tableMaker(op: number): Maker {
  const template = TEMPLATE_OF_OP[op];
  const names = NAMES_OF_OP[op];
  const kinds = KINDS_OF_OP[op];
  return (v, p, S) => {
    const ev = { ...template };
    for (let i = 0; i < names.length; i++) ev[names[i]] = kinds[i] === 1 ? S[v[p + i] | 0] : v[p + i];
    return ev as unknown as TraceEvent;
  };
}

/**
 * The busiest forms made by object literals, several times faster than `tableMaker` (V8 allocates a
 * literal in one go). An accelerator only: each is typed by its event's interface (a field missing here
 * fails the type check) and checked against the table when this module loads (a field out of place
 * throws); any other form is made from the table.
 */
const FAST_MAKERS: { [K in TraceEventType]?: MakerOf<K> } = {
  msg: (v, p, S) => ({ type: 'msg', t: v[p], id: v[p + 1], from: S[v[p + 2] | 0], to: S[v[p + 3] | 0], kind: S[v[p + 4] | 0], bytes: v[p + 5], recvUs: v[p + 6] }),
  append: (v, p, S) => ({
    type: 'append',
    t: v[p],
    broker: v[p + 1],
    tp: S[v[p + 2] | 0],
    offset: v[p + 3],
    count: v[p + 4],
    epoch: v[p + 5],
    pid: v[p + 6],
    seq: v[p + 7],
    bytes: v[p + 8],
    src: S[v[p + 9] | 0] as AppendEvent['src'],
  }),
  hw: (v, p, S) => ({ type: 'hw', t: v[p], broker: v[p + 1], tp: S[v[p + 2] | 0], hw: v[p + 3] }),
  flush: (v, p, S) => ({ type: 'flush', t: v[p], broker: v[p + 1], tp: S[v[p + 2] | 0], to: v[p + 3] }),
  batch: (v, p, S) => ({ type: 'batch', t: v[p], producer: S[v[p + 1] | 0], pid: v[p + 2], tp: S[v[p + 3] | 0], seq: v[p + 4], count: v[p + 5], bytes: v[p + 6], firstUs: v[p + 7] }),
  ack: (v, p, S) => ({
    type: 'ack',
    t: v[p],
    producer: S[v[p + 1] | 0],
    pid: v[p + 2],
    tp: S[v[p + 3] | 0],
    seq: v[p + 4],
    count: v[p + 5],
    offset: v[p + 6],
    error: S[v[p + 7] | 0] as KafkaError,
    attempts: v[p + 8],
  }),
  consume: (v, p, S) => ({ type: 'consume', t: v[p], consumer: S[v[p + 1] | 0], tp: S[v[p + 2] | 0], offset: v[p + 3], count: v[p + 4], epoch: v[p + 5], pid: v[p + 6], seq: v[p + 7] }),
};

/** Per op: how to make its events (a fast maker for an op without its optional field, if any). */
const MAKER_OF_OP: Maker[] = FORM_OF_OP.map((f, op) => {
  if (f < 0)
    return () => {
      throw new Error('trace block: op 0 has no maker');
    };
  const generic = tableMaker(op);
  const fast = op === OPS[f] ? (FAST_MAKERS[FORMS[f].type] as Maker | undefined) : undefined;
  if (fast === undefined) return generic;
  // Field i holds i, or the string "s<i>" (index i): the fast maker must give what the table gives.
  const n = SIZE[op];
  const probe = Float64Array.from({ length: n }, (_, i) => i);
  const S = Array.from({ length: n }, (_, i) => `s${i}`);
  if (JSON.stringify(fast(probe, 0, S)) !== JSON.stringify(generic(probe, 0, S))) throw new Error(`trace blocks: the fast maker of ${FORMS[f].type} events does not match the field table`);
  return fast;
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
      const op = ops[k];
      if (op === 0) {
        out[k] = rest[r++];
        continue;
      }
      const make = MAKER_OF_OP[op];
      if (make === undefined) throw new Error(`trace block: unknown op ${op}`);
      out[k] = make(v, p, S);
      p += SIZE[op];
    }
    return out;
  }
}

/**
 * Hashes each event of a block (its strings in `S`, its other events in `rest`) from its values, without
 * making the events (making a million events only to hash them cost more): the same fields, in the same
 * order, as TraceBlockDecoder.events makes, hashed as the objects would be.
 */
function hashBlock(hasher: TraceHasher, block: EncodedBlock, S: readonly string[], rest: readonly TraceEvent[]): void {
  const v = block.vals;
  const ops = block.ops;
  let p = 0;
  let r = 0;
  for (let k = 0; k < ops.length; k++) {
    const op = ops[k];
    if (op === 0) {
      hasher.event(rest[r++]);
      continue;
    }
    const n = SIZE[op];
    if (n === undefined) throw new Error(`trace block: unknown op ${op}`);
    hasher.values(TYPE_OF_OP[op], v, p, n, KINDS_OF_OP[op], S);
    p += n;
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
