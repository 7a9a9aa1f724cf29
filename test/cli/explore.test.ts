/**
 * `kafkasim explore`: the failure search end to end, on the small bases in scenarios/explore/. Each search
 * has a fixed seed (printed on failure); the number of runs of the acks=all search is
 * KAFKASIM_SEARCH_RUNS (300 here, 2,000 for `npm run test:search`, the figure docs/search.md states).
 * Searches whose tests look at neither the faults of the counterexample nor its shrinking pass
 * --shrink-budget 0: the counterexample found is replayed as found.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parseScenario, simulate } from 'kafkasim';
import { main } from '../../cli/main.js';
import { hashTraceFile } from '../../cli/trace-file.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const TMP = mkdtempSync(join(tmpdir(), 'kafkasim-explore-'));
afterAll(() => rmSync(TMP, { recursive: true, force: true }));

const SEARCH_RUNS = Number(process.env.KAFKASIM_SEARCH_RUNS ?? 300);

interface Outcome {
  code: number;
  out: string;
  err: string;
  dir: string;
  summary: Record<string, any>;
}

let folders = 0;
async function explore(base: string, ...args: string[]): Promise<Outcome> {
  const dir = join(TMP, `out-${folders++}`);
  let out = '';
  let err = '';
  const code = await main(['explore', join(ROOT, base), '--out', dir, '--workers', '2', ...args], { out: (t) => void (out += t), err: (t) => void (err += t) });
  const summary = existsSync(join(dir, 'summary.json')) ? JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) : {};
  return { code, out, err, dir, summary };
}

function runsOf(dir: string): Array<Record<string, any>> {
  return readFileSync(join(dir, 'runs.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l))
    .sort((a, b) => a.run - b.run);
}

/** The counterexample file replays to the same violation and trace as the search saw. */
function expectReplays(o: Outcome): void {
  const c = o.summary.counterexamples[0];
  const file = join(o.dir, c.file);
  const replay = simulate(parseScenario(readFileSync(file, 'utf8'), file));
  expect(replay.violations.map((v) => v.check)).toContain(c.check);
  expect(replay.traceHash).toBe(c.traceHash);
  expect(hashTraceFile(file.replace(/\.yaml$/, '.trace.ndjson')).hash).toBe(c.traceHash);
  expect(readFileSync(file.replace(/\.yaml$/, '.test.ts'), 'utf8')).toContain(`v.check === ${JSON.stringify(c.check)}`);
}

describe('kafkasim explore finds, shrinks and replays', { timeout: 600_000 }, () => {
  it('acks=1: acknowledged records lost, found within 200 runs and shrunk to at most 2 faults', async () => {
    const o = await explore('scenarios/explore/acks1.yaml', '--runs', '200', '--checks', 'no-acked-record-lost', '--seed', '1');
    expect(o.code, `search seed 1\n${o.out}${o.err}`).toBe(1);
    const c = o.summary.counterexamples[0];
    expect(c.check).toBe('no-acked-record-lost');
    expect(c.run).toBeLessThan(200);
    expect(c.faults.length).toBeLessThanOrEqual(2);
    expect(o.out).toContain(`counterexample: ${o.dir}/${c.file}: no-acked-record-lost`);
    expect(o.out).toContain(`replay: npx kafkasim run ${o.dir}/${c.file}`);
    expectReplays(o);
  });

  it('unclean leader election on: acknowledged records lost', async () => {
    const o = await explore('scenarios/explore/unclean.yaml', '--runs', '300', '--checks', 'no-acked-record-lost', '--seed', '1', '--shrink-budget', '0');
    expect(o.code, `search seed 1\n${o.out}`).toBe(1);
    expect(o.summary.counterexamples[0].check).toBe('no-acked-record-lost');
    expectReplays(o);
  });

  it('the legacy (0.10) profile: replicas diverge; the current profile: not in the same runs', async () => {
    const legacy = await explore('scenarios/explore/legacy.yaml', '--runs', '300', '--checks', 'log-matching', '--seed', '1', '--shrink-budget', '0');
    expect(legacy.code, `search seed 1\n${legacy.out}`).toBe(1);
    expect(legacy.summary.counterexamples[0].check).toBe('log-matching');
    expectReplays(legacy);
    const current = await explore('scenarios/explore/acks-all.yaml', '--runs', '300', '--checks', 'log-matching', '--seed', '1');
    expect(current.code, `search seed 1\n${current.out}`).toBe(0);
    expect(current.summary.runs).toBe(300);
  });

  it(`acks=all, min.insync.replicas=2, no unclean election: no violation in ${SEARCH_RUNS} runs of one fault at a time`, async () => {
    const o = await explore('scenarios/explore/acks-all.yaml', '--runs', String(SEARCH_RUNS), '--one-at-a-time', '--faults', 'crash,power,partition', '--seed', '1');
    expect(o.code, `search seed 1\n${o.out}`).toBe(0);
    expect(o.summary.runs).toBe(SEARCH_RUNS);
    expect(o.summary.violations).toEqual({});
    expect(o.out).toMatch(new RegExp(`^explore .*acks-all.yaml: ${SEARCH_RUNS} runs in .*; search seed 1, shard 1/1\nviolations: none\n`));
  });
});

