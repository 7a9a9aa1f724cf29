/**
 * The failure search's building blocks: fault schedules (planning, the scenario-file faults they stand
 * for), the arbitraries users call from their own property tests, and the search's per-run seeds.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  clusterConfigs,
  exportRegression,
  type ExportedRegression,
  faultSchedules,
  faultWindow,
  type FaultStep,
  parseScenario,
  planSteps,
  rawFaults,
  recoveryMs,
  runSeed,
  ScenarioError,
  scenarioText,
  scheduleText,
  Search,
  simulate,
  withFaults,
} from 'kafkasim';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const BASE_FILE = 'scenarios/explore/acks-all.yaml';
const BASE_TEXT = readFileSync(`${ROOT}/${BASE_FILE}`, 'utf8');
const BASE = parseScenario(BASE_TEXT, BASE_FILE);
const W = { fromMs: 1000, untilMs: 20_000 };

const step = (s: Partial<FaultStep> & Pick<FaultStep, 'kind' | 'atMs' | 'broker'>): FaultStep => ({ forMs: 1000, ...s });

describe('planSteps', () => {
  it('keeps the window, time order, and one fault per broker, link and power at a time', () => {
    const planned = planSteps(
      [
        step({ kind: 'crash', atMs: 5000, broker: 1 }),
        step({ kind: 'pause', atMs: 5500, broker: 1 }), // broker 1 is down then
        step({ kind: 'power', atMs: 2000, broker: 2, forMs: 4000 }),
        step({ kind: 'power', atMs: 3000, broker: 3 }), // a second broker without power: dropped
        step({ kind: 'partition', atMs: 3000, broker: 3 }),
        step({ kind: 'oneway', atMs: 3000, broker: 2, peer: 2 }), // a cut from a broker to itself
        step({ kind: 'crash', atMs: 500, broker: 3 }), // before the window
        step({ kind: 'crash', atMs: 19_500, broker: 3 }), // clipped to end by untilMs
      ],
      W,
    );
    expect(planned.map((s) => `${s.kind} ${s.broker} ${s.atMs}+${s.forMs}`)).toEqual(['power 2 2000+4000', 'partition 3 3000+1000', 'crash 1 5000+1000', 'crash 3 19500+500']);
  });

  it('with one fault at a time, waits the recovery time after each fault', () => {
    const steps = [step({ kind: 'crash', atMs: 2000, broker: 1 }), step({ kind: 'crash', atMs: 10_000, broker: 2 }), step({ kind: 'crash', atMs: 18_000, broker: 3 })];
    expect(planSteps(steps, { ...W, spacingMs: 15_000 }).map((s) => s.broker)).toEqual([1, 3]);
    expect(planSteps(steps, W).map((s) => s.broker)).toEqual([1, 2, 3]);
  });

  it("writes each fault with its end, as a scenario file's faults: list", () => {
    const faults = rawFaults(planSteps([step({ kind: 'oneway', atMs: 1500, broker: 1, peer: 3 }), step({ kind: 'slowdisk', atMs: 2500, broker: 2, factor: 100 })], W));
    expect(faults).toEqual([
      { at: '1.5s', partition: { between: ['broker 1', 'broker 3'], oneWay: true } },
      { at: '2.5s', heal: { between: ['broker 1', 'broker 3'], oneWay: true } },
      { at: '2.5s', slowDisk: 'broker 2', factor: 100 },
      { at: '3.5s', restoreDisk: 'broker 2' },
    ]);
  });
});

describe('diskfail', () => {
  it("fails a broker's disk and replaces it; one of several log.dirs is drawn, a broker's only disk is not named", () => {
    expect(rawFaults(planSteps([step({ kind: 'diskfail', atMs: 2000, broker: 2 })], W))).toEqual([
      { at: '2s', failDisk: 'broker 2' },
      { at: '3s', replaceDisk: 'broker 2' },
    ]);
    // It holds the broker and its disk: a crash or a slow disk of the same broker does not overlap it.
    const planned = planSteps([step({ kind: 'diskfail', atMs: 2000, broker: 2 }), step({ kind: 'crash', atMs: 2500, broker: 2 }), step({ kind: 'slowdisk', atMs: 2600, broker: 2 })], W);
    expect(planned.map((s) => s.kind)).toEqual(['diskfail']);
    const jbodText = BASE_TEXT.replace('min.insync.replicas: 2,', 'min.insync.replicas: 2, log.dirs: "/a,/b",');
    const jbod = parseScenario(jbodText, 'jbod.yaml');
    const search = new Search({ base: jbod, baseText: jbodText, baseFile: 'jbod.yaml', seed: 5, schedule: { faults: ['diskfail'] }, checks: [] });
    const dirs = new Set<string | undefined>();
    for (let run = 0; run < 20; run++) for (const st of search.draw(run).steps) dirs.add(st.dir);
    expect([...dirs].sort()).toEqual(['/a', '/b']);
    const c = search.draw(0);
    const direct = simulate(search.caseScenario(c), { seed: c.seed });
    const fromFile = simulate(parseScenario(scheduleText(jbodText, c.steps, search.window, c.seed), 'case.yaml'));
    expect(fromFile.traceHash).toBe(direct.traceHash);
    for (const st of new Search({ base: BASE, baseText: BASE_TEXT, baseFile: BASE_FILE, seed: 5, schedule: { faults: ['diskfail'] }, checks: [] }).draw(0).steps) expect(st.dir).toBeUndefined();
  });
});

describe('withFaults', () => {
  it('replaces the faults and drops the expect block', () => {
    const s = withFaults(BASE, [{ at: '2s', crash: 'broker 2', mode: 'power' }]);
    expect(s.faults).toHaveLength(1);
    expect(s.faults[0]).toMatchObject({ verb: 'crash', mode: 'power', atUs: 2_000_000 });
    expect(s.expect).toBeUndefined();
  });

  it('rejects a bad fault with a one-line ScenarioError naming it', () => {
    expect(() => withFaults(BASE, [{ at: '2s', crash: 'broker 9' }], 'mine')).toThrow(ScenarioError);
    expect(() => withFaults(BASE, [{ at: '2s', crash: 'broker 9' }], 'mine')).toThrow(/^mine: faults\[0\]\.crash: no broker 9/);
    expect(() => withFaults(BASE, [{ at: 'soon', restart: 'broker 1' } as never], 'mine')).toThrow(/^mine: faults\[0\]\.at/);
  });
});

describe('the search draws the same case for a run wherever it runs', () => {
  it('run seeds depend on the search seed and the run alone', () => {
    expect(runSeed(1, 5)).toBe(runSeed(1, 5));
    expect(new Set(Array.from({ length: 1000 }, (_, i) => runSeed(1, i))).size).toBe(1000);
    expect(runSeed(2, 5)).not.toBe(runSeed(1, 5));
    const search = (seed: number) => new Search({ base: BASE, baseText: BASE_TEXT, baseFile: BASE_FILE, seed, schedule: {}, checks: [] });
    expect(search(1).draw(7)).toEqual(search(1).draw(7));
    expect(search(1).draw(7)).not.toEqual(search(2).draw(7));
  });

  it('a case run from its scenario file has the same trace as from the base and the steps', () => {
    const search = new Search({ base: BASE, baseText: BASE_TEXT, baseFile: BASE_FILE, seed: 3, schedule: { faults: ['crash', 'power', 'partition', 'oneway', 'pause', 'slowdisk'] }, checks: [] });
    for (const run of [0, 1, 2]) {
      const c = search.draw(run);
      const direct = simulate(search.caseScenario(c), { seed: c.seed });
      const fromFile = simulate(parseScenario(scheduleText(BASE_TEXT, c.steps, search.window, c.seed), 'case.yaml'));
      expect(fromFile.traceHash, `run ${run} (search seed 3)`).toBe(direct.traceHash);
    }
  });

  it('puts faults between the first second and the recovery tail', () => {
    expect(recoveryMs(BASE)).toBe(15_000);
    expect(faultWindow(BASE)).toEqual({ fromMs: 1000, untilMs: 20_000 });
    expect(faultWindow(BASE, { oneAtATime: true, quietMs: 5000 })).toEqual({ fromMs: 1000, untilMs: 30_000, spacingMs: 15_000 });
  });
});

describe('arbitraries for users’ property tests', () => {
  it('faultSchedules: a property over drawn schedules, printed as a scenario file when it fails', { timeout: 120_000 }, () => {
    const seed = 20261202;
    const out = fc.check(
      fc.property(faultSchedules(BASE_TEXT, { faults: ['partition'], maxFaults: 2 }), (s) => simulate(s).records.acked < 0),
      { seed, numRuns: 3, endOnFailure: true },
    );
    expect(out.failed, `fast-check seed ${seed}`).toBe(true);
    const s = out.counterexample![0];
    const text = scenarioText(s)!;
    expect(text).toContain('partition: broker');
    expect(fc.stringify(s)).toBe(text);
    expect(simulate(parseScenario(text, 'printed.yaml')).traceHash).toBe(simulate(s).traceHash);
  });

  it('exportRegression: a failing property hands over its counterexample and a regression test', { timeout: 120_000 }, () => {
    const seed = 11;
    const saved: ExportedRegression[] = [];
    const property = fc.property(faultSchedules(BASE_TEXT, { faults: ['crash'], maxFaults: 1 }), (s) => simulate(s).records.acked < 0);
    expect(() => fc.assert(property, { seed, numRuns: 2, endOnFailure: true, reporter: exportRegression((f) => saved.push(f), 'crash-case') })).toThrow(/Property failed after 1 tests/);
    expect(saved, `fast-check seed ${seed}`).toHaveLength(1);
    const { yaml, test } = saved[0]!;
    expect(yaml.name).toBe('crash-case.yaml');
    expect(parseScenario(yaml.text, yaml.name).faults.map((f) => f.verb)).toEqual(['crash', 'restart']);
    expect(test.name).toBe('crash-case.test.ts');
    expect(test.text).toContain("new URL('./crash-case.yaml', import.meta.url)");
    expect(test.text).toContain('const found = summary.violations;');
  });

  it('clusterConfigs: valid scenarios with the durability settings drawn', () => {
    const seed = 7;
    const drawn = fc.sample(clusterConfigs(BASE_TEXT), { seed, numRuns: 30 });
    const acks = new Set(drawn.map((s) => String(s.producers[0]!.config.acks)));
    expect([...acks].sort(), `fast-check seed ${seed}`).toEqual(['-1', '0', '1'].filter((a) => acks.has(a)));
    expect(acks.size).toBeGreaterThan(1);
    for (const s of drawn) expect(Number(s.cluster.config['min.insync.replicas'])).toBeLessThanOrEqual(3);
    expect(scenarioText(drawn[0]!)).toMatch(/acks/);
  });
});
