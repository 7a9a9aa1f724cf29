/**
 * What a scenario teaches, in a real browser: its title, question, short answer and description beside
 * the run; the picker grouped as the docs are; compare mode (b) showing what the scenario names to
 * compare it with, a question's two sides side by side, B following the file opened, and the same story
 * told in neutral words and colour.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/parse.js';
import { openDefaultRun, openPage, type OpenPage, ROOT, WAIT } from './page.js';

const scenario = (path: string) => parseScenario(readFileSync(join(ROOT, 'scenarios', `${path}.yaml`), 'utf8'), path);
const HASH = /^[0-9a-f]{16}$/;

describe('the story of a scenario', () => {
  let opened: OpenPage;

  beforeAll(async () => {
    opened = await openPage();
    await openDefaultRun(opened);
  });

  afterAll(async () => {
    await opened?.close();
  });

  it('shows the title and the description beside the run, and a picker grouped as the docs are', async () => {
    const { page } = opened;
    const killed = scenario('killed-leader');
    expect(await page.getByTestId('story-title').textContent()).toBe(killed.title);
    expect(await page.getByTestId('story-description').textContent()).toBe(killed.description.trim());
    expect(await page.getByTestId('story-description').isVisible()).toBe(true);
    expect(await page.getByTestId('story-qa').isVisible()).toBe(false);
    // The panel sits beside the cluster view, not over it.
    const story = (await page.getByTestId('story').boundingBox())!;
    const cluster = (await page.locator('#cluster').boundingBox())!;
    expect(story.x).toBeGreaterThanOrEqual(cluster.x + cluster.width);
    const groups = await page
      .getByTestId('scenario-picker')
      .locator('optgroup')
      .evaluateAll((gs) => gs.map((g) => (g as HTMLOptGroupElement).label));
    expect(groups[0]).toBe('Getting started');
    expect(groups).toContain('Q3. acks=all and I still lost data? What does min.insync.replicas do?');
    expect(groups).toContain('Known failure: KIP-966');
    const entry = page.getByTestId('scenario-picker').locator('option[value="catalog/kip101-hw-truncation-0.10"]');
    expect(await entry.textContent()).toBe(scenario('catalog/kip101-hw-truncation-0.10').title);
    expect(await entry.evaluate((o) => (o.parentElement as HTMLOptGroupElement).label)).toBe('Known failure: KIP-101');
  });

  it('b compares the scenario with the setting it is about, not the same story under other acks', async () => {
    const { page } = opened;
    await page.keyboard.press('b');
    expect(await page.getByTestId('compare-picker').inputValue()).toBe('__same');
    expect(await page.getByTestId('compare-settings').inputValue()).toBe('min.insync.replicas=3');
    await expect.poll(() => page.getByTestId('compare-hash').textContent(), { timeout: WAIT }).toMatch(HASH);
    await expect.poll(() => page.getByTestId('compare-diff').textContent(), { timeout: WAIT }).toMatch(/^outcomes first differ at .*NOT_ENOUGH_REPLICAS/);
    await expect.poll(() => page.getByTestId('compare-story').textContent(), { timeout: WAIT }).toContain('with min.insync.replicas=3');
    await page.keyboard.press('b');
  });

  it("a question's side opens beside its other side, with the question and its short answer", async () => {
    const { page } = opened;
    const one = scenario('questions/q03-acks-all-lost-data-min-isr-1');
    const two = scenario('questions/q03-acks-all-lost-data-min-isr-2');
    await page.getByTestId('scenario-picker').selectOption('questions/q03-acks-all-lost-data-min-isr-1');
    await expect.poll(() => page.getByTestId('story-title').textContent(), { timeout: WAIT }).toBe(one.title);
    await expect.poll(() => page.getByTestId('story-question').textContent(), { timeout: WAIT }).toBe(one.question);
    await expect.poll(() => page.getByTestId('story-answer').textContent(), { timeout: WAIT }).toBe(one.answer!.trim());
    expect(await page.getByTestId('compare').isVisible()).toBe(true);
    await expect.poll(() => page.getByTestId('compare-picker').inputValue(), { timeout: WAIT }).toBe('questions/q03-acks-all-lost-data-min-isr-2');
    expect(await page.getByTestId('compare-settings').inputValue()).toBe('');
    await expect.poll(() => page.getByTestId('compare-hash').textContent(), { timeout: WAIT }).toMatch(HASH);
    // B's story follows B's run, which may come in after its hash: wait for it.
    await expect.poll(() => page.getByTestId('compare-story').textContent(), { timeout: WAIT }).toBe(`${two.title} ${two.answer!.trim()}`);
    await expect.poll(() => page.url()).toMatch(/[?&]cmp=questions%2Fq03-acks-all-lost-data-min-isr-2/);
    // B is the other file as the CLI runs it (its own seed).
    await expect.poll(() => page.locator('#cmp-title').textContent(), { timeout: WAIT }).toMatch(/^q03-acks-all-lost-data-min-isr-2 · seed 1 /);
  });

  it('in compare mode B follows the file opened, from the picker or from disk', async () => {
    const { page } = opened;
    await page.getByTestId('scenario-picker').selectOption('acks1-leader-loss');
    await expect.poll(() => page.getByTestId('compare-settings').inputValue()).toBe('acks=all');
    expect(await page.getByTestId('compare-picker').inputValue()).toBe('__same');
    await expect.poll(() => page.locator('#cmp-title').textContent(), { timeout: WAIT }).toMatch(/^acks1-leader-loss \[acks=all\] · seed 1 /);
    const text = readFileSync(join(ROOT, 'scenarios/questions/q10-unclean-election-on.yaml'));
    await page.getByTestId('file').setInputFiles({ name: 'mine.yaml', mimeType: 'text/yaml', buffer: text });
    await expect.poll(() => page.getByTestId('compare-picker').inputValue(), { timeout: WAIT }).toBe('questions/q10-unclean-election-off');
    await expect.poll(() => page.locator('#cmp-title').textContent(), { timeout: WAIT }).toMatch(/^q10-unclean-election-off · seed 1 /);
    // A's story follows A's run, which may come in after B's title: wait for it.
    await expect.poll(() => page.getByTestId('story-question').textContent(), { timeout: WAIT }).toBe(scenario('questions/q10-unclean-election-on').question);
  });

  it('the same story in both runs is said in neutral words and colour, not as an error', async () => {
    const { page, base } = opened;
    await page.goto(`${base}/index.html?scenario=killed-leader&seed=5&cmp=same&cmpset=acks%3D1`);
    const diff = page.getByTestId('compare-diff');
    await expect.poll(() => diff.textContent(), { timeout: WAIT }).toMatch(/^the two runs tell the same story/);
    const colour = await diff.evaluate((el) => getComputedStyle(el).color);
    const muted = await page.locator('#cmp-title').evaluate((el) => getComputedStyle(el).color);
    expect(colour).toBe(muted);
    expect(await page.getByTestId('error').isVisible()).toBe(false);
    expect(opened.errors).toEqual([]);
  });
});