describe('what the search finds on acks=all with overlapping faults (docs/search.md)', { timeout: 600_000 }, () => {
  it("KIP-966's last known leader, back from a power loss, loses acknowledged records", async () => {
    const o = await explore('scenarios/explore/acks-all.yaml', '--runs', '300', '--checks', 'no-acked-record-lost', '--seed', '1');
    expect(o.code, `search seed 1\n${o.out}`).toBe(1);
    const c = o.summary.counterexamples[0];
    expect(c.faults.filter((f: string) => f.startsWith('crash'))).toHaveLength(2);
    expect(c.faults.filter((f: string) => f.startsWith('power'))).toHaveLength(1);
    const trace = readFileSync(join(o.dir, c.file.replace(/\.yaml$/, '.trace.ndjson')), 'utf8');
    expect(trace).toMatch(/"type":"election",[^\n]*"clean":false,[^\n]*"reason":"lastKnownLeader"/);
  });

  it('the controller elects a broker back from a power loss whose old session is still valid; nothing is lost', async () => {
    const o = await explore('scenarios/explore/acks-all.yaml', '--runs', '300', '--checks', 'leader-completeness', '--seed', '1');
    expect(o.code, `search seed 1\n${o.out}`).toBe(1);
    const c = o.summary.counterexamples[0];
    expect(c.faults.some((f: string) => f.startsWith('power'))).toBe(true);
    const replay = simulate(parseScenario(readFileSync(join(o.dir, c.file), 'utf8'), c.file));
    expect(replay.records.lostAcked).toBe(0);
  });
});

describe('kafkasim explore --vary: a search over configurations too', { timeout: 600_000 }, () => {
  it('finds the setting that loses data, skips the combinations the scenario rejects, and replays', async () => {
    const o = await explore(
      'scenarios/explore/acks-all.yaml',
      '--vary',
      'acks=all,1',
      '--vary',
      'enable.idempotence=true,false',
      '--one-at-a-time',
      '--checks',
      'no-acked-record-lost',
      '--runs',
      '60',
      '--seed',
      '1',
      '--shrink-budget',
      '0',
    );
    expect(o.code, `search seed 1\n${o.out}`).toBe(1);
    expect(o.summary.combinations).toBe(4);
    expect(o.summary.combinationsRejected.map((r: { settings: string }) => r.settings)).toEqual(['acks=1 enable.idempotence=true']);
    expect(o.out).toContain('--vary: 1 of 4 combinations skipped (the scenario rejects them), e.g. acks=1 enable.idempotence=true');
    const c = o.summary.counterexamples[0];
    expect(c.settings).toEqual({ acks: '1', 'enable.idempotence': 'false' });
    expect(o.out).toContain('  settings: acks=1, enable.idempotence=false\n');
    expect(readFileSync(join(o.dir, c.file), 'utf8')).toMatch(/acks: 1/);
    expectReplays(o);
    for (const r of runsOf(o.dir)) expect(r.settings === undefined || r.settings.acks !== '1' || r.settings['enable.idempotence'] !== 'true').toBe(true);
  });

  it('refuses a setting it cannot vary, a bad value, and combinations all rejected', async () => {
    const bad = async (...args: string[]) => {
      let err = '';
      const code = await main(['explore', join(ROOT, 'scenarios/explore/acks-all.yaml'), '--out', join(TMP, 'never'), ...args], { out: () => {}, err: (t) => void (err += t) });
      return { code, err };
    };
    expect(await bad('--vary', 'brokers=3,5')).toEqual({ code: 2, err: "kafkasim: --vary: got brokers; the faults are drawn for the base's brokers, so brokers cannot vary\n" });
    expect((await bad('--vary', 'acks=all,2')).err).toMatch(/^kafkasim: --vary: acks=2: expected /);
    expect((await bad('--vary', 'acks')).err).toBe('kafkasim: --vary: got acks; expected SETTING=V1,V2, e.g. acks=all,1\n');
    expect((await bad('--vary', 'acks=1')).err).toMatch(/^kafkasim: --vary: every combination is rejected, e.g. acks=1: /);
  });
});

