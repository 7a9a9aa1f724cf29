/**
 * The what-if chart: two panels against the same x axis (offered rate, partitions or brokers), produce
 * latency (p99 solid, p50 dashed, log scale) and acknowledged records/s, one colored line per configuration,
 * with a legend above (its items wrap onto more lines when they do not fit). A point whose run names a
 * bottleneck (the summary's `bottleneck`) has it written near its throughput dot, in its configuration's
 * color, where no other label, tick label or the legend is (whatif-labels.ts places them). Margins, legend
 * and labels are laid out from the texts' measured sizes, so large type gets the room it needs; points
 * without figures (rejected, failed) are not drawn. Redrawn whole: a what-if has a few dozen points.
 */
import * as d3 from 'd3';
import type { PointFigures } from '../../sim/index.js';
import type { WhatIfChart } from '../derive/whatif.js';
import type { Size } from './cluster.js';
import { type Box, type LabelAt, leader, placeLabels } from './whatif-labels.js';

export const SERIES_COLORS = ['#1f6fb4', '#d9480f', '#2b8a3e', '#7048e8', '#c2255c', '#0b7285', '#8d6e00', '#495057'];
/** The margins that do not depend on the texts: right of each panel, between the legend's items, around the legend. */
const RIGHT = 18;
const LEGEND_GAP = 18;
const LEGEND_TOP = 6;
/** d3's axis: tick length and the space between a tick and its label. */
const TICK = 6;
const TICK_PAD = 3;
/** The dots' radius (throughput, latency p99) with their stroke, and p50's hollow ones. */
const DOT_R = 4.5;

/** The kinds of text the chart writes, each with its class (the page's CSS sizes them; large type larger). */
export type TextKind = 'tick' | 'legend' | 'title' | 'axis' | 'label';

/** A text's size: its width, its line's height, and how far its line's top is above the baseline. */
export interface TextSize {
  width: number;
  height: number;
  ascent: number;
}

export type Measure = (text: string, kind: TextKind) => TextSize;

/** Sizes estimated without a page: `px` pixels a line's em, 0.6 em a character (bold titles 0.66). */
export function estimateMeasure(px: number): Measure {
  return (text, kind) => ({ width: text.length * px * (kind === 'title' ? 0.66 : 0.6), height: px * 1.17, ascent: px * 0.93 });
}

/** Measures texts as the page draws them: a text of that kind in `svg`, removed after. */
export function pageMeasure(svg: SVGSVGElement): Measure {
  const cache = new Map<string, TextSize>();
  return (text, kind) => {
    const key = `${kind}|${text}`;
    const hit = cache.get(key);
    if (hit !== undefined) return hit;
    const g = d3
      .select(svg)
      .append('g')
      .attr('class', kind === 'tick' ? 'wi-grid' : kind === 'legend' ? 'wi-legend' : '');
    const t = g.append('text').text(text);
    if (kind === 'title') t.attr('class', 'wi-panel-title');
    if (kind === 'axis') t.attr('class', 'wi-axis-label');
    if (kind === 'label') t.attr('class', 'wi-bottleneck');
    const b = (t.node() as SVGTextElement).getBBox();
    g.remove();
    // Not laid out (the tab hidden): an estimate, until the tab is shown and draws it again.
    const size = b.height > 0 ? { width: b.width, height: b.height, ascent: -b.y } : estimateMeasure(12)(text, kind);
    cache.set(key, size);
    return size;
  };
}

const X_LABELS: Record<string, string> = {
  rate: 'offered rate (records/s, all producers)',
  partitions: 'partitions (every topic)',
  brokers: 'brokers',
  logDirs: 'log directories per broker (log.dirs, a disk each)',
};
/** The x axis's title: what its values are, with their unit (the setting's name for one without). */
export const xAxisTitle = (xName: string): string => X_LABELS[xName] ?? xName;
const LATENCY_TITLE = 'produce latency, ms (p99 solid, p50 dashed; log scale)';
/** The latency panel's title where the long one does not fit (the legend's key says which line is which). */
const LATENCY_TITLE_SHORT = 'produce latency, ms (log scale)';

