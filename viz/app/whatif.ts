/**
 * The What-if tab: a scenario, an x axis (offered rate, partitions, brokers or log directories) with its values, and two or
 * more configurations; Run runs every point in Web Workers (the public API's runPlanPoint, as `kafkasim
 * plan` does) with a progress bar, and draws produce latency and acknowledged throughput against x, one
 * line per configuration (viz/views/whatif-chart.ts), with a table of every point's figures. It also draws
 * the results.jsonl or summary.json a plan wrote. Bad input shows one line in the tab's error box.
 */
import { applyPlanSettings, NOT_MODELLED, parseScenario, ScenarioError } from '../../sim/index.js';
import {
  chartOfGrid,
  chartOfPlanFile,
  gridOf,
  parseConfig,
  parseXValues,
  type PointOutcome,
  type WhatIfChart,
  type WhatIfConfig,
  WhatIfInputError,
  type WhatIfPoint,
  type XAxis,
} from '../derive/whatif.js';
import type { WhatIfReply, WhatIfRequest } from '../io/protocol.js';
import { drawWhatIf, SERIES_COLORS } from '../views/whatif-chart.js';
import { renderTable } from './whatif-table.js';
import { SCENARIOS, STORIES } from './scenarios.js';
import { scheduleRender } from './schedule.js';
import type { App } from './state.js';
import { $ } from './ui.js';

/** The picker's value for the scenario open in the Replay tab. */
const REPLAY = '__replay';
const DEFAULT_XS: Record<XAxis, string> = { rate: '20000/s, 100000/s, 200000/s', partitions: '3, 6, 12', brokers: '3, 4, 5', logDirs: '1, 2, 3, 4' };
const DEFAULT_CONFIGS = ['acks=all', 'acks=1'];

interface Running {
  id: number;
  workers: Worker[];
  points: WhatIfPoint[];
  labels: string[];
  outcomes: Array<PointOutcome | undefined>;
  chart: (outcomes: ReadonlyArray<PointOutcome | undefined>) => WhatIfChart;
  started: number;
}

const wi = { runId: 0, running: undefined as Running | undefined, chart: undefined as WhatIfChart | undefined };

export function showWhatIfError(msg: string | undefined): void {
  const shown = !$('wi-error').hidden;
  $('wi-error').hidden = msg === undefined;
  $('wi-error').textContent = msg ?? '';
  // The box moves the chart up or down: its height follows the room left under it.
  if (shown !== (msg !== undefined)) redrawWhatIf();
}

/** The chart's height on a window too short for it and the controls: the tab scrolls instead. */
const MIN_CHART_HEIGHT = 280;

/** Draws the chart and the table (and nothing but the help text before the first). */
export function drawChart(chart: WhatIfChart | undefined): void {
  wi.chart = chart;
  const svg = document.querySelector<SVGSVGElement>('#wi-chart svg')!;
  $('wi-empty').hidden = chart !== undefined;
  svg.style.display = chart === undefined ? 'none' : '';
  $('wi-title').textContent = chart?.title ?? '';
  renderTable($('wi-table') as HTMLTableElement, chart);
  if (chart === undefined) return;
  const width = Math.max(640, $('wi-chart').clientWidth - 20);
  // Large type: taller, for the larger legend, titles and tick labels around the same plots.
  const large = document.body.classList.contains('large') ? 1.2 : 1;
  const wanted = Math.round(Math.min(460, Math.max(340, width * 0.34)) * large);
  // No taller than the room under the controls, so that the whole chart, its x axis and title included, is on
  // the first screen (1280×720, large type too); not lower than a readable minimum on a smaller window.
  const height = Math.max(Math.round(MIN_CHART_HEIGHT * large), Math.min(wanted, roomUnder(svg)));
  drawWhatIf(svg, chart, { width, height });
}

/** The height from `svg`'s top down to the tab's visible bottom, in the tab's scrolled content, less the chart panel's bottom padding and border. */
function roomUnder(svg: SVGSVGElement): number {
  const tab = $('whatif');
  const panel = getComputedStyle($('wi-chart'));
  const top = svg.getBoundingClientRect().top - tab.getBoundingClientRect().top + tab.scrollTop;
  return Math.floor(tab.clientHeight - top - Number.parseFloat(panel.paddingBottom) - Number.parseFloat(panel.borderBottomWidth) - 2);
}

/** Draws the chart again if the tab shows one (the window's size or large type changed). */
export function redrawWhatIf(): void {
  if (!$('whatif').hidden && wi.chart !== undefined) drawChart(wi.chart);
}

