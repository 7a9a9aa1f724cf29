import { describe, expect, it } from 'vitest';
import { CHECK_NAMES, LIVENESS_CHECKS } from '../../../sim/checks/checks.js';
import { describeExpectation, electionCounts, evaluateExpect, meets } from '../../../sim/report/expect.js';
import type { ExpectSpec } from '../../../sim/scenario/types.js';
import type { RunSummary } from '../../../sim/report/summary.js';

const latency = { p50: 1, p99: 2, p999: 3, max: 4, count: 10 };

function summary(over: Partial<RunSummary> = {}): RunSummary {
  return {
    scenario: 'hand-built',
    seed: 1,
    kafkaVersion: '4.1',
    traceHash: '0000000000000000',
    simulatedMs: 1000,
    events: 10,
    kernelEvents: 10,
    records: { sent: 100, acked: 98, failed: 2, lostAcked: 0, duplicated: 0, consumed: 98, reordered: 0, truncated: 3, skipped: 0, redelivered: 0 },
    latencyMs: { produce: latency, endToEnd: latency },
    errors: { NOT_ENOUGH_REPLICAS: 4 },
    elections: [
      { atMs: 10, partition: 'orders-0', leader: 2, epoch: 1, clean: true, reason: 'leaderFenced' },
      { atMs: 20, partition: 'orders-1', leader: -1, epoch: 1, clean: true, reason: 'offline' },
      { atMs: 30, partition: 'orders-1', leader: 3, epoch: 2, clean: false, reason: 'unclean' },
      { atMs: 40, partition: 'orders-0', leader: -1, epoch: 2, clean: false, reason: 'offline' },
    ],
    isrShrinks: 2,
    isrExpands: 1,
    violations: [{ check: 'no-acked-record-lost', partition: 'orders-1', detail: '5 acknowledged record(s) ...', atMs: 1000 }],
    liveness: { checked: false, fromMs: 0, quietMs: 1000, boundMs: 76000, derivation: '', skipped: 'the quiet time after the last fault (1000 ms) is shorter than the bound (76000 ms)' },
    lost: [{ partition: 'orders-1', records: 5, offsets: 'offsets 10..14' }],
    redelivered: [],
    skipped: [],
    groups: [],
    groupSnapshots: [],
    timeline: [],
    partitions: [],
    brokers: [],
    resources: [],
    bottleneck: null,
    ...over,
  };
}

function spec(over: Partial<ExpectSpec> = {}): ExpectSpec {
  return { records: {}, elections: {}, errors: {}, violations: [], noViolations: [], ...over };
}

describe('describeExpectation and meets', () => {
  it('words each kind of expectation', () => {
    expect(describeExpectation({ eq: 0 })).toBe('= 0');
    expect(describeExpectation({ min: 1 })).toBe('≥ 1');
    expect(describeExpectation({ max: 5 })).toBe('≤ 5');
    expect(describeExpectation({ min: 1, max: 5 })).toBe('between 1 and 5');
  });

  it('checks every bound', () => {
    expect(meets({ eq: 3 }, 3)).toBe(true);
    expect(meets({ eq: 3 }, 4)).toBe(false);
    expect(meets({ min: 1, max: 5 }, 0)).toBe(false);
    expect(meets({ min: 1, max: 5 }, 5)).toBe(true);
    expect(meets({ min: 1, max: 5 }, 6)).toBe(false);
  });
});

describe('electionCounts', () => {
  it('counts elections with a leader; offline transitions (leader -1) in none of all/clean/unclean', () => {
    expect(electionCounts(summary())).toEqual({ all: 2, clean: 1, unclean: 1 });
  });
});

