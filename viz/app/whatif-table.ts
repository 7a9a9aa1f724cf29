/**
 * The What-if tab's table: every point's figures (the columns of `kafkasim plan`'s table), grouped by
 * configuration; the bottleneck column only when some point's run names one; a point without figures
 * shows why.
 *
 * Two header rows keep it narrow enough for a 1280 px screen in large type: the latencies' unit is said once
 * over their columns (`produce latency, ms` over `p50 p99 p99.9`), so each column is as wide as its figures;
 * every header's tooltip names its column in full. A configuration of several settings and a bottleneck wrap
 * onto more lines rather than widen the table.
 */
import type { WhatIfChart } from '../derive/whatif.js';
import { bottleneckText, SERIES_COLORS, xAxisTitle } from '../views/whatif-chart.js';

/** The figures' columns: `col` names its cells (data-col, as `kafkasim plan`'s table heads them), `head` is the header under its group's. */
interface Column {
  col: string;
  head: string;
  title: string;
}

/** Groups of columns: a group with a name heads its columns with it; one without heads its one column on both rows. */
const GROUPS: Array<{ name?: string; title?: string; columns: Column[] }> = [
  {
    name: 'acknowledged',
    title: 'records the producers sent and the cluster acknowledged, per second of simulated time',
    columns: [
      { col: 'records/s', head: 'records/s', title: 'acknowledged records per second' },
      { col: 'MB/s', head: 'MB/s', title: 'acknowledged value bytes per second, MB/s (10^6 bytes)' },
    ],
  },
  {
    name: 'produce latency, ms',
    title: 'produce latency (send to acknowledgement), ms',
    columns: [
      { col: 'p50 ms', head: 'p50', title: 'produce latency, 50th percentile, ms' },
      { col: 'p99 ms', head: 'p99', title: 'produce latency, 99th percentile, ms' },
      { col: 'p99.9 ms', head: 'p99.9', title: 'produce latency, 99.9th percentile, ms' },
    ],
  },
  {
    name: 'e2e, ms',
    title: 'end-to-end latency (produced to consumed), ms',
    columns: [{ col: 'e2e p99 ms', head: 'p99', title: 'end-to-end latency (produced to consumed), 99th percentile, ms' }],
  },
  { columns: [{ col: 'lag', head: 'lag', title: "consumer lag at the end of the run, records (the groups' total; - without consumers)" }] },
  { columns: [{ col: 'errors', head: 'errors', title: 'produce errors the producers saw (retried and final)' }] },
  { columns: [{ col: 'lost', head: 'lost', title: 'acknowledged records lost' }] },
];
const COLUMNS = GROUPS.flatMap((g) => g.columns);
const BOTTLENECK_TITLE = "the run's most utilized resource (a producer's connection when only it is saturated): node, resource, busy time over the run";
const ms = (x: number) => x.toFixed(1);

function cell(row: HTMLTableRowElement, text: string, cls?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (cls !== undefined) td.className = cls;
  return td;
}

function header(row: HTMLTableRowElement, text: string, title: string, span: { cols?: number; rows?: number; cls?: string } = {}): void {
  const th = document.createElement('th');
  th.textContent = text;
  th.title = title;
  th.scope = (span.cols ?? 1) > 1 ? 'colgroup' : 'col';
  if (span.cols !== undefined) th.colSpan = span.cols;
  if (span.rows !== undefined) th.rowSpan = span.rows;
  if (span.cls !== undefined) th.className = span.cls;
  row.append(th);
}

export function renderTable(table: HTMLTableElement, chart: WhatIfChart | undefined): void {
  table.replaceChildren();
  if (chart === undefined) return;
  const withBottleneck = chart.series.some((s) => s.points.some((p) => p.figures?.bottleneck !== undefined));
  const thead = table.createTHead();
  const top = thead.insertRow();
  const under = thead.insertRow();
  header(top, 'configuration', 'configuration: the settings its points run with, besides the x axis', { rows: 2, cls: 'cfg' });
  header(top, chart.xName, xAxisTitle(chart.xName), { rows: 2 });
  for (const g of GROUPS) {
    if (g.name === undefined) {
      for (const c of g.columns) header(top, c.head, c.title, { rows: 2 });
      continue;
    }
    header(top, g.name, g.title ?? g.name, { cols: g.columns.length, cls: 'group' });
    for (const c of g.columns) header(under, c.head, c.title);
  }
  if (withBottleneck) header(top, 'bottleneck', BOTTLENECK_TITLE, { rows: 2, cls: 'text' });
  const body = table.createTBody();
  chart.series.forEach((s, i) => {
    for (const p of s.points) {
      const row = body.insertRow();
      row.dataset.testid = 'wi-row';
      row.dataset.series = String(i);
      row.dataset.x = p.xText;
      const c = cell(row, s.label, 'cfg');
      const swatch = document.createElement('i');
      swatch.style.background = SERIES_COLORS[i % SERIES_COLORS.length]!;
      c.prepend(swatch);
      cell(row, p.xText);
      const f = p.figures;
      if (f === undefined) {
        cell(row, p.error ?? 'no figures', 'err').colSpan = COLUMNS.length + (withBottleneck ? 1 : 0);
        continue;
      }
      row.dataset.hash = f.traceHash;
      const values = [
        Math.round(f.recordsPerSec).toLocaleString('en-US'),
        f.mbPerSec.toFixed(2),
        ms(f.produceMs.p50),
        ms(f.produceMs.p99),
        ms(f.produceMs.p999),
        ms(f.endToEndMs.p99),
        String(f.lag ?? '-'),
        String(f.errors),
        String(f.lost),
      ];
      values.forEach((v, k) => {
        cell(row, v).dataset.col = COLUMNS[k]!.col;
      });
      if (withBottleneck) cell(row, f.bottleneck ? bottleneckText(f.bottleneck) : '', 'text').dataset.col = 'bottleneck';
    }
  });
}
