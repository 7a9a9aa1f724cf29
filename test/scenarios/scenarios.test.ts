/**
 * Every scenario in scenarios/ (recursively) is a test: it must parse, run, and meet its `expect:` block.
 * And runs are deterministic: the same seed gives the same trace hash, another seed another one.
 * New scenario files are picked up automatically.
 *
 * Each run with the scenario's own seed is also kept in a golden file, test/golden/<path>.json (trace hash,
 * event count, record counts, elections, errors), so a change of behaviour shows up as a reviewable diff.
 * After a deliberate change: `npx vitest run test/scenarios/scenarios.test.ts -u`, and review the diff.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { evaluateExpect, parseScenario, simulate, type RunSummary, type Scenario } from 'kafkasim';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DIR = join(ROOT, 'scenarios');

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

  it('meets its expect block', () => {
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
  });

  it('matches its golden file', async () => {
    const summary = run(file);
    const golden = {
      scenario: file,
      seed: summary.seed,
      traceHash: summary.traceHash,
      events: summary.events,
      records: summary.records,
      elections: summary.elections,
      errors: summary.errors,
    };
    const path = relative(DIR, join(ROOT, file)).replace(/\.(ya?ml|json)$/i, '');
    await expect(`${JSON.stringify(golden, null, 2)}\n`).toMatchFileSnapshot(`../golden/${path}.json`);
  });

  it('is deterministic: same seed, same trace hash; another seed, another hash', () => {
    const s = load(file);
    const first = run(file);
    const again = simulate(s, { seed: s.seed });
    expect(again.traceHash, `${file} seed ${s.seed}: two runs differ (reproduce: kafkasim run ${file} --seed ${s.seed}, twice)`).toBe(first.traceHash);
    expect(again.events).toBe(first.events);
    expect(again.records).toEqual(first.records);
    const other = simulate(s, { seed: s.seed + 1 });
    expect(other.traceHash, `${file}: seeds ${s.seed} and ${s.seed + 1} gave the same trace hash`).not.toBe(first.traceHash);
  });
});