describe('kafkasim explore: shards, resuming, workers', { timeout: 600_000 }, () => {
  const base = 'scenarios/explore/acks1.yaml';
  const common = ['--runs', '24', '--seed', '5', '--keep-going', '--shrink-budget', '0', '--no-trace'];

  it('two shards merged hold the same runs as one search, on any number of workers', async () => {
    const whole = await explore(base, ...common);
    const one = await explore(base, ...common, '--shard', '1/2', '--workers', '1');
    const two = await explore(base, ...common, '--shard', '2/2');
    expect(runsOf(one.dir).every((r) => r.run % 2 === 0)).toBe(true);
    const merged = join(TMP, 'merged');
    let out = '';
    const code = await main(['explore', 'merge', one.dir, two.dir, '--out', merged], { out: (t) => void (out += t), err: () => {} });
    expect(runsOf(merged)).toEqual(runsOf(whole.dir));
    expect(code).toBe(whole.code);
    expect(out).toContain('merged 2 folders (shards 1/2, 2/2)');
    expect(out).toContain(': 24 runs');
  });

  it('a search started again on its folder resumes: the runs done are not run again', async () => {
    const first = await explore(base, '--runs', '10', '--seed', '9', '--keep-going', '--shrink-budget', '0', '--no-trace');
    let out = '';
    await main(['explore', join(ROOT, base), '--out', first.dir, '--runs', '20', '--seed', '9', '--keep-going', '--shrink-budget', '0', '--no-trace'], { out: (t) => void (out += t), err: () => {} });
    const summary = JSON.parse(readFileSync(join(first.dir, 'summary.json'), 'utf8'));
    expect(summary.resumedRuns).toBe(10);
    expect(summary.runs).toBe(10);
    expect(runsOf(first.dir).map((r) => r.run)).toEqual(Array.from({ length: 20 }, (_, i) => i));
  });

  it('--liveness auto: every run ends healed and quiet for the liveness checks, which hold on acks=all', async () => {
    const o = await explore('scenarios/explore/acks-all.yaml', '--liveness', 'auto', '--one-at-a-time', '--runs', '4', '--seed', '2');
    expect(o.code, o.out).toBe(0);
    expect(o.summary.livenessChecked).toBe(4);
    expect(o.out).toContain('liveness checks (write-answered, fully-replicated): ran in 4 of 4 runs');
    expect(o.summary.command).toContain('--liveness auto');
    let err = '';
    const code = await main(['explore', join(ROOT, 'scenarios/explore/acks-all.yaml'), '--liveness', 'soon', '--out', join(TMP, 'never')], { out: () => {}, err: (t) => void (err += t) });
    expect({ code, err }).toEqual({ code: 2, err: 'kafkasim: --liveness: got soon; expected a duration such as 80s, or auto\n' });
  });

  it('--time stops starting runs; --json prints the summary as one object', async () => {
    const o = await explore('scenarios/explore/acks-all.yaml', '--time', '2s', '--one-at-a-time', '--json', '--seed', '3');
    expect(o.code).toBe(0);
    const printed = JSON.parse(o.out);
    expect(printed).toEqual(o.summary);
    expect(printed.runs).toBeGreaterThan(0);
    expect(printed.runs).toBe(runsOf(o.dir).length);
    expect(printed.command).toBe(`npx kafkasim explore ${join(ROOT, 'scenarios/explore/acks-all.yaml')} --seed 3 --time 2s --one-at-a-time`);
  });

  it('refuses bad options and another search’s folder with one line', async () => {
    const bad = async (...args: string[]) => {
      let err = '';
      const code = await main(['explore', join(ROOT, base), ...args], { out: () => {}, err: (t) => void (err += t) });
      return { code, err };
    };
    expect(await bad('--shard', '3/2')).toEqual({ code: 2, err: 'kafkasim: --shard: got 3/2; expected i/n with 1 ≤ i ≤ n, e.g. 2/8\n' });
    expect(await bad('--faults', 'crash,meteor')).toEqual({ code: 2, err: 'kafkasim: --faults: got meteor; expected some of crash, power, partition, oneway, pause, slowdisk, diskfail\n' });
    expect(await bad('--runs', '0')).toEqual({ code: 2, err: 'kafkasim: --runs: got 0; expected a whole number ≥ 1\n' });
    expect(await bad('--time', 'soon')).toEqual({ code: 2, err: 'kafkasim: --time: got soon; expected a duration such as 90s or 10m\n' });
    const other = await explore('scenarios/explore/acks-all.yaml', '--runs', '1');
    const r = await bad('--out', other.dir, '--runs', '1');
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/holds another search \(.*acks-all.yaml, seed 1\); give another --out or remove it\n$/);
  });
});

