/// <reference types="vite/client" />
/**
 * The kafkasim visualizer: runs a scenario in a Web Worker with the same sim/ code as the CLI, folds the
 * trace into frames (viz/frames.ts) and draws the cluster, the partitions' logs, a timeline with charts and
 * a narrative at a cursor that can play, step and seek. The page reads only the trace.
 */
import * as d3 from 'd3';
import { parseDocument, isSeq, YAMLSeq } from 'yaml';
import { CHECK_NAMES, type RunSummary, type TraceEvent } from '../../sim/index.js';
import { inFlight, type Frame } from '../derive/frames.js';
import { Model } from '../derive/model.js';
import { fmtTime, type NarrativeItem } from '../derive/narrative.js';
import type { WorkerReply, WorkerRequest } from '../io/protocol.js';
import { applyKnobs, currentKnobs, formatKnobs, KNOBS, parseKnobs, type Knobs } from './knobs.js';
import { looksLikeTrace, TraceBlockDecoder } from '../io/trace-file.js';
import { drawCluster } from '../views/cluster.js';
import { KIND_COLORS, RECORD_COLORS, RECORD_LABELS } from '../views/colors.js';
import { drawPartitions, type LogWindow } from '../views/partitions.js';
import { drawTimeline, timelineHeight } from '../views/timeline.js';
import { packText, unpackText } from './url-pack.js';
import { explainLoss, lostAt, type WhyStep } from '../derive/why.js';

// ---- scenarios bundled with the page -------------------------------------------------------------

