/**
 * The page tells the truth about what it runs: the default run is the CLI's run of the same file (same
 * seed, same hash), a file opened runs with its own seed, the settings bar shows the values in force (the
 * scenario's, or its Kafka version's defaults) after every open and shared link, a progress bar shows the
 * simulation while it runs, playback starts at a speed that reaches the first fault soon, and menus speak
 * of "producer p1", never the trace's `p:p1`.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clickLink, openPage, ROOT, type OpenPage, WAIT } from './page.js';

const exec = promisify(execFile);

/** `kafkasim run FILE [args] --json`'s trace hash (the run's expect: block is not this test's business). */
async function cliHash(file: string, ...args: string[]): Promise<string> {
  const r = await exec(process.execPath, [join(ROOT, 'bin/kafkasim.js'), 'run', file, '--no-expect', '--json', ...args], { cwd: ROOT, maxBuffer: 64 << 20 });
  return (JSON.parse(r.stdout) as { traceHash: string }).traceHash;
}

/** A small scenario on Kafka 0.10 defaults, with its own seed, brokers and rate. */
const OPENED = `name: opened
seed: 3
duration: 6s
cluster:
  kafkaVersion: "0.10"
  brokers: 5
topics:
  - { name: orders, partitions: 2, replication.factor: 3 }
producers:
  - { name: p1, topic: orders, rate: 300/s, keys: { uniform: 10 } }
faults:
  - { at: 2s, crash: broker 2 }
`;

const knob = (page: Page, k: string) => page.locator(`[data-knob="${k}"]`);
const hashShown = (page: Page) => page.getByTestId('trace-hash').textContent();

