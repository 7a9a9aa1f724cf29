/** The cursor: seeking, stepping, jumping between narrative lines, playing at a speed. */
import type { App } from './state.js';
import { $ } from './ui.js';
import { scheduleRender } from './schedule.js';
import { scheduleUrl } from './url-state.js';

export function lastIndex(app: App): number {
  return app.state.model.index.length - 1;
}

export function seekIndex(app: App, i: number): void {
  const { state } = app;
  const n = lastIndex(app);
  state.cursorI = Math.max(n < 0 ? -1 : 0, Math.min(i, n));
  state.cursorT = state.cursorI >= 0 ? state.model.index.events[state.cursorI].t : 0;
  scheduleRender(app);
  scheduleUrl(app);
}

export function seekTime(app: App, tUs: number): void {
  const i = app.state.model.index.indexAtTime(tUs);
  seekIndex(app, Math.max(0, i));
  app.state.cursorT = Math.max(app.state.cursorT, Math.min(tUs, endTime(app)));
}

/** Stops playing and seeks (a click on a line, a step, a link). */
export function stopAt(app: App, i: number): void {
  setPlaying(app, false);
  seekIndex(app, i);
}

/** Stops playing and seeks to a time. */
export function stopAtTime(app: App, tUs: number): void {
  setPlaying(app, false);
  seekTime(app, tUs);
}

export function endTime(app: App): number {
  const ev = app.state.model.index.events;
  return ev.length > 0 ? ev[ev.length - 1].t : 0;
}

export function step(app: App, delta: number): void {
  setPlaying(app, false);
  seekIndex(app, app.state.cursorI + delta);
}

export function jumpItem(app: App, dir: 1 | -1): void {
  const { state } = app;
  setPlaying(app, false);
  const items = state.model.items;
  const it = dir > 0 ? items.find((x) => x.i > state.cursorI) : [...items].reverse().find((x) => x.i < state.cursorI);
  if (it) seekIndex(app, it.i);
}

export function setPlaying(app: App, p: boolean): void {
  const { state } = app;
  if (p && state.cursorI >= lastIndex(app) && state.done) seekIndex(app, 0);
  state.playing = p && state.model.index.length > 0;
  $('play').textContent = state.playing ? '❚❚' : '▶';
  $('play').setAttribute('aria-label', state.playing ? 'pause' : 'play');
  if (state.playing) {
    app.view.lastTick = performance.now();
    requestAnimationFrame((now) => tick(app, now));
  } else scheduleUrl(app);
}

function tick(app: App, now: number): void {
  const { state } = app;
  if (!state.playing) return;
  const dt = Math.min(0.25, (now - app.view.lastTick) / 1000);
  app.view.lastTick = now;
  const speed = 10 ** state.speedLog;
  state.cursorT += dt * speed * 1e6;
  const end = endTime(app);
  if (state.cursorT >= end) {
    state.cursorT = end;
    state.cursorI = lastIndex(app);
    if (state.done) setPlaying(app, false);
  } else {
    state.cursorI = Math.max(0, state.model.index.indexAtTime(state.cursorT));
  }
  app.hooks.render(app);
  if (state.playing) requestAnimationFrame((t) => tick(app, t));
}

/** The slider's range (log10 of simulated seconds per second). */
export const SPEED_LOG_MIN = -4;
export const SPEED_LOG_MAX = 1.5;
/** Wall seconds a run's first fault should take to arrive when played from the start. */
export const FIRST_FAULT_WALL_S = 5;
/** Wall seconds a run without faults takes to play through. */
const WHOLE_RUN_WALL_S = 30;
/** Wall seconds by which a run's last fault, and the second after it (its outcome), have played. */
export const LAST_FAULT_WALL_S = 8;

/**
 * The speed a run starts at (log10 of simulated seconds per second): its first fault arrives after
 * FIRST_FAULT_WALL_S of playing at most, and its last fault with the second after it (where a loss shows:
 * q03's old leader returns at 40 s) by LAST_FAULT_WALL_S (killed-leader plays at ×5); never slower than
 * ×0.1 (messages are still seen to fly) nor faster than the slider allows; without faults the whole run
 * plays in WHOLE_RUN_WALL_S.
 */
export function defaultSpeedLog(firstFaultUs: number | undefined, durationUs: number, lastFaultUs = firstFaultUs): number {
  const simS =
    firstFaultUs !== undefined
      ? Math.max(firstFaultUs / 1e6 / FIRST_FAULT_WALL_S, Math.min(durationUs, (lastFaultUs ?? firstFaultUs) + 1e6) / 1e6 / LAST_FAULT_WALL_S)
      : durationUs / 1e6 / WHOLE_RUN_WALL_S;
  const log = simS > 0 ? Math.log10(simS) : -1;
  return Math.round(Math.max(-1, Math.min(SPEED_LOG_MAX, log)) * 20) / 20;
}

/** A new run's speed, unless the user chose one. */
export function autoSpeed(app: App, firstFaultUs: number | undefined, durationUs: number, lastFaultUs?: number): void {
  if (app.state.speedChosen) return;
  showSpeed(app, defaultSpeedLog(firstFaultUs, durationUs, lastFaultUs));
}

/** The user's speed (slider, keys): kept for the next runs. */
export function setSpeed(app: App, v: number): void {
  if (v !== app.state.speedLog) app.state.speedChosen = true;
  showSpeed(app, v);
}

function showSpeed(app: App, v: number): void {
  const { state } = app;
  state.speedLog = Math.max(SPEED_LOG_MIN, Math.min(SPEED_LOG_MAX, v));
  $<HTMLInputElement>('speed').value = String(state.speedLog);
  const s = 10 ** state.speedLog;
  $('speed-label').textContent = `×${s >= 1 ? s.toFixed(s >= 10 ? 0 : 1) : s.toPrecision(1)}`;
  $('speed').title = `${s.toPrecision(2)} simulated seconds per second`;
}