function scenarioPicker(app: App): void {
  const sel = $<HTMLSelectElement>('wi-scenario');
  const keep = sel.value;
  sel.replaceChildren();
  const group = (label: string, keys: string[]) => {
    const g = document.createElement('optgroup');
    g.label = label;
    for (const k of keys) g.append(new Option(STORIES.get(k)?.title ?? k, k));
    if (keys.length > 0) sel.append(g);
  };
  const src = app.state.source;
  if (src?.kind === 'scenario') sel.append(new Option(`the scenario open in Replay: ${src.name}`, REPLAY));
  group(
    'capacity plans (short runs)',
    [...SCENARIOS.keys()].filter((k) => k.startsWith('plan/')),
  );
  group(
    'getting started (longer runs)',
    [...SCENARIOS.keys()].filter((k) => !k.includes('/')),
  );
  const options = [...sel.options].map((o) => o.value);
  sel.value = options.includes(keep) ? keep : options.includes('plan/small') ? 'plan/small' : (options[0] ?? '');
}

/** The scenario picked: its text and its name (as the CLI would name its file). */
function scenarioPicked(app: App): { text: string; source: string } {
  const v = $<HTMLSelectElement>('wi-scenario').value;
  const src = app.state.source;
  if (v === REPLAY && src?.kind === 'scenario') return { text: src.text, source: src.name };
  const text = SCENARIOS.get(v);
  if (text === undefined) throw new WhatIfInputError('scenario: none picked');
  return { text, source: `scenarios/${v}.yaml` };
}

function addConfig(text: string): void {
  const box = document.createElement('span');
  box.className = 'wi-config';
  box.dataset.testid = 'wi-config';
  const swatch = document.createElement('i');
  const input = document.createElement('input');
  input.value = text;
  input.placeholder = 'e.g. linger.ms=5, batch.size=65536';
  input.setAttribute('aria-label', 'configuration');
  const remove = document.createElement('button');
  remove.type = 'button';
  remove.textContent = '✕';
  remove.title = 'remove this configuration';
  remove.onclick = () => {
    box.remove();
    recolor();
  };
  box.append(swatch, input, remove);
  $('wi-configs').append(box);
  recolor();
}

function recolor(): void {
  document.querySelectorAll<HTMLElement>('#wi-configs .wi-config i').forEach((el, i) => {
    el.style.background = SERIES_COLORS[i % SERIES_COLORS.length]!;
  });
}

/** The grid the inputs ask for, checked: each point's settings are also checked against the scenario. */
function gridAsked(app: App): { title: string; xName: XAxis; configs: WhatIfConfig[]; points: WhatIfPoint[]; text: string; source: string } {
  const { text, source } = scenarioPicked(app);
  const xName = $<HTMLSelectElement>('wi-x').value as XAxis;
  const xs = parseXValues(xName, $<HTMLInputElement>('wi-xs').value);
  const configs = [...document.querySelectorAll<HTMLInputElement>('#wi-configs input')].map((el) => parseConfig(el.value, xName));
  const points = gridOf(xName, xs, configs);
  for (const p of points) {
    try {
      parseScenario(applyPlanSettings(text, p.settings), source);
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      const why = e.message.split('\n')[0]!.replace(`${source}: `, '');
      throw new WhatIfInputError(`${configs[p.config]!.label} at ${xName}=${p.xText}: the scenario rejects it: ${why}`);
    }
  }
  return { title: `${STORIES.get(source.replace(/^scenarios\/|\.yaml$/g, ''))?.title ?? source}`, xName, configs, points, text, source };
}

function stopRun(): void {
  for (const w of wi.running?.workers ?? []) w.terminate();
  wi.running = undefined;
}

function progress(r: Running): void {
  const done = r.outcomes.filter((o) => o !== undefined).length;
  const el = $<HTMLProgressElement>('wi-progress');
  el.max = r.points.length;
  el.value = done;
  const secs = ((performance.now() - r.started) / 1000).toFixed(1);
  $('wi-progress-text').textContent =
    done < r.points.length ? `${done} of ${r.points.length} points run (${secs} s)…` : `${r.points.length} points run in ${secs} s (${r.workers.length} worker${r.workers.length === 1 ? '' : 's'})`;
  $('wi-run').textContent = done < r.points.length ? 'Stop' : 'Run';
}

