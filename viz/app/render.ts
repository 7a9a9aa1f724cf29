/** Drawing the page at the cursor: the header line, the three views, the narrative and the panels. */
import type { TraceEvent } from '../../sim/index.js';
import { inFlight, type Frame } from '../derive/frames.js';
import { fmtTime } from '../derive/narrative.js';
import { drawCluster } from '../views/cluster.js';
import { drawPartitions } from '../views/partitions.js';
import { drawTimeline, timelineHeight } from '../views/timeline.js';
import { aSettings, firstDifference, renderCompare } from './compare.js';
import { openFaultMenu, openLinkMenu } from './fault-menu.js';
import { describe, renderChecks, renderNarrative, statsText, violations } from './panels.js';
import { endTime, stopAt, stopAtTime } from './playback.js';
import type { App } from './state.js';
import { $, size } from './ui.js';
import { renderStory } from './story-panel.js';
import { renderWhyCursor } from './why-panel.js';
import { partitionNotes, renderGroups, withSkipped } from './groups-panel.js';

type Header = Extract<TraceEvent, { type: 'header' }>;

export function render(app: App): void {
  const { state } = app;
  // Read every size before any DOM write: a read after a write forces a synchronous layout, and with
  // three reads between the views' writes every frame was laid out three times.
  const els = { cluster: $('cluster'), parts: $('partitions'), tl: $('timeline') };
  const sizes = { cluster: size(els.cluster, 200), partsWidth: size(els.parts).width - 4, tlWidth: size(els.tl).width };
  const events = state.model.index.events;
  const header = events[0]?.type === 'header' ? events[0] : undefined;
  renderTitles(app, header);
  renderStory(app);
  if (state.cursorI < 0 || header === undefined) {
    $('cursor-time').textContent = '';
    return;
  }
  const frame = state.model.index.frameAt(state.cursorI);
  renderCursorText(app, header, frame);
  drawViews(app, header, frame, els, sizes);
  renderGroups(app, frame);
  renderNarrative(app, withSkipped(state.model, state.summary));
  renderChecks(app);
  renderWhyCursor(app);
  renderCompare(app);
}

/** The trace hash, the run's title (and A's, comparing) and the scrubber. */
function renderTitles(app: App, header: Header | undefined): void {
  const { state } = app;
  $('trace-hash').textContent = state.hash || (state.source ? '…' : '—');
  $('run-title').textContent = header ? `${header.scenario} · seed ${header.seed} · Kafka ${header.kafkaVersion}` : '';
  if (app.cmp.on) $('a-title').textContent = header ? `${header.scenario}${aSettings(app)} · seed ${header.seed}` : '';
  const scrub = $<HTMLInputElement>('scrub');
  scrub.max = String(Math.max(0, state.model.index.length - 1));
  scrub.value = String(Math.max(0, state.cursorI));
}

/** The cursor's time and index, its event and the run's counts so far. */
function renderCursorText(app: App, header: Header, frame: Frame): void {
  const { state } = app;
  const idx = state.model.index;
  $('cursor-time').textContent = `${fmtTime(state.cursorT)} / ${fmtTime(header.durationUs)}`;
  $('cursor-index').textContent = `event ${(state.cursorI + 1).toLocaleString()} / ${idx.length.toLocaleString()}${state.done ? '' : '…'}`;
  $('current-event').textContent = describe(idx.events[state.cursorI], state.cursorI);
  $('stats').textContent = statsText(frame);
}

/** The cluster, the partitions and the timeline at the cursor. */
function drawViews(
  app: App,
  header: Header,
  frame: Frame,
  els: { cluster: HTMLElement; parts: HTMLElement; tl: HTMLElement },
  sizes: { cluster: { width: number; height: number }; partsWidth: number; tlWidth: number },
): void {
  const { state, cmp } = app;
  const events = state.model.index.events;
  const t = state.cursorT;
  const scenario = state.source?.kind === 'scenario';
  drawCluster(els.cluster.querySelector('svg')!, frame, inFlight(events, state.cursorI, t), t, sizes.cluster, {
    onNodeClick: scenario ? (node, ev) => openFaultMenu(app, node, ev) : undefined,
    onLinkClick: scenario ? (a, b, cut, ev) => openLinkMenu(app, a, b, cut, ev) : undefined,
    large: state.large,
  });
  const groups = Object.keys(frame.groups).length > 0 ? partitionNotes(state.model, frame, state.summary) : undefined;
  drawPartitions(
    els.parts.querySelector('svg')!,
    frame,
    { width: sizes.partsWidth, height: 0 },
    { window: state.window, large: state.large, notes: groups?.notes, marks: groups?.marks, highlight: state.highlight },
  );
  // A short window (a laptop, large type on a projector) gets lower chart lanes, so the panels above keep their room.
  const compact = window.innerHeight < (state.large ? 1000 : 860);
  const hasGroups = header.consumers.some((c) => c.group !== undefined);
  const tlSize = { width: sizes.tlWidth, height: timelineHeight(state.charts, state.large, compact, hasGroups) };
  els.tl.style.height = `${tlSize.height}px`;
  drawTimeline(
    els.tl.querySelector('svg')!,
    {
      durationUs: header.durationUs,
      loadedUs: endTime(app),
      cursorUs: t,
      items: state.model.items,
      series: state.model.series.points,
      seriesWidthUs: state.model.series.width,
      b: cmp.on && cmp.model.index.length > 0 ? { items: cmp.model.items, series: cmp.model.series.points, seriesWidthUs: cmp.model.series.width } : undefined,
      diffUs: cmp.on ? firstDifference(app)?.t : undefined,
      violations: violations(app),
      groups: hasGroups,
    },
    tlSize,
    { showCharts: state.charts, onSeekTime: (x) => stopAtTime(app, x), onSeekIndex: (i) => stopAt(app, i) },
  );
}
