/**
 * The partition view during a reassignment (KIP-455), in a real browser: a trace file of a run that adds a
 * broker, reassigns a partition onto it under a throttle and adds partitions is opened; while the
 * reassignment runs, the new replica is marked adding ("+", and its badge says adding until it is in the ISR) and the old one removing ("−");
 * once it completes the partition has its target replicas, the added partitions have blocks and the new
 * broker is in the cluster view. Screenshots go to test-results/screenshots/ (look at them).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScenario } from '../../sim/scenario/parse.js';
import { createSimulation } from '../../sim/run/simulation.js';
import { ArraySink, toNdjson, type TraceEvent } from '../../sim/trace/index.js';
import { openDefaultRun, openPage, type OpenPage, ROOT, WAIT } from './page.js';

const SCENARIO = `name: reassign-view
duration: 16s
cluster: { brokers: 3, config: { min.insync.replicas: 2, replica.fetch.max.bytes: 65536 } }
topics: [{ name: t, partitions: 2, replication.factor: 3 }]
producers: [{ name: p1, topic: t, rate: 200/s, recordSize: 1KB, keys: { uniform: 100 }, config: { acks: all, metadata.max.age.ms: 1000 } }]
faults:
  - { at: 1s, addBroker: 4 }
  - { at: 4s, reassign: { t-0: [4, 2, 3] }, throttle: 200KB/s }
  - { at: 12s, createPartitions: t, increaseTo: 3 }
`;

const SHOTS = join(ROOT, 'test-results', 'screenshots');

type Viz = Window & { kafkasimViz: { seekTime(t: number): void } };
type Ev<T extends TraceEvent['type']> = Extract<TraceEvent, { type: T }>;

describe('the partition view shows a reassignment', () => {
  let opened: OpenPage;
  let events: TraceEvent[];

  beforeAll(async () => {
    const sink = new ArraySink();
    createSimulation(parseScenario(SCENARIO, 'reassign-view.yaml'), { sinks: [sink] }).run();
    events = sink.events;
    opened = await openPage();
    await openDefaultRun(opened);
    const file = join(opened.out, 'reassign.ndjson');
    writeFileSync(file, toNdjson(events));
    await opened.page.getByTestId('file').setInputFiles(file);
    mkdirSync(SHOTS, { recursive: true });
  });

  afterAll(async () => {
    await opened?.close();
  });

  it('marks the adding and removing replicas while it runs, and shows the target replicas after', async () => {
    const { page } = opened;
    await expect.poll(() => page.getByTestId('partition-t-0').count(), { timeout: WAIT }).toBe(1);
    const [start, done] = events.filter((e): e is Ev<'reassign'> => e.type === 'reassign');
    expect(done!.t - start!.t).toBeGreaterThan(1_000_000); // throttled: a second at least to look at
    const seek = (t: number) => page.evaluate((v) => (window as unknown as Viz).kafkasimViz.seekTime(v), t);
    const block = page.getByTestId('partition-t-0');

    // Seek again on every try: under load the file's run may still be settling (and move the cursor) after its first frame shows.
    const mid = start!.t + (done!.t - start!.t) / 2;
    await expect
      .poll(
        async () => {
          await seek(mid);
          return block.getAttribute('data-adding');
        },
        { timeout: WAIT },
      )
      .toBe('4');
    expect(await block.getAttribute('data-removing')).toBe('1');
    const adding = page.getByTestId('replica-t-0-b4');
    expect(await adding.getAttribute('data-reassign')).toBe('adding');
    expect(await adding.getAttribute('class')).toBe('replica adding');
    expect(await adding.locator('text.rname').textContent()).toBe('b4 +');
    expect(await adding.locator('text.rbadge').textContent()).toBe('adding');
    expect(await page.getByTestId('replica-t-0-b1').getAttribute('data-reassign')).toBe('removing');
    expect(await page.getByTestId('partition-info-t-0').textContent()).toContain('reassigning: adding [4], removing [1]');
    expect(await page.locator('#cluster [data-testid="node-b4"]').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'reassign-running.png') });

    await expect
      .poll(
        async () => {
          await seek(events.at(-1)!.t);
          return block.getAttribute('data-adding');
        },
        { timeout: WAIT },
      )
      .toBe('');
    expect(await page.getByTestId('replica-t-0-b1').count()).toBe(0);
    expect(await block.getAttribute('data-leader')).toBe('4');
    expect(await page.getByTestId('partition-t-2').count()).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'reassign-done.png') });
    expect(opened.errors).toEqual([]);
  });
});
