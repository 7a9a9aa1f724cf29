/**
 * The timeline: the run's virtual time with markers for notable events (faults, elections, ISR changes,
 * truncations...) and a cursor; below it small charts sharing its time axis: acknowledged throughput,
 * produce latency, under-replicated partitions, and acknowledged records lost. Click to seek.
 */
import * as d3 from 'd3';
import type { SeriesPoint } from '../derive/model.js';
import type { NarrativeItem } from '../derive/narrative.js';
import { ensure, type Size } from './cluster.js';
import { KIND_COLORS } from './colors.js';

export interface TimelineInput {
  durationUs: number;
  /** The end of what has been received so far (while a run streams in). */
  loadedUs: number;
  cursorUs: number;
  items: NarrativeItem[];
  series: SeriesPoint[];
  seriesWidthUs: number;
  /** Compare mode: run B's markers (a second lane) and series (dashed lines over A's charts). */
  b?: { items: NarrativeItem[]; series: SeriesPoint[]; seriesWidthUs: number };
  /** Compare mode: the first moment the two runs' outcomes differ (a red dashed line). */
  diffUs?: number;
  /** Violations of the checks (sim/checks.ts), when they were detected: red triangles above the markers. */
  violations?: Array<{ t: number; text: string }>;
  /** The run has consumer groups: a chart of their lag too. */
  groups?: boolean;
}

const MARGIN = { left: 64, right: 16 };

export function timeScale(input: TimelineInput, size: Size): d3.ScaleLinear<number, number> {
  return d3
    .scaleLinear()
    .domain([0, Math.max(1, input.durationUs)])
    .range([MARGIN.left, size.width - MARGIN.right]);
}

/** Each chart: an area of `key`; `line`: a second series of the same run drawn as a solid line over it. */
type Chart = { key: 'acked' | 'p99Ms' | 'urp' | 'lost' | 'lag'; line?: 'p50Ms'; label: string; color: string; step?: boolean };
const CHARTS: Chart[] = [
  { key: 'acked', label: 'acked/s', color: '#2f6fb0' },
  { key: 'p99Ms', line: 'p50Ms', label: 'produce p99 (p50) ms', color: '#a05195' },
  { key: 'urp', label: 'under-repl.', color: '#e69f00', step: true },
  { key: 'lost', label: 'lost acked', color: '#c0141a', step: true },
];
/** With consumer groups: their lag (records below the high watermarks not read yet). */
const LAG_CHART: Chart = { key: 'lag', label: 'group lag', color: '#0f7b8a' };

const chartsOf = (groups: boolean | undefined): Chart[] => (groups === true ? [...CHARTS, LAG_CHART] : CHARTS);

/** The timeline's height: the marker band and axis (larger in large type) and a lane per chart (lower when the window is short). */
export function timelineHeight(showCharts: boolean, large = false, compact = false, groups = false): number {
  const k = large ? 1.3 : 1;
  return Math.round(62 * k + (showCharts ? chartsOf(groups).length * (compact ? (large ? 17 : 21) : 34 * k) : 0));
}

/** Per svg: what the axis, markers and charts were last drawn for (while playing only the cursor moves). */
const drawn = new WeakMap<SVGSVGElement, string>();

export function drawTimeline(svgEl: SVGSVGElement, input: TimelineInput, size: Size, opts: { showCharts: boolean; onSeekTime: (tUs: number) => void; onSeekIndex: (i: number) => void }): void {
  const svg = d3.select(svgEl);
  const x = timeScale(input, size);
  const b = input.b;
  const key = [
    size.width,
    size.height,
    input.durationUs,
    input.loadedUs,
    input.items.length,
    input.series.length,
    input.seriesWidthUs,
    opts.showCharts,
    b?.items.length,
    b?.series.length,
    b?.seriesWidthUs,
    input.diffUs,
    input.violations?.length,
    input.groups,
  ].join('|');
  if (drawn.get(svgEl) !== key) {
    drawn.set(svgEl, key);
    drawStatic(svgEl, svg, x, input, size, opts);
  }
  drawCursor(svg, x, input, size);
}

type Svg = d3.Selection<SVGSVGElement, unknown, null, undefined>;
type TimelineOptions = { showCharts: boolean; onSeekTime: (tUs: number) => void; onSeekIndex: (i: number) => void };

/** The marker band's height. */
const MARK_H = 30;

function drawStatic(svgEl: SVGSVGElement, svg: Svg, x: ReturnType<typeof timeScale>, input: TimelineInput, size: Size, opts: TimelineOptions): void {
  svg.attr('viewBox', `0 0 ${size.width} ${size.height}`).attr('width', size.width).attr('height', size.height);
  const axisY = MARK_H + 6;

  // Loaded extent and background.
  ensure(svg, 'rect.loaded')
    .attr('x', x(0))
    .attr('y', 4)
    .attr('width', Math.max(0, x(input.loadedUs) - x(0)))
    .attr('height', MARK_H - 4);

  const axis = ensure(svg, 'g.axis').attr('transform', `translate(0,${axisY})`);
  axis.call(
    d3
      .axisBottom(x)
      .ticks(Math.max(2, Math.floor(size.width / 90)))
      .tickFormat((v) => `${(Number(v) / 1e6).toFixed(Number(v) % 1e6 === 0 ? 0 : 1)}s`) as never,
  );

  drawMarkers(svg, x, input, opts);
  drawViolations(svg, x, input, opts);
  drawDiff(svg, x, input, size, opts);
  drawCharts(svg, x, input, axisY, opts, size.height);

  svg.on('click', (ev: MouseEvent) => {
    const [px] = d3.pointer(ev, svgEl);
    opts.onSeekTime(Math.max(0, Math.min(input.loadedUs, x.invert(px))));
  });
}

