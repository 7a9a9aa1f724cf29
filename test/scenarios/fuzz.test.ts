/**
 * Fuzz: the shipped scenarios with random damage (a value replaced by a hostile one, a key removed, a list
 * item repeated). Each mutant must be either rejected with a ScenarioError (a one-line message) or run
 * without an internal error. Runs are cut to 1 simulated second and skipped above a budget of records, so
 * the fuzz tests validation and the model, not patience. A fixed fast-check seed, printed on failure; set
 * KAFKASIM_FUZZ_SEED / KAFKASIM_FUZZ_RUNS for a longer search, or `npm run fuzz` (5,000 mutants, a new seed
 * each time unless KAFKASIM_FUZZ_SEED is set).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml, stringify } from 'yaml';
import { parseScenario, ScenarioError, simulate, type Scenario } from 'kafkasim';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((f) => {
      const p = join(dir, f);
      return statSync(p).isDirectory() ? files(p) : /\.ya?ml$/.test(f) ? [p] : [];
    });
}

const SHIPPED = files(join(ROOT, 'scenarios')).map((p) => ({ name: relative(ROOT, p), raw: parseYaml(readFileSync(p, 'utf8')) as unknown }));

const HOSTILE: unknown[] = [
  0,
  -1,
  1.5,
  2 ** 31,
  2 ** 53,
  1e308,
  4_294_967_296,
  '',
  'x',
  '1e999',
  '0s',
  '1us',
  '-5s',
  '1000000/s',
  '1GB',
  'a'.repeat(300),
  null,
  true,
  [],
  [[]],
  {},
  { uniform: 4503599627370496 },
  { zipf: 100000000 },
  'all brokers',
  'broker 99',
  'leader of nope-0',
  'rack z',
];

/** Every path to a value in a document (objects and arrays), in a stable order. */
function paths(v: unknown, at: Array<string | number> = []): Array<Array<string | number>> {
  if (Array.isArray(v)) return [at, ...v.flatMap((x, i) => paths(x, [...at, i]))];
  if (v !== null && typeof v === 'object') return [at, ...Object.entries(v).flatMap(([k, x]) => paths(x, [...at, k]))];
  return [at];
}

function mutate(doc: unknown, path: Array<string | number>, how: number, value: unknown): unknown {
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  if (path.length === 0) return value;
  let parent = copy as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) parent = parent[k] as Record<string | number, unknown>;
  const last = path.at(-1)!;
  if (how === 0) parent[last] = value;
  else if (how === 1 && !Array.isArray(parent)) delete parent[last];
  else if (Array.isArray(parent)) parent.splice(Number(last), 0, structuredClone(parent[Number(last)]));
  else parent[last] = value;
  return copy;
}

/** Records the run would produce: the budget above which a mutant is validated but not run. */
function records(s: Scenario, durationUs: number): number {
  return s.producers.reduce((n, p) => n + p.ratePerSec * (durationUs / 1e6), 0) * Math.max(1, ...s.topics.map((t) => t.replicationFactor));
}

/** Mutants per run: a few hundred in the suite; `npm run fuzz` asks for thousands. */
const RUNS = Number(process.env.KAFKASIM_FUZZ_RUNS ?? 300);

describe('fuzz: damaged scenarios are rejected cleanly or run', () => {
  // Sized for what it does: at most a second or two of simulation per mutant on a busy machine.
  it('never throws anything but a ScenarioError, and never an internal error from a run', { timeout: Math.max(600_000, RUNS * 2_000) }, () => {
    const seed = Number(process.env.KAFKASIM_FUZZ_SEED ?? 20261202);
    const mutant = fc
      .record({ file: fc.integer({ min: 0, max: SHIPPED.length - 1 }), at: fc.nat(), how: fc.integer({ min: 0, max: 2 }), value: fc.constantFrom(...HOSTILE) })
      .map(({ file, at, how, value }) => {
        const { name, raw } = SHIPPED[file]!;
        const all = paths(raw);
        const path = all[at % all.length]!;
        return { name, path, text: stringify(mutate(raw, path, how, value)) };
      });
    let ran = 0;
    let rejected = 0;
    fc.assert(
      fc.property(mutant, ({ name, path, text }) => {
        let s: Scenario;
        try {
          s = parseScenario(text, 'mutant.yaml');
        } catch (e) {
          expect(e, `${name} at ${path.join('.')}: not a ScenarioError (fast-check seed ${seed}):\n${text}`).toBeInstanceOf(ScenarioError);
          expect((e as Error).message).not.toContain('\n');
          rejected++;
          return;
        }
        const durationUs = Math.min(s.durationUs, 1_000_000);
        if (process.env.KAFKASIM_FUZZ_TRACE) process.stderr.write(`${name} ${path.join('.')}\n`);
        if (records(s, durationUs) > 200_000 || s.topics.reduce((n, t) => n + t.partitions, 0) > 2_000) return;
        expect(() => simulate({ ...s, durationUs }, { seed: 1 }), `${name} at ${path.join('.')} (fast-check seed ${seed}):\n${text}`).not.toThrow();
        ran++;
      }),
      { seed, numRuns: RUNS, endOnFailure: true },
    );
    console.log(`fuzz: ${ran} ran, ${rejected} rejected (fast-check seed ${seed})`);
    // The fuzz is worth its time only if it both runs and rejects mutants.
    expect(ran).toBeGreaterThan(20);
    expect(rejected).toBeGreaterThan(20);
  });
});
