/**
 * The what-if chart: two panels against the same x axis (offered rate, partitions or brokers), produce
 * latency (p99 solid, p50 dashed, log scale) and acknowledged records/s, one colored line per configuration,
 * with a legend above. A point whose run names a bottleneck (the summary's `bottleneck`) has it written
 * under its throughput dot; points without figures (rejected, failed) are not drawn. Redrawn whole: a
 * what-if has a few dozen points.
 */
import * as d3 from 'd3';
import type { PointFigures } from '../../sim/index.js';
import type { WhatIfChart } from '../derive/whatif.js';
import type { Size } from './cluster.js';

export const SERIES_COLORS = ['#1f6fb4', '#d9480f', '#2b8a3e', '#7048e8', '#c2255c', '#0b7285', '#8d6e00', '#495057'];
const M = { left: 62, right: 18, top: 34, bottom: 44 };
const LEGEND_H = 30;

const X_LABELS: Record<string, string> = { rate: 'offered rate (records/s, all producers)', partitions: 'partitions (every topic)', brokers: 'brokers' };

const si = d3.format('~s');
const fmtX = (x: number): string => (Math.abs(x) >= 10000 ? si(x).replace('G', 'B') : d3.format('~g')(x));
const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

/** A bottleneck as one short line: `broker 2 disk 97%`. */
export function bottleneckText(b: NonNullable<PointFigures['bottleneck']>): string {
  return `${b.node} ${b.resource} ${Math.round(b.utilization * 100)}%`;
}

interface Drawn {
  series: number;
  color: string;
  label: string;
  x: number;
  xText: string;
  f: PointFigures;
}

function pointsOf(chart: WhatIfChart): Drawn[] {
  return chart.series.flatMap((s, i) =>
    s.points.flatMap((p) => (p.figures ? [{ series: i, color: SERIES_COLORS[i % SERIES_COLORS.length]!, label: s.label, x: p.x, xText: p.xText, f: p.figures }] : [])),
  );
}

function tooltip(d: Drawn, xName: string): string {
  const f = d.f;
  const lines = [
    `${d.label} · ${xName}=${d.xText}`,
    `acknowledged ${Math.round(f.recordsPerSec).toLocaleString('en-US')} records/s (${f.mbPerSec} MB/s)`,
    `produce p50 ${fmtMs(f.produceMs.p50)} ms · p99 ${fmtMs(f.produceMs.p99)} ms · p99.9 ${fmtMs(f.produceMs.p999)} ms`,
    `end to end p99 ${fmtMs(f.endToEndMs.p99)} ms · lag ${f.lag ?? '-'} · errors ${f.errors} · lost ${f.lost}`,
  ];
  if (f.bottleneck) lines.push(`bottleneck: ${bottleneckText(f.bottleneck)}`);
  return lines.join('\n');
}

type G = d3.Selection<SVGGElement, unknown, null, undefined>;

/** 1, 2, 5 × 10^k within [lo, hi]: a few round gridlines on a log scale. */
function logTicks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let k = Math.floor(Math.log10(lo)); k <= Math.ceil(Math.log10(hi)); k++) {
    for (const m of [1, 2, 5]) {
      const v = Number((m * 10 ** k).toPrecision(6));
      if (v >= lo && v <= hi) out.push(v);
    }
  }
  return out;
}

/** The x scale over the values (one value alone sits in the middle). */
function xScale(xs: number[], w: number): d3.ScaleLinear<number, number> {
  const [a, b] = d3.extent(xs) as [number, number];
  const pad = a === b ? Math.max(1, Math.abs(a) * 0.5) : 0;
  return d3
    .scaleLinear()
    .domain([a - pad, b + pad])
    .range([14, w - 14]);
}

