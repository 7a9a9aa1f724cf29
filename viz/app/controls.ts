/** The page's controls: pickers, knobs, run, playback and view buttons, panels, files and drag and drop. */
import { RECORD_COLORS, RECORD_LABELS } from '../views/colors.js';
import { followA, runCompare, setCompare } from './compare.js';
import { cmpSeedInput, knobsFromInputs } from './inputs.js';
import { applyKnobs, KNOBS } from './knobs.js';
import { jumpItem, lastIndex, setPlaying, setSpeed, step, stopAt } from './playback.js';
import { scheduleRender } from './schedule.js';
import { pickerGroups, SAME, SCENARIOS, STORIES } from './scenarios.js';
import { exportYaml, loadFile, runBundled, seedInput } from './sources.js';
import type { App } from './state.js';
import { $, hideError } from './ui.js';
import { redrawWhatIf } from './whatif.js';
import { closeWhy, showWhy } from './why-panel.js';
import { run } from './worker-client.js';

export function toggleHelp(show?: boolean): void {
  const h = $('help');
  h.hidden = show === undefined ? !h.hidden : !show;
}

export function setLarge(app: App, on: boolean): void {
  app.state.large = on;
  document.body.classList.toggle('large', on);
  $('large').setAttribute('aria-pressed', String(on));
  scheduleRender(app);
  redrawWhatIf();
}

/** The scenario pickers (A and B) and the legend of record states. */
export function buildPickers(): void {
  fillPicker($<HTMLSelectElement>('scenario'));
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
  fillPicker(csel);
}

/** A scenario picker grouped as the docs are, each entry its title (its file path as a tooltip). */
function fillPicker(sel: HTMLSelectElement): void {
  for (const g of pickerGroups()) {
    const group = Object.assign(document.createElement('optgroup'), { label: g.label });
    for (const key of g.keys) {
      const o = Object.assign(document.createElement('option'), { value: key, textContent: STORIES.get(key)?.title ?? key, title: key });
      group.append(o);
    }
    sel.append(group);
  }
}

/** Enter in `input` clicks `button`. */
function enterClicks(input: HTMLElement, button: string): void {
  input.onkeydown = (e) => {
    if (e.key === 'Enter') $(button).click();
  };
}

/** The main knobs: applied to the scenario on Apply (or Enter), kept in the URL. */
export function wireKnobs(app: App): void {
  const { state } = app;
  const knobsEl = $('knobs');
  for (const k of KNOBS) {
    const label = document.createElement('label');
    label.append(k === 'rate' ? 'producer rate' : k);
    const input = Object.assign(document.createElement('input'), { size: k.length > 12 ? 6 : 4 });
    input.dataset.knob = k;
    input.dataset.testid = `knob-${k}`;
    enterClicks(input, 'knobs-apply');
    label.append(input);
    knobsEl.append(label);
  }
  $('knobs-apply').onclick = () => {
    const src = state.source;
    // The boxes show the values in force: the knobs are the ones that differ from the scenario's text.
    const base = src?.bundled ? (SCENARIOS.get(src.name) ?? '') : (src?.text ?? '');
    const knobs = knobsFromInputs(base);
    if (src?.bundled) {
      state.knobs = knobs;
      runBundled(app, src.name, seedInput());
    } else if (src?.kind === 'scenario') run(app, { kind: 'scenario', name: src.name, text: applyKnobs(src.text, knobs), bundled: false }, seedInput());
    // B = "same as A" re-runs with A (see run()); another scenario gets A's knobs here.
    const csel = $<HTMLSelectElement>('cmp-scenario');
    if (app.cmp.on && csel.value !== SAME) runCompare(app, csel.value, cmpSeedInput());
  };
  $('knobs-reset').onclick = () => {
    state.knobs = {};
    for (const k of KNOBS) document.querySelector<HTMLInputElement>(`[data-knob="${k}"]`)!.value = '';
    $('knobs-apply').click();
  };
}

