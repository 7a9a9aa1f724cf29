/**
 * Regression tests from counterexamples: a vitest file that replays a counterexample's scenario file and
 * asserts the property it broke, so it fails until the configuration (or the model) no longer allows it.
 * `kafkasim explore` writes one beside each counterexample; {@link exportRegression} does the same for a
 * user's own fast-check property over {@link faultSchedules}.
 */
import fc from 'fast-check';
import type { Scenario } from '../scenario/types.js';
import { scenarioText } from './arbitraries.js';

export interface RegressionSpec {
  /** The counterexample's scenario file, relative to the test file. */
  yamlFile: string;
  /** The check the test asserts is not violated; undefined: no check at all. */
  check?: string;
  /** What found it, for the test's comment and name. */
  origin: string;
}

/** The source of a vitest test replaying `yamlFile` and asserting no violation (of `check`, or of any). */
export function regressionTest({ yamlFile, check, origin }: RegressionSpec): string {
  const what = check ?? 'violation';
  const found = check === undefined ? 'summary.violations' : `summary.violations.filter((v) => v.check === ${JSON.stringify(check)})`;
  return `/**
 * Regression test: ${origin} found ${check ?? 'a violation'} under the faults of ${yamlFile}.
 * It fails while the violation is there; it passes once the configuration (or the model) no longer lets
 * it happen. Replay: npx kafkasim run ${yamlFile}
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, it } from 'vitest';
import { parseScenario, simulate } from 'kafkasim';

const file = fileURLToPath(new URL('./${yamlFile}', import.meta.url));

it(${JSON.stringify(`no ${what} under the faults of ${yamlFile}`)}, () => {
  const summary = simulate(parseScenario(readFileSync(file, 'utf8'), file));
  const found = ${found};
  expect(found, \`seed \${summary.seed}: npx kafkasim run ${yamlFile}\`).toEqual([]);
});
`;
}

/** A counterexample exported by {@link exportRegression}: its scenario file and its test, by file name. */
export interface ExportedRegression {
  yaml: { name: string; text: string };
  test: { name: string; text: string };
}

/**
 * A fast-check `reporter` for properties over {@link faultSchedules}: when the property fails, `save`
 * receives the shrunk counterexample as a scenario file and a vitest regression test asserting it shows no
 * violation (write them where your tests live), then the failure is reported as fast-check would.
 *
 * ```ts
 * fc.assert(fc.property(faultSchedules(base), (s) => simulate(s).violations.length === 0), {
 *   reporter: exportRegression((f) => { writeFileSync(f.yaml.name, f.yaml.text); writeFileSync(f.test.name, f.test.text); }),
 * });
 * ```
 */
export function exportRegression(save: (files: ExportedRegression) => void, name = 'counterexample'): (details: fc.RunDetails<[Scenario]>) => void {
  return (details) => {
    if (!details.failed) return;
    const s = details.counterexample?.[0];
    const text = s === undefined ? undefined : scenarioText(s);
    if (text !== undefined) {
      const yamlFile = `${name}.yaml`;
      const origin = `a fast-check property (seed ${details.seed}, path ${details.counterexamplePath ?? ''})`;
      save({ yaml: { name: yamlFile, text }, test: { name: `${name}.test.ts`, text: regressionTest({ yamlFile, origin }) } });
    }
    throw new Error(fc.defaultReportMessage(details));
  };
}
