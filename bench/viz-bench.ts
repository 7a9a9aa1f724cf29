/**
 * `npm run bench:viz`: the visualizer in a real browser. Prints one JSON object.
 *
 * Builds the page with Vite into a temp dir, serves it on 127.0.0.1 (node:http), drives Debian's chromium
 * (/usr/bin/chromium, headless, fresh profile) with playwright-core. It drives the built page only, as a
 * user would (file input, speed slider, play), and reads `window.kafkasimViz.state` for readiness.
 *
 * - fps: bench/viz-6x24.yaml (6 brokers, 24 partitions, RF 3, a crash and restart of a leader) opened
 *   with the file input and run in the page's worker; its trace hash must equal the CLI's. Then it plays
 *   from 13 s at ×2 (every frame advances the cursor by ~33 ms simulated, ~900 trace events), and a
 *   requestAnimationFrame loop in the page records frame timestamps over 5 s after 1 s of warm-up
 *   (covering the crash at 15 s and the elections at 23 s). Median fps and 5th-percentile fps (the slow
 *   frames: 1000 / 95th-percentile frame interval). Target 60.
 * - loadIndex1M: the CLI writes an NDJSON trace of bench/heavy.yaml cut to 20 s (≥ 1,000,000 events);
 *   measured from setInputFiles until the page shows the trace hash (it does so after the worker has
 *   parsed and hashed the file and the main thread has indexed every event: keyframes, narrative,
 *   series). The page's hash must equal the CLI's. Target < 3 s.
 *
 * Headless chromium with --disable-gpu renders in software; that is what this measures.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import type { Server } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { serve } from './static-server.js';
import { chromium, type Page } from 'playwright-core';
import { build } from 'vite';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];
const FPS_SCENARIO = join(ROOT, 'bench/viz-6x24.yaml');
const HEAVY = join(ROOT, 'bench/heavy.yaml');
const HEAVY_DURATION = '20s';
const WARMUP_MS = 1000;
const MEASURE_MS = 5000;
const PLAY_FROM_US = 13_000_000;
const SPEED_LOG = Math.log10(2);
const run = promisify(execFile);

interface CliRun {
  traceHash: string;
  events: number;
}

/** `kafkasim run --json` (exit 1 when an expect: block fails still prints the summary). */
async function cli(args: string[]): Promise<CliRun> {
  let stdout: string;
  try {
    stdout = (await run(process.execPath, [join(ROOT, 'bin/kafkasim.js'), 'run', ...args, '--json'], { cwd: ROOT, maxBuffer: 256 << 20 })).stdout;
  } catch (e) {
    stdout = (e as { stdout?: string }).stdout ?? '';
    if (!stdout.startsWith('{')) throw e;
  }
  const j = JSON.parse(stdout) as CliRun;
  return { traceHash: j.traceHash, events: j.events };
}

const round = (x: number, d = 1): number => Math.round(x * 10 ** d) / 10 ** d;

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** The page's state, as exposed for tests. */
interface VizState {
  done: boolean;
  hash: string;
  runMs: number;
  playing: boolean;
  cursorI: number;
  cursorT: number;
  source?: { name: string; kind: string };
  model: { index: { length: number } };
}
type VizWindow = Window & { kafkasimViz: { state: VizState; seekTime(t: number): void } };

/** Waits until the page has finished loading `name` (the trace hash is shown) and returns its hash. */
async function waitLoaded(page: Page, name: string, timeoutMs: number): Promise<string> {
  await page.waitForFunction(
    (n) => {
      const s = (window as unknown as VizWindow).kafkasimViz?.state;
      return s?.done === true && s.source?.name === n && /^[0-9a-f]{16}$/.test(document.getElementById('trace-hash')?.textContent ?? '');
    },
    name,
    { timeout: timeoutMs, polling: 50 },
  );
  return (await page.locator('#trace-hash').textContent()) ?? '';
}

interface FrameRecord {
  stamps: number[];
  changed: number;
  frames: number;
  playing: boolean;
  t0: number;
  t1: number;
  longTasks: number[];
}

