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
  /**
   * Per field, the last RING strings hashed there from fields (msg, append, ...) and their hashes, at
   * `i * RING + k`: a field such as a message's sender cycles through a few values.
   */
  ringString: Array<string | undefined>;
  ringHash: Int32Array;
  ringNext: Uint8Array;
}

/** Strings remembered per field by the field methods. */
const RING = 8;

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
        ringString: new Array<string | undefined>(names.length * RING),
        ringHash: new Int32Array(names.length * RING),
        ringNext: new Uint8Array(names.length),
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
   * hw, batch) let a run in summary mode hash its most frequent events without building them.
   */
  msg(t: number, id: number, from: string, to: string, kind: string, bytes: number, recvUs: number, dropped: string | undefined): void {
    const plan = this.begin(this.msgPlan);
    this.num(t);
    this.num(id);
    this.str(plan, 2, from);
    this.str(plan, 3, to);
    this.str(plan, 4, kind);
    this.num(bytes);
    this.num(recvUs);
    if (dropped === undefined) this.mix(11);
    else this.str(plan, 7, dropped);
  }

  /** An `append` event given as its fields (see {@link msg}). */
  append(t: number, broker: number, tp: string, offset: number, count: number, epoch: number, pid: number, seq: number, bytes: number, src: string): void {
    const plan = this.begin(this.appendPlan);
    this.num(t);
    this.num(broker);
    this.str(plan, 2, tp);
    this.num(offset);
    this.num(count);
    this.num(epoch);
    this.num(pid);
    this.num(seq);
    this.num(bytes);
    this.str(plan, 9, src);
  }

  /** An `hw` event given as its fields (see {@link msg}). */
  hw(t: number, broker: number, tp: string, hw: number): void {
    const plan = this.begin(this.hwPlan);
    this.num(t);
    this.num(broker);
    this.str(plan, 2, tp);
    this.num(hw);
  }

  /** An `ack` event with error NONE and no message, given as its fields (see {@link msg}). */
  acked(t: number, producer: string, pid: number, tp: string, seq: number, count: number, offset: number, attempts: number): void {
    const plan = this.begin(this.ackPlan);
    this.num(t);
    this.str(plan, 1, producer);
    this.num(pid);
    this.str(plan, 3, tp);
    this.num(seq);
    this.num(count);
    this.num(offset);
    this.str(plan, 7, 'NONE');
    this.num(attempts);
    this.mix(11); // no message
  }

  /** A `batch` event given as its fields (see {@link msg}). */
  batch(t: number, producer: string, pid: number, tp: string, seq: number, count: number, bytes: number, firstUs: number): void {
    const plan = this.begin(this.batchPlan);
    this.num(t);
    this.str(plan, 1, producer);
    this.num(pid);
    this.str(plan, 3, tp);
    this.num(seq);
    this.num(count);
    this.num(bytes);
    this.num(firstUs);
  }

  /** A `consume` event given as its fields (see {@link msg}). */
  consume(t: number, consumer: string, tp: string, offset: number, count: number, epoch: number, pid: number, seq: number): void {
    const plan = this.begin(this.consumePlan);
    this.num(t);
    this.str(plan, 1, consumer);
    this.str(plan, 2, tp);
    this.num(offset);
    this.num(count);
    this.num(epoch);
    this.num(pid);
    this.num(seq);
  }

  /** The plans of the events hashed from their fields (set by the constructor, after the plans). */
  private readonly msgPlan: Plan;
  private readonly appendPlan: Plan;
  private readonly hwPlan: Plan;
  private readonly batchPlan: Plan;
  private readonly ackPlan: Plan;
  private readonly consumePlan: Plan;

  /** An event given as its fields starts: counted, then its type (a string, like any other field). */
  private begin(plan: Plan): Plan {
    this.count++;
    this.mix(3);
    this.mix(plan.typeHash);
    return plan;
  }

  /** A number field: an int32 as itself, another number as value() hashes it. */
  private num(v: number): void {
    if ((v | 0) === v) this.mix(v);
    else this.value(v);
  }

  /** A string field (field `i` of `plan`, counting `t` as 0: its strings remembered in the ring). */
  private str(plan: Plan, i: number, v: string): void {
    this.mix(3);
    const ring = plan.ringString;
    const at = i * RING;
    for (let k = at; k < at + RING; k++) {
      if (ring[k] === v) {
        this.mix(plan.ringHash[k]);
        return;
      }
    }
    const h = stringHash(v);
    const k = at + plan.ringNext[i];
    plan.ringNext[i] = (plan.ringNext[i] + 1) % RING;
    ring[k] = v;
    plan.ringHash[k] = h;
    this.mix(h);
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
