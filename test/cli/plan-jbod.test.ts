/**
 * Several log directories (log.dirs, JBOD): where a broker puts each new replica (the directory with the
 * fewest partitions, LogManager.nextLogDirs), what `kafkasim run` and the summary say of each directory,
 * log.dirs' one-line errors, `plan --sweep logDirs=N`, and docs/capacity.md's worked example.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { applyPlanSettings, ArraySink, parseScenario, simulate, type RunSummary } from 'kafkasim';
import { main } from '../../cli/main.js';
import type { PointResult } from '../../cli/plan-task.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TMP = mkdtempSync(join(tmpdir(), 'kafkasim-plan-jbod-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const FILE = 'scenarios/plan/jbod.yaml';
const JBOD = readFileSync(join(ROOT, FILE), 'utf8');

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (t) => void (out += t), err: (t) => void (err += t) });
  return { code, out, err };
}

/** jbod.yaml with `dirs` log directories, for `seconds`, at a rate its disks carry. */
function short(dirs: number, seconds: number, extra = ''): string {
  const text = applyPlanSettings(JBOD, { logDirs: String(dirs) })
    .replace('duration: 60s', `duration: ${seconds}s`)
    .replace('rate: 180000/s', 'rate: 20000/s');
  return extra === '' ? text : text.replace('expect:', `${extra}\nexpect:`);
}

const dirsOf = (s: RunSummary, broker: number) => s.logDirs!.filter((d) => d.broker === broker).map((d) => [d.dir, d.partitions]);

describe('log.dirs: where replicas go', () => {
  it('a new replica goes to the directory with the fewest partitions, the first of equals: 6 on 4 are 2, 2, 1, 1', () => {
    const s = simulate(parseScenario(short(4, 1), FILE));
    for (const broker of [1, 2, 3]) {
      expect(dirsOf(s, broker)).toEqual([
        ['/data/1', ['events-0', 'events-4']],
        ['/data/2', ['events-1', 'events-5']],
        ['/data/3', ['events-2']],
        ['/data/4', ['events-3']],
      ]);
    }
  });

  it('partitions added later fill the emptiest directories first', () => {
    const s = simulate(parseScenario(short(4, 2, 'faults:\n  - { at: 1s, createPartitions: events, increaseTo: 8 }'), FILE));
    expect(dirsOf(s, 1)).toEqual([
      ['/data/1', ['events-0', 'events-4']],
      ['/data/2', ['events-1', 'events-5']],
      ['/data/3', ['events-2', 'events-6']],
      ['/data/4', ['events-3', 'events-7']],
    ]);
  });

  it('with one directory the summary lists none', () => {
    expect(simulate(parseScenario(short(1, 1), FILE)).logDirs).toBeUndefined();
  });

  it('kafkasim run lists each broker’s directories, their partitions and their disks’ utilization', async () => {
    const r = await cli('run', join(ROOT, FILE), '--set', 'duration=10s', '--no-expect');
    expect(r.code).toBe(0);
    expect(r.out).toContain('log dirs (log.dirs: each its own disk; a new replica goes to the one with the fewest partitions)');
    expect(r.out).toMatch(/^bottleneck: b\d disk-write \/data\/[12] \d+(\.\d)?% \(busy time over the run\)$/m);
    expect(r.out).toMatch(/ {7}1 {2}\/data\/1 {2}events-0 events-2 events-4 +\d+(\.\d)?% +0\.0%\n {7}1 {2}\/data\/2 {2}events-1 events-3 events-5 /);
  });

  it('a blank or repeated log directory is a one-line error naming the config', async () => {
    const blank = JBOD.replace('log.dirs: /data/1,/data/2', 'log.dirs: /data/1,,/data/2');
    expect(() => parseScenario(blank, 'blank.yaml')).toThrow(/cluster\.config\.log\.dirs.*a blank log directory/);
    const twice = JBOD.replace('log.dirs: /data/1,/data/2', 'log.dirs: /data/1, /data/1');
    expect(() => parseScenario(twice, 'twice.yaml')).toThrow(/cluster\.config\.log\.dirs.*duplicate log directory found: \/data\/1/);
    // Unquoted in a flow mapping, the list splits at its commas: the stray path is named, with the fix.
    const flow = JBOD.replace('  config:\n    log.dirs: /data/1,/data/2', '  config: { log.dirs: /data/1,/data/2 }');
    expect(flow).not.toBe(JBOD);
    expect(() => parseScenario(flow, 'flow.yaml')).toThrow(
      'cluster.config./data/2: unknown broker config (got null); a path is not a config: in { ... } a comma ends the entry, so quote a list of directories, e.g. { log.dirs: "/data/1,/data/2" }',
    );
  });
});