// Every scenario file, by its path under scenarios/ ("killed-leader", "catalog/jepsen-2013-isr-shrink-0.10", ...).
const files = import.meta.glob('/scenarios/**/*.yaml', { query: '?raw', eager: true, import: 'default' }) as Record<string, string>;
const SCENARIOS = new Map<string, string>(
  Object.entries(files)
    .map(([path, text]) => [path.replace(/^\/scenarios\//, '').replace(/\.yaml$/, ''), text] as [string, string])
    .sort(([a], [b]) => (a.includes('/') === b.includes('/') ? a.localeCompare(b) : a.includes('/') ? 1 : -1)),
);
const DEFAULT_SCENARIO = SCENARIOS.has('killed-leader') ? 'killed-leader' : [...SCENARIOS.keys()][0];

// ---- state ---------------------------------------------------------------------------------------

interface Source {
  kind: 'scenario' | 'trace';
  /** Scenario name (bundled) or file name. */
  name: string;
  text: string;
  /** A bundled scenario, unmodified: the URL reproduces it. */
  bundled: boolean;
  /** A trace file opened from disk (read by the worker; `text` is empty). */
  file?: Blob;
  /** A scenario that is not a bundled file: its text packed for the URL (viz/url-pack.ts), once ready. */
  packed?: string;
}

const state = {
  model: new Model(),
  source: undefined as Source | undefined,
  seed: undefined as number | undefined,
  hash: '',
  summary: null as RunSummary | null,
  done: false,
  runMs: 0,
  cursorI: -1,
  cursorT: 0,
  playing: false,
  /** log10 of simulated seconds per real second. */
  speedLog: -1,
  window: 'tail' as LogWindow,
  large: false,
  charts: true,
  /** The main knobs applied to bundled scenarios (empty: the file's own values). */
  knobs: {} as Knobs,
  /** Seek here (event index) once loaded. */
  pendingAt: undefined as number | undefined,
  pendingT: undefined as number | undefined,
};

let worker: Worker | undefined;
let requestId = 0;
/** The model being filled by the current request; swapped in at its first events. */
let incoming: Model | undefined;

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

// ---- running -------------------------------------------------------------------------------------

type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

function startWorker(req: Request): void {
  worker?.terminate();
  blockDecoder = undefined;
  lastLoadingStatus = -Infinity;
  // Scenarios run in worker.ts; trace files are read by trace-worker.ts (small: it starts faster).
  worker = req.kind === 'run' ? new Worker(new URL('../io/sim-worker.ts', import.meta.url), { type: 'module' }) : new Worker(new URL('../io/trace-worker.ts', import.meta.url), { type: 'module' });
  const id = ++requestId;
  incoming = undefined;
  setStatus(req.kind === 'run' ? `running ${req.source}…` : `reading ${req.source}…`);
  const pending = { source: pendingSource };
  worker.onmessage = (e: MessageEvent<WorkerReply>) => onReply(e.data, id, pending.source);
  worker.onerror = (e) => {
    showError(`worker failed: ${e.message}`);
    setStatus('');
  };
  worker.postMessage({ ...req, id } as WorkerRequest);
}

let pendingSource: { source: Source; seed: number | undefined } | undefined;
/** The run shown before the one loading (restored if the new one fails part way). */
let previous: Partial<typeof state> | undefined;
let lastLoadingRender = -Infinity;
let lastLoadingStatus = -Infinity;

function run(source: Source, seed: number | undefined, at?: { i?: number; t?: number }): void {
  pendingSource = { source, seed };
  // An edited or opened scenario goes into the URL whole (packed), so the link still reproduces the run.
  if (source.kind === 'scenario' && !source.bundled && source.packed === undefined) {
    packText(source.text).then(
      (p) => {
        source.packed = p;
        if (state.source === source) updateUrl();
      },
      () => undefined,
    );
  }
  state.pendingAt = at?.i;
  state.pendingT = at?.t;
  if (source.kind === 'scenario') {
    startWorker({ kind: 'run', text: source.text, source: source.name, seed });
    // Compare mode with B = "same as A": B is A's scenario (its faults, clicked ones included) with B's settings.
    if (cmp.on && cmpPicker() === SAME) runCompare(SAME, cmpSeedInput() ?? seed, source);
  } else if (source.file !== undefined) startWorker({ kind: 'traceFile', file: source.file, source: source.name });
  else startWorker({ kind: 'trace', text: source.text, source: source.name });
}

/** Makes the events of a trace file's blocks (the worker has checked and hashed them). */
let blockDecoder: TraceBlockDecoder | undefined;
/** A request that failed: anything its worker still sends is ignored. */
let failedRequest = -1;

function onReply(m: WorkerReply, id: number, pending: typeof pendingSource): void {
  if (id !== requestId || id === failedRequest) return;
  if (m.kind === 'eventsBlock') {
    blockDecoder ??= new TraceBlockDecoder();
    const events = blockDecoder.decode(m.block);
    if (events.length === 0) return;
    m = { kind: 'events', id, events };
  }
  if (m.kind === 'error') {
    failedRequest = id;
    // A trace file is posted as it is read: a bad line far in may come after events. Keep the previous run.
    if (incoming !== undefined && previous !== undefined) {
      Object.assign(state, previous);
      incoming = undefined;
      updateUrl();
      syncPicker();
      scheduleRender();
    }
    showError(m.message);
    setStatus(state.source ? '' : 'no run loaded');
    worker?.terminate();
    worker = undefined;
    return;
  }
  if (incoming === undefined) {
    // First reply of a good run: switch to it.
    hideError();
    previous = { model: state.model, source: state.source, seed: state.seed, hash: state.hash, summary: state.summary, done: state.done, runMs: state.runMs, cursorI: state.cursorI, cursorT: state.cursorT };
    incoming = new Model();
    state.model = incoming;
    state.source = pending?.source;
    state.seed = pending?.seed;
    state.hash = '';
    state.summary = null;
    state.done = false;
    state.cursorI = -1;
    state.cursorT = 0;
    state.playing = false;
    closeWhy();
    updateUrl();
    syncPicker();
  }
  if (m.kind === 'events') {
    state.model.push(m.events);
    // While loading, show the count and draw now and then only (each change makes a frame to render, and
    // each draw of the growing timeline and narrative costs).
    const now = performance.now();
    if (now - lastLoadingStatus >= 250) {
      lastLoadingStatus = now;
      setStatus(`${state.model.index.length.toLocaleString()} events…`);
    }
    if (state.cursorI < 0) seekIndex(0);
    if (now - lastLoadingRender >= 500) {
      lastLoadingRender = now;
      scheduleRender();
    }
    return;
  }
  previous = undefined;
  state.hash = m.hash;
  state.summary = m.summary;
  state.done = true;
  state.runMs = m.ms;
  const header = state.model.index.events[0];
  if (header?.type === 'header') state.seed = header.seed;
  setStatus(`${m.events.toLocaleString()} events in ${(m.ms / 1000).toFixed(1)} s`);
  worker?.terminate();
  worker = undefined;
  if (state.pendingAt !== undefined) seekIndex(state.pendingAt);
  else if (state.pendingT !== undefined) seekTime(state.pendingT);
  state.pendingAt = state.pendingT = undefined;
  updateUrl();
  scheduleRender();
}

// ---- cursor --------------------------------------------------------------------------------------

function lastIndex(): number {
  return state.model.index.length - 1;
}

function seekIndex(i: number): void {
  const n = lastIndex();
  state.cursorI = Math.max(n < 0 ? -1 : 0, Math.min(i, n));
  state.cursorT = state.cursorI >= 0 ? state.model.index.events[state.cursorI].t : 0;
  scheduleRender();
  scheduleUrl();
}

function seekTime(tUs: number): void {
  const i = state.model.index.indexAtTime(tUs);
  seekIndex(Math.max(0, i));
  state.cursorT = Math.max(state.cursorT, Math.min(tUs, endTime()));
}

function endTime(): number {
  const ev = state.model.index.events;
  return ev.length > 0 ? ev[ev.length - 1].t : 0;
}

function step(delta: number): void {
  setPlaying(false);
  seekIndex(state.cursorI + delta);
}

function jumpItem(dir: 1 | -1): void {
  setPlaying(false);
  const items = state.model.items;
  const it = dir > 0 ? items.find((x) => x.i > state.cursorI) : [...items].reverse().find((x) => x.i < state.cursorI);
  if (it) seekIndex(it.i);
}

function setPlaying(p: boolean): void {
  if (p && state.cursorI >= lastIndex() && state.done) seekIndex(0);
  state.playing = p && state.model.index.length > 0;
  $('play').textContent = state.playing ? '❚❚' : '▶';
  $('play').setAttribute('aria-label', state.playing ? 'pause' : 'play');
  if (state.playing) {
    lastTick = performance.now();
    requestAnimationFrame(tick);
  } else scheduleUrl();
}

let lastTick = 0;
function tick(now: number): void {
  if (!state.playing) return;
  const dt = Math.min(0.25, (now - lastTick) / 1000);
  lastTick = now;
  const speed = 10 ** state.speedLog;
  state.cursorT += dt * speed * 1e6;
  const end = endTime();
  if (state.cursorT >= end) {
    state.cursorT = end;
    state.cursorI = lastIndex();
    if (state.done) setPlaying(false);
  } else {
    state.cursorI = Math.max(0, state.model.index.indexAtTime(state.cursorT));
  }
  render();
  if (state.playing) requestAnimationFrame(tick);
}

// ---- rendering -----------------------------------------------------------------------------------

let renderQueued = false;
function scheduleRender(): void {
  if (renderQueued) return;
  renderQueued = true;
  requestAnimationFrame(() => {
    renderQueued = false;
    render();
  });
}

function size(el: HTMLElement, minH = 120): { width: number; height: number } {
  return { width: Math.max(200, el.clientWidth), height: Math.max(minH, el.clientHeight) };
}

function render(): void {
  // Read every size before any DOM write: a read after a write forces a synchronous layout, and with
  // three reads between the views' writes every frame was laid out three times.
  const clusterEl = $('cluster');
  const partsEl = $('partitions');
  const tlEl = $('timeline');
  const clusterSize = size(clusterEl, 200);
  const partsWidth = size(partsEl).width - 4;
  const tlWidth = size(tlEl).width;
  const idx = state.model.index;
  const events = idx.events;
  const header = events[0]?.type === 'header' ? events[0] : undefined;
  $('trace-hash').textContent = state.hash || (state.source ? '…' : '—');
  $('run-title').textContent = header ? `${header.scenario} · seed ${header.seed} · Kafka ${header.kafkaVersion}` : '';
  if (cmp.on) $('a-title').textContent = header ? `${header.scenario}${aSettings()} · seed ${header.seed}` : '';
  const scrub = $<HTMLInputElement>('scrub');
  scrub.max = String(Math.max(0, idx.length - 1));
  scrub.value = String(Math.max(0, state.cursorI));
  if (state.cursorI < 0 || header === undefined) {
    $('cursor-time').textContent = '';
    return;
  }
  const frame = idx.frameAt(state.cursorI);
  const t = state.cursorT;
  $('cursor-time').textContent = `${fmtTime(t)} / ${fmtTime(header.durationUs)}`;
  $('cursor-index').textContent = `event ${(state.cursorI + 1).toLocaleString()} / ${idx.length.toLocaleString()}${state.done ? '' : '…'}`;
  $('current-event').textContent = describe(events[state.cursorI], state.cursorI);
  $('stats').textContent = statsText(frame);

  drawCluster(clusterEl.querySelector('svg')!, frame, inFlight(events, state.cursorI, t), t, clusterSize, {
    onNodeClick: state.source?.kind === 'scenario' ? (node, ev) => openFaultMenu(node, ev) : undefined,
    onLinkClick: state.source?.kind === 'scenario' ? (a, b, cut, ev) => openLinkMenu(a, b, cut, ev) : undefined,
    large: state.large,
  });
  drawPartitions(partsEl.querySelector('svg')!, frame, { width: partsWidth, height: 0 }, { window: state.window, large: state.large });
  const tlSize = { width: tlWidth, height: timelineHeight(state.charts, state.large) };
  tlEl.style.height = `${tlSize.height}px`;
  drawTimeline(
    tlEl.querySelector('svg')!,
    {
      durationUs: header.durationUs,
      loadedUs: endTime(),
      cursorUs: t,
      items: state.model.items,
      series: state.model.series.points,
      seriesWidthUs: state.model.series.width,
      b: cmp.on && cmp.model.index.length > 0 ? { items: cmp.model.items, series: cmp.model.series.points, seriesWidthUs: cmp.model.series.width } : undefined,
      diffUs: cmp.on ? firstDifference()?.t : undefined,
      violations: violations(),
    },
    tlSize,
    { showCharts: state.charts, onSeekTime: (x) => (setPlaying(false), seekTime(x)), onSeekIndex: (i) => (setPlaying(false), seekIndex(i)) },
  );
  renderNarrative(state.model.items);
  renderChecks();
  renderWhyCursor();
  renderCompare();
}

// ---- checks ---------------------------------------------------------------------------------------

let violationsCache: { summary: RunSummary; out: Array<{ t: number; text: string }> } | undefined;
/** The run's check violations (sim/checks.ts, from the worker's summary) for the timeline. */
function violations(): Array<{ t: number; text: string }> | undefined {
  const s = state.summary;
  if (s === null) return undefined;
  if (violationsCache?.summary !== s) {
    violationsCache = { summary: s, out: s.violations.map((v) => ({ t: Math.round(v.atMs * 1000), text: `check ${v.check} failed on ${v.partition}: ${v.detail}` })) };
  }
  return violationsCache.out;
}

let checksFor: RunSummary | null | undefined;
/** Above the narrative: the checks' verdict; each violation is a link to when it was detected. */
function renderChecks(): void {
  const s = state.summary;
  if (checksFor === s) return;
  checksFor = s;
  const el = $('checks');
  el.replaceChildren();
  el.className = '';
  if (s === null) return;
  const vs = s.violations;
  if (vs.length === 0) {
    el.className = 'pass';
    el.textContent = `checks: all ${CHECK_NAMES.length} pass (${CHECK_NAMES.join(', ')})`;
    return;
  }
  el.className = 'fail';
  const by = [...new Set(vs.map((v) => v.check))];
  el.append(`checks: ${vs.length} violation(s) of ${by.join(', ')}`);
  const ul = document.createElement('ul');
  const SHOWN = 30;
  for (const v of vs.slice(0, SHOWN)) {
    const li = document.createElement('li');
    li.dataset.testid = 'check-violation';
    li.textContent = `${fmtTime(v.atMs * 1000)} ${v.check} (${v.partition}): ${v.detail}`;
    li.onclick = () => (setPlaying(false), seekTime(Math.round(v.atMs * 1000)));
    ul.append(li);
  }
  if (vs.length > SHOWN) ul.append(Object.assign(document.createElement('li'), { textContent: `… and ${vs.length - SHOWN} more (kafkasim run --json lists them all)` }));
  el.append(ul);
}

// ---- why were these records lost? ------------------------------------------------------------------

let whySteps: WhyStep[] = [];
let whyCurrent = -2;

/** Opens the panel with the chain of events that lost `tp`'s records around `at` (an event index or an offset). */
function showWhy(tp: string, at: { i?: number; offset?: number }): void {
  const frame = state.model.index.frameAt(at.i ?? state.cursorI);
  const lost = lostAt(frame, tp, at);
  if (lost === undefined) return;
  const w = explainLoss(state.model.index, state.model.items, tp, lost);
  whySteps = w.steps;
  whyCurrent = -2;
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
    .on('click', (_, d) => (setPlaying(false), seekIndex(d.i)))
    .on('keydown', (ev: KeyboardEvent, d) => {
      if (ev.key === 'Enter') (setPlaying(false), seekIndex(d.i));
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
  renderWhyCursor();
}

function closeWhy(): void {
  $('why').hidden = true;
  whySteps = [];
}

/** Marks the step at or before the cursor. */
function renderWhyCursor(): void {
  if (whySteps.length === 0) return;
  let cur = -1;
  for (let k = 0; k < whySteps.length && whySteps[k].i <= state.cursorI; k++) cur = k;
  if (cur === whyCurrent) return;
  whyCurrent = cur;
  d3.select('#why-steps').selectAll<HTMLLIElement, WhyStep>('li').classed('current', (_, k) => k === cur);
}

/** A's values of the settings B changes (" [acks=all]"), so the two titles read as a comparison. */
let aSettingsCache: { text: string; keys: string; out: string } | undefined;
function aSettings(): string {
  const text = state.source?.kind === 'scenario' ? state.source.text : '';
  const keys = KNOBS.filter((k) => cmp.knobs[k] !== undefined);
  if (text === '' || keys.length === 0) return '';
  if (aSettingsCache?.text !== text || aSettingsCache.keys !== keys.join()) {
    const own = currentKnobs(text);
    aSettingsCache = { text, keys: keys.join(), out: ` [${keys.map((k) => `${k}=${own[k] ?? 'default'}`).join(', ')}]` };
  }
  return aSettingsCache.out;
}

function statsText(f: Frame): string {
  const s = f.stats;
  return `sent ${s.records.toLocaleString()} · acked ${s.acked.toLocaleString()} · failed ${s.failed.toLocaleString()} · retries ${s.retries} · consumed ${s.consumed.toLocaleString()} · truncated ${s.truncated.toLocaleString()} · lost acked ${s.lostAcked.toLocaleString()}`;
}

function describe(ev: TraceEvent, i: number): string {
  const { type, t, ...rest } = ev as TraceEvent & Record<string, unknown>;
  if (type === 'header') return `#${i} ${fmtTime(t)} header`;
  const fields = Object.entries(rest)
    .map(([k, v]) => `${k}=${Array.isArray(v) ? `[${v.join(',')}]` : String(v)}`)
    .join(' ');
  return `#${i} ${fmtTime(t)} ${type} ${fields}`;
}

let lastNarrativeLen = -1;
let lastCurrent = -2;
function renderNarrative(items: NarrativeItem[]): void {
  const ul = d3.select('#narrative > ul');
  let current = -1;
  for (let k = 0; k < items.length && items[k].i <= state.cursorI; k++) current = k;
  if (items.length !== lastNarrativeLen) {
    lastNarrativeLen = items.length;
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
            setPlaying(false);
            seekIndex(d.i);
            showWhy(d.tp!, { i: d.i });
          });
        return li;
      })
      .attr('data-kind', (d) => d.kind)
      .attr('data-index', (d) => d.i)
      .classed('severe', (d) => d.severe === true)
      .on('click', (_, d) => (setPlaying(false), seekIndex(d.i)))
      .on('keydown', (ev: KeyboardEvent, d) => {
        if (ev.key === 'Enter') (setPlaying(false), seekIndex(d.i));
      })
      .call((li) => {
        li.select('.when').text((d) => fmtTime(d.t));
        li.select('.kind').text((d) => d.kind).style('background', (d) => KIND_COLORS[d.kind]);
        li.select('.text').text((d) => d.text);
      });
    lastCurrent = -2;
  }
  if (current !== lastCurrent) {
    lastCurrent = current;
    ul.selectAll<HTMLLIElement, NarrativeItem>('li')
      .classed('past', (d) => d.i <= state.cursorI)
      .classed('current', (_, k) => k === current);
    const el = ul.selectAll<HTMLLIElement, NarrativeItem>('li').nodes()[Math.max(0, current)];
    el?.scrollIntoView({ block: 'nearest' });
  }
}

// ---- errors and status -----------------------------------------------------------------------------

function showError(msg: string): void {
  const el = $('error');
  el.hidden = false;
  $('error-text').textContent = msg;
}
function hideError(): void {
  $('error').hidden = true;
}
function setStatus(s: string): void {
  $('status').textContent = s;
}

// ---- URL -----------------------------------------------------------------------------------------

function readUrl(): { scenario?: string; seed?: number; at?: number; cmp?: string; cmpSeed?: number; set?: string; cmpSet?: string; src?: string; name?: string } {
  const q = new URLSearchParams(location.search);
  const int = (k: string): number | undefined => {
    const v = q.get(k);
    return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  return {
    scenario: q.get('scenario') ?? undefined, seed: int('seed'), at: int('at'), cmp: q.get('cmp') ?? undefined, cmpSeed: int('cmpseed'),
    set: q.get('set') ?? undefined, cmpSet: q.get('cmpset') ?? undefined, src: q.get('src') ?? undefined, name: q.get('name') ?? undefined,
  };
}

let urlTimer: number | undefined;
function scheduleUrl(): void {
  clearTimeout(urlTimer);
  urlTimer = window.setTimeout(updateUrl, 400);
}
function updateUrl(): void {
  const src = state.source;
  if (src === undefined) return;
  const q = new URLSearchParams();
  if (src.bundled) {
    q.set('scenario', src.name);
    if (state.seed !== undefined) q.set('seed', String(state.seed));
    const set = formatKnobs(state.knobs);
    if (set !== '') q.set('set', set);
    if (!state.playing && state.cursorI > 0) q.set('at', String(state.cursorI));
  } else if (src.kind === 'scenario' && src.packed !== undefined) {
    // The whole scenario (its knobs and clicked faults are in its text).
    q.set('name', src.name);
    if (state.seed !== undefined) q.set('seed', String(state.seed));
    if (!state.playing && state.cursorI > 0) q.set('at', String(state.cursorI));
    q.set('src', src.packed);
  }
  if (cmp.on && (SCENARIOS.has(cmp.name) || (cmp.name === SAME && (src.bundled || src.packed !== undefined)))) {
    q.set('cmp', cmp.name === SAME ? 'same' : cmp.name);
    // B "same as A" with A's seed: no cmpseed (B follows A's seed).
    if (cmp.seed !== undefined && !(cmp.name === SAME && cmpSeedInput() === undefined)) q.set('cmpseed', String(cmp.seed));
    const set = formatKnobs(cmp.knobs);
    if (set !== '') q.set('cmpset', set);
  }
  const url = `${location.pathname}${q.size > 0 ? `?${q}` : ''}`;
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, '', url);
}

// ---- picker, files, faults ---------------------------------------------------------------------------

function syncPicker(): void {
  const sel = $<HTMLSelectElement>('scenario');
  const src = state.source;
  const custom = sel.querySelector<HTMLOptionElement>('option[data-custom]');
  if (src && !src.bundled) {
    const label = `${src.name}${src.kind === 'trace' ? ' (trace)' : ''}`;
    if (custom) custom.textContent = label;
    else sel.append(Object.assign(document.createElement('option'), { value: '__custom', textContent: label }));
    sel.querySelector<HTMLOptionElement>('option[value="__custom"]')!.dataset.custom = '1';
    sel.value = '__custom';
  } else {
    custom?.remove();
    if (src) sel.value = src.name;
  }
  if (state.seed !== undefined) $<HTMLInputElement>('seed').value = String(state.seed);
  $<HTMLButtonElement>('export').disabled = src?.kind !== 'scenario';
}

function runBundled(name: string, seed: number | undefined, at?: number): void {
  const text = SCENARIOS.get(name);
  if (text === undefined) {
    showError(`no scenario named "${name}" (have: ${[...SCENARIOS.keys()].join(', ')})`);
    return;
  }
  let withKnobs: string;
  try {
    withKnobs = applyKnobs(text, state.knobs);
  } catch (e) {
    showError(`settings: ${(e as Error).message}`);
    return;
  }
  syncKnobInputs(text);
  run({ kind: 'scenario', name, text: withKnobs, bundled: true }, seed, { i: at });
}

/** The knob inputs show the values in force: set ones as values, the scenario's own as placeholders. */
function syncKnobInputs(baseText: string): void {
  const own = currentKnobs(baseText);
  for (const k of KNOBS) {
    const input = document.querySelector<HTMLInputElement>(`[data-knob="${k}"]`);
    if (input === null) continue;
    input.placeholder = own[k] ?? '';
    input.value = state.knobs[k] ?? '';
  }
}

function readKnobInputs(): Knobs {
  const out: Knobs = {};
  for (const k of KNOBS) {
    const v = document.querySelector<HTMLInputElement>(`[data-knob="${k}"]`)?.value.trim() ?? '';
    if (v !== '') out[k] = v;
  }
  return out;
}

function seedInput(): number | undefined {
  const v = $<HTMLInputElement>('seed').value.trim();
  if (v === '') return undefined;
  if (!/^\d+$/.test(v)) {
    showError(`seed: expected a non-negative integer, got "${v}"`);
    return undefined;
  }
  return Number(v);
}

async function loadFile(file: File): Promise<void> {
  let text: string;
  try {
    // A trace is read by the trace worker as a stream (a 120 MB string read here and copied to the worker
    // cost seconds): look at its start only.
    const head = await file.slice(0, 4096).text();
    if (head.trim() !== '' && looksLikeTrace(head, file.name)) {
      run({ kind: 'trace', name: file.name, text: '', file, bundled: false }, undefined);
      return;
    }
    text = await file.text();
  } catch (e) {
    showError(`${file.name}: cannot read the file (${String(e)})`);
    return;
  }
  if (text.trim() === '') {
    showError(`${file.name}: the file is empty`);
    return;
  }
  const trace = looksLikeTrace(text, file.name);
  run({ kind: trace ? 'trace' : 'scenario', name: file.name, text, bundled: false }, trace ? undefined : seedInput());
}

function openFaultMenu(node: string, ev: MouseEvent): void {
  const menu = $('fault-menu');
  const b = Number(node.slice(1));
  const frame = state.model.index.frameAt(state.cursorI);
  const st = frame.brokers[b]?.process;
  const at = Math.round(state.cursorT);
  $('fault-title').textContent = `broker ${b} at ${fmtTime(at)}`;
  const actions: Array<[string, string]> =
    st === 'crashed' || st === 'stopped' ? [['restart', `restart: broker ${b}`]]
    : st === 'paused' ? [['resume', `resume: broker ${b}`]]
    : [['crash', `crash: broker ${b}`], ['power', `crash: broker ${b}, mode: power`], ['pause', `pause: broker ${b}`], ['shutdown', `shutdown: broker ${b}`]];
  const box = $('fault-actions');
  box.replaceChildren(
    ...actions.map(([label, spec]) => {
      const btn = document.createElement('button');
      btn.textContent = label;
      btn.title = `{ at: ${at}us, ${spec} }`;
      btn.onclick = () => {
        menu.hidden = true;
        injectFault(at, label, b);
      };
      return btn;
    }),
  );
  menu.hidden = false;
  menu.style.left = `${Math.min(ev.clientX, window.innerWidth - 220)}px`;
  menu.style.top = `${Math.min(ev.clientY, window.innerHeight - 120)}px`;
}

/** A trace node name as a scenario target ("b1" → "b1", "p:p1" → "producer p1", ...). */
function target(node: string): string {
  if (node === 'ctl') return 'controller';
  if (node.startsWith('p:')) return `producer ${node.slice(2)}`;
  if (node.startsWith('c:')) return `consumer ${node.slice(2)}`;
  return node;
}

/** Clicking a link: cut it (both ways or one way) or heal it, at the cursor's time. */
function openLinkMenu(a: string, b: string, cut: boolean, ev: MouseEvent): void {
  const menu = $('fault-menu');
  const at = Math.round(state.cursorT);
  const between = [target(a), target(b)];
  $('fault-title').textContent = `link ${a} ↔ ${b} at ${fmtTime(at)}`;
  const actions: Array<[string, Record<string, unknown>]> = cut
    ? [['heal', { heal: { between } }]]
    : [
        ['cut both ways', { partition: { between } }],
        [`cut ${a} → ${b}`, { partition: { between, oneWay: true } }],
        [`cut ${b} → ${a}`, { partition: { between: [between[1], between[0]], oneWay: true } }],
      ];
  $('fault-actions').replaceChildren(
    ...actions.map(([label, spec]) => {
      const btn = document.createElement('button');
      btn.textContent = label;
      btn.dataset.testid = `link-${label.replace(/\W+/g, '-')}`;
      btn.onclick = () => {
        menu.hidden = true;
        injectSpec(at, spec);
      };
      return btn;
    }),
  );
  menu.hidden = false;
  menu.style.left = `${Math.min(ev.clientX, window.innerWidth - 220)}px`;
  menu.style.top = `${Math.min(ev.clientY, window.innerHeight - 120)}px`;
}

/** Adds a fault at `atUs` to the scenario and runs it again with the same seed. */
function injectFault(atUs: number, verb: string, broker: number): void {
  const f: Record<string, unknown> = {};
  if (verb === 'power') Object.assign(f, { crash: `broker ${broker}`, mode: 'power' });
  else f[verb] = `broker ${broker}`;
  injectSpec(atUs, f);
}

/** Adds `{ at, ...spec }` to the scenario's faults and runs it again with the same seed. */
function injectSpec(atUs: number, spec: Record<string, unknown>): void {
  const src = state.source;
  if (src === undefined || src.kind !== 'scenario') return;
  const doc = parseDocument(src.text);
  let faults = doc.get('faults');
  if (!isSeq(faults)) {
    faults = new YAMLSeq();
    doc.set('faults', faults);
  }
  const node = doc.createNode({ at: `${atUs}us`, ...spec });
  node.flow = true;
  (faults as YAMLSeq).add(node);
  // Keep faults in time order is not needed: the simulator schedules each at its own time.
  const name = src.name.replace(/( \(edited\))?(\.ya?ml|\.json)?$/, '') + ' (edited)';
  run({ kind: 'scenario', name, text: doc.toString(), bundled: false }, state.seed, { t: atUs });
}

function exportYaml(): void {
  const src = state.source;
  if (src === undefined || src.kind !== 'scenario') return;
  let text = src.text;
  if (state.seed !== undefined) {
    const doc = parseDocument(text);
    doc.set('seed', state.seed);
    text = doc.toString();
  }
  const a = document.createElement('a');
  a.href = URL.createObjectURL(new Blob([text], { type: 'application/yaml' }));
  a.download = `${src.name.replace(/\.(ya?ml|json)$/, '').replace(/[^\w.-]+/g, '-')}.yaml`;
  a.click();
  setTimeout(() => URL.revokeObjectURL(a.href), 1000);
}

// ---- compare mode ----------------------------------------------------------------------------------

/** A second run (B), shown beside the first at the same simulated time. */
const cmp = {
  on: false,
  model: new Model(),
  worker: undefined as Worker | undefined,
  id: 0,
  name: '',
  seed: undefined as number | undefined,
  hash: '',
  done: false,
  /** B's settings on top of A's knobs (e.g. acks=1). */
  knobs: {} as Knobs,
  /** For "same as A": the A scenario text B was run from (B is stale when A's differs). */
  aText: undefined as string | undefined,
  summary: null as RunSummary | null,
};

/** The B picker's value for "A's scenario, with its faults, under B's settings". */
const SAME = '__same';
const cmpPicker = (): string => $<HTMLSelectElement>('cmp-scenario').value;
function cmpSeedInput(): number | undefined {
  const v = $<HTMLInputElement>('cmp-seed').value.trim();
  return /^\d+$/.test(v) ? Number(v) : undefined;
}

/**
 * Runs B: a bundled scenario (with A's knobs) or, for SAME, A's own scenario text (its knobs and any faults
 * added by clicking already in it; `aSource` while A itself is starting), then B's settings on top.
 */
function runCompare(name: string, seed: number | undefined, aSource: Source | undefined = pendingSource?.source ?? state.source): void {
  let base: string | undefined;
  let source = name;
  if (name === SAME) {
    if (aSource === undefined || aSource.kind !== 'scenario') {
      showError(`compare: A is a trace file, not a scenario: pick a scenario for B`);
      return;
    }
    base = aSource.text;
    source = aSource.name;
    cmp.aText = aSource.text;
  } else base = SCENARIOS.get(name);
  if (base === undefined) {
    showError(`compare: no scenario named "${name}"`);
    return;
  }
  let text: string;
  try {
    cmp.knobs = parseKnobs($<HTMLInputElement>('cmp-set').value);
    text = applyKnobs(base, name === SAME ? cmp.knobs : { ...state.knobs, ...cmp.knobs });
  } catch (e) {
    showError(`B settings: ${(e as Error).message}`);
    return;
  }
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
      cmp.model = new Model();
      cmp.name = name;
      cmp.seed = seed;
      cmp.hash = '';
      cmp.done = false;
    }
    if (m.kind === 'events') cmp.model.push(m.events);
    else if (m.kind === 'done') {
      cmp.hash = m.hash;
      cmp.summary = m.summary;
      cmp.done = true;
      const h = cmp.model.index.events[0];
      if (h?.type === 'header') cmp.seed = h.seed;
      w.terminate();
      updateUrl();
    }
    scheduleRender();
  };
  w.postMessage({ kind: 'run', id, text, source, seed } satisfies WorkerRequest);
}

