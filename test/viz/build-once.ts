/**
 * The browser project's globalSetup: builds the app with Vite once per test run, into a temp dir that
 * every browser test file serves (page.ts), instead of one build per file. Removed at the end of the run.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildApp } from './build-app.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The app built once for this run (see build-once.ts); page.ts serves it. */
    vizBuild: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const dir = mkdtempSync(join(tmpdir(), 'kafkasim-viz-'));
  try {
    await buildApp(dir);
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  project.provide('vizBuild', dir);
  return () => rmSync(dir, { recursive: true, force: true });
}
