/**
 * The simulation kernel: a virtual clock in integer microseconds that only moves forward, and an event
 * queue ordered by (time, sequence), so events due at the same time run in the order they were
 * scheduled. It knows nothing of Kafka and nothing of timers: `step()`, `runUntil(t)` and `run()` are
 * driven by whoever holds the kernel (a test, the CLI loop, a Web Worker).
 */

/** Something that can be scheduled. Model objects implement it to avoid a closure per event. */
export interface Handler {
  fire(arg: unknown, tag: number): void;
}

/** A queued event. Kept small: the queue holds one of these per pending event. */
interface QueuedEvent {
  t: number;
  seq: number;
  h: Handler | ((arg: unknown) => void);
  arg: unknown;
  /** Opaque to the kernel: handed back to the handler (processes use it for their incarnation). */
  tag: number;
}

export class TimeTravelError extends Error {}

const NOOP = (): void => {};
/** Fired events kept for reuse at most (the queue rarely holds more than a few thousand). */
const FREE_MAX = 4096;

export class Kernel {
  /** The current virtual time, µs. */
  now = 0;
  /** Events fired so far. */
  fired = 0;
  private seq = 0;
  private heap: QueuedEvent[] = [];
  /** Fired events, reused by `at`: a run schedules hundreds of thousands, and reuse spares the garbage collector. */
  private free: QueuedEvent[] = [];

  /** Number of pending events. */
  get pending(): number {
    return this.heap.length;
  }

  /** Time of the next pending event, or Infinity. */
  peekTime(): number {
    return this.heap.length > 0 ? this.heap[0].t : Infinity;
  }

  /** Schedule `h` at absolute time `t` (µs, an integer ≥ now). */
  at(t: number, h: Handler | ((arg: unknown) => void), arg?: unknown, tag = 0): void {
    if (t < this.now) throw new TimeTravelError(`cannot schedule at ${t}µs: the clock is at ${this.now}µs`);
    const heap = this.heap;
    let ev = this.free.pop();
    if (ev === undefined) ev = { t: Math.ceil(t), seq: this.seq++, h, arg, tag };
    else {
      ev.t = Math.ceil(t);
      ev.seq = this.seq++;
      ev.h = h;
      ev.arg = arg;
      ev.tag = tag;
    }
    // Sift up.
    let i = heap.length;
    heap.push(ev);
    while (i > 0) {
      const p = (i - 1) >> 1;
      const pe = heap[p];
      if (pe.t < ev.t || (pe.t === ev.t && pe.seq < ev.seq)) break;
      heap[i] = pe;
      i = p;
    }
    heap[i] = ev;
  }

  /** Schedule `h` after a delay (µs). */
  after(delayUs: number, h: Handler | ((arg: unknown) => void), arg?: unknown): void {
    this.at(this.now + delayUs, h, arg);
  }

  /** Fire the next event. Returns false when the queue is empty. */
  step(): boolean {
    const ev = this.pop();
    if (ev === undefined) return false;
    this.now = ev.t;
    this.fired++;
    const h = ev.h;
    const arg = ev.arg;
    const tag = ev.tag;
    // Back to the free list before the handler runs (it may schedule): let go of what it held.
    ev.h = NOOP;
    ev.arg = undefined;
    if (this.free.length < FREE_MAX) this.free.push(ev);
    if (typeof h === 'function') h(arg);
    else h.fire(arg, tag);
    return true;
  }

  /** Fire every event due at or before `t`, then move the clock to `t`. */
  runUntil(t: number): void {
    while (this.heap.length > 0 && this.heap[0].t <= t) this.step();
    if (t > this.now) this.now = t;
  }

  /** Fire events until the queue is empty (beware of periodic tasks: they never empty it). */
  run(maxEvents = Infinity): void {
    let n = 0;
    while (n++ < maxEvents && this.step());
  }

  private pop(): QueuedEvent | undefined {
    const heap = this.heap;
    const n = heap.length;
    if (n === 0) return undefined;
    const top = heap[0];
    const last = heap.pop()!;
    if (n > 1) {
      // Sift down.
      const size = n - 1;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= size) break;
        const r = l + 1;
        let c = l;
        let ce = heap[l];
        if (r < size) {
          const re = heap[r];
          if (re.t < ce.t || (re.t === ce.t && re.seq < ce.seq)) {
            c = r;
            ce = re;
          }
        }
        if (last.t < ce.t || (last.t === ce.t && last.seq < ce.seq)) break;
        heap[i] = ce;
        i = c;
      }
      heap[i] = last;
    }
    return top;
  }
}