function setCompare(on: boolean): void {
  cmp.on = on;
  $('compare').hidden = !on;
  document.body.classList.toggle('comparing', on);
  $('compare-btn').setAttribute('aria-pressed', String(on));
  const stale = cmpPicker() === SAME && state.source?.kind === 'scenario' && cmp.aText !== state.source.text;
  if (on && stale && cmp.model.index.length > 0) runCompare(SAME, cmpSeedInput() ?? state.seed);
  else if (on && cmp.model.index.length === 0 && cmp.worker === undefined) {
    // Default B: A's scenario, seed and faults, with the other acks (all ↔ 1). For a trace file, the
    // bundled scenario it was run from, if there is one.
    const sel = $<HTMLSelectElement>('cmp-scenario');
    const src = state.source;
    const header = state.model.index.events[0];
    const traceOf = header?.type === 'header' && SCENARIOS.has(header.scenario) ? header.scenario : DEFAULT_SCENARIO;
    sel.value = src === undefined || src.kind === 'scenario' ? SAME : (traceOf ?? SAME);
    const aText = sel.value === SAME ? src?.text : SCENARIOS.get(sel.value);
    const acks = currentKnobs(aText ?? '').acks ?? state.knobs.acks ?? 'all';
    if ($<HTMLInputElement>('cmp-set').value.trim() === '') $<HTMLInputElement>('cmp-set').value = `acks=${acks === '1' ? 'all' : '1'}`;
    runCompare(sel.value, cmpSeedInput() ?? state.seed);
  }
  updateUrl();
  scheduleRender();
}

