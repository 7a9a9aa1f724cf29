/**
 * Question 15 of docs/questions.md ("How many partitions do I need?") is a `kafkasim plan` sweep: the plan
 * runs here as the doc shows it, and the doc's table, chart (docs/plan/q15-partitions.svg, byte for byte)
 * and the figures of its prose are what the plan gives.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../cli/main.js';
import type { PointResult } from '../../cli/plan-task.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TMP = mkdtempSync(join(tmpdir(), 'kafkasim-plan-q15-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const BASE = 'scenarios/questions/q15-how-many-partitions-3.yaml';
const CHART = 'docs/plan/q15-partitions.svg';
const COUNTS = ['3', '6', '12', '30', '100', '300'];

const n = (x: number) => Math.round(x).toLocaleString('en-US');
const ms = (x: number) => `${x.toFixed(1)} ms`;
const s1 = (x: number) => `${(x / 1000).toFixed(1)} s`;

/** The doc's sentences about the sweep, written from its points. */
function q15Prose(points: readonly PointResult[]): string {
  const at = (p: string) => points.find((r) => r.settings.partitions === p)!.figures!;
  const rates = points.map((r) => r.figures!.recordsPerSec);
  return [
    `For the producer, 3 partitions are enough: every count acknowledges ${n(Math.min(...rates))} to ${n(Math.max(...rates))} records/s`,
    '(8,000/s from 1 s, over the 20 s run) and nothing fails. More partitions cost produce latency, since the',
    `same records go out in more, smaller batches: produce p99 ${ms(at('3').produceMs.p99)} with 3 partitions, ${ms(at('12').produceMs.p99)} with`,
    `12, ${ms(at('300').produceMs.p99)} with 300 (p50 ${ms(at('3').produceMs.p50)} → ${ms(at('300').produceMs.p50)}). The consumers' side is where the count`,
    `matters: with 3 partitions 3 members work and the group processes 3,000 of the 8,000 records/s, so a record`,
    `waits ${s1(at('3').endToEndMs.p99)} (end-to-end p99) by the end and the lag is ${n(at('3').lag!)}; with 6, ${s1(at('6').endToEndMs.p99)} and ${n(at('6').lag!)}. From 12 on every member has`,
    `work and the group keeps up: end-to-end p99 ${ms(at('12').endToEndMs.p99)} with 12, ${ms(at('30').endToEndMs.p99)} with 30, ${ms(at('100').endToEndMs.p99)} with 100 (the range assignor`,
    `gives 4 members 9 partitions and 8 members 8) and ${ms(at('300').endToEndMs.p99)} with 300. Its lag, about ${n(at('12').lag!)}, is 5 s of records:`,
    'kafka-consumer-groups counts from the committed offsets, auto-committed every 5 s.',
  ].join(' ');
}

const collapse = (t: string) => t.replace(/\s+/g, ' ').trim();

describe('question 15: the partition sweep in docs/questions.md', { timeout: 300_000 }, () => {
  let out = '';
  let points: PointResult[] = [];
  const svg = join(TMP, 'q15.svg');
  beforeAll(async () => {
    const dir = join(TMP, 'plan');
    let err = '';
    const code = await main(['plan', join(ROOT, BASE), '--sweep', `partitions=${COUNTS.join(',')}`, '--chart', svg, '--out', dir, '--workers', '2', '--no-progress'], {
      out: (t) => void (out += t),
      err: (t) => void (err += t),
    });
    expect(err).toBe('');
    expect(code).toBe(0);
    points = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).points;
  }, 300_000);

  const doc = () => readFileSync(join(ROOT, 'docs/questions.md'), 'utf8');
  const section = () => doc().split('## 15. ')[1]!.split('\n## ')[0]!;

  it("shows the plan's table", () => {
    const table = out.split('\n\n')[1]!;
    expect(section()).toContain(`\`\`\`text\n${table}\n\`\`\``);
    expect(section()).toContain(`npx kafkasim plan ${BASE} --sweep partitions=${COUNTS.join(',')} --chart ${CHART}`);
  });

  it('commits the chart the plan draws', () => {
    expect(readFileSync(svg, 'utf8')).toBe(readFileSync(join(ROOT, CHART), 'utf8'));
    expect(section()).toContain('(plan/q15-partitions.svg)');
    // 3 to 300: a logarithmic axis.
    expect(readFileSync(svg, 'utf8')).toContain('>partitions (log scale)</text>');
  });

  it("states the plan's figures", () => {
    expect(collapse(section())).toContain(collapse(q15Prose(points)));
    // From 30 partitions on, the producer's connection is the bottleneck named, at the same share of the time.
    const named = ['30', '100', '300'].map((p) => points.find((r) => r.settings.partitions === p)!.figures!.bottleneck!);
    for (const b of named) expect(b).toMatchObject({ node: 'p:p1', resource: 'connection' });
    const pct = named.map((b) => Math.round(b.utilization * 100));
    expect(new Set(pct).size).toBe(1);
    expect(collapse(section())).toContain(`from 30 on the \`bottleneck\` column names the producer's connection, busy ${pct[0]}% of the time`);
    for (const p of ['3', '6']) expect(points.find((r) => r.settings.partitions === p)!.figures!.bottleneck).toMatchObject({ resource: 'processing' });
  });

  it('answers with more consumer parallelism up to 12 partitions, and no more throughput', () => {
    const e2e = (p: string) => points.find((r) => r.settings.partitions === p)!.figures!.endToEndMs.p99;
    expect(e2e('3')).toBeGreaterThan(e2e('6'));
    expect(e2e('6')).toBeGreaterThan(100 * e2e('12'));
    for (const r of points) expect(r.figures!.lost + r.figures!.errors).toBe(0);
  });
});
