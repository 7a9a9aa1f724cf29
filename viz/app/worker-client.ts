/**
 * Loading run A: starts the simulator worker (scenarios) or the trace worker (trace files) and takes in
 * their replies; the run shown switches to the new one at its first events (kept if the new one fails).
 */
import { Model } from '../derive/model.js';
import type { WorkerReply, WorkerRequest } from '../io/protocol.js';
import { TraceBlockDecoder } from '../io/trace-file.js';
import { runCompare } from './compare.js';
import { cmpPicker, cmpSeedInput, syncKnobInputs, syncPicker } from './inputs.js';
import { autoSpeed, seekIndex, seekTime } from './playback.js';
import { scheduleRender } from './schedule.js';
import { SAME } from './scenarios.js';
import type { App, LoadState, Source } from './state.js';
import { $, hideError, setStatus, showError } from './ui.js';
import { packText } from './url-pack.js';
import { updateUrl } from './url-state.js';
import { onRunDone, renderCounterexample } from './violation-jump.js';
import { closeWhy } from './why-panel.js';

type Request = WorkerRequest extends infer R ? (R extends WorkerRequest ? Omit<R, 'id'> : never) : never;

function startWorker(app: App, req: Request): void {
  const { load } = app;
  load.worker?.terminate();
  load.blockDecoder = undefined;
  load.lastLoadingStatus = -Infinity;
  // Scenarios run in sim-worker.ts; trace files are read by trace-worker.ts (small: it starts faster).
  const worker =
    req.kind === 'run' ? new Worker(new URL('../io/sim-worker.ts', import.meta.url), { type: 'module' }) : new Worker(new URL('../io/trace-worker.ts', import.meta.url), { type: 'module' });
  load.worker = worker;
  const id = ++load.requestId;
  load.incoming = undefined;
  setStatus(req.kind === 'run' ? `running ${req.source}…` : `reading ${req.source}…`);
  const pending = { source: load.pendingSource };
  worker.onmessage = (e: MessageEvent<WorkerReply>) => onReply(app, e.data, id, pending.source);
  worker.onerror = (e) => {
    showError(`worker failed: ${e.message}`);
    setStatus('');
  };
  worker.postMessage({ ...req, id } as WorkerRequest);
}

/** Runs a scenario or reads a trace; `at` is where to put the cursor once loaded. */
export function run(app: App, source: Source, seed: number | undefined, at?: { i?: number; t?: number }): void {
  const { state } = app;
  app.load.pendingSource = { source, seed };
  // An edited or opened scenario goes into the URL whole (packed), so the link still reproduces the run.
  if (source.kind === 'scenario' && !source.bundled && source.packed === undefined) {
    packText(source.text).then(
      (p) => {
        source.packed = p;
        if (state.source === source) updateUrl(app);
      },
      () => undefined,
    );
  }
  state.pendingAt = at?.i;
  state.pendingT = at?.t;
  if (source.kind === 'scenario') {
    startWorker(app, { kind: 'run', text: source.text, source: source.name, seed });
    // Compare mode with B = "same as A": B is A's scenario (its faults, clicked ones included) with B's settings.
    if (app.cmp.on && cmpPicker() === SAME) runCompare(app, SAME, cmpSeedInput() ?? seed, source);
  } else if (source.file !== undefined) startWorker(app, { kind: 'traceFile', file: source.file, source: source.name });
  else startWorker(app, { kind: 'trace', text: source.text, source: source.name });
}

function onReply(app: App, m: WorkerReply, id: number, pending: LoadState['pendingSource']): void {
  const { load } = app;
  if (id !== load.requestId || id === load.failedRequest) return;
  if (m.kind === 'eventsBlock') {
    load.blockDecoder ??= new TraceBlockDecoder();
    const events = load.blockDecoder.decode(m.block);
    if (events.length === 0) return;
    m = { kind: 'events', id, events };
  }
  if (m.kind === 'error') return onError(app, id, m.message);
  // First reply of a good run: switch to it.
  if (load.incoming === undefined) switchToIncoming(app, pending);
  if (m.kind === 'events') onEvents(app, m.events);
  else if (m.kind === 'started') onStarted(app, m);
  else if (m.kind === 'progress') showProgress(m.tUs, m.durationUs);
  else onDone(app, m);
}

/** A scenario parsed and running: the seed box shows its seed, the settings bar its values in force, the speed suits its first fault. */
function onStarted(app: App, m: Extract<WorkerReply, { kind: 'started' }>): void {
  app.state.seed = m.seed;
  app.state.settings = m.settings;
  app.state.counterexample = m.counterexample;
  syncPicker(app);
  syncKnobInputs(app);
  autoSpeed(app, m.firstFaultUs, m.durationUs, m.lastFaultUs);
  showProgress(0, m.durationUs);
}

