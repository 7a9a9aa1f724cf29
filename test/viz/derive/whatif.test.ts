/**
 * The What-if tab's data without a browser: configurations and x values parsed and checked with the public
 * API's plan settings, the grid, and the chart of a `kafkasim plan` result file (summary.json or
 * results.jsonl; a --find-max summary and lines that are not points are named errors).
 */
import { describe, expect, it } from 'vitest';
import { chartOfGrid, chartOfPlanFile, gridOf, OWN, parseConfig, parseXValues, WhatIfInputError } from '../../../viz/derive/whatif.js';

const figures = (rps: number, p99: number) => ({
  recordsPerSec: rps,
  mbPerSec: rps / 1000,
  acked: rps * 5,
  produceMs: { p50: p99 / 2, p99, p999: p99 * 1.1 },
  endToEndMs: { p50: p99 / 2, p99, p999: p99 * 1.1 },
  lag: 0,
  errors: 0,
  failed: 0,
  lost: 0,
  violations: [],
  traceHash: '0123456789abcdef',
});

describe('what-if input', () => {
  it('parses configurations of one or several settings', () => {
    expect(parseConfig('acks=all', 'rate')).toEqual({ label: 'acks=all', settings: { acks: 'all' } });
    expect(parseConfig(' linger.ms=5, batch.size=65536 ', 'rate')).toEqual({ label: 'linger.ms=5, batch.size=65536', settings: { 'linger.ms': '5', 'batch.size': '65536' } });
    expect(parseConfig('', 'rate').label).toBe(OWN);
  });

  it('names a bad configuration', () => {
    const bad =
      (text: string, x = 'rate') =>
      () =>
        parseConfig(text, x);
    expect(bad('lingr.ms=5')).toThrow(/unknown setting "lingr\.ms"/);
    expect(bad('acks')).toThrow(/"acks" is not name=value/);
    expect(bad('acks=2')).toThrow(/acks=2: expected/);
    expect(bad('rate=5000/s')).toThrow(/rate is the x axis/);
    expect(bad('acks=2')).toThrow(WhatIfInputError);
  });

  it('parses x values, sorted, at least two, no repeats', () => {
    expect(parseXValues('rate', '100000/s, 20000/s')).toEqual([
      { text: '20000/s', x: 20000 },
      { text: '100000/s', x: 100000 },
    ]);
    expect(parseXValues('partitions', '3 6 12').map((v) => v.x)).toEqual([3, 6, 12]);
    expect(() => parseXValues('rate', '20000/s')).toThrow(/at least two/);
    expect(() => parseXValues('partitions', '3, 0')).toThrow(/"0": expected a whole number/);
    expect(() => parseXValues('brokers', '3, 3')).toThrow(/given twice/);
    // Log directories per broker: a plan's logDirs, 1 to 64.
    expect(parseXValues('logDirs', '4, 1, 2').map((v) => v.x)).toEqual([1, 2, 4]);
    expect(() => parseXValues('logDirs', '1, 65')).toThrow(/"65": expected a whole number from 1 to 64/);
  });

  it('makes every configuration at every x value, and its chart from the outcomes', () => {
    const configs = [parseConfig('acks=all', 'rate'), parseConfig('acks=1', 'rate')];
    const xs = parseXValues('rate', '20000/s, 100000/s');
    const points = gridOf('rate', xs, configs);
    expect(points.map((p) => p.settings)).toEqual([
      { acks: 'all', rate: '20000/s' },
      { acks: 'all', rate: '100000/s' },
      { acks: '1', rate: '20000/s' },
      { acks: '1', rate: '100000/s' },
    ]);
    expect(() => gridOf('rate', xs, configs.slice(0, 1))).toThrow(/two or more/);
    expect(() => gridOf('rate', xs, [configs[0]!, configs[0]!])).toThrow(/given twice/);
    const chart = chartOfGrid('t', 'rate', configs, points, [{ figures: figures(1, 2) }, undefined, { error: 'no' }, { figures: figures(3, 4) }]);
    expect(chart.series.map((s) => s.points.map((p) => p.xText))).toEqual([['20000/s'], ['20000/s', '100000/s']]);
  });
});

describe("a plan's result file", () => {
  const points = [
    { index: 0, settings: { acks: 'all', 'linger.ms': '0' }, figures: figures(100, 5) },
    { index: 1, settings: { acks: 'all', 'linger.ms': '5' }, figures: figures(90, 9) },
    { index: 2, settings: { acks: '1', 'linger.ms': '0' }, figures: figures(200, 2) },
    { index: 3, settings: { acks: '1', 'linger.ms': '5' }, error: 'internal error' },
  ];

  it('draws summary.json against its first numeric sweep, one series per combination of the others', () => {
    const summary = { base: 'scenarios/plan/small.yaml', sweeps: { acks: ['all', '1'], 'linger.ms': ['0', '5'] }, points };
    const chart = chartOfPlanFile('summary.json', JSON.stringify(summary, null, 2));
    expect(chart.xName).toBe('linger.ms');
    expect(chart.title).toBe('scenarios/plan/small.yaml (summary.json)');
    expect(chart.series.map((s) => s.label)).toEqual(['acks=all', 'acks=1']);
    expect(chart.series[1]!.points.map((p) => [p.x, p.error ?? p.figures!.recordsPerSec])).toEqual([
      [0, 200],
      [5, 'internal error'],
    ]);
  });

  it('draws results.jsonl, its sweeps read from the points', () => {
    const chart = chartOfPlanFile('results.jsonl', points.map((p) => JSON.stringify(p)).join('\n'));
    expect(chart.xName).toBe('linger.ms');
    expect(chart.series.length).toBe(2);
  });

  it('names what it cannot draw', () => {
    expect(() => chartOfPlanFile('a.jsonl', '')).toThrow(/empty/);
    expect(() => chartOfPlanFile('a.jsonl', '{"index":0}\nnot json')).toThrow(/a\.jsonl: line 1: not a plan point/);
    expect(() => chartOfPlanFile('a.jsonl', `${JSON.stringify(points[0])}\nnot json`)).toThrow(/a\.jsonl: line 2: not JSON/);
    expect(() => chartOfPlanFile('s.json', JSON.stringify({ findMax: { lo: 1, hi: 2 }, points: [] }))).toThrow(/--find-max summary/);
    expect(() => chartOfPlanFile('s.json', JSON.stringify({ points: [{ settings: { acks: 'all' }, figures: figures(1, 1) }] }))).toThrow(/no swept setting has numeric values/);
  });
});
