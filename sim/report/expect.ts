/**
 * Evaluates a scenario's `expect:` block against the summary of a run. Pure: no I/O, so the CLI, the
 * tests and the visualizer share it.
 *
 * What is counted:
 * - `records.NAME`: `summary.records[NAME]`.
 * - `elections.all`: elections that gave the partition a leader (leader ≥ 0); `clean` those of them with
 *   clean true, `unclean` those with clean false. An "election" to leader -1 (the partition went offline)
 *   is counted in none of the three.
 * - `truncatedByBroker.ID`: records broker ID removed by truncation (0 when it removed none).
 * - `isrShrinks`, `isrExpands`: the summary's counts.
 * - `keysMoved`, `reassignmentsCompleted`, `reassignmentDoneMs`: the summary's cluster changes (keys that
 *   moved partition when producers saw added partitions; completed reassignments and when the last one
 *   completed, -1 when none did).
 * - `recordsPerSec`: acknowledged records per second of simulated time (the summary's acked / simulatedMs).
 * - `latencyMs.produce.P`, `latencyMs.endToEnd.P`: the summary's latency percentile P (p50, p99, p999), ms.
 * - `errors.NAME`: `summary.errors[NAME]`, 0 when absent.
 * - `groups.G.NAME`: the consumer group G's counter at the end (GROUP_COUNTER_DOCS).
 * - `violations: [check]`: the check reported at least one violation.
 * - `noViolations`: the check reported none (`all`: every check not listed in `violations`, but for the liveness
 *   checks when the run did not check them: see summary.liveness).
 */
import { CHECK_NAMES, type CheckName, LIVENESS_CHECKS } from '../checks/checks.js';
import type { ExpectSpec, Expectation } from '../scenario/types.js';
import type { RunSummary } from './summary.js';

export interface ExpectResult {
  /** What was measured, e.g. `records.lostAcked`, `elections.unclean`, `violations[in-order]`. */
  what: string;
  /** The expectation in words: `= 0`, `≥ 1`, `≤ 5`, `between 1 and 5`. */
  expected: string;
  /** The measured value (a string when the summary has no such value). */
  actual: number | string;
  ok: boolean;
}

export interface ExpectEvaluation {
  passed: boolean;
  results: ExpectResult[];
}

/** An expectation in words. */
export function describeExpectation(e: Expectation): string {
  if (e.eq !== undefined) return `= ${e.eq}`;
  if (e.min !== undefined && e.max !== undefined) return e.min === e.max ? `= ${e.min}` : `between ${e.min} and ${e.max}`;
  if (e.min !== undefined) return `≥ ${e.min}`;
  if (e.max !== undefined) return `≤ ${e.max}`;
  return 'any';
}

/** Whether a count meets an expectation (every bound given must hold). */
export function meets(e: Expectation, actual: number): boolean {
  if (e.eq !== undefined && actual !== e.eq) return false;
  if (e.min !== undefined && actual < e.min) return false;
  if (e.max !== undefined && actual > e.max) return false;
  return true;
}

function numeric(what: string, e: Expectation, actual: number | undefined): ExpectResult {
  if (typeof actual !== 'number' || Number.isNaN(actual)) return { what, expected: describeExpectation(e), actual: 'not in the summary', ok: false };
  return { what, expected: describeExpectation(e), actual, ok: meets(e, actual) };
}

/** Election counts as the expect block means them (see the module comment). */
export function electionCounts(summary: Pick<RunSummary, 'elections'>): { all: number; clean: number; unclean: number } {
  let all = 0;
  let clean = 0;
  let unclean = 0;
  for (const e of summary.elections) {
    if (e.leader < 0) continue;
    all++;
    if (e.clean) clean++;
    else unclean++;
  }
  return { all, clean, unclean };
}

/** Records acknowledged per second of simulated time, to 0.1 (as kafkasim plan's records/s). */
export function recordsPerSec(summary: Pick<RunSummary, 'records' | 'simulatedMs'>): number {
  const seconds = summary.simulatedMs / 1000;
  return seconds > 0 ? Math.round((summary.records.acked / seconds) * 10) / 10 : 0;
}

