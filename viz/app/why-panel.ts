/** The "why were these records lost?" panel: the chain of events, each a link to its moment. */
import * as d3 from 'd3';
import { fmtTime } from '../derive/narrative.js';
import { explainLoss, lostAt, type WhyStep } from '../derive/why.js';
import { stopAt } from './playback.js';
import type { App } from './state.js';
import { $ } from './ui.js';

/** Opens the panel with the chain of events that lost `tp`'s records around `at` (an event index or an offset). */
export function showWhy(app: App, tp: string, at: { i?: number; offset?: number }): void {
  const { state, view } = app;
  const frame = state.model.index.frameAt(at.i ?? state.cursorI);
  const lost = lostAt(frame, tp, at);
  if (lost === undefined) return;
  const w = explainLoss(state.model.index, state.model.items, tp, lost);
  view.whySteps = w.steps;
  view.whyCurrent = -2;
  $('why-title').textContent = w.title;
  d3.select('#why-steps')
    .selectAll<HTMLLIElement, WhyStep>('li')
    .data(w.steps)
    .join((enter) => {
      const li = enter.append('li').attr('tabindex', 0).attr('data-testid', 'why-step');
      li.append('span').attr('class', 'when');
      li.append('span').attr('class', 'kind');
      li.append('span').attr('class', 'text');
      return li;
    })
    .attr('data-kind', (d) => d.kind)
    .on('click', (_, d) => stopAt(app, d.i))
    .on('keydown', (ev: KeyboardEvent, d) => {
      if (ev.key === 'Enter') stopAt(app, d.i);
    })
    .call((li) => {
      li.select('.when').text((d) => fmtTime(d.t));
      li.select('.kind').text((d) => d.kind);
      li.select('.text').text((d) => d.text);
    });
  d3.select('#why-lessons')
    .selectAll('li')
    .data(w.lessons)
    .join('li')
    .text((d) => d);
  $('why').hidden = false;
  renderWhyCursor(app);
}

export function closeWhy(app: App): void {
  $('why').hidden = true;
  app.view.whySteps = [];
}

/** Marks the step at or before the cursor. */
export function renderWhyCursor(app: App): void {
  const { view } = app;
  if (view.whySteps.length === 0) return;
  let cur = -1;
  for (let k = 0; k < view.whySteps.length && view.whySteps[k].i <= app.state.cursorI; k++) cur = k;
  if (cur === view.whyCurrent) return;
  view.whyCurrent = cur;
  d3.select('#why-steps')
    .selectAll<HTMLLIElement, WhyStep>('li')
    .classed('current', (_, k) => k === cur);
}
