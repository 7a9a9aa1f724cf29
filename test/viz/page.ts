/**
 * The visualizer in a real browser, for the browser tests: serves the app built once for the test run
 * (build-once.ts, the browser project's globalSetup) on 127.0.0.1 and opens Debian's chromium (headless,
 * a fresh profile) with playwright-core.
 *
 * Needs /usr/bin/chromium (`apt-get install -y chromium`); fails with a clear message without it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { serve } from '../../bench/static-server.js';
import { buildApp } from './build-app.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** Longest a page may take to show what a test waits for: a bound against hangs on a busy machine, not a speed check. */
export const WAIT = 120_000;
export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

export interface OpenPage {
  page: Page;
  /** The served app's base URL (open `${base}/index.html?...`). */
  base: string;
  /** A temp dir of this page's own, for the files a test writes (removed on close). */
  out: string;
  /** Uncaught errors in the page. */
  errors: string[];
  /** Content-Security-Policy violations the page reported (directive and blocked URI). */
  csp: string[];
  close(): Promise<void>;
}

/** Opens the app on its default scenario and waits until that run's trace hash is shown. */
export async function openDefaultRun(opened: OpenPage): Promise<void> {
  await opened.page.goto(`${opened.base}/index.html`);
  await opened.page.waitForFunction(() => /^[0-9a-f]{16}$/.test(document.querySelector('[data-testid="trace-hash"]')?.textContent ?? ''), null, { timeout: WAIT });
}

export async function openPage(): Promise<OpenPage> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} not found: the browser tests need Debian's chromium (apt-get update && apt-get install -y chromium)`);
  }
  const out = mkdtempSync(join(tmpdir(), 'kafkasim-files-'));
  const profile = mkdtempSync(join(tmpdir(), 'kafkasim-chromium-'));
  // The run's shared build; a file run without the browser project's globalSetup builds its own.
  const shared = inject('vizBuild');
  const app = shared ?? mkdtempSync(join(tmpdir(), 'kafkasim-viz-'));
  let server: Server | undefined;
  let ctx: BrowserContext | undefined;
  const close = async (): Promise<void> => {
    await ctx?.close();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    rmSync(out, { recursive: true, force: true });
    if (!shared) rmSync(app, { recursive: true, force: true });
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    if (!shared) await buildApp(app);
    const s = await serve(app);
    server = s.server;
    ctx = await chromium.launchPersistentContext(profile, { executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1440, height: 900 } });
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    const csp: string[] = [];
    await page.exposeFunction('__cspViolation', (v: string) => csp.push(v));
    await page.addInitScript(() => {
      document.addEventListener('securitypolicyviolation', (e) => {
        (window as unknown as { __cspViolation: (v: string) => void }).__cspViolation(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
      });
    });
    return { page, base: s.url, out, errors, csp, close };
  } catch (e) {
    await close();
    throw e;
  }
}

/**
 * Clicks the cluster view's link between nodes a and b (either order) where it is clearest: the point along
 * it farthest from every other link and node, as a user would aim. Returns the point (svg coordinates).
 */
export async function clickLink(page: Page, a: string, b: string, within = '#cluster'): Promise<{ x: number; y: number }> {
  const found = await page.evaluate(
    ([sel, a, b]) => {
      const svg = document.querySelector(`${sel} svg`)!;
      const lines = [...svg.querySelectorAll('line.link')].map((l) => ({
        id: l.getAttribute('data-link')!,
        x1: Number(l.getAttribute('x1')),
        y1: Number(l.getAttribute('y1')),
        x2: Number(l.getAttribute('x2')),
        y2: Number(l.getAttribute('y2')),
      }));
      const me = lines.find((l) => l.id === `${a}|${b}` || l.id === `${b}|${a}`)!;
      const dist = (px: number, py: number, l: (typeof lines)[number]): number => {
        const dx = l.x2 - l.x1;
        const dy = l.y2 - l.y1;
        const t = Math.max(0, Math.min(1, ((px - l.x1) * dx + (py - l.y1) * dy) / (dx * dx + dy * dy)));
        return Math.hypot(px - (l.x1 + t * dx), py - (l.y1 + t * dy));
      };
      let best = { x: 0, y: 0, clear: -1 };
      for (let k = 1; k < 50; k++) {
        const x = me.x1 + ((me.x2 - me.x1) * k) / 50;
        const y = me.y1 + ((me.y2 - me.y1) * k) / 50;
        const clear = Math.min(...lines.filter((l) => l !== me).map((l) => dist(x, y, l)));
        if (clear > best.clear) best = { x, y, clear };
      }
      const r = svg.getBoundingClientRect();
      return { x: best.x, y: best.y, sx: r.x + best.x, sy: r.y + best.y };
    },
    [within, a, b] as const,
  );
  await page.mouse.click(found.sx, found.sy);
  return { x: found.x, y: found.y };
}
