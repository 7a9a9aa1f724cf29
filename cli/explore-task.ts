/**
 * One run of a failure search, as a worker thread (or the main thread, with one worker) does it: the base
 * scenario with a drawn fault schedule and seed, simulated in summary mode (or with its full trace
 * written, for a counterexample), reduced to what the search keeps.
 */
import { applySettings, caseScenario, parseScenario, type FaultStep, type FaultWindow, type RunSummary, type Scenario, type SettingValue, simulate, type Violation } from '../sim/index.js';
import { performance } from 'node:perf_hooks';
import { NdjsonWriter } from './trace-file.js';

export interface RunTask {
  baseText: string;
  baseFile: string;
  steps: FaultStep[];
  seed: number;
  window: FaultWindow;
  /** Write the run's full trace to this NDJSON file. */
  tracePath?: string;
  /** Run this scenario file (a counterexample: the base with the steps, renamed) instead of base + steps. */
  text?: string;
  /** Settings applied to the base first (explore --vary). */
  settings?: Record<string, SettingValue>;
}

export interface RunResult {
  violations: Violation[];
  acked: number;
  lost: number;
  traceHash: string;
  events: number;
  /**
   * Wall time of the run in its thread, ms (Node 20 has no per-thread CPU clock: process.cpuUsage() in a
   * worker counts every thread of the process).
   */
  runMs: number;
  /** The simulator stopped with an internal error: its message and where (the first stack frames). */
  error?: string;
  /** Whether the liveness checks ran (the run ended quiet and healed for long enough). */
  livenessChecked?: boolean;
}

/** Parsed bases by text: a worker parses its base once. */
const bases = new Map<string, Scenario>();

function baseOf(task: RunTask): Scenario {
  const text = task.settings === undefined ? task.baseText : applySettings(task.baseText, task.settings);
  let base = bases.get(text);
  if (base === undefined) {
    base = parseScenario(text, task.baseFile);
    bases.set(text, base);
  }
  return base;
}

/** An internal error of the simulator in one line: its message and where (the first stack frames). */
export function internalErrorText(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  return (e.stack ?? e.message)
    .split('\n')
    .slice(0, 4)
    .map((l) => l.trim())
    .join(' ');
}

/** A run; an internal error of the simulator is a result too (the search reports and shrinks it). */
export function runTask(task: RunTask): RunResult {
  const start = performance.now();
  try {
    return simulateTask(task, start);
  } catch (e) {
    const error = internalErrorText(e);
    return { violations: [], acked: 0, lost: 0, traceHash: '', events: 0, runMs: performance.now() - start, error };
  }
}

function simulateTask(task: RunTask, start: number): RunResult {
  const scenario = task.text !== undefined ? parseScenario(task.text, task.baseFile) : caseScenario(baseOf(task), task.steps, task.window);
  const writer = task.tracePath === undefined ? undefined : new NdjsonWriter(task.tracePath);
  let summary: RunSummary;
  try {
    summary = simulate(scenario, writer ? { seed: task.seed, sinks: [writer] } : { seed: task.seed });
  } finally {
    writer?.close();
  }
  if (writer?.error) throw writer.error;
  return {
    violations: summary.violations,
    acked: summary.records.acked,
    lost: summary.records.lostAcked,
    traceHash: summary.traceHash,
    events: summary.events,
    runMs: performance.now() - start,
    livenessChecked: summary.liveness.checked,
  };
}
