/**
 * Consumer groups in a real browser at 1280×720: the crash of one member of three (consumer-crash-rebalance)
 * opened as a file. Before the rebalance the cluster view draws the three members of group billing with
 * their partitions and names the coordinator; during it the members show paused; after it the two left
 * share the six partitions, the groups panel shows the generation before and after, the pause and the
 * records received again; the partitions view hides __consumer_offsets but the coordinating partition. The
 * coordinator is read from the trace (the `coordinator` event that created the group), never assumed.
 * Worker threads that auto-commit what they have not processed (q14-auto-commit-worker-threads): the
 * records the group skipped are marked on the leader's log, told in the groups panel and the narrative.
 * Screenshots go to test-results/screenshots/ (look at them).
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/parse.js';
import { createSimulation, simulate } from '../../sim/run/simulation.js';
import { ArraySink, toNdjson } from '../../sim/trace/index.js';
import { COORDINATOR_CRASH, CRASH_REBALANCE } from './fixtures/crash-rebalance.js';
import { openPage, type OpenPage, ROOT, WAIT } from './page.js';

const SHOTS = join(ROOT, 'test-results', 'screenshots');

type Viz = Window & {
  kafkasimViz: { state: { done: boolean; cursorI: number; source?: { name: string }; model: { index: { events: Array<{ t: number; type: string }> } } }; seekIndex(i: number): void };
};

describe('consumer groups in the page', () => {
  let opened: OpenPage;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    opened = await openPage();
    const { page, base, out } = opened;
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto(`${base}/index.html`);
    const file = join(out, 'consumer-crash-rebalance.yaml');
    writeFileSync(file, CRASH_REBALANCE);
    await page.getByTestId('file').setInputFiles(file);
    await page.waitForFunction(
      () => {
        const s = (window as unknown as Partial<Viz>).kafkasimViz?.state;
        return s?.done === true && document.querySelector('#run-title')?.textContent?.startsWith('consumer-crash-rebalance') === true;
      },
      null,
      { timeout: WAIT },
    );
  });

  afterAll(async () => {
    await opened?.close();
  });

  /** The index of the first (or last) event of the loaded trace that `pred` (source text of a function of e) accepts. */
  const indexOf = (pred: string, last = false): Promise<number> =>
    opened.page.evaluate(
      ([src, last]) => {
        const events = (window as unknown as Viz).kafkasimViz.state.model.index.events;
        const f = new Function('e', `return (${src})`) as (e: unknown) => boolean;
        if (!last) return events.findIndex(f);
        for (let i = events.length - 1; i >= 0; i--) if (f(events[i])) return i;
        return -1;
      },
      [pred, last] as const,
    );

  const seekIndex = async (i: number): Promise<void> => {
    const { page } = opened;
    await page.evaluate((i) => (window as unknown as Viz).kafkasimViz.seekIndex(i), i);
    await expect.poll(() => page.evaluate(() => (window as unknown as Viz).kafkasimViz.state.cursorI)).toBe(i);
  };

  /** A field of the loaded trace's event i. */
  const field = (i: number, name: string): Promise<unknown> =>
    opened.page.evaluate(([i, name]) => ((window as unknown as Viz).kafkasimViz.state.model.index.events[i] as unknown as Record<string, unknown>)[name], [i, name] as const);
  /** The broker that coordinates group billing from its creation (the first `coordinator` event names it). */
  const firstCoordinator = async (): Promise<number> => Number(await field(await indexOf("e.type === 'coordinator' && e.group === 'billing'"), 'broker'));

  const attr = (id: string, name: string) => opened.page.getByTestId(id).getAttribute(name);
  const member = (name: string) => opened.page.locator(`[data-testid="group-panel-billing"] tr[data-member="${name}"]`);

  async function shoot(name: string): Promise<void> {
    const { page } = opened;
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
    await page.locator('#cluster').screenshot({ path: join(SHOTS, `${name}-cluster.png`) });
    await page.getByTestId('groups').screenshot({ path: join(SHOTS, `${name}-panel.png`) });
  }

  it('before the rebalance: three members with two partitions each, the crashed one still owning its own; the coordinator is named', async () => {
    const coord = await firstCoordinator();
    const other = [1, 2, 3].find((b) => b !== coord)!;
    const removal = await indexOf("e.type === 'group' && e.state === 'PreparingRebalance' && e.generation === 1");
    expect(removal).toBeGreaterThan(0);
    await seekIndex(removal - 1);
    await expect.poll(() => attr('group-billing', 'data-state')).toBe('Stable');
    expect(await attr('group-billing', 'data-generation')).toBe('1');
    expect(await attr('group-billing', 'data-coordinator')).toBe(String(coord));
    expect(await attr(`node-b${coord}`, 'data-coordinator-of')).toBe('billing');
    expect(await attr(`node-b${other}`, 'data-coordinator-of')).toBe('');
    expect(await attr('node-c:app-1', 'data-partitions')).toBe('orders-0,orders-1');
    expect(await attr('node-c:app-2', 'data-partitions')).toBe('orders-2,orders-3');
    expect(await attr('node-c:app-3', 'data-partitions')).toBe('orders-4,orders-5');
    expect(await attr('node-c:app-2', 'data-state')).toBe('crashed');
    expect(await attr('node-c:app-1', 'data-state')).toBe('processing');
    const head = await opened.page.locator('[data-testid="group-panel-billing"] [data-testid="group-head"]').textContent();
    expect(head).toMatch(new RegExp(`^group billing · Stable · generation 1 · coordinator broker ${coord} \\(__consumer_offsets-9\\)`));
    expect(await member('app-2').locator('[data-col="state"]').textContent()).toMatch(/^down since 15\.000 s: orders-2,3 unread for 7\.0 s$/);
    await shoot('groups-before');
  });

  it('during the rebalance: the members gave up their partitions and show paused', async () => {
    const revoke = await indexOf("e.type === 'assignment' && e.revoked.length > 0", true);
    await seekIndex(revoke);
    await expect.poll(() => attr('node-c:app-1', 'data-state')).toBe('paused');
    expect(await attr('node-c:app-3', 'data-state')).toBe('paused');
    expect(await attr('node-c:app-1', 'data-partitions')).toBe('');
    expect(await attr('node-c:app-2', 'data-state')).toBe('crashed');
    expect(await opened.page.getByTestId('node-c:app-1').locator('text.sub').textContent()).toBe('revoked orders-0,1');
    expect(await opened.page.locator('[data-testid="group-billing"] text.grouplabel').textContent()).toBe('billing · gen 1 · rebalancing');
    expect(await opened.page.locator('[data-testid="group-billing"] text.coordlabel').textContent()).toBe(`coordinator b${await firstCoordinator()}`);
    for (const name of ['app-1', 'app-3']) {
      expect(await member(name).getAttribute('data-state')).toBe('paused');
      expect(await member(name).locator('[data-col="state"]').textContent()).toMatch(/^paused \d+ ms: gave up orders-/);
    }
    expect(await opened.page.locator('[data-testid="group-panel-billing"] [data-testid="group-head"]').textContent()).toMatch(/rebalancing \(PreparingRebalance\)/);
    await expect.poll(() => opened.page.getByTestId('partition-info-orders-0').textContent()).toMatch(/ · billing: being reassigned, committed \d+$/);
    await shoot('groups-during');
  });

  it('after: two members share the six partitions; the generation before is shown beside; the pause and the redelivered records are told', async () => {
    const stable2 = await indexOf("e.type === 'group' && e.state === 'Stable' && e.generation === 2");
    const seekTo = await indexOf(`e.t >= 30000000`);
    expect(seekTo).toBeGreaterThan(stable2);
    await seekIndex(seekTo);
    await expect.poll(() => attr('node-c:app-1', 'data-partitions')).toBe('orders-0,orders-1,orders-2');
    expect(await attr('node-c:app-3', 'data-partitions')).toBe('orders-3,orders-4,orders-5');
    expect(await attr('group-billing', 'data-generation')).toBe('2');
    expect(await attr('node-c:app-1', 'data-state')).toBe('processing');
    const row = async (name: string) => Promise.all(['before', 'now', 'state'].map((c) => member(name).locator(`[data-col="${c}"]`).textContent()));
    expect(await row('app-1')).toEqual(['orders-0,1', 'orders-0,1,2', expect.stringMatching(/^reading \(paused \d+ ms at 24\.0 s\)$/)]);
    expect(await row('app-2')).toEqual(['orders-2,3', '—', 'down since 15.000 s, removed']);
    expect(await row('app-3')).toEqual(['orders-4,5', 'orders-3,4,5', expect.stringMatching(/^reading \(paused \d+ ms/)]);
    expect(await opened.page.locator('[data-testid="group-panel-billing"] [data-testid="group-last-rebalance"]').textContent()).toBe(' · last rebalance 2.0 s (22.001 s → generation 2)');
    const red = opened.page.locator('[data-testid="group-panel-billing"] [data-testid="group-redelivered"]');
    expect(await red.getAttribute('data-records')).toBe('1320');
    expect(await red.textContent()).toBe('received again so far: 1,320 record(s) (orders-3 1681..2303, orders-2 1930..2626)');
    expect(await opened.page.locator('[data-testid="group-panel-billing"] [data-testid="group-checks"]').textContent()).toBe('whole run (checks): redelivered 1,320 · duplicated 0 · skipped 0');
    // The partitions view tells who reads each partition, the committed offset and what was received again.
    await expect.poll(() => opened.page.getByTestId('partition-info-orders-2').textContent()).toMatch(/ · billing: app-1, committed \d+, 697 received again \(1930\.\.2626\)$/);
    expect(await opened.page.getByTestId('partition-info-orders-3').textContent()).toMatch(/ · billing: app-3, committed \d+, 623 received again \(1681\.\.2303\)$/);
    const texts = await opened.page.getByTestId('narrative-item').allTextContents();
    expect(texts.some((x) => /orders-2 went unconsumed for 9\.0 s: app-2 crashed at 15\.000 s/.test(x))).toBe(true);
    const id = await field(await indexOf("e.type === 'assignment' && e.consumer === 'app-2'"), 'memberId');
    expect(texts.some((x) => x.includes(`member app-2 (${id}) was removed: no heartbeat for session.timeout.ms`))).toBe(true);
    // The whole log: the group's committed offset and the records it received again, marked on the leader's row.
    await opened.page.locator('#window').click();
    await expect.poll(() => opened.page.getByTestId('again-orders-2-billing').count()).toBe(1);
    expect(await opened.page.getByTestId('again-orders-2-billing').locator('title').textContent()).toBe(
      'group billing received 697 record(s) at offsets 1930..2626 again (received before, not committed: at-least-once)',
    );
    expect(await opened.page.getByTestId('committed-orders-2-billing').count()).toBe(1);
    await opened.page.getByTestId('partition-orders-2').scrollIntoViewIfNeeded();
    await opened.page.waitForTimeout(200);
    await opened.page.locator('#partitions').screenshot({ path: join(SHOTS, 'groups-after-whole-log.png') });
    await opened.page.getByTestId('partition-orders-0').scrollIntoViewIfNeeded();
    await opened.page.locator('#window').click();
    await expect.poll(() => opened.page.getByTestId('again-orders-2-billing').count()).toBe(0);
    await shoot('groups-after');
    // Large type (a projector): look at it.
    await opened.page.locator('#large').click();
    await opened.page.waitForTimeout(300);
    await opened.page.screenshot({ path: join(SHOTS, 'groups-after-large.png') });
    await opened.page.locator('#large').click();
    expect(opened.errors).toEqual([]);
  });

  it('the partitions view shows the topic’s six partitions and only the __consumer_offsets partition that coordinates the group', async () => {
    const { page } = opened;
    const blocks = page.locator('#partitions [data-testid^="partition-"]:not([data-testid^="partition-info"])');
    const ids = await blocks.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')));
    expect(ids.slice(0, 6)).toEqual([0, 1, 2, 3, 4, 5].map((p) => `partition-orders-${p}`));
    expect(ids.length).toBe(7);
    expect(ids[6]).toMatch(/^partition-__consumer_offsets-\d+$/);
    const coord = page.getByTestId(ids[6]!);
    expect(await coord.getAttribute('data-coordinator-of')).toBe('billing');
    expect(ids[6]).toBe('partition-__consumer_offsets-9');
    const broker = await firstCoordinator();
    expect(await coord.getAttribute('data-leader')).toBe(String(broker));
    await coord.scrollIntoViewIfNeeded();
    // Drawn once scrolled into view.
    await expect.poll(() => page.getByTestId(`partition-info-${ids[6]!.slice('partition-'.length)}`).textContent()).toMatch(new RegExp(`^coordinator of group billing · leader b${broker}`));
    await page.locator('#partitions').screenshot({ path: join(SHOTS, 'groups-partitions.png') });
    expect(opened.errors).toEqual([]);
  });

  it('a trace file of the same run (no checks summary) shows the same groups and records received again', async () => {
    const { page, out } = opened;
    const sink = new ArraySink();
    const sim = createSimulation(parseScenario(CRASH_REBALANCE, 'consumer-crash-rebalance.yaml'), { sinks: [sink] });
    sim.run();
    const file = join(out, 'crash.ndjson');
    writeFileSync(file, toNdjson(sink.events));
    await page.getByTestId('file').setInputFiles(file);
    // The same run as the scenario's: the same hash; wait for the file's own load to finish.
    await page.waitForFunction(
      () => {
        const s = (window as unknown as Viz).kafkasimViz.state;
        return s.source?.name === 'crash.ndjson' && s.done;
      },
      null,
      { timeout: WAIT },
    );
    expect(await page.getByTestId('trace-hash').textContent()).toBe(sim.trace.hasher.digest());
    await seekIndex(sink.events.length - 1);
    const red = page.locator('[data-testid="group-panel-billing"] [data-testid="group-redelivered"]');
    await expect.poll(() => red.getAttribute('data-records')).toBe('1320');
    expect(await page.locator('[data-testid="group-panel-billing"] [data-testid="group-checks"]').count()).toBe(0);
    expect(await attr('node-c:app-3', 'data-partitions')).toBe('orders-3,orders-4,orders-5');
    expect(opened.errors).toEqual([]);
  });

  it('two groups; the coordinator of billing crashes: the group box’s line and the broker’s label move to the new coordinator', async () => {
    const { page, out } = opened;
    const file = join(out, 'coordinator-crash.yaml');
    writeFileSync(file, COORDINATOR_CRASH);
    await page.getByTestId('file').setInputFiles(file);
    await page.waitForFunction(
      () => {
        const s = (window as unknown as Viz).kafkasimViz.state;
        return s.source?.name === 'coordinator-crash.yaml' && s.done;
      },
      null,
      { timeout: WAIT },
    );
    const first = await firstCoordinator();
    // The crashed broker is the one that created the group.
    expect(await field(await indexOf("e.type === 'fault' && e.verb === 'crash'"), 'targets')).toEqual([`b${first}`]);
    const moved = await indexOf(`e.type === 'coordinator' && e.group === 'billing' && e.loaded && e.broker !== ${first}`);
    expect(moved).toBeGreaterThan(0);
    const broker = Number(await field(moved, 'broker'));
    await seekIndex(moved - 1);
    await expect.poll(() => attr('group-billing', 'data-coordinator')).toBe(String(first));
    expect(await attr(`node-b${first}`, 'data-coordinator-of')).toContain('billing');
    await seekIndex(moved);
    await expect.poll(() => attr('group-billing', 'data-coordinator')).toBe(String(broker));
    expect(await attr(`node-b${broker}`, 'data-coordinator-of')).toContain('billing');
    expect(await attr(`node-b${first}`, 'data-coordinator-of')).not.toContain('billing');
    expect(await page.locator('[data-testid="group-billing"] text.coordlabel').textContent()).toBe(`coordinator b${broker}`);
    // Two groups: two boxes, two panels, and two coordinating partitions in the partitions view.
    expect(await page.locator('[data-testid="groups"] details.grp').count()).toBe(2);
    expect(await page.locator('#partitions [data-testid^="partition-__consumer_offsets-"]').count()).toBe(2);
    await shoot('groups-coordinator-moved');
    expect(opened.errors).toEqual([]);
  });

  it('two groups on one topic: each partition’s info puts the groups on lines of their own inside the view; compared, run B has its own groups panel', async () => {
    const { page } = opened;
    await seekIndex(await indexOf('e.t >= 30000000'));
    // A's orders-0: the info line, then one line per group, all inside the view's width.
    const info = page.getByTestId('partition-info-orders-0');
    await expect.poll(() => info.locator('tspan').count()).toBe(3);
    const lines = await info.locator('tspan').allTextContents();
    expect(lines[0]).toMatch(/^leader b\d · epoch \d+ · ISR /);
    expect(lines.slice(1).map((l) => l.split(':')[0])).toEqual([' · billing', ' · shipping']);
    const fits = () =>
      page.evaluate(() => {
        const svg = document.querySelector('#partitions svg') as SVGSVGElement;
        const width = svg.getBoundingClientRect().right;
        return [...svg.querySelectorAll('text.pinfo')].every((t) => t.getBoundingClientRect().right <= width);
      });
    expect(await fits()).toBe(true);
    // Compare mode: B (the same scenario with the other acks) shows its two groups below its partitions.
    await page.getByTestId('compare-toggle').click();
    await expect.poll(() => page.getByTestId('compare-hash').textContent(), { timeout: WAIT }).toMatch(/^[0-9a-f]{16}$/);
    const b = page.getByTestId('compare-groups');
    await expect.poll(() => b.locator('details.grp').count()).toBe(2);
    expect(await b.locator('[data-testid="group-panel-billing"] [data-testid="group-head"]').textContent()).toMatch(/^group billing · Stable · generation \d+ · coordinator broker \d/);
    expect(await b.locator('[data-testid="group-panel-shipping"] tr[data-member]').count()).toBe(2);
    expect(await page.getByTestId('groups').locator('details.grp').count()).toBe(2);
    // B's partitions carry the groups' notes too.
    await expect.poll(() => page.locator('#cmp-partitions [data-testid="partition-info-orders-0"]').textContent()).toMatch(/· billing: bill-\d.*· shipping: ship-\d/);
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(SHOTS, 'groups-compare.png') });
    // B's column scrolls: its groups panel below its partitions.
    await b.scrollIntoViewIfNeeded();
    await page.waitForTimeout(200);
    await page.getByTestId('compare').screenshot({ path: join(SHOTS, 'groups-compare-b.png') });
    await page.getByTestId('compare-toggle').click();
    expect(opened.errors).toEqual([]);
  });
  it('worker threads commit records they never processed: the records the group skipped are marked on the leader’s log, in its panel and in the narrative', async () => {
    const { page, out } = opened;
    const text = readFileSync(join(ROOT, 'scenarios/questions/q14-auto-commit-worker-threads.yaml'), 'utf8');
    const expected = simulate(parseScenario(text, 'q14-auto-commit-worker-threads.yaml')).skipped;
    expect(expected.length).toBeGreaterThan(0);
    const file = join(out, 'q14-auto-commit-worker-threads.yaml');
    writeFileSync(file, text);
    await page.getByTestId('file').setInputFiles(file);
    await page.waitForFunction(
      () => {
        const s = (window as unknown as Viz).kafkasimViz.state;
        return s.source?.name === 'q14-auto-commit-worker-threads.yaml' && s.done;
      },
      null,
      { timeout: WAIT },
    );
    // The scenario names its other side (processing in the polling thread): A alone here, at the end of the run.
    if ((await page.getByTestId('compare-toggle').getAttribute('aria-pressed')) === 'true') await page.getByTestId('compare-toggle').click();
    await expect.poll(() => page.getByTestId('compare-toggle').getAttribute('aria-pressed')).toBe('false');
    await seekIndex(await indexOf("e.type === 'end'"));
    const panel = page.locator('[data-testid="group-panel-payments"] [data-testid="group-skipped"]');
    const total = expected.reduce((n, r) => n + r.records, 0);
    await expect.poll(() => panel.getAttribute('data-records')).toBe(String(total));
    expect(await panel.textContent()).toBe(
      `skipped (whole run, checks): ${total.toLocaleString('en-US')} record(s) never received, below its final position (${expected.map((r) => `${r.partition} ${r.first}..${r.last}`).join(', ')})`,
    );
    // The whole log: the records skipped, marked on the leader's row apart from those received again.
    await page.locator('#window').click();
    for (const r of expected) {
      const tp = r.partition;
      const mark = page.locator('#partitions').getByTestId(`skipped-${tp}-payments`);
      await expect.poll(() => mark.count()).toBe(1);
      expect(await mark.getAttribute('class')).toBe('gskipped');
      expect(await mark.locator('title').textContent()).toBe(
        `skipped by group payments: ${r.records} record(s), offsets ${r.first}..${r.last} (whole run: below its final position, never received: at-most-once)`,
      );
      await expect.poll(() => page.locator('#partitions').getByTestId(`partition-info-${tp}`).textContent()).toContain(`, ${r.records} skipped (${r.first}..${r.last})`);
    }
    const texts = await page.getByTestId('narrative-item').allTextContents();
    const r0 = expected[0]!;
    expect(texts.some((x) => x.includes(`group payments skipped ${r0.records} record(s) of ${r0.partition} (offsets ${r0.first}..${r0.last}, below its final position ${r0.position})`))).toBe(true);
    await page.locator('#partitions').getByTestId(`partition-${r0.partition}`).scrollIntoViewIfNeeded();
    await page.waitForTimeout(200);
    await page.screenshot({ path: join(SHOTS, 'groups-skipped.png') });
    await page.locator('#partitions').screenshot({ path: join(SHOTS, 'groups-skipped-partitions.png') });
    await page.locator('#window').click();
    expect(opened.errors).toEqual([]);
  });
});
