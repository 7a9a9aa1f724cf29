/**
 * The What-if tab's table: every point's figures (the columns of `kafkasim plan`'s table), grouped by
 * configuration; the bottleneck column only when some point's run names one; a point without figures
 * shows why.
 */
import type { WhatIfChart } from '../derive/whatif.js';
import { bottleneckText, SERIES_COLORS } from '../views/whatif-chart.js';

const COLUMNS = ['records/s', 'MB/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'e2e p99 ms', 'lag', 'errors', 'lost'];
const ms = (x: number) => x.toFixed(1);

function cell(row: HTMLTableRowElement, text: string, cls?: string): HTMLTableCellElement {
  const td = row.insertCell();
  td.textContent = text;
  if (cls !== undefined) td.className = cls;
  return td;
}

export function renderTable(table: HTMLTableElement, chart: WhatIfChart | undefined): void {
  table.replaceChildren();
  if (chart === undefined) return;
  const withBottleneck = chart.series.some((s) => s.points.some((p) => p.figures?.bottleneck !== undefined));
  const head = table.createTHead().insertRow();
  for (const [i, h] of ['configuration', chart.xName, ...COLUMNS, ...(withBottleneck ? ['bottleneck'] : [])].entries()) {
    const th = document.createElement('th');
    th.textContent = h;
    if (i === 0) th.className = 'cfg';
    head.append(th);
  }
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
        cell(row, v).dataset.col = COLUMNS[k]!;
      });
      if (withBottleneck) cell(row, f.bottleneck ? bottleneckText(f.bottleneck) : '').dataset.col = 'bottleneck';
    }
  });
}