function xAxisOf(g: G, x: d3.ScaleLinear<number, number>, values: number[], h: number, xName: string, w: number): void {
  g.append('g')
    .attr('class', 'wi-axis')
    .attr('transform', `translate(0,${h})`)
    .call(
      d3
        .axisBottom(x)
        .tickValues(values)
        .tickFormat((v) => fmtX(Number(v))),
    );
  g.append('text')
    .attr('class', 'wi-axis-label')
    .attr('x', w / 2)
    .attr('y', h + 34)
    .attr('text-anchor', 'middle')
    .text(X_LABELS[xName] ?? xName);
}

function frame(svg: d3.Selection<SVGSVGElement, unknown, null, undefined>, left: number, width: number, height: number, title: string): { g: G; w: number; h: number } {
  const g = svg.append('g').attr('transform', `translate(${left + M.left},${LEGEND_H + M.top})`);
  const w = width - M.left - M.right;
  const h = height - LEGEND_H - M.top - M.bottom;
  g.append('text').attr('class', 'wi-panel-title').attr('x', 0).attr('y', -14).text(title);
  return { g, w, h };
}

function lines(g: G, pts: Drawn[], x: d3.ScaleLinear<number, number>, y: (v: number) => number, value: (f: PointFigures) => number, metric: string, dashed: boolean): void {
  const bySeries = d3.group(pts, (d) => d.series);
  for (const [series, ds] of bySeries) {
    const line = d3
      .line<Drawn>()
      .x((d) => x(d.x))
      .y((d) => y(value(d.f)));
    g.append('path')
      .attr('class', `wi-line${dashed ? ' dashed' : ''}`)
      .attr('data-series', series)
      .attr('data-metric', metric)
      .attr('d', line(ds))
      .attr('stroke', ds[0]!.color);
  }
}

function dots(g: G, pts: Drawn[], x: d3.ScaleLinear<number, number>, y: (v: number) => number, value: (f: PointFigures) => number, metric: string, xName: string, hollow: boolean): void {
  g.selectAll(`circle.wi-pt.m-${metric.replace('.', '')}`)
    .data(pts)
    .join('circle')
    .attr('class', `wi-pt m-${metric.replace('.', '')}${hollow ? ' hollow' : ''}`)
    .attr('data-series', (d) => d.series)
    .attr('data-metric', metric)
    .attr('data-x', (d) => d.xText)
    .attr('data-value', (d) => value(d.f))
    .attr('cx', (d) => x(d.x))
    .attr('cy', (d) => y(value(d.f)))
    .attr('r', hollow ? 3 : 4.5)
    .attr('stroke', (d) => d.color)
    .attr('fill', (d) => (hollow ? '#fff' : d.color))
    .append('title')
    .text((d) => tooltip(d, xName));
}

function latencyPanel(svg: d3.Selection<SVGSVGElement, unknown, null, undefined>, pts: Drawn[], xs: number[], xName: string, width: number, height: number): void {
  const { g, w, h } = frame(svg, 0, width, height, 'produce latency, ms (p99 solid, p50 dashed; log scale)');
  const x = xScale(xs, w);
  const lo = Math.max(0.05, d3.min(pts, (d) => d.f.produceMs.p50) ?? 1);
  const hi = Math.max(lo * 10, d3.max(pts, (d) => d.f.produceMs.p99) ?? 10);
  const y = d3
    .scaleLog()
    .domain([lo / 1.4, hi * 1.4])
    .range([h, 0]);
  const clamp = (v: number) => y(Math.max(v, lo / 1.4));
  g.append('g')
    .attr('class', 'wi-grid')
    .call(
      d3
        .axisLeft(y)
        .tickValues(logTicks(lo / 1.4, hi * 1.4))
        .tickFormat((v) => d3.format('~g')(Number(v)))
        .tickSize(-w),
    );
  xAxisOf(g, x, xs, h, xName, w);
  lines(g, pts, x, clamp, (f) => f.produceMs.p50, 'p50', true);
  lines(g, pts, x, clamp, (f) => f.produceMs.p99, 'p99', false);
  dots(g, pts, x, clamp, (f) => f.produceMs.p50, 'p50', xName, true);
  dots(g, pts, x, clamp, (f) => f.produceMs.p99, 'p99', xName, false);
}

