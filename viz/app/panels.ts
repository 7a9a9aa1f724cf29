/** The text panels at the cursor: the checks' verdict, the narrative, the current event and the counts. */
import * as d3 from 'd3';
import { CHECK_NAMES, LIVENESS_CHECKS, type RunSummary, type TraceEvent } from '../../sim/index.js';
import type { Frame } from '../derive/frames.js';
import { fmtTime, nodeName, type NarrativeItem } from '../derive/narrative.js';
import { KIND_COLORS } from '../views/colors.js';
import { stopAt } from './playback.js';
import type { App } from './state.js';
import { $ } from './ui.js';
import { jumpToViolation } from './violation-jump.js';
import { showWhy } from './why-panel.js';

/** The run's check violations (sim/checks, from the worker's summary) for the timeline. */
export function violations(app: App): Array<{ t: number; text: string }> | undefined {
  const s = app.state.summary;
  if (s === null) return undefined;
  if (app.view.violations?.summary !== s) {
    app.view.violations = { summary: s, out: s.violations.map((v) => ({ t: Math.round(v.atMs * 1000), text: `check ${v.check} failed on ${v.partition}: ${v.detail}` })) };
  }
  return app.view.violations.out;
}

/** Above the narrative: the checks' verdict; each violation is a link to when it was detected. */
export function renderChecks(app: App): void {
  const s = app.state.summary;
  if (app.view.checksFor === s) return;
  app.view.checksFor = s;
  const el = $('checks');
  el.replaceChildren();
  el.className = '';
  if (s === null) return;
  const vs = s.violations;
  // The liveness checks run only after a quiet, healed end of the run; else the summary says why not.
  const skipped = s.liveness?.checked === false ? LIVENESS_CHECKS : [];
  const ran = CHECK_NAMES.filter((c) => !skipped.includes(c));
  const liveness =
    skipped.length > 0
      ? Object.assign(document.createElement('span'), { className: 'liveness muted', textContent: ` · liveness checks skipped`, title: `${skipped.join(', ')} skipped: ${s.liveness.skipped}` })
      : undefined;
  if (liveness !== undefined) liveness.dataset.testid = 'liveness-skipped';
  if (vs.length === 0) {
    el.className = 'pass';
    el.append(`checks: all ${ran.length} pass (${ran.join(', ')})`);
    if (liveness !== undefined) el.append(liveness);
    return;
  }
  el.className = 'fail';
  const by = [...new Set(vs.map((v) => v.check))];
  el.append(`checks: ${vs.length} violation(s) of ${by.join(', ')} `);
  const jump = Object.assign(document.createElement('button'), { type: 'button', textContent: 'jump to violation', title: 'go to when the first violation was caused and highlight its records' });
  jump.dataset.testid = 'jump-to-violation';
  jump.onclick = () => jumpToViolation(app, vs[0]);
  el.append(jump);
  if (liveness !== undefined) el.append(liveness);
  el.append(violationList(app, vs));
}

function violationList(app: App, vs: RunSummary['violations']): HTMLUListElement {
  const ul = document.createElement('ul');
  const SHOWN = 30;
  for (const v of vs.slice(0, SHOWN)) {
    const li = document.createElement('li');
    li.dataset.testid = 'check-violation';
    li.textContent = `${fmtTime(v.atMs * 1000)} ${v.check} (${v.partition}): ${v.detail}`;
    if (v.causeMs !== undefined && v.causeMs !== v.atMs) li.textContent += ` (caused at ${fmtTime(v.causeMs * 1000)})`;
    li.title = li.textContent;
    li.onclick = () => jumpToViolation(app, v);
    ul.append(li);
  }
  if (vs.length > SHOWN) ul.append(Object.assign(document.createElement('li'), { textContent: `… and ${vs.length - SHOWN} more (kafkasim run --json lists them all)` }));
  return ul;
}

export function statsText(f: Frame): string {
  const s = f.stats;
  return `sent ${s.records.toLocaleString()} · acked ${s.acked.toLocaleString()} · failed ${s.failed.toLocaleString()} · retries ${s.retries} · consumed ${s.consumed.toLocaleString()} · truncated ${s.truncated.toLocaleString()} · lost acked ${s.lostAcked.toLocaleString()}`;
}

export function describe(ev: TraceEvent, i: number): string {
  const { type, t, ...rest } = ev as TraceEvent & Record<string, unknown>;
  if (type === 'header') return `#${i} ${fmtTime(t)} header`;
  // A client's trace id (`p:p1`, `c:c1`) shows as its name in the scenario ("producer p1").
  const shown = (v: unknown): string => (typeof v === 'string' && /^[pc]:/.test(v) ? nodeName(v) : String(v));
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.map(shown).join(',')}]` : shown(v)}`)
    .join(' ');
  return `#${i} ${fmtTime(t)} ${type} ${fields}`;
}

/** The narrative: its lines (redrawn when there are more) and the current one (marked, scrolled to). */
export function renderNarrative(app: App, items: NarrativeItem[]): void {
  const { state, view } = app;
  const ul = d3.select<HTMLUListElement, unknown>('#narrative > ul');
  let current = -1;
  for (let k = 0; k < items.length && items[k].i <= state.cursorI; k++) current = k;
  if (items.length !== view.narrativeLen) {
    view.narrativeLen = items.length;
    joinNarrative(app, ul, items);
    view.narrativeCurrent = -2;
  }
  if (current !== view.narrativeCurrent) {
    view.narrativeCurrent = current;
    ul.selectAll<HTMLLIElement, NarrativeItem>('li')
      .classed('past', (d) => d.i <= state.cursorI)
      .classed('current', (_, k) => k === current);
    const el = ul.selectAll<HTMLLIElement, NarrativeItem>('li').nodes()[Math.max(0, current)];
    el?.scrollIntoView({ block: 'nearest' });
  }
}

function joinNarrative(app: App, ul: d3.Selection<HTMLUListElement, unknown, HTMLElement, unknown>, items: NarrativeItem[]): void {
  ul.selectAll<HTMLLIElement, NarrativeItem>('li')
    .data(items, (d) => `${d.i}|${d.kind}`)
    .join((enter) => {
      const li = enter.append('li').attr('tabindex', 0).attr('data-testid', 'narrative-item');
      li.append('span').attr('class', 'when');
      li.append('span').attr('class', 'kind');
      li.append('span').attr('class', 'text');
      // A line that lost acknowledged records: why?
      li.filter((d) => d.kind === 'truncate' && d.severe === true && d.tp !== undefined && d.text.endsWith('LOST'))
        .append('button')
        .attr('class', 'why-btn')
        .attr('data-testid', 'why-button')
        .attr('title', 'the chain of events that lost these records')
        .text('why?')
        .on('click', (ev: MouseEvent, d) => {
          ev.stopPropagation();
          stopAt(app, d.i);
          showWhy(app, d.tp!, { i: d.i });
        });
      return li;
    })
    .attr('data-kind', (d) => d.kind)
    .attr('data-index', (d) => d.i)
    .classed('severe', (d) => d.severe === true)
    .on('click', (_, d) => stopAt(app, d.i))
    .on('keydown', (ev: KeyboardEvent, d) => {
      if (ev.key === 'Enter') stopAt(app, d.i);
    })
    .call((li) => {
      li.select('.when').text((d) => fmtTime(d.t));
      li.select('.kind')
        .text((d) => d.kind)
        .style('background', (d) => KIND_COLORS[d.kind]);
      li.select('.text').text((d) => d.text);
    });
}
