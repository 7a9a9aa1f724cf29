/** The query string: read once at start, rewritten (replaceState) as the run, cursor and compare change. */
import { formatKnobs } from './knobs.js';
import { formatSettings } from './settings.js';
import { cmpSeedInput } from './inputs.js';
import { SAME, SCENARIOS } from './scenarios.js';
import type { App } from './state.js';

export interface UrlParams {
  scenario?: string;
  seed?: number;
  at?: number;
  cmp?: string;
  cmpSeed?: number;
  set?: string;
  cmpSet?: string;
  src?: string;
  name?: string;
}

export function readUrl(): UrlParams {
  const q = new URLSearchParams(location.search);
  const int = (k: string): number | undefined => {
    const v = q.get(k);
    return v !== null && /^\d+$/.test(v) ? Number(v) : undefined;
  };
  return {
    scenario: q.get('scenario') ?? undefined,
    seed: int('seed'),
    at: int('at'),
    cmp: q.get('cmp') ?? undefined,
    cmpSeed: int('cmpseed'),
    set: q.get('set') ?? undefined,
    cmpSet: q.get('cmpset') ?? undefined,
    src: q.get('src') ?? undefined,
    name: q.get('name') ?? undefined,
  };
}

export function scheduleUrl(app: App): void {
  clearTimeout(app.view.urlTimer);
  app.view.urlTimer = window.setTimeout(() => updateUrl(app), 400);
}

export function updateUrl(app: App): void {
  const { state, cmp } = app;
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
    const set = formatSettings(cmp.knobs);
    if (set !== '') q.set('cmpset', set);
  }
  // The tab shown (viz/app/whatif.ts keeps `tab=whatif` in the link).
  if (document.body.classList.contains('tab-whatif')) q.set('tab', 'whatif');
  const url = `${location.pathname}${q.size > 0 ? `?${q}` : ''}`;
  if (url !== `${location.pathname}${location.search}`) history.replaceState(null, '', url);
}
