/**
 * The trace hash (over the fields of the field table, fields.ts, in its order) and the NDJSON text.
 */
import type { TraceEvent, TraceEventType, TraceSink } from './events.js';
import { FIELD_SPECS, HASH_SILENT_WHEN_ABSENT, TRACE_EVENT_TYPES } from './fields.js';

/** How the hasher reads one event type: its fields in table order, and per field the last string seen. */
interface Plan {
  /** The hash of the type's name (the `type` field, a string like any other). */
  typeHash: number;
  names: string[];
  /** Per field: 1 if optional, 2 if optional and silent when absent (HASH_SILENT_WHEN_ABSENT). */
  optional: Uint8Array;
  /** Per field: the last string hashed there and its hash (consecutive events repeat them). */
  lastString: Array<string | undefined>;
  lastHash: Int32Array;
  /** Per field: 1 if a string (the field methods give its hash). */
  isString: Uint8Array;
}

/**
 * The trace hash: a 64-bit hash (two 32-bit lanes, FNV-1a-like with murmur3 finalization) over the
 * fields of every event in order (`type` first, then the fields of TRACE_FIELDS; an absent optional
 * field counts as absent, except those of HASH_SILENT_WHEN_ABSENT, which add nothing), so it is the same whether computed while running or later from an NDJSON
 * file parsed back. Cheap enough to run always.
 *
 * Each value mixes in as: an integer (int32) as itself; a string as 3 and its FNV-1a hash; another
 * number as 2 and its two 32-bit halves; true 4, false 5, null 6, absent 11; an array as 7, its items
 * and its length; an object as 8, its defined entries (key hash, value) and 9.
 */
export class TraceHasher implements TraceSink {
  private h1 = 0x811c9dc5 | 0;
  private h2 = 0x01000193 ^ 0x5bd1e995;
  count = 0;

  /** Per event type, how to read it (the table's order; one per hasher for its string caches). */
  private readonly plans = new Map<string, Plan>();

  constructor() {
    for (const type of TRACE_EVENT_TYPES) {
      const fields = FIELD_SPECS[type];
      const names = fields.map((f) => f.name);
      this.plans.set(type, {
        typeHash: stringHash(type),
        names,
        optional: Uint8Array.from(fields, (f) => (!f.optional ? 0 : HASH_SILENT_WHEN_ABSENT[type]?.includes(f.name) ? 2 : 1)),
        lastString: new Array<string | undefined>(names.length),
        lastHash: new Int32Array(names.length),
        isString: Uint8Array.from(fields, (f) => (f.kind === 'string' ? 1 : 0)),
      });
    }
    this.msgPlan = this.plans.get('msg')!;
    this.appendPlan = this.plans.get('append')!;
    this.hwPlan = this.plans.get('hw')!;
    this.batchPlan = this.plans.get('batch')!;
    this.ackPlan = this.plans.get('ack')!;
    this.consumePlan = this.plans.get('consume')!;
  }

  event(ev: TraceEvent): void {
    this.count++;
    const plan = this.plans.get(ev.type);
    if (plan === undefined) {
      this.value(ev);
      return;
    }
    const h1 = this.h1;
    const h2 = this.h2;
    // Events nearly always have their keys in table order (the simulator makes them so, JSON.parse keeps
    // a line's order): read them with for-in, which V8 makes fast (no lookup by name), checking each key
    // against the table; any other event is read field by field by name, from the same state.
    if (!this.inOrder(ev, plan)) {
      this.h1 = h1;
      this.h2 = h2;
      this.byName(ev, plan);
    }
  }

