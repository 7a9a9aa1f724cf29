/**
 * Every scenario in scenarios/ in the visualizer, picked from the scenario picker as a user would: it runs
 * in the page's worker with the trace hash the simulator gives in Node for the same file and seed, the
 * page shows no error, and the narrative and partitions are drawn.
 *
 * The scenarios are shared out between browser-scenarios-1.test.ts and -2.test.ts (alternately, in name
 * order), so that the two halves run at once on the two cores. Node's hash is the one in the scenario's
 * golden file, test/golden/<name>.json: the golden test (test/scenarios/scenarios.test.ts) checks that it
 * is what `simulate` gives for the file with its own seed, as the picker runs it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/parse.js';
import { openDefaultRun, openPage, ROOT, type OpenPage, WAIT } from './page.js';

/** Every scenario file's name (its path under scenarios/ without .yaml), sorted. */
export const NAMES = (readdirSync(join(ROOT, 'scenarios'), { recursive: true }) as string[])
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\\/g, '/').replace(/\.yaml$/, ''))
  .sort();

/** The trace hash and seed of the scenario's run in Node, from its golden file. */
function golden(name: string): { traceHash: string; seed: number } {
  const g = JSON.parse(readFileSync(join(ROOT, 'test', 'golden', `${name}.json`), 'utf8')) as { scenario: string; seed: number; traceHash: string };
  expect(g.scenario, `test/golden/${name}.json is the golden file of another scenario`).toBe(`scenarios/${name}.yaml`);
  expect(g.traceHash, `test/golden/${name}.json: not a trace hash`).toMatch(/^[0-9a-f]{16}$/);
  return g;
}

/** Part `part` of `parts` of the scenarios (every `parts`-th name from the `part`-th), each in the page. */
export function scenariosInPage(part: number, parts: number): void {
  const names = NAMES.filter((_, i) => i % parts === part - 1);

  describe(`every scenario in the visualizer, part ${part} of ${parts}`, () => {
    let opened: OpenPage;

    beforeAll(async () => {
      opened = await openPage();
      await openDefaultRun(opened);
    });

    afterAll(async () => {
      await opened?.close();
    });

    it('the picker lists every scenario file', async () => {
      const options = await opened.page
        .getByTestId('scenario-picker')
        .locator('option')
        .evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value));
      expect([...options].sort()).toEqual(NAMES);
    });

    it.each(names)('%s: same trace hash as in Node, drawn without errors', async (name) => {
      const { page } = opened;
      const scenario = parseScenario(readFileSync(join(ROOT, 'scenarios', `${name}.yaml`), 'utf8'), name);
      // Node's run of the same file with its own seed, as the picker runs it.
      const expected = golden(name);
      expect(expected.seed, `test/golden/${name}.json: another seed than the file's`).toBe(scenario.seed);
      const before = await page.getByTestId('trace-hash').textContent();
      await page.getByTestId('scenario-picker').selectOption(name);
      if (expected.traceHash !== before) await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).not.toBe(before);
      await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toMatch(/^[0-9a-f]{16}$/);
      expect(await page.getByTestId('trace-hash').textContent(), `${name} (seed ${scenario.seed ?? 'default'})`).toBe(expected.traceHash);
      expect(await page.getByTestId('error').isVisible()).toBe(false);
      expect(await page.getByTestId('narrative-item').count()).toBeGreaterThan(0);
      expect(await page.locator('[data-testid^="partition-"][data-leader]').count()).toBeGreaterThan(0);
      expect(opened.errors).toEqual([]);
    });
  });
}
