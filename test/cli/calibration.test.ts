/**
 * docs/capacity.md's Calibration table against Jay Kreps's 2014 benchmark: each scenario of
 * scenarios/calibration/ is run, and every row's model figure, difference and verdict (within 25% or not)
 * must be what the run gives. The v2 counterfactual the text quotes is checked too.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parseScenario, simulate, type RunSummary } from 'kafkasim';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DOC = readFileSync(join(ROOT, 'docs/capacity.md'), 'utf8');
const SECTION = DOC.slice(DOC.indexOf('## Calibration'));

interface Row {
  scenario: string;
  figure: string;
  published: number;
  model: string;
  difference: string;
  within: string;
}

/** The table's rows: `| (a) ... | scenario | figure | published | model | difference | within 25% |`. */
function rows(): Row[] {
  const out: Row[] = [];
  for (const line of SECTION.split('\n')) {
    if (!line.startsWith('| (')) continue;
    const c = line.split('|').map((x) => x.trim());
    out.push({ scenario: c[2]!, figure: c[3]!, published: Number(c[4]!.replace(/,/g, '')), model: c[5]!, difference: c[6]!, within: c[7]! });
  }
  return out;
}

const runs = new Map<string, RunSummary>();
/** A calibration scenario's run (with its message format changed to `format` when given). */
function run(name: string, format?: 'v2'): RunSummary {
  const file = `scenarios/calibration/${name}.yaml`;
  const key = `${name}:${format ?? ''}`;
  let r = runs.get(key);
  if (!r) {
    const text = readFileSync(join(ROOT, file), 'utf8');
    const s = parseScenario(format ? text.replace('messageFormat: v0', `messageFormat: ${format}`) : text, file);
    r = simulate(s, { seed: s.seed });
    runs.set(key, r);
  }
  return r;
}

const perSec = (r: RunSummary) => r.records.acked / (r.simulatedMs / 1000);
const percent = (model: number, published: number) => ((model - published) / published) * 100;
const signed = (x: number) => `${x > 0 ? '+' : ''}${x.toFixed(1)}%`;

describe('docs/capacity.md Calibration', { timeout: 120_000 }, () => {
  const table = rows();

  it('has the four cases: (a), (b), (c) and the three percentiles of (d)', () => {
    expect(table.map((r) => r.scenario)).toEqual([
      'kreps-2014-no-replication',
      'kreps-2014-3x-async',
      'kreps-2014-3x-sync',
      'kreps-2014-e2e-latency',
      'kreps-2014-e2e-latency',
      'kreps-2014-e2e-latency',
    ]);
  });

  it.each(table.filter((r) => r.figure === 'records/s'))('$scenario: records/s as the run gives them', (row) => {
    const model = perSec(run(row.scenario));
    expect(row.model).toBe(Math.round(model).toLocaleString('en-US'));
    const diff = percent(model, row.published);
    expect(row.difference).toBe(signed(diff));
    expect(row.within).toBe(Math.abs(diff) <= 25 ? 'yes' : 'no');
  });

  it('(d): end-to-end percentiles, exact and as TestEndToEndLatency prints them (whole ms, truncated)', () => {
    const latency = run('kreps-2014-e2e-latency').latencyMs.endToEnd;
    const measured = [latency.p50, latency.p99, latency.p999];
    const raw: string[] = [];
    table
      .filter((r) => r.figure === 'ms')
      .forEach((row, i) => {
        const exact = measured[i]!;
        const printed = Math.floor(exact);
        expect(row.model).toBe(`${exact.toFixed(3)} (${printed})`);
        const diff = percent(printed, row.published);
        expect(row.difference).toBe(signed(diff));
        expect(row.within).toBe(Math.abs(diff) <= 25 ? 'yes' : 'no');
        raw.push(signed(percent(exact, row.published)));
      });
    expect(SECTION).toContain(`(on the exact figures: ${raw.join(', ')})`);
  });

  it('with v2 record batches instead of v0, case (a) would be the figure the text quotes', () => {
    const model = perSec(run('kreps-2014-no-replication', 'v2'));
    expect(SECTION).toContain(`the model gives ${Math.round(model).toLocaleString('en-US')} records/s for case (a), ${signed(percent(model, 821557))}`);
  });
});
