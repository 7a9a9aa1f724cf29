/**
 * docs/capacity.md's sizing example ("how many brokers for 300 MB/s at RF 3 with p99 under 20 ms? double
 * the partitions? a broker down?"): its plan runs here as the doc shows it, and the doc's table and the
 * figures of its prose are what the plan, and the points run alone, give.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyPlanSettings, ArraySink, parseScenario, simulate, type TraceEvent } from 'kafkasim';
import { main } from '../../cli/main.js';
import type { PointResult } from '../../cli/plan-task.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BASE = 'scenarios/plan/300mbs.yaml';
const TMP = mkdtempSync(join(tmpdir(), 'kafkasim-plan-sizing-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const DOC = () => readFileSync(join(ROOT, 'docs/capacity.md'), 'utf8');
const section = () => DOC().split('## Sizing a cluster: ')[1]!.split('\n## ')[0]!;
const prose = () => section().replace(/\s+/g, ' ');

async function plan(dir: string, ...args: string[]): Promise<{ out: string; points: PointResult[] }> {
  let out = '';
  let err = '';
  const code = await main(['plan', join(ROOT, BASE), ...args, '--out', join(TMP, dir), '--workers', '2', '--no-progress'], {
    out: (t) => void (out += t),
    err: (t) => void (err += t),
  });
  expect(err).toBe('');
  expect(code).toBe(0);
  return { out, points: JSON.parse(readFileSync(join(TMP, dir, 'summary.json'), 'utf8')).points };
}

const at = (points: PointResult[], settings: Record<string, string>) => points.find((p) => Object.entries(settings).every(([k, v]) => p.settings[k] === v))!.figures!;
const ms = (x: number) => x.toFixed(1);

describe('docs/capacity.md: sizing a cluster for 300 MB/s', { timeout: 600_000 }, () => {
  let out = '';
  let points: PointResult[] = [];
  beforeAll(async () => {
    const m = /```sh\nnpx kafkasim plan scenarios\/plan\/300mbs\.yaml (.+)\n```/.exec(section());
    expect(m, 'the sizing plan in docs/capacity.md').not.toBeNull();
    const args = m![1]!.split(' ').map((a) => a.replace(/^'(.*)'$/, '$1'));
    ({ out, points } = await plan('grid', ...args));
  }, 600_000);
  const p = (partitions: string, brokers: string, failure = 'none') => at(points, { partitions, brokers, failure });

  it("shows the plan's table", () => {
    expect(section()).toContain(`\`\`\`text\n${out.split('\n\n')[1]}\n\`\`\``);
  });

  it('answers 12 brokers: under 20 ms with 24 or 48 partitions and with one down; 9, 6 and 4 miss it', () => {
    for (const parts of ['24', '48']) for (const f of ['none', 'broker-down']) expect(p(parts, '12', f).produceMs.p99).toBeLessThan(20);
    for (const b of ['4', '6', '9']) expect(p('24', b).produceMs.p99).toBeGreaterThan(20);
    expect(prose()).toContain(
      `With 12 the produce p99 is ${ms(p('24', '12').produceMs.p99)} ms with 24 partitions and ${ms(p('48', '12').produceMs.p99)} ms with 48, and with one broker down ${ms(p('24', '12', 'broker-down').produceMs.p99)} and ${ms(p('48', '12', 'broker-down').produceMs.p99)} ms`,
    );
    expect(prose()).toContain(`miss the objective (p99 ${ms(p('24', '9').produceMs.p99)} ms), 6 carry it at ${ms(p('24', '6').produceMs.p99)} ms`);
    // 9 and 6 carry the 300 MB/s (within 1%); 4 do not.
    for (const b of ['6', '9', '12']) expect(p('24', b).mbPerSec).toBeGreaterThan(297);
    expect(p('24', '4').mbPerSec).toBeLessThan(250);
    expect(prose()).toContain(`they acknowledge ${Math.round(p('24', '4').mbPerSec)} MB/s and the records queue in the producers (p99 ${ms(p('24', '4').produceMs.p99)} ms)`);
  });

  it('names no saturated resource: a producer connection with 4 brokers, the busiest NIC with 9', () => {
    const four = p('24', '4').bottleneck!;
    const nine = p('24', '9').bottleneck!;
    // A connection is named only when no resource is saturated (90% busy or more).
    expect(four.resource).toBe('connection');
    expect(four.node).toMatch(/^p:p\d+$/);
    expect(nine.resource).toMatch(/^nic/);
    expect(nine.utilization).toBeLessThan(0.9);
    expect(prose()).toContain(
      `the bottleneck column names a producer's connection, held ${Math.round(four.utilization * 100)}% of the time, and with 9 brokers the busiest resource is a NIC at ${Math.round(nine.utilization * 100)}%`,
    );
  });

  it('doubling the partitions changes little', () => {
    expect(prose()).toContain(
      `changes little: ${ms(p('48', '6').produceMs.p99)} against ${ms(p('24', '6').produceMs.p99)} ms at 6 brokers, ${ms(p('48', '12').produceMs.p99)} against ${ms(p('24', '12').produceMs.p99)} at 12`,
    );
    for (const b of ['6', '9', '12']) expect(Math.abs(p('48', b).produceMs.p99 - p('24', b).produceMs.p99)).toBeLessThan(2);
  });

  it('a broker down adds a few milliseconds to the p99, but for one point, whose run shows why', () => {
    const added: number[] = [];
    for (const parts of ['24', '48']) for (const b of ['6', '9', '12']) if (parts !== '48' || b !== '9') added.push(p(parts, b, 'broker-down').produceMs.p99 - p(parts, b).produceMs.p99);
    expect(prose()).toContain(`adds ${ms(Math.min(...added))} to ${ms(Math.max(...added))} ms to each point's produce p99, with one exception`);
    const odd = p('48', '9', 'broker-down');
    expect(prose()).toContain(`where the produce p99 is ${ms(odd.produceMs.p99)} ms and the end-to-end p99 ${ms(odd.endToEndMs.p99)} ms`);
    const text = readFileSync(join(ROOT, BASE), 'utf8');
    const alone = (partitions: string) => simulate(parseScenario(applyPlanSettings(text, { partitions, brokers: '9', failure: 'broker-down' }), BASE));
    const sink = new ArraySink();
    const s = simulate(parseScenario(applyPlanSettings(text, { partitions: '48', brokers: '9', failure: 'broker-down' }), BASE), { sinks: [sink] });
    expect(s.traceHash).toBe(odd.traceHash);
    // The assignment's write to __consumer_offsets-28 on the new coordinator (broker 7) reaches its follower
    // only when that follower's fetch parked there returns: within replica.fetch.wait.max.ms (500 ms).
    const appended = (src: string) =>
      sink.events.find((e): e is Extract<TraceEvent, { type: 'append' }> => e.type === 'append' && e.tp === '__consumer_offsets-28' && e.src === src && e.offset === 0)!;
    const written = appended('produce');
    const copied = appended('fetch');
    expect(written.broker).toBe(7);
    expect(copied.t - written.t).toBeGreaterThan(300_000);
    expect(copied.t - written.t).toBeLessThan(500_000);
    expect(prose()).toContain('waits up to `replica.fetch.wait.max.ms` (500 ms), and a partition added to the fetcher meanwhile is named only in the next one');
    const texts = s.timeline.map((t) => t.text);
    expect(texts).toContain('group readers: broker 9 is its coordinator (leader of __consumer_offsets-28); it loaded 0 committed offset(s) from its log');
    const stable = s.timeline.find((t) => t.kind === 'group' && t.text.includes('is stable'))!;
    expect(prose()).toContain(`the group formed only at ${(stable.atMs / 1000).toFixed(3)} s`);
    expect(s.errors).toEqual({ NOT_LEADER_OR_FOLLOWER: 31, OUT_OF_ORDER_SEQUENCE_NUMBER: 5 });
    expect(alone('24').errors).toEqual({ NOT_LEADER_OR_FOLLOWER: 24 });
    expect(prose()).toContain('its producers saw 36 errors (31 `NOT_LEADER_OR_FOLLOWER`, 5 `OUT_OF_ORDER_SEQUENCE_NUMBER`, against 24 `NOT_LEADER_OR_FOLLOWER` with 24 partitions)');
  });

  it('other seeds: 9 brokers miss the objective with each, 12 meet it with each', async () => {
    const { points: seeds } = await plan('seeds', '--sweep', 'brokers=9,12', '--sweep', 'seed=1,2,3');
    const range = (b: string) => {
      const p99 = seeds.filter((r) => r.settings.brokers === b).map((r) => r.figures!.produceMs.p99);
      return [Math.min(...p99), Math.max(...p99)];
    };
    const [lo9, hi9] = range('9');
    const [lo12, hi12] = range('12');
    expect(lo9).toBeGreaterThan(20);
    expect(hi12).toBeLessThan(20);
    expect(prose()).toContain(`give a p99 of ${ms(lo9!)} to ${ms(hi9!)} ms with 9 brokers and ${ms(lo12!)} to ${ms(hi12!)} ms with 12`);
  });

  it('batch.size 131072 brings 9 brokers under the objective', async () => {
    const { points: batches } = await plan('batches', '--sweep', 'brokers=9', '--sweep', 'batch.size=16384,131072');
    const big = at(batches, { 'batch.size': '131072' }).produceMs.p99;
    expect(at(batches, { 'batch.size': '16384' }).produceMs.p99).toBe(p('24', '9').produceMs.p99);
    expect(big).toBeLessThan(20);
    expect(prose()).toContain(`brings 9 brokers to ${ms(big)} ms`);
  });
});