/** Runs in the page: a requestAnimationFrame loop that stamps every frame for `dur` ms after `warm` ms. */
function recordFrames({ warm, dur }: { warm: number; dur: number }): Promise<FrameRecord> {
  return new Promise<FrameRecord>((resolve) => {
    const s = (window as unknown as VizWindow).kafkasimViz.state;
    const stamps: number[] = [];
    const longTasks: number[] = [];
    let changed = 0;
    let frames = 0;
    let lastI = -1;
    let start = -1;
    let t0 = 0;
    const po =
      typeof PerformanceObserver !== 'undefined' && PerformanceObserver.supportedEntryTypes?.includes('longtask')
        ? new PerformanceObserver((l) => {
            for (const e of l.getEntries()) if (start >= 0 && e.startTime >= start + warm) longTasks.push(e.duration);
          })
        : undefined;
    po?.observe({ type: 'longtask' });
    const loop = (now: number): void => {
      if (start < 0) start = now;
      if (now - start >= warm) {
        if (stamps.length === 0) t0 = s.cursorT;
        stamps.push(now);
        frames++;
        if (s.cursorI !== lastI) changed++;
      }
      lastI = s.cursorI;
      if (now - start < warm + dur && s.playing) requestAnimationFrame(loop);
      else {
        po?.disconnect();
        resolve({ stamps, changed, frames, playing: s.playing, t0, t1: s.cursorT, longTasks });
      }
    };
    requestAnimationFrame(loop);
  });
}

async function measureFps(page: Page, cliRun: CliRun): Promise<Record<string, unknown>> {
  const t0 = performance.now();
  await page.locator('#file').setInputFiles(FPS_SCENARIO);
  const hash = await waitLoaded(page, 'viz-6x24.yaml', 180_000);
  const runSec = (performance.now() - t0) / 1000;
  const events = await page.evaluate(() => (window as unknown as VizWindow).kafkasimViz.state.model.index.length);

  await page.evaluate((t) => (window as unknown as VizWindow).kafkasimViz.seekTime(t), PLAY_FROM_US);
  await page.locator('#speed').fill(String(SPEED_LOG));
  // Where the main thread's time goes while playing (Chrome's Performance domain, seconds, cumulative).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const metrics = async (): Promise<Record<string, number>> =>
    Object.fromEntries(((await cdp.send('Performance.getMetrics')) as { metrics: Array<{ name: string; value: number }> }).metrics.map((x) => [x.name, x.value]));
  await page.locator('#play').click();
  await page.waitForTimeout(WARMUP_MS);
  const m0 = await metrics();
  const r = await page.evaluate(recordFrames, { warm: 0, dur: MEASURE_MS });
  const m1 = await metrics();
  await page.locator('#play').click();
  await cdp.detach();
  const perFrameMs = (k: string): number => round(((m1[k] - m0[k]) * 1000) / Math.max(1, r.frames), 1);
  const dts = r.stamps
    .slice(1)
    .map((x, k) => x - r.stamps[k])
    .sort((a, b) => a - b);
  const medianDt = quantile(dts, 0.5);
  const p95Dt = quantile(dts, 0.95);
  const spanMs = r.stamps.length > 1 ? r.stamps[r.stamps.length - 1] - r.stamps[0] : NaN;
  const median = 1000 / medianDt;
  const p5 = 1000 / p95Dt;
  return {
    scenario: 'bench/viz-6x24.yaml',
    events,
    traceHashMatchesCli: hash === cliRun.traceHash,
    runInPageSec: round(runSec, 2),
    speed: `×${round(10 ** SPEED_LOG, 2)} (simulated s per s)`,
    simulatedUs: [Math.round(r.t0), Math.round(r.t1)],
    measuredMs: round(spanMs, 0),
    frames: dts.length,
    framesWhereCursorMoved: r.changed,
    medianFps: round(median),
    p5Fps: round(p5),
    meanFps: round((dts.length / spanMs) * 1000),
    frameMs: { median: round(medianDt, 2), p95: round(p95Dt, 2), max: round(dts[dts.length - 1] ?? NaN, 2) },
    longTasksOver50ms: r.longTasks.length,
    // Chrome's Performance.getMetrics over the measured window, per frame: main-thread busy time (task),
    // of which script, style recalculation and layout; the rest is paint recording, GC and other work.
    mainThreadMsPerFrame: { task: perFrameMs('TaskDuration'), script: perFrameMs('ScriptDuration'), recalcStyle: perFrameMs('RecalcStyleDuration'), layout: perFrameMs('LayoutDuration') },
    domNodes: m1.Nodes,
    target: 60,
    // A frame interval within 10 % of 16.7 ms counts as 60 fps (rAF is vsync-aligned; jitter aside).
    medianMeetsTarget: median >= 54,
    p5MeetsTarget: p5 >= 54,
  };
}

