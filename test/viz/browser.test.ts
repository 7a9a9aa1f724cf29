/**
 * The visualizer in a real browser: builds the app with Vite into a temp dir, serves it on 127.0.0.1,
 * drives Debian's chromium with playwright-core, and checks the run of killed-leader with seed 7: the
 * page's trace hash equals the CLI's, the election shows the new leader and the shrunk ISR, stepping
 * back shows the state before, a broken file shows an error and the page keeps working. Saves
 * screenshots to test-results/screenshots/ (look at them); the ones the README and docs show are made by
 * `npm run screenshots` (docs/screenshots/make.mjs).
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); fails with a clear message without it.
 */
import { execFile } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRACE_SCHEMA_VERSION } from '../../sim/trace/index.js';
import { clickLink, openPage, ROOT, type OpenPage, WAIT } from './page.js';

/** A whole header (the reader checks its fields), so a broken trace fails on its second line. */
const BAD_TRACE_HEADER = `{"type":"header","t":0,"schema":${TRACE_SCHEMA_VERSION},"scenario":"x","seed":1,"kafkaVersion":"4.1","controller":"kraft","sessionTimeoutMs":9000,"truncation":"divergingEpoch","durationUs":10,"brokers":[1],"topics":[],"producers":[],"consumers":[]}`;

const SHOTS = join(ROOT, 'test-results', 'screenshots');
const run = promisify(execFile);

/** The CLI's trace hash for a scenario and seed (`kafkasim run --json`; it exits 1 when an expect: fails). */
async function cliHashOf(scenario: string, seed: number, extra: string[] = []): Promise<string> {
  const args = [join(ROOT, 'bin/kafkasim.js'), 'run', join(ROOT, `scenarios/${scenario}.yaml`), '--seed', String(seed), '--json', ...extra];
  let stdout: string;
  try {
    stdout = (await run(process.execPath, args, { cwd: ROOT, maxBuffer: 64 << 20 })).stdout;
  } catch (e) {
    stdout = (e as { stdout?: string }).stdout ?? '';
    if (!stdout.startsWith('{')) throw e;
  }
  return (JSON.parse(stdout) as { traceHash: string }).traceHash;
}

