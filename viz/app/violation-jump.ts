/**
 * Going to a check's violation: the cursor moves to when its cause happened (the violation's causeMs,
 * else when it was detected), the partitions view highlights the records involved, and for a
 * counterexample (a scenario file with a `counterexample:` block, as `kafkasim explore` writes them) a
 * banner names the check, the violation and the command that reproduces it.
 */
import type { RunSummary } from '../../sim/index.js';
import { stopAtTime } from './playback.js';
import { scheduleRender } from './schedule.js';
import type { App } from './state.js';
import { $ } from './ui.js';

type Violation = RunSummary['violations'][number];

/** The time to show a violation at, µs: its cause's, else its detection's. */
export function violationTimeUs(v: Violation): number {
  return Math.round((v.causeMs ?? v.atMs) * 1000);
}

/** Moves the cursor to a violation and highlights its records (whole log shown when its offsets are known). */
export function jumpToViolation(app: App, v: Violation): void {
  const { state } = app;
  const ranges = highlightViolation(app, v);
  if (ranges.length > 0 && state.window !== 'whole') {
    state.window = 'whole';
    $('window').textContent = 'log: whole';
  }
  stopAtTime(app, violationTimeUs(v));
  // Bring the partition's block into view once drawn.
  requestAnimationFrame(() => document.querySelector(`[data-testid="partition-${CSS.escape(v.partition)}"]`)?.scrollIntoView({ block: 'nearest' }));
}

/** Highlights a violation's records in the partitions view; returns its offset ranges. */
function highlightViolation(app: App, v: Violation): Array<[number, number]> {
  const ranges = v.offsets ?? [];
  const where = ranges.map(([a, b]) => (a === b ? `${a}` : `${a}–${b}`)).join(', ');
  app.state.highlight = { tp: v.partition, offsets: ranges, label: `${v.check}${where !== '' ? `: offsets ${where}` : ''}` };
  return ranges;
}

/** The violation a counterexample is about: the first of its check. */
function counterexampleViolation(app: App): Violation | undefined {
  const cx = app.state.counterexample;
  return cx === undefined ? undefined : app.state.summary?.violations.find((v) => v.check === cx.check);
}

/**
 * A run is done: for a counterexample, jump to its violation (unless the link asked for a position).
 * Returns whether it moved the cursor.
 */
export function onRunDone(app: App, seekPending: boolean): boolean {
  renderCounterexample(app);
  const v = counterexampleViolation(app);
  if (v === undefined) return false;
  if (seekPending) {
    highlightViolation(app, v);
    return false;
  }
  jumpToViolation(app, v);
  return true;
}

/** The counterexample banner: the check, the violation's detail, where it came from and the command. */
export function renderCounterexample(app: App): void {
  const box = $('counterexample');
  const cx = app.state.counterexample;
  if (cx === undefined || !app.state.done) {
    box.hidden = true;
    return;
  }
  box.hidden = false;
  box.replaceChildren();
  const v = counterexampleViolation(app);
  const head = document.createElement('b');
  head.textContent = `Counterexample: ${cx.check}`;
  const detail = document.createElement('span');
  detail.dataset.testid = 'counterexample-detail';
  detail.textContent = v !== undefined ? ` — ${v.partition}: ${v.detail}` : ' — not violated in this run (another seed or version?)';
  box.append(head, detail);
  const from = [cx.base !== undefined ? `from ${cx.base}` : '', cx.run !== undefined ? `run ${cx.run}` : '', cx.shrunkFrom !== undefined ? `shrunk from ${cx.shrunkFrom} faults` : '']
    .filter((x) => x !== '')
    .join(', ');
  if (from !== '') box.append(Object.assign(document.createElement('span'), { className: 'muted', textContent: ` (${from})` }));
  if (cx.command !== undefined) {
    const code = document.createElement('code');
    code.dataset.testid = 'counterexample-command';
    code.textContent = cx.command;
    box.append(' ', code);
  }
  if (v !== undefined) {
    const btn = document.createElement('button');
    btn.type = 'button';
    btn.dataset.testid = 'counterexample-jump';
    btn.textContent = 'jump to violation';
    btn.onclick = () => jumpToViolation(app, v);
    box.append(' ', btn);
  }
  scheduleRender(app);
}
