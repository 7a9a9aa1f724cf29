/**
 * The kafkasim visualizer: runs a scenario in a Web Worker with the same sim/ code as the CLI, folds the
 * trace into frames (viz/derive/frames.ts) and draws the cluster, the partitions' logs, a timeline with
 * charts and a narrative at a cursor that can play, step and seek. The page reads only the trace.
 *
 * This file wires the modules of viz/app/ to one App (state.ts) and starts the run the URL names.
 */
// First: settings the other modules need before they run (the page's Content-Security-Policy).
import './csp.js';
import { runCompare, showCompare } from './compare.js';
import { buildPickers, wireCompare, wireFiles, wireKnobs, wirePlayback, wireRun, wireView } from './controls.js';
import { wireKeyboard } from './keyboard.js';
import { parseKnobs } from './knobs.js';
import { setSpeed, stopAt, stopAtTime } from './playback.js';
import { render } from './render.js';
import { DEFAULT_SCENARIO, SAME, SCENARIOS } from './scenarios.js';
import { formatSettings, parseSettings } from './settings.js';
import { runBundled } from './sources.js';
import { createApp, type App } from './state.js';
import { $, showError } from './ui.js';
import { unpackText } from './url-pack.js';
import { readUrl, type UrlParams } from './url-state.js';
import { showTab, wireWhatIf } from './whatif.js';
import { run } from './worker-client.js';

/** Compare mode from a link (`cmp`, `cmpseed`, `cmpset`). */
function startCompareFromUrl(app: App, url: UrlParams): void {
  if (url.cmp !== undefined && (SCENARIOS.has(url.cmp) || url.cmp === 'same')) {
    const b = url.cmp === 'same' ? SAME : url.cmp;
    $<HTMLSelectElement>('cmp-scenario').value = b;
    if (url.cmpSeed !== undefined) $<HTMLInputElement>('cmp-seed').value = String(url.cmpSeed);
    showCompare(app, true);
    runCompare(app, b, url.cmpSeed ?? (b === SAME ? url.seed : undefined));
  } else if (url.cmp !== undefined) showError(`link: cmp: no scenario named "${url.cmp}"`);
}

/** Starts the run the URL names (a bundled scenario, a whole scenario packed in it, or the default). */
function startFromUrl(app: App): void {
  const url = readUrl();
  if (url.seed !== undefined) $<HTMLInputElement>('seed').value = String(url.seed);
  try {
    app.state.knobs = url.set !== undefined ? parseKnobs(url.set) : {};
    if (url.cmpSet !== undefined) $<HTMLInputElement>('cmp-set').value = formatSettings(parseSettings(url.cmpSet));
  } catch (e) {
    showError(`link: ${(e as Error).message}`);
  }
  const name = url.scenario ?? DEFAULT_SCENARIO;
  if (url.src !== undefined) {
    // A link with the whole scenario in it (edited by clicking, or opened from disk).
    unpackText(url.src).then(
      (text) => {
        run(app, { kind: 'scenario', name: url.name ?? 'linked scenario', text, bundled: false, packed: url.src }, url.seed, { i: url.at });
        startCompareFromUrl(app, url);
      },
      (e: Error) => {
        showError(`link: ${e.message}`);
        if (DEFAULT_SCENARIO !== undefined) runBundled(app, DEFAULT_SCENARIO, undefined);
      },
    );
  } else if (name !== undefined) {
    $<HTMLSelectElement>('scenario').value = SCENARIOS.has(name) ? name : (DEFAULT_SCENARIO ?? '');
    runBundled(app, name, url.seed, url.at);
    startCompareFromUrl(app, url);
  }
}

function init(): void {
  const app = createApp({ render });
  buildPickers();
  wireKnobs(app);
  wireCompare(app);
  wireRun(app);
  wirePlayback(app);
  wireView(app);
  wireFiles(app);
  wireKeyboard(app);
  setSpeed(app, app.state.speedLog);
  // The What-if tab from a link (`tab=whatif`) starts no replay run until the Replay tab is shown.
  let replayStarted = false;
  const startReplay = () => {
    if (!replayStarted) startFromUrl(app);
    replayStarted = true;
  };
  wireWhatIf(app, startReplay);
  if (new URLSearchParams(location.search).get('tab') === 'whatif') showTab(app, 'whatif');
  else startReplay();
  // For tests and the console: a seek stops playback, so what is read next is the frame sought.
  (window as unknown as { kafkasimViz: unknown }).kafkasimViz = {
    state: app.state,
    seekIndex: (i: number) => stopAt(app, i),
    seekTime: (t: number) => stopAtTime(app, t),
    frame: () => app.state.model.index.frameAt(app.state.cursorI),
  };
}

init();
