/** Compare mode: a second run (B) beside the first at the same simulated time, and where they first differ. */
import * as d3 from 'd3';
import { inFlight } from '../derive/frames.js';
import { Model } from '../derive/model.js';
import { fmtTime, type NarrativeItem } from '../derive/narrative.js';
import type { WorkerReply, WorkerRequest } from '../io/protocol.js';
import { drawCluster } from '../views/cluster.js';
import { drawPartitions } from '../views/partitions.js';
import { partitionNotes, renderCompareGroups, withSkipped } from './groups-panel.js';
import { cmpPicker, cmpSeedInput } from './inputs.js';
import { applyKnobs, currentKnobs } from './knobs.js';
import { statsText } from './panels.js';
import { stopAtTime } from './playback.js';
import { scheduleRender } from './schedule.js';
import { BY_NAME, DEFAULT_SCENARIO, partnerOf, SAME, SCENARIOS, STORIES } from './scenarios.js';
import { applyCompareSettings, formatSettings, ownSetting, parseSettings, settingsOf } from './settings.js';
import { renderCompareStory, storyOfRun } from './story-panel.js';
import type { App, Source } from './state.js';
import { $, showError, size } from './ui.js';
import { updateUrl } from './url-state.js';

/** B's scenario text: a bundled scenario with A's knobs or, for SAME, A's own text; B's settings on top. */
function compareText(app: App, name: string, aSource: Source | undefined): { text: string; source: string } | undefined {
  const { state, cmp } = app;
  let base: string | undefined;
  let source = name;
  if (name === SAME) {
    if (aSource === undefined || aSource.kind !== 'scenario') {
      showError(`compare: A is a trace file, not a scenario: pick a scenario for B`);
      return undefined;
    }
    base = aSource.text;
    source = aSource.name;
    cmp.aText = aSource.text;
  } else base = SCENARIOS.get(name);
  if (base === undefined) {
    showError(`compare: no scenario named "${name}"`);
    return undefined;
  }
  try {
    cmp.knobs = parseSettings($<HTMLInputElement>('cmp-set').value);
    // Another scenario gets A's knobs first; B's settings go on top.
    return { text: applyCompareSettings(name === SAME ? base : applyKnobs(base, state.knobs), cmp.knobs), source };
  } catch (e) {
    showError(`B settings: ${(e as Error).message}`);
    return undefined;
  }
}

/**
 * Runs B: a bundled scenario (with A's knobs) or, for SAME, A's own scenario text (its knobs and any faults
 * added by clicking already in it; `aSource` while A itself is starting), then B's settings on top.
 */
export function runCompare(app: App, name: string, seed: number | undefined, aSource: Source | undefined = app.load.pendingSource?.source ?? app.state.source): void {
  const { cmp } = app;
  const b = compareText(app, name, aSource);
  if (b === undefined) return;
  cmp.worker?.terminate();
  const w = new Worker(new URL('../io/sim-worker.ts', import.meta.url), { type: 'module' });
  cmp.worker = w;
  const id = ++cmp.id;
  let fresh = true;
  w.onmessage = (e: MessageEvent<WorkerReply>) => {
    const m = e.data;
    if (id !== cmp.id) return;
    if (m.kind === 'error') {
      showError(`B: ${m.message}`);
      w.terminate();
      return;
    }
    if (fresh) {
      fresh = false;
      Object.assign(cmp, { model: new Model(), name, seed, hash: '', done: false });
    }
    if (m.kind === 'events') cmp.model.push(m.events);
    else if (m.kind === 'done') {
      cmp.hash = m.hash;
      cmp.summary = m.summary;
      cmp.done = true;
      const h = cmp.model.index.events[0];
      if (h?.type === 'header') cmp.seed = h.seed;
      w.terminate();
      updateUrl(app);
    }
    scheduleRender(app);
  };
  w.postMessage({ kind: 'run', id, text: b.text, source: b.source, seed } satisfies WorkerRequest);
}

/** Shows compare mode on or off (the panel, the body's class, the button). */
export function showCompare(app: App, on: boolean): void {
  app.cmp.on = on;
  $('compare').hidden = !on;
  document.body.classList.toggle('comparing', on);
  $('compare-btn').setAttribute('aria-pressed', String(on));
}

