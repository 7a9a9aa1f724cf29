/**
 * The failure search's deterministic core, free of I/O and threads: which case run number i draws, what
 * counts as a failure, how a failing case is shrunk, and the counterexample file it becomes. The command
 * line (`kafkasim explore`) adds workers, files and a progress bar around it.
 *
 * Run i draws its case with fast-check from its own seed, derived from the search's seed and i alone:
 * any machine can run any run numbers (`--shard`), in any order, and get the same cases.
 */
import fc from 'fast-check';
import type { CheckName, Violation } from '../checks/checks.js';
import type { RunSummary } from '../report/summary.js';
import { parseScenario, ScenarioError } from '../scenario/parse.js';
import type { Scenario, SettingValue } from '../scenario/types.js';
import { applySettings } from '../scenario/story.js';
import { caseScenario, type ExploreCase, exploreCases, faultWindow, type ScheduleOptions, scheduleText, type SettingChoices } from './arbitraries.js';
import { describeStep, type FaultWindow, planSteps } from './schedule.js';

export interface SearchSpec {
  base: Scenario;
  /** The base's file text: counterexamples are written from it. */
  baseText: string;
  /** The base's file name, as the counterexample files cite it. */
  baseFile: string;
  /** The search's seed (default: the base's seed). */
  seed: number;
  schedule: ScheduleOptions;
  /** Checks whose violations count (empty: all). */
  checks: readonly CheckName[];
  /** Settings each run draws a value of (`--vary acks=all,1`); the base's brokers cannot vary. */
  vary?: SettingChoices;
}

