import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Kernel, TimeTravelError } from '../../../sim/kernel/kernel.js';
import { Streams } from '../../../sim/kernel/random.js';
import { Process } from '../../../sim/kernel/process.js';

describe('kernel', () => {
  it('orders events by time, then by scheduling order', () => {
    const k = new Kernel();
    const seen: string[] = [];
    k.at(20, () => seen.push('b'));
    k.at(10, () => seen.push('a'));
    k.at(20, () => seen.push('c'));
    k.run();
    expect(seen).toEqual(['a', 'b', 'c']);
    expect(k.now).toBe(20);
  });

  it('refuses to schedule in the past', () => {
    const k = new Kernel();
    k.at(10, () => {});
    k.run();
    expect(() => k.at(5, () => {})).toThrow(TimeTravelError);
  });

  it('runUntil stops at the given time and moves the clock there', () => {
    const k = new Kernel();
    const seen: number[] = [];
    for (const t of [5, 15, 25]) k.at(t, () => seen.push(t));
    k.runUntil(20);
    expect(seen).toEqual([5, 15]);
    expect(k.now).toBe(20);
  });

  it('pops any schedule in (time, sequence) order (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(1000), { minLength: 1, maxLength: 200 }), (times) => {
        const k = new Kernel();
        const fired: Array<[number, number]> = [];
        times.forEach((t, i) => k.at(t, () => fired.push([t, i])));
        k.run();
        const sorted = [...fired].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(fired).toEqual(sorted);
      }),
    );
  });
});

describe('named random streams', () => {
  it('are independent: drawing from one does not shift another', () => {
    const a = new Streams(7);
    const b = new Streams(7);
    const x1 = a.get('network')();
    b.get('faults')();
    b.get('faults')();
    expect(b.get('network')()).toBe(x1);
  });
});

describe('Process', () => {
  class Node extends Process {
    readonly done: string[] = [];
    start(): void {
      this.markStarted();
    }
    first(fn: () => void): void {
      this.deliverFirst(fn);
    }
  }

  it('holds work while paused and runs it on resuming, urgent work (deliverFirst) before the rest', () => {
    const k = new Kernel();
    const n = new Node(k, 'b1');
    n.start();
    n.pause();
    n.deliver(() => n.done.push('message 1'));
    n.deliver(() => n.done.push('message 2'));
    n.first(() => n.done.push('disk failure'));
    expect(n.done).toEqual([]);
    n.resume();
    expect(n.done).toEqual(['disk failure', 'message 1', 'message 2']);
    n.first(() => n.done.push('at once'));
    expect(n.done.at(-1)).toBe('at once');
  });
});