  /**
   * Hashes an event given as its field values in table order (as the page's trace blocks hold them), the
   * same as the event object: `vals[p + i]` is field i's number, or for `strings[i] === 1` the index of its
   * string in `table`. `n`: the values given (fewer than the fields: the others are absent).
   */
  values(type: TraceEventType, vals: Float64Array, p: number, n: number, strings: Uint8Array, table: readonly string[]): void {
    const plan = this.plans.get(type)!;
    this.count++;
    let h1 = this.h1;
    let h2 = this.h2;
    let x: number;
    h1 = Math.imul(h1 ^ 3, 0x01000193);
    x = Math.imul((h2 ^ 3) + 0x7f4a7c15, 0x85ebca6b);
    h2 = (x << 13) | (x >>> 19);
    h1 = Math.imul(h1 ^ plan.typeHash, 0x01000193);
    x = Math.imul((h2 ^ plan.typeHash) + 0x7f4a7c15, 0x85ebca6b);
    h2 = (x << 13) | (x >>> 19);
    const fields = plan.names.length;
    for (let i = 0; i < fields; i++) {
      let m: number;
      if (i >= n && plan.optional[i] === 2) continue;
      if (i >= n) m = 11;
      else if (strings[i] === 1) {
        h1 = Math.imul(h1 ^ 3, 0x01000193);
        x = Math.imul((h2 ^ 3) + 0x7f4a7c15, 0x85ebca6b);
        h2 = (x << 13) | (x >>> 19);
        const v = table[vals[p + i] | 0];
        if (plan.lastString[i] === v) m = plan.lastHash[i];
        else {
          plan.lastString[i] = v;
          plan.lastHash[i] = m = stringHash(v);
        }
      } else {
        const v = vals[p + i];
        if ((v | 0) === v) m = v;
        else {
          this.h1 = h1;
          this.h2 = h2;
          this.value(v);
          h1 = this.h1;
          h2 = this.h2;
          continue;
        }
      }
      h1 = Math.imul(h1 ^ m, 0x01000193);
      x = Math.imul((h2 ^ m) + 0x7f4a7c15, 0x85ebca6b);
      h2 = (x << 13) | (x >>> 19);
    }
    this.h1 = h1;
    this.h2 = h2;
  }

  /**
   * Hashes a `msg` event given as its fields, exactly as {@link event} hashes the object (type, then the
   * table's fields in order; `dropped` absent counts as absent). The field methods below (msg, append,
   * hw, batch, acked, consume) let a run in summary mode hash its most frequent events without building
   * them: each puts its fields in `vals` (a string as its hash) and {@link fields} hashes them.
   */
  msg(t: number, id: number, from: string, to: string, kind: string, bytes: number, recvUs: number, dropped: string | undefined): void {
    const v = this.vals;
    v[0] = t;
    v[1] = id;
    v[2] = stringHash(from);
    v[3] = stringHash(to);
    v[4] = stringHash(kind);
    v[5] = bytes;
    v[6] = recvUs;
    if (dropped === undefined) return this.fields(this.msgPlan, 7);
    v[7] = stringHash(dropped);
    this.fields(this.msgPlan, 8);
  }

  /** An `append` event given as its fields (see {@link msg}). */
  append(t: number, broker: number, tp: string, offset: number, count: number, epoch: number, pid: number, seq: number, bytes: number, src: string): void {
    const v = this.vals;
    v[0] = t;
    v[1] = broker;
    v[2] = stringHash(tp);
    v[3] = offset;
    v[4] = count;
    v[5] = epoch;
    v[6] = pid;
    v[7] = seq;
    v[8] = bytes;
    v[9] = stringHash(src);
    this.fields(this.appendPlan, 10);
  }

  /** An `hw` event given as its fields (see {@link msg}). */
  hw(t: number, broker: number, tp: string, hw: number): void {
    const v = this.vals;
    v[0] = t;
    v[1] = broker;
    v[2] = stringHash(tp);
    v[3] = hw;
    this.fields(this.hwPlan, 4);
  }

  /** An `ack` event with error NONE and no message, given as its fields (see {@link msg}). */
  acked(t: number, producer: string, pid: number, tp: string, seq: number, count: number, offset: number, attempts: number): void {
    const v = this.vals;
    v[0] = t;
    v[1] = stringHash(producer);
    v[2] = pid;
    v[3] = stringHash(tp);
    v[4] = seq;
    v[5] = count;
    v[6] = offset;
    v[7] = NONE_HASH;
    v[8] = attempts;
    this.fields(this.ackPlan, 9); // no message
  }

  /** A `batch` event given as its fields (see {@link msg}). */
  batch(t: number, producer: string, pid: number, tp: string, seq: number, count: number, bytes: number, firstUs: number): void {
    const v = this.vals;
    v[0] = t;
    v[1] = stringHash(producer);
    v[2] = pid;
    v[3] = stringHash(tp);
    v[4] = seq;
    v[5] = count;
    v[6] = bytes;
    v[7] = firstUs;
    this.fields(this.batchPlan, 8);
  }

  /** A `consume` event given as its fields (see {@link msg}). */
  consume(t: number, consumer: string, tp: string, offset: number, count: number, epoch: number, pid: number, seq: number): void {
    const v = this.vals;
    v[0] = t;
    v[1] = stringHash(consumer);
    v[2] = stringHash(tp);
    v[3] = offset;
    v[4] = count;
    v[5] = epoch;
    v[6] = pid;
    v[7] = seq;
    this.fields(this.consumePlan, 8);
  }

