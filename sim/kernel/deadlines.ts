/**
 * Timeouts that rarely fire (request timeouts, fetch waits) kept out of the kernel's heap: a queue
 * ordered by deadline (nearly always appended at the end, since most share one duration) and a single
 * kernel timer for the earliest live one. Cancelling is marking; expired or cancelled entries are
 * dropped when the timer fires. Belongs to a process: a crash drops it with the process's timers.
 */
import type { Process } from './process.js';

/** What a Deadlines needs of the process that owns it: its clock and its timers. */
export type DeadlineOwner = Pick<Process, 'kernel' | 'timerAt'>;

/**
 * Cancelled entries kept at most before the queue is compacted (when they are also the majority). Small:
 * a cancelled entry kept for long outlives the garbage collector's young generation and is copied and
 * promoted for nothing (replica fetches and produce requests cancel one per request).
 */
const COMPACT_AFTER = 32;

export interface Deadline {
  atUs: number;
  live: boolean;
}

interface Entry<T> extends Deadline {
  item: T | undefined;
  /** A number that goes with the item (a request's correlation id, a generation), so callers need no object for the pair. */
  tag: number;
}

export class Deadlines<T> {
  private q: Array<Entry<T>> = [];
  private head = 0;
  private armedUs = Infinity;
  /** Cancelled entries still in the queue: compacted away when they are the majority. */
  private dead = 0;

  constructor(
    private readonly proc: DeadlineOwner,
    private readonly onExpire: (item: T, tag: number) => void,
  ) {}

  /** Call onExpire(item, tag) at `atUs` unless cancelled first. */
  add(atUs: number, item: T, tag = 0): Deadline {
    const d: Entry<T> = { atUs, live: true, item, tag };
    const q = this.q;
    let i = q.length;
    while (i > this.head && q[i - 1].atUs > atUs) i--;
    if (i === q.length) q.push(d);
    else q.splice(i, 0, d);
    this.arm();
    return d;
  }

  cancel(d: Deadline): void {
    if (!d.live) return;
    d.live = false;
    // Let go of the item now: most deadlines are cancelled long before they are due.
    (d as Entry<T>).item = undefined;
    if (++this.dead > COMPACT_AFTER && this.dead * 2 > this.q.length - this.head) {
      this.q = this.q.slice(this.head).filter((e) => e.live);
      this.head = 0;
      this.dead = 0;
    }
  }

  private arm(): void {
    const q = this.q;
    while (this.head < q.length && !q[this.head].live) {
      this.head++;
      if (this.dead > 0) this.dead--;
    }
    if (this.head === q.length) {
      // Emptied by pops: setting the length runs outside the compiled code.
      while (q.length > 0) q.pop();
      this.head = 0;
      return;
    }
    const at = q[this.head].atUs;
    if (at >= this.armedUs) return;
    this.armedUs = at;
    this.proc.timerAt(at, () => this.fire(at));
  }

  private fire(at: number): void {
    if (at !== this.armedUs) return;
    this.armedUs = Infinity;
    const now = this.proc.kernel.now;
    // this.q is read anew each time: onExpire may cancel deadlines, and a cancel may compact the queue.
    while (this.head < this.q.length && this.q[this.head].atUs <= now) {
      const d = this.q[this.head++];
      if (d.live) {
        d.live = false;
        const item = d.item as T;
        d.item = undefined;
        this.onExpire(item, d.tag);
      } else if (this.dead > 0) {
        this.dead--;
      }
    }
    if (this.head > 1024 && this.head * 2 > this.q.length) {
      this.q.splice(0, this.head);
      this.head = 0;
    }
    this.arm();
  }
}