export function setCompare(app: App, on: boolean): void {
  const { state, cmp } = app;
  showCompare(app, on);
  const stale = cmpPicker() === SAME && state.source?.kind === 'scenario' && cmp.aText !== state.source.text;
  if (on && stale && cmp.model.index.length > 0) runCompare(app, SAME, cmpSeedInput() ?? state.seed);
  else if (on && cmp.model.index.length === 0 && cmp.worker === undefined) {
    // Settings already given (a link's cmpset) are kept.
    const b = chooseB(app, state.source, $<HTMLInputElement>('cmp-set').value.trim() !== '');
    runCompare(app, b.name, b.seed);
  }
  updateUrl(app);
  scheduleRender(app);
}

/**
 * B for A's scenario, set in B's picker, seed and settings: the scenario A's `compare.with` names (with
 * its own seed), or A itself (its seed and faults) with A's `compare.set`; a scenario that names neither
 * gets the other acks (all ↔ 1). For a trace file, the bundled scenario it was run from, if there is one.
 */
function chooseB(app: App, src: Source | undefined, keepSettings = false): { name: string; seed: number | undefined } {
  const { state } = app;
  const sel = $<HTMLSelectElement>('cmp-scenario');
  const setInput = $<HTMLInputElement>('cmp-set');
  const header = state.model.index.events[0];
  const traceOf = src?.kind === 'trace' && header?.type === 'header' ? BY_NAME.get(header.scenario) : undefined;
  const story = src?.kind === 'trace' ? (traceOf === undefined ? undefined : STORIES.get(traceOf)) : storyOfRun(src, undefined);
  const partner = partnerOf(story);
  $<HTMLInputElement>('cmp-seed').value = '';
  if (partner !== undefined && !keepSettings) {
    sel.value = partner;
    setInput.value = '';
    return { name: partner, seed: undefined };
  }
  sel.value = src === undefined || src.kind === 'scenario' ? SAME : (traceOf ?? DEFAULT_SCENARIO ?? SAME);
  const aSeed = app.load.pendingSource !== undefined ? app.load.pendingSource.seed : state.seed;
  if (keepSettings) return { name: sel.value, seed: aSeed };
  const set = story?.compare?.set;
  if (set !== undefined) setInput.value = formatSettings(settingsOf(set));
  else {
    const aText = sel.value === SAME ? src?.text : SCENARIOS.get(sel.value);
    const acks = currentKnobs(aText ?? '').acks ?? state.knobs.acks ?? 'all';
    setInput.value = `acks=${acks === '1' ? 'all' : '1'}`;
  }
  return { name: sel.value, seed: sel.value === SAME ? aSeed : undefined };
}

/**
 * A was opened anew (from the picker or a file): B follows it, chosen as {@link chooseB} does. A side of
 * a question opens beside its other side, compare mode on.
 */
export function followA(app: App): void {
  const src = app.load.pendingSource?.source;
  const story = src?.kind === 'scenario' ? storyOfRun(src, undefined) : undefined;
  const pair = story?.question !== undefined && partnerOf(story) !== undefined;
  if (!app.cmp.on && !pair) return;
  showCompare(app, true);
  const b = chooseB(app, src);
  runCompare(app, b.name, b.seed);
  updateUrl(app);
  scheduleRender(app);
}

/** A's values of the settings B changes (" [acks=all]"), so the two titles read as a comparison. */
export function aSettings(app: App): string {
  const { state, cmp, view } = app;
  const text = state.source?.kind === 'scenario' ? state.source.text : '';
  const keys = Object.keys(cmp.knobs);
  if (text === '' || keys.length === 0) return '';
  if (view.aSettings?.text !== text || view.aSettings.keys !== keys.join()) {
    view.aSettings = { text, keys: keys.join(), out: ` [${keys.map((k) => `${k}=${ownSetting(text, k)}`).join(', ')}]` };
  }
  return view.aSettings.out;
}