  /** The plans of the events hashed from their fields (set by the constructor, after the plans). */
  private readonly msgPlan: Plan;
  private readonly appendPlan: Plan;
  private readonly hwPlan: Plan;
  private readonly batchPlan: Plan;
  private readonly ackPlan: Plan;
  private readonly consumePlan: Plan;
  /** The field methods' values: a number field's number, a string field's string hash (the plan says which). */
  private readonly vals = new Float64Array(16);

  /**
   * Hashes an event of `plan`'s type whose first `n` fields are in `vals` (the others absent), as
   * {@link event} hashes the object: mix() inlined on local copies of the lanes.
   */
  private fields(plan: Plan, n: number): void {
    this.count++;
    let h1 = this.h1;
    let h2 = this.h2;
    let x: number;
    h1 = Math.imul(h1 ^ 3, 0x01000193);
    x = Math.imul((h2 ^ 3) + 0x7f4a7c15, 0x85ebca6b);
    h2 = (x << 13) | (x >>> 19);
    h1 = Math.imul(h1 ^ plan.typeHash, 0x01000193);
    x = Math.imul((h2 ^ plan.typeHash) + 0x7f4a7c15, 0x85ebca6b);
    h2 = (x << 13) | (x >>> 19);
    const vals = this.vals;
    const isString = plan.isString;
    const total = plan.names.length;
    for (let i = 0; i < total; i++) {
      let m: number;
      if (i >= n) {
        if (plan.optional[i] === 2) continue;
        m = 11;
      } else if (isString[i] === 1) {
        h1 = Math.imul(h1 ^ 3, 0x01000193);
        x = Math.imul((h2 ^ 3) + 0x7f4a7c15, 0x85ebca6b);
        h2 = (x << 13) | (x >>> 19);
        m = vals[i];
      } else {
        const v = vals[i];
        if ((v | 0) === v) m = v;
        else {
          // Another number: 2, then its two 32-bit halves (as value() hashes it).
          F64[0] = v;
          h1 = Math.imul(h1 ^ 2, 0x01000193);
          x = Math.imul((h2 ^ 2) + 0x7f4a7c15, 0x85ebca6b);
          h2 = (x << 13) | (x >>> 19);
          h1 = Math.imul(h1 ^ U32[0], 0x01000193);
          x = Math.imul((h2 ^ U32[0]) + 0x7f4a7c15, 0x85ebca6b);
          h2 = (x << 13) | (x >>> 19);
          m = U32[1];
        }
      }
      h1 = Math.imul(h1 ^ m, 0x01000193);
      x = Math.imul((h2 ^ m) + 0x7f4a7c15, 0x85ebca6b);
      h2 = (x << 13) | (x >>> 19);
    }
    this.h1 = h1;
    this.h2 = h2;
  }

  /** Hashes `ev` if its keys are `type` then the plan's fields in order (absent optional ones left out). */
  private inOrder(ev: TraceEvent, plan: Plan): boolean {
    const names = plan.names;
    const optional = plan.optional;
    const n = names.length;
    // mix(), inlined on local copies of the lanes (this runs for every field of millions of events).
    let h1 = this.h1;
    let h2 = this.h2;
    let x: number;
    h1 = Math.imul(h1 ^ 3, 0x01000193);
    x = Math.imul((h2 ^ 3) + 0x7f4a7c15, 0x85ebca6b);
    h2 = (x << 13) | (x >>> 19);
    h1 = Math.imul(h1 ^ plan.typeHash, 0x01000193);
    x = Math.imul((h2 ^ plan.typeHash) + 0x7f4a7c15, 0x85ebca6b);
    h2 = (x << 13) | (x >>> 19);
    const o = ev as unknown as Record<string, unknown>;
    let i = -1;
    for (const k in o) {
      if (i < 0) {
        if (k !== 'type') return false;
        i = 0;
        continue;
      }
      // Absent optional fields before this key.
      while (i < n && k !== names[i] && optional[i] !== 0) {
        if (optional[i++] === 2) continue;
        h1 = Math.imul(h1 ^ 11, 0x01000193);
        x = Math.imul((h2 ^ 11) + 0x7f4a7c15, 0x85ebca6b);
        h2 = (x << 13) | (x >>> 19);
      }
      if (i === n || k !== names[i]) return false;
      const v = o[k];
      if (typeof v === 'number' && (v | 0) === v) {
        h1 = Math.imul(h1 ^ v, 0x01000193);
        x = Math.imul((h2 ^ v) + 0x7f4a7c15, 0x85ebca6b);
        h2 = (x << 13) | (x >>> 19);
      } else if (typeof v === 'string') {
        h1 = Math.imul(h1 ^ 3, 0x01000193);
        x = Math.imul((h2 ^ 3) + 0x7f4a7c15, 0x85ebca6b);
        h2 = (x << 13) | (x >>> 19);
        let sh: number;
        if (plan.lastString[i] === v) sh = plan.lastHash[i];
        else {
          plan.lastString[i] = v;
          plan.lastHash[i] = sh = stringHash(v);
        }
        h1 = Math.imul(h1 ^ sh, 0x01000193);
        x = Math.imul((h2 ^ sh) + 0x7f4a7c15, 0x85ebca6b);
        h2 = (x << 13) | (x >>> 19);
      } else {
        this.h1 = h1;
        this.h2 = h2;
        this.value(v);
        h1 = this.h1;
        h2 = this.h2;
      }
      i++;
    }
    if (i < 0) return false;
    // The fields after the last key are absent (an absent field hashes as undefined).
    for (; i < n; i++) {
      if (optional[i] === 2) continue;
      h1 = Math.imul(h1 ^ 11, 0x01000193);
      x = Math.imul((h2 ^ 11) + 0x7f4a7c15, 0x85ebca6b);
      h2 = (x << 13) | (x >>> 19);
    }
    this.h1 = h1;
    this.h2 = h2;
    return true;
  }