/** Runs the grid's points on a few workers, one point at a time each; the chart grows as they finish. */
function startRun(app: App): void {
  stopRun();
  showWhatIfError(undefined);
  let grid: ReturnType<typeof gridAsked>;
  try {
    grid = gridAsked(app);
  } catch (e) {
    showWhatIfError(e instanceof WhatIfInputError ? e.message : `what-if: ${(e as Error).message.split('\n')[0]}`);
    return;
  }
  const n = Math.max(1, Math.min(4, grid.points.length, navigator.hardwareConcurrency || 2));
  const r: Running = {
    id: ++wi.runId,
    workers: [],
    points: grid.points,
    labels: grid.configs.map((c) => c.label),
    outcomes: grid.points.map(() => undefined),
    chart: (outcomes) => chartOfGrid(grid.title, grid.xName, grid.configs, grid.points, outcomes),
    started: performance.now(),
  };
  wi.running = r;
  $('wi-progress-row').hidden = false;
  progress(r);
  let next = 0;
  const feed = (w: Worker) => {
    if (next >= grid.points.length) return;
    const index = next++;
    w.postMessage({ id: r.id, index, text: grid.text, source: grid.source, settings: grid.points[index]!.settings } satisfies WhatIfRequest);
  };
  for (let i = 0; i < n; i++) {
    const w = new Worker(new URL('../io/whatif-worker.ts', import.meta.url), { type: 'module' });
    w.onmessage = (e: MessageEvent<WhatIfReply>) => onPoint(r, w, e.data, feed);
    w.onerror = (e) => failRun(r, `a what-if worker failed: ${e.message}`);
    r.workers.push(w);
    feed(w);
  }
}

function onPoint(r: Running, w: Worker, reply: WhatIfReply, feed: (w: Worker) => void): void {
  if (wi.running !== r || reply.id !== r.id) return;
  r.outcomes[reply.index] = reply.figures !== undefined ? { figures: reply.figures } : { error: reply.error ?? 'no figures' };
  progress(r);
  drawChart(r.chart(r.outcomes));
  if (r.outcomes.every((o) => o !== undefined)) {
    stopRun();
    const failed = r.outcomes.flatMap((o, i) => (o?.error !== undefined ? [`${r.labels[r.points[i]!.config]} at ${r.points[i]!.xText}: ${o.error}`] : []));
    if (failed.length > 0) showWhatIfError(`${failed.length} point${failed.length === 1 ? '' : 's'} without figures, e.g. ${failed[0]}`);
  } else feed(w);
}

function failRun(r: Running, msg: string): void {
  if (wi.running !== r) return;
  stopRun();
  $('wi-run').textContent = 'Run';
  showWhatIfError(msg);
}

async function openPlanFile(file: File): Promise<void> {
  stopRun();
  $('wi-run').textContent = 'Run';
  $('wi-progress-row').hidden = true;
  showWhatIfError(undefined);
  try {
    drawChart(chartOfPlanFile(file.name, await file.text()));
  } catch (e) {
    showWhatIfError(e instanceof WhatIfInputError ? e.message : `${file.name}: cannot read it (${(e as Error).message.split('\n')[0]})`);
  }
}

/** Shows one tab; the first time the Replay tab is shown, `onReplay` starts its run. */
export function showTab(app: App, tab: 'replay' | 'whatif'): void {
  document.body.classList.toggle('tab-whatif', tab === 'whatif');
  $('whatif').hidden = tab !== 'whatif';
  $('tab-replay').setAttribute('aria-selected', String(tab === 'replay'));
  $('tab-whatif').setAttribute('aria-selected', String(tab === 'whatif'));
  if (tab === 'whatif') {
    scenarioPicker(app);
    if (wi.chart !== undefined) drawChart(wi.chart);
  } else scheduleRender(app);
  const q = new URLSearchParams(location.search);
  if (tab === 'whatif') q.set('tab', 'whatif');
  else q.delete('tab');
  history.replaceState(null, '', `${location.pathname}${q.size > 0 ? `?${q}` : ''}`);
}

export function wireWhatIf(app: App, onReplay: () => void): void {
  $('tab-replay').onclick = () => {
    showTab(app, 'replay');
    onReplay();
  };
  $('tab-whatif').onclick = () => showTab(app, 'whatif');
  const xSel = $<HTMLSelectElement>('wi-x');
  $<HTMLInputElement>('wi-xs').value = DEFAULT_XS.rate;
  xSel.onchange = () => {
    $<HTMLInputElement>('wi-xs').value = DEFAULT_XS[xSel.value as XAxis];
  };
  for (const c of DEFAULT_CONFIGS) addConfig(c);
  $('wi-add').onclick = () => addConfig('');
  $('wi-run').onclick = () => {
    if (wi.running !== undefined) {
      const r = wi.running;
      stopRun();
      $('wi-run').textContent = 'Run';
      $('wi-progress-text').textContent = `stopped after ${r.outcomes.filter((o) => o !== undefined).length} of ${r.points.length} points (those are drawn)`;
      return;
    }
    startRun(app);
  };
  $('wi-open').onclick = () => $('wi-file').click();
  $<HTMLInputElement>('wi-file').onchange = () => {
    const f = $<HTMLInputElement>('wi-file').files?.[0];
    if (f !== undefined) void openPlanFile(f);
    $<HTMLInputElement>('wi-file').value = '';
  };
  $('wi-caveat').textContent = `${NOT_MODELLED.replace(/^not modelled yet/, 'Not modelled yet')}: read these figures as upper bounds.`;
  window.addEventListener('resize', redrawWhatIf);
  drawChart(undefined);
}
