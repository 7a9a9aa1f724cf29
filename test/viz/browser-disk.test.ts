/**
 * A failed disk in a real browser: scenarios/disk-failure.yaml tells, in the narrative, which partitions
 * broker 2 lost with its disk, the leaders the controller moved at once and why broker 1's high watermark
 * still waited; and the broker menu fails a disk (the broker, with its only disk, halts) and replaces it
 * (the broker starts again). Screenshots go to test-results/screenshots/ (look at them).
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPage, type OpenPage, ROOT, WAIT } from './page.js';

const SHOTS = join(ROOT, 'test-results', 'screenshots');
type Viz = Window & { kafkasimViz: { seekTime(t: number): void } };

describe('a failed disk in the visualizer', () => {
  let opened: OpenPage;

  beforeAll(async () => {
    opened = await openPage();
  });
  afterAll(async () => opened?.close());

  it('narrates scenarios/disk-failure.yaml: the partitions lost with the disk, the leaders moved, the ISRs shrunk', async () => {
    const { page, base } = opened;
    await page.goto(`${base}/index.html?scenario=disk-failure`);
    await page.waitForFunction(() => /^[0-9a-f]{16}$/.test(document.querySelector('[data-testid="trace-hash"]')?.textContent ?? ''), null, { timeout: WAIT });
    await page.evaluate(() => (window as unknown as Viz).kafkasimViz.seekTime(15_200_000));
    const items = page.getByTestId('narrative-item');
    await expect.poll(() => items.filter({ hasText: 'fault: failDisk broker 2 /data/2' }).count(), { timeout: WAIT }).toBe(1);
    for (const tp of ['orders-1', 'orders-3', 'orders-5']) {
      await expect
        .poll(() =>
          items
            .filter({ hasText: `broker 2 truncated ${tp} to offset 0` })
            .filter({ hasText: 'the disk of its log directory failed' })
            .count(),
        )
        .toBe(1);
    }
    await expect.poll(() => items.filter({ hasText: 'is in a failed log directory' }).count()).toBe(3);
    // The replica's badge says its disk failed (not only that it left the ISR), until it copies back.
    const badge = page.getByTestId('replica-orders-1-b2').locator('text.rbadge');
    await expect.poll(() => badge.textContent()).toBe('disk failed');
    await page.screenshot({ path: join(SHOTS, 'disk-failure.png') });
    // Broker 2 keeps running on its other disk: its menu replaces the failed one (six actions on a row).
    await page.getByTestId('node-b2').click();
    expect(await page.locator('#fault-actions button').allTextContents()).toEqual(['crash', 'power', 'pause', 'shutdown', 'fail disk', 'replace disk']);
    await page.screenshot({ path: join(SHOTS, 'disk-menu-running.png') });
    await page.locator('#fault-cancel').click();
    await page.evaluate(() => (window as unknown as Viz).kafkasimViz.seekTime(60_000_000));
    await expect.poll(() => badge.textContent()).toBe('ISR');
    expect(opened.errors).toEqual([]);
  });

  it('disk-failure-metadata-dir: the broker whose metadata log disk failed is drawn halted, and the narrative says why', async () => {
    const { page, base } = opened;
    await page.goto(`${base}/index.html?scenario=disk-failure-metadata-dir`);
    await page.waitForFunction(() => /^[0-9a-f]{16}$/.test(document.querySelector('[data-testid="trace-hash"]')?.textContent ?? ''), null, { timeout: WAIT });
    await page.evaluate(() => (window as unknown as Viz).kafkasimViz.seekTime(16_000_000));
    const b2 = page.getByTestId('node-b2');
    await expect.poll(() => b2.getAttribute('data-state'), { timeout: WAIT }).toBe('crashed');
    await expect.poll(() => b2.locator('text.sub').textContent()).toBe('halted (disk failed)');
    const why = page.getByTestId('narrative-item').filter({ hasText: 'broker 2 halted: the failed disk held its metadata log' });
    await expect.poll(() => why.count()).toBe(1);
    // Halted, with a failed disk: the menu restarts it (refused until the disk is replaced) or replaces the disk.
    await b2.click();
    expect(await page.locator('#fault-actions button').allTextContents()).toEqual(['restart', 'replace disk']);
    await page.screenshot({ path: join(SHOTS, 'disk-metadata-dir.png') });
    await page.locator('#fault-cancel').click();
    await page.evaluate(() => (window as unknown as Viz).kafkasimViz.seekTime(24_000_000));
    await expect.poll(() => b2.locator('text.sub').textContent()).toBe('halted, fenced');
    expect(opened.errors).toEqual([]);
  });

  it('the broker menu fails a disk (the broker halts) and replaces it (the broker starts again)', async () => {
    const { page, base } = opened;
    await page.goto(`${base}/index.html?scenario=killed-leader&seed=7`);
    await page.waitForFunction(() => /^[0-9a-f]{16}$/.test(document.querySelector('[data-testid="trace-hash"]')?.textContent ?? ''), null, { timeout: WAIT });
    await page.evaluate(() => (window as unknown as Viz).kafkasimViz.seekTime(50_000_000));
    await page.getByTestId('node-b2').click();
    // No disk of broker 2 failed yet: nothing to replace.
    expect(await page.locator('#fault-actions button').allTextContents()).toEqual(['crash', 'power', 'pause', 'shutdown', 'fail disk']);
    await page.locator('#fault-actions button', { hasText: 'fail disk' }).click();
    const failed = page.getByTestId('narrative-item').filter({ hasText: 'fault: failDisk broker 2' });
    await expect.poll(() => failed.count(), { timeout: WAIT }).toBe(1);
    await page.evaluate(() => (window as unknown as Viz).kafkasimViz.seekTime(50_100_000));
    await expect.poll(() => page.getByTestId('node-b2').getAttribute('data-state')).toBe('crashed');
    await page.evaluate(() => (window as unknown as Viz).kafkasimViz.seekTime(55_000_000));
    await page.getByTestId('node-b2').click();
    expect(await page.locator('#fault-actions button').allTextContents()).toEqual(['restart', 'replace disk']);
    await page.screenshot({ path: join(SHOTS, 'disk-menu.png') });
    await page.locator('#fault-actions button', { hasText: 'replace disk' }).click();
    const replaced = page.getByTestId('narrative-item').filter({ hasText: 'fault: replaceDisk broker 2' });
    await expect.poll(() => replaced.count(), { timeout: WAIT }).toBe(1);
    expect(await replaced.textContent()).not.toContain('rejected');
    await page.evaluate(() => (window as unknown as Viz).kafkasimViz.seekTime(56_000_000));
    await expect.poll(() => page.getByTestId('node-b2').getAttribute('data-state')).toBe('up');
    // Replaced: the menu offers no replacement any more.
    await page.getByTestId('node-b2').click();
    expect(await page.locator('#fault-actions button').allTextContents()).not.toContain('replace disk');
    await page.locator('#fault-cancel').click();
    expect(opened.errors).toEqual([]);
  });
});