/** The fast-check seed of run `run`: a 32-bit mix of the search's seed and the run number. */
export function runSeed(searchSeed: number, run: number): number {
  let h = Math.imul(searchSeed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(run + 1, 0xc2b2ae35);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h | 0;
}

export class Search {
  readonly window: FaultWindow;
  readonly cases: fc.Arbitrary<ExploreCase>;

  constructor(readonly spec: SearchSpec) {
    this.window = faultWindow(spec.base, spec.schedule);
    this.cases = exploreCases(spec.base, spec.schedule, spec.vary, (settings) => this.accepts(settings));
  }

  /** Whether the base with these settings is a valid scenario (acks=1 with enable.idempotence=true is not). */
  accepts(settings: Record<string, SettingValue>): boolean {
    try {
      this.baseFor({ settings });
      return true;
    } catch (e) {
      if (e instanceof ScenarioError) return false;
      throw e;
    }
  }

  private readonly bases = new Map<string, Scenario>();

  /** The base's file text with a case's settings applied. */
  textFor(c: Pick<ExploreCase, 'settings'>): string {
    return c.settings === undefined ? this.spec.baseText : applySettings(this.spec.baseText, c.settings);
  }

  /** The base with a case's settings applied (parsed once per combination). */
  baseFor(c: Pick<ExploreCase, 'settings'>): Scenario {
    if (c.settings === undefined) return this.spec.base;
    const text = this.textFor(c);
    let base = this.bases.get(text);
    if (base === undefined) {
      base = parseScenario(text, `${this.spec.baseFile} with ${describeSettings(c.settings)}`);
      this.bases.set(text, base);
    }
    return base;
  }

  /** The case run `run` draws. */
  draw(run: number): ExploreCase {
    return fc.sample(this.cases, { seed: runSeed(this.spec.seed, run), numRuns: 1 })[0]!;
  }

  /** The scenario run `c` runs (its seed included). */
  caseScenario(c: ExploreCase): Scenario {
    return { ...caseScenario(this.baseFor(c), c.steps, this.window), seed: c.seed };
  }

  /** The violations that count, in the order found. */
  failures(summary: Pick<RunSummary, 'violations'>): Violation[] {
    const checks = this.spec.checks;
    return checks.length === 0 ? summary.violations : summary.violations.filter((v) => checks.includes(v.check));
  }

  /**
   * The smallest case fast-check's shrinking reaches from run `run`'s that still fails (fewer, earlier,
   * shorter faults), trying at most `budget` candidates. `fails` runs a candidate and says how it failed
   * (a violation of the same check, the same internal error), or undefined when it did not.
   */
  async shrink<F>(run: number, fails: (c: ExploreCase) => Promise<F | undefined>, budget: number, stop: () => boolean = () => false): Promise<Shrunk<F>> {
    let tries = 0;
    let last: { c: ExploreCase; f: F } | undefined;
    const property = fc.asyncProperty(this.cases, async (c) => {
      // Out of budget (or told to stop): every further candidate "passes", so shrinking ends here.
      if (last !== undefined && (tries >= budget || stop())) return true;
      tries++;
      const f = await fails(c);
      if (f === undefined) return true;
      last = { c, f };
      return false;
    });
    await fc.check(property, { seed: runSeed(this.spec.seed, run), numRuns: 1 });
    if (last === undefined) throw new Error(`run ${run} did not fail again: the search is not deterministic (seed ${this.spec.seed})`);
    return { case: last.c, failure: last.f, tries };
  }

  /** The scenario file of a run that stopped the simulator with an internal error, to replay it. */
  crashScenario(run: number, c: ExploreCase, error: string): string {
    const steps = planSteps(c.steps, this.window);
    return scheduleText(this.textFor(c), c.steps, this.window, c.seed, {
      name: `${this.spec.base.name}-crash-${String(run).padStart(6, '0')}`,
      title: `Internal error of the simulator (run ${run} of a search from ${this.spec.base.name})`,
      compare: undefined,
      description: [
        `Found by kafkasim explore from ${this.spec.baseFile} (search seed ${this.spec.seed}, run ${run}): the simulator stopped with an internal error.`,
        error,
        `Faults (${steps.length}): ${steps.map(describeStep).join('; ') || 'none'}.`,
      ].join('\n'),
    });
  }

  /** The scenario file of a counterexample: the base with the case's faults and seed, and what it shows. */
  counterexample(found: Found): string {
    const c = found.case;
    const steps = planSteps(c.steps, this.window);
    const name = counterexampleName(found.run);
    return scheduleText(this.textFor(c), c.steps, this.window, c.seed, {
      name: `${this.spec.base.name}-${name}`,
      title: `Counterexample: ${found.violation.check} on ${found.violation.partition} (run ${found.run} of a search from ${this.spec.base.name})`,
      compare: undefined,
      description: [
        `Found by kafkasim explore from ${this.spec.baseFile} (search seed ${this.spec.seed}, run ${found.run}): ${found.violation.check} on ${found.violation.partition}.`,
        found.violation.detail,
        `Faults (${steps.length}, shrunk from ${found.shrunkFrom}): ${steps.map(describeStep).join('; ') || 'none'}.`,
        ...(c.settings ? [`Settings drawn: ${describeSettings(c.settings)}.`] : []),
      ].join('\n'),
      counterexample: {
        check: found.violation.check,
        base: this.spec.baseFile,
        run: found.run,
        shrunkFrom: found.shrunkFrom,
        command: `npx kafkasim run ${name}.yaml`,
      },
      expect: { violations: [found.violation.check] },
    });
  }
}

export interface Shrunk<F> {
  case: ExploreCase;
  /** How the smallest case failed. */
  failure: F;
  /** Candidates run while shrinking. */
  tries: number;
}

/** A violation found and shrunk. */
export interface Found {
  run: number;
  case: ExploreCase;
  violation: Violation;
  /** Planned faults of the case as drawn, before shrinking. */
  shrunkFrom: number;
}

/** `acks=1, min.insync.replicas=2`. */
export function describeSettings(settings: Readonly<Record<string, unknown>>): string {
  return Object.entries(settings)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(', ');
}

/** `counterexample-000137`: file names that sort in run order. */
export function counterexampleName(run: number): string {
  return `counterexample-${String(run).padStart(6, '0')}`;
}
