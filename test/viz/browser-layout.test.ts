/**
 * The page's layout in a real browser at 1280×720 (a laptop) and in large type (a projector): a click on a
 * link opens that link and a cut is drawn between its two ends only; the partitions panel shows a whole
 * partition and, in large type, its LOST row; the checks' violations are all in view above the story;
 * compare mode's B keeps its broker labels off its legend.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { openPage, type OpenPage, WAIT } from './page.js';

type Box = { x: number; y: number; width: number; height: number };

const inside = (a: Box, b: Box): boolean => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;
const overlaps = (a: Box, b: Box): boolean => a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;

async function box(l: Locator): Promise<Box> {
  const b = await l.boundingBox();
  if (b === null) throw new Error('not visible');
  return b;
}

/** Opens a bundled scenario with a seed and waits until its run is done. */
async function open(page: Page, base: string, query: string): Promise<void> {
  await page.goto(`${base}/index.html?${query}`);
  await page.waitForFunction(() => (window as unknown as { kafkasimViz?: { state: { done: boolean } } }).kafkasimViz?.state.done === true, null, { timeout: WAIT });
}

describe('the page at 1280×720 and in large type', () => {
  let opened: OpenPage;

  beforeAll(async () => {
    opened = await openPage();
    await opened.page.setViewportSize({ width: 1280, height: 720 });
  });

  afterAll(async () => {
    await opened?.close();
  });

  it('a click on the line between b1 and b2 opens that link, and its cut is drawn between b1 and b2 only', async () => {
    const { page, base } = opened;
    await open(page, base, 'scenario=killed-leader&seed=7');
    // Halfway between the two brokers: where a user aims.
    const svg = await box(page.locator('#cluster svg'));
    const centre = async (id: string): Promise<{ x: number; y: number; r: number }> => {
      const b = await box(page.getByTestId(`node-${id}`).locator('circle'));
      return { x: b.x + b.width / 2 - svg.x, y: b.y + b.height / 2 - svg.y, r: b.width / 2 };
    };
    const [b1, b2] = [await centre('b1'), await centre('b2')];
    await page.mouse.click(svg.x + (b1.x + b2.x) / 2, svg.y + (b1.y + b2.y) / 2);
    await expect.poll(() => page.locator('#fault-title').textContent()).toMatch(/^link (broker 2 ↔ broker 1|broker 1 ↔ broker 2) at /);
    await page.getByTestId('link-cut-both-ways').click();
    const cut = page.locator('#cluster [data-testid="cut-link"]');
    await expect.poll(() => cut.count(), { timeout: WAIT }).toBe(1);
    // The cut runs from b2's edge to b1's edge: nowhere near b3, the controller or the clients.
    expect(await cut.getAttribute('data-link')).toBe('b2|b1');
    const [cx1, cy1, cx2, cy2] = await Promise.all(['x1', 'y1', 'x2', 'y2'].map(async (k) => Number(await cut.getAttribute(k))));
    expect(Math.abs(Math.hypot(cx1 - b2.x, cy1 - b2.y) - b2.r)).toBeLessThan(3);
    expect(Math.abs(Math.hypot(cx2 - b1.x, cy2 - b1.y) - b1.r)).toBeLessThan(3);
    expect(opened.errors).toEqual([]);
  });

  it('the partitions panel shows a whole partition: its three replica rows', async () => {
    const { page, base } = opened;
    await open(page, base, 'scenario=killed-leader&seed=7');
    // Polled: the panel and the rows are measured one after another, and the page may still be laying out.
    const outside = async (): Promise<string[]> => {
      const panel = await box(page.locator('#partitions'));
      const out: string[] = [];
      for (const b of [1, 2, 3]) if (!inside(await box(page.getByTestId(`replica-orders-0-b${b}`)), panel)) out.push(`b${b}'s row out of view`);
      return out;
    };
    await expect.poll(outside, { timeout: WAIT }).toEqual([]);
  });

  it('in large type: the LOST row is in view, and the checks show every violation above the story', async () => {
    const { page, base } = opened;
    await open(page, base, 'scenario=unclean-election-loss&seed=7');
    await page.keyboard.press('l');
    await page.keyboard.press('End');
    const panel = await box(page.locator('#partitions'));
    expect(panel.height).toBeGreaterThan(150);
    await expect.poll(() => page.locator('#partitions .losttext').count()).toBeGreaterThan(0);
    expect(inside(await box(page.locator('#partitions .losttext').first()), panel), 'LOST row in view').toBe(true);
    const checks = await box(page.getByTestId('checks'));
    const vs = page.getByTestId('check-violation');
    expect(await vs.count()).toBe(4);
    for (let k = 0; k < 4; k++) expect(inside(await box(vs.nth(k)), checks), `violation ${k + 1} in view`).toBe(true);
    const list = await box(page.getByTestId('narrative'));
    expect(list.y).toBeGreaterThanOrEqual(checks.y + checks.height - 0.5);
    expect(list.height).toBeGreaterThan(100);
    await page.keyboard.press('l');
  });

  it('compare mode: B’s broker labels stay off its legend', async () => {
    const { page, base } = opened;
    await open(page, base, 'scenario=killed-leader&seed=7');
    await page.keyboard.press('b');
    await expect.poll(() => page.getByTestId('compare-hash').textContent(), { timeout: WAIT }).toMatch(/^[0-9a-f]{16}$/);
    await page.keyboard.press('n');
    // B shares A's legend (beside it); if B shows one, no label is over it, and every label is inside B's view.
    // B's panel moves down once more after its run ends (15 px, as the lines above it settle), and a label and the
    // view measured either side of that move disagree: polled until the layout holds still.
    const labels = page.locator('#cmp-cluster [data-testid^="node-b"] text');
    await expect.poll(() => labels.count()).toBeGreaterThan(0);
    const problems = async (): Promise<string[]> => {
      const legend = (await page.locator('#cmp-cluster g.legend').boundingBox()) ?? { x: 0, y: 0, width: 0, height: 0 };
      const view = await box(page.locator('#cmp-cluster'));
      const out: string[] = [];
      for (let k = 0; k < (await labels.count()); k++) {
        const b = await labels.nth(k).boundingBox();
        if (b === null || b.width === 0) continue;
        if (overlaps(b, legend)) out.push(`label ${k} over the legend`);
        if (!inside(b, view)) out.push(`label ${k} outside B's view: ${JSON.stringify(b)} in ${JSON.stringify(view)}`);
      }
      return out;
    };
    await expect.poll(problems, { timeout: WAIT }).toEqual([]);
    await page.keyboard.press('b');
  });
});
