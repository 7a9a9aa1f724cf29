/**
 * A counterexample in a real browser: a scenario file with a `counterexample:` block (as a failure search
 * writes one) opened in the page. Once the run is done the cursor is at the violation's cause (the
 * election that lost the records), a banner names the check, the violation and the command, and the
 * partitions view outlines the records lost. The checks panel's "jump to violation" goes there from
 * anywhere. The screenshot goes to test-results/screenshots/counterexample.png (look at it);
 * docs/screenshots/counterexample.png is made the same way by docs/screenshots/make.mjs.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { simulate } from '../../sim/run/simulation.js';
import { parseScenario } from '../../sim/scenario/parse.js';
import { openPage, type OpenPage, ROOT, WAIT } from './page.js';

const SHOTS = join(ROOT, 'test-results', 'screenshots');
const FILE = join(ROOT, 'test/viz/fixtures/counterexample-acks1.yaml');

type Viz = Window & { kafkasimViz: { state: { done: boolean; cursorT: number; window: string }; seekTime(t: number): void } };

describe('a counterexample opened in the page', () => {
  let opened: OpenPage;
  const scenario = parseScenario(readFileSync(FILE, 'utf8'), 'counterexample-acks1.yaml');
  const summary = simulate(scenario);
  const lost = summary.violations.find((v) => v.check === 'no-acked-record-lost')!;
  const cursorT = () => opened.page.evaluate(() => (window as unknown as Viz).kafkasimViz.state.cursorT);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    opened = await openPage();
    const { page, base } = opened;
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${base}/index.html`);
    await page.getByTestId('file').setInputFiles(FILE);
    await page.waitForFunction(
      () => (window as unknown as Partial<Viz>).kafkasimViz?.state.done === true && document.querySelector('#run-title')?.textContent?.startsWith('counterexample-acks1') === true,
      null,
      { timeout: WAIT },
    );
  });

  afterAll(async () => {
    await opened?.close();
  });

  it('the run violates the check the file names, with the records and the cause known', () => {
    expect(scenario.counterexample?.check).toBe('no-acked-record-lost');
    expect(lost.offsets).toEqual([[1000, 1599]]);
    expect(lost.causeMs).toBeGreaterThan(8000);
    expect(lost.causeMs).toBeLessThan(lost.atMs);
  });

  it('moves the cursor to the violation, shows the banner and outlines the records involved', async () => {
    const { page } = opened;
    await expect.poll(cursorT, { timeout: WAIT }).toBe(Math.round(lost.causeMs! * 1000));
    const banner = page.getByTestId('counterexample');
    expect(await banner.isVisible()).toBe(true);
    const text = (await banner.textContent()) ?? '';
    expect(text).toContain(`Counterexample: no-acked-record-lost — orders-0: ${lost.detail}`);
    expect(text).toContain('from scenarios/acks1-leader-loss.yaml, run 137, shrunk from 7 faults');
    expect(await page.getByTestId('counterexample-command').textContent()).toBe('npx kafkasim run counterexample-137.yaml --seed 42');
    const hl = page.getByTestId('violation-highlight-orders-0');
    await expect.poll(() => hl.count(), { timeout: WAIT }).toBe(1);
    expect(await hl.getAttribute('data-offsets')).toBe('1000-1599');
    expect(await page.getByTestId('partition-orders-0').getAttribute('class')).toContain('highlighted');
    // The whole log is shown, so the records (far from the tail) are in view.
    expect(await page.evaluate(() => (window as unknown as Viz).kafkasimViz.state.window)).toBe('whole');
    const box = (await hl.boundingBox())!;
    expect(box.width).toBeGreaterThan(4);
    await page.waitForTimeout(300);
    await page.screenshot({ path: join(SHOTS, 'counterexample.png') });
  });

  it('"jump to violation" in the checks panel and the banner go back to it from anywhere', async () => {
    const { page } = opened;
    await page.evaluate(() => (window as unknown as Viz).kafkasimViz.seekTime(1_000_000));
    await expect.poll(cursorT).toBe(1_000_000);
    await page.getByTestId('jump-to-violation').click();
    await expect.poll(cursorT).toBe(Math.round((summary.violations[0]!.causeMs ?? summary.violations[0]!.atMs) * 1000));
    await page.evaluate(() => (window as unknown as Viz).kafkasimViz.seekTime(1_000_000));
    await page.getByTestId('counterexample-jump').click();
    await expect.poll(cursorT).toBe(Math.round(lost.causeMs! * 1000));
    expect(opened.errors).toEqual([]);
  });
});
