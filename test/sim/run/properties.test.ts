/**
 * Property: with RF 3, acks=all, min.insync.replicas=2, idempotence on and unclean election off, no
 * schedule of process crashes, restarts, network partitions and GC pauses loses an acknowledged
 * record, lets replica logs diverge below their high watermarks, duplicates or reorders records, or
 * elects a leader outside the ISR. Every failure prints the seed and the fault schedule.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseScenario, simulate } from 'kafkasim';

const verbs = ['crash', 'restart', 'pause', 'resume', 'isolate', 'heal'] as const;

const faultArb = fc.record({
  atS: fc.integer({ min: 1, max: 30 }),
  verb: fc.constantFrom(...verbs),
  broker: fc.integer({ min: 1, max: 3 }),
});

function scenarioText(faults: Array<{ atS: number; verb: (typeof verbs)[number]; broker: number }>): string {
  const lines = faults.map((f) => {
    switch (f.verb) {
      case 'isolate':
        return `  - { at: ${f.atS}s, partition: broker ${f.broker} }`;
      case 'heal':
        return `  - { at: ${f.atS}s, heal: all }`;
      default:
        return `  - { at: ${f.atS}s, ${f.verb}: broker ${f.broker} }`;
    }
  });
  return `name: property-acks-all
duration: 45s
cluster:
  brokers: 3
  config: { min.insync.replicas: 2, unclean.leader.election.enable: false }
topics:
  - { name: t, partitions: 2, replication.factor: 3 }
producers:
  - { name: p1, topic: t, rate: 200/s, keys: { uniform: 50 }, config: { acks: all } }
consumers:
  - { name: c1, topic: t, from: earliest }
faults:
${lines.join('\n')}
  - { at: 32s, heal: all }
  - { at: 32s, resume: all brokers }
  - { at: 33s, restart: all brokers }
`;
}

describe('acks=all with min.insync.replicas=2 never loses an acknowledged record', () => {
  it('holds for random fault schedules', { timeout: 240_000 }, () => {
    const seed = Number(process.env.KAFKASIM_PROPERTY_SEED ?? 20261122);
    fc.assert(
      fc.property(fc.array(faultArb, { minLength: 1, maxLength: 8 }), fc.integer({ min: 1, max: 1_000_000 }), (faults, simSeed) => {
        const text = scenarioText(faults);
        const summary = simulate(parseScenario(text, 'property.yaml'), { seed: simSeed });
        expect(summary.violations, `seed ${simSeed}; fast-check seed ${seed}; scenario:\n${text}`).toEqual([]);
        expect(summary.records.acked, `seed ${simSeed}`).toBeGreaterThan(0);
      }),
      { seed, numRuns: Number(process.env.KAFKASIM_PROPERTY_RUNS ?? 12), endOnFailure: true },
    );
  });
});
