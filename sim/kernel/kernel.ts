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

export class TimeTravelError extends Error {}

export class Kernel {
  /** The current virtual time, µs. */
  now = 0;
  /** Events fired so far. */
  fired = 0;
  private seq = 0;
  /**
   * The queue: a binary heap ordered by (time, sequence), kept in parallel typed arrays (each event's time,
   * sequence number and slot), so scheduling allocates nothing and a sift reads contiguous memory.
   */
  private times = new Float64Array(1024);
  private seqs = new Float64Array(1024);
  private slots = new Int32Array(1024);
  private size = 0;
  /** Per slot: the handler, its argument and its tag (opaque to the kernel: processes keep their incarnation there). */
  private readonly handlers: Array<Handler | ((arg: unknown) => void) | undefined> = [];
  private readonly args: unknown[] = [];
  private readonly tags: number[] = [];
  /** Slots of fired events, to reuse. */
  private readonly freeSlots: number[] = [];

  /** Number of pending events. */
  get pending(): number {
    return this.size;
  }

  /** Time of the next pending event, or Infinity. */
  peekTime(): number {
    return this.size > 0 ? this.times[0] : Infinity;
  }

  /** Schedule `h` at absolute time `t` (µs, an integer ≥ now). */
  at(t: number, h: Handler | ((arg: unknown) => void), arg?: unknown, tag = 0): void {
    if (t < this.now) throw new TimeTravelError(`cannot schedule at ${t}µs: the clock is at ${this.now}µs`);
    let slot = this.freeSlots.pop();
    if (slot === undefined) {
      slot = this.handlers.length;
      this.handlers.push(h);
      this.args.push(arg);
      this.tags.push(tag);
    } else {
      this.handlers[slot] = h;
      this.args[slot] = arg;
      this.tags[slot] = tag;
    }
    if (this.size === this.times.length) this.grow();
    const time = Math.ceil(t);
    const seq = this.seq++;
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    // Sift up. The new event has the largest sequence number, so it goes after every event at its time.
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (times[p] <= time) break;
      times[i] = times[p];
      seqs[i] = seqs[p];
      slots[i] = slots[p];
      i = p;
    }
    times[i] = time;
    seqs[i] = seq;
    slots[i] = slot;
  }

  private grow(): void {
    const n = this.times.length * 2;
    const times = new Float64Array(n);
    const seqs = new Float64Array(n);
    const slots = new Int32Array(n);
    times.set(this.times);
    seqs.set(this.seqs);
    slots.set(this.slots);
    this.times = times;
    this.seqs = seqs;
    this.slots = slots;
  }

  /** Schedule `h` after a delay (µs). */
  after(delayUs: number, h: Handler | ((arg: unknown) => void), arg?: unknown): void {
    this.at(this.now + delayUs, h, arg);
  }

  /** Fire the next event. Returns false when the queue is empty. */
  step(): boolean {
    if (this.size === 0) return false;
    const slot = this.slots[0];
    this.now = small(this.times[0]);
    this.removeTop();
    this.fired++;
    const h = this.handlers[slot]!;
    const arg = this.args[slot];
    const tag = this.tags[slot];
    // The slot is free before the handler runs (it may schedule): let go of what it held.
    this.handlers[slot] = undefined;
    this.args[slot] = undefined;
    this.freeSlots.push(slot);
    if (typeof h === 'function') h(arg);
    else h.fire(arg, tag);
    return true;
  }

  /** Fire every event due at or before `t`, then move the clock to `t`. */
  runUntil(t: number): void {
    while (this.size > 0 && this.times[0] <= t) this.step();
    if (t > this.now) this.now = small(t);
  }

  /** Fire events until the queue is empty (beware of periodic tasks: they never empty it). */
  run(maxEvents = Infinity): void {
    let n = 0;
    while (n++ < maxEvents && this.step());
  }

  /** Remove the first event: the last one sifts down from the top. */
  private removeTop(): void {
    const n = --this.size;
    if (n === 0) return;
    const times = this.times;
    const seqs = this.seqs;
    const slots = this.slots;
    const lt = times[n];
    const ls = seqs[n];
    const lslot = slots[n];
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      let c = l;
      let ct = times[l];
      let cs = seqs[l];
      const r = l + 1;
      if (r < n) {
        const rt = times[r];
        if (rt < ct || (rt === ct && seqs[r] < cs)) {
          c = r;
          ct = rt;
          cs = seqs[r];
        }
      }
      if (lt < ct || (lt === ct && ls < cs)) break;
      times[i] = ct;
      seqs[i] = cs;
      slots[i] = slots[c];
      i = c;
    }
    times[i] = lt;
    seqs[i] = ls;
    slots[i] = lslot;
  }
}

/**
 * A time as V8 keeps a small integer (a Smi) when it is one (below 2^31 µs, about 35 minutes): read from
 * the queue's Float64Array it would be a double, and every model object that copies the clock into a
 * field (a message's send time, a deadline) would then get a double field, which allocates a box per object.
 */
function small(t: number): number {
  return (t | 0) === t ? t | 0 : t;
}