describe('evaluateExpect', () => {
  it('passes when every expectation holds', () => {
    const r = evaluateExpect(
      spec({
        records: { lostAcked: { eq: 0 }, acked: { min: 90 }, failed: { min: 1, max: 5 } },
        elections: { all: { eq: 2 }, clean: { eq: 1 }, unclean: { min: 1 } },
        isrShrinks: { min: 1 },
        isrExpands: { eq: 1 },
        errors: { NOT_ENOUGH_REPLICAS: { min: 1 }, REQUEST_TIMED_OUT: { eq: 0 } },
        violations: [],
        noViolations: ['in-order', 'no-duplicates'],
      }),
      summary({ violations: [], lost: [] }),
    );
    expect(r.results.filter((x) => !x.ok)).toEqual([]);
    expect(r.passed).toBe(true);
    expect(r.results.map((x) => x.what)).toEqual([
      'records.lostAcked',
      'records.acked',
      'records.failed',
      'elections.all',
      'elections.clean',
      'elections.unclean',
      'isrShrinks',
      'isrExpands',
      'errors.NOT_ENOUGH_REPLICAS',
      'errors.REQUEST_TIMED_OUT',
      'violations[in-order]',
      'violations[no-duplicates]',
    ]);
    expect(r.results[2]).toEqual({ what: 'records.failed', expected: 'between 1 and 5', actual: 2, ok: true });
    expect(r.results[9]).toEqual({ what: 'errors.REQUEST_TIMED_OUT', expected: '= 0', actual: 0, ok: true });
  });

  it('fails on a record counter out of range and reports the actual value', () => {
    const r = evaluateExpect(spec({ records: { lostAcked: { eq: 0 }, acked: { min: 99 } } }), summary({ records: { ...summary().records, lostAcked: 5 } }));
    expect(r.passed).toBe(false);
    expect(r.results).toEqual([
      { what: 'records.lostAcked', expected: '= 0', actual: 5, ok: false },
      { what: 'records.acked', expected: '≥ 99', actual: 98, ok: false },
    ]);
  });

  it('fails on election counts (unclean election happened)', () => {
    const r = evaluateExpect(spec({ elections: { unclean: { eq: 0 }, clean: { min: 1 } } }), summary());
    expect(r.passed).toBe(false);
    expect(r.results.find((x) => x.what === 'elections.unclean')).toMatchObject({ actual: 1, ok: false });
    expect(r.results.find((x) => x.what === 'elections.clean')).toMatchObject({ actual: 1, ok: true });
  });

  it('fails on ISR counts and error counts; a missing error counts as 0', () => {
    const r = evaluateExpect(spec({ isrShrinks: { max: 1 }, isrExpands: { min: 2 }, errors: { NETWORK_EXCEPTION: { min: 1 } } }), summary());
    expect(r.passed).toBe(false);
    expect(r.results).toEqual([
      { what: 'isrShrinks', expected: '≤ 1', actual: 2, ok: false },
      { what: 'isrExpands', expected: '≥ 2', actual: 1, ok: false },
      { what: 'errors.NETWORK_EXCEPTION', expected: '≥ 1', actual: 0, ok: false },
    ]);
  });

  it('requires listed violations to appear', () => {
    const pass = evaluateExpect(spec({ violations: ['no-acked-record-lost'] }), summary());
    expect(pass.passed).toBe(true);
    expect(pass.results).toEqual([{ what: 'violations[no-acked-record-lost]', expected: '≥ 1', actual: 1, ok: true }]);
    const fail = evaluateExpect(spec({ violations: ['no-acked-record-lost', 'in-order'] }), summary());
    expect(fail.passed).toBe(false);
    expect(fail.results[1]).toEqual({ what: 'violations[in-order]', expected: '≥ 1', actual: 0, ok: false });
  });

  it('noViolations: all means every check not listed in violations', () => {
    const r = evaluateExpect(spec({ violations: ['no-acked-record-lost'], noViolations: 'all' }), summary());
    expect(r.passed).toBe(true);
    // The fixture's liveness checks were skipped: `all` leaves them out.
    expect(r.results.map((x) => x.what)).toEqual(CHECK_NAMES.filter((c) => !LIVENESS_CHECKS.includes(c)).map((c) => `violations[${c}]`));
    expect(r.results.filter((x) => x.expected === '= 0')).toHaveLength(CHECK_NAMES.length - 1 - LIVENESS_CHECKS.length);

    const fail = evaluateExpect(spec({ noViolations: 'all' }), summary());
    expect(fail.passed).toBe(false);
    expect(fail.results.filter((x) => !x.ok)).toEqual([{ what: 'violations[no-acked-record-lost]', expected: '= 0', actual: 1, ok: false }]);
  });

  it('skipped liveness checks are left out of all, and fail when named', () => {
    const skippedLiveness = { ...summary(), liveness: { checked: false, fromMs: 0, quietMs: 1000, boundMs: 76000, derivation: '', skipped: 'too short' } } as RunSummary;
    const all = evaluateExpect(spec({ violations: ['no-acked-record-lost'], noViolations: 'all' }), skippedLiveness);
    expect(all.passed).toBe(true);
    expect(all.results.map((x) => x.what)).toEqual(CHECK_NAMES.filter((c) => !LIVENESS_CHECKS.includes(c)).map((c) => `violations[${c}]`));
    const named = evaluateExpect(spec({ noViolations: ['fully-replicated'] }), skippedLiveness);
    expect(named.passed).toBe(false);
    expect(named.results[0]!.expected).toMatch(/^= 0, checked/);
  });

  it('recordsPerSec is acknowledged records per second of simulated time; latencyMs reads the percentiles', () => {
    const r = evaluateExpect(spec({ recordsPerSec: { min: 90, max: 100 }, latencyMs: { produce: { p99: { max: 1.5 } }, endToEnd: { p50: { min: 1 }, p999: { min: 2.5, max: 3 } } } }), summary());
    expect(r.results).toEqual([
      { what: 'recordsPerSec', expected: 'between 90 and 100', actual: 98, ok: true },
      { what: 'latencyMs.produce.p99', expected: '≤ 1.5', actual: 2, ok: false },
      { what: 'latencyMs.endToEnd.p50', expected: '≥ 1', actual: 1, ok: true },
      { what: 'latencyMs.endToEnd.p999', expected: 'between 2.5 and 3', actual: 3, ok: true },
    ]);
    expect(evaluateExpect(spec({ recordsPerSec: { min: 50 } }), summary({ simulatedMs: 2000 })).results[0]!.actual).toBe(49);
  });

  it('an empty expect block passes', () => {
    expect(evaluateExpect(spec(), summary())).toEqual({ passed: true, results: [] });
  });
});