interface Lane {
  lane: string;
  items: NarrativeItem[];
  top: number;
  bottom: number;
}

/**
 * Markers: one tick per narrative item (thin), severe ones taller. In compare mode A's lane is on top
 * and B's below it.
 */
function drawMarkers(svg: Svg, x: ReturnType<typeof timeScale>, input: TimelineInput, opts: TimelineOptions): void {
  const lanes: Lane[] =
    input.b === undefined
      ? [{ lane: 'a', items: input.items, top: 4, bottom: MARK_H }]
      : [
          { lane: 'a', items: input.items, top: 4, bottom: 16 },
          { lane: 'b', items: input.b.items, top: 18, bottom: MARK_H },
        ];
  ensure(svg, 'g.markers')
    .selectAll<SVGGElement, Lane>('g.lane')
    .data(lanes, (d) => d.lane)
    .join((enter) => {
      const g = enter.append('g').attr('class', 'lane');
      g.append('text').attr('class', 'lanelabel');
      return g;
    })
    .attr('data-testid', (d) => `timeline-lane-${d.lane}`)
    .each(function (lane) {
      drawLane(d3.select(this), lane, x, input, opts);
    });
}

function drawLane(g: d3.Selection<SVGGElement, unknown, null, undefined>, lane: Lane, x: ReturnType<typeof timeScale>, input: TimelineInput, opts: TimelineOptions): void {
  g.select('text.lanelabel')
    .attr('x', MARGIN.left - 6)
    .attr('y', (lane.top + lane.bottom) / 2 + 4)
    .attr('text-anchor', 'end')
    .text(input.b === undefined ? '' : lane.lane.toUpperCase());
  const tall = lane.bottom - lane.top;
  g.selectAll<SVGLineElement, NarrativeItem>('line')
    .data(
      lane.items.filter((d) => d.kind !== 'client'),
      (d) => String(d.i) + d.kind,
    )
    .join('line')
    .attr('x1', (d) => x(d.t))
    .attr('x2', (d) => x(d.t))
    .attr('y1', (d) => (d.severe ? lane.top : lane.top + tall * 0.3))
    .attr('y2', lane.bottom)
    .attr('stroke', (d) => KIND_COLORS[d.kind])
    .attr('class', (d) => `marker ${d.kind}`)
    .on('click', (ev: MouseEvent, d) => {
      ev.stopPropagation();
      // B's events have B's indices: seek A to B's time.
      if (lane.lane === 'a') opts.onSeekIndex(d.i);
      else opts.onSeekTime(d.t);
    })
    .selectAll('title')
    .data((d) => [d])
    .join('title')
    .text((d) => `${input.b === undefined ? '' : `${lane.lane.toUpperCase()} `}${(d.t / 1e6).toFixed(3)} s: ${d.text}`);
}

/** Check violations: ▼ at the top of the marker band. */
function drawViolations(svg: Svg, x: ReturnType<typeof timeScale>, input: TimelineInput, opts: TimelineOptions): void {
  ensure(svg, 'g.violations')
    .selectAll<SVGPathElement, { t: number; text: string }>('path')
    .data(input.violations ?? [])
    .join('path')
    .attr('class', 'violation')
    .attr('data-testid', 'timeline-violation')
    .attr('d', (d) => `M${x(d.t) - 5},0 L${x(d.t) + 5},0 L${x(d.t)},8 Z`)
    .on('click', (ev: MouseEvent, d) => {
      ev.stopPropagation();
      opts.onSeekTime(d.t);
    })
    .selectAll('title')
    .data((d) => [d])
    .join('title')
    .text((d) => `${(d.t / 1e6).toFixed(3)} s: ${d.text}`);
}

/** Compare mode: where the outcomes first differ. */
function drawDiff(svg: Svg, x: ReturnType<typeof timeScale>, input: TimelineInput, size: Size, opts: TimelineOptions): void {
  const diff = ensure(svg, 'g.diff')
    .attr('display', input.diffUs === undefined ? 'none' : null)
    .attr('data-testid', 'timeline-diff');
  if (input.diffUs !== undefined) {
    const dx = x(input.diffUs);
    diff.raise();
    ensure(diff, 'line.diffline').attr('x1', dx).attr('x2', dx).attr('y1', 0).attr('y2', size.height);
    ensure(diff, 'line.diffhit').attr('x1', dx).attr('x2', dx).attr('y1', 0).attr('y2', size.height).attr('data-testid', 'timeline-diff-line');
    ensure(diff, 'text.difflabel')
      .attr('x', dx - 4)
      .attr('y', 12)
      .attr('text-anchor', 'end')
      .text('A and B first differ');
    diff.on('click', (ev: MouseEvent) => {
      ev.stopPropagation();
      opts.onSeekTime(input.diffUs!);
    });
  }
}