  /** Hashes `ev` reading its fields by name, in table order (for keys in another order, or extra keys). */
  private byName(ev: TraceEvent, plan: Plan): void {
    this.mix(3);
    this.mix(plan.typeHash);
    const o = ev as unknown as Record<string, unknown>;
    const names = plan.names;
    for (let i = 0; i < names.length; i++) {
      const v = o[names[i]];
      if (v === undefined && plan.optional[i] === 2) continue;
      if (typeof v === 'string') {
        this.mix(3);
        if (plan.lastString[i] !== v) {
          plan.lastString[i] = v;
          plan.lastHash[i] = stringHash(v);
        }
        this.mix(plan.lastHash[i]);
      } else {
        this.value(v);
      }
    }
  }

  /** The hash as 16 hex digits. */
  digest(): string {
    const a = fmix(this.h1 ^ this.count) >>> 0;
    const b = fmix(this.h2 ^ Math.imul(this.count, 0x9e3779b1)) >>> 0;
    return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
  }

  private mix(x: number): void {
    this.h1 = Math.imul(this.h1 ^ x, 0x01000193);
    const h2 = Math.imul((this.h2 ^ x) + 0x7f4a7c15, 0x85ebca6b);
    this.h2 = (h2 << 13) | (h2 >>> 19);
  }

  private value(v: unknown): void {
    switch (typeof v) {
      case 'number':
        if ((v | 0) === v) {
          this.mix(v);
        } else {
          F64[0] = v;
          this.mix(2);
          this.mix(U32[0]);
          this.mix(U32[1]);
        }
        return;
      case 'string':
        this.mix(3);
        this.mix(stringHash(v));
        return;
      case 'boolean':
        this.mix(v ? 4 : 5);
        return;
      case 'undefined':
        this.mix(11);
        return;
      case 'object':
        if (v === null) {
          this.mix(6);
        } else if (Array.isArray(v)) {
          this.mix(7);
          for (const x of v) this.value(x);
          this.mix(v.length);
        } else {
          this.mix(8);
          const o = v as Record<string, unknown>;
          for (const k in o) {
            const x = o[k];
            if (x === undefined) continue;
            this.mix(stringHash(k));
            this.value(x);
          }
          this.mix(9);
        }
        return;
      default:
        this.mix(10);
    }
  }
}

/** FNV-1a of a string's UTF-16 code units, cached: trace strings repeat (types, partitions, node names). */
const STRING_HASHES = new Map<string, number>();

function stringHash(s: string): number {
  let h = STRING_HASHES.get(s);
  if (h !== undefined) return h;
  h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= s.length;
  if (STRING_HASHES.size > 50_000) STRING_HASHES.clear();
  STRING_HASHES.set(s, h);
  return h;
}

/** The hash of `NONE`, the error of a successful ack. */
const NONE_HASH = stringHash('NONE');

const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);

function fmix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

/** Hash a whole list of events (e.g. a trace file read back). */
export function hashEvents(events: Iterable<TraceEvent>): string {
  const h = new TraceHasher();
  for (const ev of events) h.event(ev);
  return h.digest();
}

/**
 * The trace as NDJSON text (one line per event): JSON.stringify of each event, whose keys the simulator
 * makes in TRACE_FIELDS order (a test checks it), the form the page reads straight from the bytes.
 */
export function toNdjson(events: Iterable<TraceEvent>): string {
  let s = '';
  for (const ev of events) s += JSON.stringify(ev) + '\n';
  return s;
}
