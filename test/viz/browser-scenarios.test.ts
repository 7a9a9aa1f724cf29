/**
 * Every scenario in scenarios/ in the visualizer, picked from the scenario picker as a user would: it runs
 * in the page's worker with the trace hash the simulator gives in Node for the same file and seed, the
 * page shows no error, and the narrative and partitions are drawn.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/parse.js';
import { simulate } from '../../sim/run/simulation.js';
import { openDefaultRun, openPage, ROOT, type OpenPage, WAIT } from './page.js';

const NAMES = (readdirSync(join(ROOT, 'scenarios'), { recursive: true }) as string[])
  .filter((f) => f.endsWith('.yaml'))
  .map((f) => f.replace(/\\/g, '/').replace(/\.yaml$/, ''))
  .sort();

describe('every scenario in the visualizer', () => {
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

  it.each(NAMES)('%s: same trace hash as in Node, drawn without errors', async (name) => {
    const { page } = opened;
    const text = readFileSync(join(ROOT, 'scenarios', `${name}.yaml`), 'utf8');
    const scenario = parseScenario(text, name);
    const before = await page.getByTestId('trace-hash').textContent();
    await page.getByTestId('scenario-picker').selectOption(name);
    // Meanwhile, the same file in Node (no seed: the file's own, as the picker runs it).
    const expected = simulate(scenario).traceHash;
    if (expected !== before) await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).not.toBe(before);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toMatch(/^[0-9a-f]{16}$/);
    expect(await page.getByTestId('trace-hash').textContent(), `${name} (seed ${scenario.seed ?? 'default'})`).toBe(expected);
    expect(await page.getByTestId('error').isVisible()).toBe(false);
    expect(await page.getByTestId('narrative-item').count()).toBeGreaterThan(0);
    expect(await page.locator('[data-testid^="partition-"][data-leader]').count()).toBeGreaterThan(0);
    expect(opened.errors).toEqual([]);
  });
});
