/**
 * The What-if tab in Chromium: a 2-configuration × 3-rate what-if of scenarios/plan/small.yaml run in the
 * page's workers (its lines, legend and table), one point's figures and trace hash equal to `kafkasim plan`'s
 * for the same point, bad input shown as one line in the tab (the chart kept, no page error), and a plan's
 * results.jsonl opened by the file picker, with a bottleneck shown where its points name one; and at
 * 1280×720 in large type (and after it is toggled off), getBBox() boxes: no bottleneck label over another,
 * a tick label, the legend or outside its plot, the legend's items apart, the axis titles under the tick
 * labels; at 1280×720 in normal and large type (with short and with long configurations), every column of
 * the table inside its panel and the whole chart, its axis titles included, on the first screen. Writes
 * test-results/screenshots/what-if.png (look at it; docs/screenshots/what-if.png is made the same way by
 * `npm run screenshots`) (and, with KAFKASIM_WHATIF_LARGE_PNG=<path>, the large-type chart; with
 * KAFKASIM_WHATIF_FIT_PNG=<path>, the large-type page of long configurations).
 *
 * Needs /usr/bin/chromium and `npm run build:cli` (the CLI's figures).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, ROOT, type OpenPage, WAIT } from './page.js';

const run = promisify(execFile);
const TMP = mkdtempSync(join(tmpdir(), 'kafkasim-whatif-'));

interface PlanPoint {
  settings: Record<string, string>;
  figures: { recordsPerSec: number; mbPerSec: number; produceMs: { p50: number; p99: number; p999: number }; traceHash: string };
}

/** `kafkasim plan` of small.yaml over rates × acks, as JSON (its summary's points). */
async function cliPlan(rates: string, acks: string): Promise<PlanPoint[]> {
  const args = [
    join(ROOT, 'bin/kafkasim.js'),
    'plan',
    'scenarios/plan/small.yaml',
    '--sweep',
    `rate=${rates}`,
    '--sweep',
    `acks=${acks}`,
    '--json',
    '--workers',
    '1',
    '--out',
    join(TMP, `plan-${acks}`),
  ];
  const { stdout } = await run(process.execPath, args, { cwd: ROOT, maxBuffer: 16 << 20 });
  return (JSON.parse(stdout) as { points: PlanPoint[] }).points;
}

async function runWhatIf(page: Page): Promise<void> {
  await page.getByTestId('wi-run').click();
  await expect.poll(() => page.getByTestId('wi-progress-text').textContent(), { timeout: WAIT, interval: 250 }).toMatch(/^6 points run in/);
}

type Box = { x: number; y: number; width: number; height: number };
type Named = Box & { name: string; panel: number };
interface ChartBoxes {
  labels: Named[];
  ticks: Named[];
  legend: Named[];
  titles: Named[];
  axisTitles: Named[];
  plots: Named[];
  tickHeight: number;
}