const si = d3.format('~s');
const fmtX = (x: number): string => (Math.abs(x) >= 10000 ? si(x).replace('G', 'B') : d3.format('~g')(x));
const fmtMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));
const fmtLog = (v: number): string => d3.format('~g')(v);

/** A bottleneck as one short line: `b2 disk-write 97%` (`b2 disk-write /data/1 97%` with several log directories). */
export function bottleneckText(b: NonNullable<PointFigures['bottleneck']>): string {
  return `${b.node} ${b.resource}${b.dir === undefined ? '' : ` ${b.dir}`} ${Math.round(b.utilization * 100)}%`;
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
type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;

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

/** The vertical layout both panels share, from the measured texts: where the plots start and how much room is under them. */
interface Layout {
  measure: Measure;
  tick: TextSize;
  /** The legend's box (svg coordinates). */
  legend: Box;
  /** The plots' top (svg y) and height. */
  top: number;
  h: number;
  /** The panel titles' baseline, above the plot's top. */
  titleY: number;
  /** The x axis title's baseline, under the plot's bottom. */
  axisY: number;
}

/** The y axis's tick labels: the left margin is the widest one's width. */
function leftOf(measure: Measure, ticks: string[]): number {
  return Math.max(30, Math.ceil(d3.max(ticks, (t) => measure(t, 'tick').width) ?? 0) + TICK_PAD + 8);
}

/** The boxes of the x axis's tick labels (panel coordinates), as xAxisOf draws them. */
function xTickBoxes(lay: Layout, x: d3.ScaleLinear<number, number>, values: number[]): Box[] {
  return values.map((v) => {
    const t = lay.measure(fmtX(v), 'tick');
    return { x: x(v) - t.width / 2, y: lay.h + TICK + TICK_PAD, width: t.width, height: t.height };
  });
}

/** The boxes of the y axis's tick labels (panel coordinates), as yAxisOf draws them. */
function yTickBoxes(lay: Layout, y: (v: number) => number, ticks: Array<[number, string]>): Box[] {
  return ticks.map(([v, s]) => {
    const t = lay.measure(s, 'tick');
    return { x: -TICK_PAD - t.width, y: y(v) - t.height / 2, width: t.width, height: t.height };
  });
}

function xAxisOf(g: G, lay: Layout, x: d3.ScaleLinear<number, number>, values: number[], xName: string, w: number): void {
  const axis = g
    .append('g')
    .attr('class', 'wi-axis')
    .attr('transform', `translate(0,${lay.h})`)
    .call(
      d3
        .axisBottom(x)
        .tickValues(values)
        .tickSize(TICK)
        .tickPadding(TICK_PAD)
        .tickFormat((v) => fmtX(Number(v))),
    );
  // The labels' line starts under the tick (d3 places them by an em fraction, which large type moves).
  axis
    .selectAll('.tick text')
    .attr('dy', null)
    .attr('y', TICK + TICK_PAD + lay.tick.ascent);
  g.append('text')
    .attr('class', 'wi-axis-label')
    .attr('x', w / 2)
    .attr('y', lay.axisY)
    .attr('text-anchor', 'middle')
    .text(xAxisTitle(xName));
}

/** The y axis as gridlines across the plot, its labels centred on their line. */
function yAxisOf(g: G, lay: Layout, axis: d3.Axis<d3.NumberValue>, w: number): void {
  const a = g.append('g').attr('class', 'wi-grid').call(axis.tickSize(-w).tickPadding(TICK_PAD));
  a.selectAll('.tick text')
    .attr('dy', null)
    .attr('y', lay.tick.ascent - lay.tick.height / 2);
}

function frame(svg: Svg, lay: Layout, left: number, width: number, margin: number, title: string, short: string, panel: string): { g: G; w: number } {
  const g = svg
    .append('g')
    .attr('class', 'wi-panel')
    .attr('data-panel', panel)
    .attr('transform', `translate(${left + margin},${lay.top})`);
  const w = width - margin - RIGHT;
  g.append('rect').attr('class', 'wi-plot').attr('width', w).attr('height', lay.h);
  const text = lay.measure(title, 'title').width <= w + RIGHT ? title : short;
  g.append('text').attr('class', 'wi-panel-title').attr('x', 0).attr('y', lay.titleY).text(text);
  return { g, w };
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
    .attr('r', hollow ? 3 : DOT_R)
    .attr('stroke', (d) => d.color)
    .attr('fill', (d) => (hollow ? '#fff' : d.color))
    .append('title')
    .text((d) => tooltip(d, xName));
}

/** The latency panel's y range (p50 to p99 with room, a decade at least) and its gridlines. */
function latencyScale(pts: Drawn[]): { lo: number; hi: number; ticks: number[] } {
  const lo = Math.max(0.05, d3.min(pts, (d) => d.f.produceMs.p50) ?? 1);
  const hi = Math.max(lo * 10, d3.max(pts, (d) => d.f.produceMs.p99) ?? 10);
  return { lo, hi, ticks: logTicks(lo / 1.4, hi * 1.4) };
}

function latencyPanel(svg: Svg, lay: Layout, pts: Drawn[], xs: number[], xName: string, width: number, margin: number): void {
  const { lo, hi, ticks } = latencyScale(pts);
  const { g, w } = frame(svg, lay, 0, width, margin, LATENCY_TITLE, LATENCY_TITLE_SHORT, 'latency');
  const x = xScale(xs, w);
  const y = d3
    .scaleLog()
    .domain([lo / 1.4, hi * 1.4])
    .range([lay.h, 0]);
  const clamp = (v: number) => y(Math.max(v, lo / 1.4));
  yAxisOf(
    g,
    lay,
    d3
      .axisLeft(y)
      .tickValues(ticks)
      .tickFormat((v) => fmtLog(Number(v))),
    w,
  );
  xAxisOf(g, lay, x, xs, xName, w);
  lines(g, pts, x, clamp, (f) => f.produceMs.p50, 'p50', true);
  lines(g, pts, x, clamp, (f) => f.produceMs.p99, 'p99', false);
  dots(g, pts, x, clamp, (f) => f.produceMs.p50, 'p50', xName, true);
  dots(g, pts, x, clamp, (f) => f.produceMs.p99, 'p99', xName, false);
}

function throughputPanel(svg: Svg, lay: Layout, pts: Drawn[], xs: number[], xName: string, left: number, width: number): void {
  const y = d3
    .scaleLinear()
    .domain([0, (d3.max(pts, (d) => d.f.recordsPerSec) ?? 1) * 1.12 || 1])
    .nice()
    .range([lay.h, 0]);
  const ticks = y.ticks(5).map((v): [number, string] => [v, si(v)]);
  const margin = leftOf(
    lay.measure,
    ticks.map(([, s]) => s),
  );
  const { g, w } = frame(svg, lay, left, width, margin, 'acknowledged records/s', 'acknowledged records/s', 'throughput');
  const x = xScale(xs, w);
  yAxisOf(
    g,
    lay,
    d3
      .axisLeft(y)
      .ticks(5)
      .tickFormat((v) => si(Number(v))),
    w,
  );
  xAxisOf(g, lay, x, xs, xName, w);
  lines(g, pts, x, y, (f) => f.recordsPerSec, 'rps', false);
  dots(g, pts, x, y, (f) => f.recordsPerSec, 'rps', xName, false);
  bottlenecks(g, lay, w, pts, x, y, [...xTickBoxes(lay, x, xs), ...yTickBoxes(lay, y, ticks), shift(lay.legend, -(left + margin), -lay.top)]);
}

const shift = (b: Box, dx: number, dy: number): Box => ({ ...b, x: b.x + dx, y: b.y + dy });

/**
 * Each bottleneck near its throughput dot, in its configuration's color (outlined in white by the CSS), where
 * whatif-labels.ts finds room inside the plot, off the lines where it can; a label moved away from its dot
 * gets a thin line to it. A point's dot without a label (its run named none) is kept clear too.
 */
function bottlenecks(g: G, lay: Layout, w: number, pts: Drawn[], x: d3.ScaleLinear<number, number>, y: (v: number) => number, obstacles: Box[]): void {
  const named = pts.filter((d) => d.f.bottleneck !== undefined);
  const text = (d: Drawn) => bottleneckText(d.f.bottleneck!);
  const at = (d: Drawn): LabelAt => {
    const t = lay.measure(text(d), 'label');
    return { x: x(d.x), y: y(d.f.recordsPerSec), r: DOT_R + 1, width: t.width, height: t.height };
  };
  const labels = named.map(at);
  const bare = pts.filter((d) => d.f.bottleneck === undefined).map((d) => ({ x: x(d.x) - DOT_R - 1, y: y(d.f.recordsPerSec) - DOT_R - 1, width: 2 * DOT_R + 2, height: 2 * DOT_R + 2 }));
  // The throughput lines, each between two of a configuration's points: a label would rather not cross one.
  const segments = [...d3.group(pts, (d) => d.series).values()].flatMap((ds) => ds.slice(1).map((d, k) => ({ x1: x(ds[k]!.x), y1: y(ds[k]!.f.recordsPerSec), x2: x(d.x), y2: y(d.f.recordsPerSec) })));
  const boxes = placeLabels(labels, { x: 0, y: 0, width: w, height: lay.h }, [...obstacles, ...bare], { lines: segments });
  const drawn = named.flatMap((d, i) => (boxes[i] === undefined ? [] : [{ d, at: labels[i]!, box: boxes[i]! }]));
  const leaders = drawn.flatMap(({ d, at, box }) => {
    const l = leader(at, box);
    return l === undefined ? [] : [{ d, ...l }];
  });
  g.selectAll('line.wi-leader')
    .data(leaders)
    .join('line')
    .attr('class', 'wi-leader')
    .attr('x1', (l) => l.x1)
    .attr('y1', (l) => l.y1)
    .attr('x2', (l) => l.x2)
    .attr('y2', (l) => l.y2)
    .attr('stroke', (l) => l.d.color);
  g.selectAll('text.wi-bottleneck')
    .data(drawn)
    .join('text')
    .attr('class', 'wi-bottleneck')
    .attr('data-series', ({ d }) => d.series)
    .attr('data-x', ({ d }) => d.xText)
    .attr('x', ({ box }) => box.x)
    .attr('y', ({ d, box }) => box.y + lay.measure(text(d), 'label').ascent)
    .style('fill', ({ d }) => d.color)
    .text(({ d }) => text(d));
}

/** The legend's entries and where each goes: left to right, onto a new line when the next does not fit. */
function legendLayout(chart: WhatIfChart, measure: Measure, width: number): { items: Array<{ x: number; row: number; w: number }>; rows: number } {
  const widths = [...chart.series.map((s) => 28 + measure(s.label, 'legend').width), 89 + measure('p50', 'legend').width];
  const items: Array<{ x: number; row: number; w: number }> = [];
  let x = 0;
  let row = 0;
  for (const w of widths) {
    if (x > 0 && x + w > width) {
      x = 0;
      row++;
    }
    items.push({ x, row, w });
    x += w + LEGEND_GAP;
  }
  return { items, rows: row + 1 };
}

function legend(svg: Svg, chart: WhatIfChart, lay: Layout, placed: ReturnType<typeof legendLayout>): void {
  const t = lay.measure('p99', 'legend');
  const mid = t.ascent - t.height / 2 - 0.5;
  const g = svg.append('g').attr('class', 'wi-legend').attr('transform', `translate(${lay.legend.x},${lay.legend.y})`);
  const at = (k: number) => `translate(${placed.items[k]!.x},${placed.items[k]!.row * (t.height + 4) + t.ascent})`;
  chart.series.forEach((s, i) => {
    const item = g.append('g').attr('class', 'wi-legend-item').attr('data-series', i).attr('data-label', s.label).attr('transform', at(i));
    const color = SERIES_COLORS[i % SERIES_COLORS.length]!;
    item.append('line').attr('x1', 0).attr('x2', 22).attr('y1', -mid).attr('y2', -mid).attr('stroke', color).attr('stroke-width', 3);
    item.append('circle').attr('cx', 11).attr('cy', -mid).attr('r', 4).attr('fill', color);
    item.append('text').attr('x', 28).attr('y', 0).text(s.label);
  });
  const key = g.append('g').attr('class', 'wi-legend-key').attr('transform', at(chart.series.length));
  const p99 = lay.measure('p99', 'legend').width;
  key.append('line').attr('x1', 0).attr('x2', 22).attr('y1', -mid).attr('y2', -mid).attr('class', 'wi-key');
  key.append('text').attr('x', 27).attr('y', 0).text('p99');
  key
    .append('line')
    .attr('x1', 27 + p99 + 12)
    .attr('x2', 27 + p99 + 34)
    .attr('y1', -mid)
    .attr('y2', -mid)
    .attr('class', 'wi-key dashed');
  key
    .append('text')
    .attr('x', 27 + p99 + 39)
    .attr('y', 0)
    .text('p50');
}

/** Draws the chart into `svg` (replacing what was there); `measure` sizes its texts (by default, as the page draws them). */
export function drawWhatIf(el: SVGSVGElement, chart: WhatIfChart, size: Size, measure: Measure = pageMeasure(el)): void {
  const svg = d3.select(el);
  svg.selectAll('*').remove();
  svg.attr('width', size.width).attr('height', size.height);
  const pts = pointsOf(chart);
  if (pts.length === 0) return;
  const xs = [...new Set(chart.series.flatMap((s) => s.points.map((p) => p.x)))].sort((a, b) => a - b);
  const half = Math.floor(size.width / 2);
  const tick = measure('0', 'tick');
  const title = measure('x', 'title');
  const axis = measure('x', 'axis');
  const leg = measure('x', 'legend');
  // The legend from the first panel's plot on (as wide as the page leaves it), its lines, the titles under it.
  const latencyMargin = leftOf(measure, latencyScale(pts).ticks.map(fmtLog));
  const legendX = latencyMargin;
  const placed = legendLayout(chart, measure, size.width - legendX - RIGHT);
  const legendBox = { x: legendX, y: LEGEND_TOP, width: d3.max(placed.items, (i) => i.x + i.w) ?? 0, height: placed.rows * (leg.height + 4) - 4 };
  const titleTop = legendBox.y + legendBox.height + 8;
  // The plot starts under the title, far enough for its top tick label (centred on the top gridline).
  const top = titleTop + title.height + Math.max(6, tick.height / 2 + 2);
  const bottom = TICK + TICK_PAD + tick.height + 4 + axis.height + 2;
  const lay: Layout = {
    measure,
    tick,
    legend: legendBox,
    top,
    h: Math.max(40, size.height - top - bottom),
    titleY: titleTop + title.ascent - top,
    axisY: 0,
  };
  lay.axisY = lay.h + TICK + TICK_PAD + tick.height + 4 + axis.ascent;
  legend(svg, chart, lay, placed);
  latencyPanel(svg, lay, pts, xs, chart.xName, half, latencyMargin);
  throughputPanel(svg, lay, pts, xs, chart.xName, half, size.width - half);
}