/** The progress bar of simulated time while the worker runs (hidden once done). */
function showProgress(tUs: number, durationUs: number | undefined): void {
  const box = $('loading');
  if (durationUs === undefined) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  const bar = $<HTMLProgressElement>('progress');
  bar.max = durationUs;
  bar.value = Math.min(tUs, durationUs);
  $('progress-text').textContent = `simulating: ${(tUs / 1e6).toFixed(1)} s of ${(durationUs / 1e6).toFixed(1)} s`;
}

function onError(app: App, id: number, message: string): void {
  const { state, load } = app;
  load.failedRequest = id;
  // A trace file is posted as it is read: a bad line far in may come after events. Keep the previous run.
  if (load.incoming !== undefined && load.previous !== undefined) {
    Object.assign(state, load.previous);
    load.incoming = undefined;
    updateUrl(app);
    syncPicker(app);
    scheduleRender(app);
  }
  showError(message);
  showProgress(0, undefined);
  // The settings bar shows the run still shown, not values that failed.
  syncKnobInputs(app);
  setStatus(state.source ? '' : 'no run loaded');
  load.worker?.terminate();
  load.worker = undefined;
}

function switchToIncoming(app: App, pending: LoadState['pendingSource']): void {
  const { state, load } = app;
  hideError();
  load.previous = {
    model: state.model,
    source: state.source,
    seed: state.seed,
    hash: state.hash,
    summary: state.summary,
    done: state.done,
    runMs: state.runMs,
    cursorI: state.cursorI,
    cursorT: state.cursorT,
    // The settings bar and the link go back to the run shown if the new one fails.
    knobs: state.knobs,
    settings: state.settings,
  };
  load.incoming = new Model();
  state.model = load.incoming;
  state.source = pending?.source;
  state.seed = pending?.seed;
  state.hash = '';
  state.summary = null;
  state.done = false;
  state.cursorI = -1;
  state.cursorT = 0;
  state.playing = false;
  // A trace file has no scenario: no settings in force to show (a scenario's come with its 'started').
  state.settings = undefined;
  state.counterexample = undefined;
  state.highlight = undefined;
  renderCounterexample(app);
  syncKnobInputs(app);
  closeWhy(app);
  updateUrl(app);
  syncPicker(app);
}

function onEvents(app: App, events: Parameters<Model['push']>[0]): void {
  const { state, load } = app;
  state.model.push(events);
  // While loading, show the count and draw now and then only (each change makes a frame to render, and
  // each draw of the growing timeline and narrative costs).
  const now = performance.now();
  if (now - load.lastLoadingStatus >= 250) {
    load.lastLoadingStatus = now;
    setStatus(`${state.model.index.length.toLocaleString()} events…`);
  }
  if (state.cursorI < 0) seekIndex(app, 0);
  if (now - load.lastLoadingRender >= 500) {
    load.lastLoadingRender = now;
    scheduleRender(app);
  }
}

function onDone(app: App, m: Extract<WorkerReply, { kind: 'done' }>): void {
  const { state, load } = app;
  load.previous = undefined;
  state.hash = m.hash;
  state.summary = m.summary;
  state.done = true;
  state.runMs = m.ms;
  const header = state.model.index.events[0];
  if (header?.type === 'header') {
    // The seed the run used (the file's own when none was given): the seed box shows it.
    state.seed = header.seed;
    syncPicker(app);
    if (state.settings === undefined) autoSpeed(app, firstFault(app), header.durationUs);
  }
  showProgress(0, undefined);
  setStatus(`${m.events.toLocaleString()} events in ${(m.ms / 1000).toFixed(1)} s`);
  load.worker?.terminate();
  load.worker = undefined;
  const pending = state.pendingAt !== undefined || state.pendingT !== undefined;
  // A counterexample opens at its violation, unless the link asked for a position.
  onRunDone(app, pending);
  if (state.pendingAt !== undefined) seekIndex(app, state.pendingAt);
  else if (state.pendingT !== undefined) seekTime(app, state.pendingT);
  state.pendingAt = state.pendingT = undefined;
  updateUrl(app);
  scheduleRender(app);
}

/** The time of a loaded trace's first fault, if it has one. */
function firstFault(app: App): number | undefined {
  return app.state.model.index.events.find((ev) => ev.type === 'fault')?.t;
}
