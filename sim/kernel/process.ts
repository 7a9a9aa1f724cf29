/**
 * A simulated process (a broker, the controller, a client). It owns its timers and its inbox, so a
 * crash silently cancels everything it had scheduled (the incarnation changes), and a pause (a GC
 * stall) holds timers and messages until resume, then runs them in their original order.
 */
import type { Handler, Kernel } from './kernel.js';

export type ProcessState = 'running' | 'paused' | 'down';

export abstract class Process implements Handler {
  state: ProcessState = 'down';
  /** False while the machine has no power: nothing answers, not even a TCP reset. */
  machineUp = true;
  /** Bumped on every crash and start: timers and connections of an older incarnation are dead. */
  incarnation = 0;
  private held: Array<() => void> = [];

  constructor(
    readonly kernel: Kernel,
    /** Node name as in the trace: "b1", "ctl", "p:NAME", "c:NAME". */
    readonly node: string,
  ) {}

  get alive(): boolean {
    return this.state !== 'down';
  }

  /** Run `fn` after `delayUs` if this incarnation is still alive then (held while paused). */
  timer(delayUs: number, fn: () => void): void {
    this.kernel.at(this.kernel.now + delayUs, this, fn, this.incarnation);
  }

  /** Run `fn` at absolute time `t` (µs) under the same rules as timer(). */
  timerAt(t: number, fn: () => void): void {
    this.kernel.at(Math.max(t, this.kernel.now), this, fn, this.incarnation);
  }

  /** Kernel callback for timers: the tag is the incarnation that set the timer. */
  fire(fn: unknown, inc: number): void {
    this.run(inc, fn as () => void);
  }

  /** Deliver work that arrives from outside (a message): dropped if down, held if paused. */
  deliver(fn: () => void): void {
    this.run(this.incarnation, fn);
  }

  /**
   * Work that comes before anything held (a paused process does it first on resuming, as a failed disk
   * fails the first I/O that touches it): dropped if down.
   */
  protected deliverFirst(fn: () => void): void {
    if (this.state === 'down') return;
    if (this.state === 'paused') this.held.unshift(fn);
    else fn();
  }

  protected run(inc: number, fn: () => void): void {
    if (inc !== this.incarnation || this.state === 'down') return;
    if (this.state === 'paused') this.held.push(fn);
    else fn();
  }

  protected markStarted(): void {
    this.incarnation++;
    this.state = 'running';
    this.held = [];
  }

  protected markDown(): void {
    this.incarnation++;
    this.state = 'down';
    this.held = [];
  }

  pause(): void {
    if (this.state === 'running') this.state = 'paused';
  }

  resume(): void {
    if (this.state !== 'paused') return;
    this.state = 'running';
    const held = this.held;
    this.held = [];
    for (const fn of held) this.run(this.incarnation, fn);
  }
}
