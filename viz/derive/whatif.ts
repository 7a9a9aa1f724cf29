/**
 * The what-if tab's data, without the DOM: the grid a user asks for (a scenario, an x axis with its values,
 * two or more configurations), checked with the public API's plan settings; and the chart's series, from
 * the points run in the page or from a `kafkasim plan` result file (results.jsonl or summary.json).
 */
import { isPlanSetting, numericValue, type PointFigures, planSettingProblem, type SettingValue } from '../../sim/index.js';

/** The x axes the tab offers: the producers' offered rate, every topic's partition count, the brokers. */
export const X_AXES = ['rate', 'partitions', 'brokers', 'logDirs'] as const;
export type XAxis = (typeof X_AXES)[number];

/** A configuration: its settings, and its label in the legend (`acks=all`, or the scenario's own). */
export interface WhatIfConfig {
  label: string;
  settings: Record<string, string>;
}

/** One point to run: its configuration (index into the configs), its x value, and every setting it applies. */
export interface WhatIfPoint {
  config: number;
  xText: string;
  x: number;
  settings: Record<string, string>;
}

/** A point's outcome: its figures, or why it has none (the scenario rejects its settings, or the run failed). */
export interface PointOutcome {
  figures?: PointFigures;
  error?: string;
}

/** What the chart draws: one series per configuration, its points sorted by x. */
export interface WhatIfChart {
  title: string;
  xName: string;
  series: Array<{ label: string; points: Array<{ x: number; xText: string } & PointOutcome> }>;
}

/** An input error the tab shows in its error line (never a stack trace). */
export class WhatIfInputError extends Error {}

/** The label of a configuration without settings. */
export const OWN = "the scenario's own settings";

/** `linger.ms=5, batch.size=65536` (commas, semicolons or spaces between) → a configuration; bad names and values are errors. */
export function parseConfig(text: string, xName: string): WhatIfConfig {
  const settings: Record<string, string> = {};
  for (const part of text.split(/[,;\s]+/).filter((p) => p !== '')) {
    const m = /^([\w.-]+)=(.+)$/.exec(part);
    if (m === null) throw new WhatIfInputError(`configuration "${text.trim()}": "${part}" is not name=value (e.g. acks=all, linger.ms=5)`);
    const [, name, value] = m as unknown as [string, string, string];
    if (!isPlanSetting(name)) throw new WhatIfInputError(`configuration "${text.trim()}": unknown setting "${name}"; expected ${planSettingProblem(name, value)}`);
    if (name === xName) throw new WhatIfInputError(`configuration "${text.trim()}": ${name} is the x axis; its values come from the x values`);
    const problem = planSettingProblem(name, value);
    if (problem !== undefined) throw new WhatIfInputError(`configuration "${text.trim()}": ${name}=${value}: expected ${problem}`);
    settings[name] = value;
  }
  const label = Object.entries(settings)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  return { label: label === '' ? OWN : label, settings };
}

/** `20000/s, 100000/s` → the x values, each checked and read as a number; at least two, no repeats. */
export function parseXValues(xName: XAxis, text: string): Array<{ text: string; x: number }> {
  const parts = text.split(/[,;\s]+/).filter((p) => p !== '');
  const out = parts.map((p) => {
    const problem = planSettingProblem(xName, p);
    const x = numericValue(p);
    if (problem !== undefined || !Number.isFinite(x)) throw new WhatIfInputError(`${xName} values: "${p}": expected ${problem ?? 'a number'}`);
    return { text: p, x };
  });
  if (out.length < 2) throw new WhatIfInputError(`${xName} values: got ${out.length}; expected at least two, e.g. ${xName === 'rate' ? '20000/s, 100000/s, 200000/s' : '3, 6, 12'}`);
  const seen = new Set<number>();
  for (const v of out) {
    if (seen.has(v.x)) throw new WhatIfInputError(`${xName} values: ${v.text} is given twice`);
    seen.add(v.x);
  }
  return out.sort((a, b) => a.x - b.x);
}

/** Every point of the grid: each configuration at each x value, configurations outermost. */
export function gridOf(xName: XAxis, xs: ReadonlyArray<{ text: string; x: number }>, configs: readonly WhatIfConfig[]): WhatIfPoint[] {
  if (configs.length < 2) throw new WhatIfInputError(`configurations: got ${configs.length}; expected two or more to compare (e.g. acks=all and acks=1)`);
  const labels = new Set<string>();
  for (const c of configs) {
    if (labels.has(c.label)) throw new WhatIfInputError(`configurations: "${c.label}" is given twice`);
    labels.add(c.label);
  }
  return configs.flatMap((c, config) => xs.map((v) => ({ config, xText: v.text, x: v.x, settings: { ...c.settings, [xName]: v.text } })));
}

