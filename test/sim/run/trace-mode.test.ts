/**
 * Summary mode (`simulate(scenario, { trace: 'summary' })`, the default without sinks) builds no event
 * that only the trace reads: it must give the same trace hash, verdicts and summary as a full run, which
 * builds every event, and as a run whose events are kept and hashed afterwards.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseScenario } from '../../../sim/scenario/parse.js';
import { createSimulation, simulate } from '../../../sim/run/simulation.js';
import { ArraySink, hashEvents } from '../../../sim/trace/index.js';

/** Scenarios with what the summary path must get right: crashes, cut links, truncations, power loss, racks, violations. */
const FILES = [
  'scenarios/link-cut-delays.yaml',
  'scenarios/follower-fetching.yaml',
  'scenarios/idempotence-duplicate-batch.yaml',
  'scenarios/power-loss.yaml',
  'scenarios/catalog/kip101-hw-truncation-0.10.yaml',
  'scenarios/catalog/kip320-consumer-truncation-undetected.yaml',
  'scenarios/unclean-election-loss.yaml',
  'bench/explore-run.yaml',
  'scenarios/consumer-crash-rebalance.yaml',
  'scenarios/add-broker-reassign.yaml',
];

describe.each(FILES)('%s', (file) => {
  const scenario = parseScenario(readFileSync(file, 'utf8'), file);
  const summary = simulate(scenario, { trace: 'summary' });
  const full = simulate(scenario, { trace: 'full' });
  const sink = new ArraySink();
  const kept = simulate(scenario, { sinks: [sink] });

  it('gives the same trace hash in summary mode, full mode and from the kept events', () => {
    expect(summary.traceHash).toBe(full.traceHash);
    expect(summary.traceHash).toBe(kept.traceHash);
    expect(hashEvents(sink.events)).toBe(summary.traceHash);
    expect(summary.events).toBe(sink.events.length);
  });

  it('gives the same verdicts and summary', () => {
    expect(summary.violations).toEqual(full.violations);
    expect(summary).toEqual(full);
    expect(summary).toEqual(kept);
  });
});

describe('summary mode', () => {
  const scenario = parseScenario(readFileSync('scenarios/link-cut-delays.yaml', 'utf8'), 'link-cut-delays.yaml');

  it('is the default without sinks, full the default with them', () => {
    expect(createSimulation(scenario).trace.summary).toBe(true);
    expect(createSimulation(scenario, { sinks: [new ArraySink()] }).trace.summary).toBe(false);
  });

  it('refuses sinks (their events would never be built)', () => {
    expect(() => createSimulation(scenario, { trace: 'summary', sinks: [new ArraySink()] })).toThrow(/no sinks/);
  });
});