/** Checks the expectations against a run summary. `passed` is true when every result is ok. */
export function evaluateExpect(expect: ExpectSpec, summary: RunSummary): ExpectEvaluation {
  const results: ExpectResult[] = [];
  const records = summary.records as unknown as Record<string, number | undefined>;
  for (const [name, e] of Object.entries(expect.records ?? {})) results.push(numeric(`records.${name}`, e, records[name]));

  const elections = electionCounts(summary);
  for (const kind of ['all', 'clean', 'unclean'] as const) {
    const e = expect.elections?.[kind];
    if (e) results.push(numeric(`elections.${kind}`, e, elections[kind]));
  }

  for (const [b, e] of Object.entries(expect.truncatedByBroker ?? {})) results.push(numeric(`truncatedByBroker.${b}`, e, summary.truncatedByBroker?.[b] ?? 0));

  if (expect.isrShrinks) results.push(numeric('isrShrinks', expect.isrShrinks, summary.isrShrinks));
  if (expect.isrExpands) results.push(numeric('isrExpands', expect.isrExpands, summary.isrExpands));
  for (const key of ['keysMoved', 'reassignmentsCompleted', 'reassignmentDoneMs'] as const) {
    const e = expect[key];
    // A run without cluster changes moved no keys and completed no reassignment (-1: none completed).
    if (e) results.push(numeric(key, e, summary.cluster?.[key] ?? (key === 'reassignmentDoneMs' ? -1 : 0)));
  }

  if (expect.recordsPerSec) results.push(numeric('recordsPerSec', expect.recordsPerSec, recordsPerSec(summary)));
  for (const kind of ['produce', 'endToEnd'] as const) {
    for (const [q, e] of Object.entries(expect.latencyMs?.[kind] ?? {})) results.push(numeric(`latencyMs.${kind}.${q}`, e, summary.latencyMs[kind][q as 'p50' | 'p99' | 'p999']));
  }

  for (const [name, e] of Object.entries(expect.errors ?? {})) results.push(numeric(`errors.${name}`, e, summary.errors[name] ?? 0));

  for (const [group, counters] of Object.entries(expect.groups ?? {})) {
    const g = summary.groups.find((x) => x.group === group);
    const value = {
      rebalances: g?.rebalances,
      generation: g?.generation,
      members: g?.members.length,
      removed: g?.removed,
      failedCommits: g?.failedCommits,
      lag: g?.totalLag,
      pausedPartitionSeconds: g?.pausedPartitionSeconds,
    };
    for (const [name, e] of Object.entries(counters)) results.push(numeric(`groups.${group}.${name}`, e, value[name as keyof typeof value] ?? 0));
  }

  const violationCount = (check: string) => summary.violations.filter((v) => v.check === check).length;
  const mustFail = expect.violations ?? [];
  for (const check of mustFail) {
    const n = violationCount(check);
    results.push({ what: `violations[${check}]`, expected: '≥ 1', actual: n, ok: n >= 1 });
  }
  // The liveness checks run only when the run ends quiet and healed for long enough (summary.liveness):
  // skipped, they are left out of `all`, and one named on its own fails, since it was not checked.
  const skipped = (c: string) => summary.liveness?.checked === false && LIVENESS_CHECKS.includes(c as CheckName);
  const mustHold = expect.noViolations === 'all' ? CHECK_NAMES.filter((c) => !mustFail.includes(c) && !skipped(c)) : (expect.noViolations ?? []);
  for (const check of mustHold) {
    const n = violationCount(check);
    if (skipped(check)) results.push({ what: `violations[${check}]`, expected: '= 0, checked (the run ends without a long enough quiet, healed phase: add liveness:)', actual: n, ok: false });
    else results.push({ what: `violations[${check}]`, expected: '= 0', actual: n, ok: n === 0 });
  }

  return { passed: results.every((r) => r.ok), results };
}
