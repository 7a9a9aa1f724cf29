/**
 * The page against hostile input: damaged trace files, a scenario too big for a tab, and a shared link
 * whose settings make a run no tab can hold (1,000 brokers, RF 1,000). Each gives a one-line message
 * naming the problem, the run shown stays, and the page keeps working.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { traceHeader } from '../trace-header.js';
import { openDefaultRun, openPage, WAIT, type OpenPage } from './page.js';

let opened: OpenPage;
let page: Page;

beforeAll(async () => {
  opened = await openPage();
  page = opened.page;
  await openDefaultRun(opened);
}, 300_000);

afterAll(async () => {
  await opened?.close();
});

const header = (over: Record<string, unknown> = {}) => JSON.stringify({ ...traceHeader(), ...over });

/** Opens `text` as a file in the page and waits for its error message; the run shown must stay. */
async function openBad(name: string, text: string): Promise<string> {
  const hash = await page.getByTestId('trace-hash').textContent();
  await page.getByTestId('file').setInputFiles({ name, mimeType: 'application/octet-stream', buffer: Buffer.from(text) });
  // The message of this file (the one of the file before may still be shown).
  const err = page.locator('#error-text');
  await expect.poll(async () => ((await err.textContent()) ?? '').startsWith(`${name}: `), { timeout: WAIT }).toBe(true);
  const message = (await err.textContent()) ?? '';
  await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toBe(hash);
  return message;
}

describe('the page against hostile input', () => {
  it('refuses damaged trace files with the line and the reason, and keeps the run', async () => {
    expect(await openBad('inf.ndjson', `${header()}\n{"type":"end","t":1e999}\n`)).toBe('inf.ndjson: line 2: "t" of a end event is Infinity (expected a finite number)');
    expect(await openBad('many.ndjson', `${header({ brokers: Array.from({ length: 1_000_000 }, (_, i) => i) })}\n`)).toMatch(
      /^many\.ndjson: line 1: "brokers" of a header event is .* \(expected a list of 1 to 1000 broker ids\)$/,
    );
    expect(await openBad('three.ndjson', `${header({ brokers: 3 })}\n`)).toMatch(/^three\.ndjson: line 1: "brokers" of a header event is 3 /);
    expect(await openBad('future.ndjson', `${header({ schema: 99 })}\n`)).toMatch(/^future\.ndjson: trace schema 99, kafkasim reads schema \d+$/);
    expect(opened.errors).toEqual([]);
  }, 300_000);

  it('refuses a scenario whose memory a tab cannot hold before running it', async () => {
    const yaml = 'name: huge\nduration: 1s\ncluster: { brokers: 3 }\ntopics: [{ name: t, partitions: 200000, replication.factor: 3 }]\n';
    const message = await openBad('huge.yaml', yaml);
    expect(message).toMatch(/^huge\.yaml: this scenario needs about 1\.\d GB of memory \(600,000 replicas, .*\); the page has 1\.0 GB; run it with npx kafkasim run FILE --trace out\.ndjson/);
  }, 300_000);

  it('refuses at once the link that took a tab down (1,000 brokers, RF 1,000): its memory', async () => {
    await page.goto(`${opened.base}/index.html?scenario=killed-leader&set=brokers%3D1000%2Creplication.factor%3D1000`);
    await expect
      .poll(() => page.locator('#error-text').textContent(), { timeout: WAIT })
      .toMatch(/^killed-leader[^:]*: this scenario needs about 1\.\d GB of memory \(3,000 replicas, [\d,]+ records in the last two minutes across their replicas\); the page has 1\.0 GB/);
    expect(opened.errors).toEqual([]);
    await openDefaultRun(opened);
  }, 300_000);

  it('stops a run that will pass what the page can hold (1,000 brokers, RF 100), and the run shown stays', async () => {
    const hash = await page.getByTestId('trace-hash').textContent();
    await page.locator('[data-knob="brokers"]').fill('1000');
    await page.locator('[data-knob="replication.factor"]').fill('100');
    await page.getByTestId('knobs-apply').click();
    const err = page.locator('#error-text');
    await expect
      .poll(() => err.textContent(), { timeout: 400_000 })
      .toMatch(
        /^killed-leader[^:]*: this run would make about [\d,]+ trace events \([\d,]+ in its first [\d.]+ s of 70\.0 s\), more than the page can hold \(3,000,000\); run it with npx kafkasim run/,
      );
    await expect.poll(() => page.getByTestId('trace-hash').textContent(), { timeout: WAIT }).toBe(hash);
    // Still working: the settings bar shows the run shown, and a step moves the cursor.
    expect(await page.locator('[data-knob="brokers"]').inputValue()).not.toBe('1000');
    const before = await page.locator('#cursor-index').textContent();
    await page.keyboard.press('ArrowRight');
    await expect.poll(() => page.locator('#cursor-index').textContent()).not.toBe(before);
    expect(opened.errors).toEqual([]);
  }, 600_000);
});