/** The chart's texts and plot areas as getBBox() boxes in the svg's coordinates, each with its panel (0 latency, 1 throughput, -1 the legend). */
function chartBoxes(page: Page): Promise<ChartBoxes> {
  return page.evaluate(() => {
    const svg = document.querySelector<SVGSVGElement>('#wi-chart svg')!;
    const panels = [...svg.querySelectorAll('g.wi-panel')];
    const boxOf = (e: Element, name: string): Box & { name: string; panel: number } => {
      const g = e as SVGGraphicsElement;
      const b = g.getBBox();
      const m = svg.getScreenCTM()!.inverse().multiply(g.getScreenCTM()!);
      const xs = [b.x, b.x + b.width].flatMap((x) => [b.y, b.y + b.height].map((y) => new DOMPoint(x, y).matrixTransform(m)));
      const x0 = Math.min(...xs.map((p) => p.x));
      const y0 = Math.min(...xs.map((p) => p.y));
      return { name, panel: panels.findIndex((p) => p.contains(e)), x: x0, y: y0, width: Math.max(...xs.map((p) => p.x)) - x0, height: Math.max(...xs.map((p) => p.y)) - y0 };
    };
    const all = (sel: string, name: (e: Element) => string) => [...svg.querySelectorAll(sel)].map((e) => boxOf(e, name(e)));
    const ticks = all('.wi-axis .tick text, .wi-grid .tick text', (e) => `tick ${e.textContent}${e.closest('.wi-axis') ? ' (x)' : ' (y)'}`);
    return {
      labels: all('text.wi-bottleneck', (e) => `label ${e.getAttribute('data-series')}@${e.getAttribute('data-x')} "${e.textContent}"`),
      ticks,
      legend: all('.wi-legend-item, .wi-legend-key', (e) => `legend ${e.getAttribute('data-label') ?? 'key'}`),
      titles: all('text.wi-panel-title', (e) => `title "${e.textContent}"`),
      axisTitles: all('text.wi-axis-label', () => 'x axis title'),
      plots: all('rect.wi-plot', () => 'plot area'),
      tickHeight: Math.max(...ticks.map((t) => t.height)),
    };
  });
}

const overlaps = (a: Box, b: Box, gap = 0): boolean => a.x < b.x + b.width + gap && b.x < a.x + a.width + gap && a.y < b.y + b.height + gap && b.y < a.y + a.height + gap;
const inside = (a: Box, b: Box): boolean => a.x >= b.x - 0.5 && a.y >= b.y - 0.5 && a.x + a.width <= b.x + b.width + 0.5 && a.y + a.height <= b.y + b.height + 0.5;
const shrunk = (a: Named): Named => ({ ...a, x: a.x + 0.25, y: a.y + 0.25, width: a.width - 0.5, height: a.height - 0.5 });

/** What is wrong with the chart's layout, one line each (none: nothing). */
function layoutProblems(c: ChartBoxes): string[] {
  const out: string[] = [];
  const labels = c.labels.map(shrunk);
  labels.forEach((a, i) => {
    for (const b of labels.slice(i + 1)) if (overlaps(a, b)) out.push(`${a.name} over ${b.name}`);
    for (const b of [...c.ticks, ...c.legend, ...c.titles, ...c.axisTitles]) if (overlaps(a, b)) out.push(`${a.name} over ${b.name}`);
    const plot = c.plots.find((p) => p.panel === a.panel);
    if (plot === undefined || !inside(a, plot)) out.push(`${a.name} outside its plot area`);
  });
  // The legend's items keep a gap between them (4 px at least); the panels' titles stay off them.
  c.legend.forEach((a, i) => {
    for (const b of c.legend.slice(i + 1)) if (overlaps(a, b, 4)) out.push(`${a.name} touches ${b.name}`);
    for (const b of c.titles) if (overlaps(a, b)) out.push(`${a.name} over ${b.name}`);
  });
  // Each axis title is below its panel's x tick labels.
  for (const t of c.axisTitles) {
    const below = Math.max(...c.ticks.filter((k) => k.panel === t.panel && k.name.endsWith('(x)')).map((k) => k.y + k.height));
    if (t.y < below) out.push(`${t.name} of panel ${t.panel} not below its tick labels (${t.y.toFixed(1)} < ${below.toFixed(1)})`);
  }
  return out;
}

/**
 * What does not fit the window as the page lays it out (the tab not scrolled), one line each: the table
 * wider than its panel (it would scroll sideways), the chart's x axis titles under the window's bottom.
 */
function fitProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    // The tab as it opens (an element's screenshot scrolls it).
    document.querySelector<HTMLElement>('#whatif')!.scrollTop = 0;
    const table = document.querySelector<HTMLTableElement>('#wi-table')!;
    const wrap = table.parentElement!;
    if (table.scrollWidth > wrap.clientWidth) out.push(`the table is ${table.scrollWidth} px wide in a panel of ${wrap.clientWidth} px`);
    if (wrap.scrollWidth > wrap.clientWidth) out.push(`the table's panel scrolls sideways (${wrap.scrollWidth} px in ${wrap.clientWidth} px)`);
    const titles = [...document.querySelectorAll('#wi-chart text.wi-axis-label')];
    if (titles.length !== 2) out.push(`${titles.length} x axis titles`);
    for (const t of titles) {
      const bottom = t.getBoundingClientRect().bottom;
      if (bottom > window.innerHeight) out.push(`an x axis title's bottom at ${bottom.toFixed(1)} px, under the window's ${window.innerHeight} px`);
    }
    return out;
  });
}

describe('the What-if tab in chromium', () => {
  let opened: OpenPage | undefined;
  let page: Page;
  let cli: Promise<PlanPoint[]>;

  beforeAll(async () => {
    cli = cliPlan('100000/s', '1');
    cli.catch(() => undefined);
    opened = await openPage();
    page = opened.page;
  });

  afterAll(async () => {
    await opened?.close();
    rmSync(TMP, { recursive: true, force: true });
  });

  it('runs acks=all and acks=1 at three rates: a line per configuration in each panel, a legend, a row per point', async () => {
    await page.goto(`${opened!.base}/index.html`);
    await page.getByTestId('tab-whatif').click();
    expect(page.url()).toContain('tab=whatif');
    expect(await page.getByTestId('wi-scenario').inputValue()).toBe('plan/small');
    expect(await page.getByTestId('wi-xs').inputValue()).toBe('20000/s, 100000/s, 200000/s');
    expect(await page.locator('#wi-configs input').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value))).toEqual(['acks=all', 'acks=1']);
    await runWhatIf(page);
    const legend = await page.locator('.wi-legend-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')));
    expect(legend).toEqual(['acks=all', 'acks=1']);
    for (const metric of ['p99', 'p50', 'rps']) {
      expect(await page.locator(`path.wi-line[data-metric="${metric}"]`).count()).toBe(2);
      expect(await page.locator(`circle.wi-pt[data-metric="${metric}"]`).count()).toBe(6);
    }
    // The two lines have the configurations' colors.
    const strokes = await page.locator('path.wi-line[data-metric="p99"]').evaluateAll((els) => els.map((e) => e.getAttribute('stroke')));
    expect(new Set(strokes).size).toBe(2);
    expect(await page.getByTestId('wi-row').count()).toBe(6);
    // The knee: at 200000/s offered, acks=all acknowledges less than acks=1, with a higher p99.
    const value = (series: number, metric: string) => page.locator(`circle.wi-pt[data-series="${series}"][data-metric="${metric}"][data-x="200000/s"]`).getAttribute('data-value').then(Number);
    expect(await value(0, 'rps')).toBeLessThan(await value(1, 'rps'));
    expect(await value(0, 'p99')).toBeGreaterThan(await value(1, 'p99'));
    // Every run names its bottleneck (the resource model's most utilized resource): a label per point and a column.
    const labels = await page.locator('text.wi-bottleneck').allTextContents();
    expect(labels).toHaveLength(6);
    for (const l of labels) expect(l).toMatch(/^\S+ [a-z-]+ \d+(\.\d)?%$/);
    expect(await page.locator('#wi-table th').allTextContents()).toContain('bottleneck');
    expect(await page.getByTestId('wi-error').isHidden()).toBe(true);
    await page.screenshot({ path: join(ROOT, 'test-results/screenshots/what-if.png') });
    expect(opened!.errors).toEqual([]);
    expect(opened!.csp).toEqual([]);
  });

  it("gives one point the figures and trace hash of kafkasim plan's same point", async () => {
    const [point] = await cli;
    const row = page.locator('[data-testid="wi-row"][data-series="1"][data-x="100000/s"]');
    expect(await row.getAttribute('data-hash')).toBe(point!.figures.traceHash);
    const col = (c: string) => row.locator(`td[data-col="${c}"]`).textContent();
    expect(await col('records/s')).toBe(Math.round(point!.figures.recordsPerSec).toLocaleString('en-US'));
    expect(await col('p99 ms')).toBe(point!.figures.produceMs.p99.toFixed(1));
    const p99 = page.locator('circle.wi-pt[data-series="1"][data-metric="p99"][data-x="100000/s"]');
    expect(Number(await p99.getAttribute('data-value'))).toBe(point!.figures.produceMs.p99);
  });

  it('shows a bad setting, a bad value and a value the scenario rejects as one line, keeping the chart', async () => {
    const second = page.locator('#wi-configs input').nth(1);
    const cases: Array<[string, string, RegExp]> = [
      ['wi-config', 'lingr.ms=5', /unknown setting "lingr\.ms"/],
      ['wi-config', 'acks=2', /acks=2: expected/],
      ['wi-config', 'replication.factor=5', /replication\.factor=5 at rate=20000\/s: the scenario rejects it: .*larger than available brokers: 3/],
      ['wi-xs', 'fast', /rate values: "fast": expected a rate such as 5000\/s/],
    ];
    for (const [where, text, message] of cases) {
      if (where === 'wi-config') await second.fill(text);
      else await page.getByTestId('wi-xs').fill(text);
      await page.getByTestId('wi-run').click();
      await expect.poll(() => page.getByTestId('wi-error').textContent()).toMatch(message);
      expect(await page.getByTestId('wi-error').textContent()).not.toMatch(/\bat \S+\.(ts|js):\d+/);
      expect(await page.locator('path.wi-line').count()).toBe(6);
      await second.fill('acks=1');
      await page.getByTestId('wi-xs').fill('20000/s, 100000/s, 200000/s');
    }
    expect(opened!.errors).toEqual([]);
  });

  it("draws a plan's results.jsonl opened by the file picker, with the bottleneck of the points that name one", async () => {
    const lines = readFileSync(join(TMP, 'plan-1', 'results.jsonl'), 'utf8')
      .trim()
      .split('\n');
    const [point] = await cli;
    // A summary with a bottleneck (as the resource model's runs will have it): shown on the chart and in the table.
    const other = {
      ...point!,
      index: 1,
      settings: { rate: '200000/s', acks: '1' },
      figures: { ...point!.figures, recordsPerSec: 150000, bottleneck: { node: 'broker 2', resource: 'disk', utilization: 0.97 } },
    };
    const text = `${lines.join('\n')}\n${JSON.stringify(other)}\n`;
    await page.getByTestId('wi-file').setInputFiles({ name: 'results.jsonl', mimeType: 'application/json', buffer: Buffer.from(text) });
    await expect.poll(() => page.getByTestId('wi-title').textContent()).toContain('results.jsonl');
    expect(await page.locator('.wi-legend-item').evaluateAll((els) => els.map((e) => e.getAttribute('data-label')))).toEqual(['acks=1']);
    expect(await page.locator('circle.wi-pt[data-metric="rps"]').count()).toBe(2);
    // The plan's own point names what its run named; the added one, its own.
    const labels = await page.locator('text.wi-bottleneck').allTextContents();
    expect(labels).toHaveLength(2);
    expect(labels[0]).toMatch(/^\S+ [a-z-]+ \d+(\.\d)?%$/);
    expect(labels[1]).toBe('broker 2 disk 97%');
    expect(await page.locator('td[data-col="bottleneck"]').allTextContents()).toEqual(labels);
    await page.getByTestId('wi-file').setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('hello\n') });
    await expect.poll(() => page.getByTestId('wi-error').textContent()).toMatch(/^notes\.txt: line 1: not JSON/);
    expect(opened!.errors).toEqual([]);
  });

  it('at 1280×720 in large type: no bottleneck label over another, a tick label or the legend, none outside its plot; the legend items apart; redrawn when large type is toggled', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${opened!.base}/index.html?tab=whatif`);
    await page.keyboard.press('l');
    await runWhatIf(page);
    // Set KAFKASIM_WHATIF_LARGE_PNG to a path to look at it.
    if (process.env.KAFKASIM_WHATIF_LARGE_PNG) await page.getByTestId('wi-chart').screenshot({ path: process.env.KAFKASIM_WHATIF_LARGE_PNG });
    const before = await chartBoxes(page);
    for (const p of layoutProblems(before)) expect.soft(p).toBe('');
    // The whole chart, its axis titles included, and every column of the table on the first screen.
    expect.soft(await fitProblems(page), 'large type').toEqual([]);
    expect(before.labels).toHaveLength(6);
    // Large type: the chart's texts are the page's large ones.
    expect(before.tickHeight).toBeGreaterThan(17);
    // Each label is its configuration's color, outlined in white.
    const paints = await page.locator('text.wi-bottleneck').evaluateAll((els) =>
      els.map((e) => {
        const s = getComputedStyle(e);
        return { series: e.getAttribute('data-series'), fill: s.fill, stroke: s.stroke, order: s.paintOrder };
      }),
    );
    for (const p of paints) {
      expect(p.fill).toBe(p.series === '0' ? 'rgb(31, 111, 180)' : 'rgb(217, 72, 15)');
      expect(p.stroke).toBe('rgb(255, 255, 255)');
      expect(p.order).toMatch(/^stroke/);
    }
    // Normal type: redrawn (a lower chart, smaller texts), still apart; large type again: laid out for it again.
    const height = () => page.locator('#wi-chart svg').getAttribute('height').then(Number);
    const large = await height();
    await page.keyboard.press('l');
    await expect.poll(height).toBeLessThan(large);
    const normal = await chartBoxes(page);
    expect(normal.tickHeight).toBeLessThan(before.tickHeight);
    for (const p of layoutProblems(normal)) expect.soft(p).toBe('');
    expect.soft(await fitProblems(page), 'normal type').toEqual([]);
    await page.keyboard.press('l');
    await expect.poll(height).toBe(large);
    for (const p of layoutProblems(await chartBoxes(page))) expect.soft(p).toBe('');
    expect.soft(await fitProblems(page), 'large type again').toEqual([]);
    await page.keyboard.press('l');
    expect(opened!.errors).toEqual([]);
  });

  it('at 1280×720, configurations of several settings each: the table fits its panel and the chart the window, in normal and large type', async () => {
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${opened!.base}/index.html?tab=whatif`);
    const configs = page.locator('#wi-configs input');
    await configs.nth(0).fill('acks=all, linger.ms=5, batch.size=131072, compression.type=lz4');
    await configs.nth(1).fill('acks=1, linger.ms=5, batch.size=131072, compression.type=lz4');
    await runWhatIf(page);
    expect(await page.getByTestId('wi-row').count()).toBe(6);
    expect.soft(await fitProblems(page), 'normal type').toEqual([]);
    // Every header names its column in full in its tooltip.
    const heads = await page.locator('#wi-table th').evaluateAll((els) => els.map((e) => ({ text: e.textContent, title: e.getAttribute('title') ?? '' })));
    for (const h of heads) expect.soft(h.title, `the header "${h.text}"`).not.toBe('');
    const height = () => page.locator('#wi-chart svg').getAttribute('height').then(Number);
    const normal = await height();
    await page.keyboard.press('l');
    await expect.poll(height).not.toBe(normal);
    // Set KAFKASIM_WHATIF_FIT_PNG to a path to look at the large-type page.
    if (process.env.KAFKASIM_WHATIF_FIT_PNG) await page.screenshot({ path: process.env.KAFKASIM_WHATIF_FIT_PNG });
    expect.soft(await fitProblems(page), 'large type').toEqual([]);
    for (const p of layoutProblems(await chartBoxes(page))) expect.soft(p).toBe('');
    await page.keyboard.press('l');
    expect(opened!.errors).toEqual([]);
  });
});