/** Compare mode's controls: B's scenario, seed and settings. */
export function wireCompare(app: App): void {
  const csel = $<HTMLSelectElement>('cmp-scenario');
  enterClicks($('cmp-set'), 'cmp-run');
  $('compare-btn').onclick = () => setCompare(app, !app.cmp.on);
  const bSeed = (): number | undefined => cmpSeedInput() ?? (csel.value === SAME ? app.state.seed : undefined);
  $('cmp-run').onclick = () => runCompare(app, csel.value, bSeed());
  csel.onchange = () => runCompare(app, csel.value, bSeed());
  enterClicks($('cmp-seed'), 'cmp-run');
}

/** The scenario picker, the seed and Run. */
export function wireRun(app: App): void {
  const sel = $<HTMLSelectElement>('scenario');
  sel.onchange = () => {
    // Another scenario starts from its own seed (the file's); type a seed and press Run for another.
    if (sel.value === '__custom') return;
    $<HTMLInputElement>('seed').value = '';
    runBundled(app, sel.value, undefined);
    followA(app);
  };
  $('run').onclick = () => {
    const src = app.state.source;
    if (sel.value !== '__custom' || src === undefined) runBundled(app, sel.value, seedInput());
    else if (src.kind === 'scenario') run(app, src, seedInput());
    else run(app, src, undefined);
  };
  enterClicks($('seed'), 'run');
}

/** Play, step, jump, speed and the scrubber. */
export function wirePlayback(app: App): void {
  $('play').onclick = () => setPlaying(app, !app.state.playing);
  $('back').onclick = () => step(app, -1);
  $('fwd').onclick = () => step(app, 1);
  $('prev-item').onclick = () => jumpItem(app, -1);
  $('next-item').onclick = () => jumpItem(app, 1);
  $('start').onclick = () => stopAt(app, 0);
  $('end').onclick = () => stopAt(app, lastIndex(app));
  $<HTMLInputElement>('speed').oninput = (e) => setSpeed(app, Number((e.target as HTMLInputElement).value));
  $<HTMLInputElement>('scrub').oninput = (e) => stopAt(app, Number((e.target as HTMLInputElement).value));
}

/** Large, log window and charts toggles; help, error and why panels; the fault menu's cancel; export. */
export function wireView(app: App): void {
  const { state } = app;
  $('large').onclick = () => setLarge(app, !state.large);
  $('window').onclick = () => {
    state.window = state.window === 'whole' ? 'tail' : 'whole';
    $('window').textContent = state.window === 'whole' ? 'log: whole' : 'log: tail';
    scheduleRender(app);
  };
  $('charts').onclick = () => {
    state.charts = !state.charts;
    $('charts').setAttribute('aria-pressed', String(state.charts));
    scheduleRender(app);
  };
  $('help-btn').onclick = () => toggleHelp();
  $('help').onclick = (e) => {
    if (e.target === $('help')) toggleHelp(false);
  };
  $('error-close').onclick = hideError;
  $('why-close').onclick = () => closeWhy(app);
  // Click a lost range (or the LOST label) in the partition view: why were those records lost?
  $('partitions').addEventListener('click', (e) => {
    const el = (e.target as Element).closest('.lostrange, .losttext');
    const block = el?.closest('[data-testid^="partition-"]');
    if (el == null || block == null) return;
    const tp = block.getAttribute('data-testid')!.slice('partition-'.length);
    const start = el.getAttribute('data-start');
    setPlaying(app, false);
    showWhy(app, tp, start === null ? {} : { offset: Number(start) });
  });
  $('export').onclick = () => exportYaml(app);
  $('fault-cancel').onclick = () => ($('fault-menu').hidden = true);
  window.addEventListener('resize', () => scheduleRender(app));
  new ResizeObserver(() => scheduleRender(app)).observe($('partitions'));
}

/** Open a file, or drop one anywhere. */
export function wireFiles(app: App): void {
  const fileInput = $<HTMLInputElement>('file');
  $('open').onclick = () => fileInput.click();
  fileInput.onchange = () => {
    const f = fileInput.files?.[0];
    if (f) void loadFile(app, f).then(() => followA(app));
    fileInput.value = '';
  };
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
    if (f) void loadFile(app, f).then(() => followA(app));
  });
}