/** The chart of the points run in the page. */
export function chartOfGrid(title: string, xName: XAxis, configs: readonly WhatIfConfig[], points: readonly WhatIfPoint[], outcomes: ReadonlyArray<PointOutcome | undefined>): WhatIfChart {
  return {
    title,
    xName,
    series: configs.map((c, i) => ({
      label: c.label,
      points: points.flatMap((p, j) => (p.config === i && outcomes[j] !== undefined ? [{ x: p.x, xText: p.xText, ...outcomes[j] }] : [])),
    })),
  };
}

/** A point of a plan's results.jsonl or summary.json. */
interface PlanPointRecord {
  settings: Record<string, SettingValue>;
  figures?: PointFigures;
  error?: string;
}

const isRecord = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function isPlanPoint(v: unknown): v is PlanPointRecord {
  if (!isRecord(v) || !isRecord(v.settings)) return false;
  if (v.figures === undefined) return typeof v.error === 'string';
  const f = v.figures;
  return isRecord(f) && typeof f.recordsPerSec === 'number' && isRecord(f.produceMs) && typeof f.produceMs.p99 === 'number' && typeof f.produceMs.p50 === 'number';
}

/** The points and the sweeps of a plan's file: summary.json (one object) or results.jsonl (one point a line). */
function readPlanFile(name: string, text: string): { points: PlanPointRecord[]; sweeps?: Record<string, SettingValue[]>; base?: string } {
  const trimmed = text.trim();
  if (trimmed === '') throw new WhatIfInputError(`${name}: the file is empty`);
  let whole: unknown;
  try {
    whole = JSON.parse(trimmed);
  } catch {
    whole = undefined;
  }
  if (isRecord(whole) && Array.isArray(whole.points)) {
    if (whole.findMax !== undefined)
      throw new WhatIfInputError(`${name}: a --find-max summary (a highest rate per point), not a grid of runs; open the summary.json or results.jsonl of a plan with --sweep`);
    const bad = whole.points.findIndex((p) => !isPlanPoint(p));
    if (bad >= 0) throw new WhatIfInputError(`${name}: point ${bad + 1} is not a plan point (settings and figures)`);
    const sweeps = isRecord(whole.sweeps) ? (whole.sweeps as Record<string, SettingValue[]>) : undefined;
    return { points: whole.points as PlanPointRecord[], ...(sweeps ? { sweeps } : {}), ...(typeof whole.base === 'string' ? { base: whole.base } : {}) };
  }
  const points = trimmed.split('\n').map((line, i) => {
    let v: unknown;
    try {
      v = JSON.parse(line);
    } catch {
      throw new WhatIfInputError(`${name}: line ${i + 1}: not JSON; expected a kafkasim plan results.jsonl or summary.json`);
    }
    if (!isPlanPoint(v)) throw new WhatIfInputError(`${name}: line ${i + 1}: not a plan point (settings and figures); expected a kafkasim plan results.jsonl or summary.json`);
    return v;
  });
  return { points };
}

/** The swept settings of points without a sweeps record: each setting's values in order of appearance. */
function sweepsOf(points: readonly PlanPointRecord[]): Record<string, SettingValue[]> {
  const out: Record<string, SettingValue[]> = {};
  for (const p of points) for (const [k, v] of Object.entries(p.settings)) if (!(out[k] ??= []).includes(v)) out[k]!.push(v);
  return out;
}

/** A plan's result file as the chart: x is its first swept setting with numeric values, one series per combination of the others. */
export function chartOfPlanFile(name: string, text: string): WhatIfChart {
  const file = readPlanFile(name, text);
  if (file.points.length === 0) throw new WhatIfInputError(`${name}: no points`);
  const sweeps = file.sweeps ?? sweepsOf(file.points);
  const numeric = (k: string) => (sweeps[k] ?? []).every((v) => Number.isFinite(numericValue(v)));
  const keys = Object.keys(sweeps);
  const xName = keys.find((k) => numeric(k) && (sweeps[k] ?? []).length > 1) ?? keys.find(numeric);
  if (xName === undefined) throw new WhatIfInputError(`${name}: no swept setting has numeric values for the x axis (sweep rate, partitions, brokers, linger.ms, ...)`);
  const others = keys.filter((k) => k !== xName);
  const series = new Map<string, WhatIfChart['series'][number]>();
  for (const p of file.points) {
    const label = others.map((k) => `${k}=${p.settings[k]}`).join(', ') || OWN;
    if (!series.has(label)) series.set(label, { label, points: [] });
    const xText = String(p.settings[xName]);
    series.get(label)!.points.push({ x: numericValue(xText), xText, ...(p.figures ? { figures: p.figures } : {}), ...(p.error !== undefined ? { error: p.error } : {}) });
  }
  for (const s of series.values()) s.points.sort((a, b) => a.x - b.x);
  return { title: `${file.base ?? name} (${name})`, xName, series: [...series.values()] };
}
