/**
 * Monotone sanity of capacity plans: what must hold whatever the model's details.
 * (a) More brokers never lower the saturation point of a network-bound cluster: `--find-max` over
 *     brokers 3, 4 and 6 finds non-decreasing highest sustained rates.
 * (b) RF 3 with acks=all never acknowledges more records than RF 1 with acks=1: a fast-check property over
 *     producer rates and partition counts (the seed is printed; KAFKASIM_SANITY_SEED varies it).
 * The base is network bound and cheap: 100 Mbit/s NICs, 10 KB records, three producers (so the brokers'
 * NICs, not a producer's, are the limit), 2 s simulated per run. Its producers use acks=1: with acks=all
 * a broker reads one request per connection at a time (SocketServer muting), each waiting for the
 * followers, so request round trips, not the NICs, would set the limit (and the replica fetcher's first
 * fetch holds the first requests for up to 500 ms, beyond the 200 ms objective). Each maximum's
 * bottleneck is checked to be a NIC.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findMaxOfPoint } from '../../cli/plan-find.js';
import { sloOf } from '../../cli/plan-options.js';
import { runPoint } from '../../cli/plan-task.js';
import type { SettingValue } from 'kafkasim';

const BASE = `
name: plan-sanity-network-bound
title: "A network-bound cluster: 100 Mbit/s NICs, three producers of 10 KB records"
compare: { set: { acks: all } }
seed: 1
duration: 2s
cluster:
  brokers: 3
  config: { min.insync.replicas: 2 }
  network: { bandwidth: 100Mbit/s }
topics:
  - { name: t, partitions: 12, replication.factor: 3 }
producers:
  - { name: p1, topic: t, rate: 100/s, recordSize: 10KB, keys: { uniform: 1000 }, config: { acks: 1 } }
  - { name: p2, topic: t, rate: 100/s, recordSize: 10KB, keys: { uniform: 1000 }, config: { acks: 1 } }
  - { name: p3, topic: t, rate: 100/s, recordSize: 10KB, keys: { uniform: 1000 }, config: { acks: 1 } }
`;

const run = async (settings: Record<string, SettingValue>) => runPoint({ index: 0, settings, baseText: BASE, baseFile: 'plan-sanity.yaml' });

describe('more brokers never lower the saturation point of a network-bound cluster', { timeout: 300_000 }, () => {
  it('--find-max over brokers 3, 4, 6: non-decreasing', async () => {
    const slo = sloOf('p99<200ms')!;
    const fm = { loPerSec: 50, hiPerSec: 2000 };
    const max: number[] = [];
    const bottlenecks: string[] = [];
    for (const [i, brokers] of ['3', '4', '6'].entries()) {
      const r = await findMaxOfPoint({ index: i, settings: { brokers } }, fm, slo, run);
      expect(r.error).toBeUndefined();
      expect(r.maxPerSec, `brokers=${brokers}`).not.toBeNull();
      max.push(r.maxPerSec!);
      // Network bound indeed: at its maximum the most utilized resource is a NIC.
      expect(r.figures?.bottleneck?.resource, `brokers=${brokers}: ${JSON.stringify(r.figures?.bottleneck)}`).toMatch(/^nic-(in|out)$/);
      bottlenecks.push(`${r.figures!.bottleneck!.node} ${r.figures!.bottleneck!.resource} ${(r.figures!.bottleneck!.utilization * 100).toFixed(0)}%`);
    }
    console.log(`plan-sanity.test.ts: brokers 3, 4, 6 sustain ${max.join(', ')} records/s per producer (bottlenecks ${bottlenecks.join(', ')})`);
    for (let i = 1; i < max.length; i++) expect(max[i], `brokers 3, 4, 6 sustain ${max.join(', ')} records/s per producer`).toBeGreaterThanOrEqual(max[i - 1]!);
    // Network bound indeed: twice the brokers carry clearly more.
    expect(max[2]).toBeGreaterThan(1.5 * max[0]!);
  });
});

const SEED = Number(process.env.KAFKASIM_SANITY_SEED ?? 20261202);

describe(`RF 3 acks=all never beats RF 1 acks=1 on throughput (fast-check seed ${SEED}; set KAFKASIM_SANITY_SEED to vary)`, { timeout: 300_000 }, () => {
  console.log(`plan-sanity.test.ts: fast-check seed ${SEED}`);
  it('over producer rates and partition counts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(100, 300, 600, 1200), fc.constantFrom('1', '3', '12'), async (rate, partitions) => {
        const at = async (rf: string, acks: string) => (await run({ rate: `${rate}/s`, partitions, 'replication.factor': rf, acks })).figures!.recordsPerSec;
        const rf3 = await at('3', 'all');
        const rf1 = await at('1', '1');
        expect(rf3, `${rate}/s per producer, ${partitions} partitions: RF 3 acks=all ${rf3} records/s, RF 1 acks=1 ${rf1}`).toBeLessThanOrEqual(rf1);
      }),
      { seed: SEED, numRuns: 5 },
    );
  });
});
