import { describe, expect, it } from 'vitest';
import { Deadlines } from '../../../sim/kernel/deadlines.js';
import { Kernel } from '../../../sim/kernel/kernel.js';

/** A minimal owner: timers straight on the kernel. */
function owner(kernel: Kernel) {
  return { kernel, timerAt: (t: number, fn: () => void) => kernel.at(t, { fire: (f: unknown) => (f as () => void)() }, fn, 0) };
}

describe('Deadlines', () => {
  it('fires in deadline order and skips cancelled ones', () => {
    const k = new Kernel();
    const fired: string[] = [];
    const d = new Deadlines<string>(owner(k), (x) => fired.push(`${x}@${k.now}`));
    d.add(30, 'c');
    const b = d.add(20, 'b');
    d.add(10, 'a');
    d.cancel(b);
    k.run(100);
    expect(fired).toEqual(['a@10', 'c@30']);
  });

  // Found by the failure search: an expiry that cancels enough deadlines to compact the queue left the
  // firing loop walking the old array with the new array's index: deadlines were skipped or dropped,
  // or arm() read past the end (a TypeError).
  it('survives an expiry that cancels (and compacts) the rest of the queue', () => {
    const k = new Kernel();
    const fired: number[] = [];
    const later: Array<ReturnType<Deadlines<number>['add']>> = [];
    const d = new Deadlines<number>(owner(k), (x) => {
      fired.push(x);
      if (x === 59) for (const l of later) d.cancel(l);
    });
    for (let i = 0; i < 60; i++) d.add(10, i);
    for (let i = 0; i < 100; i++) later.push(d.add(50 + i, 100 + i));
    d.add(500, 999);
    k.run(10_000);
    expect(fired).toEqual([...Array.from({ length: 60 }, (_, i) => i), 999]);
  });
});