describe('slowDisk of one log directory', () => {
  const withFault = (fault: string) => short(3, 2, `faults:\n  - ${fault}`);

  it('slows that disk of that broker: the timeline names it', async () => {
    const s = simulate(parseScenario(withFault('{ at: 1s, slowDisk: broker 2, dir: /data/2, factor: 4 }'), FILE));
    expect(s.timeline.map((i) => i.text)).toContain('slowDisk broker 2 /data/2 ×4 → b2');
  });

  it('refuses a directory that is not one of log.dirs, a dir on another fault, and a dir with one directory', () => {
    expect(() => parseScenario(withFault('{ at: 1s, slowDisk: broker 2, dir: /data/9, factor: 4 }'), 'x.yaml')).toThrow(
      'faults[0].dir: not a log directory of the brokers (got "/data/9"); expected one of log.dirs: /data/1, /data/2, /data/3',
    );
    expect(() => parseScenario(withFault('{ at: 1s, crash: broker 2, dir: /data/2 }'), 'x.yaml')).toThrow('faults[0].dir: dir applies to slowDisk, restoreDisk, failDisk and replaceDisk only');
    expect(() => parseScenario(short(1, 2, 'faults:\n  - { at: 1s, restoreDisk: broker 2, dir: /data/1 }'), 'x.yaml')).toThrow(
      'expected no dir: the brokers have one log directory (give log.dirs several to name one)',
    );
  });
});

describe('kafkasim plan --sweep logDirs=N', () => {
  it('gives every broker N directories, /data/1 to /data/N', () => {
    expect(applyPlanSettings(JBOD, { logDirs: '3' })).toContain('log.dirs: /data/1,/data/2,/data/3');
  });

  it('refuses a count that is not a whole number from 1 to 64', async () => {
    for (const bad of ['0', '65', 'two']) {
      const r = await cli('plan', join(ROOT, FILE), '--sweep', `logDirs=${bad}`, '--out', join(TMP, 'bad'));
      expect(r.code).toBe(2);
      expect(r.err).toBe(`kafkasim: --sweep: logDirs=${bad}: expected a whole number from 1 to 64\n`);
    }
  });
});

describe('docs/capacity.md: several disks', { timeout: 300_000 }, () => {
  it("shows the plan's table, and the prose its figures", async () => {
    const doc = readFileSync(join(ROOT, 'docs/capacity.md'), 'utf8');
    const m = /```sh\nnpx kafkasim plan (scenarios\/plan\/jbod\.yaml --sweep logDirs=\S+)\n```\n\n```text\n([\s\S]*?)\n```/.exec(doc);
    expect(m, 'the log.dirs example in docs/capacity.md').not.toBeNull();
    const [file, ...args] = m![1]!.split(' ');
    const r = await cli('plan', join(ROOT, file!), ...args, '--out', join(TMP, 'doc'), '--workers', '2', '--no-progress');
    expect(r.code).toBe(0);
    expect(r.out.split('\n\n')[1]).toBe(m![2]);
    const points: PointResult[] = JSON.parse(readFileSync(join(TMP, 'doc', 'summary.json'), 'utf8')).points;
    const f = (dirs: number) => points.find((p) => p.settings.logDirs === String(dirs))!.figures!;
    const prose = doc.replace(/\s+/g, ' ');
    const pct = (dirs: number) => Math.round(f(dirs).bottleneck!.utilization * 100);
    for (const dirs of [1, 2, 3, 4, 6]) expect(f(dirs).bottleneck!.resource).toBe('disk-write');
    // With four, the busiest disk is one of the two directories holding two partitions (2, 2, 1, 1).
    expect(['/data/1', '/data/2']).toContain(f(4).bottleneck!.dir);
    expect(prose).toContain(`(the column names the busiest, \`${f(4).bottleneck!.dir}\`)`);
    expect(f(1).bottleneck!.dir).toBeUndefined();
    // One and two disks do not carry the 180,000 records/s; three do, and a fourth changes nothing.
    expect(f(1).recordsPerSec).toBeLessThan(0.6 * 180_000);
    expect(f(2).recordsPerSec).toBeLessThan(0.99 * 180_000);
    for (const dirs of [3, 4, 6]) expect(f(dirs).recordsPerSec).toBeGreaterThan(0.99 * 180_000);
    expect(prose).toContain(`One disk acknowledges ${Math.round(f(1).recordsPerSec).toLocaleString('en-US')} records/s with a produce p99 of ${f(1).produceMs.p99.toFixed(1)} ms`);
    expect(prose).toContain(`two ${Math.round(f(2).recordsPerSec).toLocaleString('en-US')} (p99 ${f(2).produceMs.p99.toFixed(1)} ms)`);
    expect(prose).toContain(`the busiest disk is ${pct(3)}% busy with three directories, ${pct(4)}% with four and ${pct(6)}% with six`);
    // "six directories, one partition each, bring the busiest under half of that"; three and four about equal.
    expect(pct(6)).toBeLessThan(pct(4) / 2);
    expect(Math.abs(pct(3) - pct(4))).toBeLessThanOrEqual(5);
    // "the first write-back ends about 3 s in, so a disk busy from then on shows 95%": the one-disk point's run.
    const sink = new ArraySink();
    const one = simulate(parseScenario(applyPlanSettings(JBOD, { logDirs: '1' }), FILE), { sinks: [sink] });
    expect(one.traceHash).toBe(f(1).traceHash);
    const first = sink.events.find((e) => e.type === 'flush')!.t / 1e6;
    expect(first).toBeGreaterThan(2.5);
    expect(first).toBeLessThan(3.5);
    expect(pct(1)).toBe(95);
    expect(prose).toContain(`the first write-back ends about ${Math.round(first)} s in, so a disk busy from then on shows ${pct(1)}%`);
  });
});