async function measureLoad(page: Page, file: string, cliRun: CliRun, bytes: number): Promise<Record<string, unknown>> {
  // In-page marks: the input's change event, and the trace hash being filled.
  await page.evaluate(() => {
    const w = window as unknown as { __bench: Record<string, number> };
    w.__bench = {};
    document.getElementById('file')!.addEventListener('change', () => (w.__bench.change = performance.now()), { capture: true, once: true });
    const status = document.getElementById('status')!;
    const mo = new MutationObserver(() => {
      const txt = status.textContent ?? '';
      if (w.__bench.firstEvents === undefined && /events…$/.test(txt)) w.__bench.firstEvents = performance.now();
      const h = document.getElementById('trace-hash')!.textContent ?? '';
      if (w.__bench.hash === undefined && w.__bench.change !== undefined && /^[0-9a-f]{16}$/.test(h) && /events in/.test(txt)) w.__bench.hash = performance.now();
    });
    mo.observe(document.getElementById('trace-hash')!, { childList: true, characterData: true, subtree: true });
    mo.observe(status, { childList: true, characterData: true, subtree: true });
  });
  const name = file.replace(/^.*\//, '');
  const t0 = performance.now();
  await page.locator('#file').setInputFiles(file);
  const hash = await waitLoaded(page, name, 120_000);
  const sec = (performance.now() - t0) / 1000;
  const marks = await page.evaluate(() => ({
    ...(window as unknown as { __bench: { change: number; firstEvents: number; hash: number } }).__bench,
    workerMs: (window as unknown as VizWindow).kafkasimViz.state.runMs,
    events: (window as unknown as VizWindow).kafkasimViz.state.model.index.length,
  }));
  return {
    trace: `bench/heavy.yaml --set duration=${HEAVY_DURATION} (NDJSON, ${round(bytes / 2 ** 20, 1)} MiB)`,
    events: marks.events,
    eventsCli: cliRun.events,
    traceHashMatchesCli: hash === cliRun.traceHash,
    seconds: round(sec, 2),
    inPage: {
      changeToHashShownSec: round((marks.hash - marks.change) / 1000, 2),
      changeToFirstChunkSec: round((marks.firstEvents - marks.change) / 1000, 2),
      workerReadParseHashSec: round(marks.workerMs / 1000, 2),
    },
    target: '< 3 s',
    meetsTarget: sec < 3,
  };
}

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (apt-get install -y chromium)`);
  const tmp = mkdtempSync(join(tmpdir(), 'kafkasim-vizbench-'));
  const out = join(tmp, 'site');
  const profile = join(tmp, 'profile');
  const heavyTrace = join(tmp, 'heavy-1m.ndjson');
  let server: Server | undefined;
  let close: (() => Promise<void>) | undefined;
  try {
    // The CLI runs meanwhile: the 1M-event trace file, and the 6x24 scenario's hash to check the page's.
    const heavyRun = cli([HEAVY, '--set', `duration=${HEAVY_DURATION}`, '--trace', heavyTrace]);
    const fpsRun = cli([FPS_SCENARIO]);
    heavyRun.catch(() => undefined);
    fpsRun.catch(() => undefined);
    await build({ root: ROOT, configFile: join(ROOT, 'vite.config.ts'), logLevel: 'error', build: { outDir: out, emptyOutDir: true } });
    const s = await serve(out);
    server = s.server;
    const ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1440, height: 900 } });
    close = () => ctx.close();
    const version = ctx.browser()?.version() ?? (await run(CHROMIUM, ['--version'])).stdout.trim();
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${s.url}/index.html`);
    await waitLoaded(page, 'killed-leader', 60_000);

    const heavy = await heavyRun;
    if (heavy.events < 1_000_000) throw new Error(`heavy trace has only ${heavy.events} events`);
    const loadIndex1M = await measureLoad(page, heavyTrace, heavy, statSync(heavyTrace).size);
    const fps = await measureFps(page, await fpsRun);

    const result = {
      browser: `chromium ${version}`,
      headless: true,
      gpu: false,
      note: 'headless chromium with --disable-gpu (software rendering, no display vsync); a desktop browser with a GPU may differ',
      viewport: '1440x900',
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? '', node: process.version },
      fps,
      loadIndex1M,
      pageErrors: errors,
    };
    console.log(JSON.stringify(result, null, 2));
  } finally {
    await close?.();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
