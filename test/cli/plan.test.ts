/**
 * `kafkasim plan`: a 2 × 2 sweep of scenarios/plan/small.yaml (5 s runs) end to end: the table, each
 * point equal to a direct simulate() of the base with its settings, shards merged equal to the whole,
 * one-line errors, CSV, and docs/capacity.md's worked example.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { applyPlanSettings, applySettings, figuresOf, parseScenario, recoveryOf, simulate } from 'kafkasim';
import { main } from '../../cli/main.js';
import { sustained } from '../../cli/plan-find.js';
import { planChart } from '../../cli/plan-chart.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BASE = 'scenarios/plan/small.yaml';
const TMP = mkdtempSync(join(tmpdir(), 'kafkasim-plan-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const GRID = ['--sweep', 'rate=2000/s,20000/s', '--sweep', 'linger.ms=0,5'];

async function plan(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['plan', ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

function summaryOf(dir: string): Record<string, any> {
  return JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
}

describe('kafkasim plan', { timeout: 120_000 }, () => {
  const whole = join(TMP, 'whole');
  let printed = '';
  beforeAll(async () => {
    const r = await plan(join(ROOT, BASE), ...GRID, '--slo', 'p99<20ms', '--out', whole, '--workers', '2', '--no-progress');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    printed = r.out;
  });

  it('prints one aligned row per point, the swept settings first', () => {
    const lines = printed.split('\n');
    const head = lines.findIndex((l) => l.startsWith('rate '));
    expect(lines[head]).toMatch(/^rate\s+linger\.ms\s+records\/s\s+MB\/s\s+p50 ms\s+p99 ms\s+p99\.9 ms\s+e2e p50\s+e2e p99\s+e2e p99\.9\s+lag\s+errors\s+lost\s+violations\s+bottleneck\s+p99<20ms$/);
    const rows = lines.slice(head + 1, head + 5);
    expect(rows.map((r) => r.split(/\s+/).slice(0, 2))).toEqual([
      ['2000/s', '0'],
      ['2000/s', '5'],
      ['20000/s', '0'],
      ['20000/s', '5'],
    ]);
    // Aligned: every row as long as the header (the last column right-aligned).
    for (const r of rows) expect(r.length).toBe(lines[head]!.length);
    expect(printed).toContain('bottleneck: the most utilized resource of the run');
    // Each row names its bottleneck: a node, a resource and its utilization.
    for (const r of rows) expect(r).toMatch(/ (b\d (nic-out|nic-in|disk-write|disk-read|cpu|network-threads|io-threads|request-queue)|p:\S+ connection) [\d.]+%\s+(yes|no)$/);
    expect(printed).toMatch(/best point meeting it: rate=\S+ linger\.ms=\d: \d+ records\/s/);
  });

  it("gives each point the figures of a direct simulate() of the base with the point's settings", () => {
    const text = readFileSync(join(ROOT, BASE), 'utf8');
    const points = summaryOf(whole).points as Array<Record<string, any>>;
    expect(points.map((p) => p.index)).toEqual([0, 1, 2, 3]);
    for (const p of points) {
      const withRate = text.replace('rate: 2000/s', `rate: ${p.settings.rate}`);
      if (p.settings.rate !== '2000/s') expect(withRate).not.toBe(text);
      const s = simulate(parseScenario(applySettings(withRate, { 'linger.ms': p.settings['linger.ms'] }), BASE));
      const f = p.figures;
      expect(f.traceHash).toBe(s.traceHash);
      expect(f.acked).toBe(s.records.acked);
      expect(f.recordsPerSec).toBeCloseTo(s.records.acked / (s.simulatedMs / 1000), 1);
      expect(f.mbPerSec).toBeCloseTo((f.recordsPerSec * 1000) / 1e6, 2);
      expect(f.produceMs).toEqual({ p50: s.latencyMs.produce.p50, p99: s.latencyMs.produce.p99, p999: s.latencyMs.produce.p999 });
      expect(f.endToEndMs).toEqual({ p50: s.latencyMs.endToEnd.p50, p99: s.latencyMs.endToEnd.p99, p999: s.latencyMs.endToEnd.p999 });
      // A record the consumer read before its producer had the acknowledgement is not lag: 0 at least.
      expect(f.lag).toBe(Math.max(0, s.records.acked - s.records.consumed));
      expect(f.lost).toBe(s.records.lostAcked);
      expect(f.violations).toEqual([]);
    }
  });

  it('runs shards whose merge equals the whole plan', async () => {
    const dirs = [join(TMP, 'shard1'), join(TMP, 'shard2')];
    for (const [i, d] of dirs.entries()) expect((await plan(join(ROOT, BASE), ...GRID, '--shard', `${i + 1}/2`, '--out', d, '--workers', '1', '--json')).code).toBe(0);
    expect((summaryOf(dirs[0]!).points as Array<{ index: number }>).map((p) => p.index)).toEqual([0, 2]);
    const merged = join(TMP, 'merged');
    const m = await plan('merge', ...dirs, '--out', merged, '--slo', 'p99<20ms');
    expect(m.code).toBe(0);
    expect(summaryOf(merged).points).toEqual(summaryOf(whole).points);
    expect(m.out.split('\n').slice(2, 7)).toEqual(printed.split('\n').slice(2, 7));
  });

  it('prints CSV with one header line', async () => {
    const r = await plan('merge', whole, '--out', join(TMP, 'csv'), '--csv');
    const lines = r.out.trimEnd().split('\n');
    expect(lines[0]).toBe(
      'rate,linger.ms,records_per_s,mb_per_s,produce_p50_ms,produce_p99_ms,produce_p999_ms,e2e_p50_ms,e2e_p99_ms,e2e_p999_ms,lag,errors,lost,violations,bottleneck,bottleneck_utilization',
    );
    expect(lines).toHaveLength(5);
    expect(lines[1]).toMatch(/^2000\/s,0,\d/);
  });

  it('rejects bad input with one line', async () => {
    const bad = async (...args: string[]) => {
      const r = await plan(join(ROOT, BASE), '--out', join(TMP, 'bad'), ...args);
      return { code: r.code, err: r.err };
    };
    expect(await bad('--sweep', 'lingr.ms=0,5')).toEqual({
      code: 2,
      err: 'kafkasim: --sweep: got lingr.ms; expected a Kafka producer, broker, topic or consumer config name, brokers, replication.factor, kafkaVersion, rate, partitions, logDirs, failure or seed\n',
    });
    expect(await bad('--sweep', 'linger.ms=0,soon')).toEqual({ code: 2, err: expect.stringMatching(/^kafkasim: --sweep: linger\.ms=soon: expected [^\n]+\n$/) });
    expect(await bad('--sweep', 'rate=fast')).toEqual({ code: 2, err: 'kafkasim: --sweep: rate=fast: expected a rate such as 5000/s, 100/ms or 60/m\n' });
    expect(await bad('--sweep', 'partitions=0')).toEqual({ code: 2, err: 'kafkasim: --sweep: partitions=0: expected a whole number ≥ 1\n' });
    expect(await bad('--sweep', 'acks=all', '--slo', 'p98<20ms')).toEqual({
      code: 2,
      err: 'kafkasim: --slo: got p98<20ms; expected a produce latency bound such as p99<20ms (p50, p99 or p99.9)\n',
    });
    expect(await bad()).toEqual({ code: 2, err: 'kafkasim: --sweep: none given; expected at least one SETTING=V1,V2, e.g. --sweep rate=1000/s,5000/s\n' });
  });

  it("takes a group's lag from its describe table, acked minus consumed without a group, none without consumers", () => {
    const s = simulate(parseScenario(readFileSync(join(ROOT, BASE), 'utf8'), BASE));
    const grouped = { ...s, groups: [{ totalLag: 7 }, { totalLag: 5 }] } as unknown as typeof s;
    expect(figuresOf(grouped, 1000, true).lag).toBe(12);
    expect(figuresOf(s, 1000, true).lag).toBe(s.records.acked - s.records.consumed);
    expect(figuresOf(s, 1000, false).lag).toBeNull();
    expect(figuresOf(s, 1000, true).mbPerSec).toBeCloseTo((s.records.acked / 5) * 1e-3, 3);
  });

  it('applies rate to every producer and partitions to every topic', () => {
    const text =
      'name: x\nduration: 1s\ncluster: { brokers: 3 }\ntopics:\n  - { name: a, partitions: 2, replicas: [[1], [2]] }\n  - { name: b, partitions: 1 }\nproducers:\n  - { name: p, topic: a, rate: 5/s }\n  - { name: q, topic: b, rate: 6/s }\n';
    const doc = parse(applyPlanSettings(text, { rate: '100/s', partitions: '4', acks: '1' }));
    expect(doc.producers.map((p: any) => [p.rate, p.config.acks])).toEqual([
      ['100/s', 1],
      ['100/s', 1],
    ]);
    expect(doc.topics.map((t: any) => [t.partitions, t.replicas])).toEqual([
      [4, undefined],
      [4, undefined],
    ]);
  });

  it('sweeps the seed: each point is the run of that seed, as kafkasim run --seed gives it', async () => {
    expect(parse(applyPlanSettings('name: x\nseed: 1\nduration: 1s\ncluster: { brokers: 1 }\n', { seed: '7' })).seed).toBe(7);
    const r = await plan(join(ROOT, BASE), '--sweep', 'seed=1,2', '--sweep', 'rate=2000/s', '--out', join(TMP, 'seeds'), '--json', '--no-progress');
    expect(r.code).toBe(0);
    const points = summaryOf(join(TMP, 'seeds')).points as Array<{ settings: Record<string, unknown>; figures: { traceHash: string } }>;
    expect(points.map((p) => p.settings.seed)).toEqual(['1', '2']);
    const base = readFileSync(join(ROOT, BASE), 'utf8');
    for (const p of points) {
      const direct = simulate(parseScenario(applyPlanSettings(base, { rate: '2000/s' }), BASE), { seed: Number(p.settings.seed) });
      expect(p.figures.traceHash).toBe(direct.traceHash);
    }
    expect(points[0]!.figures.traceHash).not.toBe(points[1]!.figures.traceHash);
    expect((await plan(join(ROOT, BASE), '--sweep', 'seed=-1', '--out', join(TMP, 'bad'))).err).toBe('kafkasim: --sweep: seed=-1: expected a whole number ≥ 0\n');
  });
});

describe('docs/capacity.md', { timeout: 120_000 }, () => {
  it('its worked example is what plan prints, and its prose states the figures of those runs', async () => {
    const doc = readFileSync(join(ROOT, 'docs/capacity.md'), 'utf8');
    const m = /```sh\nnpx kafkasim plan (.+)\n```\n\n```text\n([^`]*)```/.exec(doc);
    expect(m, 'the worked example in docs/capacity.md').not.toBeNull();
    const args = m![1]!.split(' ').map((a) => a.replace(/^'(.*)'$/, '$1'));
    const dir = join(TMP, 'worked-example');
    const r = await plan(...args, '--out', dir, '--workers', '2', '--no-progress');
    expect(r.code).toBe(0);
    expect(r.out.replaceAll(dir, 'plan-results/plan-small')).toBe(m![2]);
    const points = summaryOf(dir).points as Array<Record<string, any>>;
    const at = (rate: string, acks: string) => points.find((p) => p.settings.rate === rate && p.settings.acks === acks)!.figures;
    const prose = doc.replace(/\s+/g, ' ');
    const saturated = at('200000/s', 'all');
    expect(prose).toContain(`\`acks=all\` acknowledges only about ${Math.round(saturated.mbPerSec)} MB/s and its produce p99 climbs to ${saturated.produceMs.p99.toFixed(1)} ms`);
    // "At 100,000 and 200,000 records/s offered": the same limit, about 36 MB/s, the producer's connection held
    // 100% of the time and no NIC, disk, core or thread busier than 3% (read from the point's run itself).
    for (const rate of ['100000/s', '200000/s']) {
      expect(Math.round(at(rate, 'all').mbPerSec)).toBe(36);
      expect(at(rate, 'all').bottleneck).toMatchObject({ node: 'p:p1', resource: 'connection' });
      expect(at(rate, 'all').bottleneck.utilization).toBeGreaterThan(0.995);
      const run = simulate(parseScenario(applyPlanSettings(readFileSync(join(ROOT, BASE), 'utf8'), { rate, acks: 'all' }), BASE));
      const others = run.resources.filter((u) => u.resource !== 'connection').map((u) => u.utilization);
      expect(Math.max(...others), rate).toBeLessThanOrEqual(0.03);
    }
    expect(prose).toContain("with no NIC, disk, core or thread busier than 3% and the producer's connection held 100% of the time");
    expect(prose).toContain("no NIC, disk, core or thread is busier than 3%, and the bottleneck is the producer's connection, held 100% of the time");
    // "At 20,000 records/s both settings keep up", and acks=1 at every rate.
    for (const acks of ['all', '1']) expect(at('20000/s', acks).recordsPerSec).toBeGreaterThan(0.99 * 20_000);
    for (const rate of ['100000/s', '200000/s']) expect(at(rate, '1').recordsPerSec).toBeGreaterThan(0.99 * Number.parseInt(rate, 10));
    // At 20,000 records/s both meet the objective; acks=all's p99 is above acks=1's (the followers' fetch).
    const all = at('20000/s', 'all').produceMs.p99;
    const one = at('20000/s', '1').produceMs.p99;
    expect(all).toBeLessThan(20);
    expect(all).toBeGreaterThan(one);
    expect(prose).toContain(`\`acks=all\`'s produce p99 is ${all.toFixed(1)} ms against \`acks=1\`'s ${one.toFixed(1)} ms`);
  });
});

describe('kafkasim plan --find-max', { timeout: 300_000 }, () => {
  it('bisects each point to the highest rate it sustains under the objective, checked against direct runs', async () => {
    const dir = join(TMP, 'find-max');
    const r = await plan(join(ROOT, BASE), '--find-max', 'rate=10000/s..400000/s', '--slo', 'p99<20ms', '--sweep', 'acks=all,1', '--out', dir, '--workers', '2');
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    const head = lines.findIndex((l) => l.startsWith('acks '));
    expect(lines[head]).toMatch(/^acks\s+max records\/s\s+fails at\s+acked\/s\s+p99 ms\s+runs$/);
    const points = summaryOf(dir).points as Array<{ settings: Record<string, string>; maxPerSec: number | null; failsAtPerSec: number }>;
    expect(points.map((p) => p.settings.acks)).toEqual(['all', '1']);
    const text = readFileSync(join(ROOT, BASE), 'utf8');
    const run = (acks: string, rate: number) => {
      const s = parseScenario(applyPlanSettings(text, { acks, rate: `${rate}/s` }), BASE);
      return figuresOf(simulate(s), 1000, true);
    };
    const slo = { text: 'p99<20ms', percentile: 'p99' as const, belowMs: 20 };
    // acks=all sustains a rate a little below the ~36,000 records/s its muted connections acknowledge at most.
    expect(points[0]!.maxPerSec).toBeGreaterThan(10_000);
    expect(points[0]!.maxPerSec).toBeLessThan(36_000);
    expect(readFileSync(join(ROOT, 'docs/capacity.md'), 'utf8').replace(/\s+/g, ' ')).toContain(
      `With \`acks=all\` the cluster sustains about ${(Math.round(points[0]!.maxPerSec! / 500) * 500).toLocaleString('en-US')} records/s`,
    );
    for (const p of points.filter((q) => q.maxPerSec !== null)) {
      // Within 5%, sustained at the maximum and not at the rate above it.
      expect(p.failsAtPerSec / p.maxPerSec!).toBeLessThanOrEqual(1.05);
      expect(sustained(run(p.settings.acks!, p.maxPerSec!), p.maxPerSec!, slo)).toBe(true);
      expect(sustained(run(p.settings.acks!, p.failsAtPerSec), p.failsAtPerSec, slo)).toBe(false);
    }
    // acks=1 answers before the followers have the records: it sustains more.
    expect(points[1]!.maxPerSec).toBeGreaterThan(points[0]!.maxPerSec!);
    expect(r.out).toContain(`1            ${points[1]!.maxPerSec}`);
    // docs/capacity.md shows this table.
    const shown = /--find-max rate=10000\/s\.\.400000\/s --slo 'p99<20ms' --sweep acks=all,1\n```\n\n```text\n([^`]*)```/.exec(readFileSync(join(ROOT, 'docs/capacity.md'), 'utf8'))?.[1];
    expect(shown).toBe(lines.slice(head, head + 3).join('\n') + '\n');
  });

  it('refuses --find-max without --slo, with --sweep rate, with --shard, and a bad range', async () => {
    const bad = async (...args: string[]) => (await plan(join(ROOT, BASE), '--out', join(TMP, 'never'), ...args)).err;
    expect(await bad('--find-max', 'rate=1000/s..2000/s')).toBe('kafkasim: --find-max: needs --slo, the objective a rate must meet, e.g. --slo p99<20ms\n');
    expect(await bad('--find-max', 'rate=1000/s..2000/s', '--slo', 'p99<20ms', '--sweep', 'rate=1/s,2/s')).toBe('kafkasim: --find-max rate: the rate is what it searches; drop --sweep rate\n');
    expect(await bad('--find-max', 'rate=1000/s..2000/s', '--slo', 'p99<20ms', '--shard', '1/2')).toBe('kafkasim: --find-max: not with --shard (each point is one bisection)\n');
    expect(await bad('--find-max', 'rate=5000/s..2000/s', '--slo', 'p99<20ms')).toBe(
      'kafkasim: --find-max: got rate=5000/s..2000/s; expected rate=LOW..HIGH with LOW < HIGH, e.g. rate=1000/s..500000/s\n',
    );
  });
});

describe('kafkasim plan --chart', { timeout: 120_000 }, () => {
  it('writes the sweep as an SVG: p99, records/s and (with consumers) end-to-end p99 against the numeric setting, a line per other combination', async () => {
    const dir = join(TMP, 'chart');
    const file = join(TMP, 'chart.svg');
    const r = await plan(join(ROOT, BASE), ...GRID, '--out', dir, '--chart', file, '--workers', '2', '--no-progress');
    expect(r.code).toBe(0);
    expect(r.out).toContain(`chart: ${file}  (produce p99, records/s and end-to-end p99 against rate)`);
    const svg = readFileSync(file, 'utf8');
    expect(svg.startsWith('<svg xmlns="http://www.w3.org/2000/svg"')).toBe(true);
    expect(svg.match(/<polyline /g)).toHaveLength(6); // two lines (linger.ms 0 and 5) in each of the three panels
    expect(svg.match(/<circle /g)).toHaveLength(12);
    expect(svg).toContain('>end-to-end p99 (ms)</text>');
    expect(svg).toContain('>linger.ms=0</text>');
    expect(svg).toContain('>linger.ms=5</text>');
    expect(svg).toContain('>rate (records/s offered)</text>');
    // The chart is a function of the points: drawn again from the summary, the same bytes.
    const points = summaryOf(dir).points;
    expect(planChart(points, { rate: ['2000/s', '20000/s'], 'linger.ms': ['0', '5'] }, 'rate', 'plan-small')).toBe(svg);
  });

  it('refuses an x axis that is not swept or not numeric', async () => {
    const err = async (...args: string[]) => (await plan(join(ROOT, BASE), '--out', join(TMP, 'never'), '--chart', join(TMP, 'never.svg'), ...args)).err;
    expect(await err(...GRID, '--chart-x', 'acks')).toBe('kafkasim: --chart-x: got acks; expected one of the swept settings: rate, linger.ms\n');
    expect(await err('--sweep', 'acks=all,1')).toBe('kafkasim: --chart: no swept setting has numeric values for the x axis (sweep rate, partitions, brokers, linger.ms, ...)\n');
  });
});

describe('kafkasim plan: resuming', { timeout: 120_000 }, () => {
  it('the same plan started again on its folder runs only the points not done', async () => {
    const dir = join(TMP, 'resume');
    await plan(join(ROOT, BASE), ...GRID, '--out', dir, '--shard', '1/2', '--no-progress');
    expect(readFileSync(join(dir, 'results.jsonl'), 'utf8').trim().split('\n')).toHaveLength(2);
    const r = await plan(join(ROOT, BASE), ...GRID, '--out', dir, '--no-progress');
    expect(r.code).toBe(0);
    const lines = readFileSync(join(dir, 'results.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).index as number);
    expect(lines.sort()).toEqual([0, 1, 2, 3]);
    expect(summaryOf(dir).points).toHaveLength(4);
  });
});

describe('kafkasim plan: with faults, the recovery time', { timeout: 120_000 }, () => {
  it('adds a column: from the last fault until every ISR is full again', async () => {
    const text = readFileSync(join(ROOT, BASE), 'utf8').replace(/^duration: .*$/m, 'duration: 20s') + 'faults:\n  - { at: 1s, crash: broker 2 }\n  - { at: 2s, restart: broker 2 }\n';
    const file = join(TMP, 'with-fault.yaml');
    writeFileSync(file, text);
    const r = await plan(file, '--sweep', 'rate=2000/s', '--out', join(TMP, 'with-fault'), '--no-progress');
    expect(r.code).toBe(0);
    const lines = r.out.split('\n');
    const head = lines.findIndex((l) => l.startsWith('rate '));
    expect(lines[head]).toMatch(/\s+violations\s+bottleneck\s+recovery s$/);
    const s = simulate(parseScenario(applyPlanSettings(text, { rate: '2000/s' }), file));
    const recovery = recoveryOf(s)!;
    // The broker registers again once its old session expires (9 s after the crash), then rejoins the ISRs.
    const lastIsr = s.timeline.filter((t) => t.kind === 'isr').at(-1)!.atMs;
    expect(recovery).toBe(Math.round(lastIsr - 2000));
    expect(recovery).toBeGreaterThan(7000);
    expect(lines[head + 1]!.trimEnd().endsWith(` ${(recovery / 1000).toFixed(1)}`)).toBe(true);
  });
});