export function renderCompare(app: App): void {
  const { state, cmp } = app;
  if (!cmp.on) return;
  $('cmp-hash').textContent = cmp.hash || (cmp.model.index.length > 0 ? '…' : '—');
  const idx = cmp.model.index;
  const header = idx.events[0]?.type === 'header' ? idx.events[0] : undefined;
  if (header === undefined) return;
  const t = state.cursorT;
  const i = Math.max(0, idx.indexAtTime(t));
  const frame = idx.frameAt(i);
  renderCompareStory(app);
  $('cmp-title').textContent = `${header.scenario}${formatSettings(cmp.knobs) ? ` [${formatSettings(cmp.knobs)}]` : ''} · seed ${header.seed} · at ${fmtTime(t)} · ${statsText(frame)}`;
  renderFirstDifference(app);
  const cl = $('cmp-cluster');
  drawCluster(cl.querySelector('svg')!, frame, inFlight(idx.events, i, t), t, size(cl, 140), { large: state.large });
  const pe = $('cmp-partitions');
  const groups = Object.keys(frame.groups).length > 0 ? partitionNotes(cmp.model, frame, cmp.summary) : undefined;
  drawPartitions(pe.querySelector('svg')!, frame, { width: size(pe).width - 4, height: 0 }, { window: state.window, large: state.large, notes: groups?.notes, marks: groups?.marks });
  renderCompareGroups(app, frame);
  renderCompareNarrative(
    withSkipped(cmp.model, cmp.summary)
      .filter((x) => x.t <= t)
      .slice(-12)
      .reverse(),
  );
}

/** B's last narrative lines up to the cursor, newest first. */
function renderCompareNarrative(items: NarrativeItem[]): void {
  d3.select('#cmp-narrative')
    .selectAll<HTMLLIElement, NarrativeItem>('li')
    .data(items, (d) => `${d.i}|${d.kind}`)
    .join((enter) => {
      const li = enter.append('li').attr('data-testid', 'compare-item');
      li.append('span').attr('class', 'when');
      li.append('span').attr('class', 'text');
      return li;
    })
    .classed('severe', (d) => d.severe === true)
    .call((li) => {
      li.select('.when').text((d) => fmtTime(d.t));
      li.select('.text').text((d) => d.text);
    })
    .order();
}

/**
 * The first moment the two runs' outcomes differ: the first narrative line (faults, elections, ISR
 * changes, truncations, losses, end-of-run counts) whose words differ between A and B.
 */
export function firstDifference(app: App): { t: number; a?: NarrativeItem; b?: NarrativeItem } | undefined {
  if (!app.state.done || !app.cmp.done) return undefined;
  const a = app.state.model.items;
  const b = app.cmp.model.items;
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i];
    const y = b[i];
    // The same story at slightly different times (a retry 40 ms later) is not a different outcome.
    if (x === undefined || y === undefined || x.text !== y.text) {
      return { t: Math.min(x?.t ?? Infinity, y?.t ?? Infinity), a: x, b: y };
    }
  }
  return undefined;
}

/** The end-of-run record counts that differ between A and B ("; at the end: reordered A 24 · B 0"). */
function endCounts(app: App): string {
  const a = app.state.summary?.records;
  const b = app.cmp.summary?.records;
  if (a === undefined || b === undefined) return '';
  const keys = Object.keys(a) as Array<keyof typeof a>;
  const diff = keys.filter((k) => a[k] !== b[k]).map((k) => `${k} A ${a[k].toLocaleString()} · B ${b[k].toLocaleString()}`);
  return diff.length === 0 ? ', and they end with the same record counts' : `; at the end: ${diff.join('; ')}`;
}

function renderFirstDifference(app: App): void {
  const el = $('cmp-diff');
  const d = firstDifference(app);
  // The same story is an outcome, not a fault: said in neutral words and colour.
  el.classList.toggle('same', d === undefined);
  if (d === undefined) {
    el.textContent = app.state.done && app.cmp.done ? `the two runs tell the same story${endCounts(app)}` : '';
    el.title = '';
    el.onclick = null;
    return;
  }
  el.textContent = `outcomes first differ at ${fmtTime(d.t)}: A ${d.a ? `“${d.a.text}”` : '(nothing)'} · B ${d.b ? `“${d.b.text}”` : '(nothing)'}`;
  el.title = 'jump there';
  el.onclick = () => stopAtTime(app, d.t);
}
