/**
 * One point of a capacity plan through the public API (what `kafkasim plan` and the visualizer's what-if tab
 * both run): its figures are those of a plain simulate() of the scenario with the point's settings, bad
 * settings are named, and a bottleneck is reported only when the summary names one.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { applyPlanSettings, pointBottleneck, figuresOf, isPlanSetting, numericValue, parseScenario, planSettingProblem, runPlanPoint, simulate } from 'kafkasim';

const BASE = 'scenarios/plan/small.yaml';
const TEXT = readFileSync(fileURLToPath(new URL(`../../../${BASE}`, import.meta.url)), 'utf8');

describe('runPlanPoint', () => {
  it('gives the figures of simulate() on the scenario with the settings applied', () => {
    const settings = { rate: '20000/s', acks: '1', 'linger.ms': '5' };
    const f = runPlanPoint(TEXT, BASE, settings);
    const scenario = parseScenario(applyPlanSettings(TEXT, settings), BASE);
    expect(scenario.producers[0]!.ratePerSec).toBe(20000);
    const summary = simulate(scenario);
    expect(f.traceHash).toBe(summary.traceHash);
    expect(f).toEqual(figuresOf(summary, scenario.producers[0]!.recordBytes, true));
    expect(f.bottleneck).toEqual(pointBottleneck(summary));
  });

  it('applies partitions to every topic and drops explicit assignments', () => {
    const text = applyPlanSettings(TEXT, { partitions: 12, brokers: 4 });
    const s = parseScenario(text, BASE);
    expect(s.topics[0]!.partitions).toBe(12);
    expect(s.cluster.brokers.length).toBe(4);
  });

  it('names a bad setting or value', () => {
    expect(isPlanSetting('rate')).toBe(true);
    expect(isPlanSetting('linger.ms')).toBe(true);
    expect(isPlanSetting('lingr.ms')).toBe(false);
    expect(planSettingProblem('lingr.ms', '5')).toMatch(/config name/);
    expect(planSettingProblem('rate', 'fast')).toMatch(/a rate such as 5000\/s/);
    expect(planSettingProblem('partitions', '0')).toMatch(/whole number/);
    expect(planSettingProblem('acks', '2')).toBeDefined();
    expect(planSettingProblem('acks', 'all')).toBeUndefined();
  });

  it('reads numbers from rates and plain values', () => {
    expect(numericValue('20000/s')).toBe(20000);
    expect(numericValue('100/ms')).toBe(100000);
    expect(numericValue('12')).toBe(12);
    expect(numericValue('all')).toBeNaN();
  });

  it("keeps the run's bottleneck, its utilization to 4 places, and none when nothing was busy", () => {
    const summary = simulate(parseScenario(TEXT, BASE));
    expect(summary.bottleneck).not.toBeNull();
    const b = summary.bottleneck!;
    expect(pointBottleneck(summary)).toEqual({ node: b.node, resource: b.resource, utilization: Math.round(b.utilization * 1e4) / 1e4 });
    expect(figuresOf(summary, 1024, true).bottleneck).toEqual(pointBottleneck(summary));
    expect(figuresOf({ ...summary, bottleneck: null }, 1024, true).bottleneck).toBeUndefined();
  });
});