function throughputPanel(svg: d3.Selection<SVGSVGElement, unknown, null, undefined>, pts: Drawn[], xs: number[], xName: string, left: number, width: number, height: number): void {
  const { g, w, h } = frame(svg, left, width, height, 'acknowledged records/s');
  const x = xScale(xs, w);
  const y = d3
    .scaleLinear()
    .domain([0, (d3.max(pts, (d) => d.f.recordsPerSec) ?? 1) * 1.12 || 1])
    .nice()
    .range([h, 0]);
  g.append('g')
    .attr('class', 'wi-grid')
    .call(
      d3
        .axisLeft(y)
        .ticks(5)
        .tickFormat((v) => si(Number(v)))
        .tickSize(-w),
    );
  xAxisOf(g, x, xs, h, xName, w);
  lines(g, pts, x, y, (f) => f.recordsPerSec, 'rps', false);
  dots(g, pts, x, y, (f) => f.recordsPerSec, 'rps', xName, false);
  const named = pts.filter((d) => d.f.bottleneck !== undefined);
  g.selectAll('text.wi-bottleneck')
    .data(named)
    .join('text')
    .attr('class', 'wi-bottleneck')
    .attr('data-series', (d) => d.series)
    .attr('data-x', (d) => d.xText)
    .attr('x', (d) => x(d.x))
    .attr('y', (d) => y(d.f.recordsPerSec) + 16 + 12 * d.series)
    .attr('text-anchor', (d) => (x(d.x) > w - 40 ? 'end' : x(d.x) < 40 ? 'start' : 'middle'))
    .attr('fill', (d) => d.color)
    .text((d) => bottleneckText(d.f.bottleneck!));
}

function legend(svg: d3.Selection<SVGSVGElement, unknown, null, undefined>, chart: WhatIfChart, width: number): void {
  const g = svg.append('g').attr('class', 'wi-legend').attr('transform', `translate(${M.left},18)`);
  let at = 0;
  chart.series.forEach((s, i) => {
    const item = g.append('g').attr('class', 'wi-legend-item').attr('data-series', i).attr('data-label', s.label).attr('transform', `translate(${at},0)`);
    item
      .append('line')
      .attr('x1', 0)
      .attr('x2', 22)
      .attr('y1', -4)
      .attr('y2', -4)
      .attr('stroke', SERIES_COLORS[i % SERIES_COLORS.length]!)
      .attr('stroke-width', 3);
    item
      .append('circle')
      .attr('cx', 11)
      .attr('cy', -4)
      .attr('r', 4)
      .attr('fill', SERIES_COLORS[i % SERIES_COLORS.length]!);
    item.append('text').attr('x', 28).attr('y', 0).text(s.label);
    at += 40 + s.label.length * 7.2;
  });
  const key = g
    .append('g')
    .attr('class', 'wi-legend-key')
    .attr('transform', `translate(${Math.min(at + 24, Math.max(0, width - M.left - 140))},0)`);
  key.append('line').attr('x1', 0).attr('x2', 22).attr('y1', -4).attr('y2', -4).attr('class', 'wi-key');
  key.append('text').attr('x', 27).attr('y', 0).text('p99');
  key.append('line').attr('x1', 62).attr('x2', 84).attr('y1', -4).attr('y2', -4).attr('class', 'wi-key dashed');
  key.append('text').attr('x', 89).attr('y', 0).text('p50');
}

/** Draws the chart into `svg` (replacing what was there). */
export function drawWhatIf(el: SVGSVGElement, chart: WhatIfChart, size: Size): void {
  const svg = d3.select(el);
  svg.selectAll('*').remove();
  svg.attr('width', size.width).attr('height', size.height);
  const pts = pointsOf(chart);
  if (pts.length === 0) return;
  const xs = [...new Set(chart.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const half = Math.floor(size.width / 2);
  legend(svg, chart, size.width);
  latencyPanel(svg, pts, xs, chart.xName, half, size.height);
  throughputPanel(svg, pts, xs, chart.xName, half, size.width - half, size.height);
}