/** The charts' lane: as high as the svg leaves them (at most 28 px, plus 6 between charts). */
const chartHeight = (height: number, axisY: number, n: number): number => Math.max(12, Math.min(28, (height - axisY - 28) / n - 6));

function drawCharts(svg: Svg, x: ReturnType<typeof timeScale>, input: TimelineInput, axisY: number, opts: TimelineOptions, height: number): void {
  const list = chartsOf(input.groups);
  const ch = chartHeight(height, axisY, list.length);
  const charts = ensure(svg, 'g.charts').attr('display', opts.showCharts ? null : 'none');
  if (!opts.showCharts) return;
  charts
    .selectAll<SVGGElement, Chart>('g.chart')
    .data(list, (d) => d.key)
    .join((enter) => {
      const e = enter.append('g').attr('class', 'chart');
      e.append('path').attr('class', 'area');
      e.append('text').attr('class', 'clabel');
      e.append('text').attr('class', 'cmax');
      return e;
    })
    .attr('transform', (_, k) => `translate(0,${axisY + 22 + k * (ch + 6)})`)
    .each(function (c) {
      drawChart(d3.select(this), c, x, input, ch);
    });
}

/** One chart: A's area (and second series as a line) and, comparing, B's values as a dashed line. */
function drawChart(s: d3.Selection<SVGGElement, unknown, null, undefined>, c: Chart, x: ReturnType<typeof timeScale>, input: TimelineInput, ch: number): void {
  const pts = input.series;
  const perSec = 1e6 / input.seriesWidthUs;
  const bPts = input.b?.series;
  const bPerSec = input.b === undefined ? perSec : 1e6 / input.b.seriesWidthUs;
  const valuesOf = (ps: SeriesPoint[], k: number): number[] => ps.map((p) => (c.key === 'acked' ? p.acked * k : p[c.key]));
  const vals = valuesOf(pts, perSec);
  const bVals = bPts === undefined ? [] : valuesOf(bPts, bPerSec);
  const max = d3.max([...vals, ...bVals].filter((v) => Number.isFinite(v))) ?? 0;
  const y = d3
    .scaleLinear()
    .domain([0, max > 0 ? max : 1])
    .range([ch, 0]);
  const curve = c.step ? d3.curveStepAfter : d3.curveMonotoneX;
  const gen = d3
    .area<number>()
    .defined((v) => Number.isFinite(v))
    .x((_, k) => x(pts[k].t + (c.step ? 0 : input.seriesWidthUs / 2)))
    .y0(ch)
    .y1((v) => y(v))
    .curve(curve);
  s.select('path.area')
    .attr('d', gen(vals) ?? '')
    .attr('fill', c.color)
    .attr('stroke', c.color);
  // The second series (p50 under the p99 area), on the same scale.
  const second = c.line;
  const lineGen = d3
    .line<number>()
    .defined((v) => Number.isFinite(v))
    .x((_, k) => x(pts[k].t + input.seriesWidthUs / 2))
    .y((v) => y(v))
    .curve(curve);
  ensure(s, 'path.aline')
    .attr('display', second === undefined ? 'none' : null)
    .attr('d', second === undefined ? '' : (lineGen(pts.map((p) => p[second])) ?? ''))
    .attr('stroke', c.color);
  // B: a dashed line over A's area.
  const bw = input.b?.seriesWidthUs ?? input.seriesWidthUs;
  const line = d3
    .line<number>()
    .defined((v) => Number.isFinite(v))
    .x((_, k) => x(bPts![k].t + (c.step ? 0 : bw / 2)))
    .y((v) => y(v))
    .curve(curve);
  ensure(s, 'path.bline')
    .attr('display', bPts === undefined ? 'none' : null)
    .attr('d', bPts === undefined ? '' : (line(bVals) ?? ''))
    .attr('stroke', c.color);
  s.select('text.clabel')
    .attr('x', 4)
    .attr('y', ch / 2 + 4)
    .text(c.label);
  s.select('text.cmax')
    .attr('x', MARGIN.left - 4)
    .attr('y', 8)
    .attr('text-anchor', 'end')
    .text(max > 0 ? d3.format('.3~s')(max) : '0');
}

function drawCursor(svg: d3.Selection<SVGSVGElement, unknown, null, undefined>, x: ReturnType<typeof timeScale>, input: TimelineInput, size: Size): void {
  ensure(svg, 'line.cursor').attr('x1', x(input.cursorUs)).attr('x2', x(input.cursorUs)).attr('y1', 0).attr('y2', size.height);
  ensure(svg, 'text.cursorlabel')
    .attr('x', Math.min(x(input.cursorUs) + 4, size.width - 70))
    .attr('y', 12)
    .text(`${(input.cursorUs / 1e6).toFixed(3)} s`);
}
