#!/usr/bin/env node
/**
 * Regenerates the screenshots the README and docs show (docs/screenshots/*.png) from the page itself:
 * starts Vite on a free port, opens Debian's chromium (/usr/bin/chromium) with playwright-core, drives the
 * page to each view and writes the PNGs. `npm run screenshots` (after `npm run build:cli`); look at them.
 * `SHOTS=groups.png,election.png npm run screenshots` makes only those.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { createServer } from 'vite';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const OUT = join(ROOT, 'docs', 'screenshots');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** Each screenshot: the page's query, the window, and what to do before the shot. */
const SHOTS = [
  { file: 'election.png', query: 'scenario=killed-leader&seed=7', size: [1280, 720], at: 17_002_000 },
  { file: 'election-1920.png', query: 'scenario=killed-leader&seed=7', size: [1920, 1080], at: 17_002_000 },
  { file: 'ten-brokers.png', query: 'scenario=ten-brokers&seed=1', size: [1280, 720], at: 8_010_000 },
  { file: 'groups.png', query: 'scenario=consumer-crash-rebalance&seed=1', size: [1280, 720], at: 24_200_000 },
  { file: 'groups-skipped.png', query: 'scenario=questions/q14-auto-commit-worker-threads&seed=1', size: [1280, 720], end: true, steps: wholeLogAlone },
  { file: 'compare-acks.png', query: 'scenario=acks1-leader-loss&seed=7', size: [1280, 720], keys: ['b'], waitB: true, end: true },
  { file: 'why-lost.png', query: 'scenario=unclean-election-loss&seed=7', size: [1280, 720], end: true, why: true },
  { file: 'large-type.png', query: 'scenario=unclean-election-loss&seed=7', size: [1280, 720], keys: ['l'], end: true },
  {
    file: 'question.png',
    query: 'scenario=questions/q03-acks-all-lost-data-min-isr-1&cmp=questions/q03-acks-all-lost-data-min-isr-2',
    size: [1280, 720],
    waitB: true,
    end: true,
  },
  { file: 'compare-same.png', query: 'scenario=acks1-leader-loss&seed=3', size: [1280, 720], keys: ['b'], waitB: true, steps: crashIntoA },
  { file: 'counterexample.png', query: 'scenario=killed-leader', size: [1280, 720], steps: openCounterexample },
  { file: 'what-if.png', query: 'scenario=killed-leader', size: [1280, 720], steps: runWhatIf },
];

const hashOf = (page, id) => page.evaluate((id) => document.querySelector(`[data-testid="${id}"]`)?.textContent ?? '', id);

/** Compare mode, then a crash of broker 2 clicked into A at 50 s: B runs again with it. */
async function crashIntoA(page) {
  const before = await hashOf(page, 'compare-hash');
  await page.evaluate(() => window.kafkasimViz.seekTime(50_000_000));
  await page.locator('#cluster').getByTestId('node-b2').click();
  await page.locator('#fault-actions button', { hasText: 'crash' }).first().click();
  await page.waitForFunction(
    (b) => /^[0-9a-f]{16}$/.test(document.querySelector('[data-testid="compare-hash"]')?.textContent ?? '') && document.querySelector('[data-testid="compare-hash"]')?.textContent !== b,
    before,
    { timeout: 180_000 },
  );
  await page.waitForFunction(() => window.kafkasimViz?.state.done === true, null, { timeout: 180_000 });
  await page.evaluate(() => window.kafkasimViz.seekTime(52_000_000));
}

/** A alone (its scenario names a B), the whole log: the records the group skipped, marked on payments-0's leader. */
async function wholeLogAlone(page) {
  if ((await page.getByTestId('compare-toggle').getAttribute('aria-pressed')) === 'true') await page.getByTestId('compare-toggle').click();
  await page.locator('#window').click();
  await page.locator('#partitions').getByTestId('skipped-payments-0-payments').waitFor({ timeout: 180_000 });
}

/** A counterexample file opened: the page jumps to its violation and outlines the records lost. */
async function openCounterexample(page) {
  await page.getByTestId('file').setInputFiles(join(ROOT, 'test/viz/fixtures/counterexample-acks1.yaml'));
  await page.waitForFunction(() => window.kafkasimViz?.state.done === true && document.querySelector('#run-title')?.textContent?.startsWith('counterexample-acks1'), null, {
    timeout: 180_000,
  });
  await page.getByTestId('violation-highlight-orders-0').waitFor({ timeout: 180_000 });
}

/** The What-if tab's default what-if (plan/small.yaml, acks=all and acks=1 at three rates), run. */
async function runWhatIf(page) {
  await page.getByTestId('tab-whatif').click();
  await page.getByTestId('wi-run').click();
  await page.waitForFunction(() => /^6 points run in/.test(document.querySelector('[data-testid="wi-progress-text"]')?.textContent ?? ''), null, { timeout: 600_000 });
}

const server = await createServer({ root: ROOT, configFile: join(ROOT, 'vite.config.ts'), logLevel: 'error', server: { port: 0, host: '127.0.0.1' } });
await server.listen();
const base = server.resolvedUrls.local[0].replace(/\/$/, '');
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
try {
  const only = process.env.SHOTS?.split(',');
  for (const s of SHOTS.filter((x) => only === undefined || only.includes(x.file))) {
    const page = await browser.newPage({ viewport: { width: s.size[0], height: s.size[1] } });
    await page.goto(`${base}/?${s.query}`);
    await page.waitForFunction(() => window.kafkasimViz?.state.done === true, null, { timeout: 180_000 });
    for (const k of s.keys ?? []) await page.keyboard.press(k);
    if (s.waitB) await page.waitForFunction(() => /^[0-9a-f]{16}$/.test(document.querySelector('[data-testid="compare-hash"]')?.textContent ?? ''), null, { timeout: 180_000 });
    if (s.at !== undefined) await page.evaluate((t) => window.kafkasimViz.seekTime(t), s.at);
    if (s.end) await page.keyboard.press('End');
    if (s.why) await page.getByTestId('why-button').first().click();
    if (s.steps) await s.steps(page);
    await page.waitForTimeout(600);
    await page.screenshot({ path: join(OUT, s.file) });
    console.log(`wrote docs/screenshots/${s.file}`);
    await page.close();
  }
} finally {
  await browser.close();
  await server.close();
}