describe('the page tells the truth', () => {
  let opened: OpenPage | undefined;
  let page: Page;
  let base: string;
  const defaultHash = cliHash(join(ROOT, 'scenarios/killed-leader.yaml'));
  defaultHash.catch(() => undefined);

  beforeAll(async () => {
    opened = await openPage();
    ({ page, base } = opened);
    // Whether the progress bar was ever shown (it may come and go between two polls).
    await page.addInitScript(() => {
      new MutationObserver(() => {
        const el = document.getElementById('loading');
        if (el !== null && !el.hidden && el.querySelector('progress')?.max) (window as unknown as { sawProgress: boolean }).sawProgress = true;
      }).observe(document, { subtree: true, attributes: true, attributeFilter: ['hidden'] });
    });
  });

  afterAll(async () => {
    await opened?.close();
  });

  it('the default run is `kafkasim run scenarios/killed-leader.yaml`: its seed, its hash; npm start opens it', async () => {
    const start = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } }).scripts.start;
    const opens = new URLSearchParams(/'\/\?([^']*)'/.exec(start)?.[1] ?? '');
    expect(opens.get('scenario')).toBe('killed-leader');
    expect(opens.get('seed') ?? '1').toBe('1');
    await page.goto(`${base}/index.html?${opens}`);
    await expect.poll(() => hashShown(page), { timeout: WAIT }).toMatch(/^[0-9a-f]{16}$/);
    expect(await hashShown(page)).toBe(await defaultHash);
    expect(await page.getByTestId('seed').inputValue()).toBe('1');
    // While it ran, a progress bar of simulated time; gone once done.
    expect(await page.evaluate(() => (window as unknown as { sawProgress?: boolean }).sawProgress)).toBe(true);
    expect(await page.getByTestId('loading').isVisible()).toBe(false);
    // The restart at 40 s (and the second after it) plays within 8 s: ×5.
    expect(await page.locator('#speed-label').textContent()).toBe('×5.0');
  });

  it('the settings bar shows the scenario values and, greyed, the defaults of its Kafka version', async () => {
    expect(await knob(page, 'brokers').inputValue()).toBe('3');
    expect(await knob(page, 'rate').inputValue()).toBe('1000/s');
    expect(await knob(page, 'min.insync.replicas').inputValue()).toBe('2');
    const unclean = knob(page, 'unclean.leader.election.enable');
    expect(await unclean.inputValue()).toBe('');
    expect(await unclean.getAttribute('placeholder')).toBe('false');
    expect(await unclean.getAttribute('data-source')).toBe('default');
    expect(await unclean.getAttribute('title')).toMatch(/^default \(4\.1\)/);
    expect(await knob(page, 'replica.lag.time.max.ms').getAttribute('placeholder')).toBe('30000');
  });

  it('a file opened runs with its own seed (the CLI hash) and the settings bar shows its values, refreshed', async () => {
    const file = join(opened!.out, 'opened.yaml');
    writeFileSync(file, OPENED);
    const want = await cliHash(file);
    await page.getByTestId('seed').fill('7');
    await page.getByTestId('file').setInputFiles(file);
    await expect.poll(() => hashShown(page), { timeout: WAIT }).toBe(want);
    expect(await page.getByTestId('seed').inputValue()).toBe('3');
    expect(await knob(page, 'brokers').inputValue()).toBe('5');
    expect(await knob(page, 'rate').inputValue()).toBe('300/s');
    expect(await knob(page, 'min.insync.replicas').getAttribute('placeholder')).toBe('1');
    const unclean = knob(page, 'unclean.leader.election.enable');
    expect(await unclean.getAttribute('placeholder')).toBe('true');
    expect(await unclean.getAttribute('title')).toMatch(/^default \(0\.10\)/);
    expect(await knob(page, 'acks').getAttribute('placeholder')).toBe('1');
    expect(await knob(page, 'replica.lag.time.max.ms').getAttribute('placeholder')).toBe('10000');
  });

  it('a shared link that carries the whole scenario shows its settings too', async () => {
    await expect.poll(() => page.url()).toMatch(/[?&]src=[\w-]+/);
    const link = page.url();
    const hash = await hashShown(page);
    await page.goto('about:blank');
    await page.goto(link);
    await expect.poll(() => hashShown(page), { timeout: WAIT }).toBe(hash);
    expect(await knob(page, 'brokers').inputValue()).toBe('5');
    expect(await knob(page, 'rate').inputValue()).toBe('300/s');
    expect(await knob(page, 'unclean.leader.election.enable').getAttribute('placeholder')).toBe('true');
    expect(await page.getByTestId('seed').inputValue()).toBe('3');
  });

  it('Apply runs a changed setting; the bar then shows it as the value in force', async () => {
    const before = await hashShown(page);
    await knob(page, 'unclean.leader.election.enable').fill('false');
    await page.getByTestId('knobs-apply').click();
    await expect.poll(() => hashShown(page), { timeout: WAIT }).not.toBe(before);
    await expect.poll(() => hashShown(page), { timeout: WAIT }).toMatch(/^[0-9a-f]{16}$/);
    expect(await knob(page, 'unclean.leader.election.enable').inputValue()).toBe('false');
    expect(await knob(page, 'unclean.leader.election.enable').getAttribute('data-source')).toBe('scenario');
    expect(await knob(page, 'brokers').inputValue()).toBe('5');
    // A setting the scenario refuses: an error, and the bar goes back to the run still shown.
    const shown = await hashShown(page);
    await knob(page, 'brokers').fill('0');
    await page.getByTestId('knobs-apply').click();
    await expect.poll(() => page.getByTestId('error').isVisible(), { timeout: WAIT }).toBe(true);
    await expect.poll(() => knob(page, 'brokers').inputValue()).toBe('5');
    expect(await hashShown(page)).toBe(shown);
  });

  it('the narrative puts a fault before its effects, and menus name clients as the scenario does', async () => {
    const items = await page.getByTestId('narrative-item').locator('.text').allTextContents();
    const fault = items.indexOf('fault: crash broker 2');
    expect(fault).toBeGreaterThanOrEqual(0);
    expect(items[fault + 1]).toMatch(/^broker 2 crashed/);
    // The error of the refused setting above lies over the cluster view (it may show up late on a busy
    // machine): dismiss it, click the link, and again until the menu opens.
    await expect
      .poll(
        async () => {
          if (await page.getByTestId('error').isVisible()) await page.locator('#error-close').click();
          if (!(await page.locator('#fault-menu').isVisible())) await clickLink(page, 'p:p1', 'b1');
          return page.locator('#fault-menu').isVisible();
        },
        { timeout: WAIT },
      )
      .toBe(true);
    const menu = `${await page.locator('#fault-title').textContent()} ${(await page.locator('#fault-actions button').allTextContents()).join(' | ')}`;
    expect(menu).toContain('producer p1');
    expect(menu).not.toMatch(/\b[pc]:/);
    await page.locator('#fault-cancel').click();
    for (const t of items) expect(t).not.toMatch(/\b[pc]:\w/);
  });
});
