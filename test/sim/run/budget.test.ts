/**
 * The memory estimate before a run (sim/run/budget.ts): it grows with replicas and with the records of
 * the hot window, not with the run's length, and it is an upper estimate of what runs measure.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { budgetProblem, estimateRunCost, formatBytes } from '../../../sim/run/budget.js';
import { createSimulation } from '../../../sim/run/simulation.js';
import { parseScenario } from '../../../sim/scenario/parse.js';

const scenario = (partitions: number, rate: number, duration: string) =>
  parseScenario(
    `name: b
duration: ${duration}
cluster: { brokers: 3 }
topics: [{ name: t, partitions: ${partitions}, replication.factor: 3 }]
producers: [{ name: p1, topic: t, rate: ${rate}/s, recordSize: 1KB }]
`,
    'b.yaml',
  );

describe('the memory estimate of a run', () => {
  it('counts replicas and the hot window, not the length of the run', () => {
    const a = estimateRunCost(scenario(200_000, 1000, '1s'));
    expect(a.replicas).toBe(600_000);
    expect(a.bytes).toBeGreaterThan(1.3e9);
    expect(a.bytes).toBeLessThan(3e9);
    const hour = estimateRunCost(scenario(6, 100_000, '60m'));
    const tenMinutes = estimateRunCost(scenario(6, 100_000, '10m'));
    expect(hour.bytes).toBe(tenMinutes.bytes);
    // An hour at 100,000 records/s, RF 3: the hot window's 12 million records on 4 holders each.
    expect(hour.hotRecords).toBe(100_000 * 120 * 4);
  });

  it('is above what a run of 2,000 partitions measures (heap after a full collection, the run still held)', () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const s = scenario(2000, 1000, '1s');
    gc();
    const before = process.memoryUsage().heapUsed;
    const sim = createSimulation(s);
    sim.run();
    gc();
    const used = process.memoryUsage().heapUsed - before;
    expect(sim.summary().records.sent).toBe(1000);
    expect(used).toBeGreaterThan(1e6);
    expect(estimateRunCost(s).bytes).toBeGreaterThan(used);
  });

  it('refuses with the figures when over the limit, and says nothing when under', () => {
    const s = scenario(200_000, 1000, '1s');
    expect(budgetProblem(s, 64e9, 'this process')).toBeUndefined();
    expect(budgetProblem(s, 1e9, 'this process')).toMatch(
      /^this scenario needs about 1\.\d GB of memory \(600,000 replicas, 4,000 records in the last two minutes across their replicas\); this process has 1\.0 GB$/,
    );
    expect(formatBytes(640e6)).toBe('640 MB');
    expect(formatBytes(2.44e9)).toBe('2.4 GB');
  });
});
