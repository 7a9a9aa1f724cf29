/**
 * Every scenario in scenarios/ (recursively) is a test: it must parse, run, and meet its `expect:` block.
 * And runs are deterministic: the same seed gives the same trace hash, another seed another one.
 * New scenario files are picked up automatically.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateExpect } from '../sim/report/expect.js';
import { parseScenario } from '../sim/scenario/parse.js';
import type { Scenario } from '../sim/scenario/types.js';
import { simulate } from '../sim/run/simulation.js';
import type { RunSummary } from '../sim/report/summary.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const DIR = join(ROOT, 'scenarios');
const TIMEOUT_MS = 120_000;

function scenarioFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...scenarioFiles(p));
    else if (/\.(ya?ml|json)$/i.test(e.name)) out.push(relative(ROOT, p));
  }
  return out;
}

const FILES = scenarioFiles(DIR);

/** Parsed scenarios and runs with the scenario's own seed, shared by the tests of a file. */
const parsed = new Map<string, Scenario>();
const firstRun = new Map<string, RunSummary>();

function load(file: string): Scenario {
  let s = parsed.get(file);
  if (!s) {
    s = parseScenario(readFileSync(join(ROOT, file), 'utf8'), file);
    parsed.set(file, s);
  }
  return s;
}

function run(file: string): RunSummary {
  let r = firstRun.get(file);
  if (!r) {
    const s = load(file);
    r = simulate(s, { seed: s.seed });
    firstRun.set(file, r);
  }
  return r;
}

it('finds scenario files', () => {
  expect(FILES.length).toBeGreaterThan(0);
});

describe.each(FILES)('%s', (file) => {
  it('parses', () => {
    expect(() => load(file)).not.toThrow();
  });

  it(
    'meets its expect block',
    () => {
      const s = load(file);
      const summary = run(file);
      if (!s.expect) return; // nothing asserted beyond running to the end
      const evaluation = evaluateExpect(s.expect, summary);
      const failed = evaluation.results.filter((r) => !r.ok);
      const message = [
        `${file}: ${failed.length} expectation(s) not met (seed ${summary.seed}, trace hash ${summary.traceHash})`,
        ...evaluation.results.map((r) => `  ${r.ok ? '✓' : '✗'} ${r.what} ${r.expected} (actual ${r.actual})`),
        ...summary.violations.map((v) => `  violation ${v.check} ${v.partition}: ${v.detail}`),
        `reproduce: kafkasim run ${file} --seed ${summary.seed}`,
      ].join('\n');
      expect(evaluation.passed, message).toBe(true);
    },
    TIMEOUT_MS,
  );

  it(
    'is deterministic: same seed, same trace hash; another seed, another hash',
    () => {
      const s = load(file);
      const first = run(file);
      const again = simulate(s, { seed: s.seed });
      expect(again.traceHash, `${file} seed ${s.seed}: two runs differ (reproduce: kafkasim run ${file} --seed ${s.seed}, twice)`).toBe(first.traceHash);
      expect(again.events).toBe(first.events);
      expect(again.records).toEqual(first.records);
      const other = simulate(s, { seed: s.seed + 1 });
      expect(other.traceHash, `${file}: seeds ${s.seed} and ${s.seed + 1} gave the same trace hash`).not.toBe(first.traceHash);
    },
    TIMEOUT_MS,
  );
});
