import { describe, expect, it } from 'vitest';
import { Cpu, MIN_WAIT_US, RequestHandling } from '../../../sim/resources/cpu.js';

const handling = (cores: number, io: number, queue: number) => new RequestHandling(new Cpu(cores), { networkThreads: 3, ioThreads: io, queuedMaxRequests: queue });

describe('request handling', () => {
  it('an uncontended request is handled on arrival', () => {
    const h = handling(8, 8, 500);
    expect(h.admit(1000, 5, 20)).toBe(1000);
  });

  it('fewer I/O threads make requests wait under load', () => {
    const waitOf = (io: number) => {
      const h = handling(64, io, 500);
      let total = 0;
      for (let i = 0; i < 100; i++) total += h.admit(0, 1, 1000) - 0;
      return total;
    };
    expect(waitOf(1)).toBeGreaterThan(waitOf(8));
    expect(waitOf(8)).toBeGreaterThan(0);
  });

  it('a CPU-bound broker shows its cores busy and requests waiting for them', () => {
    const h = handling(1, 8, 500);
    for (let i = 0; i < 10; i++) h.admit(i * 100, 5, 500);
    expect(h.cpu.cores.busyUs).toBe(10 * 505);
    expect(h.waited).toBeGreaterThan(0);
  });

  it('a full request queue blocks the network threads (back-pressure)', () => {
    const h = handling(64, 1, 2);
    for (let i = 0; i < 10; i++) h.admit(0, 1, 10 * MIN_WAIT_US);
    expect(h.fullUs).toBeGreaterThan(0);
  });
});
