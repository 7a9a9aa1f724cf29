/** Normalization of `expect:`: counts and ranges, elections, truncations per broker, violations. */
import type { z } from 'zod';
import type { ExpectSpec, Expectation } from './types.js';
import { EXPECTATION_EXPECTED, type ElectionsSchema, type RawScenario, type RawExpectation } from './schema.js';
import type { Path, Problems } from './problems.js';
import { type Env, brokerIdOf, checkBroker } from './targets.js';

function normExpectation(path: Path, raw: RawExpectation, p: Problems): Expectation | undefined {
  if (typeof raw === 'number') return { eq: raw };
  const out: Expectation = {};
  for (const k of ['eq', 'min', 'max'] as const) if (raw[k] !== undefined) out[k] = raw[k];
  if (Object.keys(out).length === 0) return p.report(path, { problem: 'empty expectation', got: raw, expected: EXPECTATION_EXPECTED });
  if (out.eq !== undefined && (out.min !== undefined || out.max !== undefined)) return p.report(path, { problem: 'eq together with min or max', got: raw, expected: EXPECTATION_EXPECTED });
  if (out.min !== undefined && out.max !== undefined && out.min > out.max) return p.report(path, { problem: 'min is above max', got: raw });
  return out;
}

function normKeyed(path: Path, raw: Record<string, RawExpectation | undefined> | undefined, p: Problems): Record<string, Expectation> {
  const out: Record<string, Expectation> = {};
  for (const [k, v] of Object.entries(raw ?? {})) {
    const e = v === undefined ? undefined : normExpectation([...path, k], v, p);
    if (e) out[k] = e;
  }
  return out;
}

function normElections(raw: z.infer<typeof ElectionsSchema> | undefined, p: Problems): ExpectSpec['elections'] {
  const path: Path = ['expect', 'elections'];
  if (raw === undefined) return {};
  if (typeof raw === 'number') return { all: { eq: raw } };
  const { all, clean, unclean, ...range } = raw;
  const hasRange = Object.values(range).some((v) => v !== undefined);
  if (hasRange && (all !== undefined || clean !== undefined || unclean !== undefined)) {
    return p.report(path, { problem: 'mixes {min, max, eq} with all/clean/unclean', got: raw, expected: '{min, max} for all elections, or {all, clean, unclean}' }) ?? {};
  }
  if (hasRange) return { all: normExpectation(path, range, p) };
  const out: ExpectSpec['elections'] = {};
  for (const [k, v] of Object.entries({ all, clean, unclean })) {
    const e = v === undefined ? undefined : normExpectation([...path, k], v, p);
    if (e) out[k as 'all' | 'clean' | 'unclean'] = e;
  }
  return out;
}

type RawRange = { min?: number; max?: number };

/** A measured figure's bounds (recordsPerSec, latencyMs): {min, max}, not empty, min ≤ max. */
function normRange(path: Path, raw: RawRange, p: Problems): Expectation | undefined {
  const out: Expectation = {};
  if (raw.min !== undefined) out.min = raw.min;
  if (raw.max !== undefined) out.max = raw.max;
  if (out.min === undefined && out.max === undefined) return p.report(path, { problem: 'empty range', got: raw, expected: '{min, max}, either or both' });
  if (out.min !== undefined && out.max !== undefined && out.min > out.max) return p.report(path, { problem: 'min is above max', got: raw });
  return out;
}

function normLatency(raw: NonNullable<RawScenario['expect']>['latencyMs'], p: Problems): ExpectSpec['latencyMs'] {
  const out: NonNullable<ExpectSpec['latencyMs']> = {};
  for (const kind of ['produce', 'endToEnd'] as const) {
    const percentiles = raw?.[kind];
    if (percentiles === undefined) continue;
    const e: Partial<Record<'p50' | 'p99' | 'p999', Expectation>> = {};
    for (const q of ['p50', 'p99', 'p999'] as const) {
      const r = percentiles[q];
      const n = r === undefined ? undefined : normRange(['expect', 'latencyMs', kind, q], r, p);
      if (n) e[q] = n;
    }
    out[kind] = e;
  }
  return out;
}

export function normExpect(raw: NonNullable<RawScenario['expect']>, env: Env, p: Problems): ExpectSpec {
  const violations = [...new Set(raw.violations ?? [])];
  const noViolations = raw.noViolations ?? [];
  if (Array.isArray(noViolations)) {
    noViolations.forEach((c, i) => {
      if (violations.includes(c)) p.report(['expect', 'noViolations', i], { problem: 'also listed in violations', got: c });
    });
  }
  const spec: ExpectSpec = {
    records: normKeyed(['expect', 'records'], raw.records, p),
    elections: normElections(raw.elections, p),
    errors: normKeyed(['expect', 'errors'], raw.errors, p),
    violations,
    noViolations: Array.isArray(noViolations) ? [...new Set(noViolations)] : 'all',
  };
  const shrinks = raw.isrShrinks === undefined ? undefined : normExpectation(['expect', 'isrShrinks'], raw.isrShrinks, p);
  const expands = raw.isrExpands === undefined ? undefined : normExpectation(['expect', 'isrExpands'], raw.isrExpands, p);
  if (shrinks) spec.isrShrinks = shrinks;
  if (raw.truncatedByBroker !== undefined) {
    const by: Record<string, Expectation> = {};
    for (const [key, v] of Object.entries(raw.truncatedByBroker)) {
      const path: Path = ['expect', 'truncatedByBroker', key];
      const id = brokerIdOf(key);
      if (id === undefined) p.report(path, { problem: 'not a broker', got: key, expected: 'a broker id such as "2", b2 or "broker 2"' });
      else if (checkBroker(path, id, key, env, p)) {
        const e = normExpectation(path, v, p);
        if (e) by[String(id)] = e;
      }
    }
    spec.truncatedByBroker = by;
  }
  if (expands) spec.isrExpands = expands;
  if (raw.groups !== undefined) {
    spec.groups = {};
    for (const [g, counters] of Object.entries(raw.groups)) {
      if (!env.groups.has(g)) p.report(['expect', 'groups', g], { problem: 'no consumer has this group.id', got: g, expected: `one of: ${[...env.groups].join(', ') || '(no groups)'}` });
      spec.groups[g] = normKeyed(['expect', 'groups', g], counters, p);
    }
  }
  for (const key of ['keysMoved', 'reassignmentsCompleted', 'reassignmentDoneMs'] as const) {
    const e = raw[key] === undefined ? undefined : normExpectation(['expect', key], raw[key], p);
    if (e) spec[key] = e;
  }
  const rate = raw.recordsPerSec === undefined ? undefined : normRange(['expect', 'recordsPerSec'], raw.recordsPerSec, p);
  if (rate) spec.recordsPerSec = rate;
  if (raw.latencyMs !== undefined) spec.latencyMs = normLatency(raw.latencyMs, p);
  return spec;
}