describe('visualizer in chromium', () => {
  let opened: OpenPage | undefined;
  let out: string;
  let base: string;
  let page: Page;
  let cliHash: Promise<string>;
  let pageErrors: string[] = [];

  beforeAll(async () => {
    // The CLI's hash for the same scenario and seed, computed meanwhile (needs `npm run build:cli`).
    cliHash = cliHashOf('killed-leader', 7);
    cliHash.catch(() => undefined);
    opened = await openPage();
    ({ page, base, out, errors: pageErrors } = opened);
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await opened?.close();
  });

  const partition = (tp: string) => page.getByTestId(`partition-${tp}`);

  it('runs killed-leader (seed 7) in the worker with the CLI trace hash', async () => {
    await page.goto(`${base}/index.html?scenario=killed-leader&seed=7`);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toMatch(/^[0-9a-f]{16}$/);
    const hash = await page.getByTestId('trace-hash').textContent();
    expect(hash).toBe(await cliHash);
    expect(await page.getByTestId('status').textContent()).toMatch(/events in/);
    // At the start: b1 leads orders-0 with the full ISR.
    expect(await partition('orders-0').getAttribute('data-leader')).toBe('1');
    await expect.poll(() => page.getByTestId('checks').textContent()).toMatch(/^checks: all 7 pass/);
    await page.screenshot({ path: join(SHOTS, 'start.png') });
    // The page declares a Content-Security-Policy (no inline or foreign script) and lives within it.
    expect(await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute('content')).toContain("script-src 'self'");
    expect(opened!.csp).toEqual([]);
  });

  it('at the election shows the new leader and the shrunk ISR', async () => {
    const item = page.getByTestId('narrative-item').filter({ hasText: 'orders-0: leader 1 → 2' });
    await expect.poll(() => item.count()).toBe(1);
    expect(await item.getAttribute('data-kind')).toBe('election');
    await item.click();
    const p = partition('orders-0');
    await expect.poll(() => p.getAttribute('data-leader')).toBe('2');
    expect(await p.getAttribute('data-isr')).toBe('2,3');
    expect(await p.getAttribute('data-epoch')).toBe('1');
    expect(await page.getByTestId('partition-info-orders-0').textContent()).toContain('leader b2 · epoch 1 · ISR [2,3]');
    await expect.poll(() => page.getByTestId('node-b1').getAttribute('data-state')).toBe('crashed');
    expect(await page.getByTestId('current-event').textContent()).toMatch(/election tp=orders-0 leader=2 prevLeader=1 epoch=1 clean=true/);
    expect(await page.getByTestId('replica-orders-0-b1').getAttribute('data-in-isr')).toBe('false');
    expect(await page.getByTestId('cursor-time').textContent()).toMatch(/^17\.0\d\d s/);
    await page.screenshot({ path: join(SHOTS, 'election.png') });
    await page.keyboard.press('t');
    await page.screenshot({ path: join(SHOTS, 'election-whole-log.png') });
    await page.keyboard.press('t');
    // The URL reproduces the run and the cursor.
    await expect.poll(() => page.url()).toMatch(/[?&]scenario=killed-leader&seed=7&at=\d+/);
    // Opening that link gives the same run at the same event.
    const link = page.url();
    await page.goto('about:blank');
    await page.goto(link);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toBe(await cliHash);
    await expect.poll(() => page.getByTestId('current-event').textContent()).toMatch(/election tp=orders-0 leader=2/);
    expect(await partition('orders-0').getAttribute('data-isr')).toBe('2,3');
  });

  it('stepping back shows the earlier state', async () => {
    await page.keyboard.press('ArrowLeft'); // the fence
    await expect.poll(() => page.getByTestId('current-event').textContent()).toMatch(/fence broker=1 fenced=true reason=sessionTimeout/);
    expect(await partition('orders-0').getAttribute('data-leader')).toBe('1');
    await page.getByTestId('step-back').click(); // before the fence
    const p = partition('orders-0');
    expect(await p.getAttribute('data-leader')).toBe('1');
    expect(await p.getAttribute('data-isr')).toBe('1,2,3');
    expect(await p.getAttribute('data-epoch')).toBe('0');
    await page.screenshot({ path: join(SHOTS, 'before-election.png') });
    await page.keyboard.press('ArrowRight');
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => p.getAttribute('data-leader')).toBe('2');
  });

  it('plays: messages in flight move between nodes', async () => {
    await page.evaluate(() => (window as unknown as { kafkasimViz: { seekTime(t: number): void } }).kafkasimViz.seekTime(30_000_000));
    await page.locator('#speed').fill('-2.5');
    const before = await page.locator('#cursor-index').textContent();
    await page.keyboard.press(' ');
    // However slowly frames come on a busy machine, playing moves the cursor.
    await expect.poll(() => page.locator('#cursor-index').textContent(), { timeout: WAIT }).not.toBe(before);
    await page.keyboard.press(' ');
    await expect.poll(() => page.locator('#cluster circle.msg').count(), { timeout: WAIT }).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'messages.png') });
    await page.locator('#speed').fill('-1');
  });

  it('a broken scenario file shows a clear error and the page keeps working', async () => {
    const hash = await page.getByTestId('trace-hash').textContent();
    await page.getByTestId('file').setInputFiles({ name: 'broken.yaml', mimeType: 'text/yaml', buffer: Buffer.from('name: broken\ncluster:\n  brokers: three\n') });
    const err = page.getByTestId('error');
    await expect.poll(() => err.isVisible(), { timeout: WAIT }).toBe(true);
    const text = (await err.textContent()) ?? '';
    expect(text).toMatch(/^broken\.yaml: /);
    expect(text).toContain('cluster.brokers');
    await page.screenshot({ path: join(SHOTS, 'error.png') });
    // Still the previous run, still seekable.
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toBe(hash);
    await page.keyboard.press('End');
    await expect.poll(() => partition('orders-0').getAttribute('data-isr')).toBe('2,3,1');
    // Dropped on the page (drag and drop) rather than picked: the same.
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['name: dropped\ncluster:\n  brokers: 0\n'], 'dropped.yaml', { type: 'text/yaml' }));
      window.dispatchEvent(new DragEvent('dragenter', { dataTransfer: dt }));
      window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt }));
    });
    await expect.poll(() => err.textContent(), { timeout: WAIT }).toMatch(/^dropped\.yaml: cluster\.brokers/);
    expect(await page.locator('#drop').isVisible()).toBe(false);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toBe(hash);
    // A broken trace file too.
    await page.getByTestId('file').setInputFiles({ name: 'bad.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(`${BAD_TRACE_HEADER}\n{oops\n`) });
    await expect.poll(() => err.textContent(), { timeout: WAIT }).toMatch(/^bad\.ndjson: line 2: not JSON/);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toBe(hash);
  });

  it('opens an NDJSON trace written by the CLI, with the same hash', async () => {
    const file = join(out, 'power-loss.ndjson');
    let hash: string;
    try {
      hash = (
        JSON.parse(
          (await run(process.execPath, [join(ROOT, 'bin/kafkasim.js'), 'run', join(ROOT, 'scenarios/power-loss.yaml'), '--seed', '5', '--json', '--trace', file], { cwd: ROOT, maxBuffer: 64 << 20 }))
            .stdout,
        ) as { traceHash: string }
      ).traceHash;
    } catch (e) {
      hash = (JSON.parse((e as { stdout: string }).stdout) as { traceHash: string }).traceHash;
    }
    await page.getByTestId('file').setInputFiles(file);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toBe(hash);
    expect(await page.locator('#scenario option:checked').textContent()).toBe('power-loss.ndjson (trace)');
    expect(await page.getByTestId('error').isVisible()).toBe(false);
    await page.getByTestId('narrative-item').filter({ hasText: 'broker 3 lost power' }).click();
    await expect.poll(() => page.getByTestId('node-b3').getAttribute('data-state')).toBe('crashed');
    await page.goto(`${base}/index.html?scenario=killed-leader&seed=7`);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toBe(await cliHash);
  });

  it('clicking a broker injects a fault at the cursor time and runs again', async () => {
    const hash = await page.getByTestId('trace-hash').textContent();
    await page.evaluate(() => (window as unknown as { kafkasimViz: { seekTime(t: number): void } }).kafkasimViz.seekTime(50_000_000));
    await page.getByTestId('node-b2').click();
    await page.locator('#fault-actions button', { hasText: 'crash' }).first().click();
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).not.toBe(hash);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toMatch(/^[0-9a-f]{16}$/);
    expect(await page.locator('#scenario option:checked').textContent()).toContain('(edited)');
    const fault = page.getByTestId('narrative-item').filter({ hasText: 'fault: crash broker 2' });
    await expect.poll(() => fault.count()).toBe(1);
    expect(await fault.locator('.when').textContent()).toMatch(/^50\.00\d s/);
    await fault.click();
    await expect.poll(() => page.getByTestId('node-b2').getAttribute('data-state')).toBe('crashed');
    await page.screenshot({ path: join(SHOTS, 'injected-fault.png') });
    // The edited scenario is in the URL whole: the link reproduces the run, clicked fault included.
    const edited = await page.getByTestId('trace-hash').textContent();
    await expect.poll(() => page.url()).toMatch(/[?&]name=killed-leader\+%28edited%29&seed=7&at=\d+&src=[\w-]+$/);
    const link = page.url();
    await page.goto('about:blank');
    await page.goto(link);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toBe(edited);
    expect(await page.locator('#scenario option:checked').textContent()).toBe('killed-leader (edited)');
    await expect.poll(() => page.getByTestId('cursor-time').textContent()).toMatch(/^50\.00\d s/);
    expect(await page.getByTestId('narrative-item').filter({ hasText: 'fault: crash broker 2' }).count()).toBe(1);
    // A damaged link says so and opens the default scenario.
    await page.goto(`${base}/index.html?name=x&src=AAAA`);
    await expect.poll(() => page.getByTestId('error').textContent()).toMatch(/^link: the scenario in this link is damaged/);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toMatch(/^[0-9a-f]{16}$/);
    expect(await page.getByTestId('scenario-picker').inputValue()).toBe('killed-leader');
    await page.goto(link);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toBe(edited);
  });

  it('clicking a link cuts it at the cursor time', async () => {
    const hash = await page.getByTestId('trace-hash').textContent();
    await page.evaluate(() => (window as unknown as { kafkasimViz: { seekTime(t: number): void } }).kafkasimViz.seekTime(55_000_000));
    // The link between broker 1 and the controller, where it is clear of the other links.
    await clickLink(page, 'b1', 'ctl');
    await page.getByTestId('link-cut-both-ways').click();
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).not.toBe(hash);
    const fault = page.getByTestId('narrative-item').filter({ hasText: /fault: partition/ });
    await expect.poll(() => fault.count(), { timeout: WAIT }).toBe(1);
    await fault.click();
    await expect.poll(() => page.getByTestId('cut-link').count()).toBeGreaterThan(0);
  });

  it('compare mode: a second run at the same simulated time', async () => {
    const cli8 = cliHashOf('acks1-leader-loss', 8);
    cli8.catch(() => undefined);
    await page.goto(`${base}/index.html?scenario=killed-leader&seed=7&cmp=acks1-leader-loss&cmpseed=8`);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toBe(await cliHash);
    await expect.poll(() => page.getByTestId('compare-hash').textContent(), { timeout: WAIT }).toBe(await cli8);
    await page.getByTestId('narrative-item').filter({ hasText: 'orders-0: leader 1 → 2' }).click();
    const b = page.getByTestId('compare');
    // acks1-leader-loss at the same time (17 s): b1 is partitioned away and crashed, not yet fenced.
    // The title first: at 0 s b1 leads orders-0 too, so the leader alone does not show that B has moved.
    await expect.poll(() => b.locator('#cmp-title').textContent(), { timeout: WAIT }).toMatch(/^acks1-leader-loss · seed 8 · at 17\.0\d\d s/);
    expect(await b.locator('[data-testid="partition-orders-0"]').getAttribute('data-leader')).toBe('1');
    expect(await b.getByTestId('compare-item').count()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'compare.png') });
  });

  it('compare mode: the same scenario and faults with acks=1 against acks=all, and where outcomes first differ', async () => {
    // The CLI's run of acks1-leader-loss with acks=all: what B must be.
    const args = [join(ROOT, 'bin/kafkasim.js'), 'run', join(ROOT, 'scenarios/acks1-leader-loss.yaml'), '--seed', '3', '--json', '--producer-property', 'acks=all'];
    const cliAll = run(process.execPath, args, { maxBuffer: 64 << 20 }).then(
      (r) => (JSON.parse(r.stdout) as { traceHash: string }).traceHash,
      (e: { stdout?: string }) => (JSON.parse(e.stdout ?? '{}') as { traceHash: string }).traceHash,
    );
    await page.goto(`${base}/index.html?scenario=acks1-leader-loss&seed=3&cmp=acks1-leader-loss&cmpseed=3&cmpset=acks%3Dall`);
    await expect.poll(() => page.getByTestId('compare-hash').textContent(), { timeout: WAIT }).toBe(await cliAll);
    expect(await page.getByTestId('compare-settings').inputValue()).toBe('acks=all');
    await expect.poll(() => page.getByTestId('compare-diff').textContent(), { timeout: WAIT }).toMatch(/^outcomes first differ at \d+\.\d{3} s/);
    await page.getByTestId('compare-diff').click();
    await page.screenshot({ path: join(SHOTS, 'compare-acks.png') });
  });

  it('compare mode by default: the same scenario, seed and faults with the other acks; B follows faults clicked into A', async () => {
    const cliAll = cliHashOf('acks1-leader-loss', 3, ['--producer-property', 'acks=all']);
    cliAll.catch(() => undefined);
    await page.goto(`${base}/index.html?scenario=acks1-leader-loss&seed=3`);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toMatch(/^[0-9a-f]{16}$/);
    await page.keyboard.press('b');
    expect(await page.getByTestId('compare-picker').inputValue()).toBe('__same');
    expect(await page.getByTestId('compare-settings').inputValue()).toBe('acks=all');
    await expect.poll(() => page.getByTestId('compare-hash').textContent(), { timeout: WAIT }).toBe(await cliAll);
    await expect.poll(() => page.url()).toMatch(/[?&]cmp=same&cmpset=acks%3Dall/);
    expect(await page.locator('#a-title').textContent()).toBe('acks1-leader-loss [acks=1] · seed 3');
    // B's markers in their own lane on the timeline, and the first difference marked there.
    expect(await page.locator('[data-testid="timeline-lane-b"] line').count()).toBeGreaterThan(3);
    await expect.poll(() => page.getByTestId('compare-diff').textContent(), { timeout: WAIT }).toMatch(/^outcomes first differ at \d+\.\d{3} s/);
    const diffAt = Number(/at (\d+\.\d{3}) s/.exec((await page.getByTestId('compare-diff').textContent()) ?? '')![1]);
    expect(await page.getByTestId('timeline-diff').getAttribute('display')).toBeNull();
    await page.getByTestId('timeline-diff-line').click({ force: true });
    await expect.poll(async () => Number.parseFloat((await page.getByTestId('cursor-time').textContent()) ?? '')).toBeCloseTo(diffAt, 2);
    // A fault clicked into A is in B too.
    const bHash = await page.getByTestId('compare-hash').textContent();
    await page.evaluate(() => (window as unknown as { kafkasimViz: { seekTime(t: number): void } }).kafkasimViz.seekTime(50_000_000));
    await page.locator('#cluster').getByTestId('node-b2').click();
    await page.locator('#fault-actions button', { hasText: 'crash' }).first().click();
    await expect.poll(() => page.getByTestId('compare-hash').textContent(), { timeout: WAIT }).not.toBe(bHash);
    await expect.poll(() => page.getByTestId('compare-hash').textContent(), { timeout: WAIT }).toMatch(/^[0-9a-f]{16}$/);
    await expect.poll(() => page.locator('[data-testid="timeline-lane-b"] title').filter({ hasText: 'fault: crash broker 2' }).count()).toBe(1);
    await expect.poll(() => page.locator('[data-testid="timeline-lane-a"] title').filter({ hasText: 'fault: crash broker 2' }).count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'compare-same.png') });
    await page.keyboard.press('b');
    expect(await page.getByTestId('compare').isVisible()).toBe(false);
    // killed-leader (seed 5) under acks=1 tells the same story as under acks=all; the end counts say what differs.
    await page.goto(`${base}/index.html?scenario=killed-leader&seed=5&cmp=same&cmpset=acks%3D1`);
    await expect.poll(() => page.getByTestId('compare-diff').textContent(), { timeout: WAIT }).toMatch(/^the two runs tell the same story; at the end: .*reordered A 0 · B \d+/);
  });

  it('help overlay, large type and the unclean election scenario', async () => {
    await page.keyboard.press('?');
    expect(await page.getByTestId('help').isVisible()).toBe(true);
    await page.screenshot({ path: join(SHOTS, 'help.png') });
    await page.keyboard.press('Escape');
    expect(await page.getByTestId('help').isVisible()).toBe(false);

    await page.goto(`${base}/index.html?scenario=unclean-election-loss&seed=7`);
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toMatch(/^[0-9a-f]{16}$/);
    const trunc = page.getByTestId('narrative-item').filter({ has: page.locator('.text', { hasText: /: LOST$/ }) });
    await trunc.first().click();
    await expect.poll(() => partition('orders-0').getAttribute('data-lost')).not.toBe('0');
    // The checks (computed from the trace) flag it, on the timeline too; a violation is a link to its time.
    expect(await page.getByTestId('checks').textContent()).toMatch(/^checks: \d+ violation\(s\) of .*leader-completeness/);
    expect(await page.getByTestId('timeline-violation').count()).toBeGreaterThan(0);
    await page
      .getByTestId('check-violation')
      .filter({ hasText: /leader-completeness \(orders-0\): leader \d \(elected at epoch 1\)/ })
      .click();
    await expect.poll(() => page.getByTestId('cursor-time').textContent()).toMatch(/^107\.00\d s/);
    await trunc.first().click();
    await page.screenshot({ path: join(SHOTS, 'unclean-loss.png') });
    // Why were they lost? From the narrative line's button, then from the lost range in the partition view.
    await trunc.first().getByTestId('why-button').click();
    const why = page.getByTestId('why');
    await expect.poll(() => why.isVisible()).toBe(true);
    expect(await page.locator('#why-title').textContent()).toMatch(/^Why \d+ acknowledged record\(s\) of orders-0 \(offsets \d+–\d+, leader epoch 0\) were lost$/);
    const steps = page.getByTestId('why-step');
    expect(await steps.first().getAttribute('data-kind')).toBe('write');
    expect(await steps.last().getAttribute('data-kind')).toBe('lost');
    expect(await steps.filter({ hasText: 'UNCLEAN' }).count()).toBe(1);
    expect(await page.getByTestId('why-lessons').textContent()).toContain('unclean.leader.election.enable=true');
    await page.screenshot({ path: join(SHOTS, 'why-lost.png') });
    // A step is a link into the run: the unclean election.
    await steps.filter({ hasText: 'UNCLEAN' }).click();
    await expect.poll(() => page.getByTestId('current-event').textContent()).toMatch(/ election tp=orders-0 .*clean=false/);
    await page.keyboard.press('Escape');
    expect(await why.isVisible()).toBe(false);
    await page.keyboard.press('End');
    await page.locator('#partitions .losttext').click();
    await expect.poll(() => why.isVisible()).toBe(true);
    expect(await steps.last().getAttribute('data-kind')).toBe('lost');
    await page.getByRole('button', { name: 'close' }).click();
    await page.keyboard.press('l');
    await page.screenshot({ path: join(SHOTS, 'large-type.png') });
    await page.keyboard.press('l');
    expect(pageErrors).toEqual([]);
  });
});