describe('kafkasim explore: Ctrl-C', { timeout: 120_000 }, () => {
  it('stops cleanly: the runs done are in runs.jsonl, and the summary says interrupted', async () => {
    const dir = join(TMP, 'interrupted');
    const child = spawn(process.execPath, [join(ROOT, 'bin', 'kafkasim.js'), 'explore', 'scenarios/explore/acks-all.yaml', '--runs', '100000', '--one-at-a-time', '--out', dir, '--workers', '2'], {
      cwd: ROOT,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    const runsFile = join(dir, 'runs.jsonl');
    while (!existsSync(runsFile) || readFileSync(runsFile, 'utf8').split('\n').length < 4) await new Promise((r) => setTimeout(r, 100));
    child.kill('SIGINT');
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code, err).toBe(130);
    expect(err).toContain('stopping: finishing the runs in flight');
    const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8'));
    expect(summary.interrupted).toBe(true);
    expect(runsOf(dir)).toHaveLength(summary.runs);
    expect(out).toContain(`${summary.runs} runs in`);
    expect(out).toContain('interrupted');
  });
});

describe('docs/search.md', { timeout: 300_000 }, () => {
  it('its worked example is what the search prints', async () => {
    const doc = readFileSync(join(ROOT, 'docs/search.md'), 'utf8');
    const shown = /```sh\nnpx kafkasim explore scenarios\/explore\/acks1.yaml --checks no-acked-record-lost\n```\n\n```text\n([^`]*)```/.exec(doc)?.[1];
    expect(shown, 'the worked example in docs/search.md').toBeDefined();
    const dir = join(TMP, 'worked-example');
    let out = '';
    const code = await main(['explore', 'scenarios/explore/acks1.yaml', '--checks', 'no-acked-record-lost', '--out', dir, '--workers', '2', '--no-progress'], {
      out: (t) => void (out += t),
      err: () => {},
    });
    expect(code).toBe(1);
    // Timings vary; the rest is the search's.
    const timeless = (t: string) => t.replace(/^(explore \S+: \d+ runs in )(?:[\d.]+|…) s \([^)]*\)(, \d+ more to shrink in )(?:[\d.]+|…) s/m, '$1… s (…)$2… s');
    const printed = out.replaceAll(dir, 'explore-results/explore-acks1');
    expect(timeless(printed)).toBe(timeless(shown!));
    // The prose after it names the run, the record and the shrinking: rendered from the search's summary.
    const c = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')).counterexamples[0];
    const offset = /offsets (\d+)\.\.\1\)/.exec(c.detail)?.[1];
    const prose = doc.replace(/\s+/g, ' ');
    expect(prose).toContain(`Run ${c.run} cut broker 1 off from the others`);
    expect(prose).toContain(`the leader acknowledged offset ${offset} (`);
    expect(prose).toContain(`but without offset ${offset}.`);
    expect(prose).toContain(`Shrinking ran ${c.tries} schedules`);
    expect(c.faults).toEqual(['partition broker 1 at 1s for 500ms', 'crash broker 3 at 1.012s for 500ms']);
  });
});
