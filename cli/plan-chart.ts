/**
 * `kafkasim plan --chart FILE.svg`: the sweep as a chart, written without a browser or a chart library:
 * panels side by side, produce p99 latency and acknowledged records/s (and, when the scenario has
 * consumers, end-to-end p99 latency) against a numeric setting of the grid (the x axis: `--chart-x`, by
 * default the first swept setting with numeric values), one line per combination of the other settings.
 * An axis whose values span 20 times or more (partitions 3 → 300) is logarithmic. The same plan writes
 * the same bytes.
 */
import { numericValue, type SettingChoices } from '../sim/index.js';
import { ExploreOptionError, settingsText } from './explore-options.js';
import type { PointResult } from './plan-task.js';

const W = 460;
const H = 300;
const M = { left: 64, right: 32, top: 34, bottom: 46 };
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b', '#e377c2', '#17becf'];

/** The x axis: `wanted`, or the first swept setting whose values are all numbers. */
export function chartAxis(sweeps: SettingChoices, wanted: string | undefined): string {
  const numeric = (k: string) => (sweeps[k] ?? []).every((v) => Number.isFinite(numericValue(v)));
  if (wanted !== undefined) {
    if (!(wanted in sweeps)) throw new ExploreOptionError(`--chart-x: got ${wanted}; expected one of the swept settings: ${Object.keys(sweeps).join(', ')}`);
    if (!numeric(wanted)) throw new ExploreOptionError(`--chart-x: ${wanted} has values that are not numbers`);
    return wanted;
  }
  const k = Object.keys(sweeps).find(numeric);
  if (k === undefined) throw new ExploreOptionError('--chart: no swept setting has numeric values for the x axis (sweep rate, partitions, brokers, linger.ms, ...)');
  return k;
}

const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (x: number) => (Math.abs(x) >= 1000 ? Math.round(x).toLocaleString('en-US') : String(Number(x.toPrecision(3))));

/** Round-number ticks from 0 to at least max. */
function ticks(max: number): number[] {
  const top = max > 0 ? max : 1;
  const step0 = 10 ** Math.floor(Math.log10(top / 4));
  const step = [1, 2, 5, 10].map((m) => m * step0).find((s) => top / s <= 5)!;
  const out: number[] = [];
  for (let t = 0; t < top + step; t += step) out.push(Number(t.toPrecision(12)));
  return out;
}

interface Series {
  label: string;
  points: Array<{ x: number; y: number }>;
}

/** Whether x values this far apart are drawn on a logarithmic axis. */
export function logAxis(xs: readonly number[]): boolean {
  const [x0, x1] = [Math.min(...xs), Math.max(...xs)];
  return x0 > 0 && x1 / x0 >= 20;
}

function panel(title: string, xLabel: string, series: Series[], offsetX: number): string {
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const f = logAxis(xs) ? Math.log : (x: number) => x;
  const [x0, x1] = [f(Math.min(...xs)), f(Math.max(...xs))];
  const yTicks = ticks(Math.max(...series.flatMap((s) => s.points.map((p) => p.y))));
  const yMax = yTicks[yTicks.length - 1]!;
  const px = (x: number) => M.left + (x1 === x0 ? 0.5 : (f(x) - x0) / (x1 - x0)) * (W - M.left - M.right);
  const py = (y: number) => H - M.bottom - (y / yMax) * (H - M.top - M.bottom);
  const parts = [`<g transform="translate(${offsetX},0)">`, `<text x="${W / 2}" y="18" text-anchor="middle" font-weight="bold">${esc(title)}</text>`];
  for (const t of yTicks)
    parts.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${py(t).toFixed(1)}" y2="${py(t).toFixed(1)}" stroke="#ddd"/>`,
      `<text x="${M.left - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`,
    );
  for (const x of [...new Set(xs)].sort((a, b) => a - b)) parts.push(`<text x="${px(x).toFixed(1)}" y="${H - M.bottom + 16}" text-anchor="middle">${fmt(x)}</text>`);
  parts.push(`<text x="${(M.left + W - M.right) / 2}" y="${H - 8}" text-anchor="middle">${esc(xLabel)}</text>`);
  series.forEach((s, i) => {
    const c = COLORS[i % COLORS.length]!;
    const pts = s.points.map((p) => `${px(p.x).toFixed(1)},${py(p.y).toFixed(1)}`).join(' ');
    parts.push(`<polyline fill="none" stroke="${c}" stroke-width="2" points="${pts}"><title>${esc(s.label)}</title></polyline>`);
    for (const p of s.points) parts.push(`<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="3" fill="${c}"><title>${esc(`${s.label}: ${fmt(p.x)} → ${fmt(p.y)}`)}</title></circle>`);
  });
  parts.push('</g>');
  return parts.join('\n');
}

/** The chart of a plan's points against `axis`; points without figures (internal errors) are left out. */
export function planChart(results: readonly PointResult[], sweeps: SettingChoices, axis: string, base: string): string {
  const others = Object.keys(sweeps).filter((k) => k !== axis);
  const groups = new Map<string, PointResult[]>();
  for (const r of results) {
    if (r.figures === undefined) continue;
    const key = settingsText(Object.fromEntries(others.map((k) => [k, r.settings[k]!])));
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const series = (y: (r: PointResult) => number): Series[] =>
    [...groups].map(([label, rs]) => ({ label: label || base, points: rs.map((r) => ({ x: numericValue(r.settings[axis]!), y: y(r) })).sort((a, b) => a.x - b.x) }));
  const xs = results.flatMap((r) => (r.figures === undefined ? [] : [numericValue(r.settings[axis]!)]));
  const xLabel = `${axis === 'rate' ? 'rate (records/s offered)' : axis}${logAxis(xs) ? ' (log scale)' : ''}`;
  const consumers = results.some((r) => r.figures !== undefined && r.figures.lag !== null);
  const panels = consumers ? 3 : 2;
  const legend = [...groups.keys()].map(
    (label, i) => `<g transform="translate(${M.left + i * 170},${H + 14})"><rect width="12" height="12" fill="${COLORS[i % COLORS.length]}"/><text x="16" y="10">${esc(label || base)}</text></g>`,
  );
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${panels * W}" height="${H + 40}" viewBox="0 0 ${panels * W} ${H + 40}" font-family="sans-serif" font-size="11">`,
    `<title>${esc(`${base}: produce p99${consumers ? ', records/s and end-to-end p99' : ' and records/s'} against ${axis}`)}</title>`,
    `<rect width="${panels * W}" height="${H + 40}" fill="white"/>`,
    panel(
      'produce p99 (ms)',
      xLabel,
      series((r) => r.figures!.produceMs.p99),
      0,
    ),
    panel(
      'acknowledged records/s',
      xLabel,
      series((r) => r.figures!.recordsPerSec),
      W,
    ),
    ...(consumers
      ? [
          panel(
            'end-to-end p99 (ms)',
            xLabel,
            series((r) => r.figures!.endToEndMs.p99),
            2 * W,
          ),
        ]
      : []),
    ...legend,
    '</svg>',
    '',
  ].join('\n');
}