function renderCompare(): void {
  if (!cmp.on) return;
  $('cmp-hash').textContent = cmp.hash || (cmp.model.index.length > 0 ? '…' : '—');
  const idx = cmp.model.index;
  const header = idx.events[0]?.type === 'header' ? idx.events[0] : undefined;
  if (header === undefined) return;
  const t = state.cursorT;
  const i = Math.max(0, idx.indexAtTime(t));
  const frame = idx.frameAt(i);
  $('cmp-title').textContent = `${header.scenario}${formatKnobs(cmp.knobs) ? ` [${formatKnobs(cmp.knobs)}]` : ''} · seed ${header.seed} · at ${fmtTime(t)} · ${statsText(frame)}`;
  renderFirstDifference();
  const cl = $('cmp-cluster');
  drawCluster(cl.querySelector('svg')!, frame, inFlight(idx.events, i, t), t, size(cl, 140), { large: state.large });
  const pe = $('cmp-partitions');
  drawPartitions(pe.querySelector('svg')!, frame, { width: size(pe).width - 4, height: 0 }, { window: state.window, large: state.large });
  const items = cmp.model.items.filter((x) => x.t <= t).slice(-12).reverse();
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
function firstDifference(): { t: number; a?: NarrativeItem; b?: NarrativeItem } | undefined {
  if (!state.done || !cmp.done) return undefined;
  const a = state.model.items;
  const b = cmp.model.items;
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
function endCounts(): string {
  const a = state.summary?.records;
  const b = cmp.summary?.records;
  if (a === undefined || b === undefined) return '';
  const keys = Object.keys(a) as Array<keyof typeof a>;
  const diff = keys.filter((k) => a[k] !== b[k]).map((k) => `${k} A ${a[k].toLocaleString()} · B ${b[k].toLocaleString()}`);
  return diff.length === 0 ? ', and they end with the same record counts' : `; at the end: ${diff.join('; ')}`;
}

function renderFirstDifference(): void {
  const el = $('cmp-diff');
  const d = firstDifference();
  if (d === undefined) {
    el.textContent = state.done && cmp.done ? `the two runs tell the same story${endCounts()}` : '';
    el.onclick = null;
    return;
  }
  el.textContent = `outcomes first differ at ${fmtTime(d.t)}: A ${d.a ? `“${d.a.text}”` : '(nothing)'} · B ${d.b ? `“${d.b.text}”` : '(nothing)'}`;
  el.title = 'jump there';
  el.onclick = () => (setPlaying(false), seekTime(d.t));
}

// ---- wiring --------------------------------------------------------------------------------------

function setSpeed(v: number): void {
  state.speedLog = Math.max(-4, Math.min(1.5, v));
  $<HTMLInputElement>('speed').value = String(state.speedLog);
  const s = 10 ** state.speedLog;
  $('speed-label').textContent = `×${s >= 1 ? s.toFixed(s >= 10 ? 0 : 1) : s.toPrecision(1)}`;
  $('speed').title = `${s.toPrecision(2)} simulated seconds per second`;
}

function toggleHelp(show?: boolean): void {
  const h = $('help');
  h.hidden = show === undefined ? !h.hidden : !show;
}

function setLarge(on: boolean): void {
  state.large = on;
  document.body.classList.toggle('large', on);
  $('large').setAttribute('aria-pressed', String(on));
  scheduleRender();
}

function init(): void {
  const sel = $<HTMLSelectElement>('scenario');
  for (const name of SCENARIOS.keys()) sel.append(Object.assign(document.createElement('option'), { value: name, textContent: name }));
  // Legend of record states.
  const legend = $('legend');
  for (const [k, c] of Object.entries(RECORD_COLORS)) {
    const s = document.createElement('span');
    s.innerHTML = `<i style="background:${c}"></i>`;
    s.append(RECORD_LABELS[k as keyof typeof RECORD_LABELS]);
    legend.append(s);
  }
  legend.insertAdjacentHTML('beforeend', '<span><i class="hatch"></i>truncated</span><span><i style="background:#7a0010"></i>acked, lost</span><span><b class="hwk">┆</b>HW <b>│</b>LEO</span>');

  const csel = $<HTMLSelectElement>('cmp-scenario');
  csel.append(Object.assign(document.createElement('option'), { value: SAME, textContent: 'same as A (its scenario, seed and faults)' }));
  for (const name of SCENARIOS.keys()) csel.append(Object.assign(document.createElement('option'), { value: name, textContent: name }));
  // The main knobs: applied to the scenario on Apply (or Enter), kept in the URL.
  const knobsEl = $('knobs');
  for (const k of KNOBS) {
    const label = document.createElement('label');
    label.append(k === 'rate' ? 'producer rate' : k);
    const input = Object.assign(document.createElement('input'), { size: k.length > 12 ? 6 : 4 });
    input.dataset.knob = k;
    input.dataset.testid = `knob-${k}`;
    input.onkeydown = (e) => {
      if (e.key === 'Enter') $('knobs-apply').click();
    };
    label.append(input);
    knobsEl.append(label);
  }
  $('knobs-apply').onclick = () => {
    state.knobs = readKnobInputs();
    const src = state.source;
    if (src?.bundled) runBundled(src.name, seedInput());
    else if (src?.kind === 'scenario') run({ ...src, text: applyKnobs(src.text, state.knobs) }, seedInput());
    // B = "same as A" re-runs with A (see run()); another scenario gets A's knobs here.
    if (cmp.on && csel.value !== SAME) runCompare(csel.value, cmpSeedInput());
  };
  $('knobs-reset').onclick = () => {
    state.knobs = {};
    for (const k of KNOBS) document.querySelector<HTMLInputElement>(`[data-knob="${k}"]`)!.value = '';
    $('knobs-apply').click();
  };
  $<HTMLInputElement>('cmp-set').onkeydown = (e) => {
    if (e.key === 'Enter') $('cmp-run').click();
  };
  $('compare-btn').onclick = () => setCompare(!cmp.on);
  const bSeed = (): number | undefined => cmpSeedInput() ?? (csel.value === SAME ? state.seed : undefined);
  $('cmp-run').onclick = () => runCompare(csel.value, bSeed());
  csel.onchange = () => runCompare(csel.value, bSeed());
  $<HTMLInputElement>('cmp-seed').onkeydown = (e) => {
    if (e.key === 'Enter') $('cmp-run').click();
  };
  sel.onchange = () => {
    // Another scenario starts from its own seed (the file's); type a seed and press Run for another.
    if (sel.value === '__custom') return;
    $<HTMLInputElement>('seed').value = '';
    runBundled(sel.value, undefined);
  };
  $('run').onclick = () => {
    const src = state.source;
    if (sel.value !== '__custom' || src === undefined) runBundled(sel.value, seedInput());
    else if (src.kind === 'scenario') run(src, seedInput());
    else run(src, undefined);
  };
  $<HTMLInputElement>('seed').onkeydown = (e) => {
    if (e.key === 'Enter') $('run').click();
  };
  $('play').onclick = () => setPlaying(!state.playing);
  $('back').onclick = () => step(-1);
  $('fwd').onclick = () => step(1);
  $('prev-item').onclick = () => jumpItem(-1);
  $('next-item').onclick = () => jumpItem(1);
  $('start').onclick = () => (setPlaying(false), seekIndex(0));
  $('end').onclick = () => (setPlaying(false), seekIndex(lastIndex()));
  $<HTMLInputElement>('speed').oninput = (e) => setSpeed(Number((e.target as HTMLInputElement).value));
  $<HTMLInputElement>('scrub').oninput = (e) => (setPlaying(false), seekIndex(Number((e.target as HTMLInputElement).value)));
  $('large').onclick = () => setLarge(!state.large);
  $('window').onclick = () => {
    state.window = state.window === 'whole' ? 'tail' : 'whole';
    $('window').textContent = state.window === 'whole' ? 'log: whole' : 'log: tail';
    scheduleRender();
  };
  $('charts').onclick = () => {
    state.charts = !state.charts;
    $('charts').setAttribute('aria-pressed', String(state.charts));
    scheduleRender();
  };
  $('help-btn').onclick = () => toggleHelp();
  $('help').onclick = (e) => {
    if (e.target === $('help')) toggleHelp(false);
  };
  $('error-close').onclick = hideError;
  $('why-close').onclick = closeWhy;
  // Click a lost range (or the LOST label) in the partition view: why were those records lost?
  $('partitions').addEventListener('click', (e) => {
    const el = (e.target as Element).closest('.lostrange, .losttext');
    const block = el?.closest('[data-testid^="partition-"]');
    if (el == null || block == null) return;
    const tp = block.getAttribute('data-testid')!.slice('partition-'.length);
    const start = el.getAttribute('data-start');
    setPlaying(false);
    showWhy(tp, start === null ? {} : { offset: Number(start) });
  });
  $('export').onclick = exportYaml;
  $('fault-cancel').onclick = () => ($('fault-menu').hidden = true);
  const fileInput = $<HTMLInputElement>('file');
  $('open').onclick = () => fileInput.click();
  fileInput.onchange = () => {
    const f = fileInput.files?.[0];
    if (f) void loadFile(f);
    fileInput.value = '';
  };

  // Drag and drop anywhere.
  const drop = $('drop');
  let depth = 0;
  window.addEventListener('dragenter', (e) => {
    e.preventDefault();
    depth++;
    drop.hidden = false;
  });
  window.addEventListener('dragleave', () => {
    if (--depth <= 0) {
      depth = 0;
      drop.hidden = true;
    }
  });
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', (e) => {
    e.preventDefault();
    depth = 0;
    drop.hidden = true;
    const f = e.dataTransfer?.files?.[0];
    if (f) void loadFile(f);
  });

  window.addEventListener('keydown', (e) => {
    const tag = (e.target as HTMLElement).tagName;
    if ((tag === 'INPUT' && (e.target as HTMLInputElement).type !== 'range') || tag === 'SELECT' || tag === 'TEXTAREA') return;
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    switch (e.key) {
      case ' ':
        setPlaying(!state.playing);
        break;
      case 'ArrowRight':
        if (e.shiftKey) jumpItem(1);
        else step(1);
        break;
      case 'ArrowLeft':
        if (e.shiftKey) jumpItem(-1);
        else step(-1);
        break;
      case 'n':
        jumpItem(1);
        break;
      case 'p':
        jumpItem(-1);
        break;
      case 'Home':
        setPlaying(false);
        seekIndex(0);
        break;
      case 'End':
        setPlaying(false);
        seekIndex(lastIndex());
        break;
      case '+':
      case '=':
        setSpeed(state.speedLog + 0.25);
        break;
      case '-':
        setSpeed(state.speedLog - 0.25);
        break;
      case '?':
        toggleHelp();
        break;
      case 'Escape':
        toggleHelp(false);
        closeWhy();
        $('fault-menu').hidden = true;
        hideError();
        break;
      case 'l':
        setLarge(!state.large);
        break;
      case 't':
        $('window').click();
        break;
      case 'b':
        setCompare(!cmp.on);
        break;
      case 'c':
        $('charts').click();
        break;
      default:
        return;
    }
    e.preventDefault();
  });
  window.addEventListener('resize', scheduleRender);
  new ResizeObserver(scheduleRender).observe($('partitions'));

  setSpeed(state.speedLog);
  const url = readUrl();
  if (url.seed !== undefined) $<HTMLInputElement>('seed').value = String(url.seed);
  try {
    state.knobs = url.set !== undefined ? parseKnobs(url.set) : {};
    if (url.cmpSet !== undefined) $<HTMLInputElement>('cmp-set').value = formatKnobs(parseKnobs(url.cmpSet));
  } catch (e) {
    showError(`link: ${(e as Error).message}`);
  }
  const name = url.scenario ?? DEFAULT_SCENARIO;
  const startCompare = (): void => {
    if (url.cmp !== undefined && (SCENARIOS.has(url.cmp) || url.cmp === 'same')) {
      const b = url.cmp === 'same' ? SAME : url.cmp;
      csel.value = b;
      if (url.cmpSeed !== undefined) $<HTMLInputElement>('cmp-seed').value = String(url.cmpSeed);
      cmp.on = true;
      $('compare').hidden = false;
      document.body.classList.add('comparing');
      $('compare-btn').setAttribute('aria-pressed', 'true');
      runCompare(b, url.cmpSeed ?? (b === SAME ? url.seed : undefined));
    } else if (url.cmp !== undefined) showError(`link: cmp: no scenario named "${url.cmp}"`);
  };
  if (url.src !== undefined) {
    // A link with the whole scenario in it (edited by clicking, or opened from disk).
    unpackText(url.src).then(
      (text) => {
        run({ kind: 'scenario', name: url.name ?? 'linked scenario', text, bundled: false, packed: url.src }, url.seed, { i: url.at });
        startCompare();
      },
      (e: Error) => {
        showError(`link: ${e.message}`);
        if (DEFAULT_SCENARIO !== undefined) runBundled(DEFAULT_SCENARIO, undefined);
      },
    );
  } else if (name !== undefined) {
    sel.value = SCENARIOS.has(name) ? name : (DEFAULT_SCENARIO ?? '');
    runBundled(name, url.seed, url.at);
    startCompare();
  }
  // For tests and the console.
  (window as unknown as { kafkasimViz: unknown }).kafkasimViz = {
    state,
    seekIndex,
    seekTime,
    frame: () => state.model.index.frameAt(state.cursorI),
  };
}

init();
